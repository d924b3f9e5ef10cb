"""Re-drawing subdistricts: the new communities grouped, whole, into subdistricts."""

from __future__ import annotations

import math
import time
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from jinfeng_grid.config.options import UnitBounds
from jinfeng_grid.config.scenario import Scenario
from jinfeng_grid.errors import InfeasibleSpecError
from jinfeng_grid.partition.core import partition_graph
from jinfeng_grid.partition.spec import PartitionSpec
from jinfeng_grid.plan.apportion import count_range, counts_for_target
from jinfeng_grid.plan.levels import MIN_TASK_SECONDS
from jinfeng_grid.plan.records import Subproblem

__all__ = [
    "NEW_SUBDISTRICT_NAME",
    "SUBDISTRICT_TIME_SHARE",
    "SubdistrictRun",
    "plan_subdistricts",
]

#: Share of the plan's time limit spent on re-drawing subdistricts (when asked for).
SUBDISTRICT_TIME_SHARE = 0.1

#: Name of a new subdistrict until a person names it: 新设街道1, 新设街道2, ...
NEW_SUBDISTRICT_NAME = "新设街道{}"


@dataclass(frozen=True)
class SubdistrictRun:
    """Re-drawn subdistricts: compound → new subdistrict name, the record, and the
    notes for a person (the provisional names to replace)."""

    of_compound: dict[Hashable, str]
    provisional: frozenset[str]
    record: Subproblem
    seconds: float
    notes: tuple[str, ...] = ()


def plan_subdistricts(
    graph: nx.Graph,
    community_key: Mapping[Hashable, Hashable],
    current: Mapping[Hashable, Hashable],
    unit: UnitBounds,
    *,
    scenario: Scenario,
    budget: float,
) -> SubdistrictRun:
    """Group the new communities into subdistricts within ``unit``'s bounds.

    Communities stay whole. The graph of communities (two are neighbours when some of
    their compounds are; the edge costs their shared frontage) is partitioned into
    the number of subdistricts that ``unit`` asks for (``total`` or ``count``, else
    the target size, else as few as the bounds allow), minimising the new boundary
    plus ``move_penalty`` per household whose subdistrict changes, so that the
    subdistricts that need no change keep their communities. The new subdistrict
    holding most of a current one's households keeps its name; the others are named
    新设街道1, 2, ... (provisional: a person names them).
    """
    start = time.perf_counter()
    cgraph = nx.Graph()
    for v, key in community_key.items():
        data = graph.nodes[v]
        if key not in cgraph:
            cgraph.add_node(key, households=0, population=0, parents={})
        node = cgraph.nodes[key]
        node["households"] += data.get("households", 0)
        node["population"] += data.get("population", 0)
        parent = current[v]
        node["parents"][parent] = node["parents"].get(parent, 0) + data.get("households", 0)
    for u, v, data in graph.edges(data=True):
        a, b = community_key[u], community_key[v]
        if a == b:
            continue
        length = float(data.get("length", 0.0)) or 1.0
        if cgraph.has_edge(a, b):
            cgraph[a][b]["length"] += length
        else:
            cgraph.add_edge(a, b, length=length)
    for key in cgraph.nodes:
        parents = cgraph.nodes[key]["parents"]
        cgraph.nodes[key]["current"] = max(sorted(parents, key=str), key=lambda p: parents[p])
    total = sum(cgraph.nodes[key]["households"] for key in cgraph.nodes)
    low, high = unit.min_households, unit.max_households
    high = high if math.isfinite(high) else total
    k: int
    if unit.total is not None:
        k = unit.total
    elif unit.count is not None:
        k = unit.count
    elif unit.target_households is not None:
        k = counts_for_target(
            {"district": total},
            target=unit.target_households,
            low=low,
            high=high,
            unit="subdistrict",
        )["district"]
    else:
        least, most = count_range(total, low=low, high=high)
        if least > most:
            raise InfeasibleSpecError(
                f"the district's {total:,.0f} households fit no number of subdistricts of "
                f"{low:,.0f}-{high:,.0f} households: change [subdistrict]"
            )
        k = least
    bounds = {"households": (float(low), float(high))}
    if unit.max_population is not None or unit.min_population is not None:
        bounds["population"] = (
            float(unit.min_population or 0),
            float(unit.max_population if unit.max_population is not None else math.inf),
        )
        if not math.isfinite(bounds["population"][1]):
            bounds["population"] = (bounds["population"][0], float(total * 100))
    labels = sorted({cgraph.nodes[key]["current"] for key in cgraph.nodes}, key=str)
    change: dict[str, Any] = {}
    if len(labels) <= k:
        # minimal change: households whose subdistrict changes are paid for
        change = {
            "current": {key: cgraph.nodes[key]["current"] for key in cgraph.nodes},
            "move_weight": "households",
            "move_penalty": scenario.objective.move_penalty,
        }
    spec = PartitionSpec(k=k, bounds=bounds, edge_cost="length", **change)
    try:
        result = partition_graph(
            cgraph,
            spec,
            time_limit=max(budget, MIN_TASK_SECONDS),
            solver=scenario.solver.solver,
            seed=scenario.solver.seed,
            threads=scenario.solver.threads,
        )
    except InfeasibleSpecError as error:
        raise InfeasibleSpecError(
            f"the {cgraph.number_of_nodes()} new communities cannot be grouped into {k} "
            f"subdistricts of {low:,.0f}-{high:,.0f} households ({error}): change "
            "[subdistrict], or make smaller communities"
        ) from None
    # names: the part with most of a current subdistrict's households keeps its name
    share: dict[int, dict[Hashable, float]] = {}
    for key, part in result.assignment.items():
        for parent, households in cgraph.nodes[key]["parents"].items():
            share.setdefault(part, {})[parent] = share.get(part, {}).get(parent, 0) + households
    name_of: dict[int, str] = {}
    for parent in labels:
        holders = sorted(share, key=lambda p: (-share[p].get(parent, 0), p))
        best = holders[0] if holders and share[holders[0]].get(parent, 0) > 0 else None
        if best is not None and best not in name_of:
            name_of[best] = str(parent)
    provisional = set()
    for number, part in enumerate(sorted(set(result.assignment.values()) - set(name_of)), 1):
        name_of[part] = NEW_SUBDISTRICT_NAME.format(number)
        provisional.add(name_of[part])
    provisional_notes = (
        (
            f"{len(provisional)} new subdistrict(s) were drawn and provisionally named "
            f"{', '.join(sorted(provisional))}: name them before submission",
        )
        if provisional
        else ()
    )
    of_compound = {v: name_of[result.assignment[key]] for v, key in community_key.items()}
    record = Subproblem.of(
        "subdistrict", scenario.report.district_name, cgraph.number_of_nodes(), total, result
    )
    return SubdistrictRun(
        of_compound,
        frozenset(provisional),
        record,
        time.perf_counter() - start,
        provisional_notes,
    )
