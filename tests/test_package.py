"""The approval package: every file is there, the atlas has the pages it should, the
font is embedded, and bad input gives a one-line error and exit code 2.

The plan is the hand-made one of ``test_cartography.write_tiny_plan``: three proposed
communities, two of them changed (640106001001 康平, 640106001002 北安).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_cartography import write_tiny_plan

from jinfeng_grid import report
from jinfeng_grid.cli import main
from jinfeng_grid.errors import ConfigError, InputDataError
from jinfeng_grid.plan import read_plan
from jinfeng_grid.report.package import PACKAGE_FILES

CHANGED = ("640106001001", "640106001002")


def _pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf.read_bytes()))


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_plan(tmp_path_factory.mktemp("plan"))


@pytest.fixture(scope="module")
def package(plan_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("package")
    return report.write_package(plan_dir, out, date="2026年1月1日", producing_unit="金凤区民政局")


def test_the_package_holds_every_file(package) -> None:
    out = package["README.txt"].parent
    for name in (
        *PACKAGE_FILES,
        "moves.csv",
        "maps/overview.png",
        "maps/before_after.pdf",
        "maps/before_after.png",
    ):
        assert (out / name).is_file(), name
        assert name in package
    for cid in CHANGED:
        assert (out / "maps" / f"community_{cid}.pdf").is_file()
    assert not (out / "maps" / "community_640106001003.pdf").exists()  # unchanged
    assert all(path.stat().st_size > 0 for path in package.values())


def test_the_atlas_has_overview_before_after_list_and_two_pages_per_changed_community(
    package,
) -> None:
    # overview, before/after, table of communities, then map + tables for each changed one
    assert _pages(package["atlas.pdf"]) == 3 + 2 * len(CHANGED)


def test_the_atlas_embeds_the_chinese_font(package) -> None:
    pdf = package["atlas.pdf"].read_bytes()
    assert b"/FontFile2" in pdf
    assert b"NotoSansSCJG-Regular" in pdf
    assert b"/Type3" not in pdf


def test_the_png_maps_are_300_dpi_a3_and_not_blank(package) -> None:
    import matplotlib.image as mpimg

    pixels = mpimg.imread(package["maps/overview.png"])[..., :3]
    height, width = pixels.shape[:2]
    assert (width, height) == pytest.approx((420 / 25.4 * 300, 297 / 25.4 * 300), abs=2)
    assert pixels.std() > 0.05


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler) not installed")
def test_every_atlas_page_renders_to_a_page_that_is_not_blank(package, tmp_path) -> None:
    import matplotlib.image as mpimg

    subprocess.run(
        ["pdftoppm", "-r", "20", "-png", str(package["atlas.pdf"]), str(tmp_path / "page")],
        check=True,
    )
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == _pages(package["atlas.pdf"])
    for page in pages:
        assert mpimg.imread(page)[..., :3].std() > 0.02, page.name


def test_the_workbook_has_chinese_sheets_of_the_plan(package, plan_dir) -> None:
    sheets = pd.read_excel(package["plan.xlsx"], sheet_name=None)
    assert list(sheets) == ["社区", "网格", "小区", "调整明细", "四至", "人员配置"]
    assert sheets["社区"]["户数"].sum() == read_plan(plan_dir).compounds["households"].sum()
    assert len(sheets["网格"]) == 6
    assert set(sheets["小区"]["所在网格"]) == {"第1网格", "第2网格"}
    limits = sheets["四至"].set_index("社区名称").loc["康平"]
    # 正源街 runs between 康平's two compounds: inside it, so not a limit
    assert limits[["东至", "南至", "西至", "北至"]].tolist() == [
        "湖滨社区",
        "北京中路",
        "区界",
        "区界",
    ]
    staff = sheets["人员配置"]
    assert {"网格员", "社区民警（含辅警）"} <= set(staff["岗位"])
    assert set(staff["层级"]) == {"网格", "社区", "街道", "区"}


def test_the_plan_files_are_copied_as_they_are(package, plan_dir) -> None:
    for name in ("plan.gpkg", "summary.json", "moves.csv"):
        assert package[name].read_bytes() == (plan_dir / name).read_bytes()


def test_the_readme_lists_the_contents_in_chinese_and_english(package) -> None:
    text = package["README.txt"].read_text("utf-8")
    assert "金凤区社区、网格划分方案报批材料" in text
    assert "approval package" in text
    assert "编制单位 / producing unit：金凤区民政局" in text
    for name in ("atlas.pdf", "plan.xlsx", "moves.csv", "plan.gpkg", "summary.json"):
        assert name in text
    assert "社区 3 个（调整 2 个）" in text


def test_a_bare_plan_gives_a_package_without_the_parts_it_cannot_have(tmp_path) -> None:
    plan_dir = write_tiny_plan(tmp_path / "plan", minimal=True)
    files = report.write_package(plan_dir, tmp_path / "out", png=False)
    assert "maps/before_after.pdf" not in files  # no current communities
    assert "moves.csv" not in files
    assert "maps/overview.png" not in files
    # overview, table of communities, then map + tables for each changed community
    assert _pages(files["atlas.pdf"]) == 2 + 2 * len(CHANGED)
    readme = files["README.txt"].read_text("utf-8")
    assert "moves.csv：方案无现状社区" in readme
    sheets = pd.read_excel(files["plan.xlsx"], sheet_name=None)
    assert "调整明细" not in sheets
    # without buildings, the grids of a compound are where the grid polygons cover it
    assert set(sheets["小区"]["所在网格"]) == {"第1网格", "第2网格"}
    assert set(sheets["四至"]["西至"]) <= {"区界", "康平社区", "北安社区", "湖滨社区"}


@pytest.mark.slow
def test_the_same_plan_and_date_give_byte_identical_maps(package, plan_dir, tmp_path) -> None:
    again = report.write_package(
        plan_dir, tmp_path, date="2026年1月1日", producing_unit="金凤区民政局"
    )
    for name in ("atlas.pdf", "maps/overview.pdf", "maps/overview.png", "README.txt"):
        assert again[name].read_bytes() == package[name].read_bytes(), name


def test_a_missing_plan_directory_is_an_input_error(tmp_path) -> None:
    with pytest.raises(InputDataError, match=r"plan directory .* does not exist"):
        report.write_package(tmp_path / "nowhere", tmp_path / "out")


def test_the_package_is_not_written_into_the_plan_directory(plan_dir) -> None:
    with pytest.raises(ConfigError, match="is the plan directory itself"):
        report.write_package(plan_dir, plan_dir)


# --- the command -------------------------------------------------------------------------


@pytest.mark.slow
def test_the_command_writes_an_a4_package(plan_dir, tmp_path, capsys) -> None:
    out = tmp_path / "a4"
    code = main(["package", str(plan_dir), "--out", str(out), "--a4", "--no-png", "-q"])
    assert code in (0, 1)  # 1 only when the interactive map cannot be made
    assert "wrote the approval package" in capsys.readouterr().out
    assert not (out / "maps" / "overview.png").exists()
    media = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)", (out / "atlas.pdf").read_bytes())
    assert media is not None
    assert np.allclose([float(media.group(1)), float(media.group(2))], [841.89, 595.28], atol=0.5)


def test_the_command_reports_a_missing_plan_in_one_line(tmp_path, capsys) -> None:
    code = main(["package", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("jinfeng-grid package: InputDataError: plan directory")
    assert err.count("\n") == 1


def test_the_command_refuses_a_date_that_is_not_a_date(plan_dir, tmp_path, capsys) -> None:
    code = main(["package", str(plan_dir), "--out", str(tmp_path), "--date", "1.12.2026"])
    assert code == 2
    assert "--date '1.12.2026' is not a date: write it as YYYY-MM-DD" in capsys.readouterr().err
