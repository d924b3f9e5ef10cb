"""Render the sample district to a PNG: subdistricts coloured, roads, facilities.

Usage::

    python scripts/render_sample.py [--gpkg sample_geodata/jinfeng.gpkg] --out sample_district.png

Chinese labels need a CJK font (e.g. Debian ``fonts-noto-cjk``); without one the map
is labelled with codes and Latin text instead of showing empty boxes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

DEFAULT_GPKG = Path(__file__).resolve().parents[1] / "sample_geodata" / "jinfeng.gpkg"
METRIC_CRS = "EPSG:4544"
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
)
SUBDISTRICT_COLOURS = ("#fc8d62", "#8da0cb", "#a6d854", "#e78ac3", "#ffd92f", "#66c2a5")
LANDUSE_COLOURS = {"water": "#9ecae1", "park": "#c7e9c0", "green": "#e5f5e0", "public": "#e0e0e0"}


def find_cjk_font() -> str | None:
    """Name of an installed font family that has Chinese glyphs, or ``None``."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    return None


def plot_district(gpkg: Path, *, cjk_font: str | None) -> plt.Figure:
    """Draw the sample district and return the figure.

    With ``cjk_font=None`` every label is Latin (codes instead of Chinese names), so
    the map never shows empty boxes for missing glyphs.
    """
    fonts = {"font.family": [cjk_font, "DejaVu Sans"]} if cjk_font else {}
    with plt.rc_context(fonts):
        return _draw(gpkg, chinese=cjk_font is not None)


def _draw(gpkg: Path, *, chinese: bool) -> plt.Figure:
    layer = {
        name: gpd.read_file(gpkg, layer=name).to_crs(METRIC_CRS)
        for name in (
            "landuse",
            "subdistricts",
            "communities",
            "compounds",
            "buildings",
            "roads",
            "facilities",
        )
    }
    fig, ax = plt.subplots(figsize=(14, 13.5), dpi=130)
    ax.set_facecolor("#f7f7f2")
    lu = layer["landuse"]
    for kind, colour in LANDUSE_COLOURS.items():
        part = lu[lu["kind"] == kind]
        if len(part):
            part.plot(ax=ax, color=colour, linewidth=0)

    subs = layer["subdistricts"].reset_index(drop=True)
    colour_of = {n: SUBDISTRICT_COLOURS[i] for i, n in enumerate(subs["name"])}
    comp = layer["compounds"]
    comp.plot(
        ax=ax,
        color=comp["subdistrict"].map(colour_of),
        edgecolor="white",
        linewidth=0.35,
    )
    layer["buildings"].plot(ax=ax, color="#6b6b6b", linewidth=0)
    layer["communities"].boundary.plot(ax=ax, color="#333333", linewidth=0.8, linestyle="--")
    subs.boundary.plot(ax=ax, color="#222222", linewidth=1.4)

    roads = layer["roads"]
    for cls, lw, colour in (("local", 1.0, "#ffffff"), ("arterial", 2.6, "#f0b323")):
        part = roads[roads["class"] == cls]
        part.plot(ax=ax, color=colour, linewidth=lw, zorder=3)

    fac = layer["facilities"]
    police = fac[fac["kind"] == "police_room"]
    health = fac[fac["kind"] == "health_station"]
    ax.scatter(
        police.geometry.x,
        police.geometry.y,
        marker="^",
        s=46,
        c="#1f4e9c",
        edgecolors="white",
        linewidths=0.6,
        zorder=5,
    )
    ax.scatter(
        health.geometry.x,
        health.geometry.y,
        marker="P",
        s=52,
        c="#d62728",
        edgecolors="white",
        linewidths=0.6,
        zorder=5,
    )

    # Labels: subdistricts, arterial roads.
    for _, row in subs.iterrows():
        pt = row.geometry.representative_point()
        text = row["name"] if chinese else row["subdistrict_id"]
        ax.annotate(
            text,
            (pt.x, pt.y),
            ha="center",
            va="center",
            fontsize=13,
            fontweight="bold",
            color="#222222",
            zorder=6,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "alpha": 0.7, "lw": 0},
        )
    if chinese:
        arterials = roads[roads["class"] == "arterial"].dissolve("name")
        for name, row in arterials.iterrows():
            geom = row.geometry
            longest = max(getattr(geom, "geoms", [geom]), key=lambda g: g.length)
            pt = longest.interpolate(0.12, normalized=True)
            x0, y0, x1, y1 = longest.bounds
            rotation = 90 if (y1 - y0) > (x1 - x0) else 0
            ax.annotate(
                name,
                (pt.x, pt.y),
                ha="center",
                va="center",
                fontsize=8,
                rotation=rotation,
                color="#7a4f00",
                zorder=6,
                bbox={"boxstyle": "round,pad=0.1", "fc": "#fff7e0", "lw": 0},
            )
        for _, row in lu[lu["kind"] == "water"].iterrows():
            pt = row.geometry.representative_point()
            ax.annotate(
                row["name"], (pt.x, pt.y), ha="center", fontsize=10, color="#08519c", zorder=6
            )

    handles = [
        Patch(fc=colour_of[n], ec="#222222", label=n if chinese else sid)
        for n, sid in zip(subs["name"], subs["subdistrict_id"], strict=True)
    ]
    handles += [
        Line2D([], [], color="#f0b323", lw=2.6, label="主干道 arterial" if chinese else "arterial"),
        Line2D([], [], color="#bbbbbb", lw=1.0, label="支路 local" if chinese else "local road"),
        Line2D(
            [],
            [],
            color="#555555",
            lw=0.6,
            ls="--",
            label="社区界(示意) community" if chinese else "community border",
        ),
        Line2D(
            [],
            [],
            marker="^",
            ls="",
            color="#1f4e9c",
            label="警务室 police room" if chinese else "police room",
        ),
        Line2D(
            [],
            [],
            marker="P",
            ls="",
            color="#d62728",
            label="卫生服务站 health station" if chinese else "health station",
        ),
        Patch(fc=LANDUSE_COLOURS["water"], label="水面 water" if chinese else "water"),
        Patch(fc=LANDUSE_COLOURS["park"], label="公园 park" if chinese else "park"),
        Patch(fc=LANDUSE_COLOURS["public"], label="公共用地 public" if chinese else "public land"),
    ]
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, framealpha=0.9
    )

    # Scale bar (1 km) and north arrow.
    x0, y0, x1, y1 = subs.total_bounds
    ax.plot([x0, x0 + 1_000], [y0 - 250, y0 - 250], color="black", lw=3)
    ax.annotate("1 km", (x0 + 500, y0 - 190), ha="center", fontsize=9)
    ax.annotate(
        "N",
        xy=(x1 - 150, y1 + 50),
        xytext=(x1 - 150, y1 - 450),
        ha="center",
        fontsize=12,
        arrowprops={"arrowstyle": "-|>", "lw": 1.5},
    )
    title = (
        "金凤区(合成样本)现状街道、社区与设施"
        if chinese
        else "Jinfeng District (synthetic sample): subdistricts, roads, facilities"
    )
    ax.set_title(title, fontsize=15)
    ax.set_xlabel("CGCS2000 / 3-degree Gauss-Kruger CM 105E (EPSG:4544), m; boundaries schematic")
    ax.set_aspect("equal")
    ax.tick_params(labelsize=7)
    ax.set_xlim(x0 - 300, x1 + 300)
    ax.set_ylim(y0 - 400, y1 + 300)
    fig.tight_layout()
    return fig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gpkg", type=Path, default=DEFAULT_GPKG, help="sample GeoPackage")
    parser.add_argument("--out", type=Path, required=True, help="PNG to write")
    args = parser.parse_args()
    font = find_cjk_font()
    if font is None:
        print("no CJK font found: labelling with codes (install fonts-noto-cjk for Chinese)")
    fig = plot_district(args.gpkg, cjk_font=font)
    fonts = {"font.family": [font, "DejaVu Sans"]} if font else {}
    with plt.rc_context(fonts):
        fig.savefig(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
