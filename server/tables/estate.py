"""Estate, buildings, units, the household archive (业户档案) and fee bills."""

from piccolo.columns import JSON, Boolean, DoublePrecision, Integer, Serial, Text, Varchar
from piccolo.table import Table

from server.tables.base import Synced, ts


class Estate(Table):
    id = Varchar(length=36, primary_key=True)
    code = Varchar(length=20, null=True, default=None, unique=True)  # 项目编号, migration 0010
    name = Varchar(length=100)
    address = Varchar(length=200, default="")
    ticket_seq = Integer(default=0)  # the last 工单号 handed out in this estate, migration 0013
    terms = Text(null=True, default=None)  # the estate's own time limits (sync.sla.Terms JSON), 0017
    prices = Text(null=True, default=None)  # its paid services' price list (sync.pricing.PriceList JSON), 0019
    renovation_fees = Text(null=True, default=None)  # its renovation fees (sync.renovation.RenovationFees JSON), 0026
    survey_terms = Text(null=True, default=None)  # its survey thresholds (server.store.surveys.SurveyTerms JSON), 0025
    property_fees = Text(null=True, default=None)  # 物业费 rates (sync.move_in.PropertyFees JSON), 0027
    familiarity = Text(null=True, default=None)  # its 熟知率/满意率 targets (sync.familiarity.Targets JSON), 0024
    meter_settings = Text(null=True, default=None)  # its 抄表 settings (sync.meters.MeterSettings JSON), 0022
    fees = Text(null=True, default=None)  # its fee calendar and targets (sync.fees.FeeTerms JSON), 0023


class Building(Synced, tablename="building"):
    code = Varchar(length=20)
    name = Varchar(length=50)
    floors = Integer(default=1)
    lifts = Integer(default=0)


class Unit(Synced, tablename="unit"):
    code = Varchar(length=30, index=True)
    floor = Integer(default=1)
    unit_type = Varchar(length=10)
    area_m2 = DoublePrecision(default=0.0)
    occupancy = Varchar(length=12, default="occupied", index=True)


class Household(Synced, tablename="household"):
    unit_id = Varchar(length=36, index=True)
    owner_name = Varchar(length=50)
    owner_phone = Varchar(length=30, null=True, default=None, index=True)
    owner_id_number = Varchar(length=30, null=True, default=None)
    co_residents = JSON(default=[])
    family_structure = Text(null=True, default=None)
    residence = Varchar(length=16, default="unknown")
    tenant_name = Varchar(length=50, null=True, default=None)
    tenant_phone = Varchar(length=30, null=True, default=None)
    special_needs = Text(null=True, default=None)
    emergency_contact_name = Varchar(length=50, null=True, default=None)
    emergency_contact_phone = Varchar(length=30, null=True, default=None)
    opinions = Text(null=True, default=None)
    notes = Text(null=True, default=None)
    owner_class = Varchar(length=16, default="ordinary")
    key_customer_reason = Varchar(length=200, null=True, default=None)  # migration 0024
    spouse_name = Varchar(length=50, null=True, default=None)
    owner_age = Integer(null=True, default=None)
    education = Varchar(length=30, null=True, default=None)
    hometown = Varchar(length=50, null=True, default=None)
    employer = Varchar(length=100, null=True, default=None)
    work_address = Varchar(length=200, null=True, default=None)
    family_size = Integer(null=True, default=None)
    known_by_steward = Boolean(default=False)
    move_in_date = Varchar(length=10, null=True, default=None)
    ended_on = Varchar(length=10, null=True, default=None)  # a former household (migration 0012)
    end_reason = Varchar(length=16, null=True, default=None)  # transfer / tenancy


class FeeBill(Table, tablename="fee_bill"):
    """One unit's bill for one month and fee item (物业费 when not named; feeds the
    fee-collection KPI and the arrears, ``server.store.fees``)."""

    id = Serial(primary_key=True)
    unit_id = Varchar(length=36, index=True)
    building_id = Varchar(length=36, index=True)
    estate_id = Varchar(length=36, null=True, default=None, index=True)
    month = Varchar(length=7, index=True)  # "2026-11"
    item = Varchar(length=12, default="property")  # schemas.vocab.FeeItem (收费项目), migration 0023
    amount_due = DoublePrecision()
    amount_paid = DoublePrecision(default=0.0)
    paid_at = ts()


TABLES = (Estate, Building, Unit, Household, FeeBill)
