"""Move-ins (入住), handover inspections (验房) and the key register (钥匙登记)."""

from piccolo.columns import JSON, Boolean, Integer, Text, Varchar

from server.tables.base import Synced, ts


class MoveIn(Synced, tablename="move_in"):
    unit_id = Varchar(length=36, index=True)
    household_id = Varchar(length=36, null=True, default=None)
    owner_name = Varchar(length=50)
    owner_phone = Varchar(length=30, null=True, default=None)
    owner_id_number = Varchar(length=30, null=True, default=None)
    work_unit = Varchar(length=100, null=True, default=None)
    family_structure = Text(null=True, default=None)
    step = Varchar(length=20, default="identity_checked")
    agreements = JSON(default=[])
    fee_fen = Integer(null=True, default=None)
    fee_receipt = Varchar(length=30, default="")
    fee_paid_at = ts()
    keys_handed = Integer(default=0)
    gifts_handed = Boolean(default=False)
    manuals_handed = Boolean(default=False)
    handed_over_at = ts()


class Handover(Synced, tablename="handover"):
    move_in_id = Varchar(length=36, index=True)
    unit_id = Varchar(length=36, index=True)
    steward_id = Varchar(length=36)
    rooms = JSON(default={})
    keys_counted = Integer(null=True, default=None)
    status = Varchar(length=8, default="open")
    owner_signed = Boolean(default=False)
    signed_at = ts()
    notes = Text(default="")


class EstateKey(Synced, tablename="estate_key"):
    kind = Varchar(length=8)
    label = Varchar(length=50)
    unit_id = Varchar(length=36, null=True, default=None)
    place = Varchar(length=50, default="")
    keeper = Varchar(length=50, default="")
    copies = Integer(default=1)
    holder = Varchar(length=50, default="")
    out_since = ts()


class KeyLoan(Synced, tablename="key_loan"):
    key_id = Varchar(length=36, index=True)
    borrower = Varchar(length=50)
    reason = Varchar(length=200)
    out_at = ts()
    back_at = ts()
    notes = Varchar(length=200, default="")


TABLES = (MoveIn, Handover, EstateKey, KeyLoan)
