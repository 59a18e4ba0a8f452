"""Adding a synced collection touches only the files docs/design.md lists, and it works.

The project is copied to a temporary folder (a git repository of its own); the files of
tests/capability_example/ (a steward's note on a unit) are written there at their paths,
with the one-line registrations docs/design.md names. Then:
- ``git status`` in the copy lists only files of the table in docs/design.md
  ("Adding a capability");
- the copy's own checks pass there: every collection whole (table, pull order, labels),
  the role table in docs/conflicts.md, the JSON Schema, the phone's registry (a summary
  for every served collection), and the example's own test on SQLite and PostgreSQL:
  the note syncs, merges, scopes, and shows on the unit's archive page at the desk.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "tests" / "capability_example"
NAME, CAPABILITY = "unit_note", "unit_notes"

pytestmark = pytest.mark.slow

# The registrations: (file, pattern, replacement) — the "one line" of each registry.
REGISTRATIONS = (
    ("sync/specs/__init__.py", r"(from sync\.specs import [^\n]*)", rf"\1, {CAPABILITY}"),
    ("sync/specs/__init__.py", r"(\n    \*visits\.SPECS,\n)", rf"\1    *{CAPABILITY}.SPECS,\n"),
    ("server/tables/__init__.py", r"(from server\.tables import \(?\n?\s*)", rf"\1{CAPABILITY}, "),
    ("server/tables/__init__.py", r"(MODULES = \([^)]*)\)", rf"\1, {CAPABILITY})"),
    ("server/desk/__init__.py", r"(from server\.desk import \(?\n?\s*)", rf"\1{CAPABILITY}, "),
    ("server/desk/__init__.py", r"(ROUTES: [^=]*= \[)", rf"\1*{CAPABILITY}.ROUTES, "),
    ("web/static/app/features/index.js", r"(\nseal\(\);)", rf'\nimport "./{CAPABILITY}.js";\1'),
    ("docs/conflicts.md", r"(\n\| conflict \| read \| [^\n]*\n)",
     rf"\1| {NAME} | read, create, update, delete (own) | read, create, update, delete "
     r"| read, create, update, delete | read, create, update, delete | — | — |\n"),
)


def run(command: list[str], cwd: Path, **env: str) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(cwd), **env})
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return done.stdout


def documented_paths() -> list[str]:
    """The files of the table in docs/design.md, "Adding a capability" (backticked)."""
    doc = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    table = doc.split("## Adding a capability", 1)[1].split("\n\n", 2)[2].split("\n\n", 1)[0]
    return [cell for line in table.splitlines()[2:]
            for cell in re.findall(r"`([^`]+)`", line.split("|")[2])]


def allowed(path: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        regex = re.escape(pattern).replace("NNNN", r"\d{4}").replace("…", ".*")
        if re.fullmatch(regex, path):
            return True
    return False


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project with the example capability added by the book."""
    copy = tmp_path_factory.mktemp("capability") / "tree"
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.splitlines()
    for name in files:
        source = ROOT / name
        if source.is_file() and not name.startswith("tests/capability_example/"):
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    (copy / "web" / "node_modules").symlink_to(ROOT / "web" / "node_modules")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    run(["git", "init", "-q"], copy)
    run([*git, "add", "-A"], copy)
    run([*git, "commit", "-qm", "before"], copy)
    for source in EXAMPLE.rglob("*"):
        if source.is_file() and source.name != "README.md":
            target = copy / source.relative_to(EXAMPLE)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    for name, pattern, replacement in REGISTRATIONS:
        path = copy / name
        text, count = re.subn(pattern, replacement, path.read_text(encoding="utf-8"), count=1)
        assert count == 1, f"registration point not found in {name}: {pattern}"
        path.write_text(text, encoding="utf-8")
    run([sys.executable, "-m", "schemas.export"], copy)
    return copy


def test_only_the_documented_files_change(tree: Path) -> None:
    status = run(["git", "status", "--porcelain", "--untracked-files=all"], tree)
    touched = sorted(line[3:] for line in status.splitlines())
    patterns = [p.replace("unit_notes", CAPABILITY) for p in documented_paths()]
    assert touched and [p for p in touched if not allowed(p, patterns)] == []


def test_the_new_collection_is_whole_and_works_on_both_engines(tree: Path) -> None:
    run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/unit/test_capabilities.py", "tests/unit/test_sync_policy.py",
         "tests/unit/test_pwa_schema.py", "tests/unit/test_sync_purity.py",
         "tests/integration/test_sync_schema.py", "tests/integration/test_schema.py",
         "tests/integration/test_unit_notes.py"], tree)


def test_the_phone_registers_the_new_collection(tree: Path) -> None:
    run(["node", "--test", "web/static/app/tests/registry.test.js"], tree,
        STEWARDSYNC_PYTHON=sys.executable)
