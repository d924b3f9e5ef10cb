"""Maps of a plan: interactive review maps (folium) and print maps (matplotlib)."""

from __future__ import annotations

from jinfeng_grid.render.adjacency import plot_adjacency
from jinfeng_grid.render.basemaps import BASEMAPS, TIANDITU_KEY_ENV
from jinfeng_grid.render.before_after import plot_before_after
from jinfeng_grid.render.cartography import plot_community, plot_overview
from jinfeng_grid.render.maps import explore_plan, write_map, write_print_maps
from jinfeng_grid.render.style import print_style
from jinfeng_grid.render.web_features import LAYER_NAMES

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
