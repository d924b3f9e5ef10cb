"""Put the actual staff on the new units: grid workers on grids, police on communities."""

from __future__ import annotations

from jinfeng_grid.assign.assignment import ASSIGNED_ROLES, StaffAssignment, assign_staff
from jinfeng_grid.assign.options import AssignOptions
from jinfeng_grid.assign.roster import ROSTER_COLUMNS, check_roster

__all__ = [
    "ASSIGNED_ROLES",
    "ROSTER_COLUMNS",
    "AssignOptions",
    "StaffAssignment",
    "assign_staff",
    "check_roster",
]
