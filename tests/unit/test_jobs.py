"""The timed-job registry: jobs the settings turn on run until shutdown; a failed tick is
logged and retried; escalation is one of them (no I/O: the ticks here touch no database)."""

from __future__ import annotations

import asyncio

import pytest

from server import escalation, jobs
from server.settings import Settings


def test_escalation_registers_itself_with_its_setting() -> None:
    assert escalation.JOB in jobs.registered()
    assert escalation.JOB.interval(Settings(escalation_minutes=5)) == 300
    assert escalation.JOB.interval(Settings(escalation_minutes=0)) == 0


def test_a_second_job_of_the_same_name_is_refused() -> None:
    jobs.register(escalation.JOB)  # the same job again: harmless
    with pytest.raises(ValueError, match="escalation"):
        jobs.register(jobs.Job(name="escalation", interval=lambda s: 1, tick=escalation.tick))


async def test_a_failed_tick_is_logged_and_retried(caplog: pytest.LogCaptureFixture) -> None:
    ticks: list[int] = []

    async def flaky() -> None:
        ticks.append(len(ticks))
        if len(ticks) == 1:
            raise RuntimeError("database is locked")

    job = jobs.Job(name="flaky", interval=lambda s: 0.01, tick=flaky)
    task = asyncio.create_task(jobs.every(job, 0.01))
    while len(ticks) < 3:
        await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert "timed job flaky failed" in caplog.text


async def test_running_starts_the_jobs_turned_on_and_cancels_them_at_the_end() -> None:
    ticks: dict[str, int] = {"on": 0, "off": 0}

    def counting(name: str):
        async def tick() -> None:
            ticks[name] += 1
        return tick

    chosen = [jobs.Job(name="on", interval=lambda s: s.escalation_minutes * 0.001, tick=counting("on")),
              jobs.Job(name="off", interval=lambda s: 0, tick=counting("off"))]
    async with jobs.running(Settings(escalation_minutes=10), chosen) as started:
        assert started == ["on"]
        while ticks["on"] < 2:
            await asyncio.sleep(0.01)
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("job:")]
    stopped = ticks["on"]
    await asyncio.sleep(0.05)
    assert ticks == {"on": stopped, "off": 0}
    async with jobs.running(Settings(escalation_minutes=0), chosen) as started:
        assert started == []  # STEWARDSYNC_ESCALATION_MINUTES=0: the timer is off

