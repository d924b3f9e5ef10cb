"""Validate compounds (and buildings) in one pass and report every problem at once.

The layers come from :mod:`jinfeng_grid.io` with canonical column names and their
values as read, so a household count typed as ``约300`` reaches this module, which
reports it with its row and id. Every rule runs even when others fail: a user fixes
the whole file in one round. Errors stop planning; warnings do not.

Rules: missing and duplicate ids; missing, non-numeric, negative or fractional
counts; population below households; null or empty geometries and geometries of
the wrong type; invalid geometries (repaired with ``make_valid`` when the area
changes by at most ``repair_area_tolerance``, reported either way); overlapping
compounds; compounds without a neighbour within the gap tolerance (islands, with
the nearest compound); buildings without a known compound, outside their compound,
or whose counts do not sum to it.

Examples
--------
>>> report = validate_compounds(compounds, buildings=buildings)  # doctest: +SKIP
>>> print(report)                                                # doctest: +SKIP
>>> clean = report.raise_if_errors().repaired                    # doctest: +SKIP
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jinfeng_grid.config.options import DEFAULT_GAP_TOLERANCE_M
from jinfeng_grid.crs import is_metric
from jinfeng_grid.errors import GeometryError, InputDataError
from jinfeng_grid.validate import rules as rules
from jinfeng_grid.validate.rules import RULES, Issue, Severity

__all__ = [
    "DEFAULT_OVERLAP_TOLERANCE",
    "DEFAULT_REPAIR_AREA_TOLERANCE",
    "ValidationReport",
    "validate_compounds",
]

logger = logging.getLogger(__name__)

#: Overlap reported when it exceeds this fraction of the smaller compound's area.
DEFAULT_OVERLAP_TOLERANCE = 0.01
#: An invalid outline is repaired only if its area changes by at most this fraction.
DEFAULT_REPAIR_AREA_TOLERANCE = 0.01
#: Lines shown per rule in the text report (all are in ``issues`` and ``to_frame()``).
_SHOWN_PER_RULE = 25


@dataclass(frozen=True, eq=False)
class ValidationReport:
    """Every problem found in the compounds (and buildings), and the repaired layers.

    Attributes
    ----------
    issues
        Every problem, in rule order (see ``jinfeng_grid.validate.rules.RULES``).
    repaired
        The compounds with counts as numbers (``Int64``, fractional values rounded,
        bad values missing) and safely repaired geometries; other columns untouched.
    repaired_buildings
        The same for the buildings, if given.
    source
        A name for the data in messages (the file name when read through io).
    """

    issues: tuple[Issue, ...]
    repaired: gpd.GeoDataFrame = field(repr=False)
    repaired_buildings: gpd.GeoDataFrame | None = field(default=None, repr=False)
    source: str = "compounds"

    @property
    def errors(self) -> tuple[Issue, ...]:
        """Issues that stop planning."""
        return tuple(i for i in self.issues if i.severity == "error")

    @property
    def warnings(self) -> tuple[Issue, ...]:
        """Issues that do not stop planning."""
        return tuple(i for i in self.issues if i.severity == "warning")

    @property
    def ok(self) -> bool:
        """Whether there is no error (warnings allowed)."""
        return not self.errors

    @property
    def exit_code(self) -> int:
        """0 clean, 1 warnings only, 2 errors (the ``validate`` command's status)."""
        return 2 if self.errors else 1 if self.warnings else 0

    def to_frame(self) -> pd.DataFrame:
        """One row per issue: severity, layer, rule, message, ids, rows, fix."""
        return pd.DataFrame(
            {
                "severity": [i.severity for i in self.issues],
                "layer": [i.layer for i in self.issues],
                "rule": [i.rule for i in self.issues],
                "message": [i.message for i in self.issues],
                "ids": [list(i.ids) for i in self.issues],
                "rows": [list(i.rows) for i in self.issues],
                "fix": [i.fix for i in self.issues],
            },
            columns=["severity", "layer", "rule", "message", "ids", "rows", "fix"],
        )

    def raise_if_errors(self) -> ValidationReport:
        """Raise one :class:`InputDataError` listing every error; else return ``self``."""
        if self.errors:
            raise InputDataError(
                f"{self.source}: {_count(len(self.errors), 'error')} in the input "
                f"(and {_count(len(self.warnings), 'warning')}):\n"
                + self._grouped(severities=("error",))
            )
        return self

    def _grouped(self, *, severities: tuple[Severity, ...] = ("error", "warning")) -> str:
        lines: list[str] = []
        for severity in severities:
            for rule, (_, title, fix) in RULES.items():
                for layer in ("compounds", "buildings"):
                    group = [
                        i
                        for i in self.issues
                        if i.rule == rule and i.layer == layer and i.severity == severity
                    ]
                    if not group:
                        continue
                    where = "" if layer == "compounds" else " (buildings)"
                    lines.append(f"{severity.upper()} {title}{where}: {len(group)}")
                    lines.extend(f"  - {i.message}" for i in group[:_SHOWN_PER_RULE])
                    if len(group) > _SHOWN_PER_RULE:
                        lines.append(f"  - … and {len(group) - _SHOWN_PER_RULE} more")
                    lines.append(f"  fix: {fix}")
        return "\n".join(lines)

    def __str__(self) -> str:
        head = (
            f"validation of {self.source}: {len(self.repaired)} compounds"
            + (
                f", {len(self.repaired_buildings)} buildings"
                if self.repaired_buildings is not None
                else ""
            )
            + f": {_count(len(self.errors), 'error')}, {_count(len(self.warnings), 'warning')}"
        )
        if not self.issues:
            return head + " — clean"
        return head + "\n" + self._grouped()

    def __repr__(self) -> str:
        return (
            f"<ValidationReport {self.source}: {len(self.repaired)} compounds, "
            f"{_count(len(self.errors), 'error')}, {_count(len(self.warnings), 'warning')}>"
        )


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _counts_as_int(frame: gpd.GeoDataFrame, numbers: dict[str, pd.Series]) -> None:
    for key, values in numbers.items():
        cleaned = values.where(values >= 0).round()
        frame[key] = pd.array(cleaned.to_numpy(), dtype="Float64").astype("Int64")


def validate_compounds(
    compounds: gpd.GeoDataFrame,
    *,
    buildings: gpd.GeoDataFrame | None = None,
    gap_tolerance_m: float = DEFAULT_GAP_TOLERANCE_M,
    overlap_tolerance: float = DEFAULT_OVERLAP_TOLERANCE,
    repair: bool = True,
    repair_area_tolerance: float = DEFAULT_REPAIR_AREA_TOLERANCE,
) -> ValidationReport:
    """Check compounds (and their buildings) against every rule; never raise on bad data.

    Parameters
    ----------
    compounds
        Compounds as read by :func:`jinfeng_grid.io.read_compounds` (canonical
        column names, raw values, metric CRS).
    buildings
        Buildings as read by :func:`jinfeng_grid.io.read_buildings`, optional.
    gap_tolerance_m
        A compound with no other compound within this distance is an island.
    overlap_tolerance
        Overlaps above this fraction of the smaller compound are reported.
    repair
        Repair invalid geometries with ``make_valid`` when that is safe.
    repair_area_tolerance
        Largest relative change of area a repair may make (``0.01`` = 1%).

    Returns
    -------
    ValidationReport
        Every issue and the repaired layers; call ``raise_if_errors()`` to stop on
        errors.

    Raises
    ------
    InputDataError
        Only if the layer lacks an ``id`` column (read it through io) or an option
        is out of range.
    GeometryError
        If the layer is not in a metric CRS.
    """
    if not 0 <= overlap_tolerance < 1 or not 0 <= repair_area_tolerance < 1:
        raise InputDataError("overlap_tolerance and repair_area_tolerance are fractions in [0, 1)")
    for what, frame in (("compounds", compounds), ("buildings", buildings)):
        if frame is None:
            continue
        if "id" not in frame.columns:
            raise InputDataError(
                f"the {what} have no 'id' column: read them with jinfeng_grid.io, which maps "
                "the id column (--column id=NAME)"
            )
        if frame.crs is None or not is_metric(frame.crs):
            raise GeometryError(
                f"the {what} must be in a metric CRS (got {frame.crs}): read them with "
                "jinfeng_grid.io, which reprojects to the working CRS"
            )
    source = str(compounds.attrs.get("source", "compounds")).replace("\\", "/").split("/")[-1]
    issues: list[Issue] = []

    comp = compounds.reset_index(drop=True)
    issues += rules.check_ids(comp, "compounds")
    count_issues, numbers = rules.check_counts(
        comp, "compounds", required=("households", "population")
    )
    issues += count_issues
    geom_issues, geoms, usable = rules.check_geometry(
        comp,
        "compounds",
        allowed=rules.POLYGONAL,
        repair=repair,
        area_tolerance=repair_area_tolerance,
    )
    issues += geom_issues
    issues += rules.check_overlaps(comp, geoms, usable, tolerance=overlap_tolerance)
    issues += rules.check_islands(comp, geoms, usable, gap_tolerance_m=gap_tolerance_m)
    repaired = comp.copy()
    repaired[repaired.geometry.name] = gpd.GeoSeries(geoms, crs=comp.crs, index=comp.index)
    _counts_as_int(repaired, numbers)

    repaired_buildings = None
    if buildings is not None:
        bld = buildings.reset_index(drop=True)
        if bld.crs != comp.crs:
            bld = bld.to_crs(comp.crs)
        issues += rules.check_ids(bld, "buildings")
        b_count_issues, b_numbers = rules.check_counts(bld, "buildings", required=("households",))
        issues += b_count_issues
        b_geom_issues, b_geoms, b_usable = rules.check_geometry(
            bld,
            "buildings",
            allowed=(*rules.POLYGONAL, "Point", "MultiPoint"),
            repair=repair,
            area_tolerance=repair_area_tolerance,
        )
        issues += b_geom_issues
        issues += _check_buildings_in_compounds(
            comp, geoms, usable, numbers, bld, b_geoms, b_usable, b_numbers
        )
        repaired_buildings = bld.copy()
        repaired_buildings[bld.geometry.name] = gpd.GeoSeries(b_geoms, crs=bld.crs, index=bld.index)
        _counts_as_int(repaired_buildings, b_numbers)

    order = {rule: k for k, rule in enumerate(RULES)}
    issues.sort(key=lambda i: (i.severity != "error", order[i.rule], i.layer != "compounds"))
    report = ValidationReport(
        issues=tuple(issues),
        repaired=repaired,
        repaired_buildings=repaired_buildings,
        source=source,
    )
    logger.info(
        "validation: %s compounds%s, %s, %s",
        f"{len(comp):,}",
        f", {len(buildings):,} buildings" if buildings is not None else "",
        _count(len(report.errors), "error"),
        _count(len(report.warnings), "warning"),
    )
    return report


def _check_buildings_in_compounds(
    comp: gpd.GeoDataFrame,
    geoms: np.ndarray,
    usable: np.ndarray,
    numbers: dict[str, pd.Series],
    bld: gpd.GeoDataFrame,
    b_geoms: np.ndarray,
    b_usable: np.ndarray,
    b_numbers: dict[str, pd.Series],
) -> list[Issue]:
    issues: list[Issue] = []
    comp_key = comp["id"].astype("string").str.strip()
    position = pd.Series(np.arange(len(comp)), index=comp_key.to_numpy())
    position = position[~position.index.duplicated()]
    owner_key = bld["compound_id"].astype("string").str.strip()
    missing = owner_key.isna() | owner_key.eq("").fillna(True)
    for pos in np.flatnonzero(missing.to_numpy()):
        issues.append(
            rules.make_issue(
                "missing_compound_id",
                "buildings",
                f"{rules.who(bld, pos)}: no compound id",
                ids=(rules._plain(bld["id"].iloc[pos]),),
                rows=(int(pos) + 1,),
            )
        )
    known = owner_key.isin(position.index).fillna(False).to_numpy()
    for pos in np.flatnonzero(~known & ~missing.to_numpy()):
        issues.append(
            rules.make_issue(
                "unknown_compound",
                "buildings",
                f"{rules.who(bld, pos)}: compound id {owner_key.iloc[pos]} matches no compound",
                ids=(rules._plain(bld["id"].iloc[pos]),),
                rows=(int(pos) + 1,),
                values=(owner_key.iloc[pos],),
            )
        )
    # outside: a point inside the building must lie within its compound (1 m slack)
    check = np.flatnonzero(known & b_usable)
    owner_pos = position.reindex(owner_key.iloc[check].to_numpy()).to_numpy()
    ok_owner = usable[owner_pos]
    check, owner_pos = check[ok_owner], owner_pos[ok_owner]
    points = shapely.point_on_surface(b_geoms[check])
    inside = shapely.dwithin(points, geoms[owner_pos], 1.0)
    if (~inside).any():
        tree = shapely.STRtree(geoms[usable])
        usable_pos = np.flatnonzero(usable)
        for k in np.flatnonzero(~inside):
            pos = int(check[k])
            hits = tree.query(points[k], predicate="within")
            actual = (
                f"; it lies in {rules.label(comp, int(usable_pos[hits[0]]))}" if len(hits) else ""
            )
            dist = float(shapely.distance(points[k], geoms[owner_pos[k]]))
            issues.append(
                rules.make_issue(
                    "building_outside_compound",
                    "buildings",
                    f"{rules.who(bld, pos)}: outside its compound "
                    f"{rules.label(comp, int(owner_pos[k]))} by {dist:,.0f} m{actual}",
                    ids=(rules._plain(bld["id"].iloc[pos]),),
                    rows=(int(pos) + 1,),
                    values=(dist,),
                )
            )
    # counts: buildings of a compound must sum to it
    for key in ("households", "population"):
        if key not in numbers or key not in b_numbers:
            continue
        sums = (
            pd.Series(b_numbers[key].to_numpy()[known], index=owner_key[known].to_numpy())
            .groupby(level=0)
            .sum(min_count=1)
        )
        for comp_id, total in sums.items():
            pos = int(position[comp_id])
            own = numbers[key].iloc[pos]
            if pd.isna(total) or pd.isna(own) or np.isclose(total, own):
                continue
            issues.append(
                rules.make_issue(
                    "building_counts_mismatch",
                    "buildings",
                    f"compound {rules.label(comp, pos)}: its buildings hold {total:,.0f} "
                    f"{key}, the compound says {own:,.0f}",
                    ids=(rules._plain(comp["id"].iloc[pos]),),
                    rows=(int(pos) + 1,),
                    values=(float(total), float(own)),
                )
            )
    return issues
