"""The before/after print map: current communities beside the proposed ones.

The current communities are dissolved from the compounds' current ``community`` and
outlined (:func:`jinfeng_grid.plan.outline.outline`) at the closing distance of the
plan's scenario; the proposed ones are drawn as the plan outlined them. Both are
coloured by households class and drawn at one scale on one page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from jinfeng_grid.errors import InputDataError
from jinfeng_grid.plan.outline import closing_distance, outline
from jinfeng_grid.render.labels import Label, place_labels
from jinfeng_grid.render.page import (
    MapInfo,
    Paper,
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
    admin_handles,
    district_outline,
    draw_roads,
    require_columns,
    road_handles,
    subdistrict_lines,
    view_box,
)
from jinfeng_grid.render.style import INK, agg_renderer, print_style, warn_missing

if TYPE_CHECKING:
    from jinfeng_grid.plan.value import Plan

__all__ = ["current_communities", "plot_before_after"]

#: Households classes of the before/after maps: (label, colour).
_CLASS_COLOURS = ("#cfe3f3", "#cde8c1", "#fbd49b", "#f08a7e")


def current_communities(compounds: gpd.GeoDataFrame, *, closing_m: float) -> gpd.GeoDataFrame:
    """Current communities dissolved from the compounds' ``subdistrict``/``community``.

    Each is outlined (:func:`jinfeng_grid.plan.outline.outline`) at ``closing_m``, the
    closing distance of the plan's scenario, as the plan outlines its communities.

    Raises
    ------
    InputDataError
        If the compounds have no current ``community`` column.
    """
    if "community" not in compounds.columns:
        raise InputDataError(
            "the plan's compounds have no current 'community' column, so there is no "
            "before map: give the input a community column (e.g. --column community=社区)"
        )
    keys = ["subdistrict", "community"] if "subdistrict" in compounds.columns else ["community"]
    frame = compounds[[*keys, "households", "population", "geometry"]].copy()
    for key in keys:
        frame[key] = frame[key].astype(str)
    dissolved = frame.dissolve(by=keys, aggfunc="sum", sort=True).reset_index()
    dissolved["geometry"] = [outline(g, closing_m=closing_m) for g in dissolved.geometry.to_numpy()]
    return dissolved


def _size_classes(households: pd.Series, bounds: tuple[int, int]) -> tuple[pd.Series, list[str]]:
    low, high = bounds
    top = max(5000, high)
    names = [
        f"少于 {low:,} 户",
        f"{low:,}–{high:,} 户（标准）",
        f"{high:,}–{top:,} 户",
        f"多于 {top:,} 户",
    ]
    values = households.astype(int)
    index = np.select([values < low, values <= high, values <= top], [0, 1, 2], default=3)
    return pd.Series(index, index=households.index), names


def plot_before_after(
    plan: Plan,
    *,
    paper: Paper = "A3",
    info: MapInfo | None = None,
    focus: Sequence[str] | None = None,
) -> Figure:
    """Current communities beside the proposed ones, coloured by households class.

    The left map dissolves the compounds by their current ``community`` (调整前),
    the right one shows the plan's communities (调整后); both at the same scale,
    coloured by the same classes (below the scenario's minimum, within its bounds,
    above it, above 5,000 households) and labelled with name and households.

    Parameters
    ----------
    plan
        A plan read by :func:`jinfeng_grid.plan.read_plan`.
    paper
        ``"A3"`` (default) or ``"A4"``, landscape.
    info
        Marginal notes; :func:`map_info` of the plan when ``None``.
    focus
        Proposed community ids to frame (e.g. the parts of a split community) with
        the current communities their compounds came from; the whole district when
        ``None``.

    Raises
    ------
    InputDataError
        If the compounds have no current ``community`` column, or a ``focus`` id is
        not a community of the plan.

    Examples
    --------
    >>> with print_style():  # doctest: +SKIP
    ...     plot_before_after(plan).savefig("before_after.pdf")
    """
    info = info if info is not None else map_info(plan)
    closing_m = closing_distance(plan.scenario)
    before = current_communities(plan.compounds, closing_m=closing_m)
    after = require_columns(plan, "communities", ("community_id", "name", "households"))
    warn_missing([*before["community"], *after["name"]])
    bounds = tuple(plan.compounds.total_bounds)
    if focus is not None:
        wanted = {str(f) for f in focus}
        unknown = sorted(wanted - set(after["community_id"].astype(str)))
        if unknown or not wanted:
            raise InputDataError(
                f"cannot frame the before/after map on community id(s) "
                f"{', '.join(unknown) or '(none given)'}: not in the plan (see communities.csv)"
            )
        members = plan.compounds[plan.compounds["community_id"].astype(str).isin(wanted)]
        origins = set(members["community"].astype(str))
        area = plan.compounds[plan.compounds["community"].astype(str).isin(origins)]
        bounds = focus_bounds(pd.concat([members, area]).geometry.union_all(), margin=0.12)
    with print_style():
        page = make_page(
            paper,
            f"{info.district_name}社区调整前后对比示意图",
            info,
            [bounds, bounds],
            panel_mm=80,
        )
        k = page.font
        class_names: list[str] = []
        for ax, frame, heading in (
            (page.maps[0], before, "调整前（现状社区）"),
            (page.maps[1], after, "调整后（方案社区）"),
        ):
            classes, class_names = _size_classes(frame["households"], info.household_bounds)
            frame.plot(
                ax=ax,
                color=[_CLASS_COLOURS[c] for c in classes],
                edgecolor="#333333",
                linewidth=0.5 * k,
                zorder=2,
            )
            district_outline(ax, after, k)
            subdistrict_lines(ax, plan, k, closing_m=closing_m)
            # framed on a few communities the map is large-scale: streets and bigger labels
            labels = draw_roads(ax, plan.roads, k, local=focus is not None)
            size = (9.0 if focus is not None else 6.0) * k
            name_key = "community" if "community" in frame.columns else "name"
            view = view_box(ax)
            for row in frame.itertuples(index=False):
                shown = row.geometry.intersection(view)
                if shown.is_empty:
                    continue
                point = shown.representative_point()
                labels.append(
                    Label(
                        point.x,
                        point.y,
                        f"{getattr(row, name_key)}\n{int(row.households):,}",
                        size=size,
                        priority=1e6 + float(row.households),
                        min_size=4.6 * k,
                    )
                )
            title = ax.text(
                0.5,
                0.985,
                f"{heading}  {len(frame)} 个社区",
                transform=ax.transAxes,
                ha="center",
                va="top",
                fontsize=12 * k,
                fontweight="bold",
                color=INK,
                zorder=31,
                bbox={"boxstyle": "square,pad=0.3", "fc": "white", "ec": INK, "lw": 0.6},
            )
            renderer = agg_renderer(page.figure)
            furniture = [
                scale_bar(ax, page.scale, k),
                title.get_window_extent(renderer).padded(6 * k),
            ]
            if ax is page.maps[1]:
                furniture.append(north_arrow(ax, k))
            finish(ax)
            place_labels(ax, labels, avoid=furniture)
        handles = [
            Patch(facecolor=colour, edgecolor="#333333", linewidth=0.5, label=label)
            for colour, label in zip(_CLASS_COLOURS, class_names, strict=True)
        ] + [*admin_handles(k), *road_handles(plan, k, local=focus is not None)]
        y = panel_legend(page.panel, 0.975, handles, k)
        over_before = int((before["households"] > info.household_bounds[1]).sum())
        over_after = int((after["households"] > info.household_bounds[1]).sum())
        figures = [
            "调整情况",
            f"社区 {len(before)} 个 → {len(after)} 个",
            f"超过 {info.household_bounds[1]:,} 户的社区 {over_before} 个 → {over_after} 个",
            f"最大社区 {int(before['households'].max()):,} 户 → "
            f"{int(after['households'].max()):,} 户",
            "标注：社区名称 / 户数",
        ]
        panel_text(page.panel, y, figures, size=8 * k, bold_first=True, wrap=19)
        panel_footer(page.panel, info, k)
    return page.figure
