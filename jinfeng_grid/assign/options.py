"""The options of a staff assignment: the rules' numbers and the solver settings.

Its own module so that :mod:`jinfeng_grid.assign.assignment` and
:mod:`jinfeng_grid.assign.tables` both import it and neither imports the other back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from jinfeng_grid.errors import ConfigError

__all__ = ["AssignOptions"]


@dataclass(frozen=True)
class AssignOptions:
    """The rules' numbers and the solver settings.

    Attributes
    ----------
    full_time_grids
        Most grids of one subdistrict a full-time grid worker serves (2).
    residents_per_officer
        Most residents of the communities one officer serves together (5,000).
    police_reach_m
        Farthest a community's boundary may be from the place an officer works from
        (1,000 m).
    solver, time_limit, threads, seed
        Passed to the solver; ``time_limit`` is in seconds per stage.
    """

    full_time_grids: int = 2
    residents_per_officer: int = 5_000
    police_reach_m: float = 1_000.0
    solver: str = "highs"
    time_limit: float | None = 60.0
    threads: int | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.full_time_grids, int) or self.full_time_grids < 1:
            raise ConfigError(
                f"full_time_grids must be a whole number >= 1, got {self.full_time_grids!r}"
            )
        if not isinstance(self.residents_per_officer, int) or self.residents_per_officer < 1:
            raise ConfigError(
                "residents_per_officer must be a whole number >= 1 (the norm is "
                f"3,000-5,000), got {self.residents_per_officer!r}"
            )
        if not (self.police_reach_m >= 0 and math.isfinite(self.police_reach_m)):
            raise ConfigError(f"police_reach_m must be >= 0 metres, got {self.police_reach_m!r}")
        if self.time_limit is not None and not self.time_limit > 0:
            raise ConfigError(f"time_limit must be positive seconds, got {self.time_limit!r}")
