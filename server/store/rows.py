"""Values as the drivers hand them back, made plain."""

from __future__ import annotations

from typing import Any

import msgspec


def json_value(value: Any) -> Any:
    """A JSON column's value (the drivers hand back text)."""
    return msgspec.json.decode(value) if isinstance(value, str) and value else value
