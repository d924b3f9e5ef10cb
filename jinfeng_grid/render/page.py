"""The page of a print map and what it says about itself.

A landscape page of paper size (A3 by default, A4 on request): a title ending in
示意图, the map in a double frame (内图廓, 外图廓) at a round scale (1:25 000, ...),
a north arrow and a graphic scale bar inside the map, and a side panel with the
legend (图例), figures, notes (行政界线仅为示意), coordinate system, data source,
producing unit and date (:class:`MapInfo`, :func:`map_info`).
"""

from __future__ import annotations

import datetime
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pyproj
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.offsetbox import AnchoredOffsetbox, DrawingArea, TextArea, VPacker
from matplotlib.patches import Polygon, Rectangle
from matplotlib.transforms import Bbox

from jinfeng_grid.errors import ConfigError
from jinfeng_grid.render.style import GROUND, INK, agg_renderer

if TYPE_CHECKING:
    from jinfeng_grid.plan.value import Plan

__all__ = [
    "PAPERS",
    "MapInfo",
    "Page",
    "Paper",
    "check_paper",
    "community_title",
    "crs_note",
    "finish",
    "focus_bounds",
    "make_page",
    "map_info",
    "north_arrow",
    "panel_footer",
    "panel_legend",
    "panel_text",
    "scale_bar",
    "wrap_text",
]

logger = logging.getLogger(__name__)

Paper = Literal["A3", "A4"]

PAPERS: dict[str, tuple[float, float]] = {"A3": (420.0, 297.0), "A4": (297.0, 210.0)}
"""Landscape page sizes in millimetres (width, height)."""

#: Round scale denominators a map may take (1:25 000, 1:40 000, ...).
_ROUND_SCALES = tuple(
    int(step * 10**power)
    for power in range(3, 7)
    for step in (1, 1.25, 1.5, 2, 2.5, 3, 4, 4.5, 5, 6, 7.5)
)
_ADMIN_NOTE = "社区、网格界线为行政工作界线，仅为示意，不作为实地划界和权属依据。"


# --- what every map says about itself -----------------------------------------------------


@dataclass(frozen=True)
class MapInfo:
    """The marginal notes of a map.

    Attributes
    ----------
    district_name
        The district (the scenario's ``[report] district_name``, e.g. 金凤区), first word
        of every title.
    producing_unit
        编制单位; empty leaves a line to fill in by hand.
    data_source
        数据来源 line.
    crs
        坐标系 line (see :func:`crs_note`).
    date
        编制日期 as printed (``2026年11月24日``).
    household_bounds
        The scenario's community bounds (min, max households) for the classes of the
        before/after maps.
    """

    district_name: str
    producing_unit: str = ""
    data_source: str = ""
    crs: str = ""
    date: str = ""
    household_bounds: tuple[int, int] = (2000, 4000)
    notes: tuple[str, ...] = field(default=(_ADMIN_NOTE,))


def _chinese_date(date: datetime.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def crs_note(crs: Any) -> str:
    """Describe a CRS the way Chinese maps do, e.g. for EPSG:4544.

    ``2000国家大地坐标系（CGCS2000），高斯-克吕格投影，3°分带，中央经线105°E（EPSG:4544）``.
    A CRS that is not CGCS2000 is named as it is, with a reminder that submissions
    must be in CGCS2000.

    Examples
    --------
    >>> crs_note("EPSG:4544")
    '2000国家大地坐标系（CGCS2000），高斯-克吕格投影，3°分带，中央经线105°E（EPSG:4544）'
    """
    crs = pyproj.CRS.from_user_input(crs)
    epsg = crs.to_epsg()
    code = f"（EPSG:{epsg}）" if epsg else ""
    geodetic = crs.geodetic_crs.name if crs.geodetic_crs is not None else ""
    if "China Geodetic Coordinate System 2000" not in geodetic and "CGCS2000" not in crs.name:
        return f"{crs.name}{code}；报批图件须采用2000国家大地坐标系（CGCS2000）"
    if not crs.is_projected:
        return f"2000国家大地坐标系（CGCS2000），经纬度{code}"
    text = "2000国家大地坐标系（CGCS2000），"
    if "Gauss-Kruger" in crs.name:
        text += "高斯-克吕格投影，"
        if "3-degree" in crs.name:
            text += "3°分带，"
        elif "6-degree" in crs.name:
            text += "6°分带，"
    else:
        text += f"{crs.coordinate_operation.method_name if crs.coordinate_operation else ''}，"
    operation = crs.coordinate_operation
    lon_0 = next(
        (p.value for p in (operation.params if operation else []) if "Longitude" in p.name),
        None,
    )
    if lon_0 is not None:
        text += f"中央经线{float(lon_0):g}°E"
    return text.rstrip("，") + code


def map_info(
    plan: Plan,
    *,
    date: datetime.date | str | None = None,
    producing_unit: str | None = None,
) -> MapInfo:
    """The marginal notes of a plan's maps, from its ``summary.json`` provenance.

    Parameters
    ----------
    plan
        A plan read by :func:`jinfeng_grid.plan.read_plan`.
    date
        编制日期; today when ``None``. A string is printed as given.
    producing_unit
        编制单位; the scenario's ``[report] producing_unit`` when ``None``.
    """
    provenance = plan.provenance
    scenario = provenance.get("scenario") or {}
    inputs = [str(item.get("name")) for item in provenance.get("inputs") or [] if item]
    source = "、".join(inputs) if inputs else (plan.source.name if plan.source else "")
    version = provenance.get("version")
    computed = f"jinfeng_grid {version}" if version else "jinfeng_grid"
    scenario_name = scenario.get("name")
    data_source = f"{source}；方案由{computed}计算" + (
        f"（方案参数 {scenario_name}）" if scenario_name else ""
    )
    if date is None:
        date_text = _chinese_date(datetime.date.today())
    elif isinstance(date, datetime.date):
        date_text = _chinese_date(date)
    else:
        date_text = str(date)
    bounds = plan.scenario.community
    working = plan.compounds.crs
    return MapInfo(
        district_name=plan.scenario.report.district_name,
        producing_unit=str(
            producing_unit if producing_unit is not None else plan.scenario.report.producing_unit
        ),
        data_source=data_source,
        crs=crs_note(working) if working is not None else "",
        date=date_text,
        # a scenario without a cap has max_households = inf: no community is above it
        household_bounds=(int(bounds.min_households), int(min(bounds.max_households, 1e12))),
    )


def community_title(name: str) -> str:
    """``康平`` → ``康平社区``; a name already ending in 社区 is kept."""
    name = str(name)
    return name if name.endswith("社区") else f"{name}社区"


# --- page furniture -----------------------------------------------------------------------


@dataclass
class Page:
    figure: Figure
    maps: list[Axes]
    panel: Axes
    scale: int
    font: float  # font scale of the paper (1 for A3)


def check_paper(paper: str) -> None:
    if paper not in PAPERS:
        raise ConfigError(f"paper must be one of {', '.join(PAPERS)}, got {paper!r}")


def _round_scale(needed: float) -> int:
    for scale in _ROUND_SCALES:
        if scale >= needed:
            return scale
    return int(math.ceil(needed / 1_000_000) * 1_000_000)


def make_page(
    paper: str,
    title: str,
    info: MapInfo,
    bounds: Sequence[tuple[float, float, float, float]],
    *,
    panel_mm: float | None = None,
) -> Page:
    """A landscape page: title, one map frame per entry of ``bounds`` (same scale), side panel."""
    check_paper(paper)
    width, height = PAPERS[paper]
    k = width / 420.0
    figure = Figure(figsize=(width / 25.4, height / 25.4), dpi=100)
    FigureCanvasAgg(figure)
    margin, title_band, gap = 12 * k, 20 * k, 5 * k
    panel_w = (panel_mm if panel_mm is not None else 92) * k
    map_h = height - 2 * margin - title_band
    n = len(bounds)
    map_w = (width - 2 * margin - panel_w - gap * n) / n
    # one round scale for every frame: the largest any of them needs
    needed = 0.0
    for x0, y0, x1, y1 in bounds:
        dx, dy = (x1 - x0) * 1.06, (y1 - y0) * 1.06
        needed = max(needed, dx / map_w * 1000, dy / map_h * 1000)
    scale = _round_scale(needed)
    maps = []
    for i, (x0, y0, x1, y1) in enumerate(bounds):
        left = margin + i * (map_w + gap)
        ax = figure.add_axes(
            (left / width, margin / height, map_w / width, map_h / height), facecolor="white"
        )
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        half_w, half_h = map_w * scale / 2000, map_h * scale / 2000
        ax.set_xlim(cx - half_w, cx + half_w)
        ax.set_ylim(cy - half_h, cy + half_h)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_facecolor(GROUND)
        for spine in ax.spines.values():
            spine.set_linewidth(0.6)
            spine.set_color(INK)
        maps.append(ax)
    # the outer frame (外图廓): thick, 1.5 mm outside the inner one, round the maps and panel
    pad = 1.6 * k
    outer = Rectangle(
        ((margin - pad) / width, (margin - pad) / height),
        (width - 2 * margin + 2 * pad) / width,
        (map_h + 2 * pad) / height,
        transform=figure.transFigure,
        fill=False,
        linewidth=2.0,
        edgecolor=INK,
    )
    figure.add_artist(outer)
    panel_left = width - margin - panel_w
    panel = figure.add_axes(
        (panel_left / width, margin / height, panel_w / width, map_h / height), facecolor="white"
    )
    panel.set_xlim(0, 1)
    panel.set_ylim(0, 1)
    panel.set_xticks([])
    panel.set_yticks([])
    for spine in panel.spines.values():
        spine.set_linewidth(0.6)
        spine.set_color(INK)
    figure.text(
        0.5,
        (height - margin - title_band * 0.45) / height,
        title,
        ha="center",
        va="center",
        fontsize=22 * k,
        fontweight="bold",
        color=INK,
    )
    return Page(figure, maps, panel, scale, k)


def north_arrow(ax: Axes, k: float) -> Bbox:
    """The north arrow (北) at the upper right of ``ax``; returns its display box."""
    size = 26 * k
    area = DrawingArea(size * 0.6, size, 0, 0)
    w, h = size * 0.6, size
    area.add_artist(
        Polygon([(w / 2, h), (0, 0), (w / 2, h * 0.28)], closed=True, fc=INK, ec=INK, lw=0.6)
    )
    area.add_artist(
        Polygon([(w / 2, h), (w, 0), (w / 2, h * 0.28)], closed=True, fc="white", ec=INK, lw=0.6)
    )
    text = TextArea("北", textprops={"fontsize": 11 * k, "fontweight": "bold", "color": INK})
    box = VPacker(children=[text, area], align="center", pad=0, sep=2)
    anchored = AnchoredOffsetbox(loc="upper right", child=box, pad=0.5, borderpad=0.8, frameon=True)
    anchored.patch.set_facecolor("white")
    anchored.patch.set_alpha(0.85)
    anchored.patch.set_edgecolor("none")
    anchored.set_zorder(30)
    ax.add_artist(anchored)
    return anchored.get_window_extent(agg_renderer(ax.get_figure()))


def finish(ax: Axes) -> None:
    """Drop the axis labels plotting adds (the frame carries no graticule)."""
    ax.set_xlabel("")
    ax.set_ylabel("")


def _nice_length(metres: float) -> float:
    exponent = math.floor(math.log10(metres))
    for step in (5, 2, 1):
        value = step * 10**exponent
        if value <= metres:
            return float(value)
    return float(10**exponent)


def scale_bar(ax: Axes, scale: int, k: float) -> Bbox:
    """Graphic scale bar (four alternating segments) and the ratio, lower left of ``ax``.

    Returns the display box of its white ground, which labels must keep clear of.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    total = _nice_length((x1 - x0) * 0.22)
    seg = total / 4
    left = x0 + (x1 - x0) * 0.04
    base = y0 + (y1 - y0) * 0.045
    bar_h = (y1 - y0) * 0.006
    ground = Rectangle(
        (left - seg * 0.35, base - bar_h * 5.0),
        total + seg * 1.3,
        bar_h * 14,
        facecolor="white",
        edgecolor="none",
        alpha=0.85,
        zorder=28,
    )
    ax.add_patch(ground)
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (left + i * seg, base),
                seg,
                bar_h,
                facecolor=INK if i % 2 == 0 else "white",
                edgecolor=INK,
                linewidth=0.6,
                zorder=29,
            )
        )
    unit, div = ("千米", 1000.0) if total >= 2000 else ("米", 1.0)
    for value in (0.0, total / 2, total):
        label = f"{value / div:g}"
        ax.text(
            left + value,
            base - bar_h * 1.2,
            label + (unit if value == total else ""),
            ha="center",
            va="top",
            fontsize=7 * k,
            color=INK,
            zorder=30,
        )
    ax.text(
        left + total / 2,
        base + bar_h * 2.4,
        f"比例尺 1:{scale:,}".replace(",", " "),
        ha="center",
        va="bottom",
        fontsize=7.5 * k,
        color=INK,
        zorder=30,
    )
    return ground.get_window_extent(agg_renderer(ax.get_figure()))


def panel_text(
    panel: Axes,
    y: float,
    lines: Sequence[str],
    *,
    size: float,
    bold_first: bool = False,
    spacing: float = 1.55,
    wrap: int = 24,
) -> float:
    """Write lines into the side panel from ``y`` down; return the y below them."""
    height_px = panel.get_window_extent(agg_renderer(panel.get_figure())).height
    step = size * spacing * panel.get_figure().dpi / 72 / height_px
    for n, line in enumerate(lines):
        for piece in wrap_text(line, wrap):
            panel.text(
                0.06,
                y,
                piece,
                ha="left",
                va="top",
                fontsize=size,
                color=INK,
                fontweight="bold" if bold_first and n == 0 else "normal",
            )
            y -= step
    return y


def wrap_text(text: str, width: int) -> list[str]:
    """Break a line every ``width`` columns (a Chinese character counts two).

    Closing punctuation stays at the end of its line rather than opening the next.
    """
    pieces, current, used = [], "", 0
    for char in text:
        w = 1 if char.isascii() else 2
        if used + w > width * 2 and current and char not in "，。；、）：":
            pieces.append(current)
            current, used = "", 0
        current += char
        used += w
    if current:
        pieces.append(current)
    return pieces or [""]


def panel_legend(panel: Axes, y: float, handles: Sequence[Any], k: float) -> float:
    """The 图例 block at the top of the side panel; return the y below it."""
    panel.text(0.5, y, "图  例", ha="center", va="top", fontsize=12 * k, fontweight="bold")
    legend = panel.legend(
        handles=list(handles),
        loc="upper left",
        bbox_to_anchor=(0.04, y - 0.035),
        frameon=False,
        fontsize=8.5 * k,
        handlelength=2.6,
        handleheight=1.3,
        labelspacing=0.75,
        borderaxespad=0,
    )
    renderer = agg_renderer(panel.get_figure())
    box = legend.get_window_extent(renderer).transformed(panel.transAxes.inverted())
    return float(box.y0) - 0.03


def panel_footer(panel: Axes, info: MapInfo, k: float, *, extra_notes: Sequence[str] = ()) -> None:
    """Notes, coordinate system, data source, producing unit and date at the panel's foot."""
    unit = info.producing_unit or "＿＿＿＿＿＿＿＿＿＿＿＿"
    notes = [*info.notes, *extra_notes]
    lines = ["注："] + [f"{i}. {note}" for i, note in enumerate(notes, 1)]
    lines += [
        f"坐标系：{info.crs}" if info.crs else "坐标系：未知",
        f"数据来源：{info.data_source}",
        f"编制单位：{unit}",
        f"编制日期：{info.date}",
    ]
    wrapped = [piece for line in lines for piece in wrap_text(line, 25)]
    height_px = panel.get_window_extent(agg_renderer(panel.get_figure())).height
    size = 7.2 * k
    step = size * 1.5 * panel.get_figure().dpi / 72 / height_px
    y = 0.03 + step * len(wrapped)
    panel.plot([0.04, 0.96], [y + step * 0.4] * 2, color=INK, linewidth=0.5)
    panel_text(panel, y, wrapped, size=size, spacing=1.5, wrap=40)


def focus_bounds(geometry: Any, *, margin: float = 0.22, minimum_m: float = 250.0) -> tuple:
    """Bounds of ``geometry`` padded by ``margin`` of its size, at least ``minimum_m``."""
    x0, y0, x1, y1 = geometry.bounds
    pad = max(minimum_m, margin * max(x1 - x0, y1 - y0))
    return (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
