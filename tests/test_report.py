"""District summaries on tiny hand-made tables."""

from __future__ import annotations

import pandas as pd
import pytest

from jinfeng_grid.errors import InputDataError
from jinfeng_grid.report import district_summary, format_district_summary


def _compounds() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "subdistrict": ["甲街道", "甲街道", "甲街道", "乙街道"],
            "community": ["一社区", "一社区", "二社区", "三社区"],
            "households": [3000, 2500, 2000, 6000],
            "population": [8000, 6000, 5000, 15000],
        }
    )


def test_summary_counts_communities_compounds_and_totals_by_subdistrict() -> None:
    summary = district_summary(_compounds())
    assert summary.subdistricts.loc["甲街道"].to_dict() == {
        "communities": 2,
        "compounds": 3,
        "households": 7500,
        "population": 19000,
    }
    assert summary.households == 13500
    assert summary.population == 34000


def test_summary_counts_communities_strictly_above_each_mark() -> None:
    summary = district_summary(_compounds(), marks=(3000, 5000, 5500))
    # 一社区 5,500 and 三社区 6,000 are above 3,000; 5,500 is not above 5,500
    assert summary.above_marks == {3000: 2, 5000: 2, 5500: 1}


def test_summary_lists_the_largest_community_first() -> None:
    summary = district_summary(_compounds())
    assert list(summary.communities["community"]) == ["三社区", "一社区", "二社区"]
    assert summary.communities.loc[0, "persons_per_household"] == 2.5


def test_summary_text_names_the_marks_and_totals() -> None:
    text = format_district_summary(district_summary(_compounds()))
    assert "2 subdistricts, 3 communities, 4 compounds, 13,500 households" in text
    assert "Communities above 5,000 households: 2 of 3" in text


def test_a_missing_column_is_named_with_the_columns_the_layer_has() -> None:
    with pytest.raises(InputDataError, match=r"column\(s\) community missing; the layer has: "):
        district_summary(_compounds().drop(columns="community"))


def test_a_non_numeric_household_count_points_to_validate() -> None:
    frame = _compounds().astype({"households": object})
    frame.loc[2, "households"] = "约300"
    with pytest.raises(
        InputDataError, match=r"households is missing or not a whole number in rows 2"
    ):
        district_summary(frame)
