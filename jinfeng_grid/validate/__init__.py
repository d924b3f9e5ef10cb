"""Validate compounds (and buildings) in one pass and report every problem at once."""

from __future__ import annotations

from jinfeng_grid.validate.compounds import (
    DEFAULT_OVERLAP_TOLERANCE,
    DEFAULT_REPAIR_AREA_TOLERANCE,
    ValidationReport,
    validate_compounds,
)
from jinfeng_grid.validate.rules import Issue, Severity

__all__ = [
    "DEFAULT_OVERLAP_TOLERANCE",
    "DEFAULT_REPAIR_AREA_TOLERANCE",
    "Issue",
    "Severity",
    "ValidationReport",
    "validate_compounds",
]
