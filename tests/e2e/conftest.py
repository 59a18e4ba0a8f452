"""Browser tests: a real server process and headless Debian Chromium driven by Playwright.

``live_server`` starts uvicorn on a free port with its own data folder (SQLite) and yields
its base URL and settings; a test seeds data by connecting to the same database
(``seeded``), then drives pages with ``page`` (390×844 for the phone app) or ``desk_page``
(1366×768). Screenshots go to ``test-output/screenshots/``.

Browser contexts bypass the Content-Security-Policy: the tests check what the pages do
themselves (escaping above all), not the second line of defence the CSP header adds
(tests/integration/test_auth_session.py checks the header).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from server import db as database
from server.settings import Settings

CHROMIUM = os.environ.get("STEWARDSYNC_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, data_dir: Path, env_extra: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = Settings(data_dir=data_dir)
        # no escalation timer: the tests' overdue tickets stay as the tests leave them
        self.env = {**os.environ, "STEWARDSYNC_DATA_DIR": str(data_dir), "STEWARDSYNC_ESCALATION_MINUTES": "0",
                    **(env_extra or {})}
        self.process: subprocess.Popen[bytes] | None = None
        self.log = data_dir / "server.log"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "server.app:create_app",
             "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log"],
            cwd=ROOT, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "data")
    server.settings.data_dir.mkdir(parents=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def seeded(live_server: LiveServer) -> AsyncIterator[Settings]:
    """The live server's database, connected in the test process for seeding and checks."""
    engine = await database.connect(live_server.settings)
    try:
        yield live_server.settings
    finally:
        await database.disconnect(engine)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message + " — CI=true: browser tests are required")
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture
async def browser(chromium_path: str) -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        instance = await pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            await instance.close()


@pytest.fixture
async def page(browser) -> AsyncIterator[object]:
    """A phone-sized page (390×844, touch)."""
    context = await browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844}, is_mobile=True,
                                        has_touch=True, locale="zh-CN")
    try:
        yield await context.new_page()
    finally:
        await context.close()


@pytest.fixture
async def desk_page(browser) -> AsyncIterator[object]:
    """A desk-sized page (1366×768)."""
    context = await browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768}, locale="zh-CN")
    try:
        yield await context.new_page()
    finally:
        await context.close()


AXE_PATH = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
"""axe-core, pinned in web/package.json; the server does not serve it (only what pages use)."""


async def axe_violations(page, rules: dict | None = None) -> list[dict]:
    """axe-core's violations on the current screen (id, impact, help, up to three targets)."""
    await page.add_script_tag(path=str(AXE_PATH))
    return await page.evaluate("""async (rules) => (await axe.run(document, rules || {resultTypes: ["violations"]}))
        .violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                               nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))""", rules)


async def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def desk_log_in(page, base_url: str, username: str, path: str, password: str | None = None) -> None:
    """Log in at the desk's login page and land on ``path``."""
    from tests.factories import PASSWORD

    await page.goto(f"{base_url}/login?next={path}")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password or PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base_url}{path}")
