"""Turn solved assignments into the plan's tables: ids, names, counts and geometry.

Communities that keep exactly their current compounds keep their current name and
code; a new or changed community is named after the current community that gives it
the most households (the largest such piece keeps the plain name, the others get
``(2)``, ``(3)``, ... and ``name_provisional``), and numbered in map reading order
after the codes kept. Grids are coded community code + sequence. Grid outlines are
drawn from the compounds: a compound wholly in one grid gives its polygon; a compound
shared by several grids is cut into the Voronoi cells of its buildings; a compound
cut into virtual grids is cut into equal strips.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import geopandas as gpd
import networkx as nx
import pandas as pd
import shapely

from jinfeng_grid.config.options import UnitBounds
from jinfeng_grid.config.scenario import Scenario
from jinfeng_grid.plan.codes import number_units
from jinfeng_grid.plan.outline import closing_distance, outline

__all__ = ["Assembled", "assemble"]

CODE_WIDTH = 3


@dataclass(frozen=True)
class Assembled:
    compounds: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame | None
    subdistricts: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    grids: gpd.GeoDataFrame


def within_bounds(unit: UnitBounds, households: pd.Series, population: pd.Series) -> pd.Series:
    """Whether each unit's households (and population, where bounded) lie within ``unit``."""
    ok = households.between(unit.min_households, unit.max_households)
    if unit.min_population is not None:
        ok &= population >= unit.min_population
    if unit.max_population is not None:
        ok &= population <= unit.max_population
    return ok


def _centroid(geometry: shapely.Geometry) -> tuple[float, float]:
    point = geometry.representative_point() if not geometry.is_empty else shapely.Point(0, 0)
    return (float(point.x), float(point.y))


def _subdistrict_codes(
    compounds: gpd.GeoDataFrame, scenario: Scenario, *, new_names: frozenset[str] = frozenset()
) -> dict[Hashable, str]:
    district = scenario.report.district_code
    keep: dict[Hashable, str] = {}
    if "community_id" in compounds.columns:
        for subdistrict, codes in compounds.groupby("subdistrict")["community_id"]:
            if subdistrict in new_names:
                continue
            prefixes = Counter(
                str(code)[: len(district) + CODE_WIDTH]
                for code in codes.dropna()
                if str(code).startswith(district)
                and len(str(code)) == len(district) + 2 * CODE_WIDTH
            )
            if prefixes:
                keep[subdistrict] = prefixes.most_common(1)[0][0]
    if len(set(keep.values())) != len(keep):
        keep = {}
    centroids = {
        name: _centroid(shapely.union_all(group.geometry.to_numpy()))
        for name, group in compounds.groupby("subdistrict")
    }
    return number_units(centroids, prefix=district, width=CODE_WIDTH, keep=keep)


def assemble(
    compounds: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame | None,
    *,
    community_key: Mapping[Hashable, Hashable],
    grid_key: Mapping[Hashable, Hashable],
    grid_owner: Mapping[Hashable, Hashable],
    grid_graph: nx.Graph,
    oversize_communities: set[Hashable],
    oversize_grids: set[Hashable],
    scenario: Scenario,
    keep_name: Mapping[Hashable, Hashable] | None = None,
    subdistrict_of: Mapping[Hashable, str] | None = None,
    new_subdistricts: frozenset[str] = frozenset(),
) -> Assembled:
    """Build the plan's tables from node → unit-key assignments (see module docs).

    ``keep_name`` maps a current community name to the key of the new community that
    keeps it (e.g. the one holding its locked compounds); otherwise the new community
    with the most of its households keeps the name. ``subdistrict_of`` maps each
    compound to its re-drawn subdistrict (``new_subdistricts`` are the provisional
    names of new ones); the compounds keep their current ``subdistrict`` and get the
    new one in ``subdistrict_name``.
    """
    crs = compounds.crs
    closing_m = closing_distance(scenario)
    compounds = compounds.copy()
    current_subdistrict = compounds["subdistrict"].copy()
    if subdistrict_of is not None:
        compounds["subdistrict"] = compounds["id"].map(subdistrict_of)
    subdistrict_code = _subdistrict_codes(compounds, scenario, new_names=new_subdistricts)
    compounds["_key"] = compounds["id"].map(community_key)
    compounds["subdistrict_id"] = compounds["subdistrict"].map(subdistrict_code)

    # communities: names and codes
    current = compounds["community"] if "community" in compounds.columns else None
    current_code = compounds["community_id"] if "community_id" in compounds.columns else None
    members = compounds.groupby("_key", sort=False)["id"].apply(frozenset)
    current_members = (
        {} if current is None else compounds.groupby("community")["id"].apply(frozenset).to_dict()
    )
    unchanged = {
        key: next(n for n, ids in current_members.items() if ids == members[key])
        for key in members.index
        if members[key] in set(current_members.values())
    }
    names: dict[Hashable, str] = {}
    provisional: dict[Hashable, bool] = {}
    if current is not None:
        share = compounds.groupby(["_key", "community"], sort=False)["households"].sum()
        base = {
            key: share.loc[key].sort_values(ascending=False, kind="stable").index[0]
            for key in members.index
        }
        for name in sorted(set(base.values()), key=str):
            keys = [k for k in members.index if base[k] == name]
            anchor = (keep_name or {}).get(name)
            keys.sort(key=lambda k: (k != anchor, -int(share.loc[(k, name)]), str(k)))
            for rank, key in enumerate(keys):
                names[key] = str(name) if rank == 0 else f"{name}({rank + 1})"
                provisional[key] = key not in unchanged
    else:
        for key in members.index:
            names[key] = ""
            provisional[key] = True
    geometry = compounds.groupby("_key", sort=False)["geometry"].apply(
        lambda g: outline(list(g), closing_m=closing_m)
    )
    community_code: dict[Hashable, str] = {}
    for subdistrict, keys in _by_parent(members.index, compounds, "_key", "subdistrict").items():
        prefix = subdistrict_code[subdistrict]
        keep = {}
        for key in keys:
            if key in unchanged and current_code is not None:
                code = current_code[compounds["community"] == unchanged[key]].iloc[0]
                if isinstance(code, str) and code.startswith(prefix):
                    keep[key] = code
        if len(set(keep.values())) != len(keep):
            keep = {}
        centroids = {key: _centroid(geometry[key]) for key in keys}
        community_code.update(number_units(centroids, prefix=prefix, width=CODE_WIDTH, keep=keep))
    for key in members.index:
        if not names[key]:
            names[key] = f"社区{community_code[key][-CODE_WIDTH:]}"
    compounds["community_id"] = compounds["_key"].map(community_code)
    compounds["community_name"] = compounds["_key"].map(names)

    communities = (
        compounds.groupby("_key", sort=False)
        .agg(
            subdistrict=("subdistrict", "first"),
            subdistrict_id=("subdistrict_id", "first"),
            households=("households", "sum"),
            population=("population", "sum"),
            compounds=("id", "size"),
        )
        .reset_index()
    )
    communities.insert(0, "community_id", communities["_key"].map(community_code))
    communities.insert(1, "name", communities["_key"].map(names))
    communities["name_provisional"] = communities["_key"].map(provisional)
    communities["unchanged"] = communities["_key"].isin(set(unchanged))
    communities["oversize"] = communities["_key"].isin(oversize_communities)
    communities["within_bounds"] = within_bounds(
        scenario.community, communities["households"], communities["population"]
    )

    # grids
    grid_nodes = pd.DataFrame(
        {
            "node": list(grid_key),
            "key": list(grid_key.values()),
            "compound_id": [grid_owner[v] for v in grid_key],
            "households": [grid_graph.nodes[v].get("households", 0) for v in grid_key],
            "population": [grid_graph.nodes[v].get("population", 0) for v in grid_key],
        }
    )
    grid_nodes["community_key"] = grid_nodes["compound_id"].map(community_key)
    grid_code: dict[Hashable, str] = {}
    current_grid = _current_grids(buildings)
    grid_members = grid_nodes.groupby("key", sort=False)["node"].apply(frozenset)
    rows = []
    grid_geometry = _grid_geometry(compounds, buildings, grid_nodes)
    for community, group in grid_nodes.groupby("community_key", sort=False):
        prefix = community_code[community]
        keys = list(dict.fromkeys(group["key"]))
        keep = {}
        for key in keys:
            code = current_grid.get(grid_members[key])
            if (
                code is not None
                and code.startswith(prefix)
                and len(code) == len(prefix) + CODE_WIDTH
            ):
                keep[key] = code
        if len(set(keep.values())) != len(keep):
            keep = {}
        centroids = {key: _centroid(grid_geometry[key]) for key in keys}
        grid_code.update(number_units(centroids, prefix=prefix, width=CODE_WIDTH, keep=keep))
    for key, group in grid_nodes.groupby("key", sort=False):
        community = group["community_key"].iloc[0]
        rows.append(
            {
                "grid_id": grid_code[key],
                "name": f"{names[community]}第{int(grid_code[key][-CODE_WIDTH:])}网格",
                "community_id": community_code[community],
                "community_name": names[community],
                "subdistrict_id": compounds.loc[
                    compounds["_key"] == community, "subdistrict_id"
                ].iloc[0],
                "households": int(group["households"].sum()),
                "population": int(group["population"].sum()),
                "compounds": int(group["compound_id"].nunique()),
                "members": len(group),
                "virtual": buildings is None,
                "unchanged": grid_members[key] in current_grid,
                "oversize": key in oversize_grids,
                "geometry": grid_geometry[key],
            }
        )
    grids = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
    grids["within_bounds"] = within_bounds(scenario.grid, grids["households"], grids["population"])
    grids = grids.sort_values("grid_id", kind="stable").reset_index(drop=True)
    grid_counts = grids.groupby("community_id").size()
    communities["grids"] = communities["community_id"].map(grid_counts).fillna(0).astype(int)
    communities = (
        gpd.GeoDataFrame(
            communities.drop(columns="_key").assign(
                geometry=communities["_key"].map(geometry).to_numpy()
            ),
            geometry="geometry",
            crs=crs,
        )
        .sort_values("community_id", kind="stable")
        .reset_index(drop=True)
    )

    out_buildings = None
    if buildings is not None:
        out_buildings = buildings.copy()
        out_buildings["grid_id"] = out_buildings["id"].map(
            {node: grid_code[key] for node, key in grid_key.items()}
        )
        out_buildings["community_id"] = out_buildings["compound_id"].map(
            compounds.set_index("id")["community_id"]
        )
    else:
        per_compound = grid_nodes.assign(code=grid_nodes["key"].map(grid_code)).groupby(
            "compound_id"
        )["code"]
        compounds["grid_ids"] = compounds["id"].map(
            per_compound.apply(lambda c: ";".join(sorted(set(c))))
        )

    subdistricts = (
        communities.dissolve(
            by=["subdistrict_id", "subdistrict"],
            aggfunc={"households": "sum", "population": "sum", "compounds": "sum", "grids": "sum"},
        )
        .reset_index()
        .rename(columns={"subdistrict": "name"})
    )
    subdistricts["communities"] = subdistricts["subdistrict_id"].map(
        communities.groupby("subdistrict_id").size()
    )
    subdistricts["name_provisional"] = subdistricts["name"].isin(new_subdistricts)
    if scenario.subdistrict is not None:
        subdistricts["within_bounds"] = within_bounds(
            scenario.subdistrict, subdistricts["households"], subdistricts["population"]
        )
    compounds = compounds.drop(columns="_key")
    compounds["subdistrict_name"] = compounds["subdistrict"]
    compounds["subdistrict"] = current_subdistrict
    return Assembled(compounds, out_buildings, subdistricts, communities, grids)


def _by_parent(
    keys: pd.Index, frame: pd.DataFrame, key_column: str, parent: str
) -> dict[Hashable, list[Hashable]]:
    first = frame.groupby(key_column, sort=False)[parent].first()
    out: dict[Hashable, list[Hashable]] = {}
    for key in keys:
        out.setdefault(first[key], []).append(key)
    return out


def _current_grids(buildings: gpd.GeoDataFrame | None) -> dict[frozenset, str]:
    if buildings is None or "grid" not in buildings.columns:
        return {}
    groups = buildings.dropna(subset=["grid"]).groupby("grid")["id"].apply(frozenset)
    return {members: str(code) for code, members in groups.items()}


def _grid_geometry(
    compounds: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame | None, grid_nodes: pd.DataFrame
) -> dict[Hashable, shapely.Geometry]:
    outline = compounds.set_index("id").geometry
    parts: dict[Hashable, list[shapely.Geometry]] = {}
    for compound, group in grid_nodes.groupby("compound_id", sort=False):
        polygon = outline[compound]
        keys = list(group["key"])
        if len(set(keys)) == 1:
            parts.setdefault(keys[0], []).append(polygon)
        elif buildings is None:
            for key, strip in zip(keys, _strips(polygon, len(keys)), strict=True):
                parts.setdefault(key, []).append(strip)
        else:
            points = (
                buildings.set_index("id").geometry.loc[list(group["node"])].representative_point()
            )
            cells = _voronoi_cells(polygon, list(points))
            for key, cell in zip(keys, cells, strict=True):
                parts.setdefault(key, []).append(cell)
    return {key: shapely.union_all(geoms) for key, geoms in parts.items()}


def _voronoi_cells(
    polygon: shapely.Geometry, points: list[shapely.Point]
) -> list[shapely.Geometry]:
    """The Voronoi cell of each point, clipped to the polygon, in the order of the points."""
    if len(points) == 1:
        return [polygon]
    diagram = shapely.voronoi_polygons(shapely.MultiPoint(points), extend_to=polygon)
    cells = list(diagram.geoms)
    ordered = []
    for point in points:
        cell = next((c for c in cells if c.covers(point)), None)
        ordered.append(polygon if cell is None else cell.intersection(polygon))
    return ordered


def _strips(polygon: shapely.Geometry, n: int) -> list[shapely.Geometry]:
    """Cut a polygon into n strips along its longer side, of about equal area."""
    minx, miny, maxx, maxy = polygon.bounds
    horizontal = (maxx - minx) >= (maxy - miny)
    low, high = (minx, maxx) if horizontal else (miny, maxy)
    cuts = [low + (high - low) * i / n for i in range(n + 1)]
    strips = []
    for a, b in itertools.pairwise(cuts):
        box = (
            shapely.box(a, miny - 1, b, maxy + 1)
            if horizontal
            else shapely.box(minx - 1, a, maxx + 1, b)
        )
        strips.append(polygon.intersection(box))
    return strips
