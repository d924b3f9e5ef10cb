"""The value types of a partition: what it must satisfy and what came out.

:class:`PartitionSpec` states the parts, caps and constraints of a partition and
:class:`PartitionResult` holds a plan with its objective, bound and status; both are
shared by the solving core (:mod:`jinfeng_grid.partition.core`) and its audits
(:mod:`jinfeng_grid.partition.audit`).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from jinfeng_grid.errors import ConfigError

__all__ = ["PartitionResult", "PartitionSpec", "Status"]

Status = Literal["optimal", "feasible", "infeasible", "no_plan"]


@dataclass(frozen=True)
class PartitionSpec:
    """What a partition must satisfy and what it minimises.

    Parameters
    ----------
    k
        Number of parts, or ``(least, most)`` to let the solver choose.
    bounds
        Node attribute → ``(L, U)``: every part's total of that attribute lies within
        [L, U]. Several attributes at once are allowed; missing attributes count 0.
    edge_cost
        Edge attribute whose value is paid for each cut edge; None pays 1 per edge.
    barrier_attr, barrier_penalty
        Edges whose ``barrier_attr`` is true cost ``barrier_penalty`` when *not* cut
        (a part spans the arterial road or river).
    current, move_weight, move_penalty
        The current plan (node → label). Labels, in sorted order, become parts
        0, 1, ...; each node whose part differs costs ``move_penalty`` times its
        ``move_weight`` attribute (1 per node if None).
    fixed
        Node → part index it must belong to.
    together
        Groups of nodes that must share a part.
    seeds
        ``seeds[i]`` belongs to part i, one seed per part.
    exclude, min_difference
        Earlier plans (each a mapping node → part label covering every node) that the
        plan must differ from. Plans are compared by the set of edges they cut, so
        relabelling parts does not make a plan different. With ``y_e`` = 1 when the new
        plan cuts edge e and ``C(P)`` the edges cut by an excluded plan P, each P adds
        the no-good ``Σ_{e∈C(P)} (1 − y_e) + Σ_{e∉C(P)} y_e ≥ min_difference``: the
        number of edges whose cut status changes (the Hamming distance of the cut-edge
        vectors) is at least ``min_difference``. Two connected plans with the same cut
        set are the same partition, so ``min_difference = 1`` excludes exactly P (and
        its relabellings).
    """

    k: int | tuple[int, int]
    bounds: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    edge_cost: str | None = None
    barrier_attr: str | None = None
    barrier_penalty: float = 0.0
    current: Mapping[Hashable, Hashable] | None = None
    move_weight: str | None = None
    move_penalty: float = 0.0
    fixed: Mapping[Hashable, int] = field(default_factory=dict)
    together: Sequence[Collection[Hashable]] = ()
    seeds: Sequence[Hashable] = ()
    exclude: Sequence[Mapping[Hashable, Hashable]] = ()
    min_difference: int = 1

    def __post_init__(self) -> None:
        problems: list[str] = []
        k = self.k
        if isinstance(k, tuple):
            if len(k) != 2 or not all(isinstance(c, int) for c in k) or not 1 <= k[0] <= k[1]:
                problems.append(f"k as a range must be (least, most) with 1 ≤ least ≤ most: {k}")
        elif not isinstance(k, int) or isinstance(k, bool) or k < 1:
            problems.append(f"k must be a positive integer or a (least, most) pair, got {k!r}")
        bounds = {str(a): (float(lo), float(hi)) for a, (lo, hi) in dict(self.bounds).items()}
        for attr, (lo, hi) in bounds.items():
            if not (0 <= lo <= hi) or not math.isfinite(hi):
                problems.append(f"bounds of {attr!r} must satisfy 0 ≤ L ≤ U < ∞, got ({lo}, {hi})")
        for name in ("barrier_penalty", "move_penalty"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                problems.append(f"{name} must be a finite number ≥ 0, got {value}")
        if self.barrier_penalty > 0 and self.barrier_attr is None:
            problems.append("barrier_penalty is set but barrier_attr names no edge attribute")
        k_max = k[1] if isinstance(k, tuple) and len(k) == 2 else k
        if isinstance(k_max, int):
            for v, p in dict(self.fixed).items():
                if not isinstance(p, int) or not 0 <= p < k_max:
                    problems.append(f"node {v} is fixed to part {p!r}, not in 0..{k_max - 1}")
            if len(self.seeds) > k_max:
                problems.append(f"{len(self.seeds)} seeds given but at most {k_max} parts")
        if len(set(self.seeds)) != len(self.seeds):
            problems.append("seeds must be distinct nodes")
        if any(len(group) == 0 for group in self.together):
            problems.append("a 'together' group is empty")
        if isinstance(self.exclude, Mapping) or not all(
            isinstance(plan, Mapping) for plan in self.exclude
        ):
            problems.append("exclude must be a sequence of plans, each a mapping node → label")
        if (
            not isinstance(self.min_difference, int)
            or isinstance(self.min_difference, bool)
            or self.min_difference < 1
        ):
            problems.append(f"min_difference must be an integer ≥ 1, got {self.min_difference!r}")
        if problems:
            raise ConfigError("invalid PartitionSpec: " + "; ".join(problems))
        object.__setattr__(self, "bounds", bounds)
        object.__setattr__(self, "fixed", dict(self.fixed))
        object.__setattr__(self, "together", tuple(frozenset(g) for g in self.together))
        object.__setattr__(self, "seeds", tuple(self.seeds))
        object.__setattr__(self, "exclude", tuple(dict(plan) for plan in self.exclude))
        if self.current is not None:
            object.__setattr__(self, "current", dict(self.current))

    @property
    def k_range(self) -> tuple[int, int]:
        """``(least, most)`` number of parts."""
        return self.k if isinstance(self.k, tuple) else (self.k, self.k)

    @property
    def current_part_index(self) -> dict[Hashable, int]:
        """Current label → part index (labels in sorted order)."""
        if self.current is None:
            return {}
        labels = sorted(set(self.current.values()), key=lambda c: (type(c).__name__, c))
        return {c: i for i, c in enumerate(labels)}

    @property
    def labels_interchangeable(self) -> bool:
        """Whether part labels carry no meaning (no fixed parts, seeds or current plan)."""
        return not self.fixed and not self.seeds and self.current is None


@dataclass(frozen=True)
class PartitionResult:
    """A plan with its objective, proven bound and how it was obtained.

    ``assignment`` maps every node to its part ``0..k-1`` (empty when there is no plan);
    ``bound`` is the proven lower bound on the objective (None when unknown) and
    ``gap`` the relative gap ``(objective − bound) / |objective|``. ``notes`` says in
    words what the caller may want to know about how the plan was reached (for example
    that the heuristic found only excluded plans and the solver started cold).
    """

    assignment: dict[Hashable, int]
    status: Status
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    solver: str
    method: Literal["exact", "heuristic"]
    part_weights: dict[int, dict[str, float]]
    notes: tuple[str, ...] = ()

    def __repr__(self) -> str:
        obj = "none" if self.objective is None else f"{self.objective:g}"
        gap = "no bound" if self.gap is None else f"gap {100 * self.gap:.1f}%"
        return (
            f"<PartitionResult {len(self.part_weights)} parts, {len(self.assignment)} nodes, "
            f"objective {obj}, {self.status} ({gap}), {self.seconds:.1f} s, {self.solver}>"
        )
