"""The individual validation rules: each returns a list of issues, never raises.

Rules receive a layer with canonical column names (as :mod:`jinfeng_grid.io` reads
it, values still raw) and return :class:`Issue` values; :mod:`jinfeng_grid.validate`
runs them all and assembles the report. Row numbers are 1-based positions in the
layer as read, which is the order of the file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

Severity = Literal["error", "warning"]

#: rule → (severity, title, how to fix). The order is the order of the report.
RULES: dict[str, tuple[Severity, str, str]] = {
    "missing_id": ("error", "missing ids", "give every row a unique id"),
    "duplicate_id": ("error", "duplicate ids", "make the ids unique (or merge the duplicate rows)"),
    "missing_value": (
        "error",
        "missing counts",
        "fill in the count (0 is allowed), or drop the row if it is not a residential unit",
    ),
    "non_numeric": (
        "error",
        "counts that are not numbers",
        "write plain whole numbers (约300 → 300; remove units such as 户/人)",
    ),
    "negative": ("error", "negative counts", "counts must be 0 or more"),
    "fractional": (
        "warning",
        "counts that are not whole numbers",
        "write whole numbers; the repaired layer rounds them",
    ),
    "population_below_households": (
        "warning",
        "population below households",
        "check the two columns (swapped? population in 10,000s?); each household has a person",
    ),
    "null_geometry": ("error", "missing or empty geometries", "draw the outline or drop the row"),
    "wrong_geometry_type": (
        "error",
        "geometries of the wrong type",
        "compounds must be polygons; buildings polygons or points",
    ),
    "invalid_geometry": (
        "error",
        "invalid geometries that cannot be repaired safely",
        "redraw the outline without self-intersections (a repair would change its area "
        "by more than the tolerance)",
    ),
    "repaired_geometry": (
        "warning",
        "invalid geometries repaired",
        "the repaired outline is used; fix the source file to silence this",
    ),
    "overlap": (
        "warning",
        "overlapping compounds",
        "trim the outlines so that each area belongs to one compound",
    ),
    "island": (
        "warning",
        "compounds without a neighbour within the gap tolerance (islands)",
        "check the position, raise the gap tolerance, or connect islands when building "
        "the graph (--connect-islands)",
    ),
    "missing_compound_id": (
        "error",
        "buildings without a compound",
        "fill in the compound id of each building",
    ),
    "unknown_compound": (
        "error",
        "buildings whose compound id matches no compound",
        "correct the compound id or add the compound",
    ),
    "building_outside_compound": (
        "warning",
        "buildings outside their compound",
        "check the building's compound id or the compound outline",
    ),
    "building_counts_mismatch": (
        "warning",
        "buildings whose counts do not sum to their compound",
        "correct the building or the compound counts",
    ),
}

COUNT_KEYS = ("households", "population")


@dataclass(frozen=True)
class Issue:
    """One problem found in the data.

    Attributes
    ----------
    rule
        Rule name (``duplicate_id``, ``non_numeric``, ``overlap``, ...).
    severity
        ``"error"`` (stops planning) or ``"warning"``.
    layer
        ``"compounds"`` or ``"buildings"``.
    message
        What is wrong and where, with the ids, names and values involved.
    ids
        Ids of the rows involved.
    rows
        1-based row numbers in the layer as read.
    values
        The offending values, where there are some.
    """

    rule: str
    severity: Severity
    layer: str
    message: str
    ids: tuple[Hashable, ...] = ()
    rows: tuple[int, ...] = ()
    values: tuple[Any, ...] = field(default=())

    @property
    def fix(self) -> str:
        """How to fix it."""
        return RULES[self.rule][2]

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


def make_issue(rule: str, layer: str, message: str, **kwargs: Any) -> Issue:
    return Issue(rule=rule, severity=RULES[rule][0], layer=layer, message=message, **kwargs)


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def who(frame: pd.DataFrame, pos: int) -> str:
    """``row 5, id C005 (未来城)`` for the row at position ``pos``."""
    row_id = _plain(frame["id"].iloc[pos]) if "id" in frame.columns else None
    name = frame["name"].iloc[pos] if "name" in frame.columns else None
    text = f"row {pos + 1}"
    if row_id is not None and not pd.isna(row_id) and str(row_id).strip():
        text += f", id {row_id}"
    if isinstance(name, str) and name.strip() and name != str(row_id):
        text += f" ({name})"
    return text


def label(frame: pd.DataFrame, pos: int) -> str:
    """``C005 (未来城)`` for the row at position ``pos``."""
    row_id = _plain(frame["id"].iloc[pos])
    name = frame["name"].iloc[pos] if "name" in frame.columns else None
    if isinstance(name, str) and name.strip() and name != str(row_id):
        return f"{row_id} ({name})"
    return str(row_id)


def _ident(frame: pd.DataFrame, pos: int) -> tuple[tuple[Hashable, ...], tuple[int, ...]]:
    return (_plain(frame["id"].iloc[pos]),), (int(pos) + 1,)


# --- ids -------------------------------------------------------------------------------


def check_ids(frame: pd.DataFrame, layer: str) -> list[Issue]:
    ids = frame["id"]
    as_text = ids.astype("string").str.strip()
    missing = ids.isna() | as_text.eq("").fillna(True)
    issues = [
        make_issue("missing_id", layer, f"{who(frame, pos)}: no id", rows=(int(pos) + 1,))
        for pos in np.flatnonzero(missing.to_numpy())
    ]
    present = as_text[~missing]
    duplicated = present[present.duplicated(keep=False)]
    for value, group in duplicated.groupby(duplicated, sort=True):
        positions = [frame.index.get_loc(i) for i in group.index]
        names = [frame["name"].iloc[p] for p in positions] if "name" in frame.columns else []
        named = f" (names {', '.join(str(n) for n in names)})" if names else ""
        rows = tuple(int(p) + 1 for p in positions)
        issues.append(
            make_issue(
                "duplicate_id",
                layer,
                f"id {value} appears in rows {', '.join(map(str, rows))}{named}",
                ids=(value,),
                rows=rows,
            )
        )
    return issues


# --- counts ----------------------------------------------------------------------------

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        return text
    return value


def coerce_counts(series: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """``(numbers, missing, non_numeric)`` for a raw count column."""
    if isinstance(series.dtype, pd.BooleanDtype) or series.dtype == bool:
        series = series.astype(object)
    normalised = series.map(_normalise) if series.dtype == object else series
    blank = normalised.map(lambda v: isinstance(v, str) and v == "")
    missing = series.isna() | blank
    bools = normalised.map(lambda v: isinstance(v, bool | np.bool_))
    numbers = pd.to_numeric(normalised.where(~bools), errors="coerce").astype(float)
    numbers[~np.isfinite(numbers.to_numpy())] = np.nan
    non_numeric = ~missing & numbers.isna()
    return numbers, missing, non_numeric


def check_counts(
    frame: pd.DataFrame, layer: str, *, required: tuple[str, ...]
) -> tuple[list[Issue], dict[str, pd.Series]]:
    """Rules on households/population; returns the issues and the coerced numbers."""
    issues: list[Issue] = []
    numbers: dict[str, pd.Series] = {}
    for key in COUNT_KEYS:
        if key not in frame.columns:
            continue
        values, missing, non_numeric = coerce_counts(frame[key])
        numbers[key] = values
        if key in required:
            for pos in np.flatnonzero(missing.to_numpy()):
                ids, rows = _ident(frame, pos)
                issues.append(
                    make_issue(
                        "missing_value",
                        layer,
                        f"{who(frame, pos)}: {key} is missing",
                        ids=ids,
                        rows=rows,
                    )
                )
        for pos in np.flatnonzero(non_numeric.to_numpy()):
            raw = frame[key].iloc[pos]
            ids, rows = _ident(frame, pos)
            issues.append(
                make_issue(
                    "non_numeric",
                    layer,
                    f"{who(frame, pos)}: {key} {raw!r} is not a number",
                    ids=ids,
                    rows=rows,
                    values=(raw,),
                )
            )
        arr = values.to_numpy()
        for pos in np.flatnonzero(arr < 0):
            ids, rows = _ident(frame, pos)
            issues.append(
                make_issue(
                    "negative",
                    layer,
                    f"{who(frame, pos)}: {key} {arr[pos]:g} is negative",
                    ids=ids,
                    rows=rows,
                    values=(_plain(arr[pos]),),
                )
            )
        fractional = np.isfinite(arr) & (arr != np.round(arr))
        for pos in np.flatnonzero(fractional):
            ids, rows = _ident(frame, pos)
            issues.append(
                make_issue(
                    "fractional",
                    layer,
                    f"{who(frame, pos)}: {key} {arr[pos]:g} is not a whole number "
                    f"(repaired as {np.round(arr[pos]):g})",
                    ids=ids,
                    rows=rows,
                    values=(_plain(arr[pos]),),
                )
            )
    if "households" in numbers and "population" in numbers:
        hh, pop = numbers["households"].to_numpy(), numbers["population"].to_numpy()
        below = np.isfinite(hh) & np.isfinite(pop) & (hh >= 0) & (pop >= 0) & (pop < hh)
        for pos in np.flatnonzero(below):
            ids, rows = _ident(frame, pos)
            issues.append(
                make_issue(
                    "population_below_households",
                    layer,
                    f"{who(frame, pos)}: population {pop[pos]:,.0f} is below households "
                    f"{hh[pos]:,.0f}",
                    ids=ids,
                    rows=rows,
                    values=(_plain(pop[pos]), _plain(hh[pos])),
                )
            )
    return issues, numbers


# --- geometry --------------------------------------------------------------------------

POLYGONAL = ("Polygon", "MultiPolygon")
# shapely.get_type_id order
_TYPE_NAMES = (
    "Point",
    "LineString",
    "LinearRing",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
    "GeometryCollection",
)


def _polygonal_part(geom: Any) -> Any:
    if geom is None or geom.geom_type in POLYGONAL:
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in POLYGONAL]
    return shapely.union_all(parts) if parts else shapely.Polygon()


_REASON = re.compile(r"^(?P<what>[^\[]+)\[(?P<x>[-\d.e+]+) (?P<y>[-\d.e+]+)\]$")


def _reason(text: str, frame: Any) -> str:
    """``Self-intersection[x y]`` → ``self-intersection at x, y (CRS)``, in the input CRS."""
    match = _REASON.match(text)
    if not match:
        return text
    x, y = float(match["x"]), float(match["y"])
    crs = getattr(frame, "crs", None)
    if crs is None:
        return f"{match['what'].strip().lower()} at {x:.1f}, {y:.1f}"
    target = pyproj.CRS.from_user_input(frame.attrs.get("input_crs") or crs)
    if not target.equals(crs):
        x, y = pyproj.Transformer.from_crs(crs, target, always_xy=True).transform(x, y)
    digits = 6 if target.is_geographic else 1
    name = target.to_string()
    return f"{match['what'].strip().lower()} at {x:.{digits}f}, {y:.{digits}f} ({name})"


def check_geometry(
    frame: gpd.GeoDataFrame,
    layer: str,
    *,
    allowed: tuple[str, ...],
    repair: bool,
    area_tolerance: float,
) -> tuple[list[Issue], np.ndarray, np.ndarray]:
    """Null/empty, type and validity rules.

    Returns the issues, the geometries to use (repaired where the repair is safe)
    and a mask of rows whose geometry is usable.
    """
    issues: list[Issue] = []
    geoms = np.asarray(frame.geometry.array, dtype=object).copy()
    null = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    for pos in np.flatnonzero(null):
        kind = "no geometry" if shapely.is_missing(geoms[pos]) else "an empty geometry"
        ids, rows = _ident(frame, pos)
        issues.append(
            make_issue("null_geometry", layer, f"{who(frame, pos)}: {kind}", ids=ids, rows=rows)
        )
    types = shapely.get_type_id(geoms)
    names = np.array(_TYPE_NAMES)
    type_names = np.where(types >= 0, names[np.clip(types, 0, 7)], "None")
    wrong = ~null & ~np.isin(type_names, allowed)
    for pos in np.flatnonzero(wrong):
        ids, rows = _ident(frame, pos)
        issues.append(
            make_issue(
                "wrong_geometry_type",
                layer,
                f"{who(frame, pos)}: a {type_names[pos]}, expected {' or '.join(allowed)}",
                ids=ids,
                rows=rows,
                values=(str(type_names[pos]),),
            )
        )
    usable = ~null & ~wrong
    invalid = usable & ~shapely.is_valid(geoms)
    for pos in np.flatnonzero(invalid):
        reason = _reason(shapely.is_valid_reason(geoms[pos]), frame)
        ids, rows = _ident(frame, pos)
        fixed = _polygonal_part(shapely.make_valid(geoms[pos]))
        before, after = abs(shapely.area(geoms[pos])), shapely.area(fixed)
        # a bow tie's signed areas cancel: its area is zero up to rounding
        near_zero = before <= 1e-9 * max(after, 1.0)
        change = np.inf if near_zero else abs(after - before) / before
        change_text = (
            "from zero" if near_zero else "by over 1,000%" if change > 10 else f"{change:.1%}"
        )
        if repair and change <= area_tolerance and not shapely.is_empty(fixed):
            geoms[pos] = fixed
            issues.append(
                make_issue(
                    "repaired_geometry",
                    layer,
                    f"{who(frame, pos)}: {reason}; repaired with make_valid "
                    f"(area changed {change_text})",
                    ids=ids,
                    rows=rows,
                    values=(reason,),
                )
            )
        else:
            why = "repair is off" if not repair else f"a repair would change the area {change_text}"
            issues.append(
                make_issue(
                    "invalid_geometry",
                    layer,
                    f"{who(frame, pos)}: {reason}; not repaired ({why})",
                    ids=ids,
                    rows=rows,
                    values=(reason,),
                )
            )
            usable[pos] = False
    return issues, geoms, usable


def check_overlaps(
    frame: pd.DataFrame, geoms: np.ndarray, usable: np.ndarray, *, tolerance: float
) -> list[Issue]:
    """Pairs of compounds overlapping by more than ``tolerance`` of the smaller one."""
    index = np.flatnonzero(usable)
    if len(index) < 2:
        return []
    g = geoms[index]
    left, right = shapely.STRtree(g).query(g, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    area = shapely.area(shapely.intersection(g[left], g[right]))
    smaller = np.minimum(shapely.area(g[left]), shapely.area(g[right]))
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(smaller > 0, area / smaller, 0.0)
    issues = []
    for k in np.flatnonzero((area > 0) & (share > tolerance)):
        a, b = int(index[left[k]]), int(index[right[k]])
        issues.append(
            make_issue(
                "overlap",
                "compounds",
                f"{label(frame, a)} and {label(frame, b)} overlap by {area[k]:,.0f} m² "
                f"({share[k]:.1%} of the smaller)",
                ids=(_plain(frame["id"].iloc[a]), _plain(frame["id"].iloc[b])),
                rows=(a + 1, b + 1),  # a, b are ints
                values=(float(area[k]), float(share[k])),
            )
        )
    return issues


def check_islands(
    frame: pd.DataFrame, geoms: np.ndarray, usable: np.ndarray, *, gap_tolerance_m: float
) -> list[Issue]:
    """Compounds with no other compound within the gap tolerance, with the nearest one."""
    index = np.flatnonzero(usable)
    if len(index) < 2:
        return []
    g = geoms[index]
    tree = shapely.STRtree(g)
    left, right = tree.query(g, predicate="dwithin", distance=gap_tolerance_m)
    has = np.zeros(len(g), dtype=bool)
    has[left[left != right]] = True
    lonely = np.flatnonzero(~has)
    if len(lonely) == 0:
        return []
    (src, dst), dist = tree.query_nearest(
        g[lonely], exclusive=True, return_distance=True, all_matches=False
    )
    issues = []
    for s, j, d in zip(src, dst, dist, strict=True):
        a, b = int(index[lonely[s]]), int(index[j])
        issues.append(
            make_issue(
                "island",
                "compounds",
                f"{label(frame, a)} has no neighbour within {gap_tolerance_m:g} m; the nearest "
                f"is {label(frame, b)} at {float(d):,.0f} m",
                ids=(_plain(frame["id"].iloc[a]),),
                rows=(int(a) + 1,),
                values=(float(d),),
            )
        )
    return issues
