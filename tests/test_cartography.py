"""Print maps: the bundled Chinese font is used and embedded, pages have their size and
furniture, are not blank, and labels do not collide.

The plan is hand-made (``write_tiny_plan``): six 200 m compounds in two rows with 30 m
streets; current communities 康平 {C1, C2, C4}, 湖滨 {C3, C6}, 北安 {C5}; proposed
A 康平 {C1, C2}, B 北安 {C4, C5} (both changed) and C 湖滨 {C3, C6} (unchanged); one
grid and one building per compound; roads 正源街 (arterial, between the first two
columns), 北京中路 (between the rows) and 凤凰北街 (east of everything).
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.font_manager import FontProperties
from matplotlib.text import Text
from shapely.geometry import LineString, Point, box

from jinfeng_grid import io
from jinfeng_grid.config import load_scenario
from jinfeng_grid.errors import ConfigError, InputDataError
from jinfeng_grid.plan import Plan, read_plan
from jinfeng_grid.render import before_after, cartography, page, print_layers, style
from jinfeng_grid.render import labels as labelling

X0, Y0 = 607_000.0, 4_261_000.0
SIZE, STREET = 200.0, 30.0
CRS = "EPSG:4544"

COMPOUNDS = {  # id: (col, row, name, households, current community, proposed community)
    "C1": (0, 1, "金色小区", 620, "康平", "640106001001"),
    "C2": (1, 1, "上城湾", 540, "康平", "640106001001"),
    "C3": (2, 1, "兴水湾", 480, "湖滨", "640106001003"),
    "C4": (0, 0, "景观嘉园", 700, "康平", "640106001002"),
    "C5": (1, 0, "晓镜湾", 450, "北安", "640106001002"),
    "C6": (2, 0, "御景新苑", 510, "湖滨", "640106001003"),
}
PROPOSED = {"640106001001": "康平", "640106001002": "北安", "640106001003": "湖滨"}


def _box(col: int, row: int) -> box:
    x, y = X0 + col * (SIZE + STREET), Y0 + row * (SIZE + STREET)
    return box(x, y, x + SIZE, y + SIZE)


def write_tiny_plan(directory: Path, *, minimal: bool = False) -> Path:
    """Write a plan directory by hand (plan.gpkg, summary.json, moves.csv); return it.

    ``minimal``: only compounds (without their current community), communities and
    grids, no moves.csv: what a plan of a bare input holds.
    """
    rows = []
    for cid, (col, row, name, households, current, proposed) in COMPOUNDS.items():
        rows.append(
            {
                "compound_id": cid,
                "name": name,
                "households": households,
                "population": households * 2,
                "subdistrict": "北京中路",
                "community": current,
                "community_id": proposed,
                "subdistrict_id": "640106001",
                "community_name": PROPOSED[proposed],
                "geometry": _box(col, row),
            }
        )
    compounds = gpd.GeoDataFrame(rows, crs=CRS)
    groups = compounds.groupby("community_id", sort=True)
    communities = gpd.GeoDataFrame(
        [
            {
                "community_id": cid,
                "name": PROPOSED[cid],
                "subdistrict": "北京中路",
                "subdistrict_id": "640106001",
                "households": int(group["households"].sum()),
                "population": int(group["population"].sum()),
                "compounds": len(group),
                "unchanged": cid == "640106001003",
                "within_bounds": True,
                "grids": len(group),
                "geometry": group.geometry.union_all(),
            }
            for cid, group in groups
        ],
        crs=CRS,
    )
    grid_rows, building_rows = [], []
    for cid, group in groups:
        for n, compound in enumerate(group.sort_values("compound_id").itertuples(), 1):
            gid = f"{cid}{n:03d}"
            grid_rows.append(
                {
                    "grid_id": gid,
                    "name": f"{PROPOSED[cid]}第{n}网格",
                    "community_id": cid,
                    "community_name": PROPOSED[cid],
                    "subdistrict_id": "640106001",
                    "households": compound.households,
                    "population": compound.population,
                    "compounds": 1,
                    "members": 1,
                    "geometry": compound.geometry,
                }
            )
            cx, cy = compound.geometry.centroid.x, compound.geometry.centroid.y
            building_rows.append(
                {
                    "building_id": f"{compound.compound_id}-B01",
                    "compound_id": compound.compound_id,
                    "households": compound.households,
                    "population": compound.population,
                    "grid_id": gid,
                    "community_id": cid,
                    "geometry": box(cx - 40, cy - 10, cx + 40, cy + 10),
                }
            )
    grids = gpd.GeoDataFrame(grid_rows, crs=CRS)
    buildings = gpd.GeoDataFrame(building_rows, crs=CRS)
    top = Y0 + 2 * SIZE + STREET
    right = X0 + 3 * SIZE + 2 * STREET
    roads = gpd.GeoDataFrame(
        {
            "name": ["正源街", "北京中路", "凤凰北街"],
            "class": ["arterial", "local", "local"],
            "width_m": [30.0, 20.0, 20.0],
        },
        geometry=[
            LineString([(X0 + SIZE + STREET / 2, Y0 - 100), (X0 + SIZE + STREET / 2, top + 100)]),
            LineString([(X0 - 100, Y0 + SIZE + STREET / 2), (right + 100, Y0 + SIZE + STREET / 2)]),
            LineString([(right + 15, Y0 - 100), (right + 15, top + 100)]),
        ],
        crs=CRS,
    )
    facilities = gpd.GeoDataFrame(
        {"id": ["PR01"], "kind": ["police_room"], "name": ["康平社区警务室"]},
        geometry=[Point(X0 + 100, Y0 + SIZE + STREET + 100)],
        crs=CRS,
    )
    subdistricts = gpd.GeoDataFrame(
        {"subdistrict_id": ["640106001"], "name": ["北京中路"]},
        geometry=[compounds.geometry.union_all()],
        crs=CRS,
    )
    moves = pd.DataFrame(
        {
            "compound_id": compounds["compound_id"],
            "name": compounds["name"],
            "households": compounds["households"],
            "population": compounds["population"],
            "old_subdistrict": compounds["subdistrict"],
            "old_community": compounds["community"],
            "new_community_id": compounds["community_id"],
            "new_community": compounds["community_name"],
            "moved": compounds["community"] != compounds["community_name"],
        }
    )
    moves["households_moved"] = np.where(moves["moved"], moves["households"], 0)
    scenario = load_scenario(None)
    summary = {
        "plan": {"communities": 3, "grids": 6, "compounds": 6},
        "levels": {},
        "notes": [],
        "provenance": {
            "package": "jinfeng_grid",
            "version": "test",
            "inputs": [{"name": "tiny.gpkg", "bytes": 0, "sha256": "0" * 64}],
            "scenario": scenario.to_dict(),
            "seed": 0,
        },
    }
    if minimal:
        io.write_plan_outputs(
            directory,
            layers={
                "compounds": compounds.drop(columns=["community"]),
                "communities": communities,
                "grids": grids,
            },
            tables={},
            summary=summary,
        )
        return directory
    io.write_plan_outputs(
        directory,
        layers={
            "compounds": compounds,
            "communities": communities,
            "grids": grids,
            "subdistricts": subdistricts,
            "buildings": buildings,
            "roads": roads,
            "facilities": facilities,
        },
        tables={"moves": moves},
        summary=summary,
    )
    return directory


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return read_plan(write_tiny_plan(tmp_path_factory.mktemp("plan")))


def _pdf_bytes(figure, tmp_path: Path, name: str = "map.pdf") -> bytes:
    path = tmp_path / name
    with style.print_style():
        figure.savefig(path)
    return path.read_bytes()


def _texts(figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(Text) if t.get_visible() and t.get_text()]


def _pixels(figure, tmp_path: Path) -> np.ndarray:
    import matplotlib.image as mpimg

    path = tmp_path / "page.png"
    with style.print_style():
        figure.savefig(path, dpi=40)
    return mpimg.imread(path)[..., :3]


# --- the font ----------------------------------------------------------------------------


def test_the_bundled_font_is_the_one_matplotlib_finds_for_chinese_text() -> None:
    with style.print_style():
        found = font_manager.findfont(
            FontProperties(family=[style.FONT_FAMILY]), fallback_to_default=False
        )
    assert Path(found) == style.font_path()
    assert style.font_path(bold=True).is_file()
    assert (style.font_path().parent / "OFL.txt").is_file()


def test_the_font_covers_gb2312_hanzi_and_cjk_punctuation() -> None:
    from fontTools.ttLib import TTFont

    cmap = TTFont(style.font_path()).getBestCmap()
    for char in "金凤区社区网格四至东南西北示意（）、，。：；—〔〕①":
        assert ord(char) in cmap, char
    assert sum(0x4E00 <= code <= 0x9FFF for code in cmap) >= 6763


def test_the_pdf_embeds_the_chinese_font_as_truetype(plan, tmp_path) -> None:
    pdf = _pdf_bytes(
        cartography.plot_overview(plan, info=page.map_info(plan, date="2026年1月1日")), tmp_path
    )
    assert b"/FontFile2" in pdf
    assert re.search(rb"/BaseFont /[A-Z]{6}\+NotoSansSCJG-Bold", pdf)
    assert re.search(rb"/BaseFont /[A-Z]{6}\+NotoSansSCJG-Regular", pdf)
    assert b"/Type3" not in pdf


# --- pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(("paper", "points"), [("A3", (1190.55, 841.89)), ("A4", (841.89, 595.28))])
def test_pages_are_landscape_a3_by_default_and_a4_on_request(plan, tmp_path, paper, points) -> None:
    figure = cartography.plot_overview(plan, paper=paper)
    width_mm, height_mm = page.PAPERS[paper]
    assert figure.get_size_inches() == pytest.approx((width_mm / 25.4, height_mm / 25.4))
    pdf = _pdf_bytes(figure, tmp_path)
    box_ = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert box_ is not None
    assert (float(box_.group(1)), float(box_.group(2))) == pytest.approx(points, abs=0.5)


def test_an_unknown_paper_is_refused(plan) -> None:
    with pytest.raises(ConfigError, match="paper must be one of A3, A4, got 'A0'"):
        cartography.plot_overview(plan, paper="A0")


def test_every_map_carries_the_furniture_of_a_working_map(plan) -> None:
    info = page.map_info(plan, date="2026年1月1日", producing_unit="金凤区民政局")
    for figure in (
        cartography.plot_overview(plan, info=info),
        cartography.plot_community(plan, "640106001001", info=info, boundary_text="东至正源街"),
        before_after.plot_before_after(plan, info=info),
    ):
        text = "".join(_texts(figure))  # panel lines are wrapped into several texts
        assert "示意图" in text  # title
        for needed in (
            "图  例",
            "比例尺 1:",
            "北",
            "坐标系：2000国家大地坐标系（CGCS2000），高斯-克吕格投影，3°分带，中央经线105°E",
            "数据来源：tiny.gpkg",
            "编制单位：金凤区民政局",
            "编制日期：2026年1月1日",
            "仅为示意",
        ):
            assert needed in text, needed


def test_maps_are_not_blank(plan, tmp_path) -> None:
    for figure in (
        cartography.plot_overview(plan),
        cartography.plot_community(plan, "640106001002"),
        before_after.plot_before_after(plan),
    ):
        pixels = _pixels(figure, tmp_path)
        inked = (pixels.min(axis=2) < 0.9).mean()
        assert pixels.std() > 0.05
        assert inked > 0.05


def test_the_overview_labels_communities_with_name_and_households(plan) -> None:
    text = _texts(cartography.plot_overview(plan))
    assert "康平\n1,160户" in text
    assert "湖滨\n990户" in text
    assert "北京中路街道" in text


def test_a_community_map_shows_its_grids_and_its_neighbours(plan) -> None:
    text = _texts(cartography.plot_community(plan, "640106001001", boundary_text="东至正源街"))
    assert "金凤区康平社区网格划分示意图" in text
    assert "第1网格\n620户" in text
    assert "北安社区" in text  # a neighbour, in grey
    assert "东至正源街" in "".join(text)


def test_an_unknown_community_is_named_in_the_error(plan) -> None:
    with pytest.raises(InputDataError, match=r"the plan has no community '999'.*640106001001"):
        cartography.plot_community(plan, "999")


def test_before_after_needs_the_current_communities(plan) -> None:
    frame = plan.compounds.drop(columns="community")
    with pytest.raises(InputDataError, match="no current 'community' column"):
        before_after.current_communities(frame, closing_m=15.0)


def test_before_after_can_be_framed_on_the_changed_communities(plan) -> None:
    framed = before_after.plot_before_after(plan, focus=["640106001002"])
    # 北安 {C4, C5} came from 康平 {C1, C2, C4} and 北安 {C5}: all of them are framed
    x0, x1 = framed.axes[0].get_xlim()
    y0, y1 = framed.axes[0].get_ylim()
    bx0, by0, bx1, by1 = plan.compounds[
        plan.compounds["community"].isin(["康平", "北安"])
    ].total_bounds
    assert x0 < bx0 and x1 > bx1 and y0 < by0 and y1 > by1
    # centred on them, not on the district (which reaches further east, to 湖滨)
    assert (x0 + x1) / 2 == pytest.approx((bx0 + bx1) / 2)
    with pytest.raises(InputDataError, match="community id\\(s\\) 999: not in the plan"):
        before_after.plot_before_after(plan, focus=["999"])


def test_current_communities_are_dissolved_from_the_compounds(plan) -> None:
    current = before_after.current_communities(plan.compounds, closing_m=15.0)
    assert current.set_index("community")["households"].to_dict() == {
        "北安": 450,
        "康平": 1860,
        "湖滨": 990,
    }


def test_the_scale_is_round_and_the_map_fits_in_its_frame(plan) -> None:
    figure = cartography.plot_overview(plan)
    ratio = next(t for t in _texts(figure) if t.startswith("比例尺 1:"))
    denominator = int(ratio.removeprefix("比例尺 1:").replace(" ", ""))
    assert denominator in page._ROUND_SCALES
    ax = figure.axes[0]
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    bx0, by0, bx1, by1 = plan.compounds.total_bounds
    assert x0 < bx0 and x1 > bx1 and y0 < by0 and y1 > by1


def test_characters_missing_from_the_font_are_named_with_their_units(
    plan, caplog, tmp_path
) -> None:
    assert style.missing_characters(["康平", "堃园小区", "喆园", None]) == {
        "喆": ["喆园"],
        "堃": ["堃园小区"],
    }
    assert style.missing_characters(["东至正源街，南至区界（示意）", "Block 12"]) == {}
    caplog.set_level("WARNING", logger="jinfeng_grid.render.style")
    style._warned.discard("堃")
    communities = plan.communities.assign(name=["堃园", "北安", "湖滨"])
    renamed = dataclasses.replace(plan, communities=communities)
    with pytest.warns(UserWarning, match="Glyph 22531"):  # matplotlib's own, on drawing
        _pixels(cartography.plot_overview(renamed), tmp_path)
    assert "not in the bundled font and print as empty boxes: 堃 (堃园)" in caplog.text


# --- CRS note ----------------------------------------------------------------------------


def test_the_crs_note_names_cgcs2000_and_its_gauss_kruger_zone() -> None:
    assert page.crs_note("EPSG:4544") == (
        "2000国家大地坐标系（CGCS2000），高斯-克吕格投影，3°分带，中央经线105°E（EPSG:4544）"
    )
    assert page.crs_note("EPSG:4490") == "2000国家大地坐标系（CGCS2000），经纬度（EPSG:4490）"
    assert "须采用2000国家大地坐标系" in page.crs_note("EPSG:32648")


# --- labels ------------------------------------------------------------------------------


def _axes():
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4, 3), dpi=100)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    return ax


def _boxes(ax, texts):
    renderer = style.agg_renderer(ax.get_figure())
    return [t.get_window_extent(renderer) for t in texts]


def test_colliding_labels_are_left_out_and_the_more_important_one_stays() -> None:
    with style.print_style():
        ax = _axes()
        labels = [
            labelling.Label(50, 50, "小区甲", size=10, priority=1, shift=False),
            labelling.Label(51, 50, "小区乙", size=10, priority=5, shift=False),
            labelling.Label(50, 51, "小区丙", size=10, priority=3, shift=False),
            labelling.Label(10, 10, "远处", size=10, priority=0, shift=False),
        ]
        placed = labelling.place_labels(ax, labels)
    assert [t.get_text() for t in placed] == ["小区乙", "远处"]
    assert len(ax.texts) == 2  # the others are removed, not hidden under


def test_a_label_whose_place_is_taken_moves_just_above_or_below_it() -> None:
    with style.print_style():
        ax = _axes()
        labels = [labelling.Label(50, 50, f"网格{i}", size=10, priority=-i) for i in range(4)]
        placed = labelling.place_labels(ax, labels)
        boxes = _boxes(ax, placed)
    assert [t.get_text() for t in placed] == ["网格0", "网格1", "网格2"]
    ys = sorted(t.get_position()[1] for t in placed)
    assert ys[0] < 49 and ys[1] == pytest.approx(50) and ys[2] > 51
    assert [t.get_position()[0] for t in placed] == pytest.approx([50, 50, 50])
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)


def test_no_two_placed_labels_overlap_in_a_crowd() -> None:
    rng = np.random.default_rng(0)
    with style.print_style():
        ax = _axes()
        labels = [
            labelling.Label(float(x), float(y), f"社区{i}\n{i * 100}户", size=8, priority=float(i))
            for i, (x, y) in enumerate(rng.uniform(5, 95, size=(60, 2)))
        ]
        placed = labelling.place_labels(ax, labels)
        boxes = _boxes(ax, placed)
    assert 3 <= len(placed) < 60
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)


def test_a_colliding_label_is_shrunk_before_it_is_left_out() -> None:
    with style.print_style():
        ax = _axes()
        first = labelling.place_labels(
            ax, [labelling.Label(30, 50, "社区甲社区甲", size=10, priority=2)]
        )
        width = _boxes(ax, first)[0].width
        # a second label whose full-size box would touch the first, a 70 % one not
        x = 30 + (width * 0.5 + width * 0.42) / ax.get_window_extent().width * 100
        second = labelling.place_labels(
            ax,
            [labelling.Label(x, 50, "社区乙社区乙", size=10, priority=1, shift=False)],
            avoid=_boxes(ax, first),
        )
    assert len(second) == 1
    assert second[0].get_fontsize() < 10


def test_labels_outside_the_frame_are_left_out() -> None:
    with style.print_style():
        ax = _axes()
        placed = labelling.place_labels(
            ax, [labelling.Label(99.5, 50, "边上的很长的标注", size=10)]
        )
    assert placed == []


def test_neighbouring_units_get_different_colours() -> None:
    units = gpd.GeoDataFrame(
        {"id": ["a", "b", "c", "d"]},
        geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10), box(0, 10, 10, 20), box(10, 10, 20, 20)],
        crs=CRS,
    )
    colours = print_layers.unit_colours(units, "id", gap_m=1.0)
    for a, b in [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("a", "d"), ("b", "c")]:
        assert colours[a] != colours[b]
    assert print_layers.unit_colours(units, "id", gap_m=1.0) == colours


def test_map_info_reads_the_scenario_of_the_plan(plan) -> None:
    info = page.map_info(plan, date="2026年1月1日")
    scenario = json.loads((plan.source / "summary.json").read_text("utf-8"))["provenance"][
        "scenario"
    ]
    assert info.district_name == scenario["report"]["district_name"] == "金凤区"
    assert info.producing_unit == ""
    assert info.household_bounds == (
        scenario["community"]["min_households"],
        scenario["community"]["max_households"],
    )
