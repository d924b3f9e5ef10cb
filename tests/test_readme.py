"""The README opens with the two commands and its generated tables are up to date."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location(
        "readme_tables", REPO / "scripts" / "readme_tables.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_opens_with_the_install_and_test_commands() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = text.split("```bash\n")[1:3]
    assert [block.split("\n```")[0] for block in blocks] == [
        "pip install . && jinfeng-grid demo",
        'pip install ".[test]" && python -m pytest',
    ]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install ".[test]" && python -m pytest' in ci


def test_the_standards_table_of_the_readme_is_the_shipped_one() -> None:
    assert _script().main(["--check"]) == 0


def test_a_stale_readme_is_caught(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    text = (REPO / "README.md").read_text(encoding="utf-8")
    readme.write_text(
        text.replace("| `grid_households` | 300–500", "| `grid_households` | 300–600")
    )
    assert _script().main(["--check", "--readme", str(readme)]) == 1
