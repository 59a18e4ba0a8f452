"""Export the wire contract as one JSON Schema document (for the JS client and the docs).

``python -m schemas.export`` rewrites ``schemas/stewardsync.schema.json``; a test checks the
committed file matches the Structs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import msgspec

from schemas.sync import (
    PROTOCOL_VERSION, ErrorBody, PullRequest, PullResponse, PushRequest, PushResponse,
)
from schemas.upgrade import PushRequestV1
from sync.specs import REGISTRY

SCHEMA_FILE = Path(__file__).with_name("stewardsync.schema.json")
MESSAGES = (PushRequest, PushResponse, PullRequest, PullResponse, ErrorBody, PushRequestV1)


def build() -> dict[str, Any]:
    """One document: the messages, every record collection, and their shared definitions."""
    types = [*MESSAGES, *(spec.record for spec in REGISTRY)]
    refs, components = msgspec.json.schema_components(types, ref_template="#/$defs/{name}")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "StewardSync wire format",
        "description": f"Sync protocol version {PROTOCOL_VERSION}; see docs/sync-protocol.md.",
        "x-protocol-version": PROTOCOL_VERSION,
        "x-messages": {t.__name__: ref for t, ref in zip(MESSAGES, refs)},
        "x-collections": {name: ref for name, ref in zip((s.name for s in REGISTRY), refs[len(MESSAGES):])},
        "$defs": components,
    }


def render() -> str:
    return json.dumps(build(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main() -> int:
    SCHEMA_FILE.write_text(render(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
