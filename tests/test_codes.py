"""Unit codes: reading order on the map, and stable codes for unchanged units."""

from __future__ import annotations

import pytest

from jinfeng_grid.errors import InputDataError
from jinfeng_grid.plan.codes import number_units, reading_order

# a 3×3 block of units, named by where they lie (y grows northwards)
LAYOUT = {
    "nw": (0.0, 200.0), "n": (100.0, 205.0), "ne": (200.0, 195.0),
    "w": (0.0, 100.0), "c": (100.0, 96.0), "e": (200.0, 104.0),
    "sw": (0.0, 0.0), "s": (100.0, 3.0), "se": (200.0, -2.0),
}  # fmt: skip


def test_units_are_read_north_to_south_then_west_to_east() -> None:
    assert reading_order(LAYOUT) == ["nw", "n", "ne", "w", "c", "e", "sw", "s", "se"]


def test_codes_are_the_prefix_and_the_reading_order_sequence() -> None:
    codes = number_units(LAYOUT, prefix="640106001")
    assert codes["nw"] == "640106001001"
    assert codes["c"] == "640106001005"
    assert codes["se"] == "640106001009"


def test_kept_codes_stay_and_new_units_take_the_free_numbers() -> None:
    codes = number_units(LAYOUT, prefix="9", width=2, keep={"se": "901", "c": "905"})
    assert codes["se"] == "901"
    assert codes["c"] == "905"
    assert codes["nw"] == "902"
    assert sorted(codes.values()) == [f"9{i:02d}" for i in range(1, 10)]


def test_numbering_is_deterministic_for_ties() -> None:
    tied = {"b": (0.0, 0.0), "a": (0.0, 0.0)}
    assert number_units(tied, prefix="1") == {"a": "1001", "b": "1002"}


def test_a_kept_code_outside_the_parent_is_an_error() -> None:
    with pytest.raises(InputDataError, match=r"kept codes 7001 do not have the form 9 \+ 3 digits"):
        number_units(LAYOUT, prefix="9", keep={"c": "7001"})


def test_too_many_units_for_the_code_width_is_an_error() -> None:
    many = {i: (float(i), 0.0) for i in range(10)}
    with pytest.raises(InputDataError, match=r"10 units under 64 do not fit 1-digit codes"):
        number_units(many, prefix="64", width=1)
