"""End to end on the bundled sample district: the demo plans it and writes the contract,
splits 五里水乡 three ways and writes the approval package of both.

Slow (a few minutes on 2 cores): marked ``slow``, run in CI.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pandas as pd
import pytest

from jinfeng_grid import cli, io
from jinfeng_grid.graph import build_adjacency

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_geodata" / "jinfeng.gpkg"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    code = cli.main(["-q", "demo", "--input", str(SAMPLE), "--out", str(out)])
    assert code == 0
    return out / "plan"


def test_demo_writes_the_approval_packages_of_the_plan_and_of_the_split(
    demo_output: Path,
) -> None:
    out = demo_output.parent
    for package in (out / "package", out / "split" / "package"):
        names = {path.name for path in package.iterdir()}
        assert {"atlas.pdf", "plan.xlsx", "plan.gpkg", "summary.json", "README.txt"} <= names


def test_demo_splits_wulishuixiang_into_three_distinct_proven_alternatives(
    demo_output: Path,
) -> None:
    split = demo_output.parent / "split"
    table = pd.read_csv(split / "alternatives.csv", encoding="utf-8-sig")
    assert list(table["alternative"]) == [1, 2, 3]
    assert (table["status"] == "optimal").all()
    assert table["all_within_bounds"].all()
    assert table["boundary_m"].is_monotonic_increasing or table["objective"].is_monotonic_increasing
    memberships = set()
    for number in (1, 2, 3):
        compounds = gpd.read_file(split / f"alternative_{number}" / "plan.gpkg", layer="compounds")
        mine = compounds[compounds["community"] == "五里水乡"]
        assert int(mine["households"].sum()) == 12_640
        memberships.add(
            frozenset(frozenset(g["compound_id"]) for _, g in mine.groupby("community_id"))
        )
        others = compounds[compounds["community"] != "五里水乡"]
        assert (others["community_name"] == others["community"]).all()
    assert len(memberships) == 3


def test_demo_writes_the_contract_files(demo_output: Path) -> None:
    for name in ("plan.gpkg", "summary.json", "communities.csv", "grids.csv", "moves.csv"):
        assert (demo_output / name).is_file(), name


def test_every_compound_and_building_is_assigned_once(demo_output: Path) -> None:
    compounds = gpd.read_file(demo_output / "plan.gpkg", layer="compounds")
    buildings = gpd.read_file(demo_output / "plan.gpkg", layer="buildings")
    source = gpd.read_file(SAMPLE, layer="compounds")
    source_buildings = gpd.read_file(SAMPLE, layer="buildings")
    assert sorted(compounds["compound_id"]) == sorted(source["compound_id"])
    assert sorted(buildings["building_id"]) == sorted(source_buildings["building_id"])
    assert compounds["community_id"].notna().all()
    assert buildings["grid_id"].notna().all()


def test_households_and_population_are_conserved_at_every_level(demo_output: Path) -> None:
    source = gpd.read_file(SAMPLE, layer="compounds")
    for layer in ("compounds", "communities", "grids", "subdistricts"):
        frame = gpd.read_file(demo_output / "plan.gpkg", layer=layer)
        assert int(frame["households"].sum()) == int(source["households"].sum()), layer
        assert int(frame["population"].sum()) == int(source["population"].sum()), layer


def test_every_community_and_grid_is_within_bounds(demo_output: Path) -> None:
    communities = pd.read_csv(demo_output / "communities.csv", encoding="utf-8-sig")
    grids = pd.read_csv(demo_output / "grids.csv", encoding="utf-8-sig")
    assert communities["households"].between(2000, 4000).all()
    assert grids["households"].between(300, 500).all()
    assert communities["within_bounds"].all() and grids["within_bounds"].all()


def test_communities_are_contiguous_and_nested_in_subdistricts(demo_output: Path) -> None:
    compounds = io.read_compounds(demo_output / "plan.gpkg", layer="compounds",
                                  columns=None)  # fmt: skip
    # the planner's graph: arterial roads are barriers, crossed only where facing
    graph = build_adjacency(compounds, barriers=io.read_roads(SAMPLE, layer="roads"))
    for community, members in compounds.groupby("community_id"):
        assert nx.is_connected(graph.subgraph(list(members["id"]))), community
        assert members["subdistrict"].nunique() == 1, community
        assert community.startswith(members["subdistrict_id"].iloc[0])


def test_grids_nest_in_their_community(demo_output: Path) -> None:
    buildings = gpd.read_file(demo_output / "plan.gpkg", layer="buildings")
    assert (buildings["grid_id"].str[:12] == buildings["community_id"]).all()


def test_summary_reports_every_level_and_the_provenance(demo_output: Path) -> None:
    summary = json.loads((demo_output / "summary.json").read_text(encoding="utf-8"))
    assert summary["plan"]["compounds"] == 449
    levels = summary["levels"]
    assert levels["community"]["within_bounds"] == levels["community"]["units"]
    assert levels["grid"]["within_bounds"] == levels["grid"]["units"]
    for level in levels.values():
        for sub in level["subproblems"]:
            assert sub["status"] in ("optimal", "feasible")
            # every subproblem reports a proven lower bound and its gap
            assert sub["bound"] is not None and sub["bound"] <= sub["objective"] + 1e-6
            assert sub["gap"] is not None and 0 <= sub["gap"] <= 1
        assert level["bound"] is not None and level["gap"] is not None
    assert summary["provenance"]["inputs"][0]["name"] == "jinfeng.gpkg"
    assert len(summary["provenance"]["inputs"][0]["sha256"]) == 64


#: Cut frontage (m) of the community level before the package was laid out in
#: subpackages: 68,440 on an idle machine, 70,096 with both cores busy (the level stops
#: on its share of the time limit, so load moves it). The layout must not make it worse.
COMMUNITY_OBJECTIVE_BEFORE_M = 70_096.425


def test_the_plan_is_no_worse_than_before_the_layout_changed(demo_output: Path) -> None:
    summary = json.loads((demo_output / "summary.json").read_text(encoding="utf-8"))
    community = summary["levels"]["community"]
    assert community["units"] == community["within_bounds"] == 93
    # 2% of slack for a machine busier than the one that measured the figure
    assert community["objective"] <= 1.02 * COMMUNITY_OBJECTIVE_BEFORE_M
    grid = summary["levels"]["grid"]
    assert grid["units"] == grid["within_bounds"]
    assert summary["plan"]["households"] == 278_865


def test_the_readme_walk_through_shows_the_split_the_demo_makes(demo_output: Path) -> None:
    table = pd.read_csv(demo_output.parent / "split" / "alternatives.csv", encoding="utf-8-sig")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Walk-through")[1].split("\n## ")[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "optimal" in line]
    assert len(rows) == len(table)
    for line, row in zip(rows, table.itertuples(), strict=True):
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert cells[0] == str(row.alternative)
        assert cells[1] == row.status
        assert cells[2] == f"{row.boundary_m:,.1f}"
        assert cells[3] == str(row.barrier_spans)
        assert cells[4] == " / ".join(f"{int(h):,}" for h in row.households.split("/"))
        assert cells[5] == f"{row.households_moved:,}"
        assert cells[6] == str(row.grids)
