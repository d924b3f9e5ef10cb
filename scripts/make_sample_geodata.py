"""Generate ``sample_geodata/jinfeng.gpkg``: a synthetic but faithful Jinfeng District.

The district is built in metres (EPSG:4544, CGCS2000 3-degree Gauss-Krüger, central
meridian 105°E) and written in CGCS2000 geographic coordinates (EPSG:4490):

1. a district outline with the 阅海 lake in the north-west and the 唐徕渠 canal;
2. a road network: east–west arterials 路 and north–south arterials 街 with real
   Yinchuan names, and local roads that stop at arterials (T-junctions) or run on;
3. superblocks = district minus road corridors and canal; some become parks and
   public land, the rest are split into 449 residential compounds that share
   boundaries;
4. subdistricts (superblock level) and communities (compound level) grown as
   contiguous regions with land shares equal to their calibrated household shares;
5. households and people per compound, exactly summing to the calibrated tables;
6. slab buildings inside each compound, 400 grids drawn from buildings,
   20 police rooms, 29 health stations, the staff table and the roster of the
   448 grid workers and 48 police behind it.

The same seed gives the same bytes: every random draw comes from one seeded
``numpy.random.Generator``, coordinates are rounded to 1e-7 degrees and the
GeoPackage timestamps are fixed. See ``sample_geodata/README.md``.

Usage::

    python scripts/make_sample_geodata.py [--seed 2020] [--out sample_geodata/jinfeng.gpkg]
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely import affinity
from shapely.geometry import LineString, MultiPoint, Point, Polygon

DEFAULT_SEED = 2020
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "sample_geodata" / "jinfeng.gpkg"

METRIC_CRS = "EPSG:4544"
OUTPUT_CRS = "EPSG:4490"
# South-west corner of the local metric frame (lon, lat); the frame is 8 km x 9.6 km.
ORIGIN_LONLAT = (106.185, 38.425)
WIDTH_M, HEIGHT_M = 8_000.0, 9_600.0
COORD_DECIMALS = 7  # ~1 cm; makes the output independent of last-bit PROJ noise
FIXED_TIMESTAMP = "2020-03-01T00:00:00.000Z"

DISTRICT_CODE = "640106"  # 银川市金凤区
N_COMPOUNDS = 449
N_GRIDS = 400
MAX_COMPOUND_HOUSEHOLDS = 3_900
MIN_COMPOUND_HOUSEHOLDS = 12
MAX_COMPOUND_M2 = 420_000.0  # the largest estates fill a superblock of ~600 m x 700 m
# Adjacency used while building (see street_graph): a strict version of the defaults
# of jinfeng_grid.graph.build_adjacency (local gap 30 m with 7.5 m of frontage,
# 80 m across an arterial with 20 m, 1 m of shared boundary), so every edge the
# construction relies on is also an edge of the package's graph, after rounding.
LOCAL_GAP_M, LOCAL_FACING_M = 28.0, 15.0
ARTERIAL_GAP_M, ARTERIAL_FACING_M = 58.0, 30.0  # and within the 60 m of the brief
MIN_SHARED_M = 5.0
SITE_M2_PER_HOUSEHOLD = 135.0  # residential land per household, roads excluded

# ---------------------------------------------------------------------------------
# Calibration tables (see README: published figures and the choices made around them)
# ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubdistrictSpec:
    """A subdistrict's code, name, household and population totals and communities."""

    code: str
    name: str
    households: int
    population: int
    communities: tuple[tuple[str, int], ...]  # (name, households)


SUBDISTRICTS: tuple[SubdistrictSpec, ...] = (
    SubdistrictSpec(
        "001",
        "北京中路",
        14_876,
        46_583,
        (
            ("康平", 2_861),
            ("湖滨", 2_143),
            ("光明", 2_604),
            ("丽景", 2_352),
            ("宝湖", 2_697),
            ("北安", 2_219),
        ),
    ),
    SubdistrictSpec(
        "002",
        "长城中路",
        99_718,
        195_649,
        (
            ("五里水乡", 12_640),
            ("银啤苑", 10_873),
            ("金家巷", 10_412),
            ("长城花园", 7_846),
            ("良田", 7_371),
            ("泰康", 6_838),
            ("上前城", 6_517),
            ("塞上", 6_149),
            ("枕水", 5_936),
            ("六盘山", 5_581),
            ("金凤", 5_418),
            ("正丰", 5_226),
            ("安居", 4_573),
            ("富宁", 4_338),
        ),
    ),
    SubdistrictSpec(
        "003",
        "黄河东路",
        52_655,
        104_712,
        (
            ("兴水", 7_912),
            ("银湖", 7_284),
            ("黄河", 6_793),
            ("丰庆", 6_421),
            ("宁苑", 5_874),
            ("同心", 5_513),
            ("清和", 4_688),
            ("友爱", 4_296),
            ("顺德", 3_874),
        ),
    ),
    SubdistrictSpec(
        "004",
        "上海西路",
        60_447,
        119_486,
        (
            ("阅海", 8_628),
            ("海宝", 7_695),
            ("新昌", 7_127),
            ("文昌", 6_584),
            ("上海", 6_012),
            ("德胜", 5_437),
            ("怀远", 4_916),
            ("团结", 4_782),
            ("安和", 4_571),
            ("永安", 4_695),
        ),
    ),
    SubdistrictSpec(
        "005",
        "满城北街",
        51_169,
        101_213,
        (
            ("满城", 8_231),
            ("亲水", 7_406),
            ("镇北", 6_688),
            ("贺兰", 6_127),
            ("金波", 5_592),
            ("尹家渠", 4_813),
            ("景观", 4_476),
            ("凤鸣", 4_215),
            ("唐徕", 3_621),
        ),
    ),
)

# 五里水乡: households and people as reported (both fixed exactly).
FIXED_COMMUNITY_POPULATION = {"五里水乡": 35_340}

PILOT_COMPOUNDS = ("枫林湾", "未来城", "居安家园", "新海家园二期")

# Arterials: (name, nominal position in the local frame [m], width [m]).
EW_ARTERIALS = (
    ("黄河东路", 950.0, 50.0),
    ("长城中路", 2_800.0, 56.0),
    ("上海西路", 4_550.0, 44.0),
    ("宝湖中路", 5_950.0, 40.0),
    ("北京中路", 7_350.0, 56.0),
    ("贺兰山中路", 8_900.0, 48.0),
)
NS_ARTERIALS = (
    ("亲水大街", 1_550.0, 50.0),
    ("满城北街", 3_100.0, 44.0),
    ("宁安大街", 4_650.0, 56.0),
    ("正源街", 6_200.0, 50.0),
    ("凤凰北街", 7_300.0, 40.0),
)
LOCAL_NAME_STEMS = (
    "兴水", "新昌", "康平", "泰康", "丰庆", "良田", "友爱", "湖滨", "银湖", "金波",
    "团结", "安和", "怀远", "清和", "德胜", "顺德", "同心", "海宝", "镇北", "塞上",
    "亲和", "永安", "福宁", "景观", "文昌", "正丰", "阅景", "宝丰", "凤翔", "锦绣",
    "枕水", "碧水", "丽子园", "悦海", "润泽", "尚德", "惠民", "兴庆", "建发", "金凤",
    "利民", "育才", "华雁", "宁苑", "汇丰", "宏图", "振兴", "广场", "安泰", "和顺",
)  # fmt: skip
COMPOUND_STEMS = (
    "阅海", "宝湖", "湖畔", "兴水", "新昌", "康平", "泰康", "丰庆", "良田", "丽景",
    "金凤", "银湖", "金波", "团结", "安和", "怀远", "清和", "德胜", "顺德", "同心",
    "海宝", "镇北", "塞上", "亲水", "永安", "福宁", "景观", "文昌", "正丰", "凤凰",
    "锦绣", "碧水", "悦海", "润泽", "尚德", "惠民", "华雁", "宁苑", "汇丰", "宏图",
    "紫檀", "橡树", "香溪", "金宇", "中房", "万家", "名仕", "民生", "大地", "鸿坤",
    "世纪", "天鹅湖", "西湖", "翡翠", "绿地", "金色", "丽水", "水岸", "御景", "朗润",
    "宁华", "上城", "塞纳", "银基", "燕鸽", "绿洲", "湖景", "晓镇", "书香", "新城",
)  # fmt: skip
COMPOUND_SUFFIXES = (
    "花园", "家园", "小区", "苑", "嘉园", "雅居", "名邸", "华府", "新村", "公寓",
    "佳园", "丽园", "湾", "城", "府", "国际", "新苑", "雅苑", "公馆", "水岸",
)  # fmt: skip


# ---------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------


def allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer ``total`` proportionally to ``weights`` (largest remainder)."""
    weights = np.asarray(weights, dtype=float)
    if total == 0 or len(weights) == 0:
        return np.zeros(len(weights), dtype=np.int64)
    raw = total * weights / weights.sum()
    out = np.floor(raw).astype(np.int64)
    rest = total - int(out.sum())
    order = np.lexsort((np.arange(len(raw)), -(raw - out)))
    out[order[:rest]] += 1
    return out


def noisy_ellipse(rng: np.random.Generator, cx: float, cy: float, rx: float, ry: float) -> Polygon:
    """A smooth irregular closed shape (lake shores)."""
    t = np.linspace(0, 2 * np.pi, 96, endpoint=False)
    r = np.ones_like(t)
    for k in (2, 3, 5):
        r += rng.uniform(0.03, 0.09) * np.cos(k * t + rng.uniform(0, 2 * np.pi))
    return Polygon(np.column_stack([cx + rx * r * np.cos(t), cy + ry * r * np.sin(t)]))


def _facing(
    a: np.ndarray, b: np.ndarray, gap: np.ndarray, reach: float
) -> tuple[np.ndarray, np.ndarray]:
    """Frontage of each pair across a gap, and the corridor between the two fronts.

    As in :mod:`jinfeng_grid.graph.geometry`: the mean length of each boundary within
    ``reach`` of the other polygon, minus the ``2 (reach - gap)`` that wraps round the
    ends of the facing stretch; the corridor is the convex hull of both stretches.
    """
    part_a = shapely.intersection(shapely.boundary(a), shapely.buffer(b, reach))
    part_b = shapely.intersection(shapely.boundary(b), shapely.buffer(a, reach))
    raw = (shapely.length(part_a) + shapely.length(part_b)) / 2
    facing = np.maximum(raw - 2 * np.maximum(reach - gap, 0.0), 0.0)
    return facing, shapely.convex_hull(shapely.union(part_a, part_b))


def street_graph(geoms: np.ndarray, arterials: np.ndarray) -> nx.Graph:
    """Adjacency of blocks or compounds: sharing a boundary or facing across a street.

    Neighbours share at least ``MIN_SHARED_M`` of boundary, or face each other with
    ``LOCAL_FACING_M`` of frontage across at most ``LOCAL_GAP_M``, or with
    ``ARTERIAL_FACING_M`` across an arterial road up to ``ARTERIAL_GAP_M`` wide.
    Corners meeting diagonally across a crossroads are not neighbours.
    """
    geoms = np.asarray(geoms, dtype=object)
    left, right = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=ARTERIAL_GAP_M)
    keep = left < right
    left, right = left[keep], right[keep]
    a, b = geoms[left], geoms[right]
    gap = shapely.distance(a, b)
    shared = np.where(
        gap <= 1e-6,
        shapely.length(shapely.intersection(shapely.boundary(a), shapely.boundary(b))),
        0.0,
    )
    local, _ = _facing(a, b, gap, 30.0)
    wide, corridor = _facing(a, b, gap, 80.0)
    across = np.zeros(len(left), dtype=bool)
    hit, _ = shapely.STRtree(arterials).query(corridor, predicate="intersects")
    across[np.unique(hit)] = True
    edge = (
        (shared >= MIN_SHARED_M)
        | ((gap <= LOCAL_GAP_M) & (local >= LOCAL_FACING_M))
        | ((gap <= ARTERIAL_GAP_M) & (wide >= ARTERIAL_FACING_M) & across)
    )
    graph = nx.Graph()
    graph.add_nodes_from(range(len(geoms)))
    graph.add_edges_from(zip(left[edge].tolist(), right[edge].tolist(), strict=True))
    return graph


def reading_order(xy: np.ndarray, band_m: float) -> np.ndarray:
    """Indices sorted north to south in bands of ``band_m``, west to east inside a band."""
    band = np.floor(-xy[:, 1] / band_m)
    return np.lexsort((xy[:, 0], band))


def bisect_points(
    xy: np.ndarray, weights: np.ndarray, targets: list[float], labels: list[int]
) -> np.ndarray:
    """Recursive coordinate bisection of weighted points into ``len(targets)`` parts.

    Each cut is perpendicular to the longer side of the points' extent and leaves
    weight shares equal (up to one point) to the shares of ``targets`` on each side.
    Returns the label of each point, taken from ``labels``.
    """
    out = np.empty(len(xy), dtype=np.int64)

    def recurse(idx: np.ndarray, tgt: list[float], lab: list[int]) -> None:
        if len(tgt) == 1:
            out[idx] = lab[0]
            return
        half = len(tgt) // 2
        share = sum(tgt[:half]) / sum(tgt)
        pts = xy[idx]
        span = pts.max(axis=0) - pts.min(axis=0)
        axis = int(span[1] > span[0])
        order = np.lexsort((pts[:, 1 - axis], pts[:, axis]))
        cum = np.cumsum(weights[idx][order])
        low, high = half, len(idx) - (len(tgt) - half)
        counts = np.arange(low, high + 1)
        best = int(counts[np.argmin(np.abs(cum[counts - 1] - share * cum[-1]))])
        recurse(idx[order[:best]], tgt[:half], lab[:half])
        recurse(idx[order[best:]], tgt[half:], lab[half:])

    recurse(np.arange(len(xy)), list(targets), list(labels))
    return out


# ---------------------------------------------------------------------------------
# Land: outline, lake, roads, superblocks
# ---------------------------------------------------------------------------------


def build_outline() -> Polygon:
    """The district boundary in the local frame: a rectangle with notched corners."""
    return Polygon(
        [
            (0, 1_400), (1_100, 1_400), (1_100, 0), (7_600, 0), (7_600, 2_300),
            (8_000, 2_300), (8_000, 8_600), (7_200, 8_600), (7_200, 9_600), (0, 9_600),
        ]
    )  # fmt: skip


def build_lakes(rng: np.random.Generator, outline: Polygon) -> list[tuple[str, Polygon]]:
    """阅海 in the north-west, partly cut by the district boundary."""
    yuehai = noisy_ellipse(rng, 250.0, 8_150.0, 1_150.0, 1_650.0).intersection(outline)
    return [("阅海", yuehai)]


def build_canal(rng: np.random.Generator, outline: Polygon) -> tuple[Polygon, Polygon]:
    """唐徕渠: an irrigation canal crossing the district from south to north-north-east.

    Returns the water (14 m wide) and its corridor with green banks (24 m wide, as
    narrow as a local street, so compounds on its two banks face each other);
    roads cross it on bridges, blocks stop at the banks, so the blocks it cuts are
    trapezoids and triangles rather than rectangles.
    """
    y = np.linspace(-200.0, HEIGHT_M + 200.0, 60)
    x = np.interp(
        y, [-200.0, 3_000.0, 6_000.0, HEIGHT_M + 200.0], [2_550.0, 3_250.0, 3_900.0, 4_300.0]
    )
    x = x + 60.0 * np.sin(y / 900.0 + rng.uniform(0, 2 * np.pi))
    line = LineString(np.column_stack([x, y]))
    water = line.buffer(7.0).intersection(outline)
    corridor = line.buffer(12.0).intersection(outline)
    return water, corridor


def _jittered_line(
    rng: np.random.Generator, along: np.ndarray, across: float, sd: float, ew: bool
) -> LineString:
    offs = across + rng.normal(0.0, sd, len(along))
    coords = np.column_stack([along, offs]) if ew else np.column_stack([offs, along])
    return LineString(coords)


def _local_line(
    rng: np.random.Generator, start: tuple[float, float], end: tuple[float, float]
) -> LineString:
    """A local road between two points; one in three bends once along the way."""
    if rng.random() < 1 / 3:
        (x0, y0), (x1, y1) = start, end
        length = math.hypot(x1 - x0, y1 - y0)
        t = rng.uniform(0.3, 0.7)
        off = rng.normal(0.0, 0.04 * length)
        mid = (
            x0 + t * (x1 - x0) - off * (y1 - y0) / length,
            y0 + t * (y1 - y0) + off * (x1 - x0) / length,
        )
        return LineString([start, mid, end])
    return LineString([start, end])


def build_roads(
    rng: np.random.Generator, outline: Polygon, lakes: list[tuple[str, Polygon]]
) -> gpd.GeoDataFrame:
    """Arterials with gentle bends and local roads between them.

    East–west roads are 路, north–south roads 街 (Yinchuan convention). A local road
    runs across one or more arterial cells and stops at an arterial (T-junction), so
    superblocks differ in size and shape.
    """
    land = outline.difference(shapely.union_all([g for _, g in lakes]))
    ew_pos = [p for _, p, _ in EW_ARTERIALS]
    ns_pos = [p for _, p, _ in NS_ARTERIALS]
    rows: list[dict] = []

    ew_lines: list[LineString] = []
    for name, y, width in EW_ARTERIALS:
        along = np.array([-300.0, *ns_pos, WIDTH_M + 300.0])
        line = _jittered_line(rng, along, y, 18.0, ew=True)
        ew_lines.append(line)
        rows.append({"name": name, "class": "arterial", "width_m": width, "geometry": line})
    ns_lines: list[LineString] = []
    for name, x, width in NS_ARTERIALS:
        along = np.array([-300.0, *ew_pos, HEIGHT_M + 300.0])
        line = _jittered_line(rng, along, x, 18.0, ew=False)
        ns_lines.append(line)
        rows.append({"name": name, "class": "arterial", "width_m": width, "geometry": line})

    def y_on(line: LineString, x: float) -> float:
        c = np.asarray(line.coords)
        return float(np.interp(x, c[:, 0], c[:, 1]))

    def x_on(line: LineString, y: float) -> float:
        c = np.asarray(line.coords)
        return float(np.interp(y, c[:, 1], c[:, 0]))

    stems = list(rng.permutation(LOCAL_NAME_STEMS))
    # East–west locals inside each strip between east–west arterials.
    y_edges = [-50.0, *ew_pos, HEIGHT_M + 50.0]
    x_edges = [-50.0, *ns_pos, WIDTH_M + 50.0]
    for i in range(len(y_edges) - 1):
        ya, yb = y_edges[i], y_edges[i + 1]
        n = max(0, round((yb - ya) / rng.uniform(380.0, 470.0)) - 1)
        for k in range(n):
            y = ya + (yb - ya) * (k + 1) / (n + 1) + rng.uniform(-45.0, 45.0)
            spans = rng.random(len(x_edges) - 1) < 0.72
            name = f"{stems.pop()}路"
            width = float(np.round(rng.uniform(15.0, 25.0)))
            for j in np.flatnonzero(spans):
                xa = x_on(ns_lines[j - 1], y) if j > 0 else x_edges[0]
                xb = x_on(ns_lines[j], y) if j < len(ns_lines) else x_edges[-1]
                line = _local_line(
                    rng, (xa, y + rng.normal(0, 22.0)), (xb, y + rng.normal(0, 22.0))
                )
                rows.append({"name": name, "class": "local", "width_m": width, "geometry": line})
    # North–south locals inside each strip between north–south arterials.
    for j in range(len(x_edges) - 1):
        xa, xb = x_edges[j], x_edges[j + 1]
        n = max(0, round((xb - xa) / rng.uniform(360.0, 450.0)) - 1)
        for k in range(n):
            x = xa + (xb - xa) * (k + 1) / (n + 1) + rng.uniform(-45.0, 45.0)
            spans = rng.random(len(y_edges) - 1) < 0.72
            name = f"{stems.pop()}街"
            width = float(np.round(rng.uniform(15.0, 25.0)))
            for i in np.flatnonzero(spans):
                ya = y_on(ew_lines[i - 1], x) if i > 0 else y_edges[0]
                yb = y_on(ew_lines[i], x) if i < len(ew_lines) else y_edges[-1]
                line = _local_line(
                    rng, (x + rng.normal(0, 22.0), ya), (x + rng.normal(0, 22.0), yb)
                )
                rows.append({"name": name, "class": "local", "width_m": width, "geometry": line})

    roads = gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC_CRS)
    # Cut to the land and keep one row per piece of line.
    roads["geometry"] = roads.geometry.intersection(land)
    roads = roads.explode(index_parts=False)
    roads = roads[roads.geom_type == "LineString"]
    roads = roads[roads.length > 60.0]
    return roads.reset_index(drop=True)


def build_superblocks(
    outline: Polygon,
    lakes: list[tuple[str, Polygon]],
    canal: Polygon,
    roads: gpd.GeoDataFrame,
) -> list[Polygon]:
    """Land between road corridors (each road cut at its full width) and the canal."""
    corridors = shapely.union_all(
        shapely.buffer(
            roads.geometry.values,
            roads["width_m"].to_numpy() / 2.0,
            cap_style="square",
            join_style="mitre",
        )
    )
    land = outline.difference(shapely.union_all([g for _, g in lakes])).difference(canal)
    pieces = shapely.get_parts(land.difference(corridors))
    pieces = [shapely.normalize(p) for p in pieces if p.area > 500.0]
    # Sort for determinism independent of GEOS output order.
    pieces.sort(key=lambda p: (round(-p.centroid.y, 1), round(p.centroid.x, 1)))
    return pieces


def choose_land_use(
    rng: np.random.Generator,
    blocks: list[Polygon],
    lakes: list[tuple[str, Polygon]],
    arterials: np.ndarray,
) -> list[str]:
    """Label each superblock residential, public, park or green.

    Small slivers are green; 宝湖 is a park; the government quarter north of 北京中路
    and the lake shore are mostly public land and parks. Blocks are turned
    non-residential in random order (biased by place) until the residential land
    matches the households, never cutting the residential area in two.
    """
    geoms = np.array(blocks, dtype=object)
    areas = shapely.area(geoms)
    cent = np.array([(p.centroid.x, p.centroid.y) for p in blocks])
    use = ["residential"] * len(blocks)
    for i, a in enumerate(areas):
        if a < 25_000.0:
            use[i] = "green"
    baohu = Point(5_450.0, 6_650.0)
    for i, p in enumerate(blocks):
        if p.distance(baohu) < 120.0:
            use[i] = "park"

    graph = street_graph(geoms, arterials)
    resid = [i for i in range(len(blocks)) if use[i] == "residential"]
    sub = graph.subgraph(resid)
    main = max(nx.connected_components(sub), key=lambda c: (len(c), min(c)))
    for i in resid:
        if i not in main:
            use[i] = "green"

    lake_union = shapely.union_all([g for _, g in lakes])
    government = (cent[:, 0] > 3_000) & (cent[:, 0] < 6_300) & (cent[:, 1] > 7_300)
    shore = shapely.distance(geoms, lake_union) < 200.0
    bias = 1.0 + 2.5 * government + 1.5 * shore
    score = rng.random(len(blocks)) * bias
    target = SITE_M2_PER_HOUSEHOLD * sum(s.households for s in SUBDISTRICTS)
    resid_set = {i for i in range(len(blocks)) if use[i] == "residential"}
    resid_area = float(sum(areas[i] for i in resid_set))
    for i in np.argsort(-score, kind="stable"):
        if resid_area <= target:
            break
        if i not in resid_set:
            continue
        trial = resid_set - {int(i)}
        if not nx.is_connected(graph.subgraph(trial)):
            continue
        resid_set = trial
        resid_area -= float(areas[i])
        use[i] = "park" if shore[i] else "public"
    return use


# ---------------------------------------------------------------------------------
# Compounds
# ---------------------------------------------------------------------------------


def _halfplane(poly: Polygon, angle: float, offset: float) -> Polygon:
    """The side of a line (through the centroid, shifted by ``offset``) below it."""
    c = poly.centroid
    big = 10_000.0
    ux, uy = math.cos(angle), math.sin(angle)  # line direction
    nx_, ny_ = -uy, ux  # normal
    ox, oy = c.x + nx_ * offset, c.y + ny_ * offset
    return Polygon(
        [
            (ox - ux * big, oy - uy * big),
            (ox + ux * big, oy + uy * big),
            (ox + ux * big - nx_ * big, oy + uy * big - ny_ * big),
            (ox - ux * big - nx_ * big, oy - uy * big - ny_ * big),
        ]
    )


def _cut(poly: Polygon, angle: float, share: float) -> tuple[Polygon, Polygon] | None:
    """Cut ``poly`` by a line at ``angle`` so that one side holds ``share`` of its area."""
    lo, hi = -3_000.0, 3_000.0
    for _ in range(40):
        mid = (lo + hi) / 2
        frac = poly.intersection(_halfplane(poly, angle, mid)).area / poly.area
        if frac < share:
            lo = mid
        else:
            hi = mid
    half = _halfplane(poly, angle, (lo + hi) / 2)
    a, b = poly.intersection(half), poly.difference(half)
    if a.geom_type != "Polygon" or b.geom_type != "Polygon" or min(a.area, b.area) < 200.0:
        return None
    return a, b


def split_polygon(rng: np.random.Generator, poly: Polygon, weights: list[float]) -> list[Polygon]:
    """Split ``poly`` into pieces with areas proportional to ``weights``.

    Recursive: cut across the longer side of the minimum rotated rectangle, jittered
    by a few degrees, so the pieces are compact and share their boundaries. A cut that
    would make a multi-part piece is retried along the other axis, else given up
    (fewer pieces).
    """
    if len(weights) == 1:
        return [poly]
    half = len(weights) // 2
    share = sum(weights[:half]) / sum(weights)
    rect = np.asarray(poly.minimum_rotated_rectangle.exterior.coords)
    e1, e2 = rect[1] - rect[0], rect[2] - rect[1]
    long_edge = e1 if np.hypot(*e1) >= np.hypot(*e2) else e2
    # Cut perpendicular to the long side.
    base = math.atan2(long_edge[1], long_edge[0]) + math.pi / 2
    for angle in (base, base + math.pi / 2):
        pieces = _cut(poly, angle + rng.normal(0.0, math.radians(4.0)), share)
        if pieces is not None:
            a, b = pieces
            return split_polygon(rng, a, weights[:half]) + split_polygon(rng, b, weights[half:])
    return [poly]


def build_compounds(
    rng: np.random.Generator, blocks: list[Polygon], use: list[str], subdistrict: np.ndarray
) -> gpd.GeoDataFrame:
    """Split residential superblocks into exactly ``N_COMPOUNDS`` compounds.

    The number of compounds of a block follows its area; the old centre (北京中路) is
    made of small work-unit compounds, so its blocks are split more finely, and a few
    large blocks outside it are one estate each (the mega-compounds of the 2000s).
    """
    resid = [i for i, u in enumerate(use) if u == "residential"]
    areas = np.array([blocks[i].area for i in resid])
    fine = np.where(subdistrict == "北京中路", 2.5, 1.0)
    mean = (areas * fine).sum() / N_COMPOUNDS
    counts = np.round(areas * fine / mean * rng.uniform(0.6, 1.4, len(areas)))
    counts = np.maximum(1, counts)
    counts = np.maximum(counts, np.ceil(areas / MAX_COMPOUND_M2)).astype(int)
    large = (areas > 200_000.0) & (areas <= MAX_COMPOUND_M2) & (fine == 1.0)
    estate = large & (rng.random(len(areas)) < 0.3)
    counts[estate] = 1
    floor = np.where(estate, 1, np.maximum(1, np.ceil(areas / MAX_COMPOUND_M2)))
    while counts.sum() > N_COMPOUNDS:
        per = np.where(counts > floor, areas / counts, np.inf)
        counts[int(np.argmin(per * fine))] -= 1
    while counts.sum() < N_COMPOUNDS:
        per = np.where(estate, -np.inf, areas * fine / counts)
        counts[int(np.argmax(per))] += 1

    rows: list[dict] = []
    for block_no, (i, n) in enumerate(zip(resid, counts, strict=True)):
        weights = list(rng.lognormal(0.0, 0.7, n))
        for piece in split_polygon(rng, blocks[i], weights):
            rows.append({"block": block_no, "geometry": piece})
    compounds = gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC_CRS)
    # A refused cut leaves a block with fewer pieces: split the largest compounds.
    while len(compounds) < N_COMPOUNDS:
        order = np.argsort(-compounds.area.to_numpy(), kind="stable")
        for j in order:
            pieces = split_polygon(rng, compounds.geometry.iloc[j], [1.0, rng.uniform(0.5, 1.5)])
            if len(pieces) == 2:
                block = int(compounds["block"].iloc[j])
                compounds = compounds.drop(index=compounds.index[j])
                extra = gpd.GeoDataFrame(
                    {"block": [block, block], "geometry": pieces}, crs=METRIC_CRS
                )
                compounds = pd.concat([compounds, extra], ignore_index=True)
                break
    compounds = compounds.reset_index(drop=True)
    compounds["geometry"] = merge_close_corners(node_shared_edges(compounds), compounds["block"])
    return compounds


def merge_close_corners(
    geoms: list[Polygon], blocks: pd.Series, tolerance: float = 0.5
) -> list[Polygon]:
    """Merge corners of a block's compounds that lie closer than ``tolerance`` metres.

    Two cuts on either side of an earlier cut can end a centimetre apart; such near
    twins would collapse differently when coordinates are rounded and leave slivers.
    Each cluster of near twins takes one position for every compound that has it, so
    shared edges stay identical.
    """
    out = list(geoms)
    block = blocks.to_numpy()
    for b in np.unique(block):
        members = np.flatnonzero(block == b)
        pts = np.unique(shapely.get_coordinates([geoms[i] for i in members]), axis=0)
        target: dict[tuple[float, float], tuple[float, float]] = {}
        for p in pts:
            key = (float(p[0]), float(p[1]))
            if key in target:
                continue
            near = np.flatnonzero(np.hypot(*(pts - p).T) < tolerance)
            for q in near:
                target.setdefault((float(pts[q, 0]), float(pts[q, 1])), key)
        if all(k == v for k, v in target.items()):
            continue
        for i in members:
            ring = [target[(float(x), float(y))] for x, y in geoms[i].exterior.coords]
            ring = [c for k, c in enumerate(ring) if k == 0 or c != ring[k - 1]]
            poly = Polygon(ring)
            if not poly.is_valid:
                raise RuntimeError(f"merging close corners broke compound {i}")
            out[i] = poly
    return out


def node_shared_edges(compounds: gpd.GeoDataFrame) -> list[Polygon]:
    """Insert each neighbour's corners into a compound's edges (no T-junctions).

    A later cut adds a corner on an edge its neighbour does not have; after the
    (non-linear) transformation to longitude/latitude the two edges would no longer
    coincide exactly. With the corners in both, shared edges stay identical.
    """
    geoms = list(compounds.geometry)
    blocks = compounds["block"].to_numpy()
    out = []
    for i, poly in enumerate(geoms):
        mates = [geoms[j] for j in np.flatnonzero(blocks == blocks[i]) if j != i]
        if mates:
            corners = shapely.multipoints(shapely.get_coordinates(mates))
            poly = shapely.snap(poly, corners, 0.01)
        out.append(poly)
    return out


def node_touching(geoms: list) -> list:
    """Insert the corners of touching neighbours into each geometry's edges.

    The same as :func:`node_shared_edges` for geometries without a block, found by
    distance (dissolved grids, whose Voronoi edges meet compound edges).
    """
    arr = np.array(geoms, dtype=object)
    left, right = shapely.STRtree(arr).query(arr, predicate="dwithin", distance=0.01)
    out = []
    for i, geom in enumerate(arr):
        mates = arr[right[(left == i) & (right != i)]]
        if len(mates):
            snapped = shapely.snap(geom, shapely.multipoints(shapely.get_coordinates(mates)), 0.01)
            if snapped.is_valid:
                geom = snapped
        out.append(geom)
    return out


# Where each subdistrict starts growing (local frame, metres): 北京中路 in the
# north-east, 上海西路 north of the centre, 长城中路 in the centre, 黄河东路 in the south,
# 满城北街 in the west.
SUBDISTRICT_SEEDS = {
    "北京中路": (6_900.0, 8_900.0),
    "上海西路": (4_200.0, 7_000.0),
    "长城中路": (5_200.0, 3_600.0),
    "黄河东路": (5_600.0, 300.0),
    "满城北街": (500.0, 2_600.0),
}


def grow_regions(
    graph: nx.Graph, xy: np.ndarray, weights: np.ndarray, seeds: list[int], targets: list[float]
) -> np.ndarray:
    """Contiguous regions grown from ``seeds`` until every node belongs to one.

    At each step the region furthest below its target share (weight / target) takes
    the unassigned neighbour nearest to its seed, so regions stay contiguous and
    compact and end with weights close to proportional to ``targets``. Nodes that no
    region can reach (another graph component) join the region of the nearest seed.
    """
    n = len(xy)
    label = np.full(n, -1, dtype=np.int64)
    weight = np.zeros(len(seeds))
    frontier: list[set[int]] = [set() for _ in seeds]
    for k, s in enumerate(seeds):
        label[s] = k
        weight[k] += weights[s]
    for k, s in enumerate(seeds):
        frontier[k] = {j for j in graph.neighbors(s) if label[j] < 0}
    target = np.asarray(targets, dtype=float)
    while (label < 0).any():
        open_ = [k for k in range(len(seeds)) if frontier[k]]
        if not open_:
            rest = np.flatnonzero(label < 0)
            d = np.linalg.norm(xy[rest][:, None, :] - xy[seeds][None, :, :], axis=2)
            label[rest] = np.argmin(d, axis=1)
            break
        k = min(open_, key=lambda r: (weight[r] / target[r], r))
        seed_xy = xy[seeds[k]]
        j = min(frontier[k], key=lambda c: (float(np.hypot(*(xy[c] - seed_xy))), c))
        label[j] = k
        weight[k] += weights[j]
        for f in frontier:
            f.discard(j)
        frontier[k] |= {m for m in graph.neighbors(j) if label[m] < 0}
    return label


def balance_regions(
    graph: nx.Graph, label: np.ndarray, weights: np.ndarray, targets: list[float]
) -> np.ndarray:
    """Move boundary nodes between neighbouring regions towards the target shares.

    Greedy local search: each step makes the move that most reduces the sum of
    squared relative deviations from the targets while keeping the giving region
    connected; it stops when no move helps.
    """
    label = label.copy()
    weights = np.asarray(weights, dtype=float)
    t = np.asarray(targets, dtype=float)
    t = t / t.sum() * weights.sum()
    w = np.bincount(label, weights=weights, minlength=len(t))
    for _ in range(10 * len(label)):
        moves = []
        for j in sorted(graph.nodes):
            a = int(label[j])
            for b in sorted({int(label[m]) for m in graph.neighbors(j)} - {a}):
                before = (w[a] / t[a] - 1) ** 2 + (w[b] / t[b] - 1) ** 2
                after = ((w[a] - weights[j]) / t[a] - 1) ** 2 + (
                    (w[b] + weights[j]) / t[b] - 1
                ) ** 2
                if before - after > 1e-9:
                    moves.append((before - after, j, a, b))
        moves.sort(key=lambda m: (-m[0], m[1], m[3]))
        for _, j, a, b in moves:
            rest = [int(i) for i in np.flatnonzero(label == a) if i != j]
            if rest and nx.is_connected(graph.subgraph(rest)):
                label[j] = b
                w[a] -= weights[j]
                w[b] += weights[j]
                break
        else:
            return label
    return label


def grow_balanced(
    graph: nx.Graph,
    xy: np.ndarray,
    weights: np.ndarray,
    targets: list[float],
    seedings: list[list[int]],
    rounds: int = 3,
) -> np.ndarray:
    """The best of several grown-and-balanced partitions (smallest worst deviation).

    Each seeding is grown and balanced, then re-seeded ``rounds`` times from the node
    nearest the centre of each region (a Lloyd step), which frees regions that the
    first growth enclosed.
    """
    t = np.asarray(targets, dtype=float)
    t = t / t.sum() * weights.sum()
    best: tuple[float, np.ndarray] | None = None
    for first in seedings:
        seeds = list(first)
        for _ in range(rounds + 1):
            label = balance_regions(graph, grow_regions(graph, xy, weights, seeds, targets),
                                    weights, targets)  # fmt: skip
            w = np.bincount(label, weights=weights, minlength=len(t))
            deviation = float(np.max(np.abs(w / t - 1)))
            if best is None or deviation < best[0] - 1e-12:
                best = (deviation, label)
            seeds = []
            for k in range(len(t)):
                members = np.flatnonzero(label == k)
                centre = np.average(xy[members], axis=0, weights=weights[members])
                seeds.append(int(members[np.argmin(np.hypot(*(xy[members] - centre).T))]))
    assert best is not None
    return best[1]


def _cut_seeds(xy: np.ndarray, weights: np.ndarray) -> list[int]:
    """Seeds from straight cuts: 满城北街 west, then 黄河东路, 长城中路, 上海西路 and
    北京中路 from south to north, each part holding its share of the land."""
    hh = {s.name: float(s.households) for s in SUBDISTRICTS}
    parts: dict[str, np.ndarray] = {}

    def cut(idx: np.ndarray, axis: int, share: float) -> tuple[np.ndarray, np.ndarray]:
        order = idx[np.lexsort((xy[idx, 1 - axis], xy[idx, axis]))]
        cum = np.cumsum(weights[order])
        k = int(np.argmin(np.abs(cum - share * cum[-1]))) + 1
        return order[:k], order[k:]

    total = sum(hh.values())
    parts["满城北街"], rest = cut(np.arange(len(xy)), 0, hh["满城北街"] / total)
    remaining = total - hh["满城北街"]
    for name in ("黄河东路", "长城中路", "上海西路"):
        parts[name], rest = cut(rest, 1, hh[name] / remaining)
        remaining -= hh[name]
    parts["北京中路"] = rest
    seeds = []
    for spec in SUBDISTRICTS:
        members = parts[spec.name]
        centre = xy[members].mean(axis=0)
        seeds.append(int(members[np.argmin(np.hypot(*(xy[members] - centre).T))]))
    return seeds


def assign_subdistricts(blocks: list[Polygon], use: list[str], arterials: np.ndarray) -> np.ndarray:
    """Subdistrict of each residential superblock (so boundaries follow roads).

    Regions grow over the superblock graph with shares of residential land equal to
    the shares of households, from seeds in the right part of the district (北京中路
    in the north-east, 黄河东路 in the south, 满城北街 in the west, ...).
    """
    resid = [i for i, u in enumerate(use) if u == "residential"]
    geoms = np.array([blocks[i] for i in resid], dtype=object)
    xy = np.array([(g.centroid.x, g.centroid.y) for g in geoms])
    area = shapely.area(geoms)
    fixed = [
        int(np.argmin(np.hypot(*(xy - np.asarray(SUBDISTRICT_SEEDS[s.name])).T)))
        for s in SUBDISTRICTS
    ]
    graph = street_graph(geoms, arterials)
    targets = [float(s.households) for s in SUBDISTRICTS]
    label = grow_balanced(graph, xy, area, targets, [fixed, _cut_seeds(xy, area)])
    return np.array([SUBDISTRICTS[k].name for k in label], dtype=object)


def assign_communities(
    rng: np.random.Generator, compounds: gpd.GeoDataFrame, graph: nx.Graph
) -> np.ndarray:
    """Community of each compound, grown inside its subdistrict.

    A coordinate bisection by area share places the communities; the compound
    nearest to the middle of each bisection part seeds a contiguous region grown to
    the community's share of the subdistrict's land.
    """
    xy = np.column_stack([compounds.centroid.x, compounds.centroid.y])
    area = compounds.area.to_numpy()
    names = np.empty(len(compounds), dtype=object)
    for spec in SUBDISTRICTS:
        idx = np.flatnonzero(compounds["subdistrict"].to_numpy() == spec.name)
        comms = [spec.communities[k] for k in rng.permutation(len(spec.communities))]
        targets = [h for _, h in comms]
        parts = bisect_points(xy[idx], area[idx], targets, list(range(len(comms))))
        seeds = []
        for k in range(len(comms)):
            members = np.flatnonzero(parts == k)
            centre = xy[idx][members].mean(axis=0)
            seeds.append(int(members[np.argmin(np.hypot(*(xy[idx][members] - centre).T))]))
        sub = nx.convert_node_labels_to_integers(graph.subgraph(idx.tolist()), ordering="sorted")
        label = grow_balanced(sub, xy[idx], area[idx], targets, [seeds])
        names[idx] = [comms[k][0] for k in label]
    return names


def allocate_people(rng: np.random.Generator, compounds: gpd.GeoDataFrame) -> None:
    """Households and people per compound, summing exactly to the calibration tables."""
    area = compounds.area.to_numpy()
    households = np.zeros(len(compounds), dtype=np.int64)
    population = np.zeros(len(compounds), dtype=np.int64)
    comm = compounds["community"].to_numpy()
    for spec in SUBDISTRICTS:
        # People per community: fixed where reported, otherwise households x a
        # slightly varying household size, scaled to the subdistrict's total.
        free = [(n, h) for n, h in spec.communities if n not in FIXED_COMMUNITY_POPULATION]
        fixed_pop = sum(
            FIXED_COMMUNITY_POPULATION[n]
            for n, _ in spec.communities
            if n in FIXED_COMMUNITY_POPULATION
        )
        pops = allocate(
            spec.population - fixed_pop,
            np.array([h for _, h in free]) * rng.uniform(0.97, 1.03, len(free)),
        )
        comm_pop = {n: int(p) for (n, _), p in zip(free, pops, strict=True)}
        for n, _ in spec.communities:
            if n in FIXED_COMMUNITY_POPULATION:
                comm_pop[n] = FIXED_COMMUNITY_POPULATION[n]
        for name, hh in spec.communities:
            idx = np.flatnonzero(comm == name)
            weight = area[idx] * rng.lognormal(0.0, 0.4, len(idx))
            least = MIN_COMPOUND_HOUSEHOLDS
            h = least + allocate(hh - least * len(idx), weight)
            capped = np.zeros(len(idx), dtype=bool)
            while (h > MAX_COMPOUND_HOUSEHOLDS).any():
                capped |= h > MAX_COMPOUND_HOUSEHOLDS
                h[capped] = MAX_COMPOUND_HOUSEHOLDS
                rest = hh - int(h[capped].sum()) - least * int((~capped).sum())
                h[~capped] = least + allocate(rest, weight[~capped])
            if int(h.sum()) != hh or (h > MAX_COMPOUND_HOUSEHOLDS).any():
                raise RuntimeError(
                    f"community {name}: {hh} households do not fit {len(idx)} compounds "
                    f"of at most {MAX_COMPOUND_HOUSEHOLDS}"
                )
            households[idx] = h
            size = rng.lognormal(0.0, 0.04, len(idx))
            population[idx] = allocate(comm_pop[name], h * size)
    compounds["households"] = households
    compounds["population"] = population


def name_compounds(rng: np.random.Generator, compounds: gpd.GeoDataFrame) -> list[str]:
    """Unique Chinese compound names; the four pilot compounds of the reform included."""
    pool = [s + f for s in COMPOUND_STEMS for f in COMPOUND_SUFFIXES]
    pool = [p for p in pool if p not in PILOT_COMPOUNDS and not p.startswith("新海家园")]
    picks = rng.choice(len(pool), size=len(compounds), replace=False)
    names = [pool[k] for k in picks]
    # Two phases of one estate side by side in a block, now and then.
    blocks = compounds["block"].to_numpy()
    for b in np.unique(blocks):
        members = np.flatnonzero(blocks == b)
        if len(members) >= 2 and rng.random() < 0.15:
            base = names[members[0]]
            names[members[0]], names[members[1]] = base + "一期", base + "二期"
    hh = compounds["households"].to_numpy()
    comm = compounds["community"].to_numpy()
    sub = compounds["subdistrict"].to_numpy()
    taken: list[int] = []

    def pick(mask: np.ndarray, prefer_large: bool) -> int:
        """The largest compound, or the one nearest 900 households, not yet taken."""
        cand = np.flatnonzero(mask & ~np.isin(np.arange(len(names)), taken))
        key = -hh[cand] if prefer_large else np.abs(hh[cand] - 900)
        return int(cand[np.argsort(key, kind="stable")[0]])

    for name, mask, large in (
        ("未来城", (sub == "长城中路") & (comm != "五里水乡"), True),
        ("枫林湾", sub == "上海西路", False),
        ("居安家园", comm == "安居", False),
        ("新海家园二期", sub == "黄河东路", False),
    ):
        k = pick(mask, large)
        names[k] = name
        taken.append(k)
    # 新海家园一期 next to 二期 when the block has room.
    k2 = taken[-1]
    mates = [int(j) for j in np.flatnonzero(blocks == blocks[k2]) if j not in taken]
    if mates:
        names[mates[0]] = "新海家园一期"
    return names


# ---------------------------------------------------------------------------------
# Buildings and grids
# ---------------------------------------------------------------------------------


def _slab_candidates(
    inner: Polygon, angle: float, length: float, depth: float, row_gap: float, col_gap: float
) -> np.ndarray:
    """Slab rectangles on a rotated lattice that fit inside ``inner``."""
    c = inner.centroid
    rot = affinity.rotate(inner, -angle, origin=c, use_radians=True)
    minx, miny, maxx, maxy = rot.bounds
    xs = np.arange(minx, maxx - length, length + col_gap)
    ys = np.arange(maxy - depth, miny, -(depth + row_gap))
    if len(xs) == 0 or len(ys) == 0:
        return np.array([], dtype=object)
    # Centre the lattice in the bounding box.
    xs = xs + ((maxx - (xs[-1] + length)) - (xs[0] - minx)) / 2
    ys = ys - ((ys[-1] - miny) - (maxy - (ys[0] + depth))) / 2
    gx, gy = np.meshgrid(xs, ys)
    rects = shapely.box(gx.ravel(), gy.ravel(), gx.ravel() + length, gy.ravel() + depth)
    rects = rects[shapely.contains(rot, rects)]
    return np.array(
        [affinity.rotate(r, angle, origin=c, use_radians=True) for r in rects],
        dtype=object,
    )


def place_buildings(rng: np.random.Generator, poly: Polygon, households: int) -> list[Polygon]:
    """Slab blocks inside a compound, inset from its boundary and apart from each other.

    Small compounds get six-storey walk-ups (tens of households each), large ones
    high-rise slabs (up to ~200 households each), and some small compounds are one
    or two towers; a compound has 1–40 buildings.
    """
    if households < 300:
        per_building = rng.uniform(18.0, 54.0)
    elif households < 1_500:
        per_building = rng.uniform(36.0, 110.0)
    else:
        per_building = rng.uniform(80.0, 180.0)
    wanted = int(np.clip(math.ceil(households / per_building), 1, 40))
    if households < 400 and rng.random() < 0.12:
        wanted = int(rng.integers(1, 3))  # a lone tower or two: a work-unit compound
    wanted = min(wanted, max(households, 1))
    rect = np.asarray(poly.minimum_rotated_rectangle.exterior.coords)
    edges = [rect[1] - rect[0], rect[2] - rect[1]]
    angles = [math.atan2(e[1], e[0]) for e in edges]
    # Slabs run east–west (south-facing flats): the lattice edge nearest to east.
    angle = min((((a + math.pi / 2) % math.pi) - math.pi / 2 for a in angles), key=lambda a: abs(a))
    length, depth = rng.uniform(40.0, 70.0), rng.uniform(12.0, 16.0)
    row_gap, col_gap = rng.uniform(22.0, 34.0), rng.uniform(10.0, 18.0)
    inset = 10.0
    best = np.array([], dtype=object)
    for _ in range(8):
        inner = poly.buffer(-inset, join_style="mitre")
        if inner.is_empty:
            inset *= 0.6
            continue
        if inner.geom_type != "Polygon":
            inner = max(shapely.get_parts(inner), key=lambda g: g.area)
        cand = _slab_candidates(inner, angle, length, depth, row_gap, col_gap)
        if len(cand) > len(best):
            best = cand
        if len(best) >= wanted:
            # Spread the rows and columns out while the lattice still holds enough,
            # so that the chosen slabs stand in regular rows across the compound.
            for _ in range(6):
                row_gap, col_gap = row_gap * 1.25, col_gap * 1.25
                wider = _slab_candidates(inner, angle, length, depth, row_gap, col_gap)
                if len(wider) < wanted:
                    break
                best = wider
            break
        length, depth = max(length * 0.85, 18.0), max(depth * 0.92, 10.0)
        row_gap, col_gap, inset = row_gap * 0.85, col_gap * 0.85, max(inset * 0.8, 4.0)
    if len(best) == 0:
        # A sliver of a compound: one small block in its widest spot, a rectangle
        # inscribed in the largest circle that fits 2 m inside the compound.
        radius_line = shapely.maximum_inscribed_circle(poly.buffer(-2.0))
        centre = Point(radius_line.coords[0])
        r = 0.95 * radius_line.length
        slab = shapely.box(
            centre.x - 0.8 * r, centre.y - 0.6 * r, centre.x + 0.8 * r, centre.y + 0.6 * r
        )
        return [affinity.rotate(slab, angle, origin=centre, use_radians=True)]
    pick = np.unique(np.round(np.linspace(0, len(best) - 1, min(wanted, len(best)))).astype(int))
    return list(best[pick])


def build_buildings(rng: np.random.Generator, compounds: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Buildings of every compound with households and people summing exactly."""
    rows: list[dict] = []
    for cid, poly, hh, pop in zip(
        compounds["compound_id"],
        compounds.geometry,
        compounds["households"],
        compounds["population"],
        strict=True,
    ):
        slabs = place_buildings(rng, poly, int(hh))
        xy = np.array([(s.centroid.x, s.centroid.y) for s in slabs])
        slabs = [slabs[k] for k in reading_order(xy, 20.0)]
        area = np.array([s.area for s in slabs])
        b_hh = allocate(int(hh) - len(slabs), area) + 1
        b_pop = allocate(int(pop) - int(hh), b_hh) + b_hh
        for k, (slab, h, p) in enumerate(zip(slabs, b_hh, b_pop, strict=True), start=1):
            rows.append(
                {
                    "building_id": f"{cid}-B{k:02d}",
                    "compound_id": cid,
                    "households": int(h),
                    "population": int(p),
                    "geometry": slab,
                }
            )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC_CRS)


def grids_per_compound(households: np.ndarray, n_buildings: np.ndarray, n_grids: int) -> np.ndarray:
    """How many grids each compound of a community holds on its own (0: shares one).

    A compound above 1.5 times the community's mean grid size holds about
    households / mean grids of its own; the others are grouped into the grids that
    remain. Counts are then adjusted so that the remaining grids are at least one
    (if any compound is left to group) and at most the number of those compounds.
    """
    mean = households.sum() / n_grids
    m = np.where(households > 1.5 * mean, np.maximum(2, np.round(households / mean)), 0)
    m = np.minimum(m, n_buildings).astype(np.int64)

    def remaining() -> int:
        return n_grids - int(m.sum())

    for _ in range(10 * len(m) + n_grids):
        left = int((m == 0).sum())
        if remaining() < 0 or (remaining() == 0 and left > 0):
            own = np.flatnonzero(m > 0)
            j = own[np.argmin(households[own] / m[own])]
            m[j] -= 1
        elif remaining() > left:
            can = np.flatnonzero(n_buildings > m)
            j = can[np.argmax(households[can] / np.maximum(m[can], 1))]
            m[j] = min(2, int(n_buildings[j])) if m[j] == 0 else m[j] + 1
        else:
            return m
    raise RuntimeError("could not share the grids of a community among its compounds")


def group_compounds(
    graph: nx.Graph, nodes: np.ndarray, xy: np.ndarray, households: np.ndarray, parts: int
) -> np.ndarray:
    """Group compounds (``nodes`` of the compound graph) into ``parts`` contiguous grids.

    Each connected piece of these compounds gets grids in proportion to its households
    (at least one, while there are enough); inside a piece, seeds come from a
    coordinate bisection, regions grow over the compound graph and are balanced to
    equal households.
    """
    pieces = sorted(
        (sorted(c) for c in nx.connected_components(graph.subgraph(nodes.tolist()))),
        key=lambda c: c[0],
    )
    if 1 < len(pieces) <= parts:
        where = {int(v): i for i, v in enumerate(nodes)}
        piece_hh = np.array([sum(households[where[v]] for v in c) for c in pieces])
        share = allocate(parts - len(pieces), piece_hh) + 1
        size = np.array([len(c) for c in pieces])
        while (share > size).any():  # a piece cannot hold more grids than compounds
            over = int(np.argmax(share - size))
            share[over] -= 1
            room = np.flatnonzero(share < size)
            share[room[np.argmax(piece_hh[room] / share[room])]] += 1
        label = np.empty(len(nodes), dtype=np.int64)
        offset = 0
        for c, n_parts in zip(pieces, share, strict=True):
            pos = np.array([where[v] for v in c])
            label[pos] = offset + group_compounds(
                graph, nodes[pos], xy, households[pos], int(n_parts)
            )
            offset += int(n_parts)
        return label
    targets = [1.0] * parts
    first = bisect_points(xy[nodes], households, targets, list(range(parts)))
    seeds = []
    for k in range(parts):
        members = np.flatnonzero(first == k)
        centre = xy[nodes][members].mean(axis=0)
        seeds.append(int(members[np.argmin(np.hypot(*(xy[nodes][members] - centre).T))]))
    # ``nodes`` are sorted, so node i of the relabelled graph is nodes[i].
    sub = nx.convert_node_labels_to_integers(graph.subgraph(nodes.tolist()), ordering="sorted")
    label = grow_regions(sub, xy[nodes], households, seeds, targets)
    return balance_regions(sub, label, households, targets)


def attach_strays(
    graph: nx.Graph, grid_of: dict[int, int], own_grids: dict[int, list[int]], grid_hh: np.ndarray
) -> None:
    """Give each detached group of a shared grid's compounds to a neighbouring grid.

    ``grid_of`` maps the community's small compounds to their grid (updated in
    place); ``own_grids`` lists the grids inside each large compound. A detached
    group joins the touching grid with the fewest households, which keeps both grids
    contiguous in the compound graph.
    """
    community = set(grid_of) | set(own_grids)
    for _ in range(len(grid_of) + 1):
        moved = False
        for g in sorted(set(grid_of.values())):
            members = sorted(v for v, h in grid_of.items() if h == g)
            parts = sorted(
                nx.connected_components(graph.subgraph(members)), key=lambda c: (len(c), min(c))
            )
            for part in parts[:-1]:
                touching = {u for v in part for u in graph.neighbors(v) if u in community} - part
                options = {grid_of[u] for u in touching if u in grid_of} - {g}
                options |= {x for u in touching if u in own_grids for x in own_grids[u]}
                if not options:
                    continue
                target = min(sorted(options), key=lambda x: grid_hh[x])
                for v in part:
                    grid_of[v] = target
                moved = True
        if not moved:
            return


def assign_grids(
    buildings: gpd.GeoDataFrame,
    compounds: gpd.GeoDataFrame,
    codes: dict[str, str],
    graph: nx.Graph,
) -> np.ndarray:
    """Current grid of each building: ``N_GRIDS`` grids, each inside one community.

    Grids per community follow its households (about 700 per grid: the district is
    under-staffed). A large compound holds several grids of its own (its buildings
    bisected into equal households); the small compounds of a community are grouped
    by bisection into the remaining grids, so one grid joins several neighbours.
    Codes: community code + 3-digit sequence, numbered north to south, west to east.
    """
    names = [n for s in SUBDISTRICTS for n, _ in s.communities]
    hh = np.array([h for s in SUBDISTRICTS for _, h in s.communities])
    k = allocate(N_GRIDS - len(names), hh) + 1
    xy = np.column_stack([buildings.centroid.x, buildings.centroid.y])
    weight = buildings["households"].to_numpy().astype(float)
    b_compound = buildings["compound_id"].to_numpy()
    c_xy = np.column_stack([compounds.centroid.x, compounds.centroid.y])
    n_buildings = buildings.groupby("compound_id").size()
    grid = np.empty(len(buildings), dtype=object)
    for name, n in zip(names, k, strict=True):
        cidx = np.flatnonzero(compounds["community"].to_numpy() == name)
        cids = compounds["compound_id"].to_numpy()[cidx]
        c_hh = compounds["households"].to_numpy()[cidx].astype(float)
        m = grids_per_compound(c_hh, n_buildings.loc[cids].to_numpy(), int(n))
        local = np.full(len(buildings), -1, dtype=np.int64)
        next_label = 0
        for cid, own in zip(cids, m, strict=True):
            if own > 0:
                bidx = np.flatnonzero(b_compound == cid)
                labels = list(range(next_label, next_label + int(own)))
                local[bidx] = bisect_points(xy[bidx], weight[bidx], [1.0] * int(own), labels)
                next_label += int(own)
        shared = np.flatnonzero(m == 0)
        if len(shared):
            parts = int(n) - next_label
            group = group_compounds(graph, cidx[shared], c_xy, c_hh[shared], parts)
            grid_of = {
                int(cidx[i]): next_label + int(g) for i, g in zip(shared, group, strict=True)
            }
            own_grids = {
                int(cidx[i]): sorted(set(local[b_compound == cids[i]].tolist()))
                for i in np.flatnonzero(m > 0)
            }
            grid_hh = np.bincount(local[local >= 0], weights=weight[local >= 0], minlength=int(n))
            for v, g in grid_of.items():
                grid_hh[g] += compounds["households"].iloc[v]
            attach_strays(graph, grid_of, own_grids, grid_hh)
            for i in shared:
                local[b_compound == cids[i]] = grid_of[int(cidx[i])]
        idx = np.flatnonzero(local >= 0)
        centres = np.array([xy[idx][local[idx] == g].mean(axis=0) for g in range(int(n))])
        seq = np.empty(int(n), dtype=np.int64)
        seq[reading_order(centres, 400.0)] = np.arange(1, int(n) + 1)
        grid[idx] = [f"{codes[name]}{seq[g]:03d}" for g in local[idx]]
    return grid


def _voronoi_cells(points: np.ndarray, poly: Polygon) -> tuple[np.ndarray, np.ndarray]:
    """Voronoi cells of ``points`` covering ``poly``, and the points they were built on.

    The slabs of a compound stand on a regular lattice, and GEOS can return an
    invalid, overlapping cell for such co-circular points; the points are then moved
    by a few centimetres (a fixed pattern, no random draw) until the cells tile.
    """
    k = np.arange(len(points), dtype=float)
    for attempt in range(6):
        shift = 0.02 * attempt * np.column_stack([np.sin(12.9898 * k), np.cos(78.233 * k)])
        moved = shapely.points(shapely.get_coordinates(points) + shift)
        cells = shapely.get_parts(shapely.voronoi_polygons(MultiPoint(moved), extend_to=poly))
        areas = shapely.area(cells)
        if (
            len(cells) == len(points)
            and shapely.is_valid(cells).all()
            and abs(shapely.union_all(cells).area - areas.sum()) < 1e-6 * areas.sum()
        ):
            return moved, cells
    raise RuntimeError("could not build Voronoi cells for the buildings of a compound")


def grid_polygons(buildings: gpd.GeoDataFrame, compounds: gpd.GeoDataFrame) -> dict[str, list]:
    """Pieces of compound land per grid (Voronoi cells of buildings where a compound is shared)."""
    pieces: dict[str, list] = {}
    by_compound = buildings.groupby("compound_id", sort=True)
    geom_of = dict(zip(compounds["compound_id"], compounds.geometry, strict=True))
    for cid, group in by_compound:
        poly = geom_of[cid]
        grids = group["grid"].to_numpy()
        if len(set(grids)) == 1:
            pieces.setdefault(grids[0], []).append(poly)
            continue
        points, cells = _voronoi_cells(shapely.centroid(group.geometry.to_numpy()), poly)
        point_of, cell_of = shapely.STRtree(cells).query(points, predicate="within")
        cell_grid = np.empty(len(cells), dtype=object)
        cell_grid[cell_of] = grids[point_of]
        clipped = shapely.intersection(shapely.make_valid(cells), poly)
        for g in sorted(set(grids)):
            pieces.setdefault(g, []).extend(clipped[cell_grid == g])
    return pieces


# ---------------------------------------------------------------------------------
# Facilities and staff
# ---------------------------------------------------------------------------------


def build_facilities(
    rng: np.random.Generator, compounds: gpd.GeoDataFrame, communities: pd.DataFrame
) -> gpd.GeoDataFrame:
    """20 community police rooms and 29 health service centres/stations.

    Police rooms go to 20 communities drawn with probability by households; each
    subdistrict has a health service centre in its largest community, 24 other
    communities have a station. A facility stands inside a compound near its gate.
    """
    comm_hh = communities.set_index("name")["households"]
    names = list(comm_hh.index)
    p = comm_hh.to_numpy() / comm_hh.sum()
    police = sorted(rng.choice(len(names), size=20, replace=False, p=p))
    centres = {
        sub: str(grp.sort_values("households", ascending=False)["name"].iloc[0])
        for sub, grp in communities.groupby("subdistrict", sort=True)
    }
    others = [n for n in names if n not in centres.values()]
    q = comm_hh[others].to_numpy() / comm_hh[others].sum()
    stations = sorted(rng.choice(len(others), size=24, replace=False, p=q))

    def site(community: str) -> Point:
        mine = compounds[compounds["community"] == community]
        poly = mine.geometry.iloc[int(np.argmax(mine["households"].to_numpy()))]
        ring = poly.buffer(-6.0).exterior
        return ring.interpolate(float(rng.random()), normalized=True)

    sub_of = dict(zip(communities["name"], communities["subdistrict"], strict=True))
    rows: list[dict] = []
    for k, i in enumerate(police, start=1):
        c = names[int(i)]
        rows.append(
            {
                "facility_id": f"PR{k:02d}",
                "kind": "police_room",
                "name": f"{c}社区警务室",
                "subdistrict": sub_of[c],
                "community": c,
                "geometry": site(c),
            }
        )
    health = [(centres[s], f"{s}街道社区卫生服务中心") for s in sorted(centres)]
    health += [(others[int(i)], f"{others[int(i)]}社区卫生服务站") for i in stations]
    for k, (c, label) in enumerate(health, start=1):
        rows.append(
            {
                "facility_id": f"HS{k:02d}",
                "kind": "health_station",
                "name": label,
                "subdistrict": sub_of[c],
                "community": c,
                "geometry": site(c),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC_CRS)


def build_staff(communities: pd.DataFrame, facilities: gpd.GeoDataFrame) -> pd.DataFrame:
    """Actual staff (2020 report): by community where plausible, CDC at district level.

    Grid workers (382 part-time committee members, 66 full-time) follow the number of
    grids; one community police officer or auxiliary per community (48); the 438
    medical staff work where a health centre (40 each) or station is.
    """
    comm = communities.sort_values("community_id").reset_index(drop=True)
    grids = comm["grids"].to_numpy()
    health = facilities[facilities["kind"] == "health_station"]
    centre_comms = set(health.loc[health["name"].str.endswith("中心"), "community"])
    station_comms = set(health["community"]) - centre_comms
    medical = np.zeros(len(comm), dtype=np.int64)
    is_centre = comm["name"].isin(centre_comms).to_numpy()
    is_station = comm["name"].isin(station_comms).to_numpy()
    medical[is_centre] = 40
    medical[is_station] = allocate(
        438 - 40 * int(is_centre.sum()), comm.loc[is_station, "population"].to_numpy()
    )
    staff = pd.DataFrame(
        {
            "level": "community",
            "subdistrict": comm["subdistrict"],
            "community": comm["name"],
            "community_id": comm["community_id"],
            "grid_workers_full_time": allocate(66, grids),
            "grid_workers_part_time": allocate(382, grids),
            "police": np.ones(len(comm), dtype=np.int64),
            "medical": medical,
            "cdc": np.zeros(len(comm), dtype=np.int64),
        }
    )
    district = pd.DataFrame(
        {
            "level": ["district"],
            "subdistrict": [None],
            "community": [None],
            "community_id": [None],
            "grid_workers_full_time": [0],
            "grid_workers_part_time": [0],
            "police": [0],
            "medical": [0],
            "cdc": [34],
        }
    )
    staff = pd.concat([staff, district], ignore_index=True)
    for col in ("grid_workers_full_time", "grid_workers_part_time", "police", "medical", "cdc"):
        staff[col] = staff[col].astype("int64")
    return staff


def build_roster(
    communities: pd.DataFrame,
    grids: pd.DataFrame,
    staff: pd.DataFrame,
    facilities: gpd.GeoDataFrame,
) -> pd.DataFrame:
    """One row per person behind the staff table's grid workers and police (448 + 48).

    Deterministic (no random draws, so the other layers keep their bytes): in each
    community, in code order, its full-time then part-time grid workers take its
    current grids in code order, one each; the workers left over (the community has
    more workers than grids) have no grid. Each community's police officer works
    from its police room where it has one, else from the residents' committee (no
    police room). Ids: ``GW0001``... for grid workers, ``PO01``... for police.
    """
    rows: list[dict] = []
    rooms = facilities[facilities["kind"] == "police_room"].set_index("community")["facility_id"]
    counts = staff[staff["level"] == "community"].set_index("community")
    by_community = grids.sort_values("grid_id").groupby("community_id")["grid_id"].apply(list)
    n_workers = 0
    for comm in communities.sort_values("community_id").itertuples(index=False):
        own = list(by_community.get(comm.community_id, []))
        kinds = ["full_time"] * int(counts.loc[comm.name, "grid_workers_full_time"])
        kinds += ["part_time"] * int(counts.loc[comm.name, "grid_workers_part_time"])
        for k, employment in enumerate(kinds):
            n_workers += 1
            rows.append(
                {
                    "staff_id": f"GW{n_workers:04d}",
                    "role": "grid_worker",
                    "employment": employment,
                    "subdistrict": comm.subdistrict,
                    "community": comm.name,
                    "grid": own[k] if k < len(own) else None,
                    "police_room": None,
                }
            )
    n_police = 0
    for comm in communities.sort_values("community_id").itertuples(index=False):
        for _ in range(int(counts.loc[comm.name, "police"])):
            n_police += 1
            rows.append(
                {
                    "staff_id": f"PO{n_police:02d}",
                    "role": "police",
                    "employment": "full_time",
                    "subdistrict": comm.subdistrict,
                    "community": comm.name,
                    "grid": None,
                    "police_room": rooms.get(comm.name),
                }
            )
    roster = pd.DataFrame(rows)
    return roster.astype({c: "object" for c in roster.columns})


# ---------------------------------------------------------------------------------
# Assembly and output
# ---------------------------------------------------------------------------------


def to_output_crs(gdf: gpd.GeoDataFrame, origin: tuple[float, float]) -> gpd.GeoDataFrame:
    """Shift from the local frame into EPSG:4544, transform to EPSG:4490, round.

    Rounding goes through ``set_precision`` so that every geometry stays valid;
    vertices shared by neighbours round to the same values.
    """
    out = gdf.copy()
    out["geometry"] = shapely.transform(out.geometry.values, lambda c: c + np.asarray(origin))
    out = out.set_crs(METRIC_CRS, allow_override=True).to_crs(OUTPUT_CRS)
    out["geometry"] = shapely.set_precision(out.geometry.values, 10.0**-COORD_DECIMALS)
    return out


def metric_origin() -> tuple[float, float]:
    """EPSG:4544 coordinates of the local frame's origin."""
    pt = gpd.GeoSeries([Point(*ORIGIN_LONLAT)], crs=OUTPUT_CRS).to_crs(METRIC_CRS).iloc[0]
    return (round(pt.x, 1), round(pt.y, 1))


def dissolve(pieces: dict[str, list]) -> dict[str, shapely.Geometry]:
    """Union of each key's pieces, as a multipolygon.

    Neighbours share identical edges, so a plain (floating) union merges them; only
    polygonal parts above 1 m² are kept and holes below 1 m² filled, which removes
    the specks that cutting Voronoi cells along an edge can leave.
    """
    out = {}
    for key, geoms in sorted(pieces.items()):
        try:
            union = shapely.union_all(geoms)
        except shapely.errors.GEOSException:  # near-degenerate Voronoi cells
            union = shapely.union_all(shapely.make_valid(geoms), grid_size=0.001)
        parts = []
        for g in shapely.get_parts(union):
            if g.geom_type != "Polygon" or g.area < 1.0:
                continue
            holes = [h for h in g.interiors if Polygon(h).area >= 1.0]
            parts.append(Polygon(g.exterior, holes))
        out[key] = shapely.MultiPolygon(parts)
    return out


def number_units(compounds: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """Compound ids and community codes.

    Subdistricts keep the order of the report; communities (in 1,200 m bands) and
    compounds (in 300 m bands) are numbered in reading order, north to south and west
    to east. Returns the compounds re-ordered by id and the code of each community.
    """
    cxy = np.column_stack([compounds.centroid.x, compounds.centroid.y])
    order = reading_order(cxy, 300.0)
    compounds = compounds.iloc[order].reset_index(drop=True)
    compounds["compound_id"] = [f"C{k:04d}" for k in range(1, len(compounds) + 1)]
    codes: dict[str, str] = {}
    for spec in SUBDISTRICTS:
        mine = compounds[compounds["subdistrict"] == spec.name]
        centres = mine.dissolve("community").centroid
        seq = reading_order(np.column_stack([centres.x, centres.y]), 1_200.0)
        for k, name in enumerate(centres.index[seq], start=1):
            codes[name] = f"{DISTRICT_CODE}{spec.code}{k:03d}"
    compounds["community_id"] = compounds["community"].map(codes)
    return compounds, codes


def dissolved_layers(
    compounds: gpd.GeoDataFrame, buildings: gpd.GeoDataFrame, codes: dict[str, str]
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The current subdistricts, communities and grids as dissolved polygons with sums."""
    sub_code = {s.name: s.code for s in SUBDISTRICTS}
    grid_geoms = dissolve(grid_polygons(buildings, compounds))
    grid_geoms = dict(zip(grid_geoms, node_touching(list(grid_geoms.values())), strict=True))
    comm_of = dict(zip(compounds["compound_id"], compounds["community"], strict=True))
    b = buildings.assign(community=buildings["compound_id"].map(comm_of))
    grid_tab = b.groupby("grid", sort=True).agg(
        community=("community", "first"),
        households=("households", "sum"),
        population=("population", "sum"),
        buildings=("building_id", "count"),
        compounds=("compound_id", "nunique"),
    )
    sub_of = {n: s.name for s in SUBDISTRICTS for n, _ in s.communities}
    grids = gpd.GeoDataFrame(
        {
            "grid_id": grid_tab.index.to_numpy(),
            "community_id": grid_tab["community"].map(codes).to_numpy(),
            "community": grid_tab["community"].to_numpy(),
            "subdistrict": grid_tab["community"].map(sub_of).to_numpy(),
            "households": grid_tab["households"].to_numpy(),
            "population": grid_tab["population"].to_numpy(),
            "buildings": grid_tab["buildings"].to_numpy(),
            "compounds": grid_tab["compounds"].to_numpy(),
        },
        geometry=[grid_geoms[g] for g in grid_tab.index],
        crs=METRIC_CRS,
    )
    comm_geoms = dissolve(
        {c: list(g.geometry) for c, g in compounds.groupby("community", sort=True)}
    )
    comm_tab = compounds.groupby("community", sort=True).agg(
        subdistrict=("subdistrict", "first"),
        households=("households", "sum"),
        population=("population", "sum"),
        compounds=("compound_id", "count"),
    )
    comm_tab["grids"] = grids.groupby("community")["grid_id"].count()
    communities = gpd.GeoDataFrame(
        {
            "community_id": comm_tab.index.map(codes).to_numpy(),
            "name": comm_tab.index.to_numpy(),
            "subdistrict_id": comm_tab["subdistrict"].map(sub_code).radd(DISTRICT_CODE).to_numpy(),
            "subdistrict": comm_tab["subdistrict"].to_numpy(),
            "households": comm_tab["households"].to_numpy(),
            "population": comm_tab["population"].to_numpy(),
            "compounds": comm_tab["compounds"].to_numpy(),
            "grids": comm_tab["grids"].to_numpy().astype("int64"),
        },
        geometry=[comm_geoms[c] for c in comm_tab.index],
        crs=METRIC_CRS,
    ).sort_values("community_id", ignore_index=True)
    sub_geoms = dissolve(
        {s: list(g.geometry) for s, g in compounds.groupby("subdistrict", sort=True)}
    )
    subdistricts = gpd.GeoDataFrame(
        {
            "subdistrict_id": [DISTRICT_CODE + s.code for s in SUBDISTRICTS],
            "name": [s.name for s in SUBDISTRICTS],
            "households": [int(compounds.loc[compounds.subdistrict == s.name, "households"].sum())
                           for s in SUBDISTRICTS],
            "population": [int(compounds.loc[compounds.subdistrict == s.name, "population"].sum())
                           for s in SUBDISTRICTS],
            "communities": [len(s.communities) for s in SUBDISTRICTS],
            "compounds": [int((compounds.subdistrict == s.name).sum()) for s in SUBDISTRICTS],
            "grids": [int((grids.subdistrict == s.name).sum()) for s in SUBDISTRICTS],
        },
        geometry=[sub_geoms[s.name] for s in SUBDISTRICTS],
        crs=METRIC_CRS,
    )  # fmt: skip

    return subdistricts, communities, grids


def build_landuse(
    rng: np.random.Generator,
    lakes: list[tuple[str, Polygon]],
    canal: tuple[Polygon, Polygon],
    blocks: list[Polygon],
    use: list[str],
) -> gpd.GeoDataFrame:
    """Water, parks, public land and green slivers: what is not housing."""
    canal_water, canal_corridor = canal
    landuse_rows = [{"kind": "water", "name": name, "geometry": geom} for name, geom in lakes]
    landuse_rows.append({"kind": "water", "name": "唐徕渠", "geometry": canal_water})
    banks = canal_corridor.difference(canal_water)
    landuse_rows.append({"kind": "park", "name": "唐徕渠绿道", "geometry": banks})
    for block, u in zip(blocks, use, strict=True):
        if u != "residential":
            landuse_rows.append({"kind": u, "name": None, "geometry": block})
    baohu = noisy_ellipse(rng, 5_450.0, 6_650.0, 230.0, 160.0)
    landuse_rows.append({"kind": "water", "name": "宝湖", "geometry": baohu})
    landuse = gpd.GeoDataFrame(landuse_rows, geometry="geometry", crs=METRIC_CRS)

    return landuse


def build_district(seed: int) -> dict[str, pd.DataFrame]:
    """Every layer of the sample district, in the output CRS, keyed by layer name."""
    rng = np.random.default_rng(seed)
    outline = build_outline()
    lakes = build_lakes(rng, outline)
    canal_water, canal_corridor = build_canal(rng, outline)
    roads = build_roads(rng, outline, lakes)
    blocks = build_superblocks(outline, lakes, canal_corridor, roads)
    arterials = roads.loc[roads["class"] == "arterial", "geometry"].to_numpy()
    use = choose_land_use(rng, blocks, lakes, arterials)

    block_subdistrict = assign_subdistricts(blocks, use, arterials)
    compounds = build_compounds(rng, blocks, use, block_subdistrict)
    compounds["subdistrict"] = block_subdistrict[compounds["block"].to_numpy()]
    graph = street_graph(compounds.geometry.values, arterials)
    compounds["community"] = assign_communities(rng, compounds, graph)
    allocate_people(rng, compounds)

    compounds, codes = number_units(compounds)
    compounds["name"] = name_compounds(rng, compounds)

    buildings = build_buildings(rng, compounds)
    graph = street_graph(compounds.geometry.values, arterials)  # compounds re-ordered
    buildings["grid"] = assign_grids(buildings, compounds, codes, graph)

    subdistricts, communities, grids = dissolved_layers(compounds, buildings, codes)
    facilities = build_facilities(rng, compounds, communities)
    staff = build_staff(communities, facilities)
    roster = build_roster(communities, grids, staff, facilities)

    landuse = build_landuse(rng, lakes, (canal_water, canal_corridor), blocks, use)

    compounds = compounds[
        ["compound_id", "name", "households", "population", "subdistrict", "community",
         "community_id", "geometry"]
    ]  # fmt: skip
    roads = roads[["name", "class", "width_m", "geometry"]]
    origin = metric_origin()
    layers: dict[str, pd.DataFrame] = {
        "subdistricts": subdistricts,
        "communities": communities,
        "grids": grids,
        "compounds": compounds,
        "buildings": buildings,
        "roads": roads,
        "facilities": facilities,
        "landuse": landuse,
    }
    layers = {k: to_output_crs(v, origin) for k, v in layers.items()}
    layers["staff"] = staff
    layers["roster"] = roster
    return layers


MULTI_LAYERS = ("subdistricts", "communities", "grids", "landuse")


def write_geopackage(layers: dict[str, pd.DataFrame], out_path: Path) -> None:
    """Write all layers and make the file byte-reproducible (fixed timestamps, VACUUM)."""
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if out_path.exists():
        out_path.unlink()
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_TIMESTAMP})
    try:
        for name, df in layers.items():
            kwargs = {"promote_to_multi": True} if name in MULTI_LAYERS else {}
            pyogrio.write_dataframe(df, out_path, layer=name, driver="GPKG", **kwargs)
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    con = sqlite3.connect(out_path)
    try:
        con.execute("UPDATE gpkg_contents SET last_change = ?", (FIXED_TIMESTAMP,))
        con.commit()
        con.execute("VACUUM")
    finally:
        con.close()


def main(out_path: str | Path = DEFAULT_OUT, seed: int = DEFAULT_SEED) -> Path:
    """Build the district from ``seed`` and write it to ``out_path``; return the path."""
    out_path = Path(out_path)
    layers = build_district(seed)
    write_geopackage(layers, out_path)
    return out_path


def _cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (2020)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output GeoPackage")
    args = parser.parse_args()
    start = time.perf_counter()
    path = main(args.out, args.seed)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    size_mb = path.stat().st_size / 1e6
    print(f"wrote {path} ({size_mb:.2f} MB, sha256 {digest[:16]}…) in "
          f"{time.perf_counter() - start:.1f} s")  # fmt: skip


if __name__ == "__main__":
    _cli()
