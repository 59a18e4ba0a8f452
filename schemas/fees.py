"""Fee reminders (催缴, 应会 7): a unit's arrears (server-maintained) and the steward's
contact log (催缴记录本).

Synced records as they travel between server and phone; each mirrors its Piccolo table in
``server/tables/fees.py`` and is declared once in ``sync/specs/fees.py``. Money is integer
fen (分).
"""

from __future__ import annotations

import msgspec

from schemas.base import Record
from schemas.limits import Day, Fen, Id, LongText, Month, Time
from schemas.vocab import FeeContactKind, FeeItem, FeeNotice, FeeReason



class ArrearsLine(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One unpaid bill: its month (``YYYY-MM``), fee item and what is still owed."""

    month: Month
    item: FeeItem
    owed_fen: Fen


class FeeCalendar(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The estate's fee calendar (应会 7) as the phone needs it: the day of the month each
    stage starts, and the late fee (滞纳金) per day in ten-thousandths of what is owed (the
    seeds give no rate: 0 until the estate sets one)."""

    list_by: int = 5  # 每月5日前 the arrears list
    phone_from: int = 6  # 6日~15日 phone reminders
    second_from: int = 16  # 16日~20日 二次通知单
    third_from: int = 21  # 21日后 三次通知单 with the late fee, door-to-door
    late_fee_per_10k: int = 0  # 滞纳金: per day, in 1/10,000 of the amount owed


class Arrears(Record, kw_only=True):
    """欠费: one unit's unpaid bills, kept by the server from the bills (ledger import,
    desk payments); a unit that has paid everything loses its record (a tombstone)."""

    unit_id: Id
    lines: list[ArrearsLine] = []
    amount_fen: Fen = 0
    oldest_month: Month = ""
    calendar: FeeCalendar = FeeCalendar()


class FeeContact(Record, kw_only=True):
    """催缴记录: one call, posted notice or door visit about a unit's arrears."""

    unit_id: Id
    steward_id: Id
    kind: FeeContactKind
    contacted_at: Time
    reached: bool | None = None  # a call: the owner answered
    promised_on: Day | None = None  # the day the owner promised to pay
    reason: FeeReason | None = None
    notice: FeeNotice | None = None  # a posted notice: which one (its photo is an attachment)
    note: LongText = ""
    amount_fen: Fen = 0  # the arrears when contacted, as the phone showed them
    visit_id: Id | None = None  # a door visit: the visit (purpose fee_reminder)
    ticket_id: Id | None = None  # a dispute raised as a ticket
