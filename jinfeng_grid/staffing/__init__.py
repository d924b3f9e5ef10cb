"""Staff each unit needs under the norms, the staff it has, and the shortfall."""

from __future__ import annotations

from jinfeng_grid.staffing.actual import ROLE_COLUMNS, staff_by_unit
from jinfeng_grid.staffing.norms import ROLES, StaffingNorms, required_staff, staffing_table
from jinfeng_grid.staffing.plan import (
    PlanStaffing,
    plan_staffing,
    staffing_before_plan,
    staffing_comparison,
    staffing_current,
    staffing_for_plan,
)

__all__ = [
    "ROLES",
    "ROLE_COLUMNS",
    "PlanStaffing",
    "StaffingNorms",
    "plan_staffing",
    "required_staff",
    "staff_by_unit",
    "staffing_before_plan",
    "staffing_comparison",
    "staffing_current",
    "staffing_for_plan",
    "staffing_table",
]
