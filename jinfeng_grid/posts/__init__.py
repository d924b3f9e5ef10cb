"""Siting police rooms and health stations for a 15-minute walk."""

from __future__ import annotations

from jinfeng_grid.posts.siting import (
    MODELS,
    PostsResult,
    WalkDistances,
    candidate_sites,
    site_posts,
    walk_distances,
    write_posts,
)

__all__ = [
    "MODELS",
    "PostsResult",
    "WalkDistances",
    "candidate_sites",
    "site_posts",
    "walk_distances",
    "write_posts",
]
