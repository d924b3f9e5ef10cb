"""Maps of a plan: interactive review maps (folium) and print maps (matplotlib)."""

from __future__ import annotations

from jinfeng_grid.render.maps import (
    BASEMAPS,
    LAYER_NAMES,
    TIANDITU_KEY_ENV,
    explore_plan,
    plot_adjacency,
    plot_before_after,
    plot_community,
    plot_overview,
    print_style,
    write_map,
    write_print_maps,
)

__all__ = [
    "BASEMAPS",
    "LAYER_NAMES",
    "TIANDITU_KEY_ENV",
    "explore_plan",
    "plot_adjacency",
    "plot_before_after",
    "plot_community",
    "plot_overview",
    "print_style",
    "write_map",
    "write_print_maps",
]
