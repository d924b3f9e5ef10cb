"""Print maps drawn with matplotlib: the district overview, one map per community and
the before/after pair, laid out as Chinese working maps (工作底图).

Every map is a page of paper size (A3 landscape by default, A4 on request): a title
ending in 示意图, the map in a double frame (内图廓, 外图廓) at a round scale (1:25 000,
...), a north arrow and a graphic scale bar inside the map, and a side panel with the
legend (图例), figures, notes (行政界线仅为示意), coordinate system, data source,
producing unit and date. Text is set in the bundled subset of Noto Sans CJK SC
(``jinfeng_grid/data/fonts``, SIL Open Font License) so that a machine without Chinese
fonts prints no empty boxes, and the font is embedded in PDFs as TrueType
(``pdf.fonttype`` 42): save figures inside :func:`print_style`.

Labels are placed by priority and checked against each other with the renderer's text
extents: a label that collides is shrunk, then left out (:func:`place_labels`).

The functions return a :class:`~matplotlib.figure.Figure` and write nothing; the
package writer saves them.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import logging
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import matplotlib as mpl
import networkx as nx
import numpy as np
import pandas as pd
import pyproj
from matplotlib import font_manager
from matplotlib import patheffects as pe
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.lines import Line2D
from matplotlib.offsetbox import AnchoredOffsetbox, DrawingArea, TextArea, VPacker
from matplotlib.patches import Patch, Polygon, Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from jinfeng_grid.errors import ConfigError, InputDataError
from jinfeng_grid.graph.components import graph_components

if TYPE_CHECKING:
    from jinfeng_grid.io.plan_dir import PlanFiles

__all__ = [
    "FONT_FAMILY",
    "PAPERS",
    "Label",
    "MapInfo",
    "community_title",
    "crs_note",
    "font_path",
    "map_info",
    "missing_characters",
    "place_labels",
    "plot_adjacency",
    "plot_before_after",
    "plot_community",
    "plot_overview",
    "print_style",
]

logger = logging.getLogger(__name__)

Paper = Literal["A3", "A4"]

PAPERS: dict[str, tuple[float, float]] = {"A3": (420.0, 297.0), "A4": (297.0, 210.0)}
"""Landscape page sizes in millimetres (width, height)."""

FONT_FAMILY = "Noto Sans SC JG"
"""Family name of the bundled font (a subset of Noto Sans CJK SC)."""
_FONT_FILES = {False: "NotoSansSCJG-Regular.ttf", True: "NotoSansSCJG-Bold.ttf"}

#: Fills that neighbouring units never share (graph colouring), soft enough to print.
PALETTE = (
    "#f7d9a8",
    "#c9e3b5",
    "#bcd6ee",
    "#f4c4c9",
    "#ddd0ec",
    "#f9eba2",
    "#c3e6df",
    "#e9d3bf",
)
#: Households classes of the before/after maps: (label, colour).
_CLASS_COLOURS = ("#cfe3f3", "#cde8c1", "#fbd49b", "#f08a7e")

#: Round scale denominators a map may take (1:25 000, 1:40 000, ...).
_ROUND_SCALES = tuple(
    int(step * 10**power)
    for power in range(3, 7)
    for step in (1, 1.25, 1.5, 2, 2.5, 3, 4, 4.5, 5, 6, 7.5)
)
_INK = "#1a1a1a"
_GROUND = "#f3f1ea"  # land outside the residential compounds
_HALO = [pe.withStroke(linewidth=2.2, foreground="white")]
_STREET_M = 35.0  # half the widest street closed inside a unit
_ADMIN_NOTE = "社区、网格界线为行政工作界线，仅为示意，不作为实地划界和权属依据。"


# --- fonts ------------------------------------------------------------------------------


def font_path(*, bold: bool = False) -> Path:
    """Path of the bundled Chinese font (regular or bold TrueType file).

    Raises
    ------
    ConfigError
        If the font files are missing from the installation (a packaging error).
    """
    path = Path(str(resources.files("jinfeng_grid") / "data" / "fonts" / _FONT_FILES[bold]))
    if not path.is_file():
        raise ConfigError(
            f"the bundled font {path.name} is missing from {path.parent}: reinstall "
            "jinfeng_grid (its package data must include data/fonts/*)"
        )
    return path


_registered = False


def _register_fonts() -> None:
    """Add the bundled font files to matplotlib's font list (once)."""
    global _registered
    if _registered:
        return
    for bold in (False, True):
        font_manager.fontManager.addfont(str(font_path(bold=bold)))
    _registered = True


@functools.cache
def _charmap() -> frozenset[int]:
    return frozenset(FT2Font(str(font_path())).get_charmap())


def missing_characters(texts: Iterable[object]) -> dict[str, list[str]]:
    """Characters of ``texts`` that the bundled font lacks, with the texts holding them.

    The font covers GB 2312 (6,763 hanzi), ASCII and punctuation; rarer characters of
    place names (堃, 喆, ...) would print as empty boxes. Rebuild the font with them
    (``scripts/make_cjk_font.py --extra names.txt``) or rename the units.

    Examples
    --------
    >>> missing_characters(["康平", "堃园小区"])
    {'堃': ['堃园小区']}
    """
    covered = _charmap()
    found: dict[str, list[str]] = {}
    for text in texts:
        if not isinstance(text, str):
            continue
        for char in dict.fromkeys(text):
            if not char.isspace() and ord(char) not in covered:
                holders = found.setdefault(char, [])
                if text not in holders:
                    holders.append(text)
    return dict(sorted(found.items()))


_warned: set[str] = set()  # characters already reported in this process


def _warn_missing(texts: Iterable[object]) -> None:
    missing = {c: n for c, n in missing_characters(texts).items() if c not in _warned}
    if missing:
        _warned.update(missing)
        shown = "; ".join(f"{char} ({'、'.join(names[:3])})" for char, names in missing.items())
        logger.warning(
            "%d character(s) are not in the bundled font and print as empty boxes: %s; "
            "rebuild the font with them (scripts/make_cjk_font.py --extra) or rename the units",
            len(missing),
            shown,
        )


@contextlib.contextmanager
def print_style() -> Iterator[None]:
    """Settings under which print maps are drawn and saved.

    The bundled font first (then DejaVu Sans for symbols it lacks), TrueType embedding
    in PDF and PostScript (``fonttype`` 42, so text stays text and the font travels
    with the file), an ASCII hyphen-minus for negative numbers. Both drawing and
    saving must happen inside, since the PDF backend reads ``pdf.fonttype`` on save.

    Examples
    --------
    >>> with print_style():  # doctest: +SKIP
    ...     figure = plot_overview(plan)
    ...     figure.savefig("overview.pdf")
    """
    _register_fonts()
    with mpl.rc_context(
        {
            "font.family": [FONT_FAMILY, "DejaVu Sans"],
            "pdf.fonttype": 42,
            "ps.fonttype": 42,
            "axes.unicode_minus": False,
            "hatch.linewidth": 0.5,
            "savefig.dpi": 300,
        }
    ):
        yield


# --- what every map says about itself -----------------------------------------------------


@dataclass(frozen=True)
class MapInfo:
    """The marginal notes of a map.

    Attributes
    ----------
    district_name
        The district (金凤区), first word of every title.
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

    district_name: str = "金凤区"
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
    plan: PlanFiles,
    *,
    date: datetime.date | str | None = None,
    producing_unit: str | None = None,
) -> MapInfo:
    """The marginal notes of a plan's maps, from its ``summary.json`` provenance.

    Parameters
    ----------
    plan
        A plan read by :func:`jinfeng_grid.io.read_plan`.
    date
        编制日期; today when ``None``. A string is printed as given.
    producing_unit
        编制单位; the scenario's ``[report] producing_unit`` when ``None``.
    """
    provenance = plan.summary.get("provenance") or {}
    scenario = provenance.get("scenario") or {}
    report = scenario.get("report") or {}
    community = scenario.get("community") or {}
    inputs = [str(item.get("name")) for item in provenance.get("inputs") or [] if item]
    source = "、".join(inputs) if inputs else plan.path.name
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
    low = community.get("min_households") or 2000
    high = community.get("max_households") or 4000
    working = plan.compounds.crs
    return MapInfo(
        district_name=str(report.get("district_name") or "金凤区"),
        producing_unit=str(
            producing_unit if producing_unit is not None else report.get("producing_unit") or ""
        ),
        data_source=data_source,
        crs=crs_note(working) if working is not None else "",
        date=date_text,
        household_bounds=(int(low), int(high)),
    )


def community_title(name: str) -> str:
    """``康平`` → ``康平社区``; a name already ending in 社区 is kept."""
    name = str(name)
    return name if name.endswith("社区") else f"{name}社区"


# --- labels -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    """A label to place: text at a point in data coordinates.

    Higher ``priority`` is placed first; ``min_size`` is the smallest font size it may
    be shrunk to before it is left out; ``shift`` lets it move up or down by its
    height when its own place is taken (not for road names, which follow
    their road).
    """

    x: float
    y: float
    text: str
    size: float = 8.0
    priority: float = 0.0
    color: str = _INK
    weight: str = "normal"
    rotation: float = 0.0
    min_size: float | None = None
    halo: bool = True
    shift: bool = True


def _renderer(figure: Figure) -> Any:
    if not isinstance(figure.canvas, FigureCanvasAgg):
        FigureCanvasAgg(figure)
    return figure.canvas.get_renderer()


def place_labels(
    ax: Axes, labels: Sequence[Label], *, padding_px: float = 2.0, avoid: Sequence[Bbox] = ()
) -> list[Text]:
    """Draw labels that do not overlap: by priority, shrinking or skipping colliders.

    Each label is drawn, measured with the renderer (its window extent) and kept only
    if it lies inside the axes and clear of every label kept before it (and of
    ``avoid``, e.g. the legend); otherwise it is tried just above and just below
    its point (if ``shift``), then at 85 % and 70 % of its size (not below
    ``min_size``), and else removed. Ties in priority keep the given order,
    so the result is deterministic.

    Parameters
    ----------
    ax
        Axes with their final limits.
    labels
        The candidates.
    padding_px
        Clear space kept around each label, in pixels at the figure's dpi.
    avoid
        Display-space boxes no label may cover.

    Returns
    -------
    list of Text
        The labels drawn, in placement order.

    Examples
    --------
    >>> placed = place_labels(ax, [Label(0, 0, "康平\\n2,861户", priority=2861)])  # doctest: +SKIP
    """
    figure = ax.get_figure()
    renderer = _renderer(figure)
    ax.apply_aspect()
    frame = ax.get_window_extent(renderer)
    taken: list[Bbox] = [box.padded(padding_px) for box in avoid]
    placed: list[Text] = []
    order = sorted(range(len(labels)), key=lambda i: -labels[i].priority)
    skipped = 0
    for i in order:
        label = labels[i]
        floor = label.min_size if label.min_size is not None else label.size * 0.7
        sizes = [s for s in (label.size, label.size * 0.85, label.size * 0.7) if s >= floor - 1e-9]
        text = ax.text(
            label.x,
            label.y,
            label.text,
            fontsize=label.size,
            color=label.color,
            fontweight=label.weight,
            rotation=label.rotation,
            rotation_mode="anchor",
            ha="center",
            va="center",
            multialignment="center",
            zorder=20,
            clip_on=True,
            path_effects=_HALO if label.halo else None,
        )
        anchor = ax.transData.transform((label.x, label.y))
        to_data = ax.transData.inverted()
        done = False
        for size in sizes:
            text.set_fontsize(size)
            text.set_position((label.x, label.y))
            height = text.get_window_extent(renderer).height
            step = height + 2 * padding_px + 1.0  # touching boxes count as overlapping
            shifts = (0.0, step, -step) if label.shift else (0.0,)
            for shift in shifts:
                text.set_position(tuple(to_data.transform(anchor + np.array([0.0, shift]))))
                box = text.get_window_extent(renderer).padded(padding_px)
                inside = (
                    box.x0 >= frame.x0
                    and box.x1 <= frame.x1
                    and box.y0 >= frame.y0
                    and box.y1 <= frame.y1
                )
                if inside and not any(box.overlaps(other) for other in taken):
                    taken.append(box)
                    placed.append(text)
                    done = True
                    break
            if done:
                break
        if not done:
            text.remove()
            skipped += 1
    if skipped:
        logger.debug("labels: %d placed, %d left out where they collided", len(placed), skipped)
    return placed


# --- page furniture -----------------------------------------------------------------------


@dataclass
class _Page:
    figure: Figure
    maps: list[Axes]
    panel: Axes
    scale: int
    font: float  # font scale of the paper (1 for A3)


def _check_paper(paper: str) -> None:
    if paper not in PAPERS:
        raise ConfigError(f"paper must be one of {', '.join(PAPERS)}, got {paper!r}")


def _round_scale(needed: float) -> int:
    for scale in _ROUND_SCALES:
        if scale >= needed:
            return scale
    return int(math.ceil(needed / 1_000_000) * 1_000_000)


def _page(
    paper: str,
    title: str,
    info: MapInfo,
    bounds: Sequence[tuple[float, float, float, float]],
    *,
    panel_mm: float | None = None,
) -> _Page:
    """A landscape page: title, one map frame per entry of ``bounds`` (same scale), side panel."""
    _check_paper(paper)
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
        ax.set_facecolor(_GROUND)
        for spine in ax.spines.values():
            spine.set_linewidth(0.6)
            spine.set_color(_INK)
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
        edgecolor=_INK,
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
        spine.set_color(_INK)
    figure.text(
        0.5,
        (height - margin - title_band * 0.45) / height,
        title,
        ha="center",
        va="center",
        fontsize=22 * k,
        fontweight="bold",
        color=_INK,
    )
    return _Page(figure, maps, panel, scale, k)


def _north_arrow(ax: Axes, k: float) -> Bbox:
    """The north arrow (北) at the upper right of ``ax``; returns its display box."""
    size = 26 * k
    area = DrawingArea(size * 0.6, size, 0, 0)
    w, h = size * 0.6, size
    area.add_artist(
        Polygon([(w / 2, h), (0, 0), (w / 2, h * 0.28)], closed=True, fc=_INK, ec=_INK, lw=0.6)
    )
    area.add_artist(
        Polygon([(w / 2, h), (w, 0), (w / 2, h * 0.28)], closed=True, fc="white", ec=_INK, lw=0.6)
    )
    text = TextArea("北", textprops={"fontsize": 11 * k, "fontweight": "bold", "color": _INK})
    box = VPacker(children=[text, area], align="center", pad=0, sep=2)
    anchored = AnchoredOffsetbox(loc="upper right", child=box, pad=0.5, borderpad=0.8, frameon=True)
    anchored.patch.set_facecolor("white")
    anchored.patch.set_alpha(0.85)
    anchored.patch.set_edgecolor("none")
    anchored.set_zorder(30)
    ax.add_artist(anchored)
    return anchored.get_window_extent(_renderer(ax.get_figure()))


def _finish(ax: Axes) -> None:
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


def _scale_bar(ax: Axes, scale: int, k: float) -> Bbox:
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
                facecolor=_INK if i % 2 == 0 else "white",
                edgecolor=_INK,
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
            color=_INK,
            zorder=30,
        )
    ax.text(
        left + total / 2,
        base + bar_h * 2.4,
        f"比例尺 1:{scale:,}".replace(",", " "),
        ha="center",
        va="bottom",
        fontsize=7.5 * k,
        color=_INK,
        zorder=30,
    )
    return ground.get_window_extent(_renderer(ax.get_figure()))


def _panel_text(
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
    height_px = panel.get_window_extent(_renderer(panel.get_figure())).height
    step = size * spacing * panel.get_figure().dpi / 72 / height_px
    for n, line in enumerate(lines):
        for piece in _wrap(line, wrap):
            panel.text(
                0.06,
                y,
                piece,
                ha="left",
                va="top",
                fontsize=size,
                color=_INK,
                fontweight="bold" if bold_first and n == 0 else "normal",
            )
            y -= step
    return y


def _wrap(text: str, width: int) -> list[str]:
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


def _panel_legend(panel: Axes, y: float, handles: Sequence[Any], k: float) -> float:
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
    renderer = _renderer(panel.get_figure())
    box = legend.get_window_extent(renderer).transformed(panel.transAxes.inverted())
    return float(box.y0) - 0.03


def _panel_footer(panel: Axes, info: MapInfo, k: float, *, extra_notes: Sequence[str] = ()) -> None:
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
    wrapped = [piece for line in lines for piece in _wrap(line, 25)]
    height_px = panel.get_window_extent(_renderer(panel.get_figure())).height
    size = 7.2 * k
    step = size * 1.5 * panel.get_figure().dpi / 72 / height_px
    y = 0.03 + step * len(wrapped)
    panel.plot([0.04, 0.96], [y + step * 0.4] * 2, color=_INK, linewidth=0.5)
    _panel_text(panel, y, wrapped, size=size, spacing=1.5, wrap=40)


# --- colouring ----------------------------------------------------------------------------


def unit_colours(units: gpd.GeoDataFrame, key: str, *, gap_m: float = 30.0) -> dict[str, str]:
    """A fill per unit such that units within ``gap_m`` of each other differ (DSatur)."""
    ids = units[key].astype(str).tolist()
    graph = nx.Graph()
    graph.add_nodes_from(sorted(ids))
    geoms = units.geometry.buffer(gap_m / 2).reset_index(drop=True)
    left, right = geoms.sindex.query(geoms, predicate="intersects")
    for a, b in zip(left, right, strict=True):
        if a < b:
            graph.add_edge(ids[a], ids[b])
    colouring = nx.greedy_color(graph, strategy="saturation_largest_first")
    return {unit: PALETTE[colouring[unit] % len(PALETTE)] for unit in ids}


# --- layers -------------------------------------------------------------------------------


def _draw_roads(ax: Axes, roads: gpd.GeoDataFrame | None, k: float, *, local: bool) -> list[Label]:
    """Roads as on Chinese maps (arterials cased in grey, filled yellow); their name labels."""
    if roads is None or roads.empty:
        return []
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    shown = roads.cx[x0:x1, y0:y1]
    cls = (
        shown["class"].astype(str) if "class" in shown.columns else pd.Series("local", shown.index)
    )
    labels: list[Label] = []
    layers = [("arterial", 3.6 * k, 2.4 * k, "#f2c14e", 6)]
    if local:
        layers.insert(0, ("local", 1.6 * k, 0.9 * k, "#ffffff", 5))
    for kind, casing, fill, colour, z in layers:
        part = shown[cls == kind]
        if part.empty:
            continue
        part.plot(ax=ax, color="#8c8c8c", linewidth=casing, zorder=z)
        part.plot(ax=ax, color=colour, linewidth=fill, zorder=z + 0.1)
        if "name" not in part.columns:
            continue
        for name, group in part.groupby(part["name"].astype(str), sort=True):
            if not name or name == "nan":
                continue
            line = group.geometry.union_all().intersection(_view_box(ax))
            parts = [g for g in getattr(line, "geoms", [line]) if g.length > 0]
            if not parts:
                continue
            longest = max(parts, key=lambda g: g.length)
            mid = longest.interpolate(0.5, normalized=True)
            a = longest.interpolate(0.45, normalized=True)
            b = longest.interpolate(0.55, normalized=True)
            angle = math.degrees(math.atan2(b.y - a.y, b.x - a.x))
            if angle > 90:
                angle -= 180
            elif angle <= -90:
                angle += 180
            labels.append(
                Label(
                    mid.x,
                    mid.y,
                    name,
                    size=(8.0 if kind == "arterial" else 6.5) * k,
                    priority=(3e6 if kind == "arterial" else 1e4) + longest.length,
                    color="#5a4a1a" if kind == "arterial" else "#555555",
                    rotation=round(angle, 1),
                    shift=False,
                )
            )
    return labels


def _view_box(ax: Axes) -> Any:
    from shapely.geometry import box

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    return box(x0, y0, x1, y1)


def closed(geometries: gpd.GeoSeries, *, street_m: float = _STREET_M) -> gpd.GeoSeries:
    """Each unit as an area: its compounds joined across the streets between them.

    A morphological closing (buffer out, then in, by ``street_m``) fills the streets
    inside a unit; its outer edge stays where the compounds end, so neighbouring units
    do not grow into each other.
    """
    return geometries.buffer(street_m, join_style="mitre").buffer(-street_m, join_style="mitre")


def _district_outline(ax: Axes, compounds: gpd.GeoDataFrame, k: float) -> None:
    """区界: a broad soft band under a dash-dot line (outer rings only)."""
    from shapely.geometry import Polygon as ShapelyPolygon

    # wide enough to close parks and squares between the compounds, not the district's bays
    area = closed(
        gpd.GeoSeries([compounds.geometry.union_all()], crs=compounds.crs), street_m=400.0
    ).iloc[0]
    rings = [ShapelyPolygon(part.exterior) for part in getattr(area, "geoms", [area])]
    boundary = gpd.GeoSeries(rings, crs=compounds.crs).boundary
    boundary.plot(ax=ax, color="#d9c4e3", linewidth=7 * k, zorder=7)
    boundary.plot(
        ax=ax, color="#6a3d9a", linewidth=1.4 * k, linestyle=(0, (8, 2, 1.5, 2)), zorder=7.1
    )


def _subdistrict_lines(ax: Axes, plan: PlanFiles, k: float) -> gpd.GeoDataFrame | None:
    subs = plan.subdistricts
    if subs is None or subs.empty:
        return None
    closed(subs.geometry).boundary.plot(
        ax=ax, color="#6a3d9a", linewidth=1.1 * k, linestyle=(0, (5, 1.5, 1, 1.5)), zorder=6.5
    )
    return subs


def _facility_layer(ax: Axes, facilities: gpd.GeoDataFrame | None, k: float) -> list[Any]:
    """Police rooms and health stations as symbols; their legend handles."""
    if facilities is None or facilities.empty or "kind" not in facilities.columns:
        return []
    handles = []
    styles = {
        "police_room": ("^", "#1f4e9c", "社区警务室"),
        "health_station": ("P", "#c62828", "社区卫生服务站"),
    }
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    shown = facilities.cx[x0:x1, y0:y1]
    for kind, (marker, colour, label) in styles.items():
        part = shown[shown["kind"].astype(str) == kind]
        if part.empty:
            continue
        points = part.geometry.representative_point()
        ax.scatter(
            points.x,
            points.y,
            marker=marker,
            s=46 * k * k,
            c=colour,
            edgecolors="white",
            linewidths=0.7,
            zorder=15,
        )
        handles.append(
            Line2D(
                [],
                [],
                marker=marker,
                linestyle="none",
                markersize=8 * k,
                color=colour,
                markeredgecolor="white",
                label=label,
            )
        )
    return handles


def _require(plan: PlanFiles, layer: str, columns: Sequence[str]) -> gpd.GeoDataFrame:
    frame = getattr(plan, layer)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputDataError(
            f"the plan's {layer} layer lacks column(s) {', '.join(missing)} (it has "
            f"{', '.join(map(str, frame.columns))}): make the plan again with jinfeng-grid plan"
        )
    return frame


def _road_handles(plan: PlanFiles, k: float, *, local: bool) -> list[Any]:
    if plan.roads is None or plan.roads.empty:
        return []
    handles = [
        Line2D(
            [],
            [],
            color="#f2c14e",
            linewidth=2.4 * k,
            label="主干路",
            path_effects=[pe.Stroke(linewidth=3.6 * k, foreground="#8c8c8c"), pe.Normal()],
        )
    ]
    if local:
        handles.append(
            Line2D(
                [],
                [],
                color="white",
                linewidth=0.9 * k,
                label="支路",
                path_effects=[pe.Stroke(linewidth=1.6 * k, foreground="#8c8c8c"), pe.Normal()],
            )
        )
    return handles


def _admin_handles(k: float, *, community: bool = True, subdistrict: bool = True) -> list[Any]:
    handles = [
        Line2D(
            [],
            [],
            color="#6a3d9a",
            linewidth=1.4 * k,
            linestyle=(0, (8, 2, 1.5, 2)),
            label="区界",
            path_effects=[pe.Stroke(linewidth=7 * k, foreground="#d9c4e3"), pe.Normal()],
        ),
    ]
    if subdistrict:
        handles.append(
            Line2D(
                [],
                [],
                color="#6a3d9a",
                linewidth=1.1 * k,
                linestyle=(0, (5, 1.5, 1, 1.5)),
                label="街道界（示意）",
            )
        )
    if community:
        handles.append(Line2D([], [], color="#333333", linewidth=0.8 * k, label="社区界（示意）"))
    return handles


# --- the maps -----------------------------------------------------------------------------


def _names(frame: pd.DataFrame | None) -> list[object]:
    return [] if frame is None or "name" not in frame.columns else list(frame["name"])


def _households(value: Any) -> str:
    return f"{int(value):,}户"


def plot_overview(plan: PlanFiles, *, paper: Paper = "A3", info: MapInfo | None = None) -> Figure:
    """The district overview: proposed communities coloured and labelled with households.

    Communities are filled so that neighbours differ and labelled with their name
    and households; subdistrict outlines (街道界) and names, the district outline,
    arterial roads with their names, police rooms and health stations are drawn.

    Parameters
    ----------
    plan
        A plan read by :func:`jinfeng_grid.io.read_plan`.
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
    ...     plot_overview(io.read_plan("plan/")).savefig("overview.pdf")
    """
    info = info if info is not None else map_info(plan)
    communities = _require(plan, "communities", ("community_id", "name", "households"))
    _warn_missing([*communities["name"], *_names(plan.subdistricts), *_names(plan.roads)])
    with print_style():
        page = _page(
            paper,
            f"{info.district_name}社区划分方案示意图",
            info,
            [tuple(plan.compounds.total_bounds)],
        )
        ax, k = page.maps[0], page.font
        colours = unit_colours(communities, "community_id")
        communities = communities.set_geometry(closed(communities.geometry))
        communities.plot(
            ax=ax,
            color=communities["community_id"].astype(str).map(colours),
            edgecolor="#333333",
            linewidth=0.6 * k,
            zorder=2,
        )
        _district_outline(ax, plan.compounds, k)
        subs = _subdistrict_lines(ax, plan, k)
        labels = _draw_roads(ax, plan.roads, k, local=False)
        handles_fac = _facility_layer(ax, plan.facilities, k)
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
        furniture = [_north_arrow(ax, k), _scale_bar(ax, page.scale, k)]
        _finish(ax)
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
            *_admin_handles(k),
            *_road_handles(plan, k, local=False),
            *handles_fac,
        ]
        y = _panel_legend(page.panel, 0.975, handles, k)
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
        _panel_text(page.panel, y, figures, size=8.5 * k, bold_first=True, wrap=22)
        _panel_footer(page.panel, info, k)
    logger.info("overview map: %d communities, 1:%s", len(communities), f"{page.scale:,}")
    return page.figure


def _focus_bounds(geometry: Any, *, margin: float = 0.22, minimum_m: float = 250.0) -> tuple:
    x0, y0, x1, y1 = geometry.bounds
    pad = max(minimum_m, margin * max(x1 - x0, y1 - y0))
    return (x0 - pad, y0 - pad, x1 + pad, y1 + pad)


def _short_grid_name(name: str, community: str) -> str:
    name = str(name)
    return name[len(community) :] if community and name.startswith(community) else name


def plot_community(
    plan: PlanFiles,
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
        A plan read by :func:`jinfeng_grid.io.read_plan`.
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
    communities = _require(plan, "communities", ("community_id", "name", "households"))
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
    _warn_missing([name, *_names(grids), *_names(compounds), boundary_text, *_names(plan.roads)])
    with print_style():
        page = _page(
            paper,
            f"{info.district_name}{community_title(name)}网格划分示意图",
            info,
            [_focus_bounds(row.geometry)],
        )
        ax, k = page.maps[0], page.font
        view = _view_box(ax)
        others = communities[(ids != str(community_id)) & communities.intersects(view)]
        if not others.empty:
            others = others.set_geometry(closed(others.geometry))
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
        closed(gpd.GeoSeries([row.geometry], crs=communities.crs)).boundary.plot(
            ax=ax, color="#c62828", linewidth=2.2 * k, zorder=8
        )
        _subdistrict_lines(ax, plan, k)
        labels = _draw_roads(ax, plan.roads, k, local=True)
        handles_fac = _facility_layer(ax, plan.facilities, k)
        for grid in grids.itertuples(index=False):
            point = grid.geometry.representative_point()
            labels.append(
                Label(
                    point.x,
                    point.y,
                    f"{_short_grid_name(grid.name, name)}\n{_households(grid.households)}",
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
        furniture = [_north_arrow(ax, k), _scale_bar(ax, page.scale, k)]
        _finish(ax)
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
            *_road_handles(plan, k, local=True),
            *handles_fac,
        ]
        y = _panel_legend(page.panel, 0.975, handles, k)
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
        y = _panel_text(page.panel, y, figures, size=8.5 * k, bold_first=True, wrap=22)
        if boundary_text:
            y = _panel_text(
                page.panel,
                y - 0.01,
                ["四至", boundary_text],
                size=8.5 * k,
                bold_first=True,
                wrap=22,
            )
        _panel_footer(page.panel, info, k)
    logger.info(
        "community map %s (%s): %d grids, 1:%s", community_id, name, len(grids), f"{page.scale:,}"
    )
    return page.figure


def current_communities(compounds: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Current communities dissolved from the compounds' ``subdistrict``/``community``.

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
    dissolved["geometry"] = dissolved.geometry.buffer(0)
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
    plan: PlanFiles,
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
        A plan read by :func:`jinfeng_grid.io.read_plan`.
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
    before = current_communities(plan.compounds)
    after = _require(plan, "communities", ("community_id", "name", "households"))
    _warn_missing([*before["community"], *after["name"]])
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
        bounds = _focus_bounds(pd.concat([members, area]).geometry.union_all(), margin=0.12)
    with print_style():
        page = _page(
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
            frame = frame.set_geometry(closed(frame.geometry))
            frame.plot(
                ax=ax,
                color=[_CLASS_COLOURS[c] for c in classes],
                edgecolor="#333333",
                linewidth=0.5 * k,
                zorder=2,
            )
            _district_outline(ax, plan.compounds, k)
            _subdistrict_lines(ax, plan, k)
            # framed on a few communities the map is large-scale: streets and bigger labels
            labels = _draw_roads(ax, plan.roads, k, local=focus is not None)
            size = (9.0 if focus is not None else 6.0) * k
            name_key = "community" if "community" in frame.columns else "name"
            view = _view_box(ax)
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
                color=_INK,
                zorder=31,
                bbox={"boxstyle": "square,pad=0.3", "fc": "white", "ec": _INK, "lw": 0.6},
            )
            renderer = _renderer(page.figure)
            furniture = [
                _scale_bar(ax, page.scale, k),
                title.get_window_extent(renderer).padded(6 * k),
            ]
            if ax is page.maps[1]:
                furniture.append(_north_arrow(ax, k))
            _finish(ax)
            place_labels(ax, labels, avoid=furniture)
        handles = [
            Patch(facecolor=colour, edgecolor="#333333", linewidth=0.5, label=label)
            for colour, label in zip(_CLASS_COLOURS, class_names, strict=True)
        ] + [*_admin_handles(k), *_road_handles(plan, k, local=focus is not None)]
        y = _panel_legend(page.panel, 0.975, handles, k)
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
        _panel_text(page.panel, y, figures, size=8 * k, bold_first=True, wrap=19)
        _panel_footer(page.panel, info, k)
    return page.figure


# --- adjacency picture (the graph command) ------------------------------------------------


def plot_adjacency(
    polygons: gpd.GeoDataFrame,
    graph: nx.Graph,
    *,
    barriers: Sequence[gpd.GeoSeries] = (),
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Draw ``graph`` (nodes keyed by ``polygons["id"]``) over the polygons.

    Ordinary edges are blue, edges across a barrier red and dashed, island links
    orange; islands are outlined in red; ``barriers`` (arterial roads, rivers) are
    drawn as thick grey-red lines. An inspection picture, not a print map: no labels.
    Returns the figure holding the axes.
    """
    if ax is None:
        figure = Figure(figsize=(10, 10))
        ax = figure.add_subplot()
    else:
        figure = ax.get_figure()
    summary = graph_components(graph)
    points = polygons.geometry.representative_point()
    where = {
        node: (x, y)
        for node, x, y in zip(polygons["id"], points.x, points.y, strict=True)
        if node in graph
    }
    polygons.plot(ax=ax, facecolor="#eeeeee", edgecolor="#888888", linewidth=0.5)
    for layer in barriers:
        if not layer.empty:
            layer.to_crs(polygons.crs).plot(ax=ax, color="#b07070", linewidth=2.0, alpha=0.7)
    islands = polygons[polygons["id"].isin(summary.islands)]
    if not islands.empty:
        islands.plot(ax=ax, facecolor="none", edgecolor="#d62728", linewidth=1.5)
    styles = {
        "edge": ("#1f77b4", "solid", 0.8),
        "barrier": ("#d62728", "dashed", 1.0),
        "island_link": ("#ff7f0e", "solid", 1.6),
    }
    groups: dict[str, list[tuple[tuple[float, float], tuple[float, float]]]] = {
        kind: [] for kind in styles
    }
    for u, v, data in graph.edges(data=True):
        if u not in where or v not in where:
            continue
        kind = (
            "island_link"
            if data.get("island_link")
            else "barrier"
            if data.get("barrier")
            else "edge"
        )
        groups[kind].append((where[u], where[v]))
    handles = []
    for kind, segments in groups.items():
        color, style, width = styles[kind]
        if segments:
            ax.add_collection(
                LineCollection(segments, colors=color, linestyles=style, linewidths=width)
            )
        handles.append(Line2D([], [], color=color, linestyle=style, label=kind.replace("_", " ")))
    xy = np.array(list(where.values())) if where else np.empty((0, 2))
    if len(xy):
        ax.scatter(xy[:, 0], xy[:, 1], s=4, color="#333333", zorder=3)
    ax.legend(handles=handles, loc="lower right", fontsize=8)
    ax.set_aspect("equal")
    ax.set_axis_off()
    crs = polygons.crs.to_string() if polygons.crs is not None else "no CRS"
    ax.set_title(
        title
        or f"adjacency: {summary.n_nodes} nodes, {summary.n_edges} edges, {summary.headline()} "
        f"({crs})",
        fontsize=10,
    )
    return figure
