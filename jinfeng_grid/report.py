"""Tables and summaries of a district, a plan, and a comparison of plans."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from jinfeng_grid.errors import InputDataError

__all__ = ["DistrictSummary", "district_summary", "format_district_summary"]

logger = logging.getLogger(__name__)

_REQUIRED = ("subdistrict", "community", "households", "population")


@dataclass(frozen=True)
class DistrictSummary:
    """Counts of a district by subdistrict and community.

    Attributes
    ----------
    subdistricts
        One row per subdistrict: ``communities``, ``compounds``, ``households``,
        ``population``.
    communities
        One row per community: ``subdistrict``, ``compounds``, ``households``,
        ``population``, ``persons_per_household``; largest first.
    marks
        The household marks counted (e.g. 3,000 and 5,000).
    above_marks
        For each mark, the number of communities with more households than it.
    """

    subdistricts: pd.DataFrame
    communities: pd.DataFrame
    marks: tuple[int, ...]
    above_marks: dict[int, int]

    @property
    def households(self) -> int:
        """Total households of the district."""
        return int(self.subdistricts["households"].sum())

    @property
    def population(self) -> int:
        """Total population of the district."""
        return int(self.subdistricts["population"].sum())

    def __repr__(self) -> str:
        return (
            f"<DistrictSummary {len(self.subdistricts)} subdistricts, "
            f"{len(self.communities)} communities, {self.households:,} households, "
            f"{self.population:,} people>"
        )


def district_summary(
    compounds: pd.DataFrame, *, marks: Sequence[int] = (3000, 5000)
) -> DistrictSummary:
    """Summarise compounds by their current subdistrict and community.

    Parameters
    ----------
    compounds
        One row per compound with columns ``subdistrict``, ``community``,
        ``households`` and ``population`` (integers).
    marks
        Household counts; the summary counts the communities above each.

    Raises
    ------
    InputDataError
        If a required column is missing or a count is missing or not a whole number.
    """
    missing = [column for column in _REQUIRED if column not in compounds.columns]
    if missing:
        raise InputDataError(
            f"cannot summarise the district: column(s) {', '.join(missing)} missing; "
            f"the layer has: {', '.join(map(str, compounds.columns))}"
        )
    for column in ("households", "population"):
        values = pd.to_numeric(compounds[column], errors="coerce")
        bad = compounds.index[values.isna() | (values % 1 != 0)]
        if len(bad):
            raise InputDataError(
                f"cannot summarise the district: {column} is missing or not a whole number "
                f"in rows {', '.join(map(str, bad[:10]))}: run `jinfeng-grid validate` for "
                "the full report"
            )
    frame = compounds.loc[:, list(_REQUIRED)].copy()
    frame["households"] = frame["households"].astype("int64")
    frame["population"] = frame["population"].astype("int64")

    communities = (
        frame.groupby(["subdistrict", "community"], sort=True)
        .agg(
            compounds=("households", "size"),
            households=("households", "sum"),
            population=("population", "sum"),
        )
        .reset_index()
        .sort_values(["households", "community"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
    )
    communities["persons_per_household"] = (
        communities["population"] / communities["households"].where(communities["households"] > 0)
    ).round(2)
    subdistricts = (
        frame.groupby("subdistrict", sort=True)
        .agg(
            communities=("community", "nunique"),
            compounds=("households", "size"),
            households=("households", "sum"),
            population=("population", "sum"),
        )
        .sort_values("households", ascending=False, kind="stable")
    )
    marks = tuple(int(mark) for mark in marks)
    above = {mark: int((communities["households"] > mark).sum()) for mark in marks}
    summary = DistrictSummary(subdistricts, communities, marks, above)
    logger.info(
        "summary: %d subdistricts, %d communities, %d compounds, %s households",
        len(subdistricts),
        len(communities),
        len(frame),
        f"{summary.households:,}",
    )
    return summary


def format_district_summary(summary: DistrictSummary, *, top: int = 10) -> str:
    """Render a summary as plain text for a terminal (largest communities first)."""
    with pd.option_context(
        "display.unicode.east_asian_width", True, "display.width", 120, "display.max_columns", 20
    ):
        lines = [
            f"District: {len(summary.subdistricts)} subdistricts, "
            f"{len(summary.communities)} communities, "
            f"{int(summary.subdistricts['compounds'].sum())} compounds, "
            f"{summary.households:,} households, {summary.population:,} people",
            "",
            "By subdistrict:",
            summary.subdistricts.to_string(),
            "",
        ]
        for mark in summary.marks:
            lines.append(
                f"Communities above {mark:,} households: {summary.above_marks[mark]} "
                f"of {len(summary.communities)}"
            )
        lines += [
            "",
            f"Largest {min(top, len(summary.communities))} communities:",
            summary.communities.head(top).to_string(index=False),
            "",
        ]
    return "\n".join(lines)
