"""Siting police rooms and health stations for a 15-minute walk."""

from __future__ import annotations

from jinfeng_grid.posts.candidates import candidate_sites
from jinfeng_grid.posts.model import MODELS
from jinfeng_grid.posts.result import PostsResult, WalkDistances
from jinfeng_grid.posts.siting import site_posts, write_posts
from jinfeng_grid.posts.walks import walk_distances

__all__ = [
    "MODELS",
    "PostsResult",
    "WalkDistances",
    "candidate_sites",
    "site_posts",
    "walk_distances",
    "write_posts",
]
