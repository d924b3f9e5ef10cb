"""Actual staff: a district's staff table, checked and attributed to units.

The staff table names the *current* communities and subdistricts; :func:`staff_by_unit`
checks it against the compounds and puts it in long form, and ``_known_actual``
gives the actual staff of the units (current or planned) whose staff the table pins
down.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from jinfeng_grid.errors import InputDataError

__all__ = ["ROLE_COLUMNS", "staff_by_unit"]

ROLE_COLUMNS: Mapping[str, str] = {
    "grid_workers_full_time": "grid_worker",
    "grid_workers_part_time": "grid_worker",
    "grid_workers": "grid_worker",
    "grid_worker": "grid_worker",
    "community_workers": "community_worker",
    "community_worker": "community_worker",
    "police": "police",
    "medical": "medical",
    "cdc": "cdc",
}
"""Columns of a staff table that count people, and the role each counts."""

_ID_COLUMNS = frozenset(
    {
        "level",
        "subdistrict",
        "subdistrict_id",
        "community",
        "community_id",
        "name",
        "unit_id",
        "unit_name",
        "fid",
        "note",
        "notes",
    }
)
_STAFF_LEVELS = ("district", "subdistrict", "community")


def staff_by_unit(staff: pd.DataFrame, compounds: pd.DataFrame) -> pd.DataFrame:
    """Check a staff table against the current communities and put it in long form.

    Parameters
    ----------
    staff
        One row per unit: ``level`` (``community``, ``subdistrict`` or ``district``;
        inferred from which of ``community``/``subdistrict`` is filled when absent),
        ``community`` and/or ``subdistrict`` names of the *current* units, and count
        columns named in :data:`ROLE_COLUMNS` (e.g. ``grid_workers_full_time``,
        ``grid_workers_part_time``, ``police``, ``medical``, ``cdc``).
    compounds
        Compounds with their current ``community`` and ``subdistrict`` names.

    Returns
    -------
    pandas.DataFrame
        Columns ``level, subdistrict, community, role, actual``; one row per staff row
        and role (full- and part-time grid workers are added up), the subdistrict of
        a community row taken from the compounds.

    Raises
    ------
    InputDataError
        For a column that is neither a role nor an id, a level the table cannot have,
        a count that is not a whole number >= 0, or a community/subdistrict that no
        compound belongs to; every offending row is named.
    """
    table = pd.DataFrame(staff).drop(columns=["geometry"], errors="ignore")
    unknown = [c for c in table.columns if c not in ROLE_COLUMNS and c not in _ID_COLUMNS]
    if unknown:
        raise InputDataError(
            f"staff table column(s) {', '.join(map(str, unknown))} are neither a role nor a "
            f"unit name: role columns are {', '.join(ROLE_COLUMNS)}; rename or drop them"
        )
    roles = [c for c in table.columns if c in ROLE_COLUMNS]
    if not roles:
        raise InputDataError(
            "staff table has no role column: give counts in columns such as "
            f"{', '.join(ROLE_COLUMNS)}"
        )
    table = table.reset_index(drop=True)
    for key in ("subdistrict", "community"):
        if key not in table.columns:
            table[key] = None
        table[key] = table[key].where(table[key].notna() & (table[key].astype(str) != ""), None)
    if "level" not in table.columns:
        table["level"] = np.where(
            table["community"].notna(),
            "community",
            np.where(table["subdistrict"].notna(), "subdistrict", "district"),
        )
    where = [_row_name(table, i) for i in table.index]
    problems: list[str] = []
    bad_level = [where[i] for i in table.index if table.at[i, "level"] not in _STAFF_LEVELS]
    if bad_level:
        problems.append(
            f"level must be one of {', '.join(_STAFF_LEVELS)} (rows {', '.join(bad_level)})"
        )
    for column in roles:
        counts = pd.to_numeric(table[column], errors="coerce")
        bad = counts.isna() | (counts < 0) | (counts != counts.round())
        if bad.any():
            rows = ", ".join(
                f"{where[i]}: {_shown(table.at[i, column])}" for i in table.index[bad][:10]
            )
            problems.append(f"{column} must be a whole number >= 0 ({rows})")
        table[column] = counts
    known = _current_membership(compounds)
    for i in table.index:
        level, community = table.at[i, "level"], table.at[i, "community"]
        subdistrict = table.at[i, "subdistrict"]
        if level == "community":
            if community is None or str(community) not in known:
                problems.append(
                    f"{where[i]}: community {community!r} is not the current community of any "
                    "compound; use the names of the compounds' community column "
                    f"({', '.join(sorted(known)[:8])}, ...)"
                )
                continue
            current_sd = known[str(community)]
            if subdistrict is not None and str(subdistrict) != current_sd:
                problems.append(
                    f"{where[i]}: community {community} lies in subdistrict {current_sd}, "
                    f"not {subdistrict}"
                )
            table.at[i, "subdistrict"] = current_sd
        elif level == "subdistrict" and str(subdistrict) not in set(known.values()):
            problems.append(
                f"{where[i]}: subdistrict {subdistrict!r} is not the current subdistrict of "
                "any compound"
            )
    duplicated = table.loc[table["level"] == "community", "community"]
    twice = sorted(set(duplicated[duplicated.duplicated()].astype(str)))
    if twice:
        problems.append(f"communities listed more than once: {', '.join(twice)}")
    if problems:
        raise InputDataError("bad staff table: " + "; ".join(problems))
    long = table.melt(
        id_vars=["level", "subdistrict", "community"], value_vars=roles, value_name="actual"
    )
    long["role"] = long["variable"].map(ROLE_COLUMNS)
    return (
        long.groupby(["level", "subdistrict", "community", "role"], dropna=False, sort=False)[
            "actual"
        ]
        .sum()
        .astype(int)
        .reset_index()
    )


def _shown(value: object) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _row_name(table: pd.DataFrame, i: int) -> str:
    for key in ("community", "subdistrict"):
        value = table.at[i, key]
        if value is not None:
            return f"row {i + 1} ({value})"
    return f"row {i + 1}"


def _current_membership(compounds: pd.DataFrame) -> dict[str, str]:
    """Current community name → its subdistrict name."""
    if "community" not in compounds.columns:
        return {}
    subdistrict = compounds["subdistrict"] if "subdistrict" in compounds.columns else None
    pairs = pd.DataFrame(
        {
            "community": compounds["community"],
            "subdistrict": subdistrict if subdistrict is not None else "",
        }
    ).dropna(subset=["community"])
    return {
        str(c): str(s)
        for c, s in pairs.drop_duplicates("community").itertuples(index=False, name=None)
    }


def _known_actual(
    long: pd.DataFrame,
    compounds: pd.DataFrame,
    *,
    subdistricts: Mapping[str, str],
    communities: Mapping[str, str],
    district_id: str,
) -> pd.DataFrame:
    """Actual staff of the units whose staff the table pins down (see ``staffing_for_plan``).

    ``subdistricts``/``communities`` map unit ids to the *current* subdistrict/community
    name that has exactly the same compounds; units not in them stay unknown.
    """
    membership = _current_membership(compounds)
    rows: list[dict[str, object]] = []
    has = {level: long[long["level"] == level] for level in _STAFF_LEVELS}
    community_rows = set(has["community"]["community"].astype(str))
    subdistrict_rows = set(has["subdistrict"]["subdistrict"].astype(str))
    covered = {
        c
        for c, s in membership.items()
        if c in community_rows or s in subdistrict_rows or len(has["district"])
    }
    for role in sorted(set(long["role"])):
        of_role = long[long["role"] == role]
        above = {
            level: of_role[of_role["level"] == level]
            for level in ("district", "subdistrict", "community")
        }
        district_total = int(above["district"]["actual"].sum())
        if covered == set(membership):
            rows.append(
                {
                    "level": "district",
                    "unit_id": district_id,
                    "role": role,
                    "actual": int(of_role["actual"].sum()),
                }
            )
        if district_total:
            continue  # staff held at district level belongs to no smaller unit
        for unit_id, name in subdistricts.items():
            members = {c for c, s in membership.items() if s == name}
            if not members or not all(
                c in community_rows or name in subdistrict_rows for c in members
            ):
                continue
            in_unit = of_role[of_role["subdistrict"].astype(str) == name]
            rows.append(
                {
                    "level": "subdistrict",
                    "unit_id": unit_id,
                    "role": role,
                    "actual": int(in_unit["actual"].sum()),
                }
            )
        held_above = set(
            above["subdistrict"].loc[above["subdistrict"]["actual"] > 0, "subdistrict"]
        )
        for unit_id, name in communities.items():
            if name not in community_rows or membership.get(name) in held_above:
                continue
            in_unit = above["community"][above["community"]["community"].astype(str) == name]
            rows.append(
                {
                    "level": "community",
                    "unit_id": unit_id,
                    "role": role,
                    "actual": int(in_unit["actual"].sum()),
                }
            )
    return pd.DataFrame(rows, columns=["level", "unit_id", "role", "actual"])


def _same_members(new: pd.Series, current: pd.Series) -> dict[str, str]:
    """New unit id → current unit name, for new units with exactly a current unit's compounds."""
    pairs = pd.DataFrame({"new": new.astype(str), "current": current}).dropna()
    if len(pairs) != len(new):
        return {}
    new_of_current = pairs.groupby("current")["new"].agg(lambda s: set(s))
    current_of_new = pairs.groupby("new")["current"].agg(lambda s: set(s))
    same: dict[str, str] = {}
    for unit, names in current_of_new.items():
        if len(names) == 1:
            name = next(iter(names))
            if new_of_current[name] == {unit}:
                same[str(unit)] = str(name)
    return same
