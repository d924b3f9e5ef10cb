"""``jinfeng-grid assign`` on a tiny plan directory written to tmp_path."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import box

from jinfeng_grid import cli, io

CRS = "EPSG:4544"
X0, Y0 = 607_000.0, 4_261_000.0  # near Yinchuan, so the round trip through lon/lat holds


def _plan_dir(tmp_path: Path) -> Path:
    """Three compounds A, B, C of 东街; now 甲 = {A, B} (grids gA, gB), 乙 = {C} (gC);
    planned: c1 = {A, B} with grids nA, nB; c2 = {C} with grid nC; a police room in A."""
    shapes = [box(X0 + 120 * i, Y0, X0 + 120 * i + 100, Y0 + 100) for i in range(3)]
    compounds = gpd.GeoDataFrame(
        {
            "compound_id": ["A", "B", "C"],
            "households": [400, 300, 450],
            "population": [1000, 800, 1200],
            "subdistrict": "东街",
            "community": ["甲", "甲", "乙"],
            "community_id": ["c1", "c1", "c2"],
            "subdistrict_id": "s1",
        },
        geometry=shapes,
        crs=CRS,
    )
    buildings = gpd.GeoDataFrame(
        {
            "building_id": ["A1", "B1", "C1"],
            "compound_id": ["A", "B", "C"],
            "households": [400, 300, 450],
            "population": [1000, 800, 1200],
            "grid": ["gA", "gB", "gC"],
            "grid_id": ["nA", "nB", "nC"],
            "community_id": ["c1", "c1", "c2"],
        },
        geometry=shapes,
        crs=CRS,
    )
    grids = buildings.rename(columns={"building_id": "name"})[
        ["grid_id", "name", "community_id", "households", "population", "geometry"]
    ].assign(subdistrict_id="s1")
    communities = compounds.dissolve(
        "community_id", aggfunc={"households": "sum", "population": "sum"}
    ).reset_index()
    communities = communities.assign(name=["甲", "乙"], subdistrict_id="s1")
    facilities = gpd.GeoDataFrame(
        {"id": ["PR1"], "kind": ["police_room"], "name": ["甲社区警务室"]},
        geometry=[shapes[0].centroid],
        crs=CRS,
    )
    out = tmp_path / "plan"
    io.write_plan_outputs(
        out,
        layers={
            "compounds": compounds,
            "communities": communities,
            "grids": grids,
            "buildings": buildings,
            "facilities": facilities,
        },
        tables={},
        summary={"plan": {}},
    )
    return out


def _roster_file(tmp_path: Path, rows: list[tuple], *, layer: str = "roster") -> Path:
    table = pd.DataFrame(
        rows, columns=["staff_id", "role", "employment", "community", "grid", "police_room"]
    )
    path = tmp_path / "people.gpkg"
    pyogrio.write_dataframe(table, path, layer=layer, driver="GPKG")
    return path


ROSTER = [
    ("GW1", "grid_worker", "part_time", "甲", "gA", None),
    ("GW2", "grid_worker", "full_time", "乙", "gC", None),
    ("PO1", "police", "full_time", "甲", None, "PR1"),
]


def test_assign_writes_every_table_and_a_coverage_layer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan, people = _plan_dir(tmp_path), _roster_file(tmp_path, ROSTER)
    out = tmp_path / "out"
    code = cli.main(["assign", str(plan), "--staff", str(people), "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0
    assert "3 of 3 grids and 2 of 2 communities covered, optimal" in text
    for name in ("assignments.csv", "uncovered.csv", "workload.csv", "hires.csv"):
        assert (out / name).is_file()
    assignments = pd.read_csv(out / "assignments.csv", encoding="utf-8-sig")
    assert set(assignments.loc[assignments["staff_id"] == "GW2", "unit_id"]) == {"nB", "nC"}
    grids = gpd.read_file(out / "assignments.gpkg", layer="grids")
    assert grids["covered"].all()
    assert dict(zip(grids["grid_id"], grids["staff_id"], strict=True))["nA"] == "GW1"
    communities = gpd.read_file(out / "assignments.gpkg", layer="communities")
    assert set(communities["staff_id"]) == {"PO1"}  # 2,200 residents together, within 5,000


def test_the_roster_layer_can_be_named_after_a_colon(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = _plan_dir(tmp_path)
    people = _roster_file(tmp_path, ROSTER, layer="人员")
    out = tmp_path / "out"
    code = cli.main(["assign", str(plan), "--staff", f"{people}:人员", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert (out / "assignments.csv").is_file()


def test_uncovered_units_are_listed_with_the_hires(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan, people = _plan_dir(tmp_path), _roster_file(tmp_path, ROSTER[:1])
    out = tmp_path / "out"
    assert cli.main(["assign", str(plan), "--staff", str(people), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    uncovered = pd.read_csv(out / "uncovered.csv", encoding="utf-8-sig")
    assert list(uncovered["unit_id"]) == ["nC", "nB", "c1", "c2"]
    assert "to close it: 2 part-time workers" in text
    assert "to close it: 2 police officers" in text


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("GW1", "grid_worker", "part_time", "丁", None, None)], "community 丁 is not a current"),
        ([ROSTER[0], ROSTER[0]], "staff_id listed more than once: GW1"),
        ([("GW1", "janitor", "part_time", "甲", None, None)], "role janitor is not a role"),
    ],
)
def test_bad_rosters_exit_2_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: list[tuple], message: str
) -> None:
    plan, people = _plan_dir(tmp_path), _roster_file(tmp_path, rows)
    code = cli.main(["assign", str(plan), "--staff", str(people), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_a_missing_roster_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = _plan_dir(tmp_path)
    missing = tmp_path / "nobody.gpkg"
    assert cli.main(["assign", str(plan), "--staff", str(missing), "--out", str(tmp_path)]) == 2
    assert "nobody.gpkg does not exist" in capsys.readouterr().err


def test_a_residents_cap_below_one_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan, people = _plan_dir(tmp_path), _roster_file(tmp_path, ROSTER)
    argv = ["assign", str(plan), "--staff", str(people), "--out", str(tmp_path / "o")]
    assert cli.main([*argv, "--residents-per-officer", "0"]) == 2
    assert "residents_per_officer must be a whole number >= 1" in capsys.readouterr().err
