"""Our district planner beside spopt and GerryChain ReCom, same graph, same bounds, one run.

Usage::

    python scripts/bench_plan.py [--gpkg sample_geodata/jinfeng.gpkg] [--repeats 3] \\
        [--time-limit 60] [--peers spopt,gerrychain] [--steps 1000] --out results/bench_plan.json

**Ours**: :func:`jinfeng_grid.plan.plan_district` on the compounds, buildings and roads
of the file with the ``standard`` scenario (communities 2,000-4,000 households, target
3,000; grids 300-500), ``--time-limit`` seconds as the plan's budget, run ``--repeats``
times. The whole call is timed (graph, both levels, assembling; reading the file is
not), and its median is compared with ``--time-limit`` as the wall target.

**Peers**, on the same compound graph (:func:`jinfeng_grid.graph.build_adjacency` with
the roads as barriers and the scenario's gap tolerances, the graph the planner builds),
per current subdistrict (per connected piece of it, as the planner does), each with
the number of communities our first plan made there:

- GerryChain ReCom: a :func:`recursive_tree_part` start (up to 3 attempts) with
  population = households and epsilon = min(max/ideal - 1, 1 - min/ideal), so that
  every part lies within the bounds; ``--steps`` ReCom steps with a seeded RNG under
  ``within_percent_of_ideal_population`` (that epsilon) and contiguity; the plan with
  the least cut frontage (metres) seen is kept.
- spopt ``MaxPHeuristic`` (household floor only: it picks its own number of regions),
  ``RegionKMeansHeuristic`` (k regions, no size bounds) and ``Skater`` (k regions;
  spopt's ``floor`` counts observations, not households, so no household floor can be
  given). Their attributes are the compound centroids in metres (compact regions); the
  weights are a ``libpysal.weights.W`` of the compound graph's neighbours.

Every method is scored the same way over the union of its subdistrict plans:
communities, bound violations (outside [min, max] households), largest community, cut
frontage (km of ``length`` over the graph's edges between communities, edges between
subdistricts included, the same for all), cut edges, arterial edges kept inside a
community, discontiguous communities, households moved (compounds whose community
name differs from their current community; for the peers the planner's naming rule is
applied: a new community takes the name of the current community giving it the most
households, the largest such piece keeps the plain name) and seconds. Peers run one
subdistrict after another in this process; ours uses its worker processes.

Writes every run's figures and the medians to ``--out`` (JSON) and a markdown table
beside it (``.md``), and prints the table. A peer that cannot be imported, crashes or
fails in a subdistrict is recorded with its error text.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import time
import traceback
import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import replace
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from jinfeng_grid import __version__, io
from jinfeng_grid.config import Scenario, load_scenario
from jinfeng_grid.graph import build_adjacency
from jinfeng_grid.plan import plan_district

DEFAULT_GPKG = Path(__file__).resolve().parent.parent / "sample_geodata" / "jinfeng.gpkg"
RECURSIVE_TREE_ATTEMPTS = 3
RECOM_MAX_ATTEMPTS = 1000
SPOPT_METHODS = ("spopt max-p", "spopt region k-means", "spopt SKATER")
TABLE_METRICS = (
    "communities",
    "violations",
    "max_households",
    "cut_km",
    "cut_edges",
    "households_moved",
    "seconds",
)


# ---------------------------------------------------------------- scoring


def names_like_ours(
    assignment: Mapping[Hashable, Hashable],
    current: Mapping[Hashable, Hashable],
    households: Mapping[Hashable, float],
) -> dict[Hashable, str]:
    """Each node's community name by the planner's rule (see ``_plan_tables.assemble``)."""
    share: dict[Hashable, dict[Hashable, float]] = {}
    for v, key in assignment.items():
        row = share.setdefault(key, {})
        row[current[v]] = row.get(current[v], 0) + households[v]
    base = {key: max(row, key=row.get) for key, row in share.items()}  # first of ties
    name_of: dict[Hashable, str] = {}
    for name in sorted(set(base.values()), key=str):
        keys = sorted(
            (k for k in share if base[k] == name), key=lambda k: (-share[k][name], str(k))
        )
        for rank, key in enumerate(keys):
            name_of[key] = str(name) if rank == 0 else f"{name}({rank + 1})"
    return {v: name_of[key] for v, key in assignment.items()}


def score(
    graph: nx.Graph,
    assignment: Mapping[Hashable, Hashable],
    names: Mapping[Hashable, str],
    current: Mapping[Hashable, Hashable],
    low: float,
    high: float,
) -> dict[str, Any]:
    """The table's figures of one community plan (node -> community key)."""
    size: dict[Hashable, float] = {}
    members: dict[Hashable, list[Hashable]] = {}
    for v, key in assignment.items():
        size[key] = size.get(key, 0) + graph.nodes[v]["households"]
        members.setdefault(key, []).append(v)
    cut_m, cut_edges, barrier_kept = 0.0, 0, 0
    for u, v, data in graph.edges(data=True):
        if u not in assignment or v not in assignment:
            continue
        if assignment[u] != assignment[v]:
            cut_m += data["length"]
            cut_edges += 1
        elif data.get("barrier"):
            barrier_kept += 1
    moved = [v for v in assignment if str(names[v]) != str(current[v])]
    return {
        "communities": len(size),
        "violations": sum(1 for h in size.values() if not low <= h <= high),
        "max_households": int(max(size.values())),
        "min_households": int(min(size.values())),
        "cut_km": round(cut_m / 1000, 3),
        "cut_edges": cut_edges,
        "barrier_edges_kept": barrier_kept,
        "discontiguous": sum(
            1 for nodes in members.values() if not nx.is_connected(graph.subgraph(nodes))
        ),
        "compounds_moved": len(moved),
        "households_moved": int(sum(graph.nodes[v]["households"] for v in moved)),
    }


# ---------------------------------------------------------------- ours


def run_ours(compounds, buildings, roads, scenario: Scenario) -> tuple[dict[str, Any], Any]:
    """One plan of the whole district: timings, unit counts, and the community plan."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        plan = plan_district(compounds, buildings=buildings, roads=roads, scenario=scenario)
        wall = time.perf_counter() - t0
    grids = plan.grids
    run = {
        "seconds": round(wall, 3),
        "community_seconds": round(plan.levels["community"].seconds, 3),
        "grid_seconds": round(plan.levels["grid"].seconds, 3),
        "community_status": plan.levels["community"].status,
        "grid_status": plan.levels["grid"].status,
        "communities_within_bounds": int(plan.communities["within_bounds"].sum()),
        "grids": len(grids),
        "grids_within_bounds": int(grids["within_bounds"].sum()),
        "grid_max_households": int(grids["households"].max()),
        "grid_min_households": int(grids["households"].min()),
    }
    for name, level in plan.levels.items():
        subs = level.subproblems
        gaps = [sub.gap for sub in subs if sub.gap is not None]
        run[f"{name}_objective"] = level.objective
        run[f"{name}_bound"] = level.bound
        run[f"{name}_gap"] = level.gap
        run[f"{name}_subproblems"] = len(subs)
        run[f"{name}_subproblems_bounded"] = sum(1 for sub in subs if sub.bound is not None)
        run[f"{name}_subproblems_optimal"] = sum(1 for sub in subs if sub.status == "optimal")
        run[f"{name}_largest_gap"] = max(gaps) if gaps else None
    return run, plan


# ---------------------------------------------------------------- pieces


def pieces_like_ours(
    graph: nx.Graph, subdistrict: Mapping[Hashable, Hashable], ours: Mapping[Hashable, Hashable]
) -> list[dict[str, Any]]:
    """Connected pieces of each subdistrict, with the number of our communities in each."""
    groups: dict[Hashable, list[Hashable]] = {}
    for v in graph.nodes:
        groups.setdefault(subdistrict[v], []).append(v)
    pieces = []
    for parent in sorted(groups, key=str):
        components = sorted(
            nx.connected_components(graph.subgraph(groups[parent])), key=lambda c: -len(c)
        )
        for i, nodes in enumerate(components):
            label = str(parent) if len(components) == 1 else f"{parent}#{i + 1}"
            ordered = [v for v in groups[parent] if v in nodes]
            pieces.append(
                {
                    "label": label,
                    "nodes": ordered,
                    "k": len({ours[v] for v in ordered}),
                    "households": int(sum(graph.nodes[v]["households"] for v in ordered)),
                }
            )
    return pieces


def piece_graph(graph: nx.Graph, nodes: Sequence[Hashable]) -> nx.Graph:
    """The piece's subgraph with only households and edge lengths (plain values)."""
    sub = nx.Graph()
    for v in nodes:
        sub.add_node(v, households=int(graph.nodes[v]["households"]))
    # edges in a fixed order: the order of build_adjacency's edges follows Python's hash
    # seed, and GerryChain's draws depend on it
    order = {v: i for i, v in enumerate(nodes)}
    edges = [
        (*sorted((u, v), key=order.__getitem__), float(data["length"]))
        for u, v, data in graph.subgraph(nodes).edges(data=True)
    ]
    for u, v, length in sorted(edges, key=lambda e: (order[e[0]], order[e[1]])):
        sub.add_edge(u, v, length=length)
    return sub


# ---------------------------------------------------------------- peers


def recom_piece(
    sub: nx.Graph, k: int, low: float, high: float, steps: int, seed: int
) -> tuple[dict[Hashable, int], dict[str, Any]]:
    """Best ReCom plan of one piece (least cut metres), how the chain went, its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plan, info = _recom_piece(sub, k, low, high, steps, seed)
    kinds: dict[str, int] = {}
    for w in caught:
        text = f"{w.category.__name__}: {str(w.message).strip().splitlines()[0]}"
        kinds[text] = kinds.get(text, 0) + 1
    return plan, info | {"warnings": kinds}


def _recom_piece(
    sub: nx.Graph, k: int, low: float, high: float, steps: int, seed: int
) -> tuple[dict[Hashable, int], dict[str, Any]]:
    from gerrychain import Graph as GCGraph
    from gerrychain import MarkovChain, Partition, accept, constraints, updaters
    from gerrychain.proposals import recom
    from gerrychain.tree import bipartition_tree

    try:
        from gerrychain.partition import recursive_tree_part
    except ImportError:  # older GerryChain
        from gerrychain.tree import recursive_tree_part

    if k == 1:
        return dict.fromkeys(sub.nodes, 0), {"steps": 0, "note": "one community"}
    total = sum(d["households"] for _, d in sub.nodes(data=True))
    ideal = total / k
    epsilon = min(high / ideal - 1, 1 - low / ideal)
    if epsilon <= 0:
        raise ValueError(f"ideal {ideal:.0f} households lies outside [{low:g}, {high:g}]")
    random.seed(seed)  # for any GerryChain code that still draws from the global RNG
    rng = random.Random(seed)
    # integer node labels: GerryChain iterates over sets of nodes, and sets of strings
    # change order with Python's hash seed
    label = list(sub.nodes)
    sub = nx.relabel_nodes(sub, {v: i for i, v in enumerate(label)})
    graph = GCGraph.from_networkx(sub)
    assignment = None
    errors = []
    for _ in range(RECURSIVE_TREE_ATTEMPTS):
        try:
            assignment = recursive_tree_part(
                graph, list(range(k)), ideal, "households", epsilon, rng=rng
            )
            break
        except Exception as exc:  # GerryChain raises several kinds when it gives up
            errors.append(f"{type(exc).__name__}: {exc}")
    if assignment is None:
        raise RuntimeError(
            f"recursive_tree_part failed {RECURSIVE_TREE_ATTEMPTS} times (k={k}, "
            f"epsilon={epsilon:.3f}): " + " | ".join(errors)
        )

    # GerryChain works on its own node ids: edge lengths keyed by them
    initial = Partition(graph, assignment=assignment)
    frozen = initial.graph
    original = {n: frozen.original_nx_node_id_for_internal_node_id(n) for n in frozen.node_indices}
    internal = {v: n for n, v in original.items()}
    length = {
        frozenset((internal[u], internal[v])): d["length"] for u, v, d in sub.edges(data=True)
    }

    def cut_length(partition: Partition) -> float:
        return sum(length[frozenset(e)] for e in partition["cut_edges"])

    ups = {
        "population": updaters.Tally("households", alias="population"),
        "cut_edges": updaters.cut_edges,
        "cut_length": cut_length,
    }
    initial = Partition(graph, assignment=assignment, updaters=ups)
    failed_proposals = 0

    # GerryChain's advice for pairs with few balanced cuts: give up on the pair after
    # RECOM_MAX_ATTEMPTS spanning trees and try another (the default, 100,000 trees,
    # spent over a minute on a single step here)
    split = partial(bipartition_tree, max_attempts=RECOM_MAX_ATTEMPTS, allow_pair_reselection=True)

    def proposal(partition: Partition, *, rng: random.Random = rng) -> Partition:
        nonlocal failed_proposals
        try:
            return recom(
                partition, "households", ideal, epsilon, bipartition_tree_fn=split, rng=rng
            )
        except Exception:  # no pair could be re-split: stay put this step
            failed_proposals += 1
            return partition.flip({})

    chain = MarkovChain(
        proposal_fn=proposal,
        constraints=[
            constraints.within_percent_of_ideal_population(initial, epsilon),
            constraints.contiguous,
        ],
        acceptance_fn=accept.always_accept,
        initial_partition=initial,
        total_steps=steps,
        rng=rng,
    )
    best, best_cut, start_cut = None, float("inf"), initial["cut_length"]
    for state in chain:
        if not all(low <= p <= high for p in state["population"].values()):
            continue
        cut = state["cut_length"]
        if cut < best_cut:
            best_cut, best = cut, dict(state.assignment)
    if best is None:
        raise RuntimeError("no state of the chain was within the bounds")
    plan = {label[original[n]]: int(part) for n, part in best.items()}
    info = {
        "steps": steps,
        "epsilon": round(epsilon, 4),
        "start_cut_m": round(start_cut, 1),
        "best_cut_m": round(best_cut, 1),
        "failed_proposals": failed_proposals,
        "bipartition": f"max_attempts={RECOM_MAX_ATTEMPTS}, allow_pair_reselection=True",
    }
    return plan, info


def spopt_piece(
    method: str, sub: nx.Graph, k: int, low: float, centroid: Mapping[Hashable, tuple], seed: int
) -> tuple[dict[Hashable, int], dict[str, Any]]:
    """One spopt region method on one piece, weights from the compound graph."""
    import geopandas as gpd
    import libpysal
    import shapely
    from spopt.region import MaxPHeuristic, RegionKMeansHeuristic, Skater

    nodes = list(sub.nodes)
    index = {v: i for i, v in enumerate(nodes)}
    neighbours = {index[v]: sorted(index[u] for u in sub.neighbors(v)) for v in nodes}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = libpysal.weights.W(neighbours, id_order=list(range(len(nodes))))
    xy = np.array([centroid[v] for v in nodes], dtype=float)
    frame = gpd.GeoDataFrame(
        {
            "x": xy[:, 0],
            "y": xy[:, 1],
            "households": [sub.nodes[v]["households"] for v in nodes],
        },
        geometry=shapely.points(xy),
    )
    np.random.seed(seed)  # max-p draws from NumPy's global RNG
    info: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "spopt max-p":
            model = MaxPHeuristic(frame, w, ["x", "y"], "households", low, top_n=2)
        elif method == "spopt region k-means":
            model = RegionKMeansHeuristic(xy, k, w, seed=seed)
        elif method == "spopt SKATER":
            model = Skater(frame, w, ["x", "y"], n_clusters=k)
            info["floor"] = "none: spopt's floor counts observations, not households"
        else:
            raise ValueError(method)
        model.solve()
    labels = np.asarray(model.labels_)
    if method == "spopt max-p":
        info["regions"] = int(getattr(model, "p", len(set(labels.tolist()))))
    return {v: int(labels[index[v]]) for v in nodes}, info


def run_peer(
    method: str,
    graph: nx.Graph,
    pieces: Sequence[Mapping[str, Any]],
    *,
    low: float,
    high: float,
    steps: int,
    seed: int,
    centroid: Mapping[Hashable, tuple],
) -> dict[str, Any]:
    """One peer over every piece; union assignment, per-piece seconds and errors."""
    assignment: dict[Hashable, tuple[str, int]] = {}
    per_piece, failures = [], []
    seconds = 0.0
    for piece in pieces:
        sub = piece_graph(graph, piece["nodes"])
        t0 = time.perf_counter()
        try:
            if method == "gerrychain recom":
                plan, info = recom_piece(sub, piece["k"], low, high, steps, seed)
            else:
                plan, info = spopt_piece(method, sub, piece["k"], low, centroid, seed)
        except Exception as exc:
            elapsed = time.perf_counter() - t0
            seconds += elapsed
            text = f"{type(exc).__name__}: {exc}".strip()
            failures.append({"piece": piece["label"], "error": text[:2000]})
            per_piece.append(
                {"piece": piece["label"], "k": piece["k"], "seconds": round(elapsed, 3)}
                | {"error": text[:2000], "traceback": traceback.format_exc()[-2000:]}
            )
            continue
        elapsed = time.perf_counter() - t0
        seconds += elapsed
        for v, part in plan.items():
            assignment[v] = (piece["label"], part)
        per_piece.append(
            {"piece": piece["label"], "k": piece["k"], "seconds": round(elapsed, 3)} | info
        )
    return {
        "assignment": assignment,
        "seconds": round(seconds, 3),
        "pieces": per_piece,
        "failures": failures,
    }


# ---------------------------------------------------------------- report


def median(values: Sequence[float]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and digits:
        return f"{value:,.{digits}f}"
    return f"{value:,.0f}" if isinstance(value, int | float) else str(value)


def pct(value: float | None) -> str:
    """A relative gap as a percentage; "no bound" when some subproblem had none."""
    return "no bound" if value is None else f"{100 * value:.1f}%"


def version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gpkg", default=str(DEFAULT_GPKG))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--time-limit", type=float, default=60.0, help="plan budget and wall target (s)"
    )
    parser.add_argument("--peers", default="spopt,gerrychain", help="comma-separated, or none")
    parser.add_argument("--steps", type=int, default=1000, help="ReCom steps per subdistrict")
    parser.add_argument("--seed", type=int, default=0, help="peers' seed of the first repeat")
    parser.add_argument("--out", default="results/bench_plan.json")
    options = parser.parse_args(argv)
    peers = {p.strip().lower() for p in options.peers.split(",") if p.strip()} - {"none"}
    unknown = peers - {"spopt", "gerrychain"}
    if unknown:
        parser.error(f"unknown peers {sorted(unknown)}: choose from spopt, gerrychain")

    load_before = os.getloadavg()
    gpkg = Path(options.gpkg)
    compounds = io.read_compounds(gpkg, layer="compounds")
    buildings = io.read_buildings(gpkg, layer="buildings")
    roads = io.read_roads(gpkg, layer="roads")
    scenario = load_scenario(None)
    scenario = replace(scenario, solver=replace(scenario.solver, time_limit=options.time_limit))
    low = float(scenario.community.min_households)
    high = float(scenario.community.max_households)
    graph = build_adjacency(
        compounds,
        gap_tolerance_m=scenario.graph.gap_tolerance_m,
        barrier_gap_m=scenario.graph.barrier_gap_m,
        barriers=roads,
        connect_islands=scenario.graph.connect_islands,
    )
    current = dict(zip(compounds["id"], compounds["community"], strict=True))
    subdistrict = dict(zip(compounds["id"], compounds["subdistrict"], strict=True))
    households = dict(zip(compounds["id"], compounds["households"], strict=True))
    centroid = {
        v: (p.x, p.y) for v, p in zip(compounds["id"], compounds.geometry.centroid, strict=True)
    }
    print(
        f"{len(compounds)} compounds, {len(buildings)} buildings, graph {graph.number_of_edges()} "
        f"edges; {os.cpu_count()} CPUs, load average {load_before[0]:.2f}",
        flush=True,
    )

    # ours
    ours_runs, first_plan = [], None
    for r in range(options.repeats):
        run, plan = run_ours(compounds, buildings, roads, scenario)
        assignment = dict(
            zip(plan.compounds["compound_id"], plan.compounds["community_id"], strict=True)
        )
        names = dict(
            zip(plan.compounds["compound_id"], plan.compounds["community_name"], strict=True)
        )
        run |= score(graph, assignment, names, current, low, high)
        by_rule = score(
            graph, assignment, names_like_ours(assignment, current, households), current, low, high
        )
        run["households_moved_by_rule"] = by_rule["households_moved"]
        ours_runs.append(run)
        first_plan = first_plan or assignment
        print(
            f"ours run {r + 1}: {run['seconds']:.1f} s (communities "
            f"{run['community_seconds']:.1f} s, grids {run['grid_seconds']:.1f} s), "
            f"{run['communities']} communities, {run['violations']} violations, "
            f"cut {run['cut_km']:.2f} km, {run['grids']} grids",
            flush=True,
        )
    pieces = pieces_like_ours(graph, subdistrict, first_plan)

    # peers
    methods: list[str] = []
    if "gerrychain" in peers:
        methods.append("gerrychain recom")
    if "spopt" in peers:
        methods.extend(SPOPT_METHODS)
    peer_runs: dict[str, list[dict[str, Any]]] = {}
    peer_errors: dict[str, str] = {}
    for method in methods:
        module = "gerrychain" if method.startswith("gerrychain") else "spopt"
        try:
            __import__(module)
            if module == "spopt":
                __import__("libpysal")
        except Exception as exc:
            peer_errors[method] = f"cannot import {module}: {type(exc).__name__}: {exc}"
            print(f"{method}: {peer_errors[method]}", flush=True)
            continue
        runs = []
        for r in range(options.repeats):
            seed = options.seed + r
            try:
                result = run_peer(
                    method,
                    graph,
                    pieces,
                    low=low,
                    high=high,
                    steps=options.steps,
                    seed=seed,
                    centroid=centroid,
                )
            except Exception as exc:
                peer_errors[method] = f"{type(exc).__name__}: {exc}"
                print(f"{method}: crashed: {peer_errors[method]}", flush=True)
                break
            assignment = result.pop("assignment")
            run = {"seed": seed} | result
            if assignment:
                names = names_like_ours(assignment, current, households)
                run |= score(graph, assignment, names, current, low, high)
            run["complete"] = not result["failures"]
            runs.append(run)
            failed = ", ".join(f["piece"] for f in result["failures"]) or "none"
            print(
                f"{method} seed {seed}: {run['seconds']:.1f} s, "
                f"{run.get('communities')} communities, {run.get('violations')} violations, "
                f"cut {run.get('cut_km')} km; failed pieces: {failed}",
                flush=True,
            )
        peer_runs[method] = runs

    load_after = os.getloadavg()

    # medians and table
    def medians(runs: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> dict[str, Any]:
        return {key: median([run.get(key) for run in runs]) for key in keys}

    score_keys = (
        *TABLE_METRICS,
        "barrier_edges_kept",
        "discontiguous",
        "compounds_moved",
        "min_households",
    )
    ours_median = medians(
        ours_runs,
        (
            *score_keys,
            "community_seconds",
            "grid_seconds",
            "grids",
            "grids_within_bounds",
            "communities_within_bounds",
            *(
                f"{level}_{key}"
                for level in ("community", "grid")
                for key in (
                    "gap",
                    "subproblems",
                    "subproblems_bounded",
                    "subproblems_optimal",
                    "largest_gap",
                )
            ),
        ),
    )
    lines = [
        f"Sample district {gpkg.name}: {len(compounds)} compounds, {len(buildings)} buildings; "
        f"bounds {low:,.0f}-{high:,.0f} households per community; same compound graph "
        f"({graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges) and, per "
        f"subdistrict, our number of communities for every peer except max-p. Seconds: "
        f"community level only (ours on its worker processes, peers one subdistrict after "
        f"another). Each column is its median over {options.repeats} runs (peers: seeds "
        f"{options.seed}..{options.seed + options.repeats - 1}; ReCom {options.steps} steps "
        f"per subdistrict). {os.cpu_count()} CPUs, load average "
        f"{load_before[0]:.2f} before, {load_after[0]:.2f} after.",
        "",
        "| method | communities | violations (out of bounds) | max households | "
        "cut frontage (km) | cut edges | households moved | seconds (median) |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def row(name: str, m: Mapping[str, Any], note: str = "") -> str:
        return (
            f"| {name}{note} | {fmt(m['communities'])} | {fmt(m['violations'])} | "
            f"{fmt(m['max_households'])} | {fmt(m['cut_km'], 2)} | {fmt(m['cut_edges'])} | "
            f"{fmt(m['households_moved'])} | {fmt(m['seconds'], 1)} |"
        )

    lines.append(
        row("ours (community level)", ours_median | {"seconds": ours_median["community_seconds"]})
    )
    notes = []
    peer_median: dict[str, Any] = {}
    for method in methods:
        if method in peer_errors and not peer_runs.get(method):
            lines.append(f"| {method} | failed | | | | | | |")
            notes.append(f"{method}: {peer_errors[method]}")
            continue
        runs = peer_runs.get(method, [])
        complete = [run for run in runs if run["complete"]]
        if complete:
            peer_median[method] = medians(complete, score_keys)
            mark = "" if len(complete) == len(runs) else f" ({len(complete)}/{len(runs)} runs)"
            lines.append(row(method, peer_median[method], mark))
        else:
            lines.append(
                f"| {method} | failed | | | | | {fmt(median([r['seconds'] for r in runs]), 1)} |"
            )
        for run in runs:
            for failure in run["failures"]:
                notes.append(f"{method} seed {run['seed']}, {failure['piece']}: {failure['error']}")
        if method in peer_errors:
            notes.append(f"{method}: {peer_errors[method]}")
        if complete and peer_median[method]["discontiguous"]:
            notes.append(f"{method}: {peer_median[method]['discontiguous']:g} discontiguous")
    target = options.time_limit
    ours_wall = ours_median["seconds"]
    lines += [
        "",
        f"Ours, grid level: {fmt(ours_median['grids'])} grids, "
        f"{fmt(ours_median['grids_within_bounds'])} within bounds, "
        f"{fmt(ours_median['grid_seconds'], 1)} s; community level "
        f"{fmt(ours_median['community_seconds'], 1)} s; arterial edges kept inside a "
        f"community: ours {fmt(ours_median['barrier_edges_kept'])}"
        + "".join(f", {m} {fmt(v['barrier_edges_kept'])}" for m, v in peer_median.items())
        + ".",
        *(
            f"Ours, {level} level: {fmt(ours_median[f'{level}_subproblems_bounded'])} of "
            f"{fmt(ours_median[f'{level}_subproblems'])} subproblems with a proven lower "
            f"bound ({fmt(ours_median[f'{level}_subproblems_optimal'])} proven optimal); "
            f"gap of the level {pct(ours_median[f'{level}_gap'])}, largest subproblem gap "
            f"{pct(ours_median[f'{level}_largest_gap'])}."
            for level in ("community", "grid")
        ),
        f"Total wall time of the plan (both levels): median {ours_wall:.1f} s, runs "
        + ", ".join(f"{run['seconds']:.1f}" for run in ours_runs)
        + f" s, vs the {target:g} s target: "
        + ("met" if ours_wall <= target else "NOT met")
        + ".",
    ]
    if notes:
        lines += ["", "Failures and notes:", *(f"- {n}" for n in notes)]
    table = "\n".join(lines) + "\n"

    result = {
        "input": gpkg.name,
        "compounds": len(compounds),
        "buildings": len(buildings),
        "graph": {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()},
        "bounds": {
            "community": [low, high],
            "grid": [scenario.grid.min_households, scenario.grid.max_households],
        },
        "options": {k: v for k, v in vars(options).items() if k not in ("gpkg", "out")},
        "pieces": [{k: v for k, v in p.items() if k != "nodes"} for p in pieces],
        "ours": {"runs": ours_runs, "median": ours_median, "wall_target_s": target},
        "peers": {
            m: {"runs": peer_runs.get(m, []), "median": peer_median.get(m)}
            | ({"error": peer_errors[m]} if m in peer_errors else {})
            for m in methods
        },
        "machine": {
            "cpus": os.cpu_count(),
            "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
            "load_average_before": load_before,
            "load_average_after": load_after,
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "versions": {
            "jinfeng_grid": __version__,
            **{
                n: version(n)
                for n in (
                    "gerrychain",
                    "spopt",
                    "libpysal",
                    "scikit-learn",
                    "networkx",
                    "highspy",
                    "pulp",
                )
            },
        },
    }
    out = Path(options.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    out.with_suffix(".md").write_text(table, encoding="utf-8")
    print()
    print(table, end="")


if __name__ == "__main__":
    main()
