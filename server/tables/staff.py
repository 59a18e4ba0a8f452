"""Staff accounts, assignments, desk sessions, login attempts and the audit log."""

from piccolo.columns import JSON, Boolean, Integer, Serial, Varchar
from piccolo.table import Table

from server.tables.base import ts


class StaffUser(Table, tablename="staff_user"):
    id = Varchar(length=36, primary_key=True)
    username = Varchar(length=50, unique=True)
    display_name = Varchar(length=50)
    role = Varchar(length=10)  # steward / desk / manager / admin / company / engineer
    team = Varchar(length=20, null=True, default=None)  # an engineer's team (EngineerTeam), 0020
    phone = Varchar(length=30, null=True, default=None)
    password_hash = Varchar(length=200)
    active = Boolean(default=True)
    failed_logins = Integer(default=0)
    locked_until = ts()
    created_at = ts()


class BuildingAssignment(Table, tablename="building_assignment"):
    """A steward's assigned building (责任楼栋)."""

    id = Serial(primary_key=True)
    user_id = Varchar(length=36, index=True)
    building_id = Varchar(length=36, index=True)
    assigned_at = ts()


class StaffEstate(Table, tablename="staff_estate"):
    """An office role's estate (项目/管理处): the desk, the manager and the admin see the
    records of their estates only. A steward's estates are those of their buildings."""

    id = Serial(primary_key=True)
    user_id = Varchar(length=36, index=True)
    estate_id = Varchar(length=36, index=True)


class StaffSession(Table, tablename="staff_session"):
    """A desk login: the cookie holds the token; only its hash is stored."""

    token_hash = Varchar(length=64, primary_key=True)
    user_id = Varchar(length=36, index=True)
    created_at = ts()
    expires_at = ts()


class LoginAttempt(Table, tablename="login_attempt"):
    id = Serial(primary_key=True)
    username = Varchar(length=50, index=True)
    ip = Varchar(length=45, default="")
    at = ts(index=True)
    ok = Boolean(default=False)


class AuditLog(Table, tablename="audit_log"):
    id = Serial(primary_key=True)
    at = ts(index=True)
    user_id = Varchar(length=36, null=True, default=None, index=True)
    action = Varchar(length=40, index=True)  # login / device_enrol / archive_read / export …
    target = Varchar(length=100, default="")
    detail = JSON(default={})
    ip = Varchar(length=45, default="")


TABLES = (StaffUser, BuildingAssignment, StaffEstate, StaffSession, LoginAttempt, AuditLog)
