"""Components and islands of an adjacency graph: summarised by name, linked when asked.

:func:`graph_components` says which compounds are cut off from the rest and why
(:class:`ComponentSummary`); :func:`jinfeng_grid.graph.build_adjacency` records the
nearest outsider of each component and, with ``connect_islands``, links every
component but the largest to its nearest compound (edges flagged ``island_link``).
"""

from __future__ import annotations

import logging
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import shapely

from jinfeng_grid.graph import geometry as geo
from jinfeng_grid.graph.nodes import _sorted_ids

__all__ = ["ComponentSummary", "graph_components"]

logger = logging.getLogger(__name__)


def _nearest_outside(graph: nx.Graph, ids: list[Hashable], geoms: np.ndarray) -> list[list[Any]]:
    """``[u, v, distance]`` from each component but the largest to its nearest outsider."""
    index = {node: k for k, node in enumerate(ids)}
    components = sorted(
        nx.connected_components(graph), key=lambda c: (-len(c), min(index[n] for n in c))
    )
    out = []
    for component in components[1:]:
        inside = np.zeros(len(ids), dtype=bool)
        inside[[index[n] for n in component]] = True
        i, j, distance = geo.nearest_outside(geoms, inside)
        out.append([ids[i], ids[j], round(distance, 1)])
    return out


def _connect_components(
    graph: nx.Graph, ids: list[Hashable], geoms: np.ndarray, barrier_geoms: np.ndarray
) -> None:
    index = {node: k for k, node in enumerate(ids)}
    while nx.number_connected_components(graph) > 1:
        components = sorted(
            nx.connected_components(graph), key=lambda c: (-len(c), min(index[n] for n in c))
        )
        for component in components[1:]:
            inside = np.zeros(len(ids), dtype=bool)
            inside[[index[n] for n in component]] = True
            if inside.all():
                break
            i, j, distance = geo.nearest_outside(geoms, inside)
            line = shapely.shortest_line(geoms[i], geoms[j])
            barrier = bool(geo.crosses(np.array([line], dtype=object), barrier_geoms)[0])
            graph.add_edge(
                ids[i],
                ids[j],
                length=0.0,
                gap=round(distance, 3),
                touching=False,
                barrier=barrier,
                island_link=True,
            )
            logger.info(
                "island link: %s -> %s (%.0f m)",
                _label(graph, ids[i]),
                _label(graph, ids[j]),
                distance,
            )


def _label(graph: nx.Graph, node: Hashable) -> str:
    name = graph.nodes[node].get("name")
    return f"{name} ({node})" if name not in (None, "") and name != node else str(node)


@dataclass(frozen=True)
class ComponentSummary:
    """Connected components of an adjacency graph, largest first.

    Attributes
    ----------
    n_nodes, n_edges
        Size of the graph.
    components
        Node ids of each component (sorted), largest first.
    islands
        Nodes with no neighbour at all (before any island link).
    island_links
        Edges added only to connect islands, as ``(u, v)``.
    labels
        ``name (id)`` of every node in a component other than the largest.
    nearest
        For each component but the largest (before island links), its node closest
        to another component, that node and the distance in metres: why they are
        apart (a gap wider than the tolerance, or only a corner across a crossroads).
    """

    n_nodes: int
    n_edges: int
    components: tuple[tuple[Hashable, ...], ...]
    islands: tuple[Hashable, ...]
    island_links: tuple[tuple[Hashable, Hashable], ...]
    labels: tuple[tuple[Hashable, str], ...] = ()
    nearest: tuple[tuple[Hashable, Hashable, float], ...] = ()
    gap_tolerance_m: float | None = None

    @property
    def n_components(self) -> int:
        """Number of connected components."""
        return len(self.components)

    @property
    def is_connected(self) -> bool:
        """Whether the graph is one component."""
        return self.n_components <= 1

    def headline(self) -> str:
        """``"1 component, 0 islands"`` (and island links if any)."""
        c, i = self.n_components, len(self.islands)
        text = f"{c} component{'s' if c != 1 else ''}, {i} island{'s' if i != 1 else ''}"
        if self.island_links:
            text += f", {len(self.island_links)} island links"
        return text

    def __repr__(self) -> str:
        return f"<ComponentSummary {self.n_nodes} nodes, {self.n_edges} edges, {self.headline()}>"

    def __str__(self) -> str:
        lines = [f"{self.n_nodes} nodes, {self.n_edges} edges, {self.headline()}"]
        label = dict(self.labels)
        nearest = {u: (v, d) for u, v, d in self.nearest}
        for k, component in enumerate(self.components[1:], start=2):
            names = ", ".join(label.get(n, str(n)) for n in component[:12])
            more = f", … (+{len(component) - 12})" if len(component) > 12 else ""
            lines.append(f"  component {k} ({len(component)} nodes): {names}{more}")
            closest = [(u, *nearest[u]) for u in component if u in nearest]
            if closest:
                u, v, d = closest[0]
                tol = self.gap_tolerance_m
                why = (
                    ""
                    if tol is None
                    else " (corners only, not facing)"
                    if d <= tol
                    else f" (beyond the {tol:g} m gap tolerance)"
                )
                lines.append(
                    f"    nearest outside: {label.get(u, str(u))} – {label.get(v, str(v))} "
                    f"at {d:,.1f} m{why}"
                )
        if self.islands:
            names = ", ".join(label.get(n, str(n)) for n in self.islands)
            lines.append(f"  islands (no neighbour): {names}")
        for u, v in self.island_links:
            lines.append(f"  island link: {label.get(u, str(u))} – {label.get(v, str(v))}")
        return "\n".join(lines)


def graph_components(graph: nx.Graph) -> ComponentSummary:
    """Summarise the components and islands of an adjacency graph by name.

    Island links (edges flagged ``island_link``) are discounted when finding
    islands, so an island stays reported after it was connected.
    """
    components = sorted(
        (tuple(_sorted_ids(c)) for c in nx.connected_components(graph)),
        key=lambda c: (-len(c), str(c[0])),
    )
    links = tuple(
        (u, v) for u, v, linked in graph.edges(data="island_link", default=False) if linked
    )
    real_degree = dict(graph.degree())
    for u, v in links:
        real_degree[u] -= 1
        real_degree[v] -= 1
    islands = tuple(_sorted_ids(n for n, d in real_degree.items() if d == 0))
    nearest = tuple(
        (u, v, float(d)) for u, v, d in graph.graph.get("nearest_outside", []) if u in graph
    )
    named = {n for c in components[1:] for n in c} | set(islands)
    named |= {n for link in links for n in link} | {v for _, v, _ in nearest if v in graph}
    labels = tuple((n, _label(graph, n)) for n in _sorted_ids(named))
    return ComponentSummary(
        n_nodes=graph.number_of_nodes(),
        n_edges=graph.number_of_edges(),
        components=tuple(components),
        islands=islands,
        island_links=links,
        labels=labels,
        nearest=nearest,
        gap_tolerance_m=graph.graph.get("gap_tolerance_m"),
    )
