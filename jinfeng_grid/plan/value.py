"""The plan value: a district's plan as the planner returns it, the writer writes it, the
reader reads it back and the renderer, the packager and the other commands take it.

One frozen :class:`Plan` carries the units of every level, the district's other layers
(roads, facilities, the staff table), the scenario it was made with and its provenance.
The plan directory (:mod:`jinfeng_grid.plan.directory`) is its serialisation: reading a
directory back gives a plan equal to the one written (:meth:`Plan.equals`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jinfeng_grid.config.scenario import Scenario
from jinfeng_grid.plan.records import LevelSummary

__all__ = [
    "GEOMETRY_TOLERANCE_M",
    "LAYERS",
    "DistrictPlan",
    "Plan",
    "contract_buildings",
    "contract_compounds",
    "geometry_last",
    "planned",
]

#: The layers of a plan, in the order they are written; the first four every plan has.
LAYERS = (
    "compounds",
    "communities",
    "grids",
    "subdistricts",
    "buildings",
    "roads",
    "facilities",
)

#: Geometries written in the input CRS and read back into the working CRS move by far
#: less than a millimetre (two reprojections); two plans whose outlines agree within
#: this are the same plan.
GEOMETRY_TOLERANCE_M = 1e-3


@dataclass(frozen=True, eq=False, repr=False)
class Plan:
    """A district's plan: every compound and building with its new units.

    Attributes
    ----------
    compounds
        Every input compound once, in input order, under the contract's names:
        ``compound_id``, its current ``subdistrict``/``community``/``grid`` when the
        input had them, the new ``subdistrict_id``, ``subdistrict_name``,
        ``community_id``, ``community_name`` and, when grids are virtual, ``grid_ids``.
    communities, grids
        One row per unit: id, name, parent ids, ``households``, ``population``, member
        counts, ``within_bounds``, ``oversize`` and the unit's outline.
    scenario
        The scenario the plan was made with.
    subdistricts
        One row per subdistrict like the other units (every plan the planner makes has
        it; a directory written by hand may not).
    buildings
        The input buildings with ``building_id``, ``grid_id`` and ``community_id``, or
        None when the plan was made without buildings.
    roads, facilities, staff
        The district's roads, facilities and actual-staff table as given with the
        input (None when absent), so that the plan alone serves every later command.
    levels
        Per level (``subdistrict`` when re-drawn, ``community``, ``grid``): units,
        bounds met, objective, proven bound, gap and every subproblem.
    notes
        What a person should look at (oversize units, virtual grids, ...), in order.
    seconds
        Wall time of the planning.
    provenance
        What the plan was made from: package and library versions, the input files
        with their SHA-256, the scenario and the seed (empty until the pipeline
        records it).
    extra
        Further ``summary.json`` entries (e.g. the ``split`` that made an alternative).
    source
        The directory the plan was read from (None for a plan made in memory); not
        part of the plan's value.

    All layers are in the metric working CRS; ``compounds.attrs["input_crs"]`` holds
    the CRS the input came in (and the plan is written in).
    """

    compounds: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    grids: gpd.GeoDataFrame
    scenario: Scenario
    subdistricts: gpd.GeoDataFrame | None = None
    buildings: gpd.GeoDataFrame | None = None
    roads: gpd.GeoDataFrame | None = None
    facilities: gpd.GeoDataFrame | None = None
    staff: pd.DataFrame | None = None
    levels: Mapping[str, LevelSummary] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    provenance: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)
    source: Path | None = None

    @property
    def status(self) -> str:
        """``optimal`` when every level is proven optimal, else ``feasible``."""
        ok = all(level.status == "optimal" for level in self.levels.values())
        return "optimal" if ok else "feasible"

    @property
    def district_name(self) -> str:
        """The district's name, from the scenario's ``[report]``."""
        return self.scenario.report.district_name

    @property
    def district_code(self) -> str:
        """The district's administrative code, from the scenario's ``[report]``."""
        return self.scenario.report.district_code

    @property
    def where(self) -> str:
        """How messages name this plan: its directory, or ``the plan`` in memory."""
        return f"the plan in {self.source}" if self.source is not None else "the plan"

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """The plan's layers that are present, by name, in :data:`LAYERS` order."""
        present = {name: getattr(self, name) for name in LAYERS}
        return {name: frame for name, frame in present.items() if frame is not None}

    def with_district(
        self,
        *,
        roads: gpd.GeoDataFrame | None = None,
        facilities: gpd.GeoDataFrame | None = None,
        staff: pd.DataFrame | None = None,
        provenance: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Plan:
        """The same plan carrying the district's other layers and its provenance."""
        return dataclasses.replace(
            self,
            roads=roads,
            facilities=facilities,
            staff=staff,
            provenance=dict(provenance or {}),
            extra=dict(extra or {}),
        )

    @property
    def summary(self) -> dict[str, Any]:
        """``summary.json``: counts, per-level results, notes, provenance and extras."""
        return {
            "plan": {
                "status": self.status,
                "seconds": self.seconds,
                "subdistricts": None if self.subdistricts is None else len(self.subdistricts),
                "communities": len(self.communities),
                "grids": len(self.grids),
                "compounds": len(self.compounds),
                "buildings": None if self.buildings is None else len(self.buildings),
                "households": int(self.compounds["households"].sum()),
                "population": int(self.compounds["population"].sum()),
                "virtual_grids": self.buildings is None,
            },
            "levels": {name: level.to_dict() for name, level in self.levels.items()},
            "notes": list(self.notes),
            "provenance": dict(self.provenance),
            **dict(self.extra),
        }

    def differences(self, other: Plan, *, tolerance_m: float = GEOMETRY_TOLERANCE_M) -> list[str]:
        """What differs between two plans, in words (empty when they are equal).

        Attribute values must match exactly (dtypes may differ: a column of whole
        numbers read back from a GeoPackage is the same column); geometries within
        ``tolerance_m`` metres of each other (Hausdorff distance, so a polygon and the
        one-part multipolygon a GeoPackage gives back are the same); the row order is
        part of the value.
        """
        found: list[str] = []
        for name in LAYERS:
            found += _frame_differences(
                name, getattr(self, name), getattr(other, name), tolerance_m
            )
        found += _frame_differences("staff", self.staff, other.staff, tolerance_m)
        if self.scenario != other.scenario:
            found.append("the scenarios differ")
        if dict(self.levels) != dict(other.levels):
            found.append("the level summaries differ")
        for name in ("notes", "seconds", "provenance", "extra"):
            if _plain(getattr(self, name)) != _plain(getattr(other, name)):
                found.append(f"{name} differ")
        return found

    def equals(self, other: Plan, *, tolerance_m: float = GEOMETRY_TOLERANCE_M) -> bool:
        """Whether two plans are the same plan (see :meth:`differences`)."""
        return not self.differences(other, tolerance_m=tolerance_m)

    def __repr__(self) -> str:
        gaps = [level.gap for level in self.levels.values()]
        if not gaps:
            gap = "no levels"
        elif any(g is None for g in gaps):
            gap = "no bound"
        else:
            gap = f"gap {100 * max(g for g in gaps if g is not None):.1f}%"
        subdistricts = (
            "" if self.subdistricts is None else f"{len(self.subdistricts)} subdistricts, "
        )
        return (
            f"<Plan {self.district_name}: {subdistricts}{len(self.communities)} communities, "
            f"{len(self.grids)} grids, {len(self.compounds)} compounds, {self.status} ({gap})>"
        )


def planned(
    assembled: Any,
    *,
    levels: Mapping[str, LevelSummary],
    scenario: Scenario,
    notes: tuple[str, ...],
    seconds: float,
) -> Plan:
    """The plan the planner returns from its assembled tables
    (:func:`jinfeng_grid.plan.tables.assemble`): the contract's names, each layer's
    geometry last and a 0..n-1 index, as the plan directory gives them back."""
    return Plan(
        compounds=contract_compounds(assembled.compounds),
        communities=geometry_last(assembled.communities),
        grids=geometry_last(assembled.grids),
        subdistricts=geometry_last(assembled.subdistricts),
        buildings=contract_buildings(assembled.buildings),
        scenario=scenario,
        levels=dict(levels),
        notes=tuple(notes),
        seconds=seconds,
    )


def contract_compounds(compounds: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The planner's compounds as a plan holds them: under the contract's names (``id``
    → ``compound_id``), the geometry last (as a GeoPackage gives them back)."""
    return geometry_last(compounds.rename(columns={"id": "compound_id"}))


def contract_buildings(buildings: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """The planner's buildings as a plan holds them (``id`` → ``building_id``)."""
    if buildings is None:
        return None
    return geometry_last(buildings.rename(columns={"id": "building_id"}))


def geometry_last(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The same frame with its geometry column last and a fresh 0..n-1 index."""
    name = frame.geometry.name
    columns = [c for c in frame.columns if c != name] + [name]
    return frame.loc[:, columns].reset_index(drop=True)


def _plain(value: Any) -> Any:
    """Mappings and sequences as plain dicts and lists, for comparing JSON-like values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _frame_differences(
    name: str, left: pd.DataFrame | None, right: pd.DataFrame | None, tolerance_m: float
) -> list[str]:
    if left is None or right is None:
        return [] if left is None and right is None else [f"{name}: present in one plan only"]
    if list(left.columns) != list(right.columns):
        return [f"{name}: columns {list(left.columns)} ≠ {list(right.columns)}"]
    if len(left) != len(right):
        return [f"{name}: {len(left)} ≠ {len(right)} rows"]
    found = []
    for column in left.columns:
        a, b = left[column].reset_index(drop=True), right[column].reset_index(drop=True)
        if isinstance(a, gpd.GeoSeries) or column == "geometry":
            # a GeoPackage layer declared multi-part gives a Polygon back as a one-part
            # MultiPolygon: the same shape, so shapes are compared, not their types
            left_g, right_g = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
            missing = pd.isna(a).to_numpy() & pd.isna(b).to_numpy()
            both = ~pd.isna(a).to_numpy() & ~pd.isna(b).to_numpy()
            distance = np.full(len(a), np.inf)
            distance[both] = shapely.hausdorff_distance(left_g[both], right_g[both])
            same = missing | (distance <= tolerance_m)
        else:
            missing = a.isna().to_numpy() & b.isna().to_numpy()
            same = missing | (a.astype(object).to_numpy() == b.astype(object).to_numpy())
        if not bool(np.all(same)):
            rows = np.flatnonzero(~np.asarray(same, dtype=bool))[:3].tolist()
            found.append(f"{name}.{column}: differs in rows {rows}")
    return found


DistrictPlan = Plan
"""The name :class:`Plan` had before the plan directory read back the same value."""
