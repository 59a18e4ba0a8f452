"""The ``stewardsync`` command line, run as the real console script in a subprocess."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from server.settings import Settings
from server.tables import StaffUser
from tests.factories import make_estate
from tests.integration.test_auth_session import desk_login

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).with_name("stewardsync")
MIGRATIONS = len(list((ROOT / "server" / "piccolo_migrations").glob("server_*.py")))


def cli_command() -> list[str]:
    return [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "server.cli"]


def cli_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEWARDSYNC_")}
    env.update({f"STEWARDSYNC_{k.upper()}": v for k, v in settings.items()})
    return env


def env_of(settings: Settings) -> dict[str, str]:
    return cli_env(data_dir=str(settings.data_dir), database_url=settings.database_url,
                   secret_key=settings.secret_key)


def stewardsync(*args: str, env: dict[str, str], stdin: str | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*cli_command(), *args], env=env, input=stdin, capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_db_upgrade_creates_the_schema_in_an_empty_folder(tmp_path: Path) -> None:
    data = tmp_path / "fresh" / "data"
    env = cli_env(data_dir=str(data))
    first = stewardsync("db", "upgrade", env=env)
    assert first.returncode == 0, first.stderr
    assert f"{MIGRATIONS} migration(s) applied" in first.stdout
    with sqlite3.connect(data / "stewardsync.db") as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"ticket", "household", "change_log", "sync_clock", "staff_user"} <= tables
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again = stewardsync("db", "upgrade", env=env)
    assert again.returncode == 0 and "0 migration(s) applied" in again.stdout


async def test_user_add_then_the_account_logs_in(settings: Settings, client: httpx.AsyncClient) -> None:
    env = env_of(settings)
    added = stewardsync("user", "add", "clerk1", "--role", "desk", "--name", "前台一",
                        "--password-stdin", env=env, stdin="a-long-password\n")
    assert added.returncode == 0, added.stderr
    answer = await desk_login(client, "clerk1", "a-long-password")
    assert answer.status_code in (302, 303), answer.text
    me = (await client.get("/api/v1/me")).json()
    assert me["role"] == "desk" and me["display_name"] == "前台一"


async def test_user_add_assigns_a_stewards_buildings(settings: Settings, client: httpx.AsyncClient) -> None:
    estate = await make_estate(buildings=2, units_per_building=1)
    env = env_of(settings)
    added = stewardsync("user", "add", "wang", "--role", "steward", "--buildings", "1,2栋",
                        "--password", "steward-pass", env=env)
    assert added.returncode == 0, added.stderr
    enrolled = await client.post("/api/v1/devices/enrol", json={
        "username": "wang", "password": "steward-pass", "device_id": "cli-test-device-1"})
    assert enrolled.status_code == 201, enrolled.text
    assert enrolled.json()["user"]["building_ids"] == sorted(estate.building_ids)


async def test_user_add_refusals_are_one_line_and_change_nothing(settings: Settings, client) -> None:
    env = env_of(settings)
    attempts = [
        (["user", "add", "li", "--role", "steward", "--buildings", "99", "--password", "long-enough"], "99栋"),
        (["user", "add", "li", "--role", "steward", "--password", "short"], "too short"),
        (["user", "add", "li", "--role", "desk", "--buildings", "1", "--password", "long-enough"], "stewards"),
    ]
    for args, words in attempts:
        refused = stewardsync(*args, env=env)
        assert refused.returncode == 1 and words in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1 and "Traceback" not in refused.stderr
    assert await StaffUser.count().where(StaffUser.username == "li") == 0


class Server:
    """``stewardsync serve`` in a subprocess on a free port."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [*cli_command(), "serve", "--port", str(self.port), *args], env=env, cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_healthy(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited: {self.process.communicate()}")
            try:
                if httpx.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.3)
        raise AssertionError("serve did not answer /health in time")

    def stop(self) -> tuple[str, str]:
        self.process.send_signal(signal.SIGTERM)
        try:
            out, err = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
        return out, err


def _counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("estate", "ticket", "household", "change_log", "staff_user")}


def test_serve_demo_then_serve_again_keeps_the_data(tmp_path: Path) -> None:
    env = cli_env(data_dir=str(tmp_path / "data"))
    server = Server(env, "--demo", "--workers", "2")
    try:
        server.wait_healthy()
        assert httpx.get(server.url + "/", timeout=10).status_code == 200
    finally:
        out, err = server.stop()
    assert f"http://127.0.0.1:{server.port}/" in out and "guanjia1" in out and "qiantai" in out, out
    assert "Traceback" not in err, err[-2000:]
    loaded = _counts(tmp_path / "data" / "stewardsync.db")
    assert loaded["estate"] == 2 and loaded["household"] == 292 + 36  # the demo estate and the small second one

    again = Server(env)
    try:
        again.wait_healthy()
        assert httpx.get(again.url + "/", timeout=10).status_code == 200
        login = httpx.post(again.url + "/api/v1/devices/enrol", timeout=10, json={
            "username": "guanjia1", "password": "demo1234", "device_id": "serve-test-device"})
        assert login.status_code == 201, login.text
    finally:
        _out, err = again.stop()
    assert "Traceback" not in err, err[-2000:]
    after = _counts(tmp_path / "data" / "stewardsync.db")
    assert after == loaded


COMMANDS = [["db", "upgrade"], ["serve"], ["demo", "load"],
            ["user", "add", "x", "--role", "desk", "--password", "long-enough"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("url", ["mysql://x", "postgresql://postgres@127.0.0.1:1/test"],
                         ids=["bad_url", "unreachable"])
def test_an_unusable_database_is_one_line_and_a_failure(tmp_path: Path, command: list[str], url: str) -> None:
    result = stewardsync(*command, env=cli_env(data_dir=str(tmp_path), database_url=url), timeout=60)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "database" in lines[0].lower() and "stewardsync: error:" in lines[0]


def test_settings_lists_every_setting_with_its_doc() -> None:
    result = stewardsync("settings", env=cli_env(port="9001"))
    assert result.returncode == 0
    from server.settings import documented

    for variable, _default, doc in documented():
        assert variable in result.stdout and doc in result.stdout
    assert "STEWARDSYNC_PORT = 9001" in result.stdout


def _failed_login_addresses(server: Server, forwarded_for: str, database: Path) -> list[str]:
    refused = httpx.post(server.url + "/api/v1/devices/enrol", timeout=10, headers={
        "X-Forwarded-For": forwarded_for}, json={
        "username": "guanjia1", "password": "wrong-password", "device_id": "proxy-test-device"})
    assert refused.status_code == 401, refused.text
    with sqlite3.connect(database) as conn:
        return [row[0] for row in conn.execute("SELECT ip FROM login_attempt WHERE ok = 0")]


def test_only_a_trusted_proxy_names_the_clients_address(tmp_path: Path) -> None:
    """Behind the proxy the per-address login limit must count the phone's address; from
    anyone else X-Forwarded-For is ignored (a client could forge it to dodge the limit)."""
    env = cli_env(data_dir=str(tmp_path / "data"))
    database = tmp_path / "data" / "stewardsync.db"
    trusted = Server({**env, "STEWARDSYNC_TRUSTED_PROXIES": "127.0.0.1"}, "--demo")
    try:
        trusted.wait_healthy()
        assert _failed_login_addresses(trusted, "203.0.113.7", database) == ["203.0.113.7"]
    finally:
        trusted.stop()
    untrusted = Server({**env, "STEWARDSYNC_TRUSTED_PROXIES": "10.9.9.9"})
    try:
        untrusted.wait_healthy()
        assert _failed_login_addresses(untrusted, "198.51.100.9", database) == ["203.0.113.7", "127.0.0.1"]
    finally:
        untrusted.stop()
