"""Exceptions of jinfeng_grid.

Every exception raised on purpose by the package subclasses :class:`JinfengGridError`
and a builtin, so callers can catch either. Each message says what is wrong, where
(ids, names, row numbers) and how to fix it. There is one class per kind of failure;
the exit code the command line returns for each kind is decided in one place,
:data:`jinfeng_grid.cli.exit_codes.EXIT_CODES`.
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


class InputDataError(JinfengGridError, ValueError):
    """The user's data cannot be used as given (missing columns, bad values, ids)."""


class GeometryError(InputDataError):
    """Geometries are missing, empty, invalid beyond repair, or without a CRS."""


class ConfigError(JinfengGridError, ValueError):
    """A scenario file or an option is malformed or out of range."""


class InfeasibleSpecError(JinfengGridError, ValueError):
    """The caps or counts asked for cannot be met by any plan (proven before or by solving)."""


class SolverError(JinfengGridError, RuntimeError):
    """The solver failed, or stopped at its time limit without any plan."""


class PlanCheckError(JinfengGridError, RuntimeError):
    """A plan failed an independent audit (a bug: please report it with the input)."""


class StalePlanError(InputDataError):
    """A plan directory whose files no longer belong together (one changed after
    ``plan`` wrote it)."""
