"""Siting posts: walking distances, candidates, the three models, the community rule.

Layouts are drawn by hand in EPSG:4544 metres around an origin near Yinchuan. Most
model tests use straight lines (no roads, detour factor 1) between the centres of
10 m compounds laid out on a line, so every walk is a difference of x coordinates and
the optimum can be worked out by hand (written beside each test).
"""

from __future__ import annotations

import itertools
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely

from jinfeng_grid.errors import ConfigError, GeometryError, InfeasibleSpecError, InputDataError
from jinfeng_grid.posts import candidate_sites, site_posts, walk_distances

CRS = "EPSG:4544"
X0, Y0 = 607_000.0, 4_261_000.0


def P(x: float, y: float = 0.0) -> shapely.Point:  # noqa: N802 - reads like maths
    return shapely.Point(X0 + x, Y0 + y)


def line(*points: tuple[float, float]) -> shapely.LineString:
    return shapely.LineString([(X0 + x, Y0 + y) for x, y in points])


def compounds_at(
    spec: list[tuple[str, float, int]], *, community: dict[str, str] | None = None
) -> gpd.GeoDataFrame:
    """10 m square compounds centred at (x, 0), with households (population twice)."""
    rows = []
    for cid, x, households in spec:
        rows.append(
            {
                "compound_id": cid,
                "community_id": (community or {}).get(cid, "K1"),
                "households": households,
                "population": 2 * households,
                "geometry": shapely.box(X0 + x - 5, Y0 - 5, X0 + x + 5, Y0 + 5),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def points(spec: list[tuple[str, float]], **columns: Any) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [s[0] for s in spec], **columns},
        geometry=[P(x) for _, x in spec],
        crs=CRS,
    )


def facilities(spec: list[tuple[str, float]], kind: str = "police_room") -> gpd.GeoDataFrame:
    frame = points(spec, kind=[kind] * len(spec), name=[f"{s[0]}室" for s in spec])
    other = points([("HS", 99_000.0)], kind=["health_station"], name=["远处卫生站"])
    return gpd.GeoDataFrame(
        [*frame.to_dict("records"), *other.to_dict("records")], geometry="geometry", crs=CRS
    )


def site(compounds: gpd.GeoDataFrame, existing: gpd.GeoDataFrame, **options: Any) -> Any:
    """Straight lines, detour 1, a 100 m walk (10 min x 10 m/min)."""
    defaults: dict[str, Any] = {
        "kind": "police_room",
        "walk_minutes": 10,
        "speed_m_per_min": 10,
        "detour_factor": 1.0,
    }
    return site_posts(compounds, existing, **{**defaults, **options})


def new_ids(result: Any) -> list[str]:
    return sorted(result.posts.loc[result.posts["status"] == "new", "post_id"])


# A line of four compounds; B and C are larger. Walk 100 m.
#   A(0) 100 hh   B(150) 120 hh   C(300) 120 hh   D(450) 100 hh
#   X at 75 reaches A, B (220); Z at 225 reaches B, C (240); Y at 375 reaches C, D (220)
LINE = [("A", 0, 100), ("B", 150, 120), ("C", 300, 120), ("D", 450, 100)]
XYZ = [("X", 75), ("Y", 375), ("Z", 225)]
FAR = [("E", 50_000)]  # an existing police room that reaches nobody


# --- walking distances ---------------------------------------------------------------


def test_the_walk_along_a_street_grid_is_the_manhattan_path_plus_both_attachments() -> None:
    # streets y=0 and y=200 crossed by x=0, 200, 400 (noded where they cross)
    roads = gpd.GeoSeries(
        [
            line((-50, 0), (450, 0)),
            line((-50, 200), (450, 200)),
            line((0, -50), (0, 250)),
            line((200, -50), (200, 250)),
            line((400, -50), (400, 250)),
        ],
        crs=CRS,
    )
    origins = gpd.GeoSeries([P(0, -10), P(90, 5)], index=["a", "b"], crs=CRS)
    sites = gpd.GeoSeries([P(410, 200), P(30, -3)], index=["s", "t"], crs=CRS)
    walk = walk_distances(origins, sites, roads=roads)
    assert walk.method == "network"
    # a: 10 to (0,0), 400 east + 200 north to (400,200), 10 to the site = 620
    assert walk.metres.loc["a", "s"] == pytest.approx(620.0)
    # b and t share the y=0 street: 5 + (90 - 30) + 3, not around a block
    assert walk.metres.loc["b", "t"] == pytest.approx(68.0)
    straight = shapely.distance(P(0, -10), P(410, 200))
    assert walk.metres.loc["a", "s"] > straight


def test_a_t_junction_drawn_one_metre_short_is_joined() -> None:
    roads = gpd.GeoSeries([line((0, 0), (1000, 0)), line((500, 1), (500, 400))], crs=CRS)
    walk = walk_distances(
        gpd.GeoSeries([P(0, -10)], crs=CRS), gpd.GeoSeries([P(510, 400)], crs=CRS), roads=roads
    )
    assert walk.method == "network"
    # 10 + 500 + (gap of 1 walked) + 399 + 10
    assert walk.metres.iloc[0, 0] == pytest.approx(920.0, abs=0.2)


def test_without_roads_the_walk_is_the_straight_line_times_the_detour_factor() -> None:
    walk = walk_distances(
        gpd.GeoSeries([P(0)], crs=CRS), gpd.GeoSeries([P(300, 400)], crs=CRS), detour_factor=1.3
    )
    assert walk.method == "straight_line"
    assert walk.metres.iloc[0, 0] == pytest.approx(650.0)


def test_pairs_on_separate_street_components_fall_back_to_the_detour() -> None:
    roads = gpd.GeoSeries([line((0, 0), (100, 0)), line((0, 500), (100, 500))], crs=CRS)
    origins = gpd.GeoSeries([P(50, -10)], crs=CRS)
    sites = gpd.GeoSeries([P(60, -10), P(50, 510)], crs=CRS)
    walk = walk_distances(origins, sites, roads=roads, detour_factor=1.5)
    assert walk.method == "network+detour"
    assert walk.detour_pairs == 1
    assert walk.metres.iloc[0, 0] == pytest.approx(30.0)  # 10 + 10 along + 10
    assert walk.metres.iloc[0, 1] == pytest.approx(520 * 1.5)


def test_a_compound_walks_from_its_nearest_gate() -> None:
    # a 100 m compound between a street on its south side and one on its east side
    compound = gpd.GeoSeries([shapely.box(X0, Y0 + 10, X0 + 100, Y0 + 110)], crs=CRS)
    roads = gpd.GeoSeries([line((-50, 0), (200, 0)), line((110, -50), (110, 300))], crs=CRS)
    site = gpd.GeoSeries([P(110, 260)], crs=CRS)
    walk = walk_distances(compound, site, roads=roads)
    # gates: (50, 10) on the south frontage, (100, 60) on the east one; the east gate
    # walks 10 to the street at (110, 60), then 200 north: 210
    assert walk.metres.iloc[0, 0] == pytest.approx(210.0)
    from_inside = walk_distances(compound, site, roads=roads, origin_points="point")
    # from the centre (50, 60) both streets are 60 m away: longer than from the gate
    assert from_inside.metres.iloc[0, 0] > walk.metres.iloc[0, 0]


def test_network_walks_are_never_shorter_than_the_straight_line() -> None:
    rng = np.random.default_rng(7)
    roads = gpd.GeoSeries(
        [line((x, -100), (x, 1100)) for x in range(0, 1001, 250)]
        + [line((-100, y), (1100, y)) for y in range(0, 1001, 200)],
        crs=CRS,
    )
    origins = gpd.GeoSeries([P(*xy) for xy in rng.uniform(0, 1000, (30, 2))], crs=CRS)
    sites = gpd.GeoSeries([P(*xy) for xy in rng.uniform(0, 1000, (20, 2))], crs=CRS)
    walk = walk_distances(origins, sites, roads=roads).metres.to_numpy()
    straight = shapely.distance(
        np.asarray(origins.values)[:, None], np.asarray(sites.values)[None, :]
    )
    assert (walk >= straight - 1e-6).all()


# --- candidates ------------------------------------------------------------------------


def test_candidates_are_main_gates_and_community_centres_without_near_duplicates() -> None:
    compounds = gpd.GeoDataFrame(
        {"compound_id": ["A", "B"], "community_id": ["K1", "K1"]},
        geometry=[
            shapely.box(X0, Y0 + 10, X0 + 100, Y0 + 110),  # faces y=0 along 100 m
            shapely.box(X0 + 102, Y0 + 10, X0 + 106, Y0 + 110),  # a 4 m sliver beside it
        ],
        crs=CRS,
    )
    roads = gpd.GeoSeries([line((-50, 0), (300, 0))], crs=CRS)
    communities = gpd.GeoDataFrame(
        {"community_id": ["K1"]}, geometry=[shapely.box(X0, Y0 + 10, X0 + 106, Y0 + 110)], crs=CRS
    )
    found = candidate_sites(compounds, roads=roads, communities=communities)
    assert found["candidate_id"].tolist() == ["G:A:0", "G:B:0", "K:K1"]
    gate = found.geometry.iloc[0]
    assert (gate.x - X0, gate.y - Y0) == pytest.approx((50.0, 10.0))
    # B's gate (104, 10) is 54 m from A's; within 60 m only the first is kept
    assert candidate_sites(compounds, roads=roads, dedupe_m=60)["candidate_id"].tolist() == [
        "G:A:0"
    ]
    # a candidate at an existing post is not a new site
    existing = gpd.GeoSeries([P(52, 9)], crs=CRS)
    kept = candidate_sites(compounds, roads=roads, existing=existing)
    assert kept["candidate_id"].tolist() == ["G:B:0"]


# --- maximal coverage ------------------------------------------------------------------


def test_coverage_with_one_post_takes_the_site_reaching_most_households() -> None:
    result = site(
        compounds_at(LINE), facilities(FAR), model="coverage", new=1, candidates=points(XYZ)
    )
    assert new_ids(result) == ["Z"]
    assert result.status == "optimal"
    assert result.objective == 100 + 100  # A and D stay outside the walk
    assert result.covered("before") == 0
    assert result.covered("after") == 240
    assert result.covered("after", "population") == 480


def test_coverage_with_two_posts_is_not_the_greedy_choice() -> None:
    # greedy takes Z (240) and then X or Y (+100): 340; the optimum X + Y reaches all 440
    result = site(
        compounds_at(LINE), facilities(FAR), model="coverage", new=2, candidates=points(XYZ)
    )
    assert new_ids(result) == ["X", "Y"]
    assert result.covered("after") == 440
    assert result.share("after") == 1.0


def test_coverage_keeps_existing_posts_and_builds_around_them() -> None:
    # an existing room at 375 already reaches C and D: the best new one is X (A, B)
    result = site(
        compounds_at(LINE),
        facilities([("R1", 375)]),
        model="coverage",
        new=1,
        candidates=points([("X", 75), ("Z", 225)]),
    )
    assert new_ids(result) == ["X"]
    existing = result.posts[result.posts["status"] == "existing"]
    assert existing["post_id"].tolist() == ["R1"]
    assert existing["households_covered"].tolist() == [220]
    assert (result.covered("before"), result.covered("after")) == (220, 440)


def test_coverage_opens_no_post_that_reaches_nobody_new() -> None:
    result = site(
        compounds_at(LINE), facilities(FAR), model="coverage", new=3, candidates=points(XYZ)
    )
    assert new_ids(result) == ["X", "Y"]
    assert result.new_posts == 2


# --- set cover --------------------------------------------------------------------------


def test_set_cover_finds_the_fewest_posts_and_names_the_compounds_none_reaches() -> None:
    spec = [*LINE, ("F", 5_000, 30)]
    result = site(
        compounds_at(spec),
        facilities(FAR),
        model="set_cover",
        candidates=points([*XYZ, ("W", 150)]),
    )
    assert new_ids(result) == ["X", "Y"]
    assert result.objective == 2
    assert result.uncoverable == ("F",)
    assert result.covered("after") == 440
    assert result.compounds.set_index("compound_id").loc["F", "covered_after"] == False  # noqa: E712


def test_set_cover_adds_nothing_when_existing_posts_reach_everyone() -> None:
    result = site(
        compounds_at(LINE[:2]), facilities([("R1", 75)]), model="set_cover", candidates=points(XYZ)
    )
    assert result.new_posts == 0
    assert result.share("before") == result.share("after") == 1.0


# --- p-median ---------------------------------------------------------------------------

# compounds at 0 (100 hh), 100 (150 hh), 1000 (300 hh); candidates at 0, 100, 500, 1000
MEDIAN = [("A", 0, 100), ("B", 100, 150), ("C", 1000, 300)]
MEDIAN_SITES = [("S0", 0), ("S100", 100), ("S500", 500), ("S1000", 1000)]


def test_p_median_with_one_post_is_the_weighted_median() -> None:
    # S1000: 100*1000 + 150*900 = 235,000; S500: 260,000; S100: 280,000; S0: 315,000
    result = site(
        compounds_at(MEDIAN),
        facilities(FAR),
        model="p_median",
        new=1,
        candidates=points(MEDIAN_SITES),
    )
    assert new_ids(result) == ["S1000"]
    assert result.objective == 235_000
    assert result.status == "optimal"


def test_p_median_with_two_posts_serves_the_heavier_near_pair() -> None:
    # {S100, S1000}: A walks 100 -> 10,000; {S0, S1000}: B walks 100 -> 15,000
    result = site(
        compounds_at(MEDIAN),
        facilities(FAR),
        model="p_median",
        new=2,
        candidates=points(MEDIAN_SITES),
    )
    assert new_ids(result) == ["S100", "S1000"]
    assert result.objective == 10_000
    served = result.posts.set_index("post_id")["households_served"]
    assert served["S100"] == 250 and served["S1000"] == 300 and served["E"] == 0


def test_p_median_keeps_existing_posts_open() -> None:
    result = site(
        compounds_at(MEDIAN),
        facilities([("R1", 1000)]),
        model="p_median",
        new=1,
        candidates=points(MEDIAN_SITES),
    )
    assert new_ids(result) == ["S100"]
    assert result.objective == 10_000


def test_every_model_reaches_the_brute_force_optimum_on_a_random_layout() -> None:
    rng = np.random.default_rng(2020)
    xs = rng.uniform(0, 1500, 14)
    spec = [
        (f"C{k:02d}", float(x), int(h))
        for k, (x, h) in enumerate(zip(xs, rng.integers(20, 400, 14), strict=True))
    ]
    sites = [(f"S{k}", float(x)) for k, x in enumerate(rng.uniform(0, 1500, 8))]
    compounds = compounds_at(spec)
    h = compounds["households"].to_numpy()
    walk = walk_distances(compounds, points(sites), detour_factor=1.0).metres.to_numpy()
    reach = walk <= 100

    def outside(subset: tuple[int, ...]) -> int:
        return int(h[~reach[:, list(subset)].any(axis=1)].sum()) if subset else int(h.sum())

    for new in (1, 2, 3):
        best = min(outside(s) for s in itertools.combinations(range(8), new))
        result = site(
            compounds, facilities(FAR), model="coverage", new=new, candidates=points(sites)
        )
        assert result.objective == best
        median = min(
            int((h * np.rint(walk[:, list(s)]).min(axis=1)).sum())
            for s in itertools.combinations(range(8), new)
        )
        result = site(
            compounds, facilities(FAR), model="p_median", new=new, candidates=points(sites)
        )
        assert result.objective == median
    coverable = outside(tuple(range(8)))
    fewest = next(
        k
        for k in range(9)
        if any(outside(s) == coverable for s in itertools.combinations(range(8), k))
    )
    result = site(compounds, facilities(FAR), model="set_cover", candidates=points(sites))
    assert result.new_posts == fewest


# --- every community --------------------------------------------------------------------

# K1 holds A (0, 500 hh) and B (150, 400 hh); K2 holds C (3000, 10 hh), far away
TWO = [("A", 0, 500), ("B", 150, 400), ("C", 3000, 10)]
TWO_COMMUNITY = {"A": "K1", "B": "K1", "C": "K2"}
TWO_SITES = [("X", 0), ("Y", 150), ("Z", 3000)]


def test_every_community_gets_a_police_room_even_at_the_cost_of_coverage() -> None:
    compounds = compounds_at(TWO, community=TWO_COMMUNITY)
    free = site(compounds, facilities(FAR), model="coverage", new=2, candidates=points(TWO_SITES))
    assert new_ids(free) == ["X", "Y"]
    assert free.coverage.set_index("community_id")["has_post_after"].to_dict() == {
        "K1": True,
        "K2": False,
    }
    ruled = site(
        compounds,
        facilities(FAR),
        model="coverage",
        new=2,
        candidates=points(TWO_SITES),
        every_community=True,
    )
    assert new_ids(ruled) == ["X", "Z"]
    assert ruled.coverage["has_post_after"].all()
    table = ruled.coverage.set_index("community_id")
    assert table.loc["K1", "households_within_walk_after"] == 500
    assert table.loc["K2", "households_within_walk_after"] == 10


def test_the_community_rule_says_how_many_posts_it_needs() -> None:
    compounds = compounds_at(TWO, community=TWO_COMMUNITY)
    with pytest.raises(InfeasibleSpecError, match=r"at least 2 new posts .* --new is 1"):
        site(
            compounds,
            facilities(FAR),
            model="coverage",
            new=1,
            candidates=points(TWO_SITES),
            every_community=True,
        )


def test_the_community_rule_names_a_community_no_candidate_serves() -> None:
    compounds = compounds_at(TWO, community=TWO_COMMUNITY)
    with pytest.raises(InfeasibleSpecError, match=r"no candidate site serves K2"):
        site(
            compounds,
            facilities(FAR),
            model="set_cover",
            candidates=points(TWO_SITES[:2]),
            every_community=True,
        )


# --- invariants and errors --------------------------------------------------------------


def test_households_and_population_are_conserved_in_every_table() -> None:
    result = site(
        compounds_at(LINE),
        facilities([("R1", 375)]),
        model="p_median",
        new=1,
        candidates=points(XYZ),
    )
    assert result.posts["households_served"].sum() == 440
    assert result.posts["population_served"].sum() == 880
    assert result.coverage["households"].sum() == 440
    assert result.summary()["households"] == 440
    assert set(result.posts["kind"]) == {"police_room"}


def test_a_walk_of_zero_minutes_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"walk in minutes must be a positive number, got 0"):
        site(
            compounds_at(LINE),
            facilities(FAR),
            model="coverage",
            new=1,
            candidates=points(XYZ),
            walk_minutes=0,
        )


def test_a_negative_number_of_new_posts_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"whole number ≥ 0, got -1"):
        site(compounds_at(LINE), facilities(FAR), model="coverage", new=-1, candidates=points(XYZ))


def test_coverage_needs_a_number_and_set_cover_refuses_one() -> None:
    with pytest.raises(ConfigError, match=r"coverage model needs the number of new posts"):
        site(compounds_at(LINE), facilities(FAR), model="coverage", candidates=points(XYZ))
    with pytest.raises(ConfigError, match=r"set_cover finds the least number"):
        site(compounds_at(LINE), facilities(FAR), model="set_cover", new=2, candidates=points(XYZ))


def test_a_kind_not_in_the_facilities_lists_the_kinds_present() -> None:
    with pytest.raises(
        InputDataError,
        match=r"no facility of kind 'school'; the kinds present are: "
        r"health_station, police_room",
    ):
        site(
            compounds_at(LINE),
            facilities(FAR),
            kind="school",
            model="set_cover",
            candidates=points(XYZ),
        )


def test_no_facilities_layer_is_refused() -> None:
    with pytest.raises(InputDataError, match=r"there is no facilities layer"):
        site(compounds_at(LINE), None, model="set_cover", candidates=points(XYZ))


def test_no_candidate_sites_is_refused() -> None:
    with pytest.raises(InputDataError, match=r"no candidate sites for new posts"):
        site(compounds_at(LINE), facilities(FAR), model="set_cover", candidates=points([]))


def test_p_median_cannot_open_more_posts_than_there_are_candidates() -> None:
    with pytest.raises(InfeasibleSpecError, match=r"asks for 5 new posts but there are only 3"):
        site(compounds_at(LINE), facilities(FAR), model="p_median", new=5, candidates=points(XYZ))


def test_the_same_input_gives_the_same_sites() -> None:
    runs = [
        site(
            compounds_at(LINE),
            facilities(FAR),
            model="coverage",
            new=1,
            candidates=points([("Z", 210), ("Z2", 240)]),
        )  # both reach B and C
        for _ in range(3)
    ]
    assert len({tuple(new_ids(r)) for r in runs}) == 1


def test_a_roads_layer_without_lines_means_straight_lines() -> None:
    roads = gpd.GeoSeries([shapely.LineString()], crs=CRS)
    walk = walk_distances(
        gpd.GeoSeries([P(0)], crs=CRS), gpd.GeoSeries([P(30, 40)], crs=CRS), roads=roads
    )
    assert walk.method == "straight_line"
    assert walk.metres.iloc[0, 0] == pytest.approx(65.0)


def test_walks_need_metres_and_a_known_starting_point() -> None:
    lonlat = gpd.GeoSeries([shapely.Point(106.2, 38.5)], crs="EPSG:4490")
    with pytest.raises(GeometryError, match=r"metric CRS"):
        walk_distances(lonlat, lonlat)
    metric = gpd.GeoSeries([P(0)], crs=CRS)
    with pytest.raises(ConfigError, match=r"origin_points must be 'gates' or 'point'"):
        walk_distances(metric, metric, origin_points="gate")  # type: ignore[arg-type]


def test_scipy_and_networkx_shortest_paths_agree() -> None:
    pytest.importorskip("scipy")
    from jinfeng_grid.posts import network as net

    roads = [line((x, -100), (x, 1100)) for x in range(0, 1001, 250)]
    roads += [line((-100, y), (1100 - y, y)) for y in range(0, 1001, 200)]
    roads += [line((5000, 0), (5100, 0))]  # a separate component: unreachable is inf
    network = net.build_street_network(np.array(roads, dtype=object))
    sources = np.arange(network.graph.number_of_nodes())
    fast = net._node_distances(network, sources)
    plain = net._node_distances_networkx(network, sources)
    assert np.array_equal(np.isinf(fast), np.isinf(plain))
    assert np.allclose(fast[np.isfinite(fast)], plain[np.isfinite(plain)])
    assert network.n_components == 2


@pytest.mark.parametrize("solver", ["highs", "cbc"])
@pytest.mark.parametrize(
    ("model", "new", "expected"),
    [("coverage", 2, ["X", "Y"]), ("set_cover", None, ["X", "Y"]), ("p_median", 1, ["Z"])],
)
def test_both_solvers_find_the_known_optimum(solver: str, model: str, new: Any, expected) -> None:
    # p_median with one post: Z (225) walks 225+75+75+225 m x households: the least
    result = site(
        compounds_at(LINE),
        facilities(FAR),
        model=model,
        new=new,
        candidates=points(XYZ),
        solver=solver,
    )
    assert new_ids(result) == expected
    assert result.status == "optimal"
    assert result.solver == solver
