"""The table pages of the atlas: blocks of text and tables flowed onto print pages.

Tables are drawn with matplotlib on the same landscape paper as the maps, in the
bundled font, so the atlas is one self-contained PDF with the font embedded; each
changed community gets a page of 四至, grids, compounds and staffing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from jinfeng_grid.plan.value import Plan
from jinfeng_grid.render.page import (
    PAPERS,
    MapInfo,
    community_title,
    wrap_text,
)
from jinfeng_grid.render.style import print_style
from jinfeng_grid.report.workbook import BASIS_NAMES, ROLE_NAMES

__all__ = ["Block", "TablePages", "community_blocks", "number_pages"]

# --- table pages -------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A heading with a paragraph or a table under it."""

    heading: str
    text: str | None = None
    table: pd.DataFrame | None = None


def _text_width_mm(text: str, size_pt: float) -> float:
    em = size_pt * 25.4 / 72
    return sum(0.56 * em if c.isascii() else em for c in str(text))


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return "是" if value else "否"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return str(value)


class TablePages:
    """Flows blocks into two columns per landscape page; yields finished figures."""

    def __init__(self, paper: str, title: str, info: MapInfo) -> None:
        self.width, self.height = PAPERS[paper]
        self.k = self.width / 420.0
        self.title, self.info = title, info
        self.size = 7.6 * self.k
        self.row = 5.0 * self.k
        self.margin = 14 * self.k
        self.gap = 10 * self.k
        self.col_w = (self.width - 2 * self.margin - self.gap) / 2
        self.pages: list[Figure] = []
        with print_style():
            self._new_page()

    def _new_page(self) -> None:
        figure = Figure(figsize=(self.width / 25.4, self.height / 25.4), dpi=100)
        FigureCanvasAgg(figure)
        ax = figure.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, self.width)
        ax.set_ylim(0, self.height)
        ax.set_axis_off()
        continued = "（续）" if self.pages else ""
        ax.text(
            self.width / 2,
            self.height - self.margin,
            self.title + continued,
            ha="center",
            va="top",
            fontsize=18 * self.k,
            fontweight="bold",
        )
        unit = self.info.producing_unit or "＿＿＿＿＿＿＿＿"
        ax.text(
            self.margin,
            self.margin * 0.6,
            f"编制单位：{unit}    编制日期：{self.info.date}    数据来源：{self.info.data_source}",
            ha="left",
            va="bottom",
            fontsize=6.8 * self.k,
            color="#333333",
        )
        self.pages.append(figure)
        self.ax = ax
        self.column = 0
        self.top = self.height - self.margin - 16 * self.k
        self.y = self.top

    def _next_column(self) -> None:
        if self.column == 0:
            self.column = 1
            self.y = self.top
        else:
            self._new_page()

    @property
    def _x(self) -> float:
        return self.margin + self.column * (self.col_w + self.gap)

    def _room(self, rows: int) -> bool:
        return self.y - rows * self.row >= self.margin + 6 * self.k

    def add(self, block: Block) -> None:
        """Draw a block, continuing in the next column or page when it runs out of room."""
        with print_style():
            self._add(block)

    def _add(self, block: Block) -> None:
        if not self._room(3):
            self._next_column()
        self.ax.text(
            self._x,
            self.y,
            block.heading,
            ha="left",
            va="top",
            fontsize=10 * self.k,
            fontweight="bold",
        )
        self.y -= self.row * 1.4
        if block.text is not None:
            for line in wrap_text(
                block.text, int(self.col_w / _text_width_mm("国", self.size * 1.1)) - 2
            ):
                if not self._room(1):
                    self._next_column()
                self.ax.text(self._x, self.y, line, ha="left", va="top", fontsize=self.size * 1.1)
                self.y -= self.row * 1.1
            self.y -= self.row * 0.6
        if block.table is not None:
            self._table(block.heading, block.table)
            self.y -= self.row * 0.8

    def _table(self, heading: str, table: pd.DataFrame) -> None:
        header = [str(c) for c in table.columns]
        cells = [[_cell(v) for v in row] for row in table.itertuples(index=False)]
        widths = [
            max([_text_width_mm(h, self.size)] + [_text_width_mm(r[i], self.size) for r in cells])
            + 4.0 * self.k
            for i, h in enumerate(header)
        ]
        scale = min(1.0, self.col_w / sum(widths))
        widths = [w * scale for w in widths]
        size = self.size * max(scale, 0.6)
        numeric = [
            pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])
            for c in table.columns
        ]
        if not self._room(2):
            self._next_column()
        self._row(header, widths, size, numeric, header_row=True)
        for row in cells:
            if not self._room(1):
                self._next_column()
                self.ax.text(
                    self._x,
                    self.y,
                    f"{heading}（续）",
                    ha="left",
                    va="top",
                    fontsize=9 * self.k,
                    fontweight="bold",
                )
                self.y -= self.row * 1.3
                self._row(header, widths, size, numeric, header_row=True)
            self._row(row, widths, size, numeric, header_row=False)

    def _row(
        self,
        values: Sequence[str],
        widths: Sequence[float],
        size: float,
        numeric: Sequence[bool],
        *,
        header_row: bool,
    ) -> None:
        x = self._x
        for value, width, is_number in zip(values, widths, numeric, strict=True):
            self.ax.add_patch(
                Rectangle(
                    (x, self.y - self.row),
                    width,
                    self.row,
                    facecolor="#e8e8e8" if header_row else "white",
                    edgecolor="#333333",
                    linewidth=0.4,
                )
            )
            right = is_number and not header_row
            self.ax.text(
                x + (width - 1.0 * self.k if right else width / 2),
                self.y - self.row / 2,
                value,
                ha="right" if right else "center",
                va="center",
                fontsize=size,
                fontweight="bold" if header_row else "normal",
            )
            x += width
        self.y -= self.row


def number_pages(figures: Sequence[Figure], k: float) -> None:
    total = len(figures)
    for n, figure in enumerate(figures, 1):
        with print_style():
            figure.text(
                0.5,
                0.012,
                f"第 {n} 页 共 {total} 页",
                ha="center",
                va="bottom",
                fontsize=7 * k,
                color="#333333",
            )


def community_blocks(
    plan: Plan, row: Any, boundary: str, staff: pd.DataFrame, grid_names: pd.Series
) -> list[Block]:
    cid = str(row["community_id"])
    grids = plan.grids[plan.grids["community_id"].astype(str) == cid]
    grid_table = pd.DataFrame(
        {
            "网格代码": grids["grid_id"].astype(str),
            "网格名称": grids["name"].astype(str),
            "户数": grids["households"].astype(int),
            "人口": grids["population"].astype(int),
            **({"楼栋数": grids["members"].astype(int)} if "members" in grids.columns else {}),
        }
    ).sort_values("网格代码")
    compounds = plan.compounds[plan.compounds["community_id"].astype(str) == cid]
    compound_table = pd.DataFrame(
        {
            "小区代码": compounds["compound_id"].astype(str),
            "小区名称": compounds["name"].astype(str) if "name" in compounds.columns else "",
            "户数": compounds["households"].astype(int),
            "人口": compounds["population"].astype(int),
            **(
                {"现属社区": compounds["community"].astype(str)}
                if "community" in compounds.columns
                else {}
            ),
            "所在网格": compounds["compound_id"]
            .astype(str)
            .map(grid_names)
            .astype(object)
            .fillna(""),
        }
    ).sort_values("小区代码")
    mine = staff[(staff["level"] == "community") & (staff["unit_id"].astype(str) == cid)]
    staff_table = pd.DataFrame(
        {
            "岗位": mine["role"].map(ROLE_NAMES).fillna(mine["role"]),
            "配置依据": mine["basis"].map(BASIS_NAMES).fillna(mine["basis"]),
            "需配下限": mine["required_min"],
            "需配上限": mine["required_max"],
            "现有": mine["actual"],
            "缺口": mine["shortfall"],
        }
    )
    summary = (
        f"{community_title(row['name'])}（代码 {cid}），"
        f"{int(row['households']):,} 户，{int(row['population']):,} 人，"
        f"小区 {len(compounds)} 个，网格 {len(grids)} 个。"
    )
    return [
        Block("一、四至", text=f"{summary}{boundary}。"),
        Block("二、网格一览", table=grid_table),
        Block("三、小区一览", table=compound_table),
        Block(
            "四、人员配置（按标准测算；“现有”空白表示需按新社区重新核定）",
            table=staff_table,
        ),
    ]
