"""Tables and summaries of a district, a plan, and a comparison of plans.

Also the boundary description of a community in words (四至: the roads or
neighbours on its east, south, west and north sides) and the approval package
(:func:`write_package`, drawn and written by the private ``_package`` module).
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from jinfeng_grid.errors import InputDataError

if TYPE_CHECKING:
    import datetime

    from jinfeng_grid.io.plan_dir import PlanFiles

__all__ = [
    "SIDES",
    "DistrictSummary",
    "boundary_descriptions",
    "district_summary",
    "format_district_summary",
    "write_package",
]

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


# --- 四至: boundary descriptions ----------------------------------------------------------

SIDES: tuple[str, ...] = ("east", "south", "west", "north")
"""The four sides of a 四至, in the order they are written."""
_SIDE_WORDS = {"east": "东", "south": "南", "west": "西", "north": "北"}
_DISTRICT_EDGE = "区界"
_FALLBACK_SHARE = 1 / 3  # of min_share: less than this is a corner, not a limit
_CLOSING_M = 35.0  # streets inside a community narrower than twice this are closed


def _community_name(name: object) -> str:
    text = str(name)
    return text if text.endswith("社区") else f"{text}社区"


def _outer_parts(geometry: shapely.Geometry) -> list[Polygon]:
    """The community as areas without holes: compounds joined across inner streets."""
    area = geometry.buffer(_CLOSING_M, join_style="mitre").buffer(-_CLOSING_M, join_style="mitre")
    parts = [p for p in getattr(area, "geoms", [area]) if isinstance(p, Polygon) and p.area > 0]
    if not parts:  # thinner than the closing: keep what there is
        parts = [p for p in getattr(geometry, "geoms", [geometry]) if p.area > 0]
    return [orient(Polygon(p.exterior), sign=1.0) for p in parts]


def _side_samples(
    parts: Sequence[Polygon], *, step_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Points every ``step_m`` along the outer rings: xy, outward normal, length, side index."""
    xy, normals, weights = [], [], []
    for part in parts:
        coords = np.asarray(part.exterior.coords)
        for (x0, y0), (x1, y1) in itertools.pairwise(coords):
            dx, dy = x1 - x0, y1 - y0
            length = math.hypot(dx, dy)
            if length < 1e-6:
                continue
            n = max(1, math.ceil(length / step_m))
            t = (np.arange(n) + 0.5) / n
            xy.append(np.column_stack([x0 + t * dx, y0 + t * dy]))
            # counter-clockwise ring: the outside is on the right of the direction of travel
            normals.append(np.tile([dy / length, -dx / length], (n, 1)))
            weights.append(np.full(n, length / n))
    if not xy:
        empty = np.empty((0, 2))
        return empty, empty, np.empty(0), np.empty(0, dtype=int)
    points, normal, weight = np.vstack(xy), np.vstack(normals), np.concatenate(weights)
    angle = np.degrees(np.arctan2(normal[:, 1], normal[:, 0])) % 360
    # east (-45°, 45°], north (45°, 135°], west (135°, 225°], south (225°, 315°]
    side = np.select(
        [
            (angle > 45) & (angle <= 135),
            (angle > 135) & (angle <= 225),
            (angle > 225) & (angle <= 315),
        ],
        [SIDES.index("north"), SIDES.index("west"), SIDES.index("south")],
        default=SIDES.index("east"),
    )
    return points, normal, weight, side


def _facing(
    target: shapely.Geometry, points: np.ndarray, normal: np.ndarray, reach: np.ndarray | float
) -> np.ndarray:
    """For each point, whether ``target`` lies in front of it (outward) within ``reach``."""
    geoms = shapely.points(points)
    distance = shapely.distance(geoms, target)
    nearest = shapely.get_coordinates(shapely.shortest_line(geoms, target)).reshape(-1, 2, 2)[
        :, 1, :
    ]
    ahead = np.einsum("ij,ij->i", nearest - points, normal)
    # in front: within 60° of the outward normal (a road met end-on at a corner is beside
    # the side, not along it); a few metres of slack for targets touching the edge
    return (distance <= reach) & (ahead >= 0.5 * distance - 5.0)


def boundary_descriptions(
    communities: gpd.GeoDataFrame,
    *,
    roads: gpd.GeoDataFrame | None = None,
    id_column: str = "community_id",
    name_column: str = "name",
    road_distance_m: float = 40.0,
    neighbour_distance_m: float = 80.0,
    min_share: float = 0.3,
    step_m: float = 10.0,
) -> pd.DataFrame:
    """Describe each community's limits in words (四至), as approval documents do.

    Each community is taken as an area (its compounds joined across the streets
    inside it, holes ignored) and its outline is sampled every ``step_m``. A sample
    belongs to the east, south, west or north side by the direction its outline
    faces. On each side:

    1. the named road that runs along the most of it, in front of it (outside the
       community) within ``road_distance_m`` of the edge plus half the road's
       ``width_m`` where given, if it runs along at least ``min_share`` of the side;
    2. else the neighbouring community in front of the most of it within
       ``neighbour_distance_m`` (written with 社区), if at least ``min_share``;
    3. else whichever road or neighbour faces the most of the side, if it faces at
       least a third of ``min_share`` (less is a road met at a corner);
    4. else 区界 (the edge of the district).

    Ties go to the name that sorts first, so the text is deterministic. Samples
    facing another part of the same community (across an arterial road that splits
    it) are not limits and are skipped.

    Parameters
    ----------
    communities
        Polygons in a metric CRS with ``id_column`` and ``name_column``.
    roads
        Lines with ``name`` (and optionally ``width_m``) in the same CRS; unnamed
        roads are ignored. ``None``: limits are neighbours or the district edge.
    id_column, name_column
        Columns of ``communities``.
    road_distance_m, neighbour_distance_m
        How far in front of an edge a road or a neighbour may lie.
    min_share
        The part of a side (0–1) a road or neighbour must face to be named at once.
    step_m
        Sampling step along the outline.

    Returns
    -------
    pandas.DataFrame
        One row per community, in input order: ``community_id``, ``name``, ``east``,
        ``south``, ``west``, ``north`` and ``text``
        (``东至正源街，南至黄河东路，西至六盘山社区，北至北京中路``).

    Raises
    ------
    InputDataError
        If a column is missing, ids repeat, the CRS is geographic or an option is out
        of range.

    Examples
    --------
    >>> from shapely.geometry import LineString, box
    >>> units = gpd.GeoDataFrame(
    ...     {"community_id": ["A"], "name": ["康平"]},
    ...     geometry=[box(0, 0, 500, 500)], crs="EPSG:4544")
    >>> roads = gpd.GeoDataFrame(
    ...     {"name": ["正源街"]}, geometry=[LineString([(520, -100), (520, 600)])],
    ...     crs="EPSG:4544")
    >>> boundary_descriptions(units, roads=roads).loc[0, "text"]
    '东至正源街，南至区界，西至区界，北至区界'
    """
    missing = [c for c in (id_column, name_column) if c not in communities.columns]
    if missing:
        raise InputDataError(
            f"cannot describe boundaries: the communities lack column(s) {', '.join(missing)} "
            f"(they have {', '.join(map(str, communities.columns))})"
        )
    if communities.crs is not None and not communities.crs.is_projected:
        raise InputDataError(
            "cannot describe boundaries in a geographic CRS: distances need metres; "
            "reproject the communities (e.g. to_crs('EPSG:4544'))"
        )
    ids = communities[id_column].astype(str)
    repeated = sorted(set(ids[ids.duplicated()]))
    if repeated:
        raise InputDataError(
            f"cannot describe boundaries: community id(s) repeat: {', '.join(repeated[:10])}"
        )
    if not 0 < min_share <= 1:
        raise InputDataError(f"min_share must be within (0, 1], got {min_share!r}")
    if step_m <= 0 or road_distance_m < 0 or neighbour_distance_m < 0:
        raise InputDataError("step_m must be positive and the distances not negative")
    named: list[tuple[str, shapely.Geometry, float]] = []
    if roads is not None and len(roads) and "name" in roads.columns:
        frame = roads[roads["name"].notna() & (roads["name"].astype(str).str.strip() != "")]
        widths = (
            pd.to_numeric(frame["width_m"], errors="coerce").fillna(0.0)
            if "width_m" in frame.columns
            else pd.Series(0.0, index=frame.index)
        )
        for name in sorted(set(frame["name"].astype(str))):
            rows = frame["name"].astype(str) == name
            line = shapely.union_all(frame.geometry[rows].to_numpy())
            named.append((name, line, road_distance_m + float(widths[rows].max()) / 2))
    # a sample whose outward ray meets the same community again within twice the reach
    # faces a road or gap inside the community, not a limit
    probe_m = 2 * max([neighbour_distance_m, road_distance_m, *(r for _, _, r in named)])
    geometries = communities.geometry.to_numpy()
    names = communities[name_column].astype(str).to_numpy()
    areas = [
        shapely.union_all(_outer_parts(g)) if g is not None and not g.is_empty else g
        for g in geometries
    ]
    tree = shapely.STRtree(geometries)
    rows = []
    for i, geometry in enumerate(geometries):
        sides = dict.fromkeys(SIDES, _DISTRICT_EDGE)
        if geometry is None or geometry.is_empty:
            rows.append({"community_id": ids.iloc[i], "name": names[i], **sides})
            continue
        points, normal, weight, side = _side_samples(_outer_parts(geometry), step_m=step_m)
        if len(points):
            # a sample facing the community itself (across a road that splits it) is inside
            probes = shapely.linestrings(
                np.stack([points + normal * 1.0, points + normal * probe_m], axis=1)
            )
            keep = ~shapely.intersects(probes, areas[i])
            points, normal, weight, side = points[keep], normal[keep], weight[keep], side[keep]
        reach_box = geometry.buffer(max(neighbour_distance_m, road_distance_m) + 60.0)
        neighbours = [int(j) for j in tree.query(reach_box, predicate="intersects") if int(j) != i]
        for s, key in enumerate(SIDES):
            on_side = side == s
            if not on_side.any():
                continue
            p, n, w = points[on_side], normal[on_side], weight[on_side]
            total = float(w.sum())
            road_cover = {
                name: float(w[_facing(line, p, n, reach)].sum()) for name, line, reach in named
            }
            unit_cover = {}
            for j in neighbours:
                covered = float(w[_facing(geometries[j], p, n, neighbour_distance_m)].sum())
                label = _community_name(names[j])
                unit_cover[label] = max(unit_cover.get(label, 0.0), covered)
            best_road = _best(road_cover)
            best_unit = _best(unit_cover)
            if best_road and road_cover[best_road] >= min_share * total:
                sides[key] = best_road
            elif best_unit and unit_cover[best_unit] >= min_share * total:
                sides[key] = best_unit
            else:
                either = _best({**unit_cover, **road_cover})
                cover = max(road_cover.get(either, 0.0), unit_cover.get(either, 0.0))
                if either and cover >= _FALLBACK_SHARE * min_share * total:
                    sides[key] = either
        rows.append({"community_id": ids.iloc[i], "name": names[i], **sides})
    table = pd.DataFrame(rows, columns=["community_id", "name", *SIDES])
    table["text"] = [
        "，".join(f"{_SIDE_WORDS[key]}至{row[key]}" for key in SIDES) for _, row in table.iterrows()
    ]
    logger.info(
        "boundaries: %d communities described, %d sides on a road",
        len(table),
        int(sum(table[key].isin([n for n, _, _ in named]).sum() for key in SIDES)),
    )
    return table


def _best(cover: dict[str, float]) -> str | None:
    """The key with the largest positive cover; ties to the first name in sort order."""
    ranked = sorted((item for item in cover.items() if item[1] > 0), key=lambda kv: (-kv[1], kv[0]))
    return ranked[0][0] if ranked else None


# --- the approval package ----------------------------------------------------------------


def write_package(
    plan: PlanFiles | str | Path,
    out_dir: str | Path,
    *,
    paper: Literal["A3", "A4"] = "A3",
    date: datetime.date | str | None = None,
    producing_unit: str | None = None,
    png: bool = True,
) -> dict[str, Path]:
    """Write the approval package of a plan: atlas, print maps, tables, layers, README.

    See :func:`jinfeng_grid.report.package.write_package` for the folder's contents; this
    is the public entry point (the ``package`` and ``demo`` commands call it).

    Parameters
    ----------
    plan
        A plan directory (made by ``jinfeng-grid plan``) or a plan it read.
    out_dir
        The folder to write; created if missing. Must not be the plan directory.
    paper
        ``"A3"`` (default) or ``"A4"`` landscape pages.
    date
        编制日期 printed on the maps; today when ``None``.
    producing_unit
        编制单位; the scenario's ``[report] producing_unit`` when ``None``.
    png
        Also write 300-dpi PNGs of the overview and before/after maps.

    Returns
    -------
    dict
        File name (relative to ``out_dir``) → path, for every file written.

    Raises
    ------
    InputDataError
        If the plan directory is missing or incomplete, or a file cannot be written.
    ConfigError
        For an unknown paper size or ``out_dir`` equal to the plan directory.

    Examples
    --------
    >>> files = write_package("plan/", "submission/")  # doctest: +SKIP
    >>> sorted(files)[:3]  # doctest: +SKIP
    ['README.txt', 'atlas.pdf', 'maps/before_after.pdf']
    """
    from jinfeng_grid.report import package as _package

    return _package.write_package(
        plan, out_dir, paper=paper, date=date, producing_unit=producing_unit, png=png
    )
