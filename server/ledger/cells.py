"""One ledger cell: what a column takes, read from what an office's Excel holds, and
written back the same way (so that an exported estate imports as unchanged).

A ``Kind`` turns a raw cell (text, a number, a date Excel stored) into the record's
value, or raises ``Bad`` with the reason in Chinese; ``show`` turns a value back into
what the cell holds. ``read(show(v)) == v`` for every value a kind reads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


class Bad(ValueError):
    """A cell that cannot be read: ``reason`` is said to an office clerk, in Chinese."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def text_of(raw: Any) -> str:
    """A cell as the text the clerk sees (numbers without a trailing ``.0``)."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == datetime.min.time() else raw.isoformat(" ")
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw).strip()


@dataclass(frozen=True)
class Kind:
    """Plain text of at most ``limit`` characters (the base of the other kinds)."""

    limit: int = 200

    def read(self, raw: Any) -> Any:
        text = text_of(raw)
        if not text:
            return None
        if ILLEGAL_CHARACTERS_RE.search(text):
            raise Bad("含有控制字符")
        if len(text) > self.limit:
            raise Bad(f"超过{self.limit}个字")
        return text

    def show(self, value: Any) -> Any:
        return value

    def choices(self) -> tuple[str, ...]:
        """Fixed words the column takes (a data validation list in the template)."""
        return ()


@dataclass(frozen=True)
class Count(Kind):
    """A whole number ≥ 0 (floors, lifts)."""

    most: int = 200

    def read(self, raw: Any) -> Any:
        text = text_of(raw)
        if not text:
            return None
        if not re.fullmatch(r"\d+", text):
            raise Bad("应为不小于0的整数")
        number = int(text)
        if number > self.most:
            raise Bad(f"不应大于{self.most}")
        return number


@dataclass(frozen=True)
class Amount(Kind):
    """A non-negative amount with at most two decimals (m², 元)."""

    unit: str = ""

    def read(self, raw: Any) -> Any:
        text = text_of(raw).replace(",", "").removesuffix(self.unit).strip()
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise Bad("应为数字") from None
        if not number.is_finite():
            raise Bad("应为数字")
        if number < 0:
            raise Bad("不能为负数")
        if number > Decimal(100000000):
            raise Bad("数值过大")
        return float(round(number, 2))

    def show(self, value: Any) -> Any:
        return value


PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{7,8}|400-?\d{3}-?\d{4}")


@dataclass(frozen=True)
class Phone(Kind):
    """A mainland mobile (11 digits) or a landline (0571-8888888, 88886666)."""

    def read(self, raw: Any) -> Any:
        text = text_of(raw).replace(" ", "").removeprefix("+86")
        if not text:
            return None
        if not PHONE.fullmatch(text):
            raise Bad("不是有效的电话号码")
        return text


@dataclass(frozen=True)
class IdNumber(Kind):
    """身份证号: 18 characters (the last may be X) or the old 15 digits."""

    def read(self, raw: Any) -> Any:
        text = text_of(raw).upper()
        if not text:
            return None
        if not re.fullmatch(r"\d{17}[\dX]|\d{15}", text):
            raise Bad("身份证号应为18位（末位可为X）")
        return text


DAY = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


@dataclass(frozen=True)
class Day(Kind):
    """A date: 2026-03-01, 2026/3/1, 2026年3月1日 or a date cell; stored ``YYYY-MM-DD``."""

    def read(self, raw: Any) -> Any:
        if isinstance(raw, (datetime, date)):
            return (raw.date() if isinstance(raw, datetime) else raw).isoformat()
        text = text_of(raw)
        if not text:
            return None
        match = DAY.fullmatch(text.split(" ")[0])
        if match is None:
            raise Bad("日期格式应为 2026-03-01")
        try:
            return date(*(int(g) for g in match.groups())).isoformat()
        except ValueError:
            raise Bad("不存在的日期") from None


MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")


@dataclass(frozen=True)
class Month(Kind):
    """A month: 2026-03, 2026/3, 2026年3月 or a date cell; stored ``YYYY-MM``."""

    def read(self, raw: Any) -> Any:
        if isinstance(raw, (datetime, date)):
            return f"{raw.year:04d}-{raw.month:02d}"
        text = text_of(raw)
        if not text:
            return None
        match = MONTH.fullmatch(text)
        if match is None:
            raise Bad("月份格式应为 2026-03")
        year, month = (int(g) for g in match.groups())
        if not 1 <= month <= 12 or not 1990 <= year <= 2100:
            raise Bad("不存在的月份")
        return f"{year:04d}-{month:02d}"


@dataclass(frozen=True)
class Words(Kind):
    """One of fixed words (户型, 入住状态…): the cell holds the word, the record its value."""

    words: Mapping[str, str] = None  # type: ignore[assignment]  # word -> stored value

    def read(self, raw: Any) -> Any:
        text = text_of(raw)
        if not text:
            return None
        if text not in self.words:
            raise Bad(f"应为：{'、'.join(self.words)}")
        return self.words[text]

    def show(self, value: Any) -> Any:
        for word, stored in self.words.items():
            if stored == value:
                return word
        return value

    def choices(self) -> tuple[str, ...]:
        return tuple(self.words)


YES_NO = Words(words={"是": True, "否": False})  # type: ignore[dict-item]

SEPARATORS = re.compile(r"[,，、;；\s]+")


@dataclass(frozen=True)
class Codes(Kind):
    """Several codes in one cell (负责楼栋 "1栋、2栋"); stored as a list in cell order."""

    def read(self, raw: Any) -> Any:
        text = text_of(raw)
        if not text:
            return []
        return list(dict.fromkeys(c for c in SEPARATORS.split(text) if c))

    def show(self, value: Any) -> Any:
        return "、".join(value) if value else None


PERSON = re.compile(r"([^()（）]+?)\s*(?:[（(]([^()（）]*)[)）])?")


@dataclass(frozen=True)
class People(Kind):
    """同住人: "王芳(配偶,35,13812345678)；李明(子女,8)": name (relation, age, phone)."""

    def read(self, raw: Any) -> Any:
        text = text_of(raw)
        if not text:
            return []
        people = []
        for part in (p.strip() for p in re.split(r"[;；\n]+", text)):
            if not part:
                continue
            match = PERSON.fullmatch(part)
            if match is None:
                raise Bad("同住人格式应为 姓名(关系,年龄,电话)，多人用；分隔")
            name, inside = match.group(1).strip(), match.group(2)
            details = [d.strip() for d in re.split(r"[,，]", inside)] if inside else []
            details += [""] * (3 - len(details))
            if len(details) > 3:
                raise Bad("同住人括号内应为 关系,年龄,电话")
            relation, age, phone = details
            age = age.removesuffix("岁")
            if age and not age.isdigit():
                raise Bad(f"{name}的年龄应为整数")
            people.append({"name": name[:50], "relation": relation or None,
                           "age": int(age) if age else None,
                           "phone": Phone().read(phone) if phone else None})
        if len(people) > 20:
            raise Bad("同住人最多20人")
        return people

    def show(self, value: Any) -> Any:
        if not value:
            return None
        parts = []
        for person in value:
            details = [str(person.get(k) or "") for k in ("relation", "age", "phone")]
            while details and not details[-1]:
                details.pop()
            parts.append(f"{person.get('name', '')}({','.join(details)})" if details
                         else str(person.get("name", "")))
        return "；".join(parts)


def canonical(kind: Kind, value: Any) -> Any:
    """A stored value as the ledger would read it back (so that equal means unchanged)."""
    shown = kind.show(value)
    try:
        return kind.read(shown)
    except Bad:
        return value
