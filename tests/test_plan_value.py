"""The plan value: the planner returns it, the writer writes it, the reader reads the
same value back, and a directory whose files no longer belong together is refused."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from jinfeng_grid import cli, pipeline, staffing
from jinfeng_grid.config import Scenario, UnitBounds
from jinfeng_grid.errors import StalePlanError
from jinfeng_grid.plan import Plan, read_plan, write_plan

#: Metres in UTM zone 48N (EPSG:32648); the input is given in CGCS2000 degrees.
X, Y = 500_000.0, 4_260_000.0
CRS = "EPSG:32648"


def write_district(path: Path) -> Path:
    """Two rows of three 100 m compounds 20 m apart, in EPSG:4490 (degrees), with two
    current communities, a building per 200 households, roads and a staff table."""
    compounds, buildings = [], []
    for k in range(6):
        x, y = X + (k % 3) * 120, Y + (k // 3) * 120
        households = 400 + 100 * k
        compounds.append(
            {
                "id": f"C{k + 1}",
                "name": f"小区{k + 1}",
                "households": households,
                "population": 3 * households,
                "subdistrict": "北京中路",
                "community": "甲" if k < 3 else "乙",
                "geometry": shapely.box(x, y, x + 100, y + 100),
            }
        )
        count = -(-households // 200)
        for j in range(count):
            bx, by = x + 5 + (j % 4) * 24, y + 5 + (j // 4) * 24
            share = households // count + (1 if j < households % count else 0)
            buildings.append(
                {
                    "id": f"B{k + 1}_{j}",
                    "compound_id": f"C{k + 1}",
                    "households": share,
                    "population": 3 * share,
                    "geometry": shapely.box(bx, by, bx + 15, by + 15),
                }
            )
    roads = [{"name": "中心路", "class": "local", "geometry": shapely.LineString(
        [(X - 50, Y + 110), (X + 400, Y + 110)])}]  # fmt: skip
    for name, records in (("compounds", compounds), ("buildings", buildings), ("roads", roads)):
        frame = gpd.GeoDataFrame(
            [{key: value for key, value in r.items() if key != "geometry"} for r in records],
            geometry=[r["geometry"] for r in records],
            crs=CRS,
        ).to_crs("EPSG:4490")
        frame.to_file(path, layer=name, engine="pyogrio")
    staff = pd.DataFrame({"community": ["甲", "乙"], "grid_workers": [2, 3]})
    pyogrio.write_dataframe(staff, path, layer="staff", driver="GPKG")
    return path


def scenario() -> Scenario:
    return dataclasses.replace(
        Scenario(),
        community=UnitBounds(min_households=1_000, max_households=2_500, target_households=1_800),
        grid=UnitBounds(min_households=200, max_households=500, target_households=400),
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, Path]:
    out = tmp_path_factory.mktemp("plan")
    source = write_district(out.parent / "district.gpkg")
    run = pipeline.run_plan(
        source,
        out / "plan",
        scenario=scenario(),
        buildings_layer="buildings",
        roads_layer="roads",
        staff_layer="staff",
        workers=1,
    )
    return run.plan, out / "plan"


def test_reading_a_plan_directory_back_gives_the_plan_that_was_written(written) -> None:
    plan, directory = written
    read = read_plan(directory)
    assert read.differences(plan) == []
    assert read.equals(plan) and plan.equals(read)
    assert read.source == directory and plan.source is None
    assert read.scenario == plan.scenario
    assert list(read.levels) == ["community", "grid"]
    assert read.compounds.attrs["input_crs"] == plan.compounds.attrs["input_crs"]


def test_writing_the_plan_read_back_gives_the_same_plan_again(written, tmp_path) -> None:
    plan, directory = written
    write_plan(read_plan(directory), tmp_path / "again")
    assert read_plan(tmp_path / "again").equals(plan)


def test_a_changed_plan_is_not_equal_and_the_difference_is_named(written) -> None:
    plan, _ = written
    grids = plan.grids.copy()
    grids.loc[grids.index[0], "households"] += 1
    changed = dataclasses.replace(plan, grids=grids, notes=(*plan.notes, "a note"))
    assert not changed.equals(plan)
    assert changed.differences(plan) == ["grids.households: differs in rows [0]", "notes differ"]


def test_the_plan_carries_the_contract_names_and_the_district_layers(written) -> None:
    plan, _ = written
    assert "compound_id" in plan.compounds and "id" not in plan.compounds
    assert "building_id" in plan.buildings and "id" not in plan.buildings
    assert plan.roads is not None and plan.staff is not None
    assert plan.provenance["inputs"][0]["name"] == "district.gpkg"
    assert "<Plan 金凤区: 1 subdistricts, " in repr(plan)


@pytest.mark.parametrize("name", ["communities.csv", "plan.gpkg", "moves.csv"])
def test_a_file_changed_after_plan_wrote_it_is_named_and_refused(
    written, tmp_path: Path, name: str
) -> None:
    _, directory = written
    copy = tmp_path / "plan"
    copy.mkdir()
    for file in directory.iterdir():
        (copy / file.name).write_bytes(file.read_bytes())
    with (copy / name).open("ab") as edited:
        edited.write(b"\n")
    with pytest.raises(StalePlanError, match=rf"^{name} of the plan in .* changed after `plan`"):
        read_plan(copy)


def test_render_and_package_refuse_a_stale_directory_with_exit_2(written, tmp_path, capsys) -> None:
    _, directory = written
    copy = tmp_path / "plan"
    copy.mkdir()
    for file in directory.iterdir():
        (copy / file.name).write_bytes(file.read_bytes())
    table = pd.read_csv(copy / "grids.csv", encoding="utf-8-sig")
    table.loc[0, "name"] = "改过的名字"
    table.to_csv(copy / "grids.csv", index=False, encoding="utf-8-sig")
    for argv in (["render", str(copy), "--out", str(tmp_path / "r")],
                 ["package", str(copy), "--out", str(tmp_path / "p")]):  # fmt: skip
        assert cli.main(["-q", *argv]) == 2
        first = capsys.readouterr().err.splitlines()[0]
        assert "grids.csv of the plan in" in first and "changed after `plan` wrote it" in first
    assert not (tmp_path / "r").exists() and not (tmp_path / "p").exists()


def test_a_missing_recorded_file_is_refused(written, tmp_path) -> None:
    _, directory = written
    copy = tmp_path / "plan"
    copy.mkdir()
    for file in directory.iterdir():
        if file.name != "moves.csv":
            (copy / file.name).write_bytes(file.read_bytes())
    with pytest.raises(StalePlanError, match=r"^moves.csv of the plan in .* is missing"):
        read_plan(copy)


def test_a_directory_without_digests_is_read_with_a_notice(written, tmp_path, caplog) -> None:
    plan, directory = written
    copy = tmp_path / "plan"
    copy.mkdir()
    for file in directory.iterdir():
        (copy / file.name).write_bytes(file.read_bytes())
    summary = json.loads((copy / "summary.json").read_text(encoding="utf-8"))
    del summary["provenance"]["files"]
    (copy / "summary.json").write_text(json.dumps(summary, ensure_ascii=False), "utf-8")
    with caplog.at_level(logging.WARNING, logger="jinfeng_grid"):
        assert read_plan(copy).equals(plan)
    assert "records no digests of its files" in caplog.text


def test_staffing_is_computed_once_from_the_plan_and_its_district(written) -> None:
    plan, _ = written
    computed = staffing.plan_staffing(plan)
    district = computed.units[computed.units["level"] == "district"]
    assert set(district["unit_id"]) == {plan.scenario.report.district_code}
    assert int(district["households"].iloc[0]) == int(plan.compounds["households"].sum())
    assert computed.current is not None
    assert set(computed.current.loc[computed.current["level"] == "community", "unit_name"]) == {
        "甲",
        "乙",
    }
