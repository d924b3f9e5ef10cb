"""The staffing and size standards the software ships, each with its source.

Every value is a default that a scenario may override. ``confidence`` says how sure
we are that the cited text says what we use (``high``: the text was read; ``medium``:
consistent secondary sources; ``low``: cited by the 2020 Jinfeng report, text not
found). See ``DOMAIN.md`` in the design notes for the background.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import pandas as pd

__all__ = ["STANDARDS", "Standard", "standard", "standards_table"]

Confidence = Literal["high", "medium", "low"]


@dataclass(frozen=True)
class Standard:
    """One norm: a value or a range, its unit and where it comes from."""

    key: str
    minimum: float
    maximum: float
    unit: str
    description: str
    source: str
    confidence: Confidence

    def __post_init__(self) -> None:
        if self.minimum > self.maximum:
            raise ValueError(
                f"standard {self.key}: minimum {self.minimum} > maximum {self.maximum}"
            )
        if self.confidence not in ("high", "medium", "low"):
            raise ValueError(f"standard {self.key}: unknown confidence {self.confidence!r}")

    @property
    def value(self) -> float:
        """The single value of a point norm, or the middle of a range."""
        return (self.minimum + self.maximum) / 2


_NINGXIA_PLAN = "Ningxia three-year plan for urban community governance, Dec 2022"
_REPORT = "2020 Jinfeng District report"

_ROWS: tuple[Standard, ...] = (
    Standard(
        "community_households",
        3000,
        3000,
        "households",
        "target households per urban community (Ningxia)",
        f"宁党办〔2011〕31号 as cited by the {_REPORT}; text not found",
        "low",
    ),
    Standard(
        "community_households_hebei",
        1500,
        3000,
        "households",
        "households per urban community (Hebei, for comparison)",
        "冀办发〔2011〕20号",
        "medium",
    ),
    Standard(
        "grid_households",
        300,
        500,
        "households",
        "households per grid (one grid worker each)",
        f"{_NINGXIA_PLAN}; Yinchuan rule cited by the {_REPORT}",
        "high",
    ),
    Standard(
        "grid_households_old_compound",
        100,
        300,
        "households",
        "households per grid in old compounds",
        f"{_NINGXIA_PLAN}; Yinchuan rule cited by the {_REPORT}",
        "high",
    ),
    Standard(
        "grid_population",
        2000,
        2500,
        "persons",
        "population ceiling of a grid",
        "urban grid management norms",
        "medium",
    ),
    Standard(
        "grid_workers_per_grid",
        1,
        1,
        "workers per grid",
        "grid workers per grid",
        _NINGXIA_PLAN,
        "high",
    ),
    Standard(
        "community_workers_per_10k",
        18,
        18,
        "per 10,000 residents",
        "community workers, at least",
        _NINGXIA_PLAN,
        "high",
    ),
    Standard(
        "police_per_10k",
        2,
        3,
        "per 10,000 residents",
        "community police including auxiliaries (1 officer per 3,000-5,000 residents)",
        f"宁党办〔2018〕9号 as cited by the {_REPORT}; Ministry of Public Security 2022",
        "high",
    ),
    Standard(
        "police_rooms_per_community",
        1,
        1,
        "rooms per community",
        "police room in every community, beside the residents' committee, at least",
        "Ministry of Public Security 2006",
        "high",
    ),
    Standard(
        "medical_per_10k",
        8,
        10,
        "per 10,000 residents",
        "community medical staff",
        f"银政办发〔2016〕76号 as cited by the {_REPORT}",
        "low",
    ),
    Standard(
        "cdc_per_10k",
        1.75,
        1.75,
        "per 10,000 residents",
        "disease-control (CDC) staff (1.35 at district level)",
        "中央编办发〔2014〕2号",
        "high",
    ),
    Standard(
        "health_centre_residents",
        30000,
        50000,
        "residents per centre",
        "one community health service centre per 30,000-50,000 residents",
        "Ministry of Health 2000/2006",
        "medium",
    ),
    Standard(
        "health_centre_radius",
        1000,
        1000,
        "metres",
        "service radius of a community health service centre, at most",
        "Ministry of Health 2000/2006",
        "medium",
    ),
    Standard(
        "living_circle_15min_walk",
        800,
        1000,
        "metres",
        "walking distance of the 15-minute living circle (50,000-100,000 people)",
        "GB 50180-2018",
        "high",
    ),
    Standard(
        "living_circle_10min_walk",
        500,
        500,
        "metres",
        "walking distance of the 10-minute living circle (15,000-25,000 people)",
        "GB 50180-2018",
        "high",
    ),
    Standard(
        "living_circle_5min_walk",
        300,
        300,
        "metres",
        "walking distance of the 5-minute living circle (5,000-12,000 people)",
        "GB 50180-2018",
        "medium",
    ),
    Standard(
        "walk_speed",
        60,
        60,
        "metres per minute",
        "planning walk speed",
        "planning practice",
        "medium",
    ),
    Standard(
        "household_size",
        2.65,
        2.65,
        "persons per household",
        "average household size, Ningxia 2020",
        "Seventh national census, 2020",
        "high",
    ),
)

STANDARDS: MappingProxyType[str, Standard] = MappingProxyType({row.key: row for row in _ROWS})
"""Every shipped standard by key (read-only)."""


def standard(key: str) -> Standard:
    """Return the shipped standard ``key``.

    Raises
    ------
    KeyError
        With the list of known keys when ``key`` is unknown.
    """
    try:
        return STANDARDS[key]
    except KeyError:
        raise KeyError(f"unknown standard {key!r}; known: {', '.join(sorted(STANDARDS))}") from None


def standards_table() -> pd.DataFrame:
    """The shipped standards as a table (one row per key) for reports and notebooks."""
    return pd.DataFrame(
        [
            {
                "key": row.key,
                "minimum": row.minimum,
                "maximum": row.maximum,
                "unit": row.unit,
                "description": row.description,
                "source": row.source,
                "confidence": row.confidence,
            }
            for row in _ROWS
        ]
    )
