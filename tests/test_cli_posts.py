"""``jinfeng-grid posts`` run in-process on a small plan directory: files, summary, errors."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from conftest import ORIGIN, block

from jinfeng_grid import cli, io
from jinfeng_grid.plan import read_plan

X, Y = ORIGIN
CRS = "EPSG:4544"


def street(*points: tuple[float, float]) -> shapely.LineString:
    return shapely.LineString([(X + x, Y + y) for x, y in points])


def write_plan(directory: Path, *, with_facilities: bool = True) -> Path:
    """A row of six 100 m compounds with 20 m streets; K1 holds the west three, K2 the
    east three; one police room in the first compound, one health station in the last."""
    compounds = gpd.GeoDataFrame(
        {
            "compound_id": [f"C{c}" for c in range(6)],
            "name": [f"小区{c}" for c in range(6)],
            "households": [300, 400, 500, 600, 700, 800],
            "population": [700, 900, 1100, 1300, 1500, 1700],
            "community_id": ["K1"] * 3 + ["K2"] * 3,
        },
        geometry=[block(c, 0) for c in range(6)],
        crs=CRS,
    )
    communities = compounds.dissolve("community_id", aggfunc="sum").reset_index()
    communities["name"] = ["西社区", "东社区"]
    grids = compounds.rename(columns={"compound_id": "grid_id"})
    roads = gpd.GeoDataFrame(
        {"name": ["南路"] + [f"{c}街" for c in range(7)], "class": "local"},
        geometry=[street((-20, -10), (740, -10))]
        + [street((120 * c - 10, -20), (120 * c - 10, 120)) for c in range(7)],
        crs=CRS,
    )
    layers = {"compounds": compounds, "communities": communities, "grids": grids, "roads": roads}
    if with_facilities:
        layers["facilities"] = gpd.GeoDataFrame(
            {
                "id": ["PR1", "HS1"],
                "kind": ["police_room", "health_station"],
                "name": ["西警务室", "东卫生站"],
            },
            geometry=[shapely.Point(X + 50, Y + 50), shapely.Point(X + 650, Y + 50)],
            crs=CRS,
        )
    io.write_plan_outputs(directory, layers=layers, tables={}, summary={"levels": {}})
    return directory


@pytest.fixture
def plan_dir(tmp_path: Path) -> Path:
    return write_plan(tmp_path / "plan")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["-q", "posts", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_posts_writes_the_layer_the_table_and_a_before_after_summary(capsys, plan_dir, tmp_path):
    out_dir = tmp_path / "posts"
    code, out, err = run(
        capsys,
        str(plan_dir),
        "--kind",
        "police_room",
        "--new",
        "1",
        "--walk-minutes",
        "4",
        "--out",
        str(out_dir),
    )
    assert (code, err) == (0, "")
    posts = gpd.read_file(out_dir / "posts.gpkg", layer="posts")
    assert posts.crs.to_epsg() == 4544
    assert posts["status"].tolist() == ["existing", "new"]
    assert posts["post_id"].iloc[0] == "PR1"
    assert set(posts["kind"]) == {"police_room"}
    assert set(posts["distance_method"]) == {"network"}
    coverage = pd.read_csv(out_dir / "coverage.csv", encoding="utf-8-sig")
    assert coverage["community_id"].tolist() == ["K1", "K2"]
    assert coverage["households"].sum() == 3300
    assert (out_dir / "coverage.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    summary = json.loads((out_dir / "posts.json").read_text(encoding="utf-8"))
    assert summary["model"] == "coverage" and summary["status"] == "optimal"
    before = summary["households_within_walk_before"]
    after = summary["households_within_walk_after"]
    assert before < after <= 3300
    assert posts["households_served"].sum() == 3300
    assert f"households within a 4-minute walk (240 m) of a police room: {before:,} of 3,300" in out
    assert "along the streets, from compound gates" in out


def test_without_new_the_fewest_posts_reach_everyone(capsys, plan_dir, tmp_path):
    code, out, _ = run(
        capsys,
        str(plan_dir),
        "--kind",
        "health_station",
        "--walk-minutes",
        "4",
        "--out",
        str(tmp_path / "hs"),
    )
    assert code == 0
    assert "health station: set_cover" in out
    summary = json.loads((tmp_path / "hs" / "posts.json").read_text(encoding="utf-8"))
    assert summary["households_within_walk_after"] == 3300


def test_given_candidates_are_read_from_file_and_layer(capsys, plan_dir, tmp_path):
    sites = gpd.GeoDataFrame(
        {"id": ["S1"], "name": ["东候选点"]},
        geometry=[shapely.Point(X + 410, Y + 50)],
        crs=CRS,
    ).to_crs("EPSG:4490")
    path = tmp_path / "sites.gpkg"
    sites.to_file(path, layer="候选点")
    code, _, _ = run(
        capsys,
        str(plan_dir),
        "--kind",
        "police_room",
        "--new",
        "1",
        "--walk-minutes",
        "4",
        "--candidates",
        f"{path}:候选点",
        "--out",
        str(tmp_path / "p"),
    )
    assert code == 0
    posts = gpd.read_file(tmp_path / "p" / "posts.gpkg", layer="posts")
    new = posts[posts["status"] == "new"]
    assert new["post_id"].tolist() == ["S1"]
    assert new["name"].tolist() == ["东候选点"]
    assert new["community_id"].tolist() == ["K2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "school"], "the kinds present are: health_station, police_room"),
        (["--kind", "police_room", "--walk-minutes", "0"], "must be a positive number, got 0.0"),
        (["--kind", "police_room", "--new", "-1"], "whole number ≥ 0, got -1"),
    ],
)
def test_bad_options_exit_2_with_one_line(capsys, plan_dir, tmp_path, args, message):
    code, out, err = run(capsys, str(plan_dir), *args, "--out", str(tmp_path / "x"))
    assert code == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1


def test_a_plan_without_facilities_exits_2(capsys, tmp_path):
    plan = write_plan(tmp_path / "bare", with_facilities=False)
    code, _, err = run(capsys, str(plan), "--kind", "police_room", "--out", str(tmp_path / "x"))
    assert code == 2
    assert "has no facilities layer" in err


def test_an_empty_candidates_layer_exits_2(capsys, plan_dir, tmp_path):
    empty = gpd.GeoDataFrame({"id": pd.Series([], dtype=str)}, geometry=[], crs=CRS)
    path = tmp_path / "none.gpkg"
    empty.to_file(path, layer="sites")
    code, _, err = run(
        capsys,
        str(plan_dir),
        "--kind",
        "police_room",
        "--new",
        "1",
        "--candidates",
        str(path),
        "--out",
        str(tmp_path / "x"),
    )
    assert code == 2
    assert "no candidate sites for new posts" in err


def test_set_cover_that_cannot_reach_everyone_exits_1_and_names_the_compounds(
    capsys, plan_dir, tmp_path
):
    sites = gpd.GeoDataFrame({"id": ["S1"]}, geometry=[shapely.Point(X + 410, Y + 50)], crs=CRS)
    path = tmp_path / "sites.gpkg"
    sites.to_file(path, layer="sites")
    code, out, _ = run(
        capsys,
        str(plan_dir),
        "--kind",
        "police_room",
        "--walk-minutes",
        "4",
        "--candidates",
        str(path),
        "--out",
        str(tmp_path / "p"),
    )
    assert code == 1
    assert "no candidate site reaches these compounds within the walk: C2" in out


def test_a_district_file_is_sited_by_its_current_communities(capsys, plan_dir, tmp_path):
    plan = read_plan(plan_dir)
    district = tmp_path / "district.gpkg"
    compounds = plan.compounds.rename(columns={"compound_id": "id"})
    compounds["community"] = compounds["community_id"].map({"K1": "西社区", "K2": "东社区"})
    compounds.drop(columns="community_id").to_file(district, layer="compounds")
    plan.facilities.to_file(district, layer="facilities")
    plan.roads.to_file(district, layer="roads")
    code, out, _ = run(
        capsys,
        str(district),
        "--kind",
        "police_room",
        "--new",
        "1",
        "--walk-minutes",
        "4",
        "--out",
        str(tmp_path / "now"),
    )
    assert code == 0
    coverage = pd.read_csv(tmp_path / "now" / "coverage.csv", encoding="utf-8-sig")
    assert sorted(coverage["community_id"]) == ["东社区", "西社区"]
    assert coverage["households"].sum() == 3300
    assert "of 2\n" in out  # communities with a police room: before -> after of 2


def test_every_gate_can_be_a_candidate(capsys, plan_dir, tmp_path):
    code, out, _ = run(
        capsys,
        str(plan_dir),
        "--kind",
        "police_room",
        "--new",
        "1",
        "--gates",
        "all",
        "--out",
        str(tmp_path / "all"),
    )
    assert code == 0
    main = run(
        capsys, str(plan_dir), "--kind", "police_room", "--new", "1", "--out", str(tmp_path / "m")
    )[1]

    def count(text: str) -> int:
        return int(text.split(" candidate sites")[0].rsplit(" ", 1)[1])

    assert count(out) > count(main)
