"""Benchmark the compound and building adjacency graphs.

Usage::

    python scripts/bench_graph.py [--gpkg sample_geodata/jinfeng.gpkg] [--repeats 5] \
        [--scale 10] --out results.json

Times (median of ``--repeats`` runs) :func:`jinfeng_grid.graph.build_adjacency`
(with the arterial roads as barriers) and
:func:`jinfeng_grid.graph.build_building_graph` on the sample district, and on a
synthetic district ``--scale`` times larger made by tiling the sample side by side
(ids suffixed per tile). Reading the file is not timed. Writes JSON and prints a
markdown table; "per 1k" is the median time per 1,000 nodes, which stays flat when
the cost grows linearly.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jinfeng_grid import __version__, io
from jinfeng_grid import graph as jgraph


def tile(frame: gpd.GeoDataFrame, scale: int, id_columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    """``scale`` copies of ``frame`` side by side on a grid, ids made unique per copy."""
    minx, miny, maxx, maxy = frame.total_bounds
    step_x, step_y = (maxx - minx) + 500.0, (maxy - miny) + 500.0
    cols = math.ceil(math.sqrt(scale))
    copies = []
    for k in range(scale):
        copy = frame.copy()
        offset = np.array([(k % cols) * step_x, (k // cols) * step_y])
        copy[copy.geometry.name] = shapely.transform(
            copy.geometry.array, lambda xy, offset=offset: xy + offset
        )
        for column in id_columns:
            if column in copy.columns:
                copy[column] = copy[column].astype(str) + f"-t{k}"
        copies.append(copy)
    out = gpd.GeoDataFrame(pd.concat(copies, ignore_index=True), crs=frame.crs)
    out.attrs = dict(frame.attrs)
    return out


def median_time(run: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def bench(
    compounds: gpd.GeoDataFrame,
    buildings: gpd.GeoDataFrame | None,
    roads: gpd.GeoDataFrame | None,
    repeats: int,
) -> dict[str, Any]:
    barriers = jgraph.arterial_roads(roads) if roads is not None else None
    t_compounds, graph = median_time(
        lambda: jgraph.build_adjacency(compounds, barriers=barriers), repeats
    )
    summary = jgraph.graph_components(graph)
    row: dict[str, Any] = {
        "compounds": len(compounds),
        "compound_edges": graph.number_of_edges(),
        "components": summary.n_components,
        "islands": len(summary.islands),
        "compound_graph_s": round(t_compounds, 4),
    }
    if buildings is not None:
        t_buildings, bgraph = median_time(
            lambda: jgraph.build_building_graph(buildings, compound_graph=graph), repeats
        )
        row |= {
            "buildings": len(buildings),
            "building_edges": bgraph.number_of_edges(),
            "building_graph_s": round(t_buildings, 4),
        }
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gpkg", type=Path, default=Path("sample_geodata/jinfeng.gpkg"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    layers = io.list_layers(args.gpkg)
    compounds = io.read_compounds(args.gpkg)
    buildings = io.read_buildings(args.gpkg) if "buildings" in layers else None
    roads = io.read_roads(args.gpkg) if "roads" in layers else None

    rows = {"sample": bench(compounds, buildings, roads, args.repeats)}
    if args.scale > 1:
        rows[f"sample x{args.scale}"] = bench(
            tile(compounds, args.scale, ("id",)),
            tile(buildings, args.scale, ("id", "compound_id")) if buildings is not None else None,
            tile(roads, args.scale, ()) if roads is not None else None,
            args.repeats,
        )
    result = {
        "package_version": __version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "repeats": args.repeats,
        "input": args.gpkg.name,
        "runs": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    print(f"median of {args.repeats} runs\n")
    print(
        "| district | compounds | edges | compound graph s | per 1k | buildings | edges "
        "| building graph s | per 1k |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, row in rows.items():
        per_c = 1000 * row["compound_graph_s"] / row["compounds"]
        cells = [
            name,
            f"{row['compounds']:,}",
            f"{row['compound_edges']:,}",
            f"{row['compound_graph_s']:.3f}",
            f"{per_c:.4f}",
        ]
        if "buildings" in row:
            per_b = 1000 * row["building_graph_s"] / row["buildings"]
            cells += [
                f"{row['buildings']:,}",
                f"{row['building_edges']:,}",
                f"{row['building_graph_s']:.3f}",
                f"{per_b:.4f}",
            ]
        else:
            cells += ["-"] * 4
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
