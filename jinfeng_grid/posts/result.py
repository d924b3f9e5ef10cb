"""Result types of :mod:`jinfeng_grid.posts` (re-exported there)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import pandas as pd

from jinfeng_grid.posts.model import Model

__all__ = ["OriginPoints", "PostsResult", "WalkDistances"]

OriginPoints = Literal["gates", "point"]


@dataclass(frozen=True)
class WalkDistances:
    """Walking distances in metres from origins (rows) to sites (columns).

    Attributes
    ----------
    metres
        Rows indexed like the origins, columns like the sites.
    method
        ``network`` (every pair along the streets), ``network+detour`` (the streets
        form several components: ``detour_pairs`` pairs across them are the straight
        line × ``detour_factor``) or ``straight_line`` (no streets).
    origin_points
        ``gates`` or ``point``: where a polygon's walk starts.
    """

    metres: pd.DataFrame
    method: str
    detour_factor: float
    detour_pairs: int
    street_components: int
    origin_points: OriginPoints

    def __repr__(self) -> str:
        rows, cols = self.metres.shape
        extra = f", {self.detour_pairs} pairs by detour" if self.detour_pairs else ""
        return f"<WalkDistances {rows} x {cols}, {self.method}{extra}>"


@dataclass(frozen=True)
class PostsResult:
    """Posts of one kind after siting, with coverage before and after.

    Attributes
    ----------
    posts
        Existing and new posts: ``post_id``, ``kind``, ``name``, ``status``
        (``existing``/``new``), ``source``, ``community_id``, ``community_name``,
        ``households_covered``/``population_covered`` (compounds within the walk of
        this post), ``households_served``/``population_served`` (compounds whose
        nearest post it is), ``walk_m`` and ``distance_method``; working CRS.
    coverage
        Per community: households and population, those within the walk of a post
        before and after, their shares, and whether a post is inside the community
        or within the walk of its centre before and after.
    compounds
        Per compound: walk to the nearest post before and after, that post, covered
        before and after.
    uncoverable
        Compounds no existing post and no candidate reaches within the walk.
    status, objective, bound, gap, solver
        What the solver proved; ``objective``/``bound`` in the model's unit:
        households outside the walk (coverage), new posts (set_cover),
        household-metres (p_median).
    seconds, solve_seconds
        Wall time of the whole siting (distances included) and of the solver.
    """

    kind: str
    model: Model
    new_requested: int | None
    walk_m: float
    distance_method: str
    detour_factor: float
    detour_pairs: int
    origin_points: OriginPoints
    posts: gpd.GeoDataFrame = field(repr=False)
    coverage: pd.DataFrame = field(repr=False)
    compounds: pd.DataFrame = field(repr=False)
    uncoverable: tuple[str, ...]
    candidates: int
    status: str
    objective: float | None
    bound: float | None
    gap: float | None
    seconds: float
    solve_seconds: float
    solver: str
    every_community: bool

    @property
    def new_posts(self) -> int:
        return int((self.posts["status"] == "new").sum())

    def covered(self, when: Literal["before", "after"], what: str = "households") -> int:
        """Households (or ``what="population"``) within the walk of a post."""
        table = self.compounds
        return int(table.loc[table[f"covered_{when}"], what].sum())

    def share(self, when: Literal["before", "after"], what: str = "households") -> float:
        total = int(self.compounds[what].sum())
        return self.covered(when, what) / total if total else 1.0

    def summary(self) -> dict[str, Any]:
        """Plain figures for ``posts.json`` and the command line."""
        return {
            "kind": self.kind,
            "model": self.model,
            "new_requested": self.new_requested,
            "new_posts": self.new_posts,
            "existing_posts": int((self.posts["status"] == "existing").sum()),
            "candidates": self.candidates,
            "walk_m": self.walk_m,
            "distance_method": self.distance_method,
            "detour_factor": self.detour_factor,
            "detour_pairs": self.detour_pairs,
            "origin_points": self.origin_points,
            "every_community": self.every_community,
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "seconds": round(self.seconds, 3),
            "solve_seconds": round(self.solve_seconds, 3),
            "solver": self.solver,
            "households": int(self.compounds["households"].sum()),
            "population": int(self.compounds["population"].sum()),
            **{
                f"{what}_within_walk_{when}": self.covered(when, what)
                for what in ("households", "population")
                for when in ("before", "after")
            },
            "communities_with_post_before": int(self.coverage["has_post_before"].sum()),
            "communities_with_post_after": int(self.coverage["has_post_after"].sum()),
            "communities": len(self.coverage),
            "uncoverable": list(self.uncoverable),
        }

    def __repr__(self) -> str:
        gap = "no bound" if self.gap is None else f"gap {100 * self.gap:.2f}%"
        return (
            f"<PostsResult {self.kind} {self.model}: {self.new_posts} new + "
            f"{len(self.posts) - self.new_posts} existing, households within "
            f"{self.walk_m:.0f} m {100 * self.share('before'):.1f}% -> "
            f"{100 * self.share('after'):.1f}%, {self.status} ({gap}), {self.distance_method}>"
        )
