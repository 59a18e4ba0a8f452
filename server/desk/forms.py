"""Reading desk forms and query strings into typed Structs, with a clear refusal."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from server.desk.common import DeskRequest
from server.errors import ApiError

T = TypeVar("T")


def convert(values: dict[str, Any], kind: type[T]) -> T:
    """Text is trimmed; a field left empty (or only spaces) is left out, so that a required
    one is refused rather than saved blank."""
    trimmed = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    cleaned = {k: v for k, v in trimmed.items() if v not in ("", None) and not k.startswith("_")}
    try:
        return msgspec.convert(cleaned, kind, strict=False)
    except msgspec.ValidationError as exc:
        raise ApiError(422, "invalid_form", f"表单内容不正确 / invalid form: {exc}") from exc


async def form_of(request: DeskRequest, kind: type[T]) -> T:
    form = await request.form()
    return convert({k: form.get(k) for k in form.keys()}, kind)


def query_of(request: DeskRequest, kind: type[T]) -> T:
    return convert(dict(request.query_params), kind)
