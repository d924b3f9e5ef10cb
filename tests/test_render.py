"""The interactive map: layers, escaping, coordinates, basemaps, the render command.

A hand-drawn plan of four 100 m compounds in two communities, three grids and one
subdistrict (EPSG:4544, near Yinchuan), with two facilities, written as a plan
directory and read back. Hostile names check that user text is shown as text.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from jinfeng_grid import cli, io, render
from jinfeng_grid.cli import render as _cli_render
from jinfeng_grid.crs import wgs84_to_gcj02
from jinfeng_grid.errors import ConfigError, InputDataError
from jinfeng_grid.plan import Plan, read_plan
from jinfeng_grid.render.explore import map_html
from jinfeng_grid.render.popups import unit_status
from jinfeng_grid.render.web_layers import current_communities
from jinfeng_grid.staffing import plan_staffing

HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
#: a name that would end the <script> holding the data if it were not escaped
BREAKOUT = "金凤</script><img src=y onerror=alert(2)>"

X0, Y0 = 607_000.0, 4_261_000.0
CRS = "EPSG:4544"


def box(col: int, row: int = 0) -> shapely.Polygon:
    """A 100 m compound at lattice position (col, row), 20 m streets between."""
    x, y = X0 + 120 * col, Y0 + 120 * row
    return shapely.box(x, y, x + 100, y + 100)


def make_plan_dir(tmp_path: Path) -> Path:
    """Write a four-compound plan directory and return it."""
    compounds = gpd.GeoDataFrame(
        {
            "compound_id": ["C1", "C2", "C3", "C4"],
            "name": [HOSTILE, "枫林湾", "未来城", "居安家园"],
            "households": [300, 250, 400, 350],
            "population": [900, 700, 1100, 1000],
            "subdistrict": ["北京中路"] * 4,
            "community": ["康平", "康平", "湖滨", "湖滨"],
            "community_id": ["640106001001"] * 2 + ["640106001002"] * 2,
            "subdistrict_id": ["640106001"] * 4,
            "community_name": [BREAKOUT] * 2 + ["湖滨"] * 2,
        },
        geometry=[box(0), box(1), box(2), box(3)],
        crs=CRS,
    )
    communities = gpd.GeoDataFrame(
        {
            "community_id": ["640106001001", "640106001002"],
            "name": [BREAKOUT, "湖滨"],
            "subdistrict": ["北京中路"] * 2,
            "subdistrict_id": ["640106001"] * 2,
            "households": [550, 750],
            "population": [1600, 2100],
            "compounds": [2, 2],
            "name_provisional": [True, False],
            "unchanged": [False, True],
            "oversize": [False, False],
            "within_bounds": [True, False],
            "grids": [2, 1],
        },
        geometry=[shapely.union_all([box(0), box(1)]), shapely.union_all([box(2), box(3)])],
        crs=CRS,
    )
    grids = gpd.GeoDataFrame(
        {
            "grid_id": ["640106001001001", "640106001001002", "640106001002001"],
            "name": [f"{HOSTILE}第1网格", "第2网格", "湖滨第1网格"],
            "community_id": ["640106001001", "640106001001", "640106001002"],
            "community_name": [BREAKOUT, BREAKOUT, "湖滨"],
            "subdistrict_id": ["640106001"] * 3,
            "households": [300, 250, 750],
            "population": [900, 700, 2100],
            "within_bounds": [True, False, False],
            "oversize": [False, False, True],
        },
        geometry=[box(0), box(1), shapely.union_all([box(2), box(3)])],
        crs=CRS,
    )
    subdistricts = gpd.GeoDataFrame(
        {
            "subdistrict_id": ["640106001"],
            "name": ["北京中路"],
            "households": [1300],
            "population": [3700],
            "communities": [2],
            "grids": [3],
        },
        geometry=[shapely.union_all([box(c) for c in range(4)])],
        crs=CRS,
    )
    roads = gpd.GeoDataFrame(
        {"name": ["亲水大街", HOSTILE], "class": ["arterial", "local"]},
        geometry=[
            shapely.LineString([(X0 - 20, Y0 - 10), (X0 + 480, Y0 - 10)]),
            shapely.LineString([(X0 + 230, Y0 - 50), (X0 + 230, Y0 + 150)]),
        ],
        crs=CRS,
    )
    facilities = gpd.GeoDataFrame(
        {
            "id": ["PR01", "HS01", "X1"],
            "kind": ["police_room", "health_station", HOSTILE],
            "name": ["康平社区警务室", HOSTILE, "其他"],
        },
        geometry=[
            shapely.Point(X0 + 50, Y0 + 50),
            shapely.Point(X0 + 290, Y0 + 50),
            shapely.Point(X0 + 410, Y0 + 50),
        ],
        crs=CRS,
    )
    # actual staff by current community (康平 and 湖滨 keep their compounds)
    staff = pd.DataFrame(
        {
            "level": ["community", "community"],
            "subdistrict": ["北京中路", "北京中路"],
            "community": ["康平", "湖滨"],
            "community_id": ["640106001001", "640106001002"],
            "grid_workers_full_time": [1, 0],
            "grid_workers_part_time": [1, 0],
            "police": [0, 1],
            "medical": [2, 0],
            "cdc": [0, 0],
        }
    )
    summary = {
        "plan": {"communities": 2, "grids": 3},
        "provenance": {
            "scenario": {
                "community": {"min_households": 500, "max_households": 700},
                "grid": {"min_households": 200, "max_households": 400},
                "graph": {"gap_tolerance_m": 30.0},
                "report": {"district_name": HOSTILE},
            }
        },
    }
    out = tmp_path / "plan"
    io.write_plan_outputs(
        out,
        layers={
            "compounds": compounds,
            "communities": communities,
            "grids": grids,
            "subdistricts": subdistricts,
            "roads": roads,
            "facilities": facilities,
        },
        tables={},
        summary=summary,
        gpkg_tables={"staff": staff},
    )
    return out


@pytest.fixture
def plan_dir(tmp_path: Path) -> Path:
    return make_plan_dir(tmp_path)


@pytest.fixture
def plan(plan_dir: Path) -> Plan:
    return read_plan(plan_dir)


def geojson_layers(m: folium.Map) -> dict[str, dict[str, Any]]:
    """Overlay name -> the GeoJSON data drawn in it."""
    out: dict[str, dict[str, Any]] = {}
    for child in m._children.values():
        if isinstance(child, folium.FeatureGroup):
            for grandchild in child._children.values():
                if isinstance(grandchild, folium.GeoJson):
                    out[child.layer_name] = grandchild.data
    return out


def overlay_names(page: str) -> list[str]:
    """The overlay names of the layer control in a rendered page."""
    block = re.search(r"overlays\s*:\s*\{(.*?)\}", page, flags=re.S)
    assert block is not None, "the page has no layer control"
    return [json.loads(key) for key in re.findall(r'("(?:[^"\\]|\\.)*")\s*:', block.group(1))]


def coordinates(data: dict[str, Any]) -> np.ndarray:
    """Every coordinate pair of a FeatureCollection, in order."""
    pairs = []
    for feature in data["features"]:
        geom = shapely.geometry.shape(feature["geometry"])
        pairs.append(shapely.get_coordinates(geom))
    return np.vstack(pairs)


# --- layers ---------------------------------------------------------------------------


def test_the_layer_control_lists_every_layer(plan: Plan) -> None:
    names = overlay_names(map_html(render.explore_plan(plan)))
    expected = [
        render.LAYER_NAMES[key]
        for key in (
            "subdistricts",
            "communities",
            "current",
            "grids",
            "compounds",
            "roads",
        )
    ]
    for name in expected:
        assert name in names
    assert render.LAYER_NAMES["labels"] in names
    assert render.LAYER_NAMES["facilities"] in names
    assert any(n.startswith(render.LAYER_NAMES["coverage"]) for n in names)


def test_current_communities_are_dissolved_from_the_compounds(plan: Plan) -> None:
    current = current_communities(plan.compounds, closing_m=15.0)
    assert current is not None
    by_name = current.set_index("name")
    assert by_name.loc["康平", "households"] == 300 + 250
    assert by_name.loc["湖滨", "compounds"] == 2
    # the 20 m street between the compounds of 康平 is filled: one polygon
    assert shapely.get_num_geometries(by_name.loc["康平", "geometry"]) == 1
    assert current["households"].sum() == plan.compounds["households"].sum()


def test_current_communities_show_their_actual_staff_and_the_cap_they_break(
    plan: Plan,
) -> None:
    layers = geojson_layers(render.explore_plan(plan, staffing=plan_staffing(plan)))
    current = {
        f["properties"]["tip"].split("</b>")[0].removeprefix("<b>"): f["properties"]["pop"]
        for f in layers[render.LAYER_NAMES["current"]]["features"]
    }
    # 湖滨 now: 750 households (above the 700 cap), 2 grid workers needed, none in
    # the staff table
    assert "<tr><th>网格员 Grid workers</th><td>2</td><td>0</td><td>2</td></tr>" in current["湖滨"]
    assert "高于规划上限 700 户" in current["湖滨"]
    assert "高于规划上限" not in current["康平"]


def test_without_current_communities_there_is_no_current_layer(plan: Plan) -> None:
    compounds = plan.compounds.drop(columns=["community"])
    bare = dataclasses.replace(plan, compounds=compounds)
    names = overlay_names(map_html(render.explore_plan(bare)))
    assert render.LAYER_NAMES["current"] not in names
    assert render.LAYER_NAMES["communities"] in names


def test_units_are_coloured_by_whether_they_meet_their_caps(plan: Plan) -> None:
    from jinfeng_grid.render.popups import STATUS_COLOURS

    m = render.explore_plan(plan)
    colours = {}
    for child in m._children.values():
        if isinstance(child, folium.FeatureGroup):
            for layer in child._children.values():
                if isinstance(layer, folium.GeoJson):
                    colours[child.layer_name] = [
                        layer.style_function(f).get("fillColor") for f in layer.data["features"]
                    ]
    assert colours[render.LAYER_NAMES["communities"]] == [
        STATUS_COLOURS["ok"],
        STATUS_COLOURS["outside"],
    ]
    assert colours[render.LAYER_NAMES["grids"]] == [
        STATUS_COLOURS["ok"],
        STATUS_COLOURS["outside"],
        STATUS_COLOURS["oversize"],
    ]


@pytest.mark.parametrize(
    ("flags", "status"),
    [
        ({"within_bounds": np.True_, "oversize": np.False_}, "ok"),
        ({"within_bounds": np.False_, "oversize": np.False_}, "outside"),
        ({"within_bounds": np.False_, "oversize": np.True_}, "oversize"),
        ({"within_bounds": "false"}, "outside"),
        ({"within_bounds": float("nan")}, "unknown"),
        ({}, "unknown"),
    ],
)
def test_a_units_status_comes_from_its_flags(flags: dict[str, Any], status: str) -> None:
    assert unit_status(flags) == status


def test_numeric_codes_are_shown_without_thousands_separators(plan: Plan) -> None:
    communities = plan.communities.assign(community_id=[640106001001, 640106001002])
    numeric = dataclasses.replace(plan, communities=communities)
    layers = geojson_layers(render.explore_plan(numeric))
    popup = layers[render.LAYER_NAMES["communities"]]["features"][0]["properties"]["pop"]
    assert "<td>640106001001</td>" in popup


def test_a_plan_without_communities_is_refused(plan: Plan) -> None:
    empty = dataclasses.replace(plan, communities=plan.communities.iloc[:0])
    with pytest.raises(InputDataError, match="has no communities to draw"):
        render.explore_plan(empty)


def test_popups_give_households_population_and_staff_needed(plan: Plan) -> None:
    layers = geojson_layers(render.explore_plan(plan, staffing=plan_staffing(plan)))
    hubin = layers[render.LAYER_NAMES["communities"]]["features"][1]["properties"]
    assert "湖滨" in hubin["tip"] and "750 户" in hubin["tip"] and "2,100 人" in hubin["tip"]
    popup = hubin["pop"]
    assert "所需人员 Staff needed" in popup
    # 湖滨 kept its compounds, so the staff table's actual staff apply: one grid
    # needs one grid worker, it has none; 2,100 residents at 2-3 police per 10,000
    # need 1, it has 1
    assert "<tr><th>网格员 Grid workers</th><td>1</td><td>0</td><td>1</td></tr>" in popup
    assert (
        "<tr><th>社区民警（含辅警）Police incl. auxiliaries</th><td>1</td><td>1</td><td>0</td>"
        in popup
    )
    assert "超出规模 Outside caps" in popup
    grid = layers[render.LAYER_NAMES["grids"]]["features"][0]["properties"]["pop"]
    assert "<tr><th>网格员 Grid workers</th><td>1</td></tr>" in grid
    subdistrict = layers[render.LAYER_NAMES["subdistricts"]]["features"][0]["properties"]["pop"]
    assert "<tr><th>网格员 Grid workers</th><td>3</td><td>2</td><td>1</td></tr>" in subdistrict


def test_the_map_shows_the_staffing_it_is_given_and_computes_none(
    plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jinfeng_grid.staffing import norms
    from jinfeng_grid.staffing import plan as staffing

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the map computed staffing")

    given = plan_staffing(plan)
    for module, name in (
        (staffing, "staffing_for_plan"),
        (staffing, "staffing_before_plan"),
        (staffing, "plan_staffing"),
        (norms, "required_staff"),
        (norms, "staffing_table"),
    ):
        monkeypatch.setattr(module, name, forbidden)
    with_staff = geojson_layers(render.explore_plan(plan, staffing=given))
    without = geojson_layers(render.explore_plan(plan))
    popup = with_staff[render.LAYER_NAMES["communities"]]["features"][1]["properties"]["pop"]
    assert "<tr><th>网格员 Grid workers</th><td>1</td><td>0</td><td>1</td></tr>" in popup
    bare = without[render.LAYER_NAMES["communities"]]["features"][1]["properties"]["pop"]
    assert "所需人员 Staff needed" not in bare and "网格员 Grid workers" not in bare


def test_walk_coverage_circles_have_the_walking_radius(plan: Plan) -> None:
    m = render.explore_plan(plan, walk_minutes=10, speed_m_per_min=50)
    radii = []
    for child in m._children.values():
        if isinstance(child, folium.FeatureGroup) and child.layer_name.startswith(
            render.LAYER_NAMES["coverage"]
        ):
            assert "10 min, 500 m" in child.layer_name
            radii += [layer.marker.options["radius"] for layer in child._children.values()]
    assert radii == [500.0]


@pytest.mark.parametrize(("minutes", "speed"), [(0, 60), (15, -1), (float("nan"), 60)])
def test_walk_time_and_speed_must_be_positive(plan: Plan, minutes: float, speed: float) -> None:
    with pytest.raises(ConfigError, match="must be a positive"):
        render.explore_plan(plan, walk_minutes=minutes, speed_m_per_min=speed)


# --- escaping ------------------------------------------------------------------------------


def test_hostile_names_are_escaped_in_tooltips_and_popups(plan: Plan) -> None:
    layers = geojson_layers(render.explore_plan(plan))
    texts = [
        value
        for data in layers.values()
        for feature in data["features"]
        for key, value in feature["properties"].items()
        if key in ("tip", "pop")
    ]
    assert texts
    for text in texts:
        assert "<img" not in text and "</script" not in text
    compound = layers[render.LAYER_NAMES["compounds"]]["features"][0]["properties"]
    assert ESCAPED in compound["tip"] and ESCAPED in compound["pop"]
    community = layers[render.LAYER_NAMES["communities"]]["features"][0]["properties"]
    assert "金凤&lt;/script&gt;&lt;img src=y onerror=alert(2)&gt;" in community["pop"]


def test_hostile_names_are_escaped_in_the_page_legend_and_title(
    plan_dir: Path, tmp_path: Path
) -> None:
    path = render.write_map(plan_dir, tmp_path / "map.html")
    page = path.read_text(encoding="utf-8")
    assert HOSTILE not in page
    assert "<img src=y" not in page
    # the data cannot close the <script> that holds it: the only closings are the
    # page's own
    assert page.count("</script>") == page.count("<script")
    # the legend lists the hostile facility kind, the title the district name: as text
    legend = re.search(r"<details class='jg-legend'.*?</details>", page, flags=re.S)
    assert legend is not None and ESCAPED in legend.group(0)
    title = re.search(r"<div class='jg-titlebox'>.*?</div></div>", page, flags=re.S)
    assert title is not None and ESCAPED in title.group(0)


# --- offline page, determinism -----------------------------------------------------------


def test_the_page_loads_nothing_from_the_network_but_tiles(plan_dir: Path, tmp_path: Path) -> None:
    page = render.write_map(plan_dir, tmp_path / "map.html").read_text(encoding="utf-8")
    assert re.search(r"<script[^>]+src=", page) is None
    assert re.search(r"<link\b", page) is None
    assert "Leaflet 1.9.4" in page  # inlined
    assert "jquery" not in page.lower() and "bootstrap" not in page.lower()
    # the stylesheet's images are inlined too
    assert "url(images/" not in page and "url(data:image/png;base64," in page
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    loaded = {u for u in urls if "{z}" in u or "{x}" in u}
    assert loaded == {"https://tile.openstreetmap.org/{z}/{x}/{y}.png"}


def test_the_same_plan_gives_the_same_page(plan_dir: Path, tmp_path: Path) -> None:
    first = render.write_map(plan_dir, tmp_path / "a.html").read_bytes()
    second = render.write_map(plan_dir, tmp_path / "b.html").read_bytes()
    assert first == second


def test_coordinates_are_wgs84_rounded_to_six_decimals(plan: Plan) -> None:
    layers = geojson_layers(render.explore_plan(plan))
    drawn = coordinates(layers[render.LAYER_NAMES["compounds"]])
    expected = shapely.get_coordinates(plan.compounds.to_crs("EPSG:4326").geometry.to_numpy())
    assert drawn.shape == expected.shape
    assert np.abs(drawn - expected).max() < 1e-6
    assert np.array_equal(drawn, np.round(drawn, 6))


# --- basemaps -------------------------------------------------------------------------------


def test_amap_draws_the_data_in_gcj02(plan: Plan) -> None:
    wgs = geojson_layers(render.explore_plan(plan, basemap="osm"))
    gcj = geojson_layers(render.explore_plan(plan, basemap="amap"))
    for name in (render.LAYER_NAMES["communities"], render.LAYER_NAMES["facilities"]):
        before, after = coordinates(wgs[name]), coordinates(gcj[name])
        lon, lat = wgs84_to_gcj02(before[:, 0], before[:, 1])
        assert np.abs(after - np.column_stack([lon, lat])).max() < 2e-6
        # around Yinchuan GCJ-02 is a few hundred metres off: the shift is real
        assert np.abs(after - before).max() > 1e-3
    page = map_html(render.explore_plan(plan, basemap="amap"))
    assert "is.autonavi.com" in page and "openstreetmap.org/{z}" not in page
    assert "坐标 Coordinates: GCJ-02" in page


def test_tianditu_without_a_key_is_a_clear_error(
    plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(render.TIANDITU_KEY_ENV, raising=False)
    with pytest.raises(ConfigError, match="needs a Tianditu key in the environment variable"):
        render.explore_plan(plan, basemap="tianditu")


def test_tianditu_with_a_key_draws_wgs84_on_tianditu_tiles(
    plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(render.TIANDITU_KEY_ENV, "abc123")
    m = render.explore_plan(plan, basemap="tianditu")
    page = map_html(m)
    assert "tianditu.gov.cn/vec_w/wmts" in page and "tk=abc123" in page
    wgs = geojson_layers(render.explore_plan(plan, basemap="osm"))
    name = render.LAYER_NAMES["compounds"]
    assert np.array_equal(coordinates(geojson_layers(m)[name]), coordinates(wgs[name]))


def test_a_map_holding_the_tianditu_key_is_flagged_when_written(
    plan: Plan,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv(render.TIANDITU_KEY_ENV, "abc123")
    with caplog.at_level("WARNING", logger="jinfeng_grid"):
        render.write_map(plan, tmp_path / "map.html", basemap="tianditu")
    assert "holds the Tianditu key" in caplog.text and "do not share" in caplog.text
    # the key is never logged
    assert "abc123" not in caplog.text


def test_a_malformed_tianditu_key_is_refused(plan: Plan, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(render.TIANDITU_KEY_ENV, 'abc"}</script>')
    with pytest.raises(ConfigError, match="does not look like a Tianditu key"):
        render.explore_plan(plan, basemap="tianditu")


def test_an_unknown_basemap_is_refused(plan: Plan) -> None:
    with pytest.raises(ConfigError, match="unknown basemap 'google': use one of osm"):
        render.explore_plan(plan, basemap="google")


def test_the_cli_offers_the_basemaps_render_knows() -> None:
    assert _cli_render._BASEMAPS == render.BASEMAPS


# --- posts ------------------------------------------------------------------------------


def test_posts_are_drawn_instead_of_the_facilities(plan: Plan, tmp_path: Path) -> None:
    # the columns of posts.gpkg as jinfeng_grid.posts writes it
    posts = gpd.GeoDataFrame(
        {
            "post_id": ["PR01", "N1"],
            "kind": ["police_room", "health_station"],
            "name": ["康平社区警务室", None],
            "status": ["existing", "new"],
            "community_name": ["康平", "湖滨"],
            "households_covered": [1200, 800],
            "households_served": [700, 600],
            "walk_m": [900.0, 900.0],
        },
        geometry=[shapely.Point(X0 + 50, Y0 + 50), shapely.Point(X0 + 400, Y0 + 50)],
        crs=CRS,
    ).to_crs("EPSG:4490")
    path = tmp_path / "posts.gpkg"
    posts.to_file(path, layer="posts", driver="GPKG")
    for given in (posts, path):
        m = render.explore_plan(plan, posts=given)
        layers = geojson_layers(m)
        assert render.LAYER_NAMES["facilities"] not in layers
        drawn = layers[render.LAYER_NAMES["posts"]]["features"]
        assert [f["properties"]["n"] for f in drawn] == [False, True]
        first = drawn[0]["properties"]["pop"]
        assert "<td>PR01</td>" in first and "<td>1,200</td>" in first and "<td>700</td>" in first
        assert "<td>900 m</td>" in first
        # a post without a name is called by its kind
        assert "卫生服务站 Health station" in drawn[1]["properties"]["tip"]
        assert "新设站点 New post" in map_html(m)


def test_posts_without_a_kind_are_refused(plan: Plan) -> None:
    posts = gpd.GeoDataFrame({"name": ["a"]}, geometry=[shapely.Point(X0, Y0)], crs=CRS)
    with pytest.raises(InputDataError, match="have no column 'kind'"):
        render.explore_plan(plan, posts=posts)


def test_a_posts_file_without_a_posts_layer_is_refused(plan: Plan, tmp_path: Path) -> None:
    path = tmp_path / "other.gpkg"
    gpd.GeoDataFrame({"kind": ["x"]}, geometry=[shapely.Point(X0, Y0)], crs=CRS).to_file(
        path, layer="sites", driver="GPKG"
    )
    with pytest.raises(InputDataError, match="posts"):
        render.explore_plan(plan, posts=path)


# --- the render command ----------------------------------------------------------------------


def test_render_writes_map_html_into_the_plan_directory(
    plan_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["render", str(plan_dir), "-q"]) == 0
    assert (plan_dir / "map.html").is_file()
    assert "map.html" in capsys.readouterr().out


def test_render_out_and_basemap(plan_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "review"
    assert cli.main(["render", str(plan_dir), "--out", str(out), "--basemap", "amap", "-q"]) == 0
    page = (out / "map.html").read_text(encoding="utf-8")
    assert "is.autonavi.com" in page


def test_render_walk_options_set_the_coverage_circles(plan_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "walk"
    argv = ["render", str(plan_dir), "--out", str(out), "--walk-minutes", "10", "--speed", "80"]
    assert cli.main([*argv, "-q"]) == 0
    page = (out / "map.html").read_text(encoding="utf-8")
    assert '"radius": 800.0' in page
    assert cli.main(["render", str(plan_dir), "--out", str(out), "--speed", "0", "-q"]) == 2


def test_render_tianditu_without_a_key_exits_2(
    plan_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(render.TIANDITU_KEY_ENV, raising=False)
    assert cli.main(["render", str(plan_dir), "--basemap", "tianditu", "-q"]) == 2
    err = capsys.readouterr().err
    assert "ConfigError" in err and "TIANDITU_KEY" in err and "Traceback" not in err
    assert not (plan_dir / "map.html").exists()


def test_render_of_a_directory_that_is_not_a_plan_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    assert cli.main(["render", str(tmp_path / "empty"), "-q"]) == 2
    assert "is not a plan directory: it has no plan.gpkg" in capsys.readouterr().err
    assert cli.main(["render", str(tmp_path / "missing"), "-q"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_a_map_path_that_cannot_be_written_is_an_input_error(plan: Plan, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(InputDataError, match=r"cannot write .*file/map.html: .*check its perm"):
        render.write_map(plan, blocker / "map.html")


def test_units_without_geometry_are_reported_not_silently_dropped(
    plan: Plan, caplog: pytest.LogCaptureFixture
) -> None:
    grids = plan.grids.copy()
    grids.loc[grids.index[0], "geometry"] = None
    bare = dataclasses.replace(plan, grids=grids)
    with caplog.at_level("WARNING", logger="jinfeng_grid"):
        layers = geojson_layers(render.explore_plan(bare))
    assert len(layers[render.LAYER_NAMES["grids"]]["features"]) == 2
    assert "640106001001001" in caplog.text


def test_every_feature_has_its_unit_counts(plan: Plan) -> None:
    layers = geojson_layers(render.explore_plan(plan))
    assert len(layers[render.LAYER_NAMES["communities"]]["features"]) == len(plan.communities)
    assert len(layers[render.LAYER_NAMES["grids"]]["features"]) == len(plan.grids)
    assert len(layers[render.LAYER_NAMES["compounds"]]["features"]) == len(plan.compounds)


def test_render_print_writes_the_overview_and_before_after_maps(plan: Plan, tmp_path: Path) -> None:
    written = render.write_print_maps(plan, tmp_path / "maps", paper="A4", png=False)
    assert set(written) == {"overview.pdf", "before_after.pdf"}  # the plan has current ones
    for path in written.values():
        assert path.read_bytes().startswith(b"%PDF")
