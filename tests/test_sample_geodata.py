"""The bundled sample district reproduces the published figures and behaves like a city.

Published figures (2020 report on Jinfeng District) and the choices made where they
conflict are in ``sample_geodata/README.md``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyogrio
import pytest

REPO = Path(__file__).parents[1]
SAMPLE = REPO / "sample_geodata" / "jinfeng.gpkg"
METRIC = "EPSG:4544"
BBOX = (106.17, 38.40, 106.30, 38.56)
SPATIAL_LAYERS = (
    "subdistricts",
    "communities",
    "grids",
    "compounds",
    "buildings",
    "roads",
    "facilities",
    "landuse",
)


def read(layer: str) -> gpd.GeoDataFrame:
    return gpd.read_file(SAMPLE, layer=layer)


@pytest.fixture(scope="module")
def compounds() -> gpd.GeoDataFrame:
    return read("compounds")


@pytest.fixture(scope="module")
def buildings() -> gpd.GeoDataFrame:
    return read("buildings")


@pytest.fixture(scope="module")
def communities() -> gpd.GeoDataFrame:
    return read("communities")


@pytest.fixture(scope="module")
def subdistricts() -> gpd.GeoDataFrame:
    return read("subdistricts").set_index("name")


@pytest.fixture(scope="module")
def grids() -> gpd.GeoDataFrame:
    return read("grids")


@pytest.fixture(scope="module")
def staff() -> pd.DataFrame:
    return pyogrio.read_dataframe(SAMPLE, layer="staff")


@pytest.fixture(scope="module")
def compound_graph(compounds: gpd.GeoDataFrame) -> nx.Graph:
    """Compounds adjacent when touching or facing each other across a street (<= 60 m)."""
    metric = compounds.to_crs(METRIC)
    buffered = metric.set_geometry(metric.buffer(30.0))[["geometry"]]
    pairs = gpd.sjoin(buffered, buffered, predicate="intersects")
    graph = nx.Graph()
    graph.add_nodes_from(metric.index)
    graph.add_edges_from(zip(pairs.index, pairs["index_right"], strict=True))
    return graph


def by_subdistrict(compounds: gpd.GeoDataFrame) -> pd.DataFrame:
    return compounds.groupby("subdistrict").agg(
        households=("households", "sum"),
        population=("population", "sum"),
        communities=("community", "nunique"),
    )


# --- published figures --------------------------------------------------------------


def test_the_district_has_the_five_published_subdistricts(compounds, subdistricts):
    names = {"北京中路", "长城中路", "黄河东路", "上海西路", "满城北街"}
    assert set(compounds["subdistrict"]) == names
    assert set(subdistricts.index) == names


def test_the_district_has_48_communities(compounds, communities):
    assert compounds["community"].nunique() == 48
    assert len(communities) == 48
    assert communities["name"].is_unique


def test_the_district_has_449_compounds(compounds):
    assert len(compounds) == 449
    assert compounds["compound_id"].is_unique
    assert compounds["name"].is_unique


def test_the_district_has_400_current_grids(buildings, grids):
    assert buildings["grid"].nunique() == 400
    assert len(grids) == 400


def test_the_district_has_279000_households_within_half_a_percent(compounds):
    assert compounds["households"].sum() == pytest.approx(279_000, rel=0.005)


def test_the_district_has_567000_people_within_half_a_percent(compounds):
    assert compounds["population"].sum() == pytest.approx(567_000, rel=0.005)


def test_changcheng_road_has_about_100000_households_and_200000_people(compounds):
    changcheng = by_subdistrict(compounds).loc["长城中路"]
    assert changcheng["households"] == pytest.approx(100_000, rel=0.05)
    assert changcheng["population"] == pytest.approx(200_000, rel=0.05)


def test_changcheng_road_has_2_3_times_the_communities_of_beijing_road(compounds):
    table = by_subdistrict(compounds)
    ratio = table.loc["长城中路", "communities"] / table.loc["北京中路", "communities"]
    assert ratio == pytest.approx(2.3, rel=0.03)


def test_changcheng_road_has_6_7_times_the_households_of_beijing_road(compounds):
    table = by_subdistrict(compounds)
    ratio = table.loc["长城中路", "households"] / table.loc["北京中路", "households"]
    assert ratio == pytest.approx(6.7, rel=0.03)


def test_changcheng_road_has_4_2_times_the_people_of_beijing_road(compounds):
    table = by_subdistrict(compounds)
    ratio = table.loc["长城中路", "population"] / table.loc["北京中路", "population"]
    assert ratio == pytest.approx(4.2, rel=0.03)


def test_29_communities_hold_more_than_5000_households(compounds):
    per_community = compounds.groupby("community")["households"].sum()
    assert (per_community > 5_000).sum() == 29


def test_wulishuixiang_in_changcheng_road_has_12640_households_and_35340_people(compounds):
    wuli = compounds[compounds["community"] == "五里水乡"]
    assert set(wuli["subdistrict"]) == {"长城中路"}
    assert wuli["households"].sum() == 12_640
    assert wuli["population"].sum() == 35_340


def test_wulishuixiang_holds_about_77_percent_of_beijing_roads_population(compounds):
    wuli = compounds.loc[compounds["community"] == "五里水乡", "population"].sum()
    beijing = compounds.loc[compounds["subdistrict"] == "北京中路", "population"].sum()
    assert wuli / beijing == pytest.approx(0.77, abs=0.02)


def test_the_four_pilot_compounds_of_the_reform_are_present_once(compounds):
    for name in ("枫林湾", "未来城", "居安家园", "新海家园二期"):
        assert (compounds["name"] == name).sum() == 1, name


def test_there_are_20_police_rooms_and_29_health_stations():
    facilities = read("facilities")
    assert (facilities["kind"] == "police_room").sum() == 20
    assert (facilities["kind"] == "health_station").sum() == 29
    assert set(facilities["kind"]) == {"police_room", "health_station"}
    assert facilities["facility_id"].is_unique


def test_staff_are_the_reported_448_grid_workers_48_police_438_medical_34_cdc(staff):
    assert staff["grid_workers_part_time"].sum() == 382
    assert staff["grid_workers_full_time"].sum() == 66
    assert staff[["grid_workers_part_time", "grid_workers_full_time"]].to_numpy().sum() == 448
    assert staff["police"].sum() == 48
    assert staff["medical"].sum() == 438
    assert staff["cdc"].sum() == 34


def test_staff_are_given_per_community_for_every_community(staff, communities):
    per_community = staff[staff["level"] == "community"]
    assert set(staff["level"]) == {"community", "district"}
    assert sorted(per_community["community"]) == sorted(communities["name"])
    assert (per_community["police"] == 1).all()


def test_the_roster_names_every_grid_worker_and_police_officer_of_the_staff_table(staff):
    roster = pyogrio.read_dataframe(SAMPLE, layer="roster")
    assert roster["staff_id"].is_unique
    kinds = roster.groupby(["role", "employment"]).size().to_dict()
    assert kinds == {
        ("grid_worker", "full_time"): 66,
        ("grid_worker", "part_time"): 382,
        ("police", "full_time"): 48,
    }
    per_community = staff[staff["level"] == "community"].set_index("community").sort_index()
    workers = roster[roster["role"] == "grid_worker"]
    by_kind = workers.groupby(["community", "employment"]).size().unstack(fill_value=0)
    assert (by_kind["full_time"] == per_community["grid_workers_full_time"]).all()
    assert (by_kind["part_time"] == per_community["grid_workers_part_time"]).all()
    police = roster[roster["role"] == "police"].groupby("community").size()
    assert (police == per_community["police"]).all()


def test_every_current_grid_has_one_roster_worker_of_its_own_community(grids):
    roster = pyogrio.read_dataframe(SAMPLE, layer="roster")
    workers = roster[roster["grid"].notna()]
    assert sorted(workers["grid"]) == sorted(grids["grid_id"])
    community_of = grids.set_index("grid_id")["community"]
    assert (workers["grid"].map(community_of) == workers["community"]).all()


def test_roster_officers_work_from_their_own_communitys_police_room():
    roster = pyogrio.read_dataframe(SAMPLE, layer="roster")
    rooms = read("facilities").query("kind == 'police_room'").set_index("facility_id")
    officers = roster[roster["police_room"].notna()]
    assert len(officers) == 20
    assert (officers["police_room"].map(rooms["community"]) == officers["community"]).all()


# --- households and people ----------------------------------------------------------


def test_compounds_range_from_tens_to_a_few_thousand_households_none_above_4000(compounds):
    hh = compounds["households"]
    assert hh.min() < 100
    assert hh.max() >= 2_000
    assert hh.max() <= 4_000
    assert (hh >= 10).all()


def test_every_compound_has_at_least_as_many_people_as_households(compounds):
    assert (compounds["population"] >= compounds["households"]).all()
    assert (compounds["households"] > 0).all()


def test_compounds_have_about_1_8_to_2_6_people_per_household(compounds):
    size = compounds["population"] / compounds["households"]
    assert 1.8 <= size.median() <= 2.6
    # The published figures force the exceptions: 五里水乡 2.8 and 北京中路 ~3.1
    # (1/4.2 of the people but 1/6.7 of the households of 长城中路).
    forced = (compounds["subdistrict"] == "北京中路") | (compounds["community"] == "五里水乡")
    assert size[~forced].between(1.7, 2.6).mean() >= 0.9
    assert size[forced].median() > 2.6
    assert size.between(1.5, 4.0).all()


def test_buildings_sum_exactly_to_their_compounds(compounds, buildings):
    sums = buildings.groupby("compound_id")[["households", "population"]].sum()
    table = compounds.set_index("compound_id")[["households", "population"]]
    pd.testing.assert_frame_equal(sums.sort_index(), table.sort_index(), check_names=False)


def test_every_building_has_households_and_no_fewer_people(buildings):
    assert (buildings["households"] >= 1).all()
    assert (buildings["population"] >= buildings["households"]).all()


def test_compounds_have_one_to_forty_buildings_some_only_one_or_two(buildings, compounds):
    counts = buildings.groupby("compound_id").size()
    assert set(counts.index) == set(compounds["compound_id"])
    assert counts.max() <= 40
    assert (counts <= 2).sum() >= 3


def test_dissolved_layers_carry_the_sums_of_their_compounds(compounds, communities, subdistricts):
    comm = compounds.groupby("community")[["households", "population"]].sum()
    table = communities.set_index("name")[["households", "population"]]
    pd.testing.assert_frame_equal(table.sort_index(), comm.sort_index(), check_names=False)
    sub = compounds.groupby("subdistrict")[["households", "population"]].sum()
    pd.testing.assert_frame_equal(
        subdistricts[["households", "population"]].sort_index(), sub.sort_index(), check_names=False
    )


def test_dissolved_layers_cover_exactly_the_land_of_their_compounds(compounds, grids, communities):
    compound_area = compounds.to_crs(METRIC).area
    by_community = compound_area.groupby(compounds["community"]).sum()
    community_area = communities.to_crs(METRIC).set_index("name").area
    assert (community_area - by_community.loc[community_area.index]).abs().max() < 1.0
    # Voronoi cells cut along compound edges may leave specks: tolerate 1e-6 of the land.
    assert grids.to_crs(METRIC).area.sum() == pytest.approx(compound_area.sum(), rel=1e-6)


# --- grids ----------------------------------------------------------------------------


def test_every_grid_lies_inside_one_community(buildings, compounds, grids, communities):
    community_of = compounds.set_index("compound_id")["community"]
    per_grid = buildings.assign(community=buildings["compound_id"].map(community_of))
    assert (per_grid.groupby("grid")["community"].nunique() == 1).all()
    assert buildings["grid"].notna().all()
    metric_grids = grids.to_crs(METRIC).set_index("grid_id")
    metric_comms = communities.to_crs(METRIC).set_index("name")
    home = metric_grids["community"]
    inside = metric_grids.buffer(-0.5).within(metric_comms.geometry.loc[home].set_axis(home.index))
    assert inside.all()


def test_grid_codes_are_hierarchical_district_subdistrict_community_sequence(
    buildings, compounds, communities, grids
):
    assert grids["grid_id"].str.fullmatch(r"640106\d{9}").all()
    assert (grids["grid_id"].str[:12] == grids["community_id"]).all()
    assert communities["community_id"].str.fullmatch(r"640106\d{6}").all()
    assert (communities["community_id"].str[:9] == communities["subdistrict_id"]).all()
    code_of = communities.set_index("name")["community_id"]
    assert (compounds["community"].map(code_of) == compounds["community_id"]).all()


def test_grids_hold_about_700_households_as_an_under_staffed_district_has(grids):
    assert grids["households"].mean() == pytest.approx(697, abs=20)
    assert (grids["households"] > 500).mean() > 0.75


def test_large_compounds_hold_several_grids_and_some_grids_join_compounds(buildings):
    grids_per_compound = buildings.groupby("compound_id")["grid"].nunique()
    compounds_per_grid = buildings.groupby("grid")["compound_id"].nunique()
    assert (grids_per_compound > 1).sum() >= 20
    assert (compounds_per_grid > 1).sum() >= 20


# --- geometry -------------------------------------------------------------------------


def test_every_layer_is_in_cgcs2000_within_the_urban_area():
    for layer in SPATIAL_LAYERS:
        gdf = read(layer)
        assert gdf.crs.to_epsg() == 4490, layer
        minx, miny, maxx, maxy = gdf.total_bounds
        assert BBOX[0] <= minx and maxx <= BBOX[2], layer
        assert BBOX[1] <= miny and maxy <= BBOX[3], layer
        assert gdf.is_valid.all(), layer
        assert not gdf.is_empty.any(), layer


def test_each_layer_has_a_single_geometry_type():
    expected = {
        "subdistricts": "MultiPolygon",
        "communities": "MultiPolygon",
        "grids": "MultiPolygon",
        "landuse": "MultiPolygon",
        "compounds": "Polygon",
        "buildings": "Polygon",
        "roads": "LineString",
        "facilities": "Point",
    }
    for layer, geometry_type in expected.items():
        assert pyogrio.read_info(SAMPLE, layer=layer)["geometry_type"] == geometry_type, layer
        assert set(read(layer).geom_type) == {geometry_type}, layer


@pytest.mark.parametrize("layer", ["compounds", "grids", "communities", "subdistricts"])
def test_units_of_one_level_do_not_overlap(layer):
    metric = read(layer).to_crs(METRIC)
    pairs = gpd.sjoin(metric, metric, predicate="intersects")
    pairs = pairs[pairs.index < pairs["index_right"]]
    left = metric.geometry.loc[pairs.index].to_numpy()
    right = metric.geometry.loc[pairs["index_right"]].to_numpy()
    overlap = gpd.GeoSeries(left, crs=METRIC).intersection(gpd.GeoSeries(right, crs=METRIC))
    assert overlap.area.sum() < 1.0  # m², summed over the whole district


def test_compounds_inside_one_superblock_share_boundaries(compounds):
    metric = compounds.to_crs(METRIC)
    pairs = gpd.sjoin(metric, metric, predicate="touches")
    sharing = pairs.index.unique()
    assert len(sharing) / len(metric) > 0.6


def test_compounds_keep_off_the_roads_so_streets_separate_them(compounds):
    roads = read("roads").to_crs(METRIC)
    corridors = roads.buffer(roads["width_m"] / 2.0 - 0.5)
    corridors = gpd.GeoDataFrame(geometry=corridors, crs=METRIC)
    hits = gpd.sjoin(compounds.to_crs(METRIC), corridors, predicate="intersects")
    assert hits.empty


def test_compound_areas_vary_and_roughly_follow_households(compounds):
    area = compounds.to_crs(METRIC).area
    assert area.std() / area.mean() > 0.3
    site = area / compounds["households"]
    assert 100 <= site.median() <= 200
    assert np.corrcoef(area, compounds["households"])[0, 1] > 0.6


def test_buildings_lie_inside_their_compound_and_apart(buildings, compounds):
    metric_b = buildings.to_crs(METRIC)
    home = compounds.to_crs(METRIC).set_index("compound_id").geometry
    containers = gpd.GeoSeries(home.loc[metric_b["compound_id"]].to_numpy(), crs=METRIC)
    assert gpd.GeoSeries(metric_b.buffer(-0.05).to_numpy(), crs=METRIC).within(containers).all()
    pairs = gpd.sjoin(metric_b, metric_b, predicate="intersects")
    assert (pairs.index == pairs["index_right"]).all()


def test_buildings_are_rectangular_slabs(buildings):
    metric = buildings.to_crs(METRIC)
    assert (metric.area / metric.minimum_rotated_rectangle().area).min() > 0.99
    assert metric.area.between(50.0, 2_000.0).all()


def test_the_compound_graph_is_connected(compound_graph):
    assert nx.is_connected(compound_graph)


def test_communities_and_subdistricts_are_contiguous(compounds, compound_graph):
    for column in ("community", "subdistrict"):
        for name, members in compounds.groupby(column).groups.items():
            assert nx.is_connected(compound_graph.subgraph(members)), (column, name)


def test_grids_that_join_compounds_join_neighbours(compounds, buildings, compound_graph):
    position = pd.Series(compounds.index, index=compounds["compound_id"])
    for grid, members in buildings.groupby("grid")["compound_id"]:
        nodes = position.loc[members.unique()].tolist()
        assert nx.is_connected(compound_graph.subgraph(nodes)), grid


def test_current_units_are_contiguous_in_the_packages_own_adjacency_graph(buildings):
    from jinfeng_grid import graph, io

    compounds = io.read_compounds(SAMPLE)
    roads = gpd.read_file(SAMPLE, layer="roads").to_crs(compounds.crs)
    adjacency = graph.build_adjacency(compounds, barriers=roads)  # the defaults
    assert nx.is_connected(adjacency)
    for column in ("community", "subdistrict"):
        for name, members in compounds.groupby(column)["id"]:
            assert nx.is_connected(adjacency.subgraph(members)), (column, name)
    for grid, members in buildings.groupby("grid")["compound_id"]:
        assert nx.is_connected(adjacency.subgraph(members.unique())), grid


def test_roads_follow_the_yinchuan_naming_convention():
    roads = read("roads").to_crs(METRIC)
    assert set(roads["class"]) == {"arterial", "local"}
    bounds = roads.bounds
    east_west = (bounds["maxx"] - bounds["minx"]) > (bounds["maxy"] - bounds["miny"])
    assert roads.loc[east_west, "name"].str.endswith("路").all()
    assert roads.loc[~east_west, "name"].str.endswith("街").all()
    arterials = set(roads.loc[roads["class"] == "arterial", "name"])
    assert {"北京中路", "长城中路", "黄河东路", "亲水大街", "宁安大街", "正源街"} <= arterials
    widths = roads.groupby("class")["width_m"].agg(["min", "max"])
    assert widths.loc["arterial", "min"] >= 40 and widths.loc["arterial", "max"] <= 60
    assert widths.loc["local", "min"] >= 15 and widths.loc["local", "max"] <= 25


def test_lakes_and_parks_make_the_district_more_than_a_rectangle_of_housing():
    landuse = read("landuse")
    assert {"water", "park", "public"} <= set(landuse["kind"])
    assert {"阅海", "宝湖"} <= set(landuse["name"].dropna())


def test_facilities_stand_inside_compounds_of_their_community(compounds):
    facilities = read("facilities")
    hits = gpd.sjoin(facilities, compounds[["community", "geometry"]], predicate="within")
    assert len(hits) == len(facilities)
    assert (hits["community_left"] == hits["community_right"]).all()


def test_field_types_are_strings_for_ids_and_int64_for_counts(compounds, buildings):
    for gdf, ids in ((compounds, ("compound_id", "name", "community_id")), (buildings, ("grid",))):
        for column in ids:
            assert pd.api.types.is_string_dtype(gdf[column]) or gdf[column].dtype == object
        for column in ("households", "population"):
            assert gdf[column].dtype == np.int64
    assert compounds["compound_id"].str.fullmatch(r"C\d{4}").all()
    assert buildings["building_id"].str.fullmatch(r"C\d{4}-B\d{2}").all()


# --- the file -------------------------------------------------------------------------


def test_the_file_is_smaller_than_5_mb():
    assert SAMPLE.stat().st_size < 5 * 1024 * 1024


def load_script(name: str, monkeypatch: pytest.MonkeyPatch):
    """Import ``scripts/<name>.py`` (the scripts are not a package)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look it up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("chinese", [False, True], ids=["latin-labels", "cjk-labels"])
def test_the_sample_renders_to_a_png(tmp_path, monkeypatch, chinese):
    render = load_script("render_sample", monkeypatch)
    font = render.find_cjk_font() if chinese else None
    if chinese and font is None:
        pytest.skip("no CJK font installed")
    fig = render.plot_district(SAMPLE, cjk_font=font)
    out = tmp_path / "sample.png"
    try:
        fig.savefig(out, dpi=40)
    finally:
        render.plt.close(fig)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_generator_reproduces_the_committed_file_byte_for_byte(tmp_path, monkeypatch):
    module = load_script("make_sample_geodata", monkeypatch)
    out = module.main(tmp_path / "jinfeng.gpkg", module.DEFAULT_SEED)
    assert out.read_bytes() == SAMPLE.read_bytes(), (
        "the committed sample differs from the generator's output: "
        "run `python scripts/make_sample_geodata.py` and commit the file"
    )
