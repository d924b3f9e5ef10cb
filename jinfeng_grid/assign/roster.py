"""Reading a roster against a plan: checks, and the plan's current units and successors.

Private to :mod:`jinfeng_grid.assign` (its public names are re-exported there).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from jinfeng_grid.errors import InputDataError
from jinfeng_grid.staffing.norms import ROLES

if TYPE_CHECKING:
    from jinfeng_grid.plan.value import Plan

__all__ = ["EMPLOYMENT", "ROSTER_COLUMNS", "CurrentUnits", "check_roster", "current_units"]

logger = logging.getLogger(__name__)

ROSTER_COLUMNS: tuple[str, ...] = (
    "staff_id",
    "role",
    "employment",
    "subdistrict",
    "community",
    "grid",
    "police_room",
)
"""Columns of a roster; ``staff_id``, ``role`` and ``employment`` are required."""

EMPLOYMENT: tuple[str, ...] = ("full_time", "part_time")


def check_roster(roster: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Check a roster against a plan's current units and return it in canonical form.

    Parameters
    ----------
    roster
        One row per person: ``staff_id`` (unique), ``role`` (one of
        :data:`jinfeng_grid.staffing.ROLES`), ``employment`` (``full_time`` or
        ``part_time``), and where known the current ``subdistrict``, ``community``,
        ``grid`` and ``police_room`` (names/ids as in the plan's input).
    plan
        The plan; its compounds carry the current ``subdistrict``/``community``, its
        buildings (or compounds) the current ``grid``, its facilities the police rooms.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ROSTER_COLUMNS` as text (``None`` where unknown), in roster
        order; ``subdistrict`` filled in from the community where missing.

    Raises
    ------
    InputDataError
        Listing every problem at once: missing columns, duplicate ``staff_id``, a role
        the standards do not know, an employment other than full/part time, a
        community, subdistrict, grid or police room that the plan does not have, a
        part-time grid worker without a community or grid.

    Examples
    --------
    >>> from jinfeng_grid import io
    >>> plan = read_plan("plan/")  # doctest: +SKIP
    >>> people = io.read_layer("district.gpkg", layer="roster")  # doctest: +SKIP
    >>> roster = check_roster(people, plan)  # doctest: +SKIP
    """
    table = pd.DataFrame(roster).drop(columns=["geometry"], errors="ignore")
    missing = [c for c in ("staff_id", "role", "employment") if c not in table.columns]
    if missing:
        raise InputDataError(
            f"the roster has no column {', '.join(missing)} (it has "
            f"{', '.join(map(str, table.columns)) or 'none'}): a roster needs staff_id, role "
            "and employment, and where known subdistrict, community, grid, police_room"
        )
    table = table.reset_index(drop=True)
    for column in ROSTER_COLUMNS:
        if column not in table.columns:
            table[column] = None
    table = table.loc[:, list(ROSTER_COLUMNS)].astype(object)
    table = table.where(
        table.notna() & (table.astype(str).apply(lambda s: s.str.strip()) != ""), None
    )
    table = table.map(_text)
    problems: list[str] = []

    def rows(mask: pd.Series) -> str:
        listed = [f"row {i + 1} ({table.at[i, 'staff_id']})" for i in table.index[mask][:8]]
        more = int(mask.sum()) - len(listed)
        return ", ".join(listed) + (f" and {more} more" if more > 0 else "")

    if table["staff_id"].isna().any():
        problems.append(f"staff_id is empty in {rows(table['staff_id'].isna())}")
    duplicated = table["staff_id"].notna() & table["staff_id"].duplicated(keep=False)
    if duplicated.any():
        twice = sorted(set(table.loc[duplicated, "staff_id"]))
        problems.append(
            f"staff_id listed more than once: {', '.join(twice[:10])}: give each person one row"
        )
    unknown_role = ~table["role"].isin(ROLES)
    if unknown_role.any():
        roles = sorted(set(map(str, table.loc[unknown_role, "role"])))
        problems.append(
            f"role {', '.join(roles)} is not a role the standards know ({rows(unknown_role)}): "
            f"use one of {', '.join(ROLES)}"
        )
    bad_employment = ~table["employment"].isin(EMPLOYMENT)
    if bad_employment.any():
        problems.append(f"employment must be full_time or part_time ({rows(bad_employment)})")
    current = current_units(plan)
    for column, known, what in (
        ("community", current.community_subdistrict, "current community of any compound"),
        ("subdistrict", set(current.subdistrict_id), "current subdistrict of any compound"),
        ("grid", current.grid_community, "current grid of the plan's buildings"),
        ("police_room", current.police_rooms, "police room of the plan's facilities"),
    ):
        unknown = table[column].notna() & ~table[column].isin(list(known))
        if unknown.any():
            names = sorted(set(table.loc[unknown, column]))
            problems.append(
                f"{column} {', '.join(names[:8])} is not a {what} ({rows(unknown)}); "
                "use the names of the plan's input"
            )
    part_time = (table["role"] == "grid_worker") & (table["employment"] == "part_time")
    homeless = part_time & table["community"].isna() & table["grid"].isna()
    if homeless.any():
        problems.append(
            "part-time grid workers serve only grids of their own community, but "
            f"{rows(homeless)} have neither a community nor a grid: give their community"
        )
    if problems:
        raise InputDataError("bad roster: " + "; ".join(problems))
    # what the roster leaves out, the plan knows
    from_grid = table["grid"].map(current.grid_community)
    table["community"] = table["community"].where(table["community"].notna(), from_grid)
    from_community = table["community"].map(current.community_subdistrict)
    table["subdistrict"] = table["subdistrict"].where(table["subdistrict"].notna(), from_community)
    table = table.astype(object).where(table.notna(), None)
    logger.info(
        "roster: %d people (%s)",
        len(table),
        ", ".join(f"{n} {role}" for role, n in table["role"].value_counts(sort=False).items()),
    )
    return table


def _text(value: Any) -> str | None:
    """A roster cell as text; codes read as numbers (640106001001001.0) lose the ``.0``."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True)
class CurrentUnits:
    """The plan's current units and their successors (new units holding > half)."""

    community_subdistrict: Mapping[str, str]
    subdistrict_id: Mapping[str, str]
    grid_community: Mapping[str, str]
    police_rooms: Mapping[str, Any]
    grid_successor: Mapping[str, str]
    community_successor: Mapping[str, str]
    grid_home: Mapping[str, str]
    community_home: Mapping[str, str]


def _successors(old: pd.Series, new: pd.Series, weight: pd.Series) -> tuple[dict, dict]:
    """Old unit → new unit with more than half its weight, and → the new unit with most."""
    frame = pd.DataFrame({"old": old.astype(str), "new": new.astype(str), "w": weight})
    frame = frame[old.notna().to_numpy()]
    shares = frame.groupby(["old", "new"], sort=True)["w"].sum().reset_index()
    shares = shares.sort_values(["old", "w", "new"], ascending=[True, False, True], kind="stable")
    top = shares.drop_duplicates("old").set_index("old")
    totals = frame.groupby("old")["w"].sum()
    successor = {
        k: str(row.new) for k, row in top.iterrows() if 2 * row.w > totals[k] and totals[k] > 0
    }
    return successor, {k: str(row.new) for k, row in top.iterrows()}


def current_units(plan: Plan) -> CurrentUnits:
    compounds = plan.compounds
    community_subdistrict: dict[str, str] = {}
    if "community" in compounds.columns and "subdistrict" in compounds.columns:
        pairs = compounds.dropna(subset=["community"]).drop_duplicates("community")
        community_subdistrict = dict(
            zip(pairs["community"].astype(str), pairs["subdistrict"].astype(str), strict=True)
        )
    subdistrict_id: dict[str, str] = {}
    if "subdistrict" in compounds.columns:
        subdistrict_id = _successors(
            compounds["subdistrict"], compounds["subdistrict_id"], compounds["households"]
        )[1]
    community_successor: dict[str, str] = {}
    community_home: dict[str, str] = {}
    if "community" in compounds.columns:
        community_successor, community_home = _successors(
            compounds["community"], compounds["community_id"], compounds["households"]
        )
    pieces = _grid_pieces(plan)
    grid_successor: dict[str, str] = {}
    grid_home: dict[str, str] = {}
    grid_community: dict[str, str] = {}
    if pieces is not None:
        grid_successor, _ = _successors(pieces["grid"], pieces["grid_id"], pieces["households"])
        _, grid_home = _successors(pieces["grid"], pieces["community_id"], pieces["households"])
        if "community" in compounds.columns:
            community_of = compounds.set_index(compounds["compound_id"].astype(str))["community"]
            _, grid_community = _successors(
                pieces["grid"],
                pieces["compound_id"].astype(str).map(community_of),
                pieces["households"],
            )
    police_rooms: dict[str, Any] = {}
    if plan.facilities is not None and len(plan.facilities):
        rooms = plan.facilities[plan.facilities["kind"] == "police_room"]
        police_rooms = dict(zip(rooms["id"].astype(str), rooms.geometry, strict=True))
    return CurrentUnits(
        community_subdistrict,
        subdistrict_id,
        grid_community,
        police_rooms,
        grid_successor,
        community_successor,
        grid_home,
        community_home,
    )


def _grid_pieces(plan: Plan) -> pd.DataFrame | None:
    """Buildings (else compounds) with their current ``grid`` and new ``grid_id``."""
    for layer, key in ((plan.buildings, "compound_id"), (plan.compounds, "compound_id")):
        if layer is None or not {"grid", "grid_id"} <= set(layer.columns):
            continue
        frame = pd.DataFrame(layer).drop(columns="geometry", errors="ignore")
        if "community_id" not in frame.columns:
            owner = plan.compounds.set_index(plan.compounds["compound_id"].astype(str))
            frame["community_id"] = frame[key].astype(str).map(owner["community_id"])
        return frame
    return None
