"""The adjacency picture of the ``graph`` command: a graph drawn over its polygons."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from jinfeng_grid.graph.components import graph_components

__all__ = ["plot_adjacency"]


def plot_adjacency(
    polygons: gpd.GeoDataFrame,
    graph: nx.Graph,
    *,
    barriers: Sequence[gpd.GeoSeries] = (),
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Draw ``graph`` (nodes keyed by ``polygons["id"]``) over the polygons.

    Ordinary edges are blue, edges across a barrier red and dashed, island links
    orange; islands are outlined in red; ``barriers`` (arterial roads, rivers) are
    drawn as thick grey-red lines. An inspection picture, not a print map: no labels.
    Returns the figure holding the axes.
    """
    if ax is None:
        figure = Figure(figsize=(10, 10))
        ax = figure.add_subplot()
    else:
        figure = ax.get_figure()
    summary = graph_components(graph)
    points = polygons.geometry.representative_point()
    where = {
        node: (x, y)
        for node, x, y in zip(polygons["id"], points.x, points.y, strict=True)
        if node in graph
    }
    polygons.plot(ax=ax, facecolor="#eeeeee", edgecolor="#888888", linewidth=0.5)
    for layer in barriers:
        if not layer.empty:
            layer.to_crs(polygons.crs).plot(ax=ax, color="#b07070", linewidth=2.0, alpha=0.7)
    islands = polygons[polygons["id"].isin(summary.islands)]
    if not islands.empty:
        islands.plot(ax=ax, facecolor="none", edgecolor="#d62728", linewidth=1.5)
    styles = {
        "edge": ("#1f77b4", "solid", 0.8),
        "barrier": ("#d62728", "dashed", 1.0),
        "island_link": ("#ff7f0e", "solid", 1.6),
    }
    groups: dict[str, list[tuple[tuple[float, float], tuple[float, float]]]] = {
        kind: [] for kind in styles
    }
    for u, v, data in graph.edges(data=True):
        if u not in where or v not in where:
            continue
        kind = (
            "island_link"
            if data.get("island_link")
            else "barrier"
            if data.get("barrier")
            else "edge"
        )
        groups[kind].append((where[u], where[v]))
    handles = []
    for kind, segments in groups.items():
        color, style, width = styles[kind]
        if segments:
            ax.add_collection(
                LineCollection(segments, colors=color, linestyles=style, linewidths=width)
            )
        handles.append(Line2D([], [], color=color, linestyle=style, label=kind.replace("_", " ")))
    xy = np.array(list(where.values())) if where else np.empty((0, 2))
    if len(xy):
        ax.scatter(xy[:, 0], xy[:, 1], s=4, color="#333333", zorder=3)
    ax.legend(handles=handles, loc="lower right", fontsize=8)
    ax.set_aspect("equal")
    ax.set_axis_off()
    crs = polygons.crs.to_string() if polygons.crs is not None else "no CRS"
    ax.set_title(
        title
        or f"adjacency: {summary.n_nodes} nodes, {summary.n_edges} edges, {summary.headline()} "
        f"({crs})",
        fontsize=10,
    )
    return figure
