"""The validate and graph commands, run in-process: exit codes, reports, no tracebacks."""

from __future__ import annotations

import json

import networkx as nx
import pandas as pd
import pytest
import shapely
from conftest import ORIGIN, block, frame, lattice_compounds

from jinfeng_grid import cli

X, Y = ORIGIN


def chinese(layer: pd.DataFrame) -> pd.DataFrame:
    return layer.rename(
        columns={"id": "编码", "name": "小区名称", "households": "户数", "population": "人口"}
    )


@pytest.fixture
def clean_gpkg(write_layer):
    return write_layer(lattice_compounds(3, 2), "district.gpkg", layer="compounds")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["-q", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_validate_exits_0_on_a_clean_file(capsys, clean_gpkg):
    code, out, _ = run(capsys, "validate", str(clean_gpkg))
    assert code == 0
    assert out == "validation of district.gpkg: 6 compounds: 0 errors, 0 warnings — clean\n"


def test_validate_exits_1_on_warnings_only(capsys, write_layer):
    layer = lattice_compounds(3, 2)
    layer["population"] = [50, 500, 750, 1000, 1250, 1500]  # C01: 50 people, 100 households
    code, out, _ = run(capsys, "validate", str(write_layer(layer, "d.gpkg")))
    assert code == 1
    assert "WARNING population below households: 1" in out


def test_validate_exits_2_on_errors_and_reports_them_all(capsys, write_layer):
    layer = lattice_compounds(3, 2)
    layer["households"] = pd.Series([100, "约300", 300, -4, 500, 600], dtype=object)
    layer["id"] = ["C01", "C01", "C03", "C04", "C05", "C06"]
    code, out, err = run(capsys, "validate", str(write_layer(layer, "d.gpkg")))
    assert code == 2
    assert "row 2, id C01 (小区02): households '约300' is not a number" in out
    assert "row 4, id C04 (小区04): households -4 is negative" in out
    assert "id C01 appears in rows 1, 2" in out
    assert err == ""


def test_validate_maps_chinese_columns_from_flags(capsys, write_layer):
    path = write_layer(chinese(lattice_compounds(2, 1)), "d.shp", encoding="GBK")
    code, out, _ = run(capsys, "validate", str(path), "--column", "id=编码")
    assert code == 0, out


def test_validate_reads_the_column_mapping_from_a_scenario_and_flags_win(
    capsys, write_layer, tmp_path
):
    # 住户 holds more households than people: the scenario's choice warns, the flag's is clean
    layer = chinese(lattice_compounds(2, 1)).assign(住户=[1000, 2000])
    path = write_layer(layer, "d.gpkg")
    scenario = tmp_path / "scenario.toml"
    scenario.write_text('[columns]\nid = "编码"\nhouseholds = "住户"\n', encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(path), "--config", str(scenario))
    assert code == 1 and "population 250 is below households 1,000" in out
    code, out, _ = run(
        capsys, "validate", str(path), "--config", str(scenario), "--column", "households=户数"
    )
    assert code == 0, out


def test_a_missing_required_column_exits_2_naming_the_columns(capsys, write_layer):
    path = write_layer(chinese(lattice_compounds(2, 1)), "d.gpkg")
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2
    assert "no column for the required compounds key(s) 'id'" in err
    assert "the layer's columns are: 编码, 小区名称, 户数, 人口" in err


def test_a_file_without_crs_exits_2_unless_crs_is_given(capsys, write_layer):
    layer = lattice_compounds(2, 1).set_crs(None, allow_override=True)
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        path = write_layer(layer, "nocrs.shp")
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2 and "GeometryError" in err and "--crs" in err
    code, _, _ = run(capsys, "validate", str(path), "--crs", "EPSG:4544")
    assert code == 0


def test_a_bad_column_flag_exits_2(capsys, clean_gpkg):
    code, _, err = run(capsys, "validate", str(clean_gpkg), "--column", "house=户数")
    assert code == 2 and "unknown compounds column key 'house'" in err


def test_validate_checks_the_buildings_layer_when_the_file_has_one(capsys, clean_gpkg):
    buildings = frame(
        [
            {
                "building_id": "B1",
                "compound_id": "C09",
                "households": 10,
                "geometry": block(0, 0).centroid,
            }
        ]
    )
    buildings.to_file(clean_gpkg, layer="buildings")
    code, out, _ = run(capsys, "validate", str(clean_gpkg))
    assert code == 2
    assert "row 1, id B1: compound id C09 matches no compound" in out
    code, out, _ = run(capsys, "validate", str(clean_gpkg), "--no-buildings")
    assert code == 0


def test_graph_writes_node_link_json_and_a_picture(capsys, clean_gpkg, tmp_path):
    out_json = tmp_path / "out" / "graph.json"
    code, out, _ = run(capsys, "graph", str(clean_gpkg), "--out", str(out_json))
    assert code == 0
    assert out.startswith("6 nodes, 7 edges, 1 component, 0 islands")
    graph = nx.node_link_graph(json.loads(out_json.read_text(encoding="utf-8")), edges="edges")
    assert sorted(graph.nodes) == ["C01", "C02", "C03", "C04", "C05", "C06"]
    assert graph.nodes["C01"]["name"] == "小区01"
    assert graph.nodes["C01"]["households"] == 100
    assert graph.edges["C01", "C02"]["length"] == pytest.approx(100)
    assert out_json.with_suffix(".png").stat().st_size > 10_000


def test_graph_flags_edges_across_arterials_of_the_roads_layer(capsys, clean_gpkg, tmp_path):
    line = shapely.LineString([(X + 110, Y - 50), (X + 110, Y + 300)])
    frame([{"name": "北京中路", "class": "arterial", "geometry": line}]).to_file(
        clean_gpkg, layer="roads"
    )
    out_json = tmp_path / "graph.json"
    code, _, _ = run(capsys, "graph", str(clean_gpkg), "--out", str(out_json), "--no-png")
    assert code == 0
    graph = nx.node_link_graph(json.loads(out_json.read_text(encoding="utf-8")), edges="edges")
    flagged = sorted((u, v) for u, v, b in graph.edges(data="barrier") if b)
    assert flagged == [("C01", "C02"), ("C04", "C05")]
    assert not out_json.with_suffix(".png").exists()


def test_graph_connects_islands_on_request_and_names_them(capsys, write_layer, tmp_path):
    layer = lattice_compounds(2, 1)
    layer.loc[1, "geometry"] = block(4, 0)
    path = write_layer(layer, "d.gpkg")
    code, out, _ = run(capsys, "graph", str(path), "--out", str(tmp_path / "g.json"))
    assert code == 0
    assert "islands (no neighbour): 小区01 (C01), 小区02 (C02)" in out
    code, out, _ = run(
        capsys, "graph", str(path), "--out", str(tmp_path / "g.json"), "--connect-islands"
    )
    assert "island link: 小区01 (C01) – 小区02 (C02)" in out


def test_graph_refuses_a_file_with_errors_listing_them(capsys, write_layer, tmp_path):
    layer = lattice_compounds(2, 1)
    layer["households"] = pd.Series(["约300", 200], dtype=object)
    path = write_layer(layer, "d.gpkg")
    code, _, err = run(capsys, "graph", str(path), "--out", str(tmp_path / "g.json"))
    assert code == 2
    assert "1 error in the input" in err and "'约300' is not a number" in err


def test_graph_takes_water_from_a_land_use_layer_as_a_barrier(capsys, write_layer, tmp_path):
    layer = lattice_compounds(2, 1, street=60)  # a 60 m canal between them
    path = write_layer(layer, "d.gpkg", layer="compounds")
    canal = shapely.box(X + 110, Y - 50, X + 150, Y + 200)
    park = shapely.box(X - 300, Y, X - 200, Y + 100)
    frame(
        [
            {"kind": "water", "name": "唐徕渠", "geometry": canal},
            {"kind": "park", "name": "公园", "geometry": park},
        ]
    ).to_file(path, layer="landuse")
    out_json = tmp_path / "g.json"
    argv = ["graph", str(path), "--out", str(out_json), "--no-png"]
    code, out, _ = run(capsys, *argv)
    assert out.startswith("2 nodes, 0 edges")
    code, out, _ = run(capsys, *argv, "--barrier-layer", "landuse:kind=water")
    assert code == 0 and out.startswith("2 nodes, 1 edges")
    graph = nx.node_link_graph(json.loads(out_json.read_text(encoding="utf-8")), edges="edges")
    assert graph.edges["C01", "C02"]["barrier"]
    code, _, err = run(capsys, *argv, "--barrier-layer", "landuse:kind")
    assert code == 2 and "is not LAYER or LAYER:COLUMN=VALUE" in err


@pytest.mark.slow
def test_the_sample_district_validates_and_its_graph_is_explained_or_connected(capsys, tmp_path):
    from jinfeng_grid import io

    sample = str(io.sample_path())
    code, out, _ = run(capsys, "validate", sample)
    assert code in (0, 1), out
    assert "ERROR" not in out
    argv = ["graph", sample, "--out", str(tmp_path / "g.json"), "--no-png"]
    code, out, _ = run(capsys, *argv, "--barrier-layer", "landuse:kind=water")
    assert code == 0
    first = out.splitlines()[0]
    if "1 component" not in first:
        # every separate component says which compound is nearest and why
        assert out.count("nearest outside:") == int(first.split(" components")[0].split()[-1]) - 1
    code, out, _ = run(capsys, *argv, "--connect-islands")
    assert ", 1 component," in out.splitlines()[0]
    graph = nx.node_link_graph(json.loads((tmp_path / "g.json").read_text("utf-8")), edges="edges")
    assert nx.is_connected(graph)
    assert any(barrier for _, _, barrier in graph.edges(data="barrier"))


def test_graph_also_writes_the_building_graph_on_request(capsys, clean_gpkg, tmp_path):
    argv = ["graph", str(clean_gpkg), "--out", str(tmp_path / "g.json"), "--no-png"]
    code, _, err = run(capsys, *argv, "--buildings-out", str(tmp_path / "b.json"))
    assert code == 2 and "--buildings-out needs a buildings layer" in err
    buildings = frame(
        [
            {
                "building_id": f"B{k}",
                "compound_id": f"C{k:02d}",
                "households": 100 * k,
                "geometry": block(k - 1, 0).centroid.buffer(5),
            }
            for k in (1, 2, 3)
        ]
    )
    buildings.to_file(clean_gpkg, layer="buildings")
    code, _, _ = run(capsys, *argv, "--buildings-out", str(tmp_path / "b.json"))
    assert code == 0
    data = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    graph = nx.node_link_graph(data, edges="edges")
    assert sorted(graph.edges) == [("B1", "B2"), ("B2", "B3")]
    # between the buildings' representative points (the Delaunay graph's edges)
    assert graph.edges["B1", "B2"]["distance"] == pytest.approx(120)
    assert graph.nodes["B1"]["compound_id"] == "C01"


def test_graph_writes_exactly_the_building_graph_it_describes(capsys, write_layer, tmp_path):
    # C01 | C02 across a 20 m street; 10 m buildings: B2 and B1 in C01 70 m apart, B1
    # and B3 facing each other 30 m apart across the street, B3 and B4 in C02 70 m apart
    from jinfeng_grid.graph import (
        build_adjacency,
        build_building_contiguity,
        build_building_graph,
    )

    compounds = lattice_compounds(2, 1)
    path = write_layer(compounds, "d.gpkg", layer="compounds")
    corners = {"B1": ("C01", 85, 45), "B2": ("C01", 5, 5), "B3": ("C02", 125, 45)}
    corners["B4"] = ("C02", 205, 85)
    buildings = frame(
        [
            {
                "id": name,
                "compound_id": compound,
                "households": 50,
                "geometry": shapely.box(X + x, Y + y, X + x + 10, Y + y + 10),
            }
            for name, (compound, x, y) in corners.items()
        ]
    )
    buildings.to_file(path, layer="buildings")
    out_json = tmp_path / "b.json"
    argv = ["graph", str(path), "--out", str(tmp_path / "g.json"), "--no-png"]
    code, _, _ = run(capsys, *argv, "--buildings-out", str(out_json))
    assert code == 0
    written = nx.node_link_graph(json.loads(out_json.read_text(encoding="utf-8")), edges="edges")
    # the graph plan draws grids from (--buildings-out's help): Delaunay neighbours
    # within a compound and across neighbouring compounds, not the proximity pairs
    compound_graph = build_adjacency(compounds)
    expected = build_building_contiguity(buildings, compound_graph=compound_graph)
    assert sorted(written.nodes) == ["B1", "B2", "B3", "B4"]
    assert sorted(written.edges) == sorted(expected.edges)
    proximity = build_building_graph(buildings, compound_graph=compound_graph)
    assert set(map(frozenset, proximity.edges)) < set(map(frozenset, written.edges))
