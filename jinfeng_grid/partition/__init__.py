"""Balanced, connected partitions of a graph, exact with proofs or heuristic."""

from __future__ import annotations

from jinfeng_grid.partition.audit import (
    cut_edge_difference,
    every_node_assigned,
    objective_matches,
    parts_connected,
    plan_objective,
    within_bounds,
)
from jinfeng_grid.partition.bounds import BoundResult, boundary_bound
from jinfeng_grid.partition.core import (
    TREE_SEARCH_OPTIONS,
    audit_plan,
    diagnose_partition,
    partition_graph,
    solve_partition_model,
)
from jinfeng_grid.partition.model import PartitionModel, build_partition_model
from jinfeng_grid.partition.spec import PartitionResult, PartitionSpec

__all__ = [
    "TREE_SEARCH_OPTIONS",
    "BoundResult",
    "PartitionModel",
    "PartitionResult",
    "PartitionSpec",
    "audit_plan",
    "boundary_bound",
    "build_partition_model",
    "cut_edge_difference",
    "diagnose_partition",
    "every_node_assigned",
    "objective_matches",
    "partition_graph",
    "parts_connected",
    "plan_objective",
    "solve_partition_model",
    "within_bounds",
]
