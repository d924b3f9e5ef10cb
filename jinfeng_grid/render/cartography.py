"""Print maps drawn with matplotlib: the district overview, one map per community and
the before/after pair, laid out as Chinese working maps (工作底图).

The page, its furniture and marginal notes are drawn by :mod:`~jinfeng_grid.render.page`,
the layers by :mod:`~jinfeng_grid.render.print_layers`, labels placed by
:mod:`~jinfeng_grid.render.labels`, in the style of
:mod:`~jinfeng_grid.render.print_style`. The plan's communities are drawn as the plan
outlined them; units the plan does not outline (current communities, subdistricts)
are outlined with :func:`jinfeng_grid.plan.outline.outline` at the closing distance
of the plan's scenario.

The functions return a :class:`~matplotlib.figure.Figure` and write nothing;
:mod:`~jinfeng_grid.render.print_maps` and the package writer save them.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from jinfeng_grid.errors import InputDataError
from jinfeng_grid.plan.outline import closing_distance
from jinfeng_grid.render.labels import Label, place_labels
from jinfeng_grid.render.page import (
    MapInfo,
    Paper,
    community_title,
    finish,
    focus_bounds,
    make_page,
    map_info,
    north_arrow,
    panel_footer,
    panel_legend,
    panel_text,
    scale_bar,
)
from jinfeng_grid.render.print_layers import (
    PALETTE,
    admin_handles,
    district_outline,
    draw_roads,
    facility_layer,
    require_columns,
    road_handles,
    subdistrict_lines,
    unit_colours,
    view_box,
)
from jinfeng_grid.render.style import print_style, warn_missing

if TYPE_CHECKING:
    from jinfeng_grid.plan.value import Plan

__all__ = [
    "plot_community",
    "plot_overview",
    "short_grid_name",
]
logger = logging.getLogger(__name__)
# --- the maps -----------------------------------------------------------------------------


def _names(frame: pd.DataFrame | None) -> list[object]:
    return [] if frame is None or "name" not in frame.columns else list(frame["name"])


def _households(value: Any) -> str:
    return f"{int(value):,}户"


def plot_overview(plan: Plan, *, paper: Paper = "A3", info: MapInfo | None = None) -> Figure:
    """The district overview: proposed communities coloured and labelled with households.

    Communities are filled so that neighbours differ and labelled with their name
    and households; subdistrict outlines (街道界) and names, the district outline,
    arterial roads with their names, police rooms and health stations are drawn.

    Parameters
    ----------
    plan
        A plan read by :func:`jinfeng_grid.plan.read_plan`.
    paper
        ``"A3"`` (default) or ``"A4"``, landscape.
    info
        Marginal notes; :func:`map_info` of the plan when ``None``.

    Returns
    -------
    Figure
        One page; save it inside :func:`print_style` to embed the font.

    Examples
    --------
    >>> from jinfeng_grid import io
    >>> with print_style():  # doctest: +SKIP
    ...     plot_overview(read_plan("plan/")).savefig("overview.pdf")
    """
    info = info if info is not None else map_info(plan)
    communities = require_columns(plan, "communities", ("community_id", "name", "households"))
    warn_missing([*communities["name"], *_names(plan.subdistricts), *_names(plan.roads)])
    with print_style():
        page = make_page(
            paper,
            f"{info.district_name}社区划分方案示意图",
            info,
            [tuple(plan.compounds.total_bounds)],
        )
        ax, k = page.maps[0], page.font
        colours = unit_colours(communities, "community_id")
        communities.plot(
            ax=ax,
            color=communities["community_id"].astype(str).map(colours),
            edgecolor="#333333",
            linewidth=0.6 * k,
            zorder=2,
        )
        district_outline(ax, communities, k)
        subs = subdistrict_lines(ax, plan, k, closing_m=closing_distance(plan.scenario))
        labels = draw_roads(ax, plan.roads, k, local=False)
        handles_fac = facility_layer(ax, plan.facilities, k)
        for row in communities.itertuples(index=False):
            point = row.geometry.representative_point()
            labels.append(
                Label(
                    point.x,
                    point.y,
                    f"{row.name}\n{_households(row.households)}",
                    size=7.0 * k,
                    priority=1e6 + float(row.households),
                    min_size=5.2 * k,
                )
            )
        if subs is not None and "name" in subs.columns:
            for row in subs.itertuples(index=False):
                point = row.geometry.representative_point()
                labels.append(
                    Label(
                        point.x,
                        point.y + 0.0,
                        f"{row.name}街道",
                        size=15 * k,
                        priority=1e7,
                        color="#6a3d9a",
                        weight="bold",
                        min_size=10 * k,
                    )
                )
        furniture = [north_arrow(ax, k), scale_bar(ax, page.scale, k)]
        finish(ax)
        place_labels(ax, labels, avoid=furniture)
        within = (
            int(communities["within_bounds"].astype(bool).sum())
            if "within_bounds" in communities.columns
            else None
        )
        handles = [
            Patch(
                facecolor=PALETTE[0], edgecolor="#333333", linewidth=0.6, label="方案社区（分色）"
            ),
            *admin_handles(k),
            *road_handles(plan, k, local=False),
            *handles_fac,
        ]
        y = panel_legend(page.panel, 0.975, handles, k)
        low, high = info.household_bounds
        figures = [
            "方案概况",
            f"街道 {plan.compounds['subdistrict_id'].nunique()} 个，社区 {len(communities)} 个，"
            f"网格 {len(plan.grids)} 个",
            f"小区 {len(plan.compounds)} 个，{int(plan.compounds['households'].sum()):,} 户，"
            f"{int(plan.compounds['population'].sum()):,} 人",
            f"社区规模标准 {low:,}–{high:,} 户"
            + (f"，达标 {within} 个" if within is not None else ""),
            "标注：社区名称 / 户数",
        ]
        panel_text(page.panel, y, figures, size=8.5 * k, bold_first=True, wrap=22)
        panel_footer(page.panel, info, k)
    logger.info("overview map: %d communities, 1:%s", len(communities), f"{page.scale:,}")
    return page.figure


def short_grid_name(name: str, community: str) -> str:
    name = str(name)
    return name[len(community) :] if community and name.startswith(community) else name


def plot_community(
    plan: Plan,
    community_id: str,
    *,
    paper: Paper = "A3",
    info: MapInfo | None = None,
    boundary_text: str | None = None,
) -> Figure:
    """One community: its grids coloured, its compounds, neighbouring communities in grey.

    Parameters
    ----------
    plan
        A plan read by :func:`jinfeng_grid.plan.read_plan`.
    community_id
        The proposed community (``community_id`` of the plan).
    paper
        ``"A3"`` (default) or ``"A4"``, landscape.
    info
        Marginal notes; :func:`map_info` of the plan when ``None``.
    boundary_text
        The 四至 text printed in the side panel (see
        :func:`jinfeng_grid.report.boundary_descriptions`); left out when ``None``.

    Raises
    ------
    InputDataError
        If the plan has no community ``community_id`` (the message lists a few it has).

    Examples
    --------
    >>> with print_style():  # doctest: +SKIP
    ...     plot_community(plan, "640106002004").savefig("community.pdf")
    """
    info = info if info is not None else map_info(plan)
    communities = require_columns(plan, "communities", ("community_id", "name", "households"))
    ids = communities["community_id"].astype(str)
    match = communities[ids == str(community_id)]
    if match.empty:
        raise InputDataError(
            f"the plan has no community {community_id!r}; it has e.g. "
            f"{', '.join(sorted(ids)[:5])} (see communities.csv)"
        )
    row = match.iloc[0]
    name = str(row["name"])
    grids = plan.grids[plan.grids["community_id"].astype(str) == str(community_id)]
    compounds = plan.compounds[plan.compounds["community_id"].astype(str) == str(community_id)]
    warn_missing([name, *_names(grids), *_names(compounds), boundary_text, *_names(plan.roads)])
    with print_style():
        page = make_page(
            paper,
            f"{info.district_name}{community_title(name)}网格划分示意图",
            info,
            [focus_bounds(row.geometry)],
        )
        ax, k = page.maps[0], page.font
        view = view_box(ax)
        others = communities[(ids != str(community_id)) & communities.intersects(view)]
        if not others.empty:
            others.plot(ax=ax, color="#e4e4e4", edgecolor="#9a9a9a", linewidth=0.6 * k, zorder=1)
        colours = unit_colours(grids, "grid_id", gap_m=5.0) if len(grids) else {}
        if len(grids):
            grids.plot(
                ax=ax,
                color=grids["grid_id"].astype(str).map(colours),
                edgecolor="#333333",
                linewidth=0.7 * k,
                zorder=2,
            )
        if plan.buildings is not None and "community_id" in plan.buildings.columns:
            inside = plan.buildings[plan.buildings["community_id"].astype(str) == str(community_id)]
            if len(inside):
                inside.plot(ax=ax, color="#7d7d7d", linewidth=0, alpha=0.55, zorder=3)
        if len(compounds):
            compounds.boundary.plot(
                ax=ax, color="#4d4d4d", linewidth=0.5 * k, linestyle=(0, (3, 1.5)), zorder=4
            )
        gpd.GeoSeries([row.geometry], crs=communities.crs).boundary.plot(
            ax=ax, color="#c62828", linewidth=2.2 * k, zorder=8
        )
        subdistrict_lines(ax, plan, k, closing_m=closing_distance(plan.scenario))
        labels = draw_roads(ax, plan.roads, k, local=True)
        handles_fac = facility_layer(ax, plan.facilities, k)
        for grid in grids.itertuples(index=False):
            point = grid.geometry.representative_point()
            labels.append(
                Label(
                    point.x,
                    point.y,
                    f"{short_grid_name(grid.name, name)}\n{_households(grid.households)}",
                    size=7.5 * k,
                    priority=1e6 + float(grid.households),
                    min_size=5.5 * k,
                )
            )
        for compound in compounds.itertuples(index=False):
            if not isinstance(getattr(compound, "name", None), str):
                continue
            point = compound.geometry.representative_point()
            labels.append(
                Label(
                    point.x,
                    point.y - 0.0,
                    compound.name,
                    size=5.8 * k,
                    priority=float(compound.households),
                    color="#444444",
                    min_size=5.0 * k,
                )
            )
        for other in others.itertuples(index=False):
            point = other.geometry.intersection(view).representative_point()
            labels.append(
                Label(
                    point.x,
                    point.y,
                    community_title(other.name),
                    size=8 * k,
                    priority=5e5,
                    color="#7a7a7a",
                    min_size=6 * k,
                )
            )
        furniture = [north_arrow(ax, k), scale_bar(ax, page.scale, k)]
        finish(ax)
        place_labels(ax, labels, avoid=furniture)
        handles = [
            Line2D(
                [],
                [],
                color="#c62828",
                linewidth=2.2 * k,
                label=f"{community_title(name)}界（示意）",
            ),
            Patch(facecolor=PALETTE[1], edgecolor="#333333", linewidth=0.7, label="网格（分色）"),
            Line2D(
                [], [], color="#4d4d4d", linewidth=0.6 * k, linestyle=(0, (3, 1.5)), label="小区界"
            ),
            Patch(facecolor="#7d7d7d", alpha=0.55, edgecolor="none", label="楼栋"),
            Patch(facecolor="#e4e4e4", edgecolor="#9a9a9a", label="相邻社区"),
            *road_handles(plan, k, local=True),
            *handles_fac,
        ]
        y = panel_legend(page.panel, 0.975, handles, k)
        figures = [
            f"{community_title(name)}",
            f"社区代码 {community_id}",
            f"户数 {int(row['households']):,} 户，人口 {int(row['population']):,} 人"
            if "population" in row.index
            else f"户数 {int(row['households']):,} 户",
            f"小区 {len(compounds)} 个，网格 {len(grids)} 个",
        ]
        if "subdistrict" in row.index:
            figures.insert(1, f"所属街道 {row['subdistrict']}")
        y = panel_text(page.panel, y, figures, size=8.5 * k, bold_first=True, wrap=22)
        if boundary_text:
            y = panel_text(
                page.panel,
                y - 0.01,
                ["四至", boundary_text],
                size=8.5 * k,
                bold_first=True,
                wrap=22,
            )
        panel_footer(page.panel, info, k)
    logger.info(
        "community map %s (%s): %d grids, 1:%s", community_id, name, len(grids), f"{page.scale:,}"
    )
    return page.figure
