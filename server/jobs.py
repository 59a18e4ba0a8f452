"""Timed jobs: periodic work that a capability registers once and the app runs.

A capability registers its job in its own module (``server.escalation`` does) with a name,
its interval read from the settings, and the coroutine of one tick. The app's lifespan
starts every registered job whose interval is above zero (0 turns a job off) and cancels
them all at shutdown. A job ticks at start-up, then after each pause of its interval; a
failed tick (a busy database) is logged and tried again at the next one.

Every server process runs every job: a job must be safe to run twice at once (escalation's
writes are idempotent; the purge of photos no record names, ``photo_purge`` in
``server.store.attachments``, deletes under the sync write lock what is still unreferenced).
Work that must run on one host only (the tombstone purge) stays a command for cron, not a
job here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from server.settings import Settings

log = logging.getLogger("stewardsync.jobs")


@dataclass(frozen=True, slots=True)
class Job:
    """A named periodic job."""

    name: str
    interval: Callable[[Settings], float]
    """Seconds between two ticks, from the settings; 0 or less turns the job off."""
    tick: Callable[[], Awaitable[object]]
    """One run of the job."""


_REGISTRY: dict[str, Job] = {}


def register(job: Job) -> Job:
    """Add ``job`` to the jobs the app runs; a second, different job of the same name is
    a programming error and fails at import."""
    known = _REGISTRY.setdefault(job.name, job)
    if known is not job:
        raise ValueError(f"a timed job named {job.name!r} is already registered")
    return job


def registered() -> list[Job]:
    return list(_REGISTRY.values())


async def every(job: Job, seconds: float) -> None:
    """Tick, then wait ``seconds``, until cancelled; a failed tick does not stop the job."""
    while True:
        try:
            await job.tick()
        except Exception:  # noqa: BLE001 - the job must outlive one bad tick
            log.exception("timed job %s failed; next try in %.0f s", job.name, seconds)
        await asyncio.sleep(seconds)


@asynccontextmanager
async def running(settings: Settings, chosen: Iterable[Job] | None = None) -> AsyncIterator[list[str]]:
    """Run every registered job (or the ``chosen`` ones) that the settings turn on (their
    names are yielded) until the block ends, then cancel them and wait for them to stop."""
    tasks: dict[str, asyncio.Task[None]] = {}
    for job in registered() if chosen is None else chosen:
        seconds = job.interval(settings)
        if seconds > 0:
            tasks[job.name] = asyncio.create_task(every(job, seconds), name=f"job:{job.name}")
    log.info("timed jobs started=%s", ",".join(sorted(tasks)) or "none")
    try:
        yield sorted(tasks)
    finally:
        for task in tasks.values():
            task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
