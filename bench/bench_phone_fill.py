"""The phone's cache fill: the app's own initial sync in headless Chromium, beside a bare
IndexedDB bulk put of the same records measured in the same page and run.

    .venv/bin/python bench/bench_phone_fill.py                 # a 20,000-record scope
    .venv/bin/python bench/bench_phone_fill.py --scope 20000 --repeat 2   # + 1 run with the Today probe

Steps, on a fresh SQLite database in a temporary folder:
1. seed one steward's building (units, households) and push, through the HTTP endpoint as
   a phone does, a backlog of a round, findings, vacant checks, visits, household notes
   and tickets until the steward's scope holds about ``--scope`` records; a Python phone
   then pulls the whole scope (the records the app must cache, and the floor's input);
2. in headless Chromium (``/usr/bin/chromium``, never ``playwright install``) a fresh phone
   logs in through the login screen and the app runs its own sync: pull pages, decode,
   IndexedDB writes with the features' indexes, each page with its cursor. Timed from the
   first pull request to the completion of the transaction that stores the last page and
   its cursor (and the whole login → done; and how long after it the badge leaves
   "running": the badge then reads every entry for its counts), while
   the JS heap (CDP ``Performance.getMetrics`` JSHeapUsedSize) is sampled every 50 ms and
   the page's main-thread stalls are recorded (the longest timer delay); in one more run,
   mid-fill, the Today screen is left and opened again by its tab (time to render it);
3. the floor, in the same page, before the login and again after the fill (the faster of
   the two is the floor): the same records (``{collection, id, server}``) put into a
   scratch IndexedDB database, one transaction per 1,000 (relaxed durability, as the app's
   cache writes), no index beyond the key.

Prints records/s of both, their ratio, the heap peak and the Today screen's answer times.
Targets: ≥ 10,000 records/s, ≤ 2x the bare put, bounded heap, Today answering while filling.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_sync import calibrate  # noqa: E402
from bench.load_phones import Phone, ServerProcess, Stats, Steward, new_id, seed  # noqa: E402

CHROMIUM = os.environ.get("STEWARDSYNC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PASSWORD = "load-password-1"  # bench.load_phones.seed's first steward
PAGE = 2000  # web/static/app/sync.js PULL_LIMIT
UNITS = 600  # in the steward's building (every 4th vacant; the others with a household)

# Installed before the app's scripts: timestamps of the pull requests (fetch is wrapped, its
# answers untouched), when the sync badge leaves "running", and the longest timer delay.
HOOKS = """
window.__fill = { pulls: [], pullsDone: [], idle: [], lag: 0, lagFrom: null, writeMs: 0, writes: 0, written: [] };
// time inside the app's transactions that write records (a page each during the fill)
const plainTransaction = IDBDatabase.prototype.transaction;
IDBDatabase.prototype.transaction = function (names, mode, options) {
  const tx = plainTransaction.call(this, names, mode, options);
  if (this.name === "stewardsync" && mode === "readwrite" && [].concat(names).includes("records")) {
    const started = performance.now();
    tx.addEventListener("complete", () => {
      window.__fill.written.push(performance.now());
      window.__fill.writeMs += performance.now() - started;
      window.__fill.writes += 1;
    });
  }
  return tx;
};
const plainFetch = window.fetch.bind(window);
window.fetch = (input, init) => {
  const url = typeof input === "string" ? input : input.url;
  if (!url.includes("/api/v1/sync/pull")) return plainFetch(input, init);
  window.__fill.pulls.push(performance.now());
  return plainFetch(input, init).then((r) => { window.__fill.pullsDone.push(performance.now()); return r; });
};
new MutationObserver(() => {
  const badge = document.querySelector("[data-sync-badge]");
  if (badge && badge.dataset.state !== "running" && window.__fill.pulls.length) window.__fill.idle.push(performance.now());
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-state"] });
let last = performance.now();
setInterval(() => {
  const now = performance.now();
  if (window.__fill.lagFrom !== null && now >= window.__fill.lagFrom) window.__fill.lag = Math.max(window.__fill.lag, now - last - 20);
  last = now;
}, 20);
"""

FLOOR = """
async (rows) => {
  const open = indexedDB.open("bench-floor-" + Math.random(), 1);
  open.onupgradeneeded = () => open.result.createObjectStore("records", { keyPath: ["collection", "id"] });
  const db = await new Promise((ok, fail) => { open.onsuccess = () => ok(open.result); open.onerror = () => fail(open.error); });
  const started = performance.now();
  for (let i = 0; i < rows.length; i += 1000) {
    const tx = db.transaction("records", "readwrite", { durability: "relaxed" });
    const store = tx.objectStore("records");
    for (const row of rows.slice(i, i + 1000)) store.put(row);
    await new Promise((ok, fail) => { tx.oncomplete = ok; tx.onerror = () => fail(tx.error); });
  }
  const ms = performance.now() - started;
  db.close();
  return ms;
}
"""

COUNT = """
async () => {
  const open = indexedDB.open("stewardsync");
  const db = await new Promise((ok, fail) => { open.onsuccess = () => ok(open.result); open.onerror = () => fail(open.error); });
  const tx = db.transaction(["records", "meta"]);
  const count = await new Promise((ok) => { const r = tx.objectStore("records").count(); r.onsuccess = () => ok(r.result); });
  const cursor = await new Promise((ok) => { const r = tx.objectStore("meta").get("cursor"); r.onsuccess = () => ok(r.result); });
  db.close();
  return { count, cursor };
}
"""

# Mid-fill: leave Today by a tab, then open Today again by its tab; ms until each screen shows.
ANSWER = """
async () => {
  const appear = (selector, gone) => new Promise((ok) => {
    const check = () => (Boolean(document.querySelector(selector)) !== gone);
    if (check()) return ok(undefined);
    const watch = new MutationObserver(() => { if (check()) { watch.disconnect(); ok(undefined); } });
    watch.observe(document.body, { childList: true, subtree: true });
  });
  const other = [...document.querySelectorAll("[data-tab]")].find((a) => a.dataset.tab !== "today" && a.dataset.tab !== "records");
  let started = performance.now();
  other.click();
  await appear("[data-offline-ready]", true);
  const away = performance.now() - started;
  started = performance.now();
  document.querySelector("[data-tab=today]").click();
  await appear("[data-offline-ready]", false);
  return { away, today: performance.now() - started, tab: other.dataset.tab, pullsSoFar: window.__fill.pulls.length };
}
"""


# --- the steward's scope ------------------------------------------------------------------

async def prepare(env: dict[str, str]) -> Steward:
    from server import db
    from server.settings import load_settings

    engine = await db.connect(load_settings({**env, "STEWARDSYNC_SECRET_KEY": "fill"}))
    try:
        await db.migrate()
        stewards, _ = await seed(1, units_per_building=UNITS, share=1)
        return stewards[0]
    finally:
        await db.disconnect(engine)


def add_tickets(phone: Phone, count: int, rng: random.Random) -> None:
    units = [r for (c, _), r in phone.replica.items() if c == "unit"]
    for i in range(count):
        phone.mutate("create", "ticket", new_id(), fields={
            "kind": rng.choice(["repair", "complaint"]), "title": f"楼道灯不亮 #{i}",
            "unit_id": rng.choice(units)["id"], "description": "业主来电：三楼楼道灯不亮，请尽快处理"})


async def fill_scope(steward: Steward, url: str, scope: int) -> list[dict[str, Any]]:
    """Push a backlog until the scope holds about ``scope`` records; the scope's records
    as a fresh phone pulls them (``{collection, id, server}``)."""
    rng, stats, deadline = random.Random(19), Stats(), time.monotonic() + 600
    async with httpx.AsyncClient(timeout=120) as http:
        phone = Phone(steward, url)
        await phone.pull(http, stats, deadline)
        have = len(phone.replica)
        tickets = max(0, (scope - have) // 20)  # each with its first ticket event
        add_tickets(phone, tickets, rng)
        # capture_backlog's plan without photos: 38 of 45 create, 7 note a household (which
        # mostly conflict with the previous note: a conflict record each)
        phone.capture_backlog(max(1, scope - have - 2 * tickets), rng, photos=0)
        await phone.push(http, stats, deadline)
        refused = [r for r in phone.results.values() if r.get("status") == "rejected"]
        if refused:
            raise RuntimeError(f"{len(refused)} seeding mutations refused, e.g. {refused[0]}")
        fresh = Phone(steward, url)
        started = time.perf_counter()
        await fresh.pull(http, stats, deadline, limit=PAGE)
        elapsed = time.perf_counter() - started
        print(f"the server's side: a Python client pulls the scope in pages of {PAGE:,} in {elapsed:.2f} s "
              f"= {len(fresh.replica) / elapsed:,.0f} records/s (fetch + JSON decode, no storage)", flush=True)
    return [{"collection": c, "id": i, "server": row} for (c, i), row in fresh.replica.items()]


# --- one fill in Chromium -----------------------------------------------------------------

async def heap_sampler(cdp: Any, samples: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        metrics = (await cdp.send("Performance.getMetrics"))["metrics"]
        samples.extend(m["value"] for m in metrics if m["name"] == "JSHeapUsedSize")
        try:
            await asyncio.wait_for(stop.wait(), 0.05)
        except TimeoutError:
            pass


async def one_fill(browser: Any, url: str, username: str, rows: list[dict[str, Any]], probe: bool) -> dict[str, Any]:
    context = await browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844}, is_mobile=True,
                                        has_touch=True, locale="zh-CN")
    try:
        await context.add_init_script(HOOKS)
        page = await context.new_page()
        cdp = await context.new_cdp_session(page)
        await cdp.send("Performance.enable")
        await page.goto(url + "/app/")
        await page.wait_for_selector("form[data-login]")
        floor_before_ms = await page.evaluate(FLOOR, rows)  # the floor, before the app's own fill…
        await page.fill("input[name=username]", username)
        await page.fill("input[name=password]", PASSWORD)
        await cdp.send("HeapProfiler.collectGarbage")  # the floor's copy of the records goes
        heap_before = (await cdp.send("Performance.getMetrics"))["metrics"]
        base = next(m["value"] for m in heap_before if m["name"] == "JSHeapUsedSize")
        samples: list[float] = []
        stop = asyncio.Event()
        sampler = asyncio.create_task(heap_sampler(cdp, samples, stop))
        clicked = await page.evaluate("performance.now()")
        await page.click("form[data-login] button[type=submit]")
        await page.wait_for_function("window.__fill.pulls.length >= 2", timeout=120_000, polling=10)
        await page.evaluate("window.__fill.lagFrom = performance.now()")
        # mid-fill (a run of its own: the screens' reads slow the fill down): the Today
        # screen must still answer
        answer = await page.evaluate(ANSWER) if probe else None
        # the fill is done once every record and the cursor are stored and the badge is idle
        # (the hooks as they were then: a later periodic sync does not count)
        deadline = time.monotonic() + 300
        while True:
            state = await page.evaluate(f"""async () => {{ const c = await ({COUNT})();
                return {{ done: c.count >= {len(rows)} && c.cursor != null
                  && document.querySelector('[data-sync-badge]')?.dataset.state !== 'running', hooks: window.__fill }}; }}""")
            if state["done"]:
                hooks = state["hooks"]
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the fill did not finish in 300 s: {state['hooks']}")
            await asyncio.sleep(0.1)
        stop.set()
        await sampler
        ends = [t for t in hooks["idle"] if t >= hooks["pullsDone"][-1]]
        if not ends:
            raise RuntimeError(f"the badge never left running after the last pull: {hooks}")
        idle = max(ends)
        # the cursor is done when the last page's transaction (the page and its cursor) completes
        done = max(t for t in hooks["written"] if t <= idle)
        fill_ms = done - hooks["pulls"][0]
        stored = await page.evaluate(COUNT)
        floor_after_ms = await page.evaluate(FLOOR, rows)  # …and after it: the faster of the two counts
        return {"fill_ms": fill_ms, "login_ms": done - clicked, "badge_ms": idle - done, "floor_ms": min(floor_before_ms, floor_after_ms),
                "floors_ms": (floor_before_ms, floor_after_ms), "pages": len(hooks["pulls"]),
                "heap_base": base, "heap_peak": max(samples + [base]), "answer": answer,
                "lag_ms": hooks["lag"], "write_ms": hooks["writeMs"], "write_txs": hooks["writes"], "stored": stored["count"]}
    finally:
        await context.close()


async def run_browser(url: str, username: str, rows: list[dict[str, Any]], repeat: int) -> list[dict[str, Any]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            runs = [await one_fill(browser, url, username, rows, probe=False) for _ in range(repeat)]
            return runs + [await one_fill(browser, url, username, rows, probe=True)]
        finally:
            await browser.close()


def mib(value: float) -> str:
    return f"{value / 2**20:.1f} MiB"


def report(records: int, runs: list[dict[str, Any]]) -> None:
    for n, run in enumerate(runs, 1):
        fill = records / run["fill_ms"] * 1000
        floor = records / run["floor_ms"] * 1000
        what = "with the Today probe" if run["answer"] else "undisturbed"
        print(f"run {n} ({what}): app fill {records:,} records in {run['fill_ms'] / 1000:.2f} s = {fill:,.0f} records/s "
              f"({run['pages']} pull requests; {run['write_txs']} record-writing transactions open "
              f"{run['write_ms'] / 1000:.2f} s in all; login → cursor done {run['login_ms'] / 1000:.2f} s, "
              f"then {run['badge_ms'] / 1000:.2f} s until the badge leaves «running»); "
              f"bare IndexedDB put {run['floor_ms'] / 1000:.2f} s = {floor:,.0f} records/s "
              f"(before the fill {run['floors_ms'][0] / 1000:.2f} s, after it {run['floors_ms'][1] / 1000:.2f} s); "
              f"ratio {run['fill_ms'] / run['floor_ms']:.2f}x the floor", flush=True)
        print(f"run {n}: JS heap {mib(run['heap_base'])} before login, peak {mib(run['heap_peak'])} during the fill; "
              f"longest main-thread stall {run['lag_ms']:.0f} ms; {run['stored']:,} records stored", flush=True)
        if answer := run["answer"]:
            print(f"run {n}: mid-fill (after {answer['pullsSoFar']} pull requests) the {answer['tab']} tab showed in "
                  f"{answer['away']:.0f} ms, Today again in {answer['today']:.0f} ms", flush=True)
    plain = [r for r in runs if not r["answer"]]
    if len(plain) > 1:
        print(f"median of the undisturbed runs: app {records / statistics.median(r['fill_ms'] for r in plain) * 1000:,.0f} "
              f"records/s, floor {records / statistics.median(r['floor_ms'] for r in plain) * 1000:,.0f} records/s, "
              f"ratio {statistics.median(r['fill_ms'] / r['floor_ms'] for r in plain):.2f}x", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scope", type=int, default=20_000, help="records in the steward's scope (about)")
    parser.add_argument("--repeat", type=int, default=2, help="undisturbed fills, each on a fresh phone (browser context); then one more with the Today probe")
    args = parser.parse_args()
    print(f"machine: {calibrate()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="ss_fill_") as tmp:
        env = {"STEWARDSYNC_DATA_DIR": tmp, "STEWARDSYNC_SECRET_KEY": "fill", "STEWARDSYNC_ESCALATION_MINUTES": "0"}
        steward = asyncio.run(prepare(env))
        server = ServerProcess(env, Path(tmp) / "server.log")
        server.start()
        try:
            rows = asyncio.run(fill_scope(steward, server.url, args.scope))
            kinds: dict[str, int] = {}
            for row in rows:
                kinds[row["collection"]] = kinds.get(row["collection"], 0) + 1
            print(f"scope: {len(rows):,} records ({', '.join(f'{k} {v:,}' for k, v in sorted(kinds.items()))})",
                  flush=True)
            runs = asyncio.run(run_browser(server.url, steward.username, rows, args.repeat))
        finally:
            server.stop()
    report(len(rows), runs)
    print(f"machine after: {calibrate()}", flush=True)


if __name__ == "__main__":
    main()
