"""Issue 19 (the protocol contract): docs/sync-protocol.md names every error code a sync or
API client can meet, and every code it names is produced by some test.

The codes are collected from the code, not from a hand list: ``ApiError(status, "code"`` in
the modules that answer ``/api/`` routes and the middleware and guards in front of them,
the answers of ``server/errors.py`` (Litestar's own refusals, storage trouble, the 500), the
device-credential codes of ``server/policy.py`` and ``sync.messages.REASONS`` (per-mutation
and whole-batch refusals of the sync engine). The rule for what is left out: codes raised
only by the desk's and admin's pages (``server/desk/``, ``server/admin/``,
``server/writes.py``) answer HTML forms, never a phone or an API client, and are not part of
the wire contract. A new code in one of the API modules fails this test until the doc
explains it."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar import Request
from litestar.exceptions import HTTPException, TooManyRequestsException

from server.auth.middleware import _INVALID
from server.errors import HTTP_ANSWERS, http_error_handler, internal_error_handler
from server.policy import _AUTH_MESSAGES
from sync.messages import REASONS

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "sync-protocol.md"
API_MODULES = [*sorted((ROOT / "server" / "api").glob("*.py")), *sorted((ROOT / "server" / "auth").glob("*.py")),
               ROOT / "server" / "policy.py", ROOT / "server" / "sync_service.py",
               ROOT / "server" / "store" / "attachments.py", ROOT / "server" / "store" / "pull.py",
               ROOT / "server" / "errors.py"]
DESK_ONLY = [ROOT / "server" / "desk", ROOT / "server" / "admin", ROOT / "server" / "writes.py"]
RAISED = re.compile(r'ApiError\(\s*\d{3},\s*"([a-z]+(?:_[a-z]+)*)"')
ANSWERED = re.compile(r'(?:code(?:, message)?(?:, detail)? = |return \d{3}, |_answer\([^"]*)"([a-z]+(?:_[a-z]+)+)"')


def codes_in_code() -> set[str]:
    """Every code a client of /api/ can be answered."""
    codes: set[str] = set()
    for module in API_MODULES:
        text = module.read_text(encoding="utf-8")
        codes |= set(RAISED.findall(text)) | set(ANSWERED.findall(text))
    codes |= {code for code, _ in HTTP_ANSWERS.values()}
    codes |= set(_AUTH_MESSAGES) | set(REASONS) | {_INVALID[0]}
    return codes


def codes_in_doc() -> set[str]:
    """Codes the doc explains: the code column of its error tables and the backticked codes of
    its per-mutation list (any backticked snake_case word that is a code)."""
    text = DOC.read_text(encoding="utf-8")
    return set(re.findall(r"`([a-z]+(?:_[a-z]+)*)`", text))


def table_codes() -> set[str]:
    """The codes of the doc's error tables (``| status | `code`[, `code`…] | …``)."""
    codes: set[str] = set()
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) > 3 and re.fullmatch(r"\d{3}", cells[1]):
            codes |= set(re.findall(r"`([a-z_]+)`", cells[2]))
    return codes


def test_the_collection_finds_codes_in_every_source() -> None:
    """The parsing itself works (so the test below cannot pass by finding nothing)."""
    codes = codes_in_code()
    for code in ("bad_credentials", "device_taken", "account_locked", "too_many_attempts", "seq_gap",
                 "invalid_id", "hash_mismatch", "body_too_large", "storage_full", "internal_error",
                 "device_revoked", "unknown_record", "invalid_characters"):
        assert code in codes, code
    assert "building_code_taken" not in codes  # a desk form's code


def test_every_code_a_client_can_meet_is_in_the_doc() -> None:
    missing = sorted(codes_in_code() - codes_in_doc())
    assert not missing, f"error codes without a line in docs/sync-protocol.md: {missing}"


def test_every_table_code_is_a_real_code() -> None:
    stale = sorted(table_codes() - codes_in_code())
    assert not stale, f"docs/sync-protocol.md explains codes the server never answers: {stale}"


def test_every_code_of_the_doc_is_produced_by_a_test() -> None:
    own = Path(__file__).read_text(encoding="utf-8")
    tests = "\n".join([*(path.read_text(encoding="utf-8") for path in (ROOT / "tests").rglob("*.py")
                        if path.name != Path(__file__).name), own[own.index(PRODUCED_HERE):]])
    untested = sorted(code for code in table_codes() | codes_in_code() if f'"{code}"' not in tests
                      and f"'{code}'" not in tests)
    assert not untested, f"codes in docs/sync-protocol.md no test produces: {untested}"


PRODUCED_HERE = "# Codes no other test produced"
# Codes no other test produced (the test above found them): each one made here.

async def test_a_replayed_seq_without_its_stored_result_is_replay_unknown() -> None:
    from sync.engine import BatchRejected, apply_batch
    from tests.unit.memory_storage import estate
    from tests.unit.test_sync_engine import PHONE, finding

    storage = estate()
    storage.last_seq[PHONE.device_id] = 3  # the position survived, its results did not

    async def lost(device_id: str, seqs: list[int]) -> list[Any]:
        return []

    storage.stored_results = lost  # type: ignore[method-assign]
    with pytest.raises(BatchRejected) as refused:
        await apply_batch(storage, PHONE, [finding(2, "f-2")], now="2026-11-22T08:00:00.000Z")
    assert refused.value.code == "replay_unknown" and refused.value.detail == {"seqs": [2]}


@pytest.mark.parametrize(("exception", "status", "code"), [
    (TooManyRequestsException(), 429, "too_many_requests"),
    (HTTPException(status_code=418, detail="teapot"), 418, "http_error"),
])
def test_litestar_refusals_get_a_stable_code(exception: HTTPException, status: int, code: str) -> None:
    answer = http_error_handler(request_to("/api/v1/sync/push"), exception)
    body = msgspec.json.decode(answer.content if isinstance(answer.content, bytes)
                               else msgspec.json.encode(answer.content))
    assert answer.status_code == status and body["code"] == code


def test_a_busy_database_is_database_unavailable() -> None:
    answer = internal_error_handler(request_to("/api/v1/sync/push"),
                                    sqlite3.OperationalError("database is locked"))
    body = msgspec.json.decode(answer.content if isinstance(answer.content, bytes)
                               else msgspec.json.encode(answer.content))
    assert answer.status_code == 503 and body["code"] == "database_unavailable"


def request_to(path: str) -> Request[Any, Any, Any]:
    return Request(scope={"type": "http", "method": "POST", "path": path, "headers": [],  # type: ignore[typeddict-item]
                          "query_string": b"", "app": None, "root_path": "", "path_params": {}})
