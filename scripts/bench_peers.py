"""Our partition core beside GerryChain's ReCom chain, in the same run, as a markdown table.

::

    python scripts/bench_peers.py ../shared/bench/districting/instances.csv \\
        --time-limit 60 --steps 1000 --seeds 0 1 --out bench_out/peers.md

For each instance (columns ``file``, ``k``, ``optimal_cut_edges``): ours (exact with
heuristic warm start, and heuristic only) and GerryChain ReCom for ``--steps`` steps
from a random recursive-tree plan, once per seed, keeping the fewest cut edges seen
among plans within our bounds (L = ceil((1 − d/2)·P/k), U = floor((1 + d/2)·P/k)).
GerryChain is the optional ``bench`` extra (``pip install gerrychain``); the library
never imports it.

With ``--ours bench_out/bench_results.json`` (written by ``bench_districting.py --all``)
our side is not re-run: the table takes our medians of several runs from that file
(objective, bound, statuses, seconds) and runs only GerryChain::

    python scripts/bench_districting.py --all ../shared/bench/districting/instances.csv \
        --repeats 3 --time-limit 60 --out bench_out
    python scripts/bench_peers.py ../shared/bench/districting/instances.csv \
        --ours bench_out/bench_results.json --seeds 0 --out bench_out/final.md
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_districting import read_graph, spec_for

from jinfeng_grid.partition import partition_graph


def run_gerrychain(
    graph_path: Path,
    *,
    k: int,
    deviation: float,
    weight: str,
    steps: int,
    seed: int,
    max_seconds: float = 45.0,
) -> tuple[float | None, float, bool, int]:
    """Best cut within bounds along a ReCom chain, wall seconds, and whether the chain
    had to start from our heuristic plan (GerryChain's random start failed),
    and the steps done (fewer than asked when ``max_seconds`` ran out)."""
    from gerrychain import Graph, MarkovChain, Partition, accept, constraints, updaters
    from gerrychain.proposals import recom

    nx_graph = read_graph(graph_path)
    spec = spec_for(nx_graph, k, deviation, weight)
    low, high = spec.bounds[weight]
    start = time.perf_counter()
    rng = random.Random(seed)
    graph = Graph.from_networkx(nx_graph)
    ups = {
        "population": updaters.Tally(weight, alias="population"),
        "cut_edges": updaters.cut_edges,
    }
    initial = None
    with contextlib.suppress(RuntimeError):  # GerryChain's recursive tree start gave up
        initial = Partition.from_random_assignment(
            graph, k, deviation / 2, weight, updaters=ups, rng=rng
        )
    started_from_ours = initial is None
    if initial is None:
        plan = partition_graph(
            nx_graph, spec, heuristic_only=True, seed=seed, lower_bound=False
        ).assignment
        initial = Partition(graph, assignment=plan, updaters=ups)
    ideal = sum(initial["population"].values()) / k

    def proposal(partition: Partition, *, rng: random.Random = rng) -> Partition:
        try:
            return recom(partition, weight, ideal, deviation / 2, rng=rng)
        except RuntimeError:  # no balanced cut in this merged pair: stay put this step
            return partition.flip({})

    chain = MarkovChain(
        proposal_fn=proposal,
        constraints=[constraints.within_percent_of_ideal_population(initial, deviation / 2)],
        acceptance_fn=accept.always_accept,
        initial_partition=initial,
        total_steps=steps,
        rng=rng,
    )
    best: float | None = None
    steps_done = 0
    for state in chain:
        steps_done += 1
        pops = state["population"].values()
        if all(low <= p <= high for p in pops):
            cut = len(state["cut_edges"])
            best = cut if best is None else min(best, cut)
        # scored first: a start that used up the time still counts as a plan seen
        if time.perf_counter() - start > max_seconds:
            break
    return best, time.perf_counter() - start, started_from_ours, steps_done


def gerrychain_cells(path: Path, k: int, options: argparse.Namespace) -> tuple[str, str]:
    """GerryChain's best cut and seconds for each seed, as the table's two cells."""
    peers = [
        run_gerrychain(
            path,
            k=k,
            deviation=options.deviation,
            weight=options.weight,
            steps=options.steps,
            seed=s,
            max_seconds=options.peer_seconds,
        )
        for s in options.seeds
    ]
    best = " / ".join(
        ("none" if b is None else f"{b:g}") + ("*" if started else "") for b, _, started, _ in peers
    )
    secs = " / ".join(f"{s:.1f} ({n} steps)" for _, s, _, n in peers)
    return best, secs


def write_table(lines: list[str], out: Path) -> None:
    """Write the markdown table and echo it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instances", help="instances CSV; graph files beside it")
    parser.add_argument("--deviation", type=float, default=0.01)
    parser.add_argument("--weight", default="TOTPOP")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument(
        "--peer-seconds", type=float, default=45.0, help="wall cap per GerryChain chain"
    )
    parser.add_argument("--only", nargs="*", help="instance files to run (default: all)")
    parser.add_argument("--out", default="bench_out/peers.md")
    parser.add_argument(
        "--ours", help="bench_districting.py --all JSON: take our medians from it, run only peers"
    )
    options = parser.parse_args(argv)
    if options.ours:
        write_with_our_medians(options)
        return
    csv_path = Path(options.instances)
    with open(csv_path, encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if not options.only or r["file"] in options.only]
    lines = [
        f"Same run, same machine. Ours: time limit {options.time_limit:g} s, seed 0. "
        f"GerryChain ReCom: {options.steps} steps, seeds {options.seeds}, best cut within "
        "bounds; * marks a chain started from our heuristic plan because GerryChain's "
        "random recursive-tree start failed. Each chain stops after "
        f"{options.steps} steps or {options.peer_seconds:g} s, whichever comes first.",
        "",
        "| instance | k | optimum | ours | status | ours s | our heuristic | heuristic s | "
        "GerryChain best (per seed) | GerryChain s (per seed) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        path = csv_path.parent / row["file"]
        k = int(row["k"])
        graph = read_graph(path)
        spec = spec_for(graph, k, options.deviation, options.weight)
        t0 = time.perf_counter()
        ours = partition_graph(graph, spec, time_limit=options.time_limit, seed=0)
        ours_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        heur = partition_graph(
            graph, spec, heuristic_only=True, heuristic_time=5.0, seed=0, lower_bound=False
        )
        heur_s = time.perf_counter() - t0
        best, secs = gerrychain_cells(path, k, options)
        line = (
            f"| {row['file'].removesuffix('.json')} | {k} | {row['optimal_cut_edges']} | "
            f"{ours.objective:g} | {ours.status} | {ours_s:.1f} | {heur.objective:g} | "
            f"{heur_s:.1f} | {best} | {secs} |"
        )
        print(line, flush=True)
        lines.append(line)
    write_table(lines, Path(options.out))


def write_with_our_medians(options: argparse.Namespace) -> None:
    """The final table: our medians read from ``--ours`` beside GerryChain run now."""
    csv_path = Path(options.instances)
    with open(csv_path, encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if not options.only or r["file"] in options.only]
    with open(options.ours, encoding="utf-8") as f:
        ours = {r["instance"]: r for r in json.load(f)}
    lines = [
        "Ours: medians of the runs in "
        f"{Path(options.ours).name} (seeds 0.., statuses of every run listed). GerryChain "
        f"ReCom: {options.steps} steps (or {options.peer_seconds:g} s), seeds {options.seeds}, "
        "fewest cut edges among plans within the bounds; * marks a chain started from our "
        "heuristic plan because GerryChain's random start failed.",
        "",
        "| instance | n | k | optimum | ours | bound | status | seconds | "
        "GerryChain best | GerryChain s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        name = row["file"].removesuffix(".json")
        if name not in ours:
            continue
        r = ours[name]
        best, secs = gerrychain_cells(csv_path.parent / row["file"], int(row["k"]), options)
        status = ", ".join(r["statuses"])
        line = (
            f"| {name} | {r['n']} | {r['k']} | {r['optimum']:g} | {r['objective']:g} | "
            f"{r['bound']:g} | {status} | {r['seconds']:.1f} | {best} | {secs} |"
        )
        print(line, flush=True)
        lines.append(line)
    write_table(lines, Path(options.out))


if __name__ == "__main__":
    main()
