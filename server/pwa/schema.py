"""What the phone app reads from the server's schemas, served as ``/app/schema.json``.

The phone never keeps a copy of a vocabulary: it reads them here (and the service worker
keeps this file offline with the shell). Built once, at import (that is, at start-up):

- ``collections``: the synced collections in pull order (``sync.policy.PULLED_COLLECTIONS``);
- ``vocabularies``: every ``Literal`` alias of ``schemas.vocab`` by its snake_case name
  (``FindingKind`` → ``finding_kind``), codes in declaration order, and every tuple of
  codes declared there that is not just a Literal's codes again (``VACANT_CHECKLIST`` →
  ``vacant_checklist``);
- ``rules``: the seeded rules the phone applies before saving (``meters``: the reading
  checks of ``sync.meters``); the server applies the estate's own.
"""

from __future__ import annotations

import json
import re
from typing import Literal, get_origin

import msgspec

from schemas import vocab
from sync.meters import SEED_METER_SETTINGS
from sync.policy import PULLED_COLLECTIONS


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def vocabularies() -> dict[str, list[str]]:
    """Every vocabulary of ``schemas.vocab``, name → codes in order."""
    literals = {_snake(name): list(vocab.codes(value))
                for name, value in vars(vocab).items() if get_origin(value) is Literal}
    tuples = {name.lower(): list(value) for name, value in vars(vocab).items()
              if name.isupper() and isinstance(value, tuple) and all(isinstance(c, str) for c in value)}
    served = dict(literals)
    for name, codes in tuples.items():
        if codes in literals.values():
            continue  # e.g. TICKET_STATUSES: TicketStatus again
        if name in served:
            raise RuntimeError(f"schemas.vocab declares the vocabulary {name!r} twice")
        served[name] = codes
    for name, codes in served.items():
        if not codes or len(set(codes)) != len(codes):
            raise RuntimeError(f"schemas.vocab: vocabulary {name!r} is empty or repeats a code")
    return served


def build() -> dict[str, object]:
    return {"collections": list(PULLED_COLLECTIONS), "vocabularies": vocabularies(),
            # the seeded rules the phone checks before saving (the server checks the estate's own)
            "rules": {"meters": msgspec.to_builtins(SEED_METER_SETTINGS)}}


SCHEMA: bytes = json.dumps(build(), ensure_ascii=False, separators=(",", ":")).encode()
"""The served document (start-up fails here if a vocabulary is malformed)."""


def schema() -> bytes:
    return SCHEMA
