"""The tutorial notebooks: stored without outputs, public API only, and they run.

Every notebook in ``notebooks/`` is executed top to bottom with nbclient in a fresh
temporary working directory (slow: about a minute each on the sample district). A
cell that raises fails the test with the cell and its traceback. Warnings raised in
the kernel do not reach pytest's ``filterwarnings = error``, so the outputs are
searched for them instead.

The notebooks are written by ``scripts/make_notebooks.py``; edit that, not the
``.ipynb`` files.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
#: Seconds a single cell may take before the run is abandoned.
CELL_TIMEOUT_S = 300
#: The issue asks for each notebook to run in under two minutes on two cores; allow
#: slower CI machines some slack before failing.
NOTEBOOK_BUDGET_S = 240
#: A room behind a subpackage's face (``import jinfeng_grid.plan.levels``, ``from
#: jinfeng_grid.render.cartography import``) or a private name (``from jinfeng_grid import _x``).
PRIVATE_IMPORT = re.compile(
    r"^\s*(?:import\s+jinfeng_grid\.(?:_|\w+\.)|from\s+jinfeng_grid\.(?:_|\w+\.\w)"
    r"|from\s+jinfeng_grid(?:\.\w+)*\s+import\s+.*\b_\w)",
    re.MULTILINE,
)
#: A warning as Python prints it: ``file.py:12: SomeWarning: message``.
WARNING_LINE = re.compile(r"^\S.*:\d+: \w*Warning: ", re.MULTILINE)


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def test_there_are_the_four_tutorial_notebooks() -> None:
    names = [path.name for path in NOTEBOOKS]
    assert names == [
        "01_wulishuixiang_split.ipynb",
        "02_scenarios.ipynb",
        "03_posts_coverage.ipynb",
        "04_bring_your_own_data.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    dirty = [
        number
        for number, cell in enumerate(_cells(path))
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} hold outputs or execution counts; regenerate with "
        "python scripts/make_notebooks.py (or clear the outputs) before committing"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_uses_only_the_public_api(path: Path) -> None:
    private = [
        line.strip()
        for cell in _cells(path)
        if cell["cell_type"] == "code"
        for line in PRIVATE_IMPORT.findall(_source(cell))
    ]
    assert not private, f"{path.name} imports private modules: {private}"


def test_private_import_pattern_catches_the_three_spellings() -> None:
    for line in (
        "import jinfeng_grid.partition.model",
        "from jinfeng_grid.render.cartography import print_style",
        "from jinfeng_grid import io, _explore",
    ):
        assert PRIVATE_IMPORT.search(line), line
    for line in ("from jinfeng_grid import io, plan", "import jinfeng_grid.posts as posts"):
        assert not PRIVATE_IMPORT.search(line), line


def test_notebooks_are_up_to_date_with_their_generator() -> None:
    nbformat = pytest.importorskip("nbformat")
    import importlib.util

    script = NOTEBOOK_DIR.parent / "scripts" / "make_notebooks.py"
    spec = importlib.util.spec_from_file_location("make_notebooks", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, cells in module.BOOKS.items():
        expected = nbformat.writes(module.build(cells)) + "\n"
        assert (NOTEBOOK_DIR / name).read_text(encoding="utf-8") == expected, (
            f"{name} differs from scripts/make_notebooks.py: run the script and commit both"
        )


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the kernel runs in tmp_path, away from the repository: tell io.sample_path where
    # the sample is (an installed, non-editable package cannot find it by itself)
    monkeypatch.setenv("JINFENG_GRID_SAMPLE", str(REPO / "sample_geodata" / "jinfeng.gpkg"))
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    from nbclient.exceptions import CellExecutionError

    book = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        book,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},  # the kernel's working directory
    )
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as error:
        pytest.fail(f"{path.name} failed:\n{error}", pytrace=False)
    seconds = time.perf_counter() - start

    warned = [
        f"cell {number}: {match}"
        for number, cell in enumerate(book.cells)
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
        for match in WARNING_LINE.findall(output.get("text", ""))
    ]
    assert not warned, f"{path.name} printed warnings: {warned}"
    assert seconds < NOTEBOOK_BUDGET_S, f"{path.name} took {seconds:.0f} s"
    written = sorted(p.name for p in tmp_path.iterdir())
    assert not written, f"{path.name} wrote {written} into its working directory: use tempfile"
