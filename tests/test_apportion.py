"""How many communities or grids each parent gets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jinfeng_grid.errors import InfeasibleSpecError
from jinfeng_grid.plan.apportion import count_range, counts_for_target, counts_for_total


def test_count_range_of_wulishuixiang_with_communities_of_2000_to_4000() -> None:
    assert count_range(12_640, low=2_000, high=4_000) == (4, 6)


def test_count_range_can_be_empty_when_no_count_fits() -> None:
    least, most = count_range(700, low=400, high=500)
    assert least > most


def test_target_counts_round_to_the_nearest_count_within_bounds() -> None:
    counts = counts_for_target(
        {"五里水乡": 12_640, "小社区": 2_100}, target=3_000, low=2_000, high=4_000
    )
    assert counts == {"五里水乡": 4, "小社区": 1}


def test_target_counts_are_clipped_up_to_meet_the_cap() -> None:
    # 9,000 / 5,000 rounds to 2 but parts of at most 4,000 need 3
    assert counts_for_target({"a": 9_000}, target=5_000, low=1_000, high=4_000) == {"a": 3}


def test_total_goes_where_units_are_largest_on_average() -> None:
    counts = counts_for_total(
        {"长城中路": 100_000, "北京中路": 15_000},
        22,
        low=1_000,
        high=10_000,
        current={"长城中路": 14, "北京中路": 6},
    )
    assert counts == {"北京中路": 6, "长城中路": 16}


def test_total_below_current_takes_units_from_the_smallest() -> None:
    counts = counts_for_total(
        {"a": 10_000, "b": 3_000}, 5, low=500, high=10_000, current={"a": 3, "b": 3}
    )
    assert counts == {"a": 3, "b": 2}


def test_a_parent_that_allows_no_count_is_named() -> None:
    with pytest.raises(
        InfeasibleSpecError, match=r"b: 700 households needs at least 2 and at most 1 grids"
    ):
        counts_for_total({"a": 1_000, "b": 700}, 3, low=400, high=500, unit="grid")


def test_a_total_outside_what_the_bounds_allow_says_the_range() -> None:
    with pytest.raises(InfeasibleSpecError, match=r"the bounds allow between 4 and 4 in all"):
        counts_for_total({"a": 1_000, "b": 1_000}, 9, low=400, high=500)


@given(
    weights=st.lists(st.integers(min_value=0, max_value=20_000), min_size=1, max_size=8),
    extra=st.integers(min_value=0, max_value=30),
)
def test_apportioned_counts_sum_to_the_total_and_respect_each_range(
    weights: list[int], extra: int
) -> None:
    by_key = {f"p{i}": w for i, w in enumerate(weights)}
    least = sum(count_range(w, low=300, high=500)[0] for w in weights)
    most = sum(count_range(w, low=300, high=500)[1] for w in weights)
    total = min(least + extra, most)
    try:
        counts = counts_for_total(by_key, total, low=300, high=500)
    except InfeasibleSpecError:
        assert any(
            count_range(w, low=300, high=500)[0] > count_range(w, low=300, high=500)[1]
            for w in weights
        )
        return
    assert sum(counts.values()) == total
    for key, count in counts.items():
        low_count, high_count = count_range(by_key[key], low=300, high=500)
        assert low_count <= count <= high_count
