"""``jinfeng-grid staff`` on a tiny district file and a tiny plan directory."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import box

from jinfeng_grid import cli, io

CRS = "EPSG:4544"


def _compounds(**extra: list[object]) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {
            "compound_id": ["A", "B", "C"],
            "name": ["一苑", "二苑", "三苑"],
            "households": [400, 300, 800],
            "population": [1000, 900, 2100],
            "subdistrict": ["东街"] * 3,
            "community": ["甲", "甲", "乙"],
            **extra,
        },
        geometry=[box(100 * i, 0, 100 * i + 90, 90) for i in range(3)],
        crs=CRS,
    )
    return frame


def _staff(community: str = "乙", police: int = 2) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "level": ["community", "community"],
            "community": ["甲", community],
            "grid_workers_part_time": [1, 2],
            "police": [1, police],
        }
    )


def _district_file(tmp_path: Path, staff: pd.DataFrame) -> Path:
    path = tmp_path / "district.gpkg"
    _compounds().to_file(path, layer="compounds", driver="GPKG")
    pyogrio.write_dataframe(staff, path, layer="staff", driver="GPKG")  # no geometry
    return path


def test_a_district_file_gives_its_current_staffing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _district_file(tmp_path, _staff())
    code = cli.main(["staff", str(path), "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0
    table = pd.read_csv(tmp_path / "out" / "staffing.csv", encoding="utf-8-sig")
    assert list(table.columns)[:6] == [
        "level",
        "unit_id",
        "unit_name",
        "households",
        "population",
        "role",
    ]
    police = table[(table["level"] == "district") & (table["role"] == "police")].iloc[0]
    assert (police["required_min"], police["actual"]) == (1, 3)  # 4,000 people: 0.8 -> 1
    assert "police            required" in out
    assert "actual       3, 7.50 per 10,000" in out
    assert not (tmp_path / "out" / "staffing_comparison.csv").exists()


def test_a_staff_table_naming_an_unknown_community_exits_2_with_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _district_file(tmp_path, _staff(community="丙"))
    code = cli.main(["staff", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "community '丙' is not the current community of any compound" in err
    assert "Traceback" not in err


def test_a_negative_count_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _district_file(tmp_path, _staff(police=-1))
    assert cli.main(["staff", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "police must be a whole number >= 0 (row 2 (乙): -1)" in capsys.readouterr().err


def _plan_dir(tmp_path: Path) -> Path:
    compounds = _compounds(
        community_id=["c1", "c1", "c2"], subdistrict_id=["s1"] * 3
    )  # 甲 kept as c1, 乙 became c2 = the same compounds
    grids = compounds.rename(columns={"compound_id": "grid_id"})[
        [
            "grid_id",
            "name",
            "households",
            "population",
            "community_id",
            "subdistrict_id",
            "geometry",
        ]
    ]
    communities = compounds.dissolve("community_id", aggfunc="sum", numeric_only=True)
    communities = communities.reset_index().assign(name=["甲", "乙"])
    out = tmp_path / "plan"
    io.write_plan_outputs(
        out,
        layers={"compounds": compounds, "communities": communities, "grids": grids},
        tables={},
        summary={"plan": {}},
        gpkg_tables={"staff": _staff()},
    )
    return out


def test_a_plan_directory_gives_after_and_a_before_after_comparison(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = _plan_dir(tmp_path)
    assert cli.main(["staff", str(plan), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "before:" in out and "after:" in out
    comparison = pd.read_csv(tmp_path / "out" / "staffing_comparison.csv", encoding="utf-8-sig")
    row = comparison.set_index(["level", "role"]).loc[("community", "grid_worker")]
    # before: 700 and 800 households need 2 + 2 at 500 each; after: one per grid, 2 + 1
    assert (row["required_min_before"], row["required_min_after"]) == (4, 3)
    assert row["actual_before"] == row["actual_after"] == 3  # both communities unchanged
    assert (row["shortfall_before"], row["shortfall_after"]) == (1, 1)  # 甲 has 1 of 2


def test_writing_into_the_plan_directory_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = _plan_dir(tmp_path)
    assert cli.main(["staff", str(plan), "--out", str(plan)]) == 2
    assert "is a plan directory" in capsys.readouterr().err
