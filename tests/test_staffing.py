"""Staffing requirements: the norms, rounding, and the published Jinfeng figures."""

from __future__ import annotations

import pandas as pd
import pytest

from jinfeng_grid.errors import ConfigError, InputDataError
from jinfeng_grid.staffing import ROLES, StaffingNorms, required_staff, staffing_table


def test_grid_worker_norm_for_258000_households_is_516_to_860() -> None:
    assert required_staff(258_000, 567_000)["grid_worker"] == (516, 860, "per households")


def test_per_10k_requirements_round_up_to_whole_people() -> None:
    needs = required_staff(3_000, 8_001)
    assert needs["community_worker"] == (15, 15, "per 10,000")  # 14.4018 -> 15
    assert needs["police"] == (2, 3, "per 10,000")  # 1.6002 -> 2, 2.4003 -> 3
    assert needs["medical"] == (7, 9, "per 10,000")  # 6.4008 -> 7, 8.001 -> 9
    assert needs["cdc"] == (2, 2, "per 10,000")  # 1.4002 -> 2


def test_known_grids_fix_the_grid_worker_requirement_at_one_per_grid() -> None:
    assert required_staff(12_640, 35_340, grids=30)["grid_worker"] == (30, 30, "per grid")


def test_a_unit_below_the_low_cap_still_needs_one_grid_worker() -> None:
    assert required_staff(120, 300)["grid_worker"] == (1, 1, "per households")


def test_an_empty_unit_needs_nobody() -> None:
    assert {role: need[:2] for role, need in required_staff(0, 0).items()} == {
        role: (0, 0) for role in ROLES
    }


def _district(actual: dict[str, int] | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    units = pd.DataFrame(
        [
            {
                "level": "district",
                "unit_id": "640106",
                "unit_name": "金凤区",
                "households": 258_000,
                "population": 567_000,
            }
        ]
    )
    if actual is None:
        return units, None
    staff = pd.DataFrame(
        [
            {"level": "district", "unit_id": "640106", "role": role, "actual": count}
            for role, count in actual.items()
        ]
    )
    return units, staff


def test_published_jinfeng_ratios_are_reproduced() -> None:
    units, staff = _district({"grid_worker": 448, "police": 48, "medical": 438, "cdc": 34})
    table = staffing_table(units, actual=staff).set_index("role")
    assert table.loc["police", "actual_per_10k"] == pytest.approx(0.85, abs=0.005)
    assert round(table.loc["police", "actual_per_10k"], 1) == 0.8
    assert round(table.loc["medical", "actual_per_10k"], 1) == 7.7
    assert round(table.loc["cdc", "actual_per_10k"], 1) == 0.6
    assert (table.loc["police", "required_min"], table.loc["police", "required_max"]) == (114, 171)
    assert table.loc["grid_worker", "shortfall"] == 516 - 448
    assert table.loc["police", "shortfall"] == 114 - 48


def test_unknown_actual_staff_stays_unknown_not_zero() -> None:
    units, staff = _district({"police": 48})
    table = staffing_table(units, actual=staff).set_index("role")
    assert pd.isna(table.loc["medical", "actual"])
    assert pd.isna(table.loc["medical", "shortfall"])
    assert table.loc["police", "actual"] == 48


def test_a_unit_at_grid_level_needs_exactly_one_grid_worker() -> None:
    units = pd.DataFrame(
        [
            {
                "level": "grid",
                "unit_id": "g1",
                "unit_name": "一网格",
                "households": 420,
                "population": 1100,
            }
        ]
    )
    row = staffing_table(units).set_index("role").loc["grid_worker"]
    assert (row["required_min"], row["required_max"], row["basis"]) == (1, 1, "per grid")


def test_table_has_the_contract_columns_in_order() -> None:
    units, _ = _district()
    assert list(staffing_table(units).columns) == [
        "level",
        "unit_id",
        "unit_name",
        "households",
        "population",
        "role",
        "basis",
        "required_min",
        "required_max",
        "actual",
        "shortfall",
        "actual_per_10k",
    ]


def test_staff_for_a_unit_not_in_the_plan_is_an_error_naming_it() -> None:
    units, _ = _district()
    staff = pd.DataFrame(
        [{"level": "community", "unit_id": "五里水乡", "role": "police", "actual": 3}]
    )
    with pytest.raises(InputDataError, match=r"unit\(s\) not in the plan: community 五里水乡"):
        staffing_table(units, actual=staff)


def test_an_unknown_role_is_an_error_listing_the_known_ones() -> None:
    units, _ = _district()
    staff = pd.DataFrame(
        [{"level": "district", "unit_id": "640106", "role": "firefighter", "actual": 3}]
    )
    with pytest.raises(
        InputDataError, match=r"unknown role\(s\) firefighter: use one of grid_worker"
    ):
        staffing_table(units, actual=staff)


def test_duplicate_units_are_an_error() -> None:
    units, _ = _district()
    with pytest.raises(InputDataError, match=r"units listed more than once: district 640106"):
        staffing_table(pd.concat([units, units]))


def test_a_norm_range_out_of_order_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"police_per_10k must be a range 0 < low <= high"):
        StaffingNorms(police_per_10k=(3, 2))
