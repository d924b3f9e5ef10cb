"""Exceptions of jinfeng_grid.

Every exception raised on purpose by the package subclasses :class:`JinfengGridError`
and a builtin, so callers can catch either. Each message says what is wrong, where
(ids, names, row numbers) and how to fix it. ``exit_code`` is what the command line
returns for it (0 ok, 1 warnings, 2 bad input, 3 infeasible, 4 solver or time limit
without a plan).
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "GeometryError",
    "InfeasibleSpecError",
    "InputDataError",
    "JinfengGridError",
    "PlanCheckError",
    "SolverError",
]


class JinfengGridError(Exception):
    """Base class of every error jinfeng_grid raises on purpose."""

    exit_code: int = 2


class InputDataError(JinfengGridError, ValueError):
    """The user's data cannot be used as given (missing columns, bad values, ids)."""

    exit_code = 2


class GeometryError(InputDataError):
    """Geometries are missing, empty, invalid beyond repair, or without a CRS."""


class ConfigError(JinfengGridError, ValueError):
    """A scenario file or an option is malformed or out of range."""

    exit_code = 2


class InfeasibleSpecError(JinfengGridError, ValueError):
    """The caps or counts asked for cannot be met by any plan (proven before or by solving)."""

    exit_code = 3


class SolverError(JinfengGridError, RuntimeError):
    """The solver failed, or stopped at its time limit without any plan."""

    exit_code = 4


class PlanCheckError(JinfengGridError, RuntimeError):
    """A plan failed an independent audit (a bug: please report it with the input)."""

    exit_code = 4
