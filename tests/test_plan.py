"""Planning communities and grids on tiny hand-drawn districts: invariants and hard cases.

The district is a lattice of 100 m square compounds with 20 m streets (see conftest);
every compound touches its lattice neighbours across a street, so the adjacency graph
is the lattice.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import pytest
import shapely
from conftest import block, frame

from jinfeng_grid import pipeline
from jinfeng_grid.config import Scenario
from jinfeng_grid.errors import InfeasibleSpecError, InputDataError
from jinfeng_grid.graph import build_adjacency
from jinfeng_grid.plan import PlanWarning, moves_table, plan_district


def _scenario(**tables: Any) -> Scenario:
    base: dict[str, Any] = {
        "community": {"min_households": 1000, "max_households": 2000, "target_households": 1500},
        "grid": {"min_households": 300, "max_households": 500, "target_households": 400},
        "solver": {"time_limit": 20, "seed": 0},
    }
    base.update(tables)
    return Scenario().with_overrides(**base)


def _district(households: list[list[int]], *, subdistricts: list[list[str]] | None = None):
    """Compounds on a lattice; ``households[row][col]``; population 2.5 per household."""
    records = []
    for r, row in enumerate(households):
        for c, h in enumerate(row):
            k = len(records) + 1
            records.append(
                {
                    "id": f"C{k:02d}",
                    "name": f"小区{k:02d}",
                    "households": h,
                    "population": int(2.5 * h),
                    "subdistrict": subdistricts[r][c] if subdistricts else "甲街道",
                    "community": f"旧{r}",
                    "geometry": block(c, r),
                }
            )
    return frame(records)


def _split(total: int, parts: int) -> list[int]:
    share, extra = divmod(total, parts)
    return [share + (1 if i < extra else 0) for i in range(parts)]


def _buildings(compounds: gpd.GeoDataFrame, per_compound: int = 4) -> gpd.GeoDataFrame:
    """``per_compound`` slabs in a row inside each compound, counts split evenly."""
    records = []
    for row in compounds.itertuples():
        minx, miny, maxx, maxy = row.geometry.bounds
        households = _split(int(row.households), per_compound)
        population = _split(int(row.population), per_compound)
        for i in range(per_compound):
            x = minx + 10 + i * (maxx - minx - 20) / per_compound
            records.append(
                {
                    "id": f"{row.id}-B{i + 1}",
                    "compound_id": row.id,
                    "households": households[i],
                    "population": population[i],
                    "geometry": shapely.box(x, miny + 30, x + 12, maxy - 30),
                }
            )
    return frame(records)


def _plan(compounds, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlanWarning)
        return plan_district(compounds, workers=1, **kwargs)


def _assert_invariants(plan, compounds, scenario: Scenario) -> None:
    out = plan.compounds
    assert sorted(out["compound_id"]) == sorted(compounds["id"]), "every compound exactly once"
    assert out["community_id"].notna().all()
    for column in ("households", "population"):
        total = int(compounds[column].sum())
        assert int(plan.communities[column].sum()) == total
        assert int(plan.grids[column].sum()) == total
        assert int(plan.subdistricts[column].sum()) == total
    graph = build_adjacency(compounds)
    for community, members in out.groupby("community_id")["compound_id"]:
        assert nx.is_connected(graph.subgraph(list(members))), community
        assert members.index.map(out["subdistrict_id"]).nunique() == 1, "nested in a subdistrict"
    communities = plan.communities.set_index("community_id")
    for row in communities.itertuples():
        if not row.oversize:
            assert (
                scenario.community.min_households
                <= row.households
                <= scenario.community.max_households
            )
    assert plan.grids["grid_id"].str.len().eq(15).all()
    pairs = zip(plan.grids["grid_id"], plan.grids["community_id"], strict=True)
    assert all(grid.startswith(community) for grid, community in pairs)
    assert plan.grids["within_bounds"].all()


def test_a_lattice_district_is_planned_within_bounds_and_keeps_every_household() -> None:
    compounds = _district([[400, 600, 500, 700], [800, 300, 600, 500], [450, 550, 650, 350]])
    scenario = _scenario()
    plan = _plan(compounds, scenario=scenario)
    _assert_invariants(plan, compounds, scenario)
    # 6,400 households at a target of 1,500 make 4 communities
    assert len(plan.communities) == 4


def test_grids_are_drawn_from_buildings_and_nest_in_their_community() -> None:
    compounds = _district([[400, 600, 500], [800, 300, 600]])
    buildings = _buildings(compounds)
    scenario = _scenario()
    plan = _plan(compounds, buildings=buildings, scenario=scenario)
    _assert_invariants(plan, compounds, scenario)
    out = plan.buildings
    assert sorted(out["building_id"]) == sorted(buildings["id"]), "every building exactly once"
    assert out["grid_id"].notna().all()
    assert int(plan.grids["households"].sum()) == int(buildings["households"].sum())
    grid_community = plan.grids.set_index("grid_id")["community_id"]
    assert (out["grid_id"].map(grid_community) == out["community_id"]).all()
    assert not plan.grids["virtual"].any()


def test_without_buildings_compounds_are_cut_into_virtual_grids_and_the_plan_says_so() -> None:
    compounds = _district([[1000, 600], [500, 900]])
    with pytest.warns(PlanWarning) as record:
        plan = plan_district(compounds, scenario=_scenario(), workers=1)
    assert any(
        "no buildings given: each compound was cut into equal" in str(w.message) for w in record
    )
    assert plan.grids["virtual"].all()
    big = plan.compounds.set_index("compound_id").loc["C01", "grid_ids"].split(";")
    assert len(big) >= 2, "a compound above the grid cap holds several grids"


def test_a_compound_above_the_community_cap_is_its_own_community_flagged_oversize() -> None:
    compounds = _district([[2600, 600, 500], [800, 400, 700]])
    with pytest.warns(PlanWarning) as record:
        plan = plan_district(compounds, scenario=_scenario(), workers=1)
    assert any(
        "小区01 (C01) holds 2,600 households, above the community cap 2,000" in str(w.message)
        for w in record
    )
    own = plan.compounds.set_index("compound_id").loc["C01", "community_id"]
    row = plan.communities.set_index("community_id").loc[own]
    assert row["compounds"] == 1
    assert bool(row["oversize"]) and not bool(row["within_bounds"])


def test_a_piece_that_fits_no_community_is_named_with_bounds_that_would_work() -> None:
    # C03 lies 400 m away from the others: an island of 300 households
    compounds = _district([[900, 800]])
    island = frame(
        [{"id": "C03", "name": "远郊小区", "households": 300, "population": 750,
          "subdistrict": "甲街道", "community": "旧0", "geometry": block(5, 0)}]
    )  # fmt: skip
    compounds = gpd.GeoDataFrame(
        [*compounds.to_dict("records"), *island.to_dict("records")], crs=compounds.crs
    )
    with pytest.raises(
        InfeasibleSpecError,
        match=r"compounds 远郊小区 \(C03\) of 甲街道 form a connected piece of 300 households.*"
        r"would need the lower bound at most 300",
    ):
        _plan(compounds, scenario=_scenario())


def test_linking_islands_lets_the_cut_off_compound_join_a_community() -> None:
    compounds = _district([[900, 800]])
    island = frame(
        [{"id": "C03", "name": "远郊小区", "households": 300, "population": 750,
          "subdistrict": "甲街道", "community": "旧0", "geometry": block(5, 0)}]
    )  # fmt: skip
    compounds = gpd.GeoDataFrame(
        [*compounds.to_dict("records"), *island.to_dict("records")], crs=compounds.crs
    )
    with pytest.warns(PlanWarning) as record:
        plan = plan_district(
            compounds, scenario=_scenario(graph={"connect_islands": True}), workers=1
        )
    assert any(
        "was linked to" in str(w.message) and "远郊小区 (C03)" in str(w.message) for w in record
    )
    assert len(plan.communities) == 1
    assert int(plan.communities["households"].iloc[0]) == 2000


def test_communities_never_cross_subdistricts() -> None:
    compounds = _district(
        [[600, 700, 800, 500], [900, 400, 600, 700]],
        subdistricts=[["甲", "甲", "乙", "乙"], ["甲", "甲", "乙", "乙"]],
    )
    plan = _plan(compounds, scenario=_scenario())
    per_community = plan.compounds.groupby("community_id")["subdistrict"].nunique()
    assert (per_community == 1).all()
    assert sorted(plan.subdistricts["name"]) == ["乙", "甲"]


def test_an_unchanged_community_keeps_its_name_and_code() -> None:
    compounds = _district([[600, 700], [400, 500]])
    compounds["community"] = "老社区"
    compounds["community_id"] = "640106001007"
    plan = _plan(compounds, scenario=_scenario(community={"min_households": 1500,
                                                          "max_households": 2500,
                                                          "target_households": 2200}))  # fmt: skip
    row = plan.communities.iloc[0]
    assert (row["community_id"], row["name"], bool(row["unchanged"])) == (
        "640106001007",
        "老社区",
        True,
    )


def test_the_same_seed_gives_the_same_plan() -> None:
    compounds = _district([[400, 600, 500, 700], [800, 300, 600, 500]])
    first = _plan(compounds, scenario=_scenario())
    second = _plan(compounds, scenario=_scenario())
    assert list(first.compounds["community_id"]) == list(second.compounds["community_id"])
    assert list(first.grids["grid_id"]) == list(second.grids["grid_id"])


def test_missing_household_column_is_an_input_error_naming_the_columns() -> None:
    compounds = _district([[400, 600]]).drop(columns="households")
    with pytest.raises(InputDataError, match=r"compounds need column\(s\) households"):
        _plan(compounds, scenario=_scenario())


def test_moves_table_counts_households_that_change_community() -> None:
    compounds = _district([[600, 700, 800, 500], [900, 400, 600, 700]])
    compounds["community"] = "巨型社区"
    plan = _plan(compounds, scenario=_scenario())
    moves = moves_table(plan)
    assert moves is not None
    kept = plan.compounds["community_name"] == "巨型社区"
    assert int(moves["households_moved"].sum()) == int(
        plan.compounds.loc[~kept, "households"].sum()
    )
    assert moves["moved"].any() and not moves["moved"].all()


def test_run_plan_writes_the_contract_files(tmp_path: Path) -> None:
    compounds = _district([[400, 600, 500], [800, 300, 600]])
    buildings = _buildings(compounds)
    path = tmp_path / "district.gpkg"
    compounds.to_file(path, layer="compounds")
    buildings.to_file(path, layer="buildings")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlanWarning)
        run = pipeline.run_plan(path, tmp_path / "out", scenario=_scenario(),
                                buildings_layer="buildings", workers=1)  # fmt: skip
    names = sorted(p.name for p in run.files.values())
    assert names == ["communities.csv", "grids.csv", "moves.csv", "plan.gpkg", "summary.json"]
    layers = gpd.list_layers(tmp_path / "out" / "plan.gpkg")["name"].tolist()
    assert {"compounds", "communities", "grids", "buildings", "subdistricts"} <= set(layers)
    written = gpd.read_file(tmp_path / "out" / "plan.gpkg", layer="compounds")
    assert {"compound_id", "subdistrict_id", "community_id"} <= set(written.columns)
    buildings_out = gpd.read_file(tmp_path / "out" / "plan.gpkg", layer="buildings")
    assert {"building_id", "compound_id", "grid_id"} <= set(buildings_out.columns)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert set(summary["levels"]) == {"community", "grid"}
    for level in summary["levels"].values():
        assert {"units", "within_bounds", "objective", "bound", "gap", "status", "seconds"} <= set(
            level
        )
        assert level["bound"] is not None and level["bound"] <= level["objective"] + 1e-6
        assert all(sub["bound"] is not None for sub in level["subproblems"])
    assert summary["provenance"]["inputs"][0]["name"] == "district.gpkg"


def _current_plan_district():
    """Two rows of compounds, each row a valid current community of 1,200-1,500."""
    compounds = _district([[400, 500, 600], [300, 450, 450]])
    compounds["community"] = ["北社区"] * 3 + ["南社区"] * 3
    return compounds, _buildings(compounds)


def test_keeping_the_current_plan_leaves_a_valid_plan_exactly_unchanged() -> None:
    compounds, buildings = _current_plan_district()
    buildings["grid"] = buildings["compound_id"].map(
        {"C01": "g1", "C02": "g2", "C03": "g3", "C04": "g4", "C05": "g5", "C06": "g6"}
    )
    # make every current grid valid: split C03 (600) into two current grids of 300
    c03 = buildings.index[buildings["compound_id"] == "C03"]
    buildings.loc[c03[2:], "grid"] = "g3b"
    plan = _plan(compounds, buildings=buildings, scenario=_scenario(), keep_current=True)
    assert (plan.compounds["community_name"] == plan.compounds["community"]).all()
    assert plan.communities["unchanged"].all()
    new = plan.buildings.groupby("grid_id")["building_id"].apply(frozenset)
    old = buildings.groupby("grid")["id"].apply(frozenset)
    assert sorted(map(sorted, new)) == sorted(map(sorted, old))
    assert plan.grids["unchanged"].all()


def test_keeping_the_current_plan_redraws_only_the_oversize_community() -> None:
    compounds = _district([[400, 500, 600, 700], [300, 450, 450, 900]])
    compounds["community"] = ["大社区"] * 4 + ["南社区"] * 3 + ["大社区"]
    # 大社区: 2,200 + 900 = 3,100 households, above the 2,000 cap; 南社区 1,200 is valid
    plan = _plan(compounds, scenario=_scenario(), keep_current=True)
    south = plan.compounds[plan.compounds["community"] == "南社区"]
    assert (south["community_name"] == "南社区").all(), "the valid community stays"
    big = plan.compounds[plan.compounds["community"] == "大社区"]
    assert big["community_id"].nunique() == 2
    assert plan.communities["within_bounds"].all()


def test_keeping_the_current_plan_needs_current_communities() -> None:
    compounds = _district([[400, 600]]).drop(columns="community")
    with pytest.raises(InputDataError, match="keeping the current plan needs the compounds'"):
        _plan(compounds, scenario=_scenario(), keep_current=True)


def _two_subdistricts():
    # 甲 holds columns 0-1, 乙 columns 2-3: 2,000 households each, 500 per compound
    return _district(
        [[500] * 4, [500] * 4],
        subdistricts=[["甲", "甲", "乙", "乙"], ["甲", "甲", "乙", "乙"]],
    )


def test_a_new_subdistrict_is_carved_out_moving_the_fewest_households() -> None:
    compounds = _two_subdistricts()
    scenario = _scenario(
        community={"min_households": 1000, "max_households": 2000, "target_households": 1000},
        subdistrict={"total": 3, "min_households": 1000, "max_households": 2000},
    )
    plan = _plan(compounds, scenario=scenario)
    _assert_invariants(plan, compounds, scenario)
    subdistricts = plan.subdistricts.set_index("name")
    assert set(subdistricts.index) == {"甲", "乙", "新设街道1"}
    assert sorted(subdistricts["households"]) == [1000, 1000, 2000]
    assert subdistricts["name_provisional"].to_dict() == {
        "乙": False,
        "甲": False,
        "新设街道1": True,
    }
    # one community of 1,000 households changes subdistrict, no more
    moved = plan.compounds["subdistrict"] != plan.compounds["subdistrict_name"]
    assert int(plan.compounds.loc[moved, "households"].sum()) == 1000
    assert plan.levels["subdistrict"].within_bounds == 3
    assert plan.subdistricts["within_bounds"].all()
    assert any("新设街道1" in note for note in plan.notes)


def test_too_few_communities_for_the_subdistricts_asked_for_is_said_in_words() -> None:
    scenario = _scenario(subdistrict={"total": 3, "max_households": 2000})
    with pytest.raises(InfeasibleSpecError, match=r"the 2 new communities cannot be grouped"):
        _plan(_two_subdistricts(), scenario=scenario)


def test_subdistricts_that_fit_the_bounds_are_kept_with_their_codes() -> None:
    compounds = _two_subdistricts()
    scenario = _scenario(subdistrict={"total": 2, "max_households": 2500})
    kept = _plan(compounds, scenario=_scenario())
    plan = _plan(compounds, scenario=scenario)
    assert (plan.compounds["subdistrict"] == plan.compounds["subdistrict_name"]).all()
    assert plan.subdistricts[["subdistrict_id", "name"]].to_dict("list") == kept.subdistricts[
        ["subdistrict_id", "name"]
    ].to_dict("list")


def test_plan_command_writes_the_plan_and_exits_1_for_its_notes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from jinfeng_grid import cli

    path = tmp_path / "district.gpkg"
    _district([[400, 600, 500], [800, 300, 600]]).to_file(path, layer="compounds")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlanWarning)
        code = cli.main(["-q", "plan", str(path), "--out", str(tmp_path / "out"),
                         "--time-limit", "20", "--workers", "1"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1, "virtual grids are a note for a person"
    assert "note: no buildings given" in out
    assert (tmp_path / "out" / "plan.gpkg").is_file()


def test_plan_command_on_bad_counts_is_a_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from jinfeng_grid import cli

    compounds = _district([[400, 600]]).astype({"households": object})
    compounds.loc[0, "households"] = "约300"
    path = tmp_path / "district.gpkg"
    compounds.to_file(path, layer="compounds")
    code = cli.main(["-q", "plan", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "约300" in err
    assert "Traceback" not in err


def test_the_same_input_and_seed_give_the_same_plan_in_separate_processes(
    tmp_path: Path,
) -> None:
    # set and dict order depend on PYTHONHASHSEED for strings: run the CLI in two fresh
    # interpreters with different hash seeds and workers, and compare the tables
    import os
    import subprocess
    import sys

    path = tmp_path / "district.gpkg"
    _district(
        [[800, 1200, 1000, 1400], [1600, 600, 1200, 1000], [1000, 1000, 800, 1800]],
        subdistricts=[["甲", "甲", "乙", "乙"]] * 3,
    ).to_file(path, layer="compounds")
    outputs = []
    for hash_seed, workers in (("1", "1"), ("2", "2")):
        out = tmp_path / f"out{hash_seed}"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run(
            [sys.executable, "-m", "jinfeng_grid", "-q", "plan", str(path), "--out", str(out),
             "--time-limit", "20", "--workers", workers],
            check=False, env=env, capture_output=True,
        )  # fmt: skip
        outputs.append(
            {
                name: (out / name).read_bytes()
                for name in ("communities.csv", "grids.csv", "moves.csv")
            }
        )
    assert outputs[0] == outputs[1]


def test_a_compound_cut_off_only_by_an_oversize_one_joins_its_community() -> None:
    # C01 (300) touches only C02 (5,000 > the 2,000 cap): alone it fits no community
    compounds = _district([[300, 5000, 1000, 1000]])
    plan = _plan(compounds, scenario=_scenario())
    assert any("小区01 (C01), cut off from the rest of 甲街道" in note for note in plan.notes)
    _assert_invariants(plan, compounds, _scenario())
    out = plan.compounds.set_index("compound_id")
    assert out.loc["C01", "community_id"] == out.loc["C02", "community_id"]
    oversize = plan.communities[plan.communities["oversize"]]
    assert list(oversize["households"]) == [5300]


def test_the_notes_come_in_the_order_the_plan_meets_them() -> None:
    # no subdistricts, a lock ignored, an oversize compound, no buildings: four notes
    compounds = _district([[2600, 600, 500], [800, 400, 700]]).drop(columns=["subdistrict"])
    compounds["locked"] = ["是", "", "", "", "", ""]
    plan = _plan(compounds, scenario=_scenario())
    assert plan.notes == (
        "no current subdistricts given: the district is planned as one",
        "1 locked compounds are kept in their community only when the current plan is kept "
        "(--keep-current); this full re-plan ignored the locks",
        "compound 小区01 (C01) holds 2,600 households, above the community cap 2,000: it is a "
        "community of its own, flagged oversize",
        "no buildings given: each compound was cut into equal virtual pieces and grids were "
        "drawn from them (virtual grids); draw real grids from buildings",
    )
