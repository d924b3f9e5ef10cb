"""Each validation rule on a tiny hand-drawn layer; every message pinned."""

from __future__ import annotations

import pandas as pd
import pytest
import shapely
from conftest import ORIGIN, block, frame, lattice_compounds

from jinfeng_grid import io
from jinfeng_grid.errors import GeometryError, InputDataError
from jinfeng_grid.validate import ValidationReport, validate_compounds

X, Y = ORIGIN


def with_values(column: str, values: list) -> pd.DataFrame:
    """A clean 2 × 2 lattice with one column replaced by raw (object) values."""
    layer = lattice_compounds(2, 2)
    layer[column] = pd.Series(values, dtype=object)
    return layer


def messages(report: ValidationReport, rule: str) -> list[str]:
    return [i.message for i in report.issues if i.rule == rule]


def test_a_clean_layer_has_no_issues_and_exit_code_zero():
    report = validate_compounds(lattice_compounds(3, 2))
    assert report.issues == () and report.ok and report.exit_code == 0
    assert str(report) == "validation of compounds: 6 compounds: 0 errors, 0 warnings — clean"
    assert repr(report) == "<ValidationReport compounds: 6 compounds, 0 errors, 0 warnings>"
    assert report.raise_if_errors() is report


def test_duplicate_ids_are_an_error_naming_rows_and_names():
    layer = lattice_compounds(2, 2)
    layer["id"] = ["C01", "C02", "C01", "C04"]
    report = validate_compounds(layer)
    assert messages(report, "duplicate_id") == [
        "id C01 appears in rows 1, 3 (names 小区01, 小区03)"
    ]
    assert report.exit_code == 2


def test_a_missing_id_is_an_error():
    layer = with_values("id", ["C01", None, "C03", " "])
    assert messages(validate_compounds(layer), "missing_id") == [
        "row 2 (小区02): no id",
        "row 4 (小区04): no id",
    ]


def test_a_non_numeric_household_count_is_reported_with_row_and_id():
    report = validate_compounds(with_values("households", [100, "约300", "300户", 200]))
    assert messages(report, "non_numeric") == [
        "row 2, id C02 (小区02): households '约300' is not a number",
        "row 3, id C03 (小区03): households '300户' is not a number",
    ]
    assert report.repaired["households"].isna().tolist() == [False, True, True, False]


def test_numbers_written_as_text_with_full_width_digits_or_thousands_are_accepted():
    layer = with_values("households", ["100", "１２０", "1,200", " 7 "])
    layer["population"] = [250, 300, 3000, 20]
    report = validate_compounds(layer)
    assert report.issues == ()
    assert report.repaired["households"].tolist() == [100, 120, 1200, 7]
    assert str(report.repaired["households"].dtype) == "Int64"


def test_missing_counts_are_an_error():
    report = validate_compounds(with_values("population", [250, None, "", 1000]))
    assert messages(report, "missing_value") == [
        "row 2, id C02 (小区02): population is missing",
        "row 3, id C03 (小区03): population is missing",
    ]


def test_negative_counts_are_an_error():
    report = validate_compounds(with_values("households", [100, -20, 300, 400]))
    assert messages(report, "negative") == ["row 2, id C02 (小区02): households -20 is negative"]


def test_fractional_counts_are_a_warning_and_rounded_in_the_repaired_layer():
    report = validate_compounds(with_values("households", [100, 200.6, 300, 400]))
    assert messages(report, "fractional") == [
        "row 2, id C02 (小区02): households 200.6 is not a whole number (repaired as 201)"
    ]
    assert report.exit_code == 1
    assert report.repaired["households"].tolist() == [100, 201, 300, 400]


def test_population_below_households_is_a_warning():
    report = validate_compounds(with_values("population", [250, 150, 750, 1000]))
    assert messages(report, "population_below_households") == [
        "row 2, id C02 (小区02): population 150 is below households 200"
    ]
    assert report.exit_code == 1


def test_null_and_empty_geometries_are_errors():
    layer = lattice_compounds(2, 2)
    layer.loc[1, "geometry"] = None
    layer.loc[2, "geometry"] = shapely.Polygon()
    assert messages(validate_compounds(layer), "null_geometry") == [
        "row 2, id C02 (小区02): no geometry",
        "row 3, id C03 (小区03): an empty geometry",
    ]


def test_a_point_compound_is_the_wrong_geometry_type():
    layer = lattice_compounds(2, 1)
    layer.loc[1, "geometry"] = shapely.Point(X, Y)
    assert messages(validate_compounds(layer), "wrong_geometry_type") == [
        "row 2, id C02 (小区02): a Point, expected Polygon or MultiPolygon"
    ]


def test_a_small_self_intersection_is_repaired_and_reported():
    layer = lattice_compounds(2, 1)
    spiked = [(X, Y), (X + 100, Y), (X + 100, Y + 100), (X, Y + 100), (X, Y + 50)]
    spiked += [(X - 0.5, Y + 50.2), (X, Y + 50.1)]  # a tiny loop from a CAD trace
    layer.loc[0, "geometry"] = shapely.Polygon(spiked)
    report = validate_compounds(layer)
    (message,) = messages(report, "repaired_geometry")
    assert message.startswith("row 1, id C01 (小区01): ring self-intersection at 607000.0,")
    assert message.endswith("repaired with make_valid (area changed 0.0%)")
    assert report.repaired.geometry.iloc[0].is_valid
    assert report.exit_code == 1


def test_a_bow_tie_cannot_be_repaired_within_one_percent_and_is_an_error():
    layer = lattice_compounds(2, 1)
    bow_tie = [(X, Y), (X + 100, Y + 100), (X + 100, Y), (X, Y + 100)]
    layer.loc[0, "geometry"] = shapely.Polygon(bow_tie)
    (message,) = messages(validate_compounds(layer), "invalid_geometry")
    assert message == (
        "row 1, id C01 (小区01): self-intersection at 607050.0, 4261050.0 (EPSG:4544); "
        "not repaired (a repair would change the area from zero)"
    )


def test_without_repair_an_invalid_geometry_is_an_error():
    layer = lattice_compounds(2, 1)
    spiked = [(X, Y), (X + 100, Y), (X + 100, Y + 100), (X, Y + 100), (X, Y + 50)]
    layer.loc[0, "geometry"] = shapely.Polygon([*spiked, (X - 0.5, Y + 50.2), (X, Y + 50.1)])
    (message,) = messages(validate_compounds(layer, repair=False), "invalid_geometry")
    assert message.endswith("not repaired (repair is off)")


def test_overlaps_above_the_tolerance_are_reported_with_area_and_share():
    layer = lattice_compounds(2, 1)
    layer.loc[1, "geometry"] = shapely.box(X + 90, Y, X + 190, Y + 100)
    assert messages(validate_compounds(layer), "overlap") == [
        "C01 (小区01) and C02 (小区02) overlap by 1,000 m² (10.0% of the smaller)"
    ]
    assert messages(validate_compounds(layer, overlap_tolerance=0.2), "overlap") == []


def test_an_island_is_reported_with_its_nearest_compound_and_distance():
    layer = lattice_compounds(2, 1)
    layer.loc[1, "geometry"] = block(3, 0)
    report = validate_compounds(layer, gap_tolerance_m=30)
    assert messages(report, "island") == [
        "C01 (小区01) has no neighbour within 30 m; the nearest is C02 (小区02) at 260 m",
        "C02 (小区02) has no neighbour within 30 m; the nearest is C01 (小区01) at 260 m",
    ]
    assert validate_compounds(layer, gap_tolerance_m=300).issues == ()


# --- buildings --------------------------------------------------------------------------


def two_buildings_per_compound() -> pd.DataFrame:
    records = []
    for k, (col, row) in enumerate([(0, 0), (1, 0)], start=1):
        inner = block(col, row).centroid
        for j, dx in enumerate((-20, 20)):
            records.append(
                {
                    "id": f"B{k}{j}",
                    "compound_id": f"C{k:02d}",
                    "households": 50 * k,
                    "population": 125 * k,
                    "geometry": shapely.Point(inner.x + dx, inner.y).buffer(5),
                }
            )
    return frame(records)


def test_buildings_that_sum_to_their_compounds_are_clean():
    report = validate_compounds(lattice_compounds(2, 1), buildings=two_buildings_per_compound())
    assert report.issues == ()
    assert len(report.repaired_buildings) == 4


def test_a_building_outside_its_compound_names_where_it_lies():
    buildings = two_buildings_per_compound()
    buildings.loc[0, "compound_id"] = "C02"
    report = validate_compounds(lattice_compounds(2, 1), buildings=buildings)
    assert messages(report, "building_outside_compound") == [
        "row 1, id B10: outside its compound C02 (小区02) by 90 m; it lies in C01 (小区01)"
    ]


def test_buildings_whose_counts_do_not_sum_to_their_compound_are_a_warning():
    buildings = two_buildings_per_compound()
    buildings.loc[0, "households"] = 60
    report = validate_compounds(lattice_compounds(2, 1), buildings=buildings)
    assert messages(report, "building_counts_mismatch") == [
        "compound C01 (小区01): its buildings hold 110 households, the compound says 100"
    ]


def test_buildings_with_an_unknown_or_missing_compound_are_errors():
    buildings = two_buildings_per_compound()
    buildings["compound_id"] = pd.Series(["C09", None, "C02", "C02"], dtype=object)
    report = validate_compounds(lattice_compounds(2, 1), buildings=buildings)
    assert messages(report, "unknown_compound") == [
        "row 1, id B10: compound id C09 matches no compound"
    ]
    assert messages(report, "missing_compound_id") == ["row 2, id B11: no compound id"]


def test_building_counts_are_checked_like_compound_counts():
    buildings = two_buildings_per_compound()
    buildings["households"] = pd.Series([50, "五十", 100, 100], dtype=object)
    report = validate_compounds(lattice_compounds(2, 1), buildings=buildings)
    (issue,) = [i for i in report.issues if i.rule == "non_numeric"]
    assert issue.layer == "buildings"
    assert issue.message == "row 2, id B11: households '五十' is not a number"


# --- the report as a whole ---------------------------------------------------------------


def bad_layer() -> pd.DataFrame:
    layer = lattice_compounds(2, 2)
    layer["id"] = ["C01", "C01", "C03", "C04"]
    layer["households"] = pd.Series([100, "约300", 300, 400.5], dtype=object)
    layer.loc[3, "geometry"] = None
    return layer


def test_one_run_reports_every_problem_grouped_with_how_to_fix_it():
    text = str(validate_compounds(bad_layer()))
    assert text.splitlines()[0] == "validation of compounds: 4 compounds: 3 errors, 1 warning"
    assert "ERROR duplicate ids: 1\n  - id C01 appears in rows 1, 2" in text
    assert (
        "ERROR counts that are not numbers: 1\n  - row 2, id C01 (小区02): households '约300'"
        in text
    )
    assert "ERROR missing or empty geometries: 1" in text
    assert "WARNING counts that are not whole numbers: 1" in text
    assert "  fix: make the ids unique" in text
    assert text.index("ERROR") < text.index("WARNING")


def test_raise_if_errors_raises_one_error_listing_all_errors():
    report = validate_compounds(bad_layer())
    with pytest.raises(InputDataError, match=r"(?s)3 errors.*duplicate ids.*约300.*no geometry"):
        report.raise_if_errors()


def test_the_report_as_a_table_has_one_row_per_issue():
    table = validate_compounds(bad_layer()).to_frame()
    assert list(table.columns) == ["severity", "layer", "rule", "message", "ids", "rows", "fix"]
    assert table["rule"].tolist() == ["duplicate_id", "non_numeric", "null_geometry", "fractional"]
    assert table.loc[1, "rows"] == [2]


def test_a_layer_in_degrees_is_refused_with_a_hint():
    with pytest.raises(GeometryError, match="must be in a metric CRS"):
        validate_compounds(lattice_compounds(2, 1).to_crs("EPSG:4490"))


# --- through io: the user's files ----------------------------------------------------------


def test_a_gbk_shapefile_with_chinese_columns_is_validated_with_rows_and_ids(write_layer):
    layer = frame(
        [
            {
                "编码": "A1",
                "小区名称": "枫林湾",
                "户数": "620",
                "人口": "1500",
                "geometry": block(0, 0),
            },
            {
                "编码": "A2",
                "小区名称": "未来城",
                "户数": "约300",
                "人口": "800",
                "geometry": block(1, 0),
            },
        ]
    )
    path = write_layer(layer, "district.shp", encoding="GBK")
    path.with_suffix(".cpg").unlink()
    report = validate_compounds(io.read_compounds(path, columns={"id": "编码"}))
    assert report.source == "district.shp"
    assert messages(report, "non_numeric") == [
        "row 2, id A2 (未来城): households '约300' is not a number"
    ]


def test_a_geojson_in_lon_lat_is_validated_in_metres(write_layer):
    layer = lattice_compounds(2, 1)
    layer.loc[1, "geometry"] = block(3, 0)
    path = write_layer(layer.to_crs("EPSG:4490"), "district.geojson")
    report = validate_compounds(io.read_compounds(path))
    (message,) = messages(report, "island")[:1]
    assert message.endswith("the nearest is C02 (小区02) at 260 m")


def test_invalid_geometry_positions_are_given_in_the_input_crs(write_layer):
    layer = lattice_compounds(2, 1)
    bow_tie = [(X, Y), (X + 100, Y + 100), (X + 100, Y), (X, Y + 100)]
    layer.loc[0, "geometry"] = shapely.Polygon(bow_tie)
    path = write_layer(layer.to_crs("EPSG:4490"), "district.geojson")
    (message,) = messages(validate_compounds(io.read_compounds(path)), "invalid_geometry")
    assert message.startswith("row 1, id C01 (小区01): self-intersection at 106.22")
    assert message.endswith("(EPSG:4490); not repaired (a repair would change the area from zero)")
