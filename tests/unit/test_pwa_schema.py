"""The schema the phone app reads (``/app/schema.json``): the synced collections and every
vocabulary of ``schemas.vocab``, served with the shell and precached by the worker, and a
label in both languages for every collection. (That every collection also has a record
summary on the phone, and that no module of the app copies a vocabulary, is checked by
``web/static/app/tests/registry.test.js``, run by ``test_pwa_js.py``.)"""

from __future__ import annotations

import json
import re

from schemas import vocab
from server.i18n import catalogue
from server.pwa.assets import service_worker
from server.pwa.schema import SCHEMA, vocabularies
from sync.policy import PULLED_COLLECTIONS


def served() -> dict:
    return json.loads(SCHEMA)


def test_the_schema_is_the_pulled_collections_and_the_vocabularies_of_schemas_vocab() -> None:
    schema = served()
    assert schema["collections"] == list(PULLED_COLLECTIONS)
    words = schema["vocabularies"]
    assert words["finding_kind"] == list(vocab.codes(vocab.FindingKind))
    assert words["patrol_area"] == list(vocab.codes(vocab.PatrolArea))
    assert words["visit_purpose"] == list(vocab.codes(vocab.VisitPurpose))
    assert words["vacant_checklist"] == list(vocab.VACANT_CHECKLIST)
    assert "ticket_statuses" not in words  # TICKET_STATUSES is TicketStatus again
    assert words == vocabularies()


def test_every_served_collection_has_a_label_in_both_languages() -> None:
    messages = catalogue()
    missing = [f"phone.collection.{name} ({lang})" for name in served()["collections"]
               for lang in ("zh-CN", "en") if not messages[lang].get(f"phone.collection.{name}")]
    assert missing == []


def test_the_worker_precaches_the_schema_and_its_version_follows_it() -> None:
    build = json.loads(re.search(rb"const BUILD = (\{.*?\});", service_worker()).group(1))
    assert "/app/schema.json" in build["assets"] and "/app/messages.json" in build["assets"]


async def test_the_schema_is_served_public_and_revalidated(client) -> None:
    answer = await client.get("/app/schema.json")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/json")
    assert answer.headers["cache-control"] == "no-cache"
    assert answer.json() == served()
