"""Adjacency of hand-drawn compounds and buildings: touching, corners, streets, barriers."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import pytest
import shapely
from conftest import BLOCK_M, ORIGIN, STREET_M, block, frame, lattice_compounds

from jinfeng_grid.errors import GeometryError, InputDataError
from jinfeng_grid.graph import (
    ComponentSummary,
    arterial_roads,
    build_adjacency,
    build_building_graph,
    graph_components,
)

X, Y = ORIGIN


def compounds_at(*cells: tuple[float, float], street: float = STREET_M) -> gpd.GeoDataFrame:
    """Blocks at lattice cells, ids K1, K2, ... and names 甲, 乙, ..."""
    names = "甲乙丙丁戊己庚辛"
    return frame(
        [
            {
                "id": f"K{k + 1}",
                "name": names[k],
                "households": 100,
                "population": 250,
                "geometry": block(*cell, street=street),
            }
            for k, cell in enumerate(cells)
        ]
    )


def road(x0: float, y0: float, x1: float, y1: float, cls: str = "arterial") -> dict:
    return {"name": cls, "class": cls, "geometry": shapely.LineString([(x0, y0), (x1, y1)])}


def test_touching_compounds_are_neighbours_with_their_shared_boundary_length():
    graph = build_adjacency(compounds_at((0, 0), (1, 0), street=0))
    assert list(graph.edges) == [("K1", "K2")]
    edge = graph.edges["K1", "K2"]
    assert edge["length"] == pytest.approx(BLOCK_M)
    assert edge["gap"] == 0 and edge["touching"] and not edge["barrier"]


def test_compounds_meeting_only_at_a_corner_are_not_neighbours():
    graph = build_adjacency(compounds_at((0, 0), (1, 1), street=0))
    assert graph.number_of_edges() == 0


def test_a_shared_boundary_below_the_minimum_is_not_an_edge():
    a = shapely.box(X, Y, X + 100, Y + 100)
    b = shapely.box(X + 100, Y + 99.5, X + 200, Y + 199.5)  # shares 0.5 m
    layer = frame([{"id": "A", "geometry": a}, {"id": "B", "geometry": b}])
    assert build_adjacency(layer, gap_tolerance_m=0).number_of_edges() == 0
    assert build_adjacency(layer, gap_tolerance_m=0, min_shared_m=0.1).number_of_edges() == 1


def test_compounds_across_a_street_within_the_tolerance_face_each_other():
    graph = build_adjacency(compounds_at((0, 0), (1, 0)), gap_tolerance_m=30)
    edge = graph.edges["K1", "K2"]
    assert edge["gap"] == pytest.approx(STREET_M)
    assert edge["length"] == pytest.approx(BLOCK_M)
    assert not edge["touching"]


def test_compounds_across_a_street_wider_than_the_tolerance_are_not_neighbours():
    graph = build_adjacency(compounds_at((0, 0), (1, 0)), gap_tolerance_m=15)
    assert graph.number_of_edges() == 0


def test_diagonal_compounds_across_a_crossroads_are_not_neighbours():
    graph = build_adjacency(compounds_at((0, 0), (1, 1)), gap_tolerance_m=40)
    assert graph.number_of_edges() == 0


def test_a_lattice_of_blocks_gives_rook_adjacency():
    graph = build_adjacency(lattice_compounds(3, 3), gap_tolerance_m=30)
    assert graph.number_of_edges() == 12
    assert nx.is_connected(graph)


def test_an_arterial_between_two_compounds_flags_the_edge_and_a_local_road_does_not():
    layer = compounds_at((0, 0), (1, 0), (0, 1))
    mid_x, mid_y = X + BLOCK_M + STREET_M / 2, Y + BLOCK_M + STREET_M / 2
    roads = frame(
        [
            road(mid_x, Y - 50, mid_x, Y + 400, "arterial"),
            road(X - 50, mid_y, X + 400, mid_y, "local"),
        ]
    )
    graph = build_adjacency(layer, gap_tolerance_m=30, barriers=roads)
    assert graph.edges["K1", "K2"]["barrier"]
    assert not graph.edges["K1", "K3"]["barrier"]
    assert arterial_roads(roads).shape == (1,)


@pytest.mark.parametrize("cls", ["主干路", "快速路", " Arterial ", "primary"])
def test_chinese_and_osm_arterial_classes_are_barriers_and_branch_roads_are_not(cls):
    roads = frame([road(X, Y, X + 400, Y, cls), road(X, Y + 200, X + 400, Y + 200, "支路")])
    assert arterial_roads(roads).shape == (1,)


def test_compounds_across_a_wide_arterial_are_neighbours_flagged_as_barrier():
    layer = compounds_at((0, 0), (1, 0), street=60)  # a 60 m arterial
    mid_x = X + BLOCK_M + 30
    roads = frame([road(mid_x, Y - 50, mid_x, Y + 200)])
    assert build_adjacency(layer, gap_tolerance_m=30).number_of_edges() == 0
    graph = build_adjacency(layer, gap_tolerance_m=30, barriers=roads)
    edge = graph.edges["K1", "K2"]
    assert edge["barrier"] and edge["gap"] == pytest.approx(60)
    assert build_adjacency(layer, barriers=roads, barrier_gap_m=50).number_of_edges() == 0


def test_a_river_polygon_between_compounds_is_a_barrier():
    layer = compounds_at((0, 0), (1, 0))
    river = gpd.GeoSeries([shapely.box(X + 104, Y - 50, X + 116, Y + 200)], crs="EPSG:4544")
    graph = build_adjacency(layer, gap_tolerance_m=30, barriers=[river])
    assert graph.edges["K1", "K2"]["barrier"]


def test_an_island_is_reported_by_name_with_its_component():
    graph = build_adjacency(compounds_at((0, 0), (1, 0), (5, 5)), gap_tolerance_m=30)
    summary = graph_components(graph)
    assert isinstance(summary, ComponentSummary)
    assert summary.components == (("K1", "K2"), ("K3",))
    assert summary.islands == ("K3",)
    assert not summary.is_connected
    assert "islands (no neighbour): 丙 (K3)" in str(summary)
    assert repr(summary) == "<ComponentSummary 3 nodes, 1 edges, 2 components, 1 island>"


def test_connecting_islands_links_each_to_its_nearest_compound_with_a_flag():
    graph = build_adjacency(
        compounds_at((0, 0), (1, 0), (4, 0), (9, 9)), gap_tolerance_m=30, connect_islands=True
    )
    assert nx.is_connected(graph)
    links = {(u, v) for u, v, flag in graph.edges(data="island_link") if flag}
    assert ("K2", "K3") in links
    edge = graph.edges["K2", "K3"]
    assert edge["gap"] == pytest.approx(2 * BLOCK_M + 3 * STREET_M)
    assert edge["length"] == 0.0
    summary = graph_components(graph)
    assert summary.islands == ("K3", "K4")  # still reported after linking
    assert len(summary.island_links) == 2


def test_nodes_are_sorted_ids_with_the_mapped_fields_and_a_point_in_the_input_crs():
    layer = compounds_at((1, 0), (0, 0)).iloc[::-1]
    layer.attrs["input_crs"] = "EPSG:4490"
    graph = build_adjacency(layer)
    assert list(graph.nodes) == ["K1", "K2"]
    attrs = graph.nodes["K2"]
    assert attrs["name"] == "乙" and attrs["households"] == 100 and attrs["id"] == "K2"
    assert 105 < attrs["x"] < 107 and 38 < attrs["y"] < 39  # lon/lat
    assert graph.graph["crs"] == "EPSG:4490"


def test_a_layer_in_degrees_is_refused():
    with pytest.raises(GeometryError, match="must be in a metric CRS"):
        build_adjacency(lattice_compounds(2, 1).to_crs("EPSG:4490"))


def test_duplicate_ids_are_refused():
    layer = lattice_compounds(2, 1)
    layer["id"] = ["C01", "C01"]
    with pytest.raises(InputDataError, match="duplicates: C01"):
        build_adjacency(layer)


# --- buildings --------------------------------------------------------------------------


def buildings_in(cells: dict[str, tuple[float, float]], per_side: int = 2) -> gpd.GeoDataFrame:
    """``per_side``² 10 m buildings spread over each compound's block."""
    records = []
    step = BLOCK_M / per_side
    for compound_id, (col, row) in cells.items():
        x0 = X + col * (BLOCK_M + STREET_M)
        y0 = Y + row * (BLOCK_M + STREET_M)
        for i in range(per_side):
            for j in range(per_side):
                bx, by = x0 + i * step + step / 2 - 5, y0 + j * step + step / 2 - 5
                records.append(
                    {
                        "id": f"{compound_id}-{i}{j}",
                        "compound_id": compound_id,
                        "households": 10,
                        "geometry": shapely.box(bx, by, bx + 10, by + 10),
                    }
                )
    return frame(records)


def test_buildings_within_a_compound_are_linked_by_proximity_with_distances():
    buildings = buildings_in({"K1": (0, 0)})
    graph = build_building_graph(buildings, within_m=45)
    assert graph.number_of_nodes() == 4
    assert graph.number_of_edges() == 4  # the four sides, not the diagonals
    assert graph.edges["K1-00", "K1-01"]["distance"] == pytest.approx(40)
    assert graph.edges["K1-00", "K1-01"]["same_compound"]


def test_buildings_of_neighbouring_compounds_are_linked_across_the_street_only():
    compounds = compounds_at((0, 0), (1, 0), (0, 1))
    buildings = buildings_in({"K1": (0, 0), "K2": (1, 0), "K3": (0, 1)})
    roads = frame([road(X + 110, Y - 50, X + 110, Y + 400)])
    compound_graph = build_adjacency(compounds, gap_tolerance_m=30, barriers=roads)
    compound_graph.remove_edge("K1", "K3")
    graph = build_building_graph(buildings, compound_graph=compound_graph, within_m=45)
    across = {(u, v) for u, v, same in graph.edges(data="same_compound") if not same}
    assert ("K1-10", "K2-00") in across
    assert not any({u[:2], v[:2]} == {"K1", "K3"} for u, v in across)
    assert graph.edges["K1-10", "K2-00"]["barrier"]


def test_far_apart_buildings_of_one_compound_are_joined_by_their_nearest_link():
    buildings = buildings_in({"K1": (0, 0)})
    graph = build_building_graph(buildings, within_m=5)
    assert nx.is_connected(graph)
    assert all(flag for _, _, flag in graph.edges(data="nearest"))
    unconnected = build_building_graph(buildings, within_m=5, connect=False)
    assert unconnected.number_of_edges() == 0


def test_buildings_as_points_are_accepted():
    buildings = buildings_in({"K1": (0, 0)})
    buildings["geometry"] = buildings.geometry.centroid
    assert build_building_graph(buildings, within_m=55).number_of_edges() == 4


def test_each_separate_component_names_its_nearest_compound_outside_and_why():
    # K1-K2 and K3-K4 meet only diagonally across a crossroads; K5 is far away
    layer = compounds_at((0, 0), (0, 1), (1, 2), (1, 3), (6, 0))
    summary = graph_components(build_adjacency(layer, gap_tolerance_m=30))
    text = str(summary)
    assert summary.n_components == 3
    assert "nearest outside: 丙 (K3) – 乙 (K2) at 28.3 m (corners only, not facing)" in text
    assert "nearest outside: 戊 (K5) – 丙 (K3) at 519.2 m (beyond the 30 m gap tolerance)" in text
