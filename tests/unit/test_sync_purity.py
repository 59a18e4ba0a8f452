"""sync/ stays pure: no web framework, ORM, database driver, I/O or clock reads."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SYNC = ROOT / "sync"

FORBIDDEN_MODULES = (
    "server", "litestar", "piccolo", "sqlite3", "asyncpg", "aiosqlite", "httpx", "socket",
    "os", "io", "pathlib", "random", "time", "subprocess", "asyncio",
)
FORBIDDEN_CALLS = {
    ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
    ("time", "time"), ("time", "monotonic"), ("time", "perf_counter"), ("uuid", "uuid1"),
    ("uuid", "uuid4"),
}
FORBIDDEN_NAMES = {"open", "print", "input"}


def _sources() -> list[Path]:
    return sorted(SYNC.rglob("*.py"))  # the specs in sync/specs/ too


def _imported(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(SYNC)))
def test_sync_module_imports_nothing_impure(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = {name for name in _imported(tree) if name.split(".")[0] in FORBIDDEN_MODULES}
    assert not bad, f"{path.name} imports {sorted(bad)}"


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(SYNC)))
def test_sync_module_reads_no_clock_and_does_no_io(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in FORBIDDEN_CALLS:
                found.add(f"{node.value.id}.{node.attr}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in FORBIDDEN_NAMES:
                found.add(node.func.id)
    assert not found, f"{path.name} uses {sorted(found)}"


def test_importing_sync_loads_no_framework_or_driver() -> None:
    """Transitively too: import every sync module in a clean interpreter, list sys.modules."""
    modules = ", ".join(".".join(("sync", *p.relative_to(SYNC).with_suffix("").parts))
                        for p in _sources() if p.stem != "__init__")
    code = f"import sys, {modules}; print(' '.join(sorted(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.split()
    heavy = ("server", "litestar", "piccolo", "sqlite3", "asyncpg", "aiosqlite", "httpx")
    bad = sorted(name for name in loaded if name.split(".")[0] in heavy)
    assert not bad, f"importing sync loads {bad}"


def test_the_purity_check_catches_a_clock_read(tmp_path: Path) -> None:
    """The walker itself works: a module reading the clock is flagged."""
    tree = ast.parse("from datetime import datetime\nx = datetime.now()\nimport piccolo\n")
    assert "piccolo" in _imported(tree)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute)
             and isinstance(n.value, ast.Name) and (n.value.id, n.attr) in FORBIDDEN_CALLS]
    assert calls
