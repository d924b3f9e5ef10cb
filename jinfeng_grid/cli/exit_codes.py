"""The exit codes of ``jinfeng-grid``: one per outcome, and the one map from error kind to code.

Every command returns :data:`EXIT_OK` or :data:`EXIT_WARNINGS` when it made its
result, and :func:`~jinfeng_grid.cli.main.main` turns an error of the package into
:func:`exit_code_for` of it. Nothing else in the package decides an exit code.

=====  =================================================================
code   meaning
=====  =================================================================
0      ok
1      warnings: the result was made but has notes
2      bad input (data, geometry, a scenario or an option)
3      infeasible caps: no plan can meet them (proven before or by solving)
4      solver or time limit without a result
5      a result failed its own audit (a bug: please report it with the input)
=====  =================================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from jinfeng_grid.errors import (
    ConfigError,
    GeometryError,
    InfeasibleSpecError,
    InputDataError,
    JinfengGridError,
    PlanCheckError,
    SolverError,
    StalePlanError,
)

__all__ = [
    "EXIT_AUDIT_FAILED",
    "EXIT_BAD_INPUT",
    "EXIT_CODES",
    "EXIT_INFEASIBLE",
    "EXIT_NO_RESULT",
    "EXIT_OK",
    "EXIT_WARNINGS",
    "exit_code_for",
]

#: The result was made and has no notes.
EXIT_OK = 0
#: The result was made but has notes (or warnings) a person should read.
EXIT_WARNINGS = 1
#: The data, a scenario or an option cannot be used as given.
EXIT_BAD_INPUT = 2
#: The caps or counts asked for cannot be met by any plan.
EXIT_INFEASIBLE = 3
#: The solver failed, or stopped at its time limit without any result.
EXIT_NO_RESULT = 4
#: A result failed an independent audit: a bug of the package.
EXIT_AUDIT_FAILED = 5

#: Error kind → exit code, for every kind in :mod:`jinfeng_grid.errors`. The base class
#: is there for a kind added without a code of its own (tests/test_exit_codes.py fails
#: on such a kind): it counts as bad input.
EXIT_CODES: Mapping[type[JinfengGridError], int] = MappingProxyType(
    {
        JinfengGridError: EXIT_BAD_INPUT,
        InputDataError: EXIT_BAD_INPUT,
        GeometryError: EXIT_BAD_INPUT,
        ConfigError: EXIT_BAD_INPUT,
        InfeasibleSpecError: EXIT_INFEASIBLE,
        SolverError: EXIT_NO_RESULT,
        PlanCheckError: EXIT_AUDIT_FAILED,
        StalePlanError: EXIT_BAD_INPUT,
    }
)


def exit_code_for(error: JinfengGridError) -> int:
    """The exit code of an error: that of its kind, else of its nearest mapped base.

    Parameters
    ----------
    error
        An error the package raised on purpose.

    Returns
    -------
    int
        2, 3, 4 or 5 (see the module docs).
    """
    for kind in type(error).__mro__:
        if kind in EXIT_CODES:
            return EXIT_CODES[kind]
    return EXIT_BAD_INPUT  # pragma: no cover - every JinfengGridError has a mapped base
