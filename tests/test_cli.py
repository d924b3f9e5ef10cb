"""The command line: version, help, and the demo on the bundled sample."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import jinfeng_grid
from jinfeng_grid import cli

REPO = Path(__file__).resolve().parents[1]


def test_version_flag_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"jinfeng-grid {jinfeng_grid.__version__}"


def test_help_lists_the_demo_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["--help"])
    assert stop.value.code == 0
    assert "demo" in capsys.readouterr().out


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    assert "usage: jinfeng-grid" in capsys.readouterr().err


def test_demo_on_a_missing_file_is_a_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["demo", "--input", str(tmp_path / "nowhere.gpkg")])
    err = capsys.readouterr().err
    assert code == 2
    assert "nowhere.gpkg does not exist" in err
    assert "Traceback" not in err


def test_demo_summarises_the_bundled_sample(capsys: pytest.CaptureFixture[str]) -> None:
    sample = str(REPO / "sample_geodata" / "jinfeng.gpkg")
    code = cli.main(["demo", "--input", sample, "--summary-only"])
    out = capsys.readouterr().out
    assert code == 0
    assert "5 subdistricts, 48 communities, 449 compounds" in out
    assert "Communities above 5,000 households: 29 of 48" in out
    assert "五里水乡" in out


def test_python_dash_m_runs_the_command_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jinfeng_grid", "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"jinfeng-grid {jinfeng_grid.__version__}"


def test_the_code_is_ruff_clean() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "jinfeng_grid", "tests", "scripts"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stdout + done.stderr
