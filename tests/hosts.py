"""App hosts of their own on one machine: network namespaces (``ip netns``) joined to this
one by veth pairs, behind an HAProxy load balancer from Debian's packages.

Each host is a namespace with one veth address, ``10.N.i.2``; this side of its pair is
``10.N.i.1``. The hosts reach PostgreSQL (which listens on 127.0.0.1 here) through a TCP
relay of HAProxy's on ``10.N.i.1:5432``, and HAProxy balances HTTP from ``127.0.0.1:PORT``
over the hosts (round robin, health-checked on ``/health``, adding X-Forwarded-For, which
the hosts trust from ``10.N.i.1`` only). Loopback and namespace addresses only; everything is
removed on exit, processes first.

Needs root, ``ip`` (iproute2) and ``haproxy``: ``missing()`` says what is absent.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.load_phones import ServerProcess, free_port


def missing() -> str | None:
    """Why namespaced hosts cannot be made here, or None."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    for tool in ("ip", "haproxy"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian: iproute2, haproxy)"
    return None


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=20)


@dataclass
class Host:
    """One namespace: its name, its address and its side of the veth pair's."""

    name: str
    address: str
    gateway: str
    server: ServerProcess | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return self.server.url


@dataclass
class Balancer:
    """The running HAProxy: the URL phones and desk users use, and its stats socket."""

    url: str
    stats_socket: Path
    hosts: list[Host] = field(default_factory=list)

    def sessions(self) -> dict[str, int]:
        """Requests (sessions) HAProxy sent to each host so far, by host name."""
        with socket.socket(socket.AF_UNIX) as conn:
            conn.connect(str(self.stats_socket))
            conn.sendall(b"show stat\n")
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
        lines = data.decode().splitlines()
        header = lines[0].lstrip("# ").split(",")
        at = {name: i for i, name in enumerate(header)}
        found = {}
        for line in lines[1:]:
            cells = line.split(",")
            if len(cells) > at["stot"] and cells[at["pxname"]] == "app" and cells[at["svname"]] not in ("BACKEND", "FRONTEND"):
                found[cells[at["svname"]]] = int(cells[at["stot"]])
        return found


@contextmanager
def namespaces(count: int) -> Iterator[list[Host]]:
    """``count`` network namespaces, each joined to this one by a veth pair."""
    tag = os.getpid() % 10000
    net = 100 + os.getpid() % 100
    hosts: list[Host] = []
    try:
        for i in range(1, count + 1):
            name, outer, inner = f"ss{tag}h{i}", f"ss{tag}h{i}o", f"ss{tag}h{i}i"
            host = Host(name=name, address=f"10.{net}.{i}.2", gateway=f"10.{net}.{i}.1")
            _run("ip", "netns", "add", name)
            hosts.append(host)
            _run("ip", "link", "add", outer, "type", "veth", "peer", "name", inner)
            _run("ip", "link", "set", inner, "netns", name)
            _run("ip", "addr", "add", f"{host.gateway}/24", "dev", outer)
            _run("ip", "link", "set", outer, "up")
            for command in (("ip", "addr", "add", f"{host.address}/24", "dev", inner),
                            ("ip", "link", "set", inner, "up"), ("ip", "link", "set", "lo", "up")):
                _run("ip", "netns", "exec", name, *command)
        yield hosts
    finally:
        for host in hosts:
            if host.server is not None:
                host.server.stop()
            subprocess.run(["ip", "netns", "del", host.name], capture_output=True, timeout=20)  # its veth goes too


@contextmanager
def balancer(hosts: list[Host], app_port: int, pg_port: int, folder: Path) -> Iterator[Balancer]:
    """HAProxy in front of ``hosts``' app port, relaying PostgreSQL to them on their gateway."""
    port = free_port()
    stats = folder / "haproxy.sock"
    servers = "\n".join(f"  server {h.name} {h.address}:{app_port} check inter 300 fall 2 rise 1"
                        for h in hosts)
    relays = "\n".join(f"listen pg_{h.name}\n  mode tcp\n  bind {h.gateway}:{pg_port}\n"
                       f"  server pg 127.0.0.1:{pg_port}" for h in hosts)
    config = folder / "haproxy.cfg"
    config.write_text(f"""global
  maxconn 4000
  stats socket {stats} mode 600 level admin
defaults
  timeout connect 2s
  timeout client 120s
  timeout server 120s
frontend web
  mode http
  bind 127.0.0.1:{port}
  option forwardfor
  default_backend app
backend app
  mode http
  balance roundrobin
  option httpchk GET /health
{servers}
{relays}
""")
    process = subprocess.Popen(["haproxy", "-f", str(config), "-db"], stdout=(folder / "haproxy.log").open("ab"),
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while not stats.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("haproxy did not start: " + (folder / "haproxy.log").read_text()[-2000:])
            time.sleep(0.05)
        yield Balancer(url=f"http://127.0.0.1:{port}", stats_socket=stats, hosts=hosts)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def start_servers(hosts: list[Host], env: dict[str, str], database_url: str, app_port: int,
                  folder: Path) -> None:
    """``stewardsync serve`` in each host, on its address, with the same settings (secret key,
    database: reached through the host's gateway), a data folder of its own (the hosts share
    nothing but PostgreSQL), and X-Forwarded-For trusted from its gateway (HAProxy) only."""
    for host in hosts:
        data = folder / host.name
        data.mkdir(exist_ok=True)
        host.server = ServerProcess(
            {**env, "STEWARDSYNC_DATA_DIR": str(data), "STEWARDSYNC_TRUSTED_PROXIES": host.gateway,
             "STEWARDSYNC_DATABASE_URL": database_url.replace("127.0.0.1", host.gateway)},
            folder / f"{host.name}.log", port=app_port, host=host.address,
            wrapper=("ip", "netns", "exec", host.name))
    for host in hosts:
        assert host.server is not None
        host.server.start()
