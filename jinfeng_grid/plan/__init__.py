"""Plan communities within subdistricts and grids within communities."""

from __future__ import annotations

from jinfeng_grid.plan.district import (
    DistrictPlan,
    LevelSummary,
    PlanWarning,
    SplitResult,
    Subproblem,
    plan_district,
    split_community,
)

__all__ = [
    "DistrictPlan",
    "LevelSummary",
    "PlanWarning",
    "SplitResult",
    "Subproblem",
    "plan_district",
    "split_community",
]
