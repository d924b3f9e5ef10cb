"""Splitting one community: known optimal splits, distinct alternatives, locks, errors.

Compounds are 100 m squares on a lattice with 20 m streets (see conftest): lattice
neighbours face each other along 100 m, so a split's boundary is 100 m per cut
adjacency. Community 甲 is a 3 × 2 block of six compounds of 500 households; its
neighbour 乙 (two compounds to the east) must never change.
"""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd
import pytest
from conftest import block, frame

from jinfeng_grid import pipeline
from jinfeng_grid.cli import main
from jinfeng_grid.config import Scenario
from jinfeng_grid.errors import InfeasibleSpecError, InputDataError
from jinfeng_grid.plan import PlanWarning, split_community


def _scenario(**community: Any) -> Scenario:
    return Scenario().with_overrides(
        community={"min_households": 1000, "max_households": 2000, "target_households": 1500}
        | community,
        grid={"min_households": 300, "max_households": 500, "target_households": 400},
        solver={"time_limit": 20, "seed": 0},
    )


def _district(locked: str | None = None):
    records = []
    for r in range(2):
        for c in range(3):
            k = len(records) + 1
            records.append(
                {
                    "id": f"C{k:02d}",
                    "name": f"小区{k:02d}",
                    "households": 500,
                    "population": 1250,
                    "subdistrict": "甲街道",
                    "community": "甲",
                    "locked": "是" if f"C{k:02d}" == locked else "",
                    "geometry": block(c, r),
                }
            )
    for r in range(2):
        records.append(
            {
                "id": f"D{r}",
                "name": f"东区{r}",
                "households": 700,
                "population": 1750,
                "subdistrict": "甲街道",
                "community": "乙",
                "locked": "",
                "geometry": block(3, r),
            }
        )
    return frame(records)


def _split(compounds, **kwargs: Any):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlanWarning)
        return split_community(compounds, scenario=kwargs.pop("scenario", _scenario()), **kwargs)


def _members(plan, name: str) -> set[frozenset]:
    compounds = plan.compounds
    mine = compounds[compounds["community"] == name]
    return {frozenset(g["compound_id"]) for _, g in mine.groupby("community_id")}


def test_the_best_splits_of_a_three_by_two_block_come_in_order_of_boundary():
    # two vertical cuts (2 adjacencies, 200 m) are the optimum, then a 300 m split
    split = _split(_district(), community="甲", parts=2, alternatives=3, min_difference=1)
    table = split.comparison
    assert list(table["boundary_m"]) == [200.0, 200.0, 300.0]
    assert list(table["status"]) == ["optimal"] * 3
    # the two best are the two column cuts, in either order
    assert {frozenset(_members(p, "甲")) for p in split.alternatives[:2]} == {
        frozenset({frozenset({"C01", "C04"}), frozenset({"C02", "C03", "C05", "C06"})}),
        frozenset({frozenset({"C03", "C06"}), frozenset({"C01", "C02", "C04", "C05"})}),
    }
    assert len({frozenset(_members(p, "甲")) for p in split.alternatives}) == 3


def test_every_other_community_keeps_its_compounds_and_households_are_conserved():
    split = _split(_district(), community="甲", parts=2, alternatives=2)
    for plan in split.alternatives:
        assert _members(plan, "乙") == {frozenset({"D0", "D1"})}
        other = plan.communities[plan.communities["name"] == "乙"]
        assert bool(other["unchanged"].all())
        assert int(plan.communities["households"].sum()) == 3000 + 1400
        assert int(plan.grids["households"].sum()) == 3000 + 1400
        assert int(plan.communities["population"].sum()) == 7500 + 3500
        new = plan.communities[plan.communities["name"].str.startswith("甲")]
        assert len(new) == 2 and bool(new["within_bounds"].all())


def test_when_only_one_split_exists_the_notes_say_there_is_no_other():
    # with a 1,500 cap only 3 + 3 splits fit, and a 2 × 3 block has fewer than five
    scenario = _scenario(max_households=1500)
    split = _split(_district(), community="甲", parts=2, alternatives=5, scenario=scenario)
    sizes = {
        tuple(sorted(int(h) for h in row.split("/"))) for row in split.comparison["households"]
    }
    assert sizes == {(1500, 1500)}
    assert len(split.alternatives) < 5
    assert any("no other split exists" in note for note in split.notes)


def test_a_locked_compound_stays_in_the_community_that_keeps_the_name():
    split = _split(_district(locked="C06"), community="甲", parts=2, alternatives=2)
    for plan in split.alternatives:
        compounds = plan.compounds.set_index("compound_id")
        assert compounds.loc["C06", "community_name"] == "甲"


def test_an_unknown_community_is_named_with_the_closest_names():
    with pytest.raises(InputDataError, match=r"no compound belongs to a community named '甲乙'"):
        _split(_district(), community="甲乙")


def test_a_count_of_parts_the_bounds_cannot_hold_says_which_counts_fit():
    with pytest.raises(InfeasibleSpecError, match=r"5 communities of .*between 2 and 3 parts fit"):
        _split(_district(), community="甲", parts=5)


def test_split_writes_the_comparison_and_one_plan_directory_per_alternative(tmp_path, capsys):
    path = tmp_path / "district.gpkg"
    _district().to_file(path, layer="compounds", engine="pyogrio")
    scenario = tmp_path / "scenario.toml"
    scenario.write_text(
        "[community]\nmin_households = 1000\nmax_households = 2000\ntarget_households = 1500\n"
        "[grid]\nmin_households = 300\nmax_households = 500\n",
        encoding="utf-8",
    )
    with pytest.warns(PlanWarning, match="grids were drawn anew"):
        code = main(
            ["split", str(path), "--community", "甲", "--parts", "2", "--alternatives", "2",
             "--config", str(scenario), "--out", str(tmp_path / "out")]
        )  # fmt: skip
    assert code == 1  # virtual grids: the notes say so
    table = pd.read_csv(tmp_path / "out" / "alternatives.csv", encoding="utf-8-sig")
    assert list(table["alternative"]) == [1, 2]
    for number in (1, 2):
        plan_dir = tmp_path / "out" / f"alternative_{number}"
        assert {p.name for p in plan_dir.iterdir()} >= {"plan.gpkg", "summary.json", "moves.csv"}
    assert "甲: split into 2 communities" in capsys.readouterr().out


def test_the_pipeline_reads_and_writes_like_plan(tmp_path):
    path = tmp_path / "district.gpkg"
    _district().to_file(path, layer="compounds", engine="pyogrio")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PlanWarning)
        run = pipeline.run_split(
            path, tmp_path / "out", community="甲", scenario=_scenario(), parts=2
        )
    assert set(run.files) >= {"alternatives.csv", "alternative_1/plan.gpkg"}
