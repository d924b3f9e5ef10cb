"""End to end on the bundled sample district (449 compounds, 20 police rooms, 29 health
stations): the current district written as a plan directory, then ``jinfeng-grid posts``.

Slow (tens of seconds on 2 cores): marked ``slow``, run in CI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jinfeng_grid import cli, io

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sample = io.sample_path()
    layers = {
        name: io.read_layer(sample, layer=name) for name in ("compounds", "communities", "grids")
    }
    layers["roads"] = io.read_roads(sample, layer="roads")
    layers["facilities"] = io.read_facilities(sample, layer="facilities")
    out = tmp_path_factory.mktemp("sample_plan")
    io.write_plan_outputs(out, layers=layers, tables={}, summary={}, crs="EPSG:4490")
    return out


def posts(plan: Path, out: Path, *args: str) -> dict:
    code = cli.main(["-q", "posts", str(plan), "--out", str(out), *args])
    assert code == 0
    return json.loads((out / "posts.json").read_text(encoding="utf-8"))


def test_five_new_police_rooms_raise_the_share_within_a_15_minute_walk(sample_plan, tmp_path):
    summary = posts(sample_plan, tmp_path, "--kind", "police_room", "--new", "5")
    assert summary["households"] == 278_865
    assert summary["existing_posts"] == 20 and summary["new_posts"] == 5
    assert summary["status"] == "optimal"
    assert summary["distance_method"].startswith("network")
    before = summary["households_within_walk_before"]
    after = summary["households_within_walk_after"]
    assert 0 < before < after < summary["households"]
    assert summary["seconds"] < 60


def test_police_rooms_for_every_household_and_every_community(sample_plan, tmp_path):
    summary = posts(sample_plan, tmp_path, "--kind", "police_room", "--every-community")
    assert summary["status"] == "optimal"
    assert summary["communities_with_post_after"] == summary["communities"]
    assert summary["households_within_walk_after"] == summary["households"]


def test_health_stations_by_p_median_are_proven_optimal(sample_plan, tmp_path):
    summary = posts(
        sample_plan, tmp_path, "--kind", "health_station", "--model", "p_median", "--new", "5"
    )
    assert summary["status"] == "optimal" and summary["gap"] == 0.0
    assert summary["existing_posts"] == 29
    assert summary["households_within_walk_after"] >= summary["households_within_walk_before"]
