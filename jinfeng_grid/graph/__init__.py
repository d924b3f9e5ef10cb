"""Adjacency graphs of compounds and of buildings, built from geometry."""

from __future__ import annotations

from jinfeng_grid.graph.adjacency import (
    DEFAULT_BARRIER_GAP_M,
    DEFAULT_GAP_TOLERANCE_M,
    DEFAULT_MIN_SHARED_M,
    arterial_roads,
    build_adjacency,
)
from jinfeng_grid.graph.buildings import build_building_contiguity, build_building_graph
from jinfeng_grid.graph.components import ComponentSummary, graph_components

__all__ = [
    "DEFAULT_BARRIER_GAP_M",
    "DEFAULT_GAP_TOLERANCE_M",
    "DEFAULT_MIN_SHARED_M",
    "ComponentSummary",
    "arterial_roads",
    "build_adjacency",
    "build_building_contiguity",
    "build_building_graph",
    "graph_components",
]
