"""The graph grids are drawn from: buildings, or equal virtual pieces of each compound."""

from __future__ import annotations

import math
from collections.abc import Hashable

import geopandas as gpd
import networkx as nx

from jinfeng_grid.config.options import UnitBounds
from jinfeng_grid.graph.buildings import build_building_contiguity

__all__ = [
    "grid_graph_for",
    "grid_graph_from_buildings",
    "grid_graph_from_compounds",
]

#: Cost of cutting between two buildings of one compound, relative to 1 between
#: buildings of neighbouring compounds: grids follow compound boundaries where they can.
SAME_COMPOUND_CUT_COST = 2.0


#: Virtual pieces per grid floor when compounds are cut without buildings.
VIRTUAL_PIECES_PER_FLOOR = 3


def grid_graph_for(
    compounds: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame | None,
    compound_graph: nx.Graph,
    unit: UnitBounds,
) -> tuple[nx.Graph, dict[Hashable, Hashable], str]:
    """The graph grids are drawn from, each node's compound, and what a node is called:
    buildings when given, else equal virtual pieces of each compound."""
    if buildings is not None:
        graph = grid_graph_from_buildings(buildings, compound_graph)
        owner = dict(zip(buildings["id"], buildings["compound_id"], strict=True))
        return graph, owner, "building"
    frame = compounds.loc[
        :, [c for c in ("id", "name", "households", "population") if c in compounds.columns]
    ]
    graph, owner = grid_graph_from_compounds(frame, compound_graph, unit)
    return graph, owner, "virtual piece"


def grid_graph_from_buildings(buildings: gpd.GeoDataFrame, compound_graph: nx.Graph) -> nx.Graph:
    graph = build_building_contiguity(buildings, compound_graph=compound_graph)
    for _, _, data in graph.edges(data=True):
        data["cost"] = SAME_COMPOUND_CUT_COST if data.get("same_compound") else 1.0
    return graph


def grid_graph_from_compounds(
    compounds: gpd.GeoDataFrame, compound_graph: nx.Graph, unit: UnitBounds
) -> tuple[nx.Graph, dict[Hashable, Hashable]]:
    """Cut each compound into equal virtual pieces of about a third of the grid floor.

    Pieces that small let grids of any size within the bounds be put together (pieces
    near the grid size leave leftovers that fit nowhere). Returns the graph of pieces
    and piece → compound. Pieces of one compound form a path, like strips across it
    (cost 1 per cut); a neighbouring compound meets the strips at either end.
    """
    graph = nx.Graph()
    owner: dict[Hashable, Hashable] = {}
    pieces_of: dict[Hashable, list[Hashable]] = {}
    piece_size = max(1.0, unit.min_households / VIRTUAL_PIECES_PER_FLOOR)
    for row in compounds.itertuples(index=False):
        households, population = int(row.households), int(row.population)
        m = max(1, math.ceil(households / piece_size - 1e-9))
        shares_h = _equal_split(households, m)
        shares_p = _equal_split(population, m)
        names = [(row.id, i) for i in range(m)]
        for name, h, p in zip(names, shares_h, shares_p, strict=True):
            graph.add_node(
                name,
                households=h,
                population=p,
                compound_id=row.id,
                name=f"{getattr(row, 'name', row.id)}#{name[1] + 1}",
            )
            owner[name] = row.id
        nx.add_path(graph, names, cost=1.0, barrier=False)
        pieces_of[row.id] = names
    for u, v, data in compound_graph.edges(data=True):
        # neighbours meet the strips at either end of a compound, not its middle
        for a in {pieces_of[u][0], pieces_of[u][-1]} if u in pieces_of else ():
            for b in {pieces_of[v][0], pieces_of[v][-1]} if v in pieces_of else ():
                graph.add_edge(a, b, cost=1.0, barrier=bool(data.get("barrier", False)))
    return graph, owner


def _equal_split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]
