"""Tooltips, popups and the staff each unit needs, as escaped HTML for the interactive map.

Every piece of user text (names, ids, kinds) goes through :func:`html.escape`; the
staff rows come from the plan's staffing (:func:`staffing_lookup`) or, where that
cannot be computed, from the norms.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "ROLE_LABELS",
    "STATUS_COLOURS",
    "STATUS_LABELS",
    "StaffLookup",
    "StaffRows",
    "code_text",
    "count_value",
    "display_text",
    "esc",
    "flag_value",
    "popup_html",
    "range_text",
    "staffing_lookup",
    "status_text",
    "tooltip_html",
    "unit_staff",
    "unit_status",
]

logger = logging.getLogger(__name__)

STATUS_COLOURS: dict[str, str] = {
    "ok": "#74c476",
    "outside": "#ef3b2c",
    "oversize": "#fd8d3c",
    "unknown": "#bdbdbd",
}
STATUS_LABELS: dict[str, str] = {
    "ok": "符合规模 Within caps",
    "outside": "超出规模 Outside caps",
    "oversize": "单个小区超限 One compound above the cap",
    "unknown": "未核对 Not checked",
}
ROLE_LABELS: dict[str, str] = {
    "grid_worker": "网格员 Grid workers",
    "community_worker": "社区工作者 Community workers",
    "police": "社区民警（含辅警）Police incl. auxiliaries",
    "medical": "医务人员 Medical staff",
    "cdc": "疾控人员 CDC staff",
}

esc = html.escape


# --- text ---------------------------------------------------------------------------


def display_text(value: Any) -> str:
    """A value as display text ('' for missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return f"{int(value):,}"
    return str(value)


def code_text(value: Any) -> str | None:
    """An id or code as text, without thousands separators (``None`` for missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def count_value(value: Any) -> int | None:
    if value is None or pd.isna(value):
        return None
    return int(value)


def flag_value(value: Any) -> bool:
    """A boolean column's value; missing is false."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return False
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def range_text(low: int, high: int) -> str:
    return f"{low:,}" if low == high else f"{low:,}–{high:,}"


def tooltip_html(name: Any, what: str, households: Any = None, population: Any = None) -> str:
    """A one-line tooltip: bold name, what it is, households and people (escaped)."""
    line = (
        f"<b>{esc(display_text(name)) or '（无名）'}</b> <span class='jg-what'>{esc(what)}</span>"
    )
    figures = []
    if count_value(households) is not None:
        figures.append(f"{count_value(households):,} 户 households")
    if count_value(population) is not None:
        figures.append(f"{count_value(population):,} 人 people")
    if figures:
        line += "<br>" + esc(" · ".join(figures))
    return line


def popup_html(
    title: Any,
    what: str,
    rows: Iterable[tuple[str, Any]],
    *,
    staff: Iterable[tuple[str, str, str, str]] = (),
    note: str = "",
) -> str:
    """A popup: title, a table of label/value rows, staff, a note (all escaped).

    ``staff`` rows are ``(role, needed, actual, short)``; actual and short are ``""``
    where unknown (the columns are shown when any row knows them).
    """
    parts = [
        f"<div class='jg-title'>{esc(display_text(title)) or '（无名）'}</div>",
        f"<div class='jg-what'>{esc(what)}</div>",
        "<table class='jg-table'>",
    ]
    for label, value in rows:
        text = display_text(value)
        if text:
            parts.append(f"<tr><th>{esc(label)}</th><td>{esc(text)}</td></tr>")
    parts.append("</table>")
    staff = list(staff)
    if staff:
        known = any(row[2] for row in staff)
        parts.append("<div class='jg-sub'>所需人员 Staff needed</div><table class='jg-table'>")
        if known:
            parts.append(
                "<tr><th></th><td>需 needed</td><td>现有 actual</td><td>缺 short</td></tr>"
            )
        for role, needed, actual, short in staff:
            cells = [needed, actual, short] if known else [needed]
            parts.append(
                f"<tr><th>{esc(role)}</th>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>"
            )
        parts.append("</table>")
    if note:
        parts.append(f"<div class='jg-note'>{esc(note)}</div>")
    return "".join(parts)


# --- staffing ---------------------------------------------------------------------------


StaffRows = list[tuple[str, str, str, str]]
StaffLookup = dict[tuple[str, str], StaffRows] | None


def staffing_lookup(table: pd.DataFrame | None, *, before: bool = False) -> StaffLookup:
    """``(level, unit_id) -> staff rows`` of a staffing table, for the popups.

    ``table`` is :attr:`jinfeng_grid.staffing.PlanStaffing.units` (``before=False``) or
    :attr:`~jinfeng_grid.staffing.PlanStaffing.current` (``before=True``: the current
    units, keyed by ``(level, unit_name)``); ``None`` gives no staff in the popups. The
    drawing code shows the staffing it is given and computes none.
    """
    if table is None:
        return None
    key = "unit_name" if before else "unit_id"
    if before:
        # current units are found by name: names used twice at a level are ambiguous
        units = table.drop_duplicates(["level", "unit_id"])
        twice = units[units.duplicated(["level", "unit_name"], keep=False)]
        table = table[
            ~table.set_index(["level", "unit_name"]).index.isin(
                twice.set_index(["level", "unit_name"]).index
            )
        ]
    lookup: dict[tuple[str, str], StaffRows] = {}
    for row in table.itertuples(index=False):
        known = not pd.isna(row.actual)
        lookup.setdefault((str(row.level), str(getattr(row, key))), []).append(
            (
                ROLE_LABELS.get(str(row.role), str(row.role)),
                range_text(int(row.required_min), int(row.required_max)),
                f"{int(row.actual):,}" if known else "",
                f"{int(row.shortfall):,}" if known and not pd.isna(row.shortfall) else "",
            )
        )
    return lookup


def unit_staff(lookup: StaffLookup, level: str, unit_id: Any) -> StaffRows:
    """The staff rows of one unit, or none when the staffing given does not know it."""
    if lookup is not None and (level, str(unit_id)) in lookup:
        return lookup[(level, str(unit_id))]
    return []


# --- status ------------------------------------------------------------------------------


def unit_status(row: Mapping[str, Any]) -> str:
    """``oversize``, ``ok``, ``outside`` or ``unknown`` from a unit's flags."""
    if flag_value(row.get("oversize")):
        return "oversize"
    within = row.get("within_bounds")
    if within is None or pd.isna(within):
        return "unknown"
    return "ok" if flag_value(within) else "outside"


def status_text(status: str) -> str:
    return STATUS_LABELS[status]
