"""The scenario a plan was made under, as its maps need it.

A plan's ``summary.json`` records the scenario in its provenance
(:meth:`jinfeng_grid.config.Scenario.to_dict`); the maps take the district's name
and code, the community caps and the closing distance of unit outlines
(:func:`jinfeng_grid.plan.outline.closing_distance`) from it, never from literals.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from jinfeng_grid.config.scenario import Scenario
from jinfeng_grid.errors import ConfigError

if TYPE_CHECKING:
    from jinfeng_grid.io.plan_dir import PlanFiles

__all__ = ["plan_scenario"]

logger = logging.getLogger(__name__)


def plan_scenario(plan: PlanFiles) -> Scenario:
    """The scenario recorded in the plan's provenance; the default scenario without one.

    Parameters
    ----------
    plan
        A plan read by :func:`jinfeng_grid.io.read_plan`.

    Returns
    -------
    Scenario
        Parsed by :meth:`Scenario.from_dict`. A plan whose summary records no scenario,
        or one this version cannot read, gets :class:`Scenario`'s defaults (logged).
    """
    provenance = plan.summary.get("provenance")
    recorded = provenance.get("scenario") if isinstance(provenance, Mapping) else None
    if not isinstance(recorded, Mapping):
        logger.info("the plan's summary records no scenario: the maps use the default one")
        return Scenario()
    try:
        return Scenario.from_dict(recorded)
    except ConfigError as error:
        logger.warning(
            "the scenario in the plan's summary cannot be read (%s): the maps use the default one",
            error,
        )
        return Scenario()
