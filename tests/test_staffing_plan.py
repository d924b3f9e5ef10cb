"""Staffing of a plan and of the current district: which actual staff can be attributed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from jinfeng_grid.config import Scenario
from jinfeng_grid.errors import InputDataError, PlanCheckError
from jinfeng_grid.plan import Plan
from jinfeng_grid.staffing import (
    staffing_before_plan,
    staffing_comparison,
    staffing_current,
    staffing_for_plan,
)

CRS = "EPSG:4544"

# four compounds in a row, one subdistrict 东街; now: 甲 = {A, B}, 乙 = {C, D};
# the plan keeps 甲 and splits 乙 into c2 = {C} and c3 = {D}; one grid per compound
COMPOUNDS = [
    # id, households, population, current community, new community, new grid
    ("A", 400, 1000, "甲", "c1", "g1"),
    ("B", 300, 900, "甲", "c1", "g2"),
    ("C", 450, 1200, "乙", "c2", "g3"),
    ("D", 350, 1100, "乙", "c3", "g4"),
]


def _staff(**overrides: dict[str, int]) -> pd.DataFrame:
    rows = [
        {"level": "community", "subdistrict": "东街", "community": "甲", "police": 1},
        {"level": "community", "subdistrict": "东街", "community": "乙", "police": 2},
        {"level": "district", "subdistrict": None, "community": None, "police": 0},
    ]
    table = pd.DataFrame(rows)
    table["grid_workers_full_time"] = [1, 0, 0]
    table["grid_workers_part_time"] = [1, 2, 0]
    table["cdc"] = [0, 0, 5]
    for column, values in overrides.items():
        table[column] = values
    return table


def _plan(staff: pd.DataFrame | None = None) -> Plan:
    geometry = [box(100 * i, 0, 100 * i + 90, 90) for i in range(len(COMPOUNDS))]
    compounds = gpd.GeoDataFrame(
        {
            "compound_id": [c[0] for c in COMPOUNDS],
            "households": [c[1] for c in COMPOUNDS],
            "population": [c[2] for c in COMPOUNDS],
            "subdistrict": "东街",
            "community": [c[3] for c in COMPOUNDS],
            "community_id": [c[4] for c in COMPOUNDS],
            "subdistrict_id": "s1",
        },
        geometry=geometry,
        crs=CRS,
    )
    grids = gpd.GeoDataFrame(
        {
            "grid_id": [c[5] for c in COMPOUNDS],
            "name": [f"网格{c[5]}" for c in COMPOUNDS],
            "community_id": [c[4] for c in COMPOUNDS],
            "subdistrict_id": "s1",
            "households": [c[1] for c in COMPOUNDS],
            "population": [c[2] for c in COMPOUNDS],
        },
        geometry=geometry,
        crs=CRS,
    )
    communities = compounds.dissolve("community_id", aggfunc="sum", numeric_only=True)
    communities = communities.reset_index()
    communities["name"] = communities["community_id"].map({"c1": "甲", "c2": "乙", "c3": "乙(2)"})
    return Plan(
        compounds=compounds,
        communities=communities,
        grids=grids,
        scenario=Scenario(),
        staff=_staff() if staff is None else staff,
    )


def _cell(table: pd.DataFrame, level: str, unit: str, role: str, column: str) -> object:
    row = table[(table["level"] == level) & (table["unit_id"] == unit) & (table["role"] == role)]
    assert len(row) == 1, (level, unit, role)
    return row[column].iloc[0]


def test_an_unchanged_community_keeps_its_actual_staff_and_a_redrawn_one_is_unknown() -> None:
    table = staffing_for_plan(_plan())
    assert _cell(table, "community", "c1", "grid_worker", "actual") == 2
    assert _cell(table, "community", "c1", "police", "actual") == 1
    assert pd.isna(_cell(table, "community", "c2", "police", "actual"))
    assert pd.isna(_cell(table, "community", "c3", "grid_worker", "shortfall"))


def test_the_district_and_an_unchanged_subdistrict_get_the_table_totals() -> None:
    table = staffing_for_plan(_plan(), district_id="640199", district_name="某区")
    assert _cell(table, "district", "640199", "grid_worker", "actual") == 4
    assert _cell(table, "district", "640199", "police", "actual") == 3
    assert _cell(table, "subdistrict", "s1", "police", "actual") == 3
    assert _cell(table, "district", "640199", "grid_worker", "required_min") == 4  # 4 grids


def test_staff_held_at_district_level_appears_at_district_level_only() -> None:
    table = staffing_for_plan(_plan())
    assert _cell(table, "district", "640106", "cdc", "actual") == 5
    assert pd.isna(_cell(table, "subdistrict", "s1", "cdc", "actual"))
    assert pd.isna(_cell(table, "community", "c1", "cdc", "actual"))


def test_a_role_without_a_column_is_unknown_everywhere() -> None:
    table = staffing_for_plan(_plan())
    assert table.loc[table["role"] == "medical", "actual"].isna().all()


def test_grids_have_a_grid_worker_row_only() -> None:
    table = staffing_for_plan(_plan())
    grids = table[table["level"] == "grid"]
    assert set(grids["role"]) == {"grid_worker"}
    assert len(grids) == 4
    assert (grids["required_min"] == 1).all() and (grids["required_max"] == 1).all()


def test_households_and_population_are_the_same_at_every_level() -> None:
    table = staffing_for_plan(_plan())
    for _level, rows in table[table["role"] == "grid_worker"].groupby("level"):
        assert rows["households"].sum() == 1500
        assert rows["population"].sum() == 4200


def test_a_plan_whose_levels_do_not_add_up_is_refused() -> None:
    plan = _plan()
    plan.grids.loc[0, "households"] = 401
    with pytest.raises(PlanCheckError, match=r"households do not add up: compounds hold 1,500"):
        staffing_for_plan(plan)


def test_a_staff_table_naming_an_unknown_community_is_an_error_naming_it() -> None:
    staff = _staff(community=["甲", "丙", None])
    with pytest.raises(InputDataError, match=r"row 2 \(丙\): community '丙' is not the current"):
        staffing_for_plan(_plan(staff))


def test_negative_counts_are_an_error_naming_the_row() -> None:
    staff = _staff(police=[1, -2, 0])
    with pytest.raises(InputDataError, match=r"police must be a whole number >= 0 \(row 2 \(乙\)"):
        staffing_for_plan(_plan(staff))


def test_an_unknown_role_column_is_an_error_listing_the_known_ones() -> None:
    staff = _staff(firefighters=[1, 1, 0])
    with pytest.raises(
        InputDataError, match=r"column\(s\) firefighters are neither a role nor a unit name"
    ):
        staffing_for_plan(_plan(staff))


def test_a_community_listed_twice_is_an_error() -> None:
    staff = _staff(community=["甲", "甲", None])
    with pytest.raises(InputDataError, match=r"communities listed more than once: 甲"):
        staffing_for_plan(_plan(staff))


def test_the_current_state_has_one_grid_worker_per_current_grid() -> None:
    compounds = pd.DataFrame(
        {
            "id": [c[0] for c in COMPOUNDS],
            "households": [c[1] for c in COMPOUNDS],
            "population": [c[2] for c in COMPOUNDS],
            "subdistrict": "东街",
            "community": [c[3] for c in COMPOUNDS],
            "grid": ["x1", "x1", "y1", "y2"],
        }
    )
    table = staffing_current(compounds, staff=_staff())
    assert _cell(table, "community", "甲", "grid_worker", "required_min") == 1
    assert _cell(table, "community", "乙", "grid_worker", "required_min") == 2
    assert _cell(table, "community", "乙", "grid_worker", "actual") == 2
    assert _cell(table, "community", "乙", "police", "actual") == 2
    assert _cell(table, "grid", "x1", "grid_worker", "households") == 700


def test_without_current_grids_the_household_rule_applies() -> None:
    compounds = pd.DataFrame(
        {"id": ["A"], "households": [1000], "population": [2500], "community": ["甲"]}
    )
    table = staffing_current(compounds)
    assert _cell(table, "community", "甲", "grid_worker", "required_min") == 2
    assert _cell(table, "community", "甲", "grid_worker", "required_max") == 3


def test_the_before_state_of_a_plan_comes_from_the_compounds_current_communities() -> None:
    before = staffing_before_plan(_plan())
    assert before is not None
    assert set(before.loc[before["level"] == "community", "unit_name"]) == {"甲", "乙"}
    assert _cell(before, "community", "乙", "police", "actual") == 2


def test_the_comparison_sums_requirements_and_leaves_partly_unknown_actuals_empty() -> None:
    plan = _plan()
    comparison = staffing_comparison(staffing_before_plan(plan), staffing_for_plan(plan))
    row = comparison.set_index(["level", "role"]).loc[("community", "police")]
    assert (row["units_before"], row["units_after"]) == (2, 3)
    assert row["actual_before"] == 3
    assert pd.isna(row["actual_after"])  # c2 and c3 are re-drawn
    district = comparison.set_index(["level", "role"]).loc[("district", "police")]
    assert district["actual_before"] == district["actual_after"] == 3
    levels = ["grid", "community", "subdistrict", "district"]
    assert list(comparison["level"].drop_duplicates()) == levels
    grid = comparison.set_index(["level", "role"]).loc[("grid", "grid_worker")]
    assert (grid["units_before"], grid["units_after"]) == (0, 4)  # no current grids given


def test_the_sample_district_as_it_is_gives_the_published_actual_ratios() -> None:
    from jinfeng_grid import io

    sample = Path(__file__).resolve().parents[1] / "sample_geodata" / "jinfeng.gpkg"
    table = staffing_current(
        io.read_compounds(sample),
        buildings=io.read_buildings(sample),
        staff=io.read_layer(sample, layer="staff"),
    )
    district = table[table["level"] == "district"].set_index("role")
    # 567,643 residents: police 48 -> 0.8, medical 438 -> 7.7, CDC 34 -> 0.6 per 10,000
    assert round(district.loc["police", "actual_per_10k"], 1) == 0.8
    assert round(district.loc["medical", "actual_per_10k"], 1) == 7.7
    assert round(district.loc["cdc", "actual_per_10k"], 1) == 0.6
    assert district.loc["grid_worker", "actual"] == 448
    assert district.loc["grid_worker", "required_min"] == 400  # one per current grid
    communities = table[(table["level"] == "community") & (table["role"] == "police")]
    assert len(communities) == 48 and (communities["actual"] == 1).all()
    assert table.loc[table["level"] == "community", "actual"].notna().any()
    assert (
        table.loc[(table["level"] != "district") & (table["role"] == "cdc"), "actual"].isna().all()
    )


def test_subdistricts_are_named_from_the_compounds_when_the_plan_has_no_layer_of_them() -> None:
    plan = _plan()
    table = staffing_for_plan(plan)
    assert set(table.loc[table["level"] == "subdistrict", "unit_name"]) == {"东街"}
    redrawn = dataclasses.replace(
        plan, compounds=plan.compounds.assign(subdistrict_name="新设街道1")
    )
    table = staffing_for_plan(redrawn)
    assert set(table.loc[table["level"] == "subdistrict", "unit_name"]) == {"新设街道1"}
    bare = dataclasses.replace(
        plan, compounds=plan.compounds.drop(columns="subdistrict"), staff=None
    )
    table = staffing_for_plan(bare)
    assert set(table.loc[table["level"] == "subdistrict", "unit_name"]) == {"s1"}
