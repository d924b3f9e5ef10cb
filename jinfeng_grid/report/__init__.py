"""Tables and summaries of a district, a plan, and a comparison of plans."""

from __future__ import annotations

from jinfeng_grid.report.package import write_package
from jinfeng_grid.report.summaries import (
    SIDES,
    DistrictSummary,
    boundary_descriptions,
    district_summary,
    format_district_summary,
)

__all__ = [
    "SIDES",
    "DistrictSummary",
    "boundary_descriptions",
    "district_summary",
    "format_district_summary",
    "write_package",
]
