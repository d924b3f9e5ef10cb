"""Writing a plan: GeoPackage layers, CSV tables, summary.json, workbook, provenance."""

from __future__ import annotations

import hashlib
import json
import platform

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from conftest import lattice_compounds

from jinfeng_grid import __version__, io
from jinfeng_grid.config import load_scenario
from jinfeng_grid.errors import InputDataError
from jinfeng_grid.plan import read_plan


def plan_layers() -> dict[str, gpd.GeoDataFrame]:
    compounds = lattice_compounds(3, 2).rename(columns={"id": "compound_id"})
    compounds["subdistrict_id"] = "北京中路"
    compounds["community_id"] = ["社区1"] * 3 + ["社区2"] * 3
    communities = compounds.dissolve("community_id", as_index=False)[["community_id", "geometry"]]
    return {"compounds": compounds, "communities": communities}


def plan_tables() -> dict[str, pd.DataFrame]:
    communities = pd.DataFrame(
        {
            "community_id": ["社区1", "社区2"],
            "name": ["五里水乡", "金家巷"],
            "households": [600, 1500],
        }
    )
    moves = pd.DataFrame(
        {"compound_id": ["C01"], "old": ["旧社区"], "new": ["社区1"], "moved": [100]}
    )
    return {"communities": communities, "moves": moves}


def plan_summary() -> dict:
    return {
        "community": {
            "units": np.int64(2),
            "within_bounds": np.int32(2),
            "objective": np.float64(240.0),
            "bound": float("nan"),
            "gap": np.float64("nan"),
            "status": "optimal",
            "seconds": 0.5,
            "sizes": np.array([600, 1500]),
        },
        "district": "金凤区",
    }


def write(tmp_path, **kwargs):
    return io.write_plan_outputs(
        tmp_path / "out",
        layers=kwargs.get("layers", plan_layers()),
        tables=kwargs.get("tables", plan_tables()),
        summary=kwargs.get("summary", plan_summary()),
        crs=kwargs.get("crs"),
    )


def test_a_plan_is_written_as_gpkg_csv_tables_and_summary(tmp_path):
    written = write(tmp_path)
    out = tmp_path / "out"
    assert written == {
        "plan.gpkg": out / "plan.gpkg",
        "communities.csv": out / "communities.csv",
        "moves.csv": out / "moves.csv",
        "summary.json": out / "summary.json",
    }
    assert sorted(p.name for p in out.iterdir()) == sorted(written)


def test_layers_read_back_with_the_same_rows_columns_and_crs(tmp_path):
    layers = plan_layers()
    path = write(tmp_path, layers=layers)["plan.gpkg"]
    assert [str(name) for name, _ in pyogrio.list_layers(path)] == ["compounds", "communities"]
    back = gpd.read_file(path, layer="compounds")
    assert back.crs == layers["compounds"].crs
    pd.testing.assert_frame_equal(
        pd.DataFrame(back.drop(columns="geometry")),
        pd.DataFrame(layers["compounds"].drop(columns="geometry")),
    )
    assert back.geometry.geom_equals(layers["compounds"].geometry).all()


def test_layers_are_reprojected_to_the_crs_asked_for(tmp_path):
    layers = plan_layers()
    path = write(tmp_path, layers=layers, crs="EPSG:4490")["plan.gpkg"]
    back = gpd.read_file(path, layer="communities")
    assert back.crs.to_epsg() == 4490
    assert len(back) == 2
    assert back.to_crs(layers["communities"].crs).geometry.area.sum() == pytest.approx(
        layers["communities"].geometry.area.sum(), rel=1e-6
    )


def test_writing_again_replaces_the_geopackage_instead_of_appending(tmp_path):
    write(tmp_path)
    layers = plan_layers()
    layers["compounds"] = layers["compounds"].iloc[:2]
    path = write(tmp_path, layers={"compounds": layers["compounds"]})["plan.gpkg"]
    assert [str(name) for name, _ in pyogrio.list_layers(path)] == ["compounds"]
    assert len(gpd.read_file(path, layer="compounds")) == 2
    assert not list(path.parent.glob(".partial-*"))


def test_an_empty_layer_is_written_with_its_columns(tmp_path):
    empty = plan_layers()["compounds"].iloc[:0]
    path = write(tmp_path, layers={"grids": empty})["plan.gpkg"]
    back = gpd.read_file(path, layer="grids")
    assert len(back) == 0
    assert "community_id" in back.columns


def test_tables_are_utf8_with_a_bom_and_read_back_with_chinese_text(tmp_path):
    path = write(tmp_path)["communities.csv"]
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" not in raw
    back = pd.read_csv(path, encoding="utf-8-sig")
    pd.testing.assert_frame_equal(back, plan_tables()["communities"])


def test_a_named_index_is_written_as_a_column_and_a_default_index_is_not(tmp_path):
    table = plan_tables()["communities"]
    written = write(tmp_path, tables={"a": table, "b": table.set_index("community_id")})
    assert pd.read_csv(written["a.csv"], encoding="utf-8-sig").columns[0] == "community_id"
    assert pd.read_csv(written["b.csv"], encoding="utf-8-sig").columns[0] == "community_id"


def test_the_summary_is_plain_json_with_null_for_nan_and_chinese_kept(tmp_path):
    path = write(tmp_path)["summary.json"]
    text = path.read_text(encoding="utf-8")
    assert "金凤区" in text
    assert "NaN" not in text
    data = json.loads(text)
    assert data["community"] == {
        "units": 2,
        "within_bounds": 2,
        "objective": 240.0,
        "bound": None,
        "gap": None,
        "status": "optimal",
        "seconds": 0.5,
        "sizes": [600, 1500],
    }
    assert text.startswith('{\n  "community"')


def test_writing_twice_gives_identical_summary_and_csv_bytes(tmp_path):
    first = write(tmp_path)
    before = {name: first[name].read_bytes() for name in first if name != "plan.gpkg"}
    second = write(tmp_path)
    assert {name: second[name].read_bytes() for name in second if name != "plan.gpkg"} == before


def test_an_unwritable_output_directory_is_an_input_error_naming_it(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(InputDataError, match=r"cannot write the plan to .*file.txt"):
        io.write_plan_outputs(blocker / "out", layers={}, tables={}, summary={})


def test_a_layer_without_geometry_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(InputDataError, match=r"layer 'moves' has no geometry.*pass it in tables="):
        write(tmp_path, layers={"moves": plan_tables()["moves"]})
    assert not (tmp_path / "out" / "plan.gpkg").exists()


def test_a_table_name_that_is_not_a_file_name_is_refused(tmp_path):
    with pytest.raises(InputDataError, match=r"table name '\.\./x' cannot be a file name"):
        write(tmp_path, tables={"../x": plan_tables()["moves"]})


def test_a_summary_value_json_cannot_hold_is_named(tmp_path):
    with pytest.raises(InputDataError, match=r"summary entry summary.level.when is a object"):
        write(tmp_path, summary={"level": {"when": object()}})


def test_a_workbook_has_one_sheet_per_table_with_excel_safe_unique_names(tmp_path):
    tables = {
        "communities": plan_tables()["communities"],
        "x" * 40: plan_tables()["moves"],
        "x" * 35: plan_tables()["moves"],
        "a/b": plan_tables()["moves"],
    }
    path = io.write_workbook(tmp_path / "approval.xlsx", tables)
    with pd.ExcelFile(path, engine="openpyxl") as book:
        assert book.sheet_names == ["communities", "x" * 31, "x" * 29 + "~2", "a_b"]
        back = pd.read_excel(book, sheet_name="communities")
    pd.testing.assert_frame_equal(back, plan_tables()["communities"])


def test_a_workbook_needs_a_table(tmp_path):
    with pytest.raises(InputDataError, match="no tables to write"):
        io.write_workbook(tmp_path / "x.xlsx", {})


def test_file_sha256_is_the_sha256_of_the_bytes(tmp_path):
    path = tmp_path / "a.bin"
    path.write_bytes(b"jinfeng" * 1000)
    assert io.file_sha256(path) == hashlib.sha256(b"jinfeng" * 1000).hexdigest()
    with pytest.raises(InputDataError, match=r"cannot hash .*nope: it does not exist"):
        io.file_sha256(tmp_path / "nope")


def test_provenance_records_versions_inputs_scenario_and_seed_without_a_timestamp(tmp_path):
    path = write(tmp_path)["plan.gpkg"]
    scenario = load_scenario("reform2020")
    record = io.provenance([path], scenario=scenario, seed=3)
    assert record["version"] == __version__
    assert record["python"] == platform.python_version()
    assert record["inputs"] == [
        {"name": "plan.gpkg", "bytes": path.stat().st_size, "sha256": io.file_sha256(path)}
    ]
    assert record["scenario"] == scenario.to_dict()
    assert record["seed"] == 3
    assert "created" not in record
    assert str(tmp_path) not in json.dumps(record, ensure_ascii=False)
    assert io.provenance([path], scenario=scenario, seed=3) == record
    stamped = io.provenance([path], scenario=scenario, seed=3, created="2026-01-01T00:00:00Z")
    assert stamped["created"] == "2026-01-01T00:00:00Z"


def test_provenance_of_a_shapefile_lists_its_sidecar_files(tmp_path):
    path = tmp_path / "compounds.shp"
    lattice_compounds(2, 1).to_file(path, engine="pyogrio")
    names = [
        entry["name"] for entry in io.provenance([path], scenario=load_scenario(), seed=0)["inputs"]
    ]
    assert names == sorted(names)
    assert {"compounds.shp", "compounds.shx", "compounds.dbf", "compounds.prj"} <= set(names)


def test_provenance_in_a_summary_is_byte_identical_across_runs(tmp_path):
    source = write(tmp_path)["moves.csv"]
    texts = []
    for run in ("a", "b"):
        summary = {"provenance": io.provenance([source], scenario=load_scenario(), seed=0)}
        path = io.write_plan_outputs(tmp_path / run, layers={}, tables={}, summary=summary)
        texts.append(path["summary.json"].read_bytes())
    assert texts[0] == texts[1]


# --- a plan directory read back ---------------------------------------------------


def plan_with_grids() -> dict[str, gpd.GeoDataFrame]:
    layers = plan_layers()
    grids = layers["compounds"].dissolve("community_id", as_index=False)
    layers["grids"] = grids.assign(grid_id=["G1", "G2"])[["grid_id", "community_id", "geometry"]]
    return layers


def test_a_plan_directory_reads_back_with_its_staff_table_and_in_a_metric_crs(tmp_path):
    staff = pd.DataFrame({"community": ["五里水乡"], "police": [1]})
    io.write_plan_outputs(
        tmp_path / "out",
        layers=plan_with_grids(),
        tables=plan_tables(),
        summary={"district": "金凤区"},
        crs=4490,
        gpkg_tables={"staff": staff},
    )
    plan = read_plan(tmp_path / "out")
    assert list(plan.compounds["compound_id"]) == list(plan_layers()["compounds"]["compound_id"])
    assert plan.compounds.crs.is_projected
    assert "input_crs" in plan.compounds.attrs
    assert plan.staff.to_dict("list") == {"community": ["五里水乡"], "police": [1]}
    assert plan.extra == {"district": "金凤区"}
    assert plan.buildings is None and plan.roads is None and plan.facilities is None


def test_a_directory_without_a_plan_says_how_to_make_one(tmp_path):
    with pytest.raises(InputDataError, match=r"does not exist: make one with `jinfeng-grid plan"):
        read_plan(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputDataError, match=r"is not a plan directory: it has no plan.gpkg"):
        read_plan(tmp_path / "empty")


def test_a_plan_without_grids_names_the_missing_layer(tmp_path):
    write(tmp_path)
    with pytest.raises(InputDataError, match=r"has no layer 'grids' \(it has compounds, commun"):
        read_plan(tmp_path / "out")


def test_a_table_may_not_share_a_layer_name(tmp_path):
    with pytest.raises(InputDataError, match=r"'compounds' is both a layer and a table"):
        io.write_plan_outputs(
            tmp_path / "out",
            layers=plan_layers(),
            tables={},
            summary={},
            gpkg_tables={"compounds": pd.DataFrame({"a": [1]})},
        )
