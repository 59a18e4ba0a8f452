"""server/ has no import cycles: modules import one another in one direction, at the top
of the file, instead of dodging a cycle with an import inside a function.

The graph is read from the source (``ast``), not by importing. An edge goes to the module
an import names: ``from server.store import tickets`` is an edge to ``server.store.tickets``
when that is a module, else to the package ``server.store`` (Python runs a package's
``__init__`` before its submodules whatever the importer: that implicit step is no edge).
Imports under ``if TYPE_CHECKING:`` never run and are left out.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "server"

# The modules once tied in cycles by imports inside functions (issue 11): for these, an
# import anywhere in the file counts.
ONCE_CYCLIC = ("server.app", "server.routes", "server.site", "server.db", "server.piccolo_conf")


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    return ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def _top_level(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The imports a module runs when it is imported (including under ``if``/``try``)."""
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and not _is_type_checking(node):
            yield from _top_level(node.body)
            yield from _top_level(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody):
                yield from _top_level(block)


def _anywhere(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    skipped = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and _is_type_checking(node)
               for n in ast.walk(node)}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in skipped:
            yield node


def _targets(module: str, path: Path, node: ast.Import | ast.ImportFrom, modules: dict[str, Path]) -> set[str]:
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in modules}
    base = node.module or ""
    if node.level:
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
        base = ".".join([*anchor, *([node.module] if node.module else [])])
    submodules = {f"{base}.{alias.name}" for alias in node.names} & modules.keys()
    names_left = len(submodules) < len(node.names)
    return submodules | ({base} if names_left and base in modules else set())


def import_graph(modules: dict[str, Path] = MODULES, *,
                 anywhere_in: frozenset[str] = frozenset()) -> dict[str, set[str]]:
    """Each module and the modules it imports at import time (or anywhere in the file,
    for the modules named in ``anywhere_in``)."""
    graph = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        nodes = _anywhere(tree) if module in anywhere_in else _top_level(tree.body)
        graph[module] = set().union(*(_targets(module, path, n, modules) for n in nodes)) - {module}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        return list(error.args[1])
    return None


def test_the_graph_sees_the_package() -> None:
    graph = import_graph()
    assert set(ONCE_CYCLIC) <= graph.keys()
    assert "server.routes" in graph["server.app"] and "server.site" in graph["server.routes"]
    assert "server.i18n" in graph["server.site"]


def test_no_import_cycle_in_the_server_package() -> None:
    cycle = _cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_no_cycle_through_app_routes_site_db_and_piccolo_conf_even_inside_functions() -> None:
    cycle = _cycle(import_graph(anywhere_in=frozenset(ONCE_CYCLIC)))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize("source, at_import, anywhere", [
    ("import server.b\n", True, True),
    ("from server import b\n", True, True),
    ("from . import b\n", True, True),
    ("def late():\n    from server import b\n", False, True),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from server import b\n", False, False),
])
def test_a_cycle_is_found(source: str, at_import: bool, anywhere: bool, tmp_path: Path) -> None:
    """The walk itself: ``server.a`` imports ``server.b``, which imports ``server.a``."""
    (tmp_path / "a.py").write_text(source)
    (tmp_path / "b.py").write_text("from server import a\n")
    modules = {"server": tmp_path / "__init__.py", "server.a": tmp_path / "a.py", "server.b": tmp_path / "b.py"}
    (tmp_path / "__init__.py").write_text("")
    assert (_cycle(import_graph(modules)) is not None) is at_import
    assert (_cycle(import_graph(modules, anywhere_in=frozenset({"server.a"}))) is not None) is anywhere
