"""The page around the interactive map: title, legend, inlined Leaflet, stable ids.

folium loads Leaflet, jQuery, Bootstrap and Font Awesome from CDNs; the map uses only
Leaflet, whose vendored script and stylesheet (``jinfeng_grid/data/web``, BSD-2) are
inlined here. folium's random element ids are replaced by sequential ones so that the
same plan gives the same page.
"""

from __future__ import annotations

import base64
import itertools
import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from jinfeng_grid.render.popups import (
    STATUS_COLOURS,
    STATUS_LABELS,
    esc,
)
from jinfeng_grid.render.web_features import (
    COMMUNITY_LINE,
    COMPOUND_LINE,
    CURRENT_LINE,
    GRID_LINE,
)
from jinfeng_grid.render.web_points import (
    kind_colour,
    kind_label,
)

__all__ = [
    "FoldOnPopup",
    "Overlay",
    "inline_assets",
    "leaflet_assets",
    "legend_html",
    "stable_ids",
    "title_html",
]


def _swatch(fill: str | None, line: str, *, dash: bool = False, width: int = 2) -> str:
    border = f"{width}px {'dashed' if dash else 'solid'} {line}"
    background = fill if fill is not None else "transparent"
    return f"<i class='jg-sw' style='background:{background};border:{border}'></i>"


def _dot(colour: str, *, new: bool = False) -> str:
    border = "2px solid #000" if new else "1px solid #fff"
    return f"<i class='jg-dot' style='background:{colour};border:{border}'></i>"


def legend_html(
    *,
    statuses: Iterable[str],
    kinds: Iterable[str],
    has_new_posts: bool,
    caps: Mapping[str, tuple[float | None, float | None]],
    walk_text: str,
    coordinates: str = "WGS 84 / CGCS2000",
) -> str:
    """The legend as HTML (every label escaped)."""
    rows = [_dot_row(_swatch(None, "rgba(37,37,37,0.35)", width=5), "街道界 Subdistrict boundary")]
    rows.append(
        _dot_row(_swatch(None, COMMUNITY_LINE), "社区界（规划）Proposed community boundary")
    )
    rows.append(_dot_row(_swatch(None, CURRENT_LINE, dash=True), "社区界（现状）Current community"))
    rows.append(_dot_row(_swatch(None, GRID_LINE, width=1), "网格界 Grid boundary"))
    rows.append(_dot_row(_swatch(None, COMPOUND_LINE, width=1), "小区 Compound"))
    for status in statuses:
        rows.append(
            _dot_row(_swatch(STATUS_COLOURS[status], COMMUNITY_LINE), STATUS_LABELS[status])
        )
    for kind in kinds:
        rows.append(_dot_row(_dot(kind_colour(kind)), kind_label(kind)))
    if has_new_posts:
        rows.append(_dot_row(_dot("#ffffff", new=True), "新设站点 New post"))
    if kinds:
        rows.append(_dot_row(_swatch("rgba(33,113,181,0.1)", "#2171b5", dash=True), walk_text))
    cap_lines = []
    for level, label in (("community", "社区 Community"), ("grid", "网格 Grid")):
        low, high = caps.get(level, (None, None))
        if low is not None and high is not None:
            cap_lines.append(f"{label}: {low:,.0f}–{high:,.0f} 户 households")
    caps_html = "".join(f"<div class='jg-cap'>{esc(line)}</div>" for line in cap_lines)
    return (
        "<details class='jg-legend' open><summary>图例 Legend</summary>"
        + "".join(rows)
        + (f"<div class='jg-sub'>规模 Caps</div>{caps_html}" if caps_html else "")
        + "<div class='jg-note'>边界为工作示意线 "
        + "Boundaries are schematic working lines (示意)<br>"
        + f"坐标 Coordinates: {esc(coordinates)}</div>"
        + "</details>"
    )


def _dot_row(symbol: str, label: str) -> str:
    return f"<div class='jg-row'>{symbol}<span>{esc(label)}</span></div>"


def title_html(title: str, subtitle: str) -> str:
    """The title box (escaped)."""
    return (
        f"<div class='jg-titlebox'><div class='jg-maintitle'>{esc(title)}</div>"
        f"<div class='jg-subtitle'>{esc(subtitle)}</div></div>"
    )


def _web_file(name: str) -> bytes:
    return resources.files("jinfeng_grid").joinpath("data", "web", name).read_bytes()


def leaflet_assets() -> tuple[str, str]:
    """The vendored Leaflet script and stylesheet (images inlined as data: URLs)."""
    script = _web_file("leaflet.js").decode("utf-8")
    css = _web_file("leaflet.css").decode("utf-8")

    def inline(match: re.Match[str]) -> str:
        data = base64.b64encode(_web_file(match.group(1))).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css)
    return script, css


def inline_assets(m: folium.Map) -> None:
    # folium would add <script src>/<link href> to CDNs for these; the map needs only
    # Leaflet, inlined below
    m.default_js = []
    m.default_css = []
    script, css = leaflet_assets()
    header = m.get_root().header
    # "</" cannot occur inside the inlined code or it would end the element early
    for text, what in ((script, "script"), (css, "style")):
        if f"</{what}" in text.lower():
            raise RuntimeError(f"the vendored Leaflet {what} contains </{what}")
    header.add_child(Element(f"<style>{css}</style>"), name="leaflet_css_inline")
    header.add_child(Element(f"<script>{script}</script>"), name="leaflet_js_inline")
    page_css = _web_file("map.css").decode("utf-8")
    header.add_child(Element(f"<style>{page_css}</style>"), name="jinfeng_grid_css")


def stable_ids(root: Element) -> None:
    """Replace folium's random element ids by sequential ones (same plan, same page)."""
    counter = itertools.count()

    def walk(element: Element) -> None:
        renamed: OrderedDict[str, Element] = OrderedDict()
        for key, child in element._children.items():
            old = child.get_name()
            child._id = f"{next(counter):06d}"
            walk(child)
            renamed[child.get_name() if key == old else key] = child
        element._children = renamed

    walk(root)


class Overlay(MacroElement):
    """Static HTML placed over the map (title, legend)."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self._name = "Overlay"
        self.markup = markup

    def render(self, **kwargs: Any) -> None:
        self.get_root().html.add_child(Element(self.markup), name=self.get_name())
        super().render(**kwargs)


class FoldOnPopup(MacroElement):
    """Fold the legend and the layer control while a popup is open.

    Both sit above Leaflet's panes and would hide a popup under them; folded, each
    is one line or an icon (a click opens it again), and both come back as they
    were when the popup closes.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var control = {{ this.control.get_name() }};
            var before = null;
            map.on("popupopen", function () {
                var legend = document.querySelector(".jg-legend");
                if (before === null) {
                    before = {
                        legend: !!(legend && legend.open),
                        layers: L.DomUtil.hasClass(
                            control.getContainer(), "leaflet-control-layers-expanded"
                        ),
                    };
                }
                if (legend) { legend.open = false; }
                control.collapse();
            });
            map.on("popupclose", function () {
                if (before === null) { return; }
                var legend = document.querySelector(".jg-legend");
                if (legend && before.legend) { legend.open = true; }
                if (before.layers) { control.expand(); }
                before = null;
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, control: folium.LayerControl) -> None:
        super().__init__()
        self._name = "FoldOnPopup"
        self.control = control
