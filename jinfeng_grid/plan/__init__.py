"""Plan communities within subdistricts and grids within communities; the plan value
and its directory."""

from __future__ import annotations

from jinfeng_grid.plan.audit import audit_plan
from jinfeng_grid.plan.directory import moves_table, plan_tables, read_plan, write_plan
from jinfeng_grid.plan.district import plan_district
from jinfeng_grid.plan.records import LevelSummary, PlanWarning, Subproblem
from jinfeng_grid.plan.split import SplitResult, split_community
from jinfeng_grid.plan.value import DistrictPlan, Plan

__all__ = [
    "DistrictPlan",
    "LevelSummary",
    "Plan",
    "PlanWarning",
    "SplitResult",
    "Subproblem",
    "audit_plan",
    "moves_table",
    "plan_district",
    "plan_tables",
    "read_plan",
    "split_community",
    "write_plan",
]
