"""The package's workbook (plan.xlsx): the plan's tables with Chinese headers.

Sheets 社区, 网格, 小区, 调整明细 (moves), 四至 and 人员配置 (staffing); the names of
roles, staffing bases and levels in Chinese, used by the atlas pages as well.
"""

from __future__ import annotations

import pandas as pd

from jinfeng_grid.plan.directory import moves_table
from jinfeng_grid.plan.value import Plan
from jinfeng_grid.render.cartography import short_grid_name

__all__ = [
    "BASIS_NAMES",
    "COMMUNITY_HEADERS",
    "ROLE_NAMES",
    "compound_grids",
    "headed",
    "package_tables",
]

ROLE_NAMES = {
    "grid_worker": "网格员",
    "community_worker": "社区工作者",
    "police": "社区民警（含辅警）",
    "medical": "医务人员",
    "cdc": "疾控人员",
}
BASIS_NAMES = {"per grid": "每网格1名", "per households": "按户数", "per 10,000": "每万人"}

COMMUNITY_HEADERS = {
    "community_id": "社区代码",
    "name": "社区名称",
    "subdistrict": "所属街道",
    "subdistrict_id": "街道代码",
    "households": "户数",
    "population": "人口",
    "compounds": "小区数",
    "grids": "网格数",
    "name_provisional": "暂定名",
    "unchanged": "未调整",
    "oversize": "超规模",
    "within_bounds": "符合规模标准",
}
_GRID_HEADERS = {
    "grid_id": "网格代码",
    "name": "网格名称",
    "community_id": "社区代码",
    "community_name": "社区名称",
    "subdistrict_id": "街道代码",
    "households": "户数",
    "population": "人口",
    "compounds": "小区数",
    "members": "楼栋数",
    "virtual": "虚拟网格",
    "unchanged": "未调整",
    "oversize": "超规模",
    "within_bounds": "符合规模标准",
}
_COMPOUND_HEADERS = {
    "compound_id": "小区代码",
    "name": "小区名称",
    "households": "户数",
    "population": "人口",
    "subdistrict": "现属街道",
    "community": "现属社区",
    "community_id": "方案社区代码",
    "community_name": "方案社区",
    "subdistrict_id": "方案街道代码",
    "grids": "所在网格",
}
_MOVE_HEADERS = {
    "compound_id": "小区代码",
    "name": "小区名称",
    "households": "户数",
    "population": "人口",
    "old_subdistrict": "原街道",
    "old_community": "原社区",
    "new_community_id": "新社区代码",
    "new_community": "新社区",
    "moved": "是否调整",
    "households_moved": "调整户数",
}
_STAFF_HEADERS = {
    "level": "层级",
    "unit_id": "单位代码",
    "unit_name": "单位名称",
    "households": "户数",
    "population": "人口",
    "role": "岗位",
    "basis": "配置依据",
    "required_min": "需配下限",
    "required_max": "需配上限",
    "actual": "现有",
    "shortfall": "缺口",
    "actual_per_10k": "每万人现有",
}
_BOUNDARY_HEADERS = {
    "community_id": "社区代码",
    "name": "社区名称",
    "east": "东至",
    "south": "南至",
    "west": "西至",
    "north": "北至",
    "text": "四至",
}
_LEVEL_NAMES = {"grid": "网格", "community": "社区", "subdistrict": "街道", "district": "区"}


# --- tables ------------------------------------------------------------------------------


def compound_grids(plan: Plan) -> pd.Series:
    """Short names of the grids each compound is in (``第1网格、第2网格``), by compound id.

    From the buildings' ``grid_id`` when the plan has buildings, else from where the
    grid polygons cover the compounds (more than 1 % of a compound's area).
    """
    if plan.buildings is not None and {"compound_id", "grid_id"} <= set(plan.buildings.columns):
        pairs = plan.buildings[["compound_id", "grid_id"]].astype(str).drop_duplicates()
    else:
        left = plan.compounds[["compound_id", "geometry"]]
        right = plan.grids[["grid_id", "geometry"]]
        pieces = left.overlay(right, how="intersection", keep_geom_type=True)
        share = pieces.geometry.area / pieces["compound_id"].map(
            left.set_index("compound_id").geometry.area
        )
        pairs = pieces.loc[share > 0.01, ["compound_id", "grid_id"]].astype(str)
    if pairs.empty:
        return pd.Series(dtype=object)
    names = plan.grids.set_index(plan.grids["grid_id"].astype(str))
    short = {
        gid: short_grid_name(str(row["name"]), str(row.get("community_name", "")))
        for gid, row in names.iterrows()
    }
    return (
        pairs.assign(short=pairs["grid_id"].map(short).fillna(pairs["grid_id"]))
        .sort_values(["compound_id", "grid_id"])
        .groupby("compound_id")["short"]
        .agg(lambda s: "、".join(dict.fromkeys(s)))
    )


def package_tables(
    plan: Plan, *, boundaries: pd.DataFrame, staff: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """The workbook's sheets with Chinese headers: 社区, 网格, 小区, 调整明细, 四至, 人员配置.

    Parameters
    ----------
    plan
        The plan.
    boundaries
        :func:`jinfeng_grid.report.boundary_descriptions` of its communities.
    staff
        The long staffing table (:func:`jinfeng_grid.staffing.staffing_for_plan`).
    """
    communities = pd.DataFrame(plan.communities.drop(columns="geometry"))
    grids = pd.DataFrame(plan.grids.drop(columns="geometry"))
    compounds = pd.DataFrame(plan.compounds.drop(columns="geometry"))
    compounds["grids"] = compounds["compound_id"].astype(str).map(compound_grids(plan))
    staff = staff.assign(
        level=staff["level"].map(_LEVEL_NAMES).fillna(staff["level"]),
        role=staff["role"].map(ROLE_NAMES).fillna(staff["role"]),
        basis=staff["basis"].map(BASIS_NAMES).fillna(staff["basis"]),
    )
    tables = {
        "社区": headed(communities, COMMUNITY_HEADERS),
        "网格": headed(grids, _GRID_HEADERS),
        "小区": headed(compounds, _COMPOUND_HEADERS),
    }
    moves = moves_table(plan)
    if moves is not None:
        tables["调整明细"] = headed(moves, _MOVE_HEADERS)
    tables["四至"] = headed(boundaries, _BOUNDARY_HEADERS)
    tables["人员配置"] = headed(staff, _STAFF_HEADERS)
    return tables


def headed(frame: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    """Columns renamed to Chinese headers (known ones first, in the header order)."""
    known = [c for c in headers if c in frame.columns]
    rest = [c for c in frame.columns if c not in headers]
    out = frame.loc[:, known + rest].rename(columns=headers)
    return out.reset_index(drop=True)
