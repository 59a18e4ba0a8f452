"""A throwaway PostgreSQL cluster for tests that stop, restart or kill the database server.

``initdb`` refuses to run as root, so the cluster is made and run as the ``postgres``
user (stack-notes.md): trust auth, listening on 127.0.0.1 at a free port, its socket in
its own folder. Starting one takes about a second.

    with PgCluster.create() as cluster:
        url = cluster.url("test")          # postgresql://postgres@127.0.0.1:PORT/test
        cluster.createdb("test")
        cluster.restart()                  # or stop() / start() / kill()
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

PG_BIN = Path(os.environ.get("STEWARDSYNC_PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(command: list[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``command`` as the postgres user when we are root (initdb and pg_ctl insist)."""
    line = shlex.join(command)
    argv = ["su", "postgres", "-c", line] if os.geteuid() == 0 else ["sh", "-c", line]
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)


class PgClusterError(RuntimeError):
    pass


class PgCluster:
    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = port
        self.log = folder / "postgres.log"

    @classmethod
    def available(cls) -> str | None:
        """None when a cluster can be made here, else why not."""
        if not (PG_BIN / "initdb").exists():
            return f"no initdb in {PG_BIN}"
        if os.geteuid() == 0 and shutil.which("su") is None:
            return "running as root without `su`"
        return None

    @classmethod
    def create(cls) -> "PgCluster":
        """initdb a new cluster in a fresh folder under the system temp dir and start it.

        Not under pytest's tmp_path: pytest sessions running beside this one reset its
        root to mode 0700, which locks the postgres user out of its own data folder."""
        folder = Path(tempfile.mkdtemp(prefix="ss_pgcluster_"))
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        cluster = cls(folder, free_port())
        done = _as_postgres([str(PG_BIN / "initdb"), "-D", str(cluster.data), "--auth=trust",
                             "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"])
        if done.returncode != 0:
            raise PgClusterError(f"initdb failed: {done.stderr.strip()[-1000:]}")
        cluster.start()
        return cluster

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _ctl(self, *args: str) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off"
        done = _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
                             "-o", options, "-w", "-t", "30", *args])
        if done.returncode != 0:
            tail = self.log.read_text()[-1500:] if self.log.exists() else ""
            raise PgClusterError(f"pg_ctl {' '.join(args)} failed: {done.stderr.strip()} {tail}")

    def start(self) -> None:
        self._ctl("start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("stop", "-m", mode)

    def restart(self, mode: str = "fast") -> None:
        """Stop (dropping every connection) and start again on the same port."""
        self._ctl("restart", "-m", mode)

    def kill(self) -> None:
        """SIGKILL the postmaster, as a crash would (the next start runs crash recovery)."""
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        self._reap_children()

    def _reap_children(self) -> None:
        """Backends orphaned by a killed postmaster exit on their own; wait for the port."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) != 0:
                    return
            time.sleep(0.05)

    def psql(self, sql: str, database: str = "postgres") -> str:
        done = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                               "-p", str(self.port), "-U", "postgres", "-d", database, "-c", sql],
                              capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0:
            raise PgClusterError(f"psql failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def createdb(self, name: str) -> str:
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except PgClusterError:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "PgCluster":
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.destroy()
