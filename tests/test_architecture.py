"""The layout of the package: imports point one way, no circles, no module too large.

These tests read the source as text (``ast``), so they see every import: at module
level, inside functions and under ``TYPE_CHECKING``. The layers are those of
``docs/architecture.md``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "jinfeng_grid"
MAX_LINES = 600

#: Each top-level room of the package and its floor: a module may import only from its
#: own floor or below (and, on its own floor, never round in a circle).
LAYERS: dict[str, int] = {
    "errors": 0,
    "standards": 0,
    "crs": 0,
    "config": 1,
    "io": 1,
    "validate": 2,
    "graph": 2,
    "partition": 2,
    "plan": 3,
    "staffing": 4,
    "posts": 4,
    "assign": 4,
    "render": 5,
    "report": 6,
    "pipeline": 7,
    "cli": 8,
    "__main__": 9,
}


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    return {module_name(path, package): path for path in sorted(package.rglob("*.py"))}


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``path`` imports (a name imported from a package
    counts as the submodule when one has that name, else as the package's face)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module not in known:
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            raise AssertionError(f"{path}: use absolute imports (line {node.lineno})")
    return found


def import_graph(package: Path = PACKAGE) -> nx.DiGraph:
    known = modules(package)
    graph = nx.DiGraph()
    graph.add_nodes_from(known)
    for name, path in known.items():
        for target in imported_modules(path, set(known)):
            if target != name:
                graph.add_edge(name, target)
    return graph


def circles(graph: nx.DiGraph) -> list[list[str]]:
    """Every strongly connected set of more than one module, sorted."""
    return sorted(sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1)


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_the_package_has_no_import_circle() -> None:
    found = circles(import_graph())
    assert not found, "import circles: " + "; ".join(" ↔ ".join(c) for c in found)


def test_the_circle_check_finds_a_circle(tmp_path: Path) -> None:
    package = tmp_path / "jinfeng_grid"
    (package / "plan").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "plan" / "__init__.py").write_text("")
    (package / "plan" / "a.py").write_text("from jinfeng_grid.plan.b import f\n")
    (package / "plan" / "b.py").write_text(
        "def f():\n    from jinfeng_grid.plan import a\n    return a\n"
    )
    assert circles(import_graph(package)) == [["jinfeng_grid.plan.a", "jinfeng_grid.plan.b"]]


def test_every_room_has_a_floor() -> None:
    rooms = {room(name) for name in modules()} - {"__init__"}
    assert rooms <= set(LAYERS), f"rooms without a floor in LAYERS: {rooms - set(LAYERS)}"


def test_imports_only_point_down() -> None:
    upward = [
        f"{source} → {target}"
        for source, target in import_graph().edges
        if room(target) != "__init__" and LAYERS[room(target)] > LAYERS.get(room(source), 99)
    ]
    assert not upward, "imports that point up the layers: " + "; ".join(sorted(upward))


def test_no_room_imports_its_own_face() -> None:
    """A subpackage's modules import the room they need, never their own ``__init__``
    (which imports them back)."""
    graph = import_graph()
    own_face = [
        f"{source} → {target}"
        for source, target in graph.edges
        if source.count(".") == 2 and target == source.rsplit(".", 1)[0]
    ]
    assert not own_face, "modules importing their own package's face: " + "; ".join(own_face)


@pytest.mark.parametrize("name", sorted(modules()), ids=lambda n: n)
def test_module_is_at_most_600_lines(name: str) -> None:
    lines = len(modules()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, (
        f"{name} has {lines} lines: split it by responsibility (at most {MAX_LINES})"
    )
