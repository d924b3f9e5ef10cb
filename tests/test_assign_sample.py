"""The sample district's default plan staffed from the sample roster (slow: plans first).

Checks the rules independently of the model (``check_rules`` of ``test_assign``), the
proofs, and that the shortfall is the plan's staffing requirement less the people.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_assign import check_rules

from jinfeng_grid import cli, io
from jinfeng_grid.assign import StaffAssignment, assign_staff
from jinfeng_grid.plan import Plan, read_plan
from jinfeng_grid.staffing import staffing_for_plan

SAMPLE = Path(__file__).resolve().parents[1] / "sample_geodata" / "jinfeng.gpkg"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    out = tmp_path_factory.mktemp("plan")
    assert cli.main(["-q", "plan", str(SAMPLE), "--out", str(out)]) in (0, 1)
    return read_plan(out)


@pytest.fixture(scope="module")
def roster() -> pd.DataFrame:
    return io.read_layer(SAMPLE, layer="roster")


@pytest.fixture(scope="module")
def result(plan: Plan, roster: pd.DataFrame) -> StaffAssignment:
    return assign_staff(plan, roster)


def test_every_assignment_of_the_sample_respects_the_rules(
    plan: Plan, roster: pd.DataFrame, result: StaffAssignment
) -> None:
    check_rules(plan, roster, result)


def test_every_stage_is_proven_optimal(result: StaffAssignment) -> None:
    assert result.proven


def test_nobody_is_idle_while_a_unit_they_may_serve_is_uncovered(
    result: StaffAssignment,
) -> None:
    # the sample has fewer people than grids: coverage first puts everyone to work
    workers = result.workload[result.workload["role"] == "grid_worker"]
    assert (workers["units"] >= 1).all()
    full_time = workers[workers["employment"] == "full_time"]
    assert (full_time["units"] == 2).all()


def test_the_shortfall_is_the_staffing_requirement_less_the_grids_people_serve(
    plan: Plan, result: StaffAssignment
) -> None:
    need = staffing_for_plan(plan)
    district = need[(need["level"] == "district") & (need["role"] == "grid_worker")]
    required = int(district["required_min"].iloc[0])
    assert required == len(plan.grids)
    served = int(result.workload.loc[result.workload["role"] == "grid_worker", "units"].sum())
    uncovered = result.uncovered[result.uncovered["level"] == "grid"]
    assert len(uncovered) == required - served
    hires = result.hires[result.hires["role"] == "grid_worker"]
    assert hires["part_time_hires"].sum() == len(uncovered)
    left = result.uncovered[result.uncovered["level"] == "community"]
    assert len(left) == len(plan.communities) - int(result.communities["covered"].sum())
    assert result.hires["police_hires"].sum() == len(left)


def test_uncovered_units_come_largest_first(result: StaffAssignment) -> None:
    for _, rows in result.uncovered.groupby("level"):
        assert rows["households"].is_monotonic_decreasing
