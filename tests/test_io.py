"""Reading users' files: formats, encodings, column mapping, CRS; scenario columns."""

from __future__ import annotations

import json
import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pyproj
import pytest
import shapely
from conftest import ORIGIN, block, frame, lattice_compounds

from jinfeng_grid import io
from jinfeng_grid.config import (
    ColumnMap,
    LayerColumns,
    Scenario,
    load_scenario,
    load_scenario_columns,
    parse_column_flags,
)
from jinfeng_grid.crs import gcj02_to_wgs84, is_metric, wgs84_to_gcj02, working_crs
from jinfeng_grid.errors import ConfigError, GeometryError, InputDataError


def chinese_compounds() -> gpd.GeoDataFrame:
    """Two compounds with Chinese column names, as a city platform exports them."""
    return frame(
        [
            {
                "编码": "A1",
                "小区名称": "枫林湾",
                "户数": 620,
                "人口": 1500,
                "geometry": block(0, 0),
            },
            {
                "编码": "A2",
                "小区名称": "未来城",
                "户数": "约300",
                "人口": 800,
                "geometry": block(1, 0),
            },
        ]
    )


# --- formats and encodings --------------------------------------------------------------


def test_a_geopackage_layer_is_read_with_canonical_columns_in_the_working_crs(write_layer):
    path = write_layer(lattice_compounds(2, 1), "district.gpkg", layer="compounds")
    compounds = io.read_compounds(path)
    assert list(compounds.columns[:4]) == ["id", "name", "households", "population"]
    assert compounds.crs.to_epsg() == 4544
    assert pyproj.CRS(compounds.attrs["input_crs"]).to_epsg() == 4544
    assert compounds.attrs["columns"]["households"] == "households"
    assert compounds.attrs["layer"] == "compounds"


def test_a_gbk_shapefile_without_cpg_is_read_with_its_chinese_column_names(write_layer):
    path = write_layer(chinese_compounds(), "district.shp", encoding="GBK")
    path.with_suffix(".cpg").unlink()  # CAD exports often have no .cpg
    compounds = io.read_compounds(path, columns={"id": "编码"})
    assert compounds.attrs["columns"] == {
        "id": "编码",
        "name": "小区名称",
        "households": "户数",
        "population": "人口",
    }
    assert compounds["name"].tolist() == ["枫林湾", "未来城"]


def test_a_gbk_shapefile_with_cpg_is_read_as_gdal_says(write_layer):
    path = write_layer(chinese_compounds(), "district.shp", encoding="GBK")
    compounds = io.read_compounds(path, columns={"id": "编码"})
    assert compounds["name"].tolist() == ["枫林湾", "未来城"]


def test_reading_keeps_bad_values_as_they_are_for_validation(write_layer):
    path = write_layer(chinese_compounds(), "district.gpkg")
    compounds = io.read_compounds(path, columns={"id": "编码"})
    assert compounds["households"].tolist() == ["620", "约300"]


def test_a_geojson_in_cgcs2000_lon_lat_is_reprojected_to_gauss_kruger_105(write_layer):
    lonlat = lattice_compounds(2, 1).to_crs("EPSG:4490")
    path = write_layer(lonlat, "district.geojson")
    compounds = io.read_compounds(path)
    assert compounds.crs.to_epsg() == 4544
    assert pyproj.CRS(compounds.attrs["input_crs"]).to_epsg() == 4490
    np.testing.assert_allclose(compounds.area, 10_000, rtol=1e-6)


def test_a_flatgeobuf_is_read(write_layer):
    path = write_layer(lattice_compounds(2, 1), "district.fgb")
    assert len(io.read_compounds(path)) == 2


def test_a_file_without_crs_is_an_error_unless_crs_is_given(write_layer):
    layer = lattice_compounds(2, 1).set_crs(None, allow_override=True)
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        path = write_layer(layer, "nocrs.shp")
    with pytest.raises(GeometryError, match=r"has no CRS.*--crs, e\.g\. --crs EPSG:4490"):
        io.read_compounds(path)
    compounds = io.read_compounds(path, crs="EPSG:4544")
    assert compounds.crs.to_epsg() == 4544


def test_a_crs_flag_that_contradicts_the_file_is_an_error(write_layer):
    path = write_layer(lattice_compounds(2, 1), "district.gpkg")
    with pytest.raises(GeometryError, match="but --crs says EPSG:4490"):
        io.read_compounds(path, crs="EPSG:4490")


# --- column mapping ------------------------------------------------------------------------


def test_a_missing_required_column_names_the_columns_the_file_has(write_layer):
    path = write_layer(chinese_compounds().drop(columns=["人口"]), "district.gpkg")
    with pytest.raises(
        InputDataError,
        match=r"required compounds key\(s\) 'population'; the layer's columns are: "
        r"编码, 小区名称, 户数: map them with --column population=NAME",
    ):
        io.read_compounds(path, columns={"id": "编码"})


def test_a_mapping_to_a_column_that_does_not_exist_is_an_error(write_layer):
    path = write_layer(chinese_compounds(), "district.gpkg")
    with pytest.raises(
        InputDataError, match=r"column '住户' \(mapped to compounds key 'households'\)"
    ):
        io.read_compounds(path, columns={"id": "编码", "households": "住户"})


def test_missing_optional_fields_are_fine_and_other_columns_are_kept(write_layer):
    layer = lattice_compounds(2, 1).drop(columns=["name"]).assign(物业="万科")
    compounds = io.read_compounds(write_layer(layer, "district.gpkg"))
    assert "name" not in compounds.columns
    assert compounds["物业"].tolist() == ["万科", "万科"]


def test_a_user_column_with_a_canonical_name_is_kept_aside_when_another_is_mapped(write_layer):
    layer = lattice_compounds(2, 1).assign(小区名称=["甲", "乙"])
    compounds = io.read_compounds(write_layer(layer, "d.gpkg"), columns={"name": "小区名称"})
    assert compounds["name"].tolist() == ["甲", "乙"]
    assert compounds["name_input"].tolist() == ["小区01", "小区02"]


def test_buildings_roads_and_facilities_are_read_from_their_layers(write_layer):
    path = write_layer(lattice_compounds(2, 1), "d.gpkg", layer="compounds")
    buildings = frame(
        [{"building_id": "B1", "compound_id": "C01", "households": 50, "geometry": block(0, 0)}]
    )
    buildings.to_file(path, layer="buildings")
    line = shapely.LineString([(ORIGIN[0] - 50, ORIGIN[1]), (ORIGIN[0] + 500, ORIGIN[1])])
    frame([{"道路名称": "北京中路", "等级": "arterial", "geometry": line}]).to_file(
        path, layer="roads"
    )
    point = shapely.Point(ORIGIN)
    facilities = frame([{"facility_id": "F1", "kind": "police_room", "geometry": point}])
    facilities.to_file(path, layer="facilities")
    assert io.read_buildings(path)["id"].tolist() == ["B1"]
    assert io.read_roads(path)["class"].tolist() == ["arterial"]
    assert io.read_facilities(path)["kind"].tolist() == ["police_room"]
    assert io.list_layers(path) == ["compounds", "buildings", "roads", "facilities"]


def test_a_multi_layer_file_without_a_compounds_layer_asks_for_one(write_layer):
    path = write_layer(lattice_compounds(2, 1), "d.gpkg", layer="小区")
    lattice_compounds(1, 1).to_file(path, layer="other")
    with pytest.raises(InputDataError, match=r"several layers \(小区, other\).*--layer"):
        io.read_compounds(path)
    assert len(io.read_compounds(path, layer="小区")) == 2


def test_an_unknown_layer_lists_the_layers(write_layer):
    path = write_layer(lattice_compounds(2, 1), "d.gpkg", layer="compounds")
    with pytest.raises(InputDataError, match="has no layer 'x'; its layers are: compounds"):
        io.read_compounds(path, layer="x")


def test_a_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputDataError, match="does not exist"):
        io.read_compounds(tmp_path / "nope.gpkg")


# --- scenario [columns] and --column flags --------------------------------------------------


def test_a_scenario_maps_columns_of_every_layer_and_keeps_other_tables(tmp_path):
    path = tmp_path / "scenario.toml"
    path.write_text(
        '[columns]\nid = "编码"\nhouseholds = "户数"\n\n'
        '[columns.buildings]\ncompound_id = "所属小区"\n\n'
        "[community]\nmax_households = 3000\n",
        encoding="utf-8",
    )
    scenario = load_scenario(path)
    assert isinstance(scenario, Scenario)
    assert scenario.columns.compounds.as_dict() == {"id": "编码", "households": "户数"}
    assert scenario.columns.buildings.get("compound_id") == "所属小区"
    assert scenario.extra["community"] == {"max_households": 3000}
    assert load_scenario_columns(path) == scenario.columns


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[columns]\nhouse = "户数"\n', "unknown compounds column key 'house'"),
        ('[columns.streets]\nname = "x"\n', r"unknown table \[columns.streets\]"),
        ("[columns]\nid = 3\n", r"\[columns\].id must be a column name"),
        ("[columns\n", "is not valid TOML"),
    ],
)
def test_a_malformed_columns_table_is_a_config_error(tmp_path, text, message):
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_scenario(path)


def test_column_flags_map_compounds_and_other_layers_and_win_over_the_file():
    flags = parse_column_flags(["households=户数", "buildings.households=住户", "roads.class=等级"])
    assert flags.compounds.as_dict() == {"households": "户数"}
    assert flags.buildings.as_dict() == {"households": "住户"}
    from_file = ColumnMap(
        compounds=LayerColumns.from_mapping("compounds", {"households": "hh", "id": "编码"})
    )
    merged = from_file.merged(flags)
    assert merged.compounds.as_dict() == {"id": "编码", "households": "户数"}
    assert "households='户数'" in repr(merged)


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("households", "is not KEY=NAME"),
        ("streets.name=x", "unknown layer 'streets'"),
        ("buildings.name=x", "unknown buildings column key 'name'"),
    ],
)
def test_a_malformed_column_flag_is_a_config_error(flag, message):
    with pytest.raises(ConfigError, match=message):
        parse_column_flags([flag])


# --- CRS ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lonlat", "epsg"),
    [
        ((106.23, 38.49), 4544),  # Yinchuan: CM 105°E
        ((105.0, 36.0), 4544),
        ((116.4, 39.9), 4548),  # Beijing: CM 117°E
        ((121.5, 31.2), 4549),  # Shanghai: CM 120°E
        ((-106.0, 35.0), 32613),  # New Mexico: UTM 13N
        ((151.2, -33.9), 32756),  # Sydney: UTM 56S
    ],
)
def test_the_working_crs_is_the_gauss_kruger_zone_in_china_and_utm_elsewhere(lonlat, epsg):
    assert working_crs(lonlat).to_epsg() == epsg


def test_a_layer_already_in_metres_keeps_its_crs():
    assert working_crs(lattice_compounds(1, 1)).to_epsg() == 4544
    assert is_metric("EPSG:4544") and not is_metric("EPSG:4490")


def test_gcj02_round_trip_is_within_a_metre_and_the_yinchuan_shift_is_hundreds_of_metres():
    lon, lat = np.array([106.23, 106.10, 116.39]), np.array([38.49, 38.45, 39.91])
    glon, glat = wgs84_to_gcj02(lon, lat)
    geod = pyproj.Geod(ellps="WGS84")
    _, _, shift = geod.inv(lon, lat, glon, glat)
    assert 300 < shift[0] < 800
    back_lon, back_lat = gcj02_to_wgs84(glon, glat)
    _, _, error = geod.inv(lon, lat, back_lon, back_lat)
    assert error.max() < 1.0


def test_gcj02_leaves_points_outside_china_unchanged():
    lon, lat = wgs84_to_gcj02(-106.0, 35.0)
    assert math.isclose(lon, -106.0) and math.isclose(lat, 35.0)


# --- writing -----------------------------------------------------------------------------


def test_a_graph_is_written_as_node_link_json_that_networkx_reads_back(tmp_path):
    graph = nx.Graph(kind="compounds")
    graph.add_node("C01", name="枫林湾", households=np.int64(620))
    graph.add_node("C02", name="未来城", households=None)
    graph.add_edge("C01", "C02", length=np.float64(100.0), barrier=np.bool_(True))
    path = io.write_graph_json(graph, tmp_path / "out" / "graph.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    back = nx.node_link_graph(data, edges="edges")
    assert back.nodes["C01"] == {"name": "枫林湾", "households": 620}
    assert back.edges["C01", "C02"] == {"length": 100.0, "barrier": True}
    assert "枫林湾" in path.read_text(encoding="utf-8")


def test_a_table_without_geometry_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "compounds.csv"
    path.write_text("id,households,population\nA,1,2\n", encoding="utf-8")
    with pytest.raises(GeometryError, match=r"has no geometry \(a table such as CSV"):
        io.read_compounds(path)


def test_one_column_may_serve_two_keys(write_layer):
    layer = lattice_compounds(2, 1).drop(columns=["households"])
    path = write_layer(layer, "d.gpkg")
    compounds = io.read_compounds(path, columns={"households": "population"})
    assert compounds["households"].tolist() == compounds["population"].tolist() == [250, 500]


def test_an_empty_compounds_layer_is_an_input_error(write_layer):
    path = write_layer(lattice_compounds(2, 1).iloc[:0], "d.gpkg", layer="compounds")
    with pytest.raises(InputDataError, match="has no rows"):
        io.read_compounds(path)


def test_the_sample_is_found_from_the_environment_or_a_parent_directory(
    tmp_path, monkeypatch
) -> None:
    from pathlib import Path

    repo_sample = Path(__file__).resolve().parents[1] / "sample_geodata" / "jinfeng.gpkg"
    monkeypatch.setenv("JINFENG_GRID_SAMPLE", str(repo_sample))
    monkeypatch.chdir(tmp_path)
    assert io.sample_path() == repo_sample
    monkeypatch.setenv("JINFENG_GRID_SAMPLE", str(tmp_path / "nowhere.gpkg"))
    with pytest.raises(InputDataError, match=r"JINFENG_GRID_SAMPLE names .*nowhere.gpkg"):
        io.sample_path()
    monkeypatch.delenv("JINFENG_GRID_SAMPLE")
    monkeypatch.chdir(repo_sample.parents[1] / "notebooks")
    assert io.sample_path().resolve() == repo_sample
