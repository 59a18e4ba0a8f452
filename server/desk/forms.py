"""Reading desk forms and query strings into typed Structs, with a refusal that names the
field and what is wrong with it, in words (never msgspec's regular expression)."""

from __future__ import annotations

from typing import Any, TypeVar

import msgspec

from server.desk.common import DeskRequest
from server.errors import ApiError
from server.i18n import translate

T = TypeVar("T")


def label(field: str) -> tuple[str, str]:
    """The field's name as the desk shows it, in Chinese and English."""
    for key in (f"household.{field}", f"estate.field.{field}", f"field.{field}"):
        zh = translate("zh-CN", key)
        if zh != key:
            return zh, translate("en", key)
    return field, field


def refusal(exc: msgspec.ValidationError) -> ApiError:
    """422 ``invalid_form`` naming the field (``detail.field``) and the reason."""
    text = str(exc)
    if "unknown field" in text.lower():
        return ApiError(422, "invalid_form", "表单含有未知的字段 / the form has an unknown field")
    field = text.rsplit("$.", 1)[1].split("[")[0].strip("` ") if "$." in text else ""
    if "Object missing required field" in text:
        field = text.split("`")[1] if "`" in text else field
        why = "不能为空", "is required"
    elif "length <=" in text:
        why = "太长了", "is too long"
    elif "matching regex" in text and ("\\x00" in text or "\\u200b" in text):
        why = "含有控制字符或不可见字符，请删除后重试", "holds control or invisible characters"
    else:
        why = "填写不正确，请检查后重试", "is not a valid value"
    zh, en = label(field) if field else ("表单", "the form")
    return ApiError(422, "invalid_form", f"“{zh}”{why[0]} / {en}: {why[1]}", {"field": field})


def convert(values: dict[str, Any], kind: type[T]) -> T:
    """Text is trimmed; a field left empty (or only spaces) is left out, so that a required
    one is refused rather than saved blank; so is any named ``_…``."""
    trimmed = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    cleaned = {k: v for k, v in trimmed.items() if v not in ("", None) and not k.startswith("_")}
    try:
        return msgspec.convert(cleaned, kind, strict=False)
    except msgspec.ValidationError as exc:
        raise refusal(exc) from exc


async def form_of(request: DeskRequest, kind: type[T]) -> T:
    form = await request.form()
    return convert({k: form.get(k) for k in form.keys()}, kind)


def query_of(request: DeskRequest, kind: type[T]) -> T:
    return convert(dict(request.query_params), kind)
