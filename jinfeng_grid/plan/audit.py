"""The plan's own audit: independent checks of its tables before it is written.

Every compound and building assigned exactly once; households and population conserved
at every level; grids nested in communities, communities in subdistricts. Contiguity
of every unit is audited per subproblem by the partition core
(:mod:`jinfeng_grid.partition.audit`).
"""

from __future__ import annotations

from jinfeng_grid.errors import PlanCheckError
from jinfeng_grid.plan.value import Plan

__all__ = ["audit_plan", "plan_problems"]


def plan_problems(plan: Plan) -> list[str]:
    """What is wrong with a plan's tables, in words (empty when nothing is)."""
    compounds = plan.compounds
    problems = []
    if compounds["community_id"].isna().any():
        problems.append(
            f"{int(compounds['community_id'].isna().sum())} compounds have no community"
        )
    levels = [("communities", plan.communities), ("grids", plan.grids)]
    if plan.subdistricts is not None:
        levels.append(("subdistricts", plan.subdistricts))
    for column in ("households", "population"):
        total = int(compounds[column].sum())
        for level, frame in levels:
            if int(frame[column].sum()) != total:
                problems.append(
                    f"{column}: compounds {total:,} but {level} {int(frame[column].sum()):,}"
                )
    if plan.buildings is not None and plan.buildings["grid_id"].isna().any():
        problems.append(f"{int(plan.buildings['grid_id'].isna().sum())} buildings have no grid")
    if not plan.grids["community_id"].isin(plan.communities["community_id"]).all():
        problems.append("a grid names a community that is not in the plan")
    if not plan.grids["grid_id"].str.startswith(tuple(plan.grids["community_id"])).all():
        problems.append("a grid code does not start with its community's code")
    if plan.buildings is not None:
        community_of_grid = plan.grids.set_index("grid_id")["community_id"]
        mismatch = (
            plan.buildings["grid_id"].map(community_of_grid) != plan.buildings["community_id"]
        )
        if mismatch.any():
            problems.append(f"{int(mismatch.sum())} buildings lie in a grid of another community")
    return problems


def audit_plan(plan: Plan) -> None:
    """Raise :class:`PlanCheckError` when :func:`plan_problems` finds anything."""
    problems = plan_problems(plan)
    if problems:
        raise PlanCheckError(
            "the plan failed its audit (please report this): " + "; ".join(problems)
        )
