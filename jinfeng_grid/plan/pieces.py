"""The pieces of a level: parents cut into connected pieces, kept units, unit counts.

Before a level is solved, each parent's members are cut into connected pieces
(oversize members alone), the valid current units are kept (minimal change), and each
piece is given its number of units; :func:`link_pieces` joins a parent's disconnected
parts first.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import networkx as nx
import pandas as pd
import shapely

from jinfeng_grid.config.options import UnitBounds
from jinfeng_grid.errors import InfeasibleSpecError
from jinfeng_grid.plan.apportion import count_range, counts_for_target, counts_for_total

__all__ = [
    "bounds_of",
    "link_pieces",
    "locked_compounds",
    "node_name",
]

_PLURAL = {"community": "communities", "grid": "grids", "subdistrict": "subdistricts"}


def locked_compounds(compounds: gpd.GeoDataFrame) -> set[Hashable]:
    """Ids of the compounds whose ``locked`` column says yes (1, true, yes, 是, 锁定)."""
    if "locked" not in compounds.columns:
        return set()
    values = compounds["locked"].map(
        lambda v: str(v).strip().lower() in ("1", "true", "yes", "y", "是", "锁定")
    )
    return set(compounds.loc[values.to_numpy(dtype=bool), "id"])


@dataclass
class _Piece:
    """A subproblem before solving: nodes of one parent's connected piece."""

    parent: Hashable
    label: str
    nodes: list[Hashable]
    households: float
    count: int = 0
    oversize: bool = False
    flexible: bool = False
    kept: bool = False
    current: dict[Hashable, Hashable] = field(default_factory=dict)
    locked: frozenset[Hashable] = frozenset()
    joined: tuple[Hashable, ...] = ()


def bounds_of(unit: UnitBounds) -> dict[str, tuple[float, float]]:
    bounds = {"households": (float(unit.min_households), float(unit.max_households))}
    if unit.min_population is not None or unit.max_population is not None:
        low = 0.0 if unit.min_population is None else float(unit.min_population)
        high = math.inf if unit.max_population is None else float(unit.max_population)
        if math.isfinite(high):
            bounds["population"] = (low, high)
    return bounds


def node_name(graph: nx.Graph, node: Hashable) -> str:
    name = graph.nodes[node].get("name")
    return f"{name} ({node})" if name else str(node)


def _pieces(
    graph: nx.Graph,
    groups: Mapping[Hashable, list[Hashable]],
    unit: UnitBounds,
    *,
    level: str,
    member: str,
) -> tuple[list[_Piece], list[str]]:
    """Split each parent's nodes into connected pieces; oversize nodes become their own.

    Returns the pieces and the problems (pieces that fit no count of units).
    """
    pieces: list[_Piece] = []
    problems: list[str] = []
    cap = unit.max_households
    for parent in sorted(groups, key=str):
        nodes = groups[parent]
        big = [v for v in nodes if graph.nodes[v].get("households", 0) > cap]
        oversize: dict[Hashable, _Piece] = {}
        for v in sorted(big, key=str):
            oversize[v] = _Piece(
                parent, f"{parent}", [v], graph.nodes[v]["households"], 1, oversize=True
            )
            pieces.append(oversize[v])
        rest = graph.subgraph([v for v in nodes if v not in set(big)])
        components = sorted(
            (sorted(c, key=str) for c in nx.connected_components(rest)),
            key=lambda c: (-len(c), str(c[0])),
        )
        for component in components:
            weight = sum(graph.nodes[v].get("households", 0) for v in component)
            piece = _Piece(parent, f"{parent}", component, weight)
            least, most = count_range(weight, low=unit.min_households, high=unit.max_households)
            touching = sorted(
                {u for v in component for u in graph.neighbors(v) if u in oversize}, key=str
            )
            if weight > 0 and least > most and touching:
                # cut off only by an oversize compound: it joins that (already oversize)
                # unit rather than make the plan impossible
                host = oversize[touching[0]]
                host.nodes.extend(component)
                host.households += weight
                host.joined = (*host.joined, *component)
                continue
            if weight > 0 and least > most:
                named = ", ".join(node_name(graph, v) for v in component[:6])
                more = f" and {len(component) - 6} more" if len(component) > 6 else ""
                advice = (
                    f"a {level} of {weight:,.0f} households would need the lower bound at "
                    f"most {weight:,.0f}"
                    if weight < unit.min_households
                    else f"{least} {_PLURAL[level]} would need bounds of about "
                    f"{weight / least:,.0f}-{weight / most if most else weight:,.0f}"
                )
                problems.append(
                    f"{member}s {named}{more} of {parent} form a connected piece of "
                    f"{weight:,.0f} households, cut off from the rest of {parent} in the "
                    f"adjacency graph: no number of {_PLURAL[level]} of {unit.min_households:,}-"
                    f"{unit.max_households:,} households fits it ({advice}); join it to its "
                    "neighbours (check the gap tolerance, or allow connect_islands) or "
                    "change the bounds"
                )
            pieces.append(piece)
    return pieces, problems


def link_pieces(
    graph: nx.Graph,
    groups: Mapping[Hashable, list[Hashable]],
    geometries: Mapping[Hashable, shapely.Geometry],
) -> list[str]:
    """Join the disconnected pieces of each parent by their closest pair of members.

    Each smaller piece is linked to the nearest member of the rest of its parent by
    an edge flagged ``island_link`` (no frontage), until every parent is connected.
    Returns one line per link, for the plan's notes.
    """
    links = []
    for parent in sorted(groups, key=str):
        nodes = groups[parent]
        while True:
            components = sorted(
                (sorted(c, key=str) for c in nx.connected_components(graph.subgraph(nodes))),
                key=lambda c: (len(c), str(c[0])),
            )
            if len(components) <= 1:
                break
            piece, rest = components[0], [v for c in components[1:] for v in c]
            tree = shapely.STRtree([geometries[v] for v in rest])
            best = None
            for v in piece:
                j = int(tree.query_nearest(geometries[v])[0])
                d = float(shapely.distance(geometries[v], geometries[rest[j]]))
                if best is None or d < best[0]:
                    best = (d, v, rest[j])
            assert best is not None
            distance, a, b = best
            graph.add_edge(
                a,
                b,
                length=0.0,
                gap=round(distance, 3),
                touching=False,
                barrier=False,
                island_link=True,
            )
            links.append(
                f"{node_name(graph, a)} was linked to {node_name(graph, b)} ({distance:,.0f} m) so "
                f"that {parent} is connected"
            )
    return links


def _keep_valid_units(
    graph: nx.Graph,
    groups: Mapping[Hashable, list[Hashable]],
    current: Mapping[Hashable, Hashable],
    unit: UnitBounds,
) -> tuple[list[_Piece], dict[Hashable, list[Hashable]]]:
    """Keep every current unit that is within bounds and connected; the rest is re-drawn.

    A stretch to re-draw that fits no number of units takes in its smallest kept
    neighbour, again and again, until it fits (or no neighbour is left, which the
    diagnosis then reports). Returns the kept units (as one-part pieces) and, per
    parent, the nodes to re-draw.
    """
    bounds = bounds_of(unit)
    members: dict[Hashable, list[Hashable]] = {}
    for nodes in groups.values():
        for v in nodes:
            if v in current and current[v] is not None and not pd.isna(current[v]):
                members.setdefault(current[v], []).append(v)
    kept: dict[tuple[Hashable, Hashable], list[Hashable]] = {}
    redraw: dict[Hashable, set[Hashable]] = {}
    for parent in sorted(groups, key=str):
        labels: dict[Hashable, list[Hashable]] = {}
        for v in groups[parent]:
            label = current.get(v)
            if label is None or pd.isna(label):
                redraw.setdefault(parent, set()).add(v)
                continue
            labels.setdefault(label, []).append(v)
        for label, nodes in labels.items():
            totals = {a: sum(graph.nodes[v].get(a, 0) for v in nodes) for a in bounds}
            ok = (
                len(nodes) == len(members[label])
                and all(lo <= totals[a] <= hi for a, (lo, hi) in bounds.items())
                and nx.is_connected(graph.subgraph(nodes))
            )
            if ok:
                kept[(parent, label)] = nodes
            else:
                redraw.setdefault(parent, set()).update(nodes)
    changed = True
    while changed:
        changed = False
        for parent, nodes in redraw.items():
            for component in nx.connected_components(graph.subgraph(nodes)):
                weight = sum(graph.nodes[v].get("households", 0) for v in component)
                least, most = count_range(weight, low=unit.min_households, high=unit.max_households)
                if least <= most:
                    continue
                touching = {
                    key
                    for key, unit_nodes in kept.items()
                    if key[0] == parent
                    and any(graph.has_edge(u, w) for u in component for w in unit_nodes)
                }
                if touching:
                    smallest = min(
                        touching,
                        key=lambda k: (
                            sum(graph.nodes[v].get("households", 0) for v in kept[k]),
                            str(k),
                        ),
                    )
                    nodes.update(kept.pop(smallest))
                    changed = True
                    break
            if changed:
                break
    pieces = [
        _Piece(
            parent,
            f"{parent}/{label}",
            sorted(nodes, key=str),
            sum(graph.nodes[v].get("households", 0) for v in nodes),
            1,
            kept=True,
        )
        for (parent, label), nodes in sorted(kept.items(), key=lambda item: str(item[0]))
    ]
    return pieces, {parent: sorted(nodes, key=str) for parent, nodes in redraw.items() if nodes}


def _with_current(
    pieces: list[_Piece], current: Mapping[Hashable, Hashable], locked: set[Hashable]
) -> None:
    """Attach each re-drawn piece's current labels (and locked nodes) for minimal change."""
    for piece in pieces:
        if piece.kept or piece.oversize:
            continue
        piece.current = {
            v: current[v]
            for v in piece.nodes
            if v in current and current[v] is not None and not pd.isna(current[v])
        }
        piece.locked = frozenset(v for v in piece.nodes if v in locked and v in piece.current)


def _assign_counts(
    pieces: list[_Piece],
    unit: UnitBounds,
    *,
    current_counts: Mapping[Hashable, int] | None,
    level: str,
) -> None:
    """Set ``count`` of every non-oversize piece from the target, a count or a total."""
    free = [p for p in pieces if not (p.oversize or p.kept)]
    if unit.total is not None:
        fixed = sum(1 for p in pieces if p.oversize or p.kept)
        by_parent: dict[Hashable, float] = {}
        for piece in free:
            by_parent[piece.parent] = by_parent.get(piece.parent, 0.0) + piece.households
        per_parent = counts_for_total(
            by_parent,
            unit.total - fixed,
            low=unit.min_households,
            high=unit.max_households,
            current=current_counts,
            unit=level,
        )
        for parent, count in per_parent.items():
            mine = [p for p in free if p.parent == parent]
            split = counts_for_total(
                {i: p.households for i, p in enumerate(mine)},
                count,
                low=unit.min_households,
                high=unit.max_households,
                unit=level,
            )
            for i, piece in enumerate(mine):
                piece.count = split[i]
    elif unit.count is not None:
        for piece in free:
            least, most = count_range(
                piece.households, low=unit.min_households, high=unit.max_households
            )
            if not least <= unit.count <= most:
                raise InfeasibleSpecError(
                    f"{piece.label}: {piece.households:,.0f} households cannot make exactly "
                    f"{unit.count} {level}s of {unit.min_households:,}-{unit.max_households:,} "
                    f"households (between {least} and {most} fit)"
                )
            piece.count = unit.count
    else:
        counts = counts_for_target(
            {i: p.households for i, p in enumerate(free)},
            target=unit.target_households,
            low=unit.min_households,
            high=unit.max_households,
            unit=level,
        )
        for i, piece in enumerate(free):
            piece.count = counts[i]
            piece.flexible = True
