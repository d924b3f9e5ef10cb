"""Plan communities within subdistricts and grids within communities."""

from __future__ import annotations

from jinfeng_grid.plan.district import plan_district
from jinfeng_grid.plan.records import DistrictPlan, LevelSummary, PlanWarning, Subproblem
from jinfeng_grid.plan.split import SplitResult, split_community

__all__ = [
    "DistrictPlan",
    "LevelSummary",
    "PlanWarning",
    "SplitResult",
    "Subproblem",
    "plan_district",
    "split_community",
]
