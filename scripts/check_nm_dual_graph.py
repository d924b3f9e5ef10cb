"""Check the compound graph against a published dual graph (New Mexico counties).

Usage::

    python scripts/check_nm_dual_graph.py PATH/NM_county.shp PATH/NM_county.json \
        [--gap-tolerance M] [--min-shared M]

Reads the counties through :mod:`jinfeng_grid.io` (ids ``GEOID10``, population
``DP0010001``, households ``DP0130001``; NAD83 longitude/latitude reprojected to
UTM), builds :func:`jinfeng_grid.graph.build_adjacency` with the package defaults
unless told otherwise, and compares its edges with the networkx adjacency JSON
(nodes matched by ``GEOID10``). Exit 0 when the edge sets are equal; otherwise the
differences are printed and the exit status is 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import networkx as nx

from jinfeng_grid import graph as jgraph
from jinfeng_grid import io

COLUMNS = {
    "id": "GEOID10",
    "name": "NAMELSAD10",
    "population": "DP0010001",
    "households": "DP0130001",
}


def published_edges(path: Path, key: str = "GEOID10") -> set[frozenset[str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if "adjacency" in data:
        published = nx.adjacency_graph(data)
    else:
        published = nx.node_link_graph(data, edges="links" if "links" in data else "edges")
    names = {n: str(attrs[key]) for n, attrs in published.nodes(data=True)}
    return {frozenset((names[u], names[v])) for u, v in published.edges()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("shapefile", type=Path)
    parser.add_argument("dual_graph", type=Path)
    parser.add_argument("--gap-tolerance", type=float, default=jgraph.DEFAULT_GAP_TOLERANCE_M)
    parser.add_argument("--min-shared", type=float, default=jgraph.DEFAULT_MIN_SHARED_M)
    args = parser.parse_args(argv)

    counties = io.read_compounds(args.shapefile, columns=COLUMNS)
    graph = jgraph.build_adjacency(
        counties, gap_tolerance_m=args.gap_tolerance, min_shared_m=args.min_shared
    )
    ours = {frozenset((str(u), str(v))) for u, v in graph.edges()}
    theirs = published_edges(args.dual_graph)
    name = dict(zip(counties["id"].astype(str), counties["name"], strict=True))

    def show(edge: frozenset[str]) -> str:
        u, v = sorted(edge)
        attrs = graph.edges[u, v] if graph.has_edge(u, v) else {}
        extra = f" (length {attrs['length']:.0f} m, gap {attrs['gap']:.1f} m)" if attrs else ""
        return f"{u} {name.get(u, '?')} – {v} {name.get(v, '?')}{extra}"

    print(
        f"CRS {counties.crs.to_string()}; ours: {len(ours)} edges; published: {len(theirs)} edges"
    )
    extra, missing = sorted(ours - theirs, key=sorted), sorted(theirs - ours, key=sorted)
    for edge in extra:
        print("  only ours:      " + show(edge))
    for edge in missing:
        print("  only published: " + show(edge))
    if extra or missing:
        print(f"DIFFERENT: {len(extra)} extra, {len(missing)} missing")
        return 1
    print("EQUAL: the edge sets match edge for edge")
    return 0


if __name__ == "__main__":
    sys.exit(main())
