"""四至: each side of a community names the road along it, else its neighbour, else 区界.

The layout (metres, EPSG:4544)::

                  北京中路 (y = 1030)
      ┌────────┐  ┌──────────┐ 正源街
      │ 六盘山 │  │   康平   │ (x = 1030)
      └────────┘  └──────────┘
                  黄河东路 (y = -30)

康平 is the square (0, 0)-(1000, 1000); 六盘山 lies 60 m west of it with no road
between them; a local road 支路 runs through the middle of 康平 (inside: no limit).
"""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import LineString, MultiPolygon, box

from jinfeng_grid.errors import InputDataError
from jinfeng_grid.report import SIDES, boundary_descriptions

CRS = "EPSG:4544"


def _units(*rows: tuple[str, str, object]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"community_id": [r[0] for r in rows], "name": [r[1] for r in rows]},
        geometry=[r[2] for r in rows],
        crs=CRS,
    )


def _roads(*rows: tuple[str, float, list[tuple[float, float]]]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": [r[0] for r in rows], "width_m": [r[1] for r in rows]},
        geometry=[LineString(r[2]) for r in rows],
        crs=CRS,
    )


@pytest.fixture
def layout() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    units = _units(
        ("A", "康平", box(0, 0, 1000, 1000)),
        ("B", "六盘山", box(-1060, 0, -60, 1000)),
    )
    roads = _roads(
        ("正源街", 20, [(1030, -200), (1030, 1200)]),
        ("黄河东路", 50, [(-1200, -30), (1200, -30)]),
        ("北京中路", 40, [(-1200, 1030), (1200, 1030)]),
        ("支路", 10, [(500, 0), (500, 1000)]),
    )
    return units, roads


def test_each_side_names_the_road_along_it_else_the_neighbour(layout) -> None:
    units, roads = layout
    table = boundary_descriptions(units, roads=roads).set_index("community_id")
    assert table.loc["A", "text"] == "东至正源街，南至黄河东路，西至六盘山社区，北至北京中路"
    assert table.loc["A", list(SIDES)].tolist() == ["正源街", "黄河东路", "六盘山社区", "北京中路"]


def test_a_side_facing_nothing_is_the_district_edge_even_where_a_road_ends_at_its_corner(
    layout,
) -> None:
    units, roads = layout
    table = boundary_descriptions(units, roads=roads).set_index("community_id")
    # 黄河东路 and 北京中路 run on to x = -1200, past 六盘山's west corners
    assert table.loc["B", "text"] == "东至康平社区，南至黄河东路，西至区界，北至北京中路"


def test_a_road_inside_the_community_is_not_a_limit(layout) -> None:
    units, roads = layout
    table = boundary_descriptions(units, roads=roads)
    assert "支路" not in "".join(table["text"])


def test_a_road_too_far_from_the_side_is_not_named() -> None:
    units = _units(("A", "康平", box(0, 0, 1000, 1000)))
    roads = _roads(("远路", 10, [(1200, -100), (1200, 1100)]))
    table = boundary_descriptions(units, roads=roads, road_distance_m=40)
    assert table.loc[0, "east"] == "区界"
    wider = boundary_descriptions(units, roads=roads, road_distance_m=250)
    assert wider.loc[0, "east"] == "远路"


def test_without_roads_the_limits_are_neighbours_or_the_district_edge(layout) -> None:
    units, _ = layout
    table = boundary_descriptions(units).set_index("community_id")
    assert table.loc["A", "text"] == "东至区界，南至区界，西至六盘山社区，北至区界"


def test_a_road_splitting_a_community_in_two_parts_is_not_a_limit() -> None:
    split = MultiPolygon([box(0, 0, 450, 1000), box(550, 0, 1000, 1000)])
    units = _units(("A", "康平", split))
    roads = _roads(
        ("中间路", 60, [(500, -100), (500, 1100)]),
        ("正源街", 20, [(1030, -100), (1030, 1100)]),
    )
    table = boundary_descriptions(units, roads=roads)
    assert table.loc[0, "east"] == "正源街"
    assert "中间路" not in table.loc[0, "text"]


def test_the_road_along_most_of_a_side_wins_and_ties_go_to_the_first_name() -> None:
    units = _units(("A", "康平", box(0, 0, 1000, 1000)))
    roads = _roads(
        ("短街", 10, [(1030, 0), (1030, 400)]),
        ("长街", 10, [(1030, 400), (1030, 1000)]),
    )
    assert boundary_descriptions(units, roads=roads).loc[0, "east"] == "长街"
    even = _roads(("乙街", 10, [(1030, 0), (1030, 500)]), ("甲街", 10, [(1030, 500), (1030, 1000)]))
    assert boundary_descriptions(units, roads=even).loc[0, "east"] == min("乙街", "甲街")


def test_the_text_is_deterministic(layout) -> None:
    units, roads = layout
    first = boundary_descriptions(units, roads=roads)
    again = boundary_descriptions(units.iloc[::-1].reset_index(drop=True), roads=roads.iloc[::-1])
    assert (
        first.set_index("community_id")["text"].to_dict()
        == again.set_index("community_id")["text"].to_dict()
    )


def test_a_community_name_already_ending_in_shequ_is_not_doubled() -> None:
    units = _units(
        ("A", "康平社区", box(0, 0, 1000, 1000)), ("B", "湖滨", box(1060, 0, 2060, 1000))
    )
    table = boundary_descriptions(units).set_index("community_id")
    assert table.loc["B", "west"] == "康平社区"


def test_geographic_coordinates_are_refused() -> None:
    units = _units(("A", "康平", box(106.2, 38.5, 106.21, 38.51))).set_crs(
        "EPSG:4490", allow_override=True
    )
    with pytest.raises(InputDataError, match="geographic CRS: distances need metres"):
        boundary_descriptions(units)


def test_missing_columns_and_repeated_ids_are_named() -> None:
    units = _units(("A", "康平", box(0, 0, 10, 10)), ("A", "湖滨", box(20, 0, 30, 10)))
    with pytest.raises(InputDataError, match="community id\\(s\\) repeat: A"):
        boundary_descriptions(units)
    with pytest.raises(InputDataError, match="lack column\\(s\\) name"):
        boundary_descriptions(units.drop(columns="name"))
