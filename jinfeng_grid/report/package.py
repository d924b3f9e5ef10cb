"""The approval package: a folder a clerk can submit as it is.

``write_package(plan, out_dir)`` writes::

    README.txt            what is in the folder (Chinese, with English)
    atlas.pdf             图集: overview, before/after, table of communities, then per
                          changed community its map and a page of tables (四至,
                          grids, compounds, staffing)
    maps/overview.pdf     the district overview, vector (and .png at 300 dpi)
    maps/before_after.pdf current vs proposed communities (and .png), when the
                          compounds carry their current community
    maps/community_<id>.pdf  one map per changed community
    plan.xlsx             communities, grids, compounds, moves, 四至, staffing
    moves.csv             which compound moves from which community to which
    plan.gpkg             the plan's layers (copied)
    summary.json          figures and provenance of the plan (copied)
    map.html              the interactive review map, when ``render.write_map`` exists

Tables are drawn with matplotlib on the same landscape paper as the maps, in the
bundled font, so the atlas is one self-contained PDF with the font embedded.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from jinfeng_grid.errors import ConfigError, InputDataError
from jinfeng_grid.io import files as io
from jinfeng_grid.render import cartography as carto
from jinfeng_grid.staffing import plan as staffing

__all__ = ["PACKAGE_FILES", "package_tables", "write_package"]

logger = logging.getLogger(__name__)

PACKAGE_FILES: tuple[str, ...] = (
    "README.txt",
    "atlas.pdf",
    "maps/overview.pdf",
    "plan.xlsx",
    "plan.gpkg",
    "summary.json",
)
"""Files every package holds (``moves.csv``, ``maps/before_after.pdf`` and
``map.html`` are added when the plan has what they need)."""

ROLE_NAMES = {
    "grid_worker": "网格员",
    "community_worker": "社区工作者",
    "police": "社区民警（含辅警）",
    "medical": "医务人员",
    "cdc": "疾控人员",
}
BASIS_NAMES = {"per grid": "每网格1名", "per households": "按户数", "per 10,000": "每万人"}

_COMMUNITY_HEADERS = {
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


def _compound_grids(plan: io.PlanFiles) -> pd.Series:
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
        gid: carto._short_grid_name(str(row["name"]), str(row.get("community_name", "")))
        for gid, row in names.iterrows()
    }
    return (
        pairs.assign(short=pairs["grid_id"].map(short).fillna(pairs["grid_id"]))
        .sort_values(["compound_id", "grid_id"])
        .groupby("compound_id")["short"]
        .agg(lambda s: "、".join(dict.fromkeys(s)))
    )


def _plan_staffing(plan: io.PlanFiles, info: carto.MapInfo) -> pd.DataFrame:
    report = ((plan.summary.get("provenance") or {}).get("scenario") or {}).get("report") or {}
    return staffing.staffing_for_plan(
        plan,
        district_id=str(report.get("district_code") or "640106"),
        district_name=info.district_name,
    )


def package_tables(
    plan: io.PlanFiles, *, boundaries: pd.DataFrame, staff: pd.DataFrame
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
    compounds["grids"] = compounds["compound_id"].astype(str).map(_compound_grids(plan))
    staff = staff.assign(
        level=staff["level"].map(_LEVEL_NAMES).fillna(staff["level"]),
        role=staff["role"].map(ROLE_NAMES).fillna(staff["role"]),
        basis=staff["basis"].map(BASIS_NAMES).fillna(staff["basis"]),
    )
    tables = {
        "社区": _headed(communities, _COMMUNITY_HEADERS),
        "网格": _headed(grids, _GRID_HEADERS),
        "小区": _headed(compounds, _COMPOUND_HEADERS),
    }
    moves = _read_moves(plan)
    if moves is not None:
        tables["调整明细"] = _headed(moves, _MOVE_HEADERS)
    tables["四至"] = _headed(boundaries, _BOUNDARY_HEADERS)
    tables["人员配置"] = _headed(staff, _STAFF_HEADERS)
    return tables


def _headed(frame: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    """Columns renamed to Chinese headers (known ones first, in the header order)."""
    known = [c for c in headers if c in frame.columns]
    rest = [c for c in frame.columns if c not in headers]
    out = frame.loc[:, known + rest].rename(columns=headers)
    return out.reset_index(drop=True)


def _read_moves(plan: io.PlanFiles) -> pd.DataFrame | None:
    path = plan.path / "moves.csv"
    if not path.is_file():
        return None
    try:
        return pd.read_csv(path, encoding="utf-8-sig", dtype={"new_community_id": str})
    except (OSError, ValueError, pd.errors.ParserError) as error:
        raise InputDataError(
            f"cannot read {path}: {error}; make the plan again with jinfeng-grid plan"
        ) from error


# --- table pages -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
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


class _TablePages:
    """Flows blocks into two columns per landscape page; yields finished figures."""

    def __init__(self, paper: str, title: str, info: carto.MapInfo) -> None:
        self.width, self.height = carto.PAPERS[paper]
        self.k = self.width / 420.0
        self.title, self.info = title, info
        self.size = 7.6 * self.k
        self.row = 5.0 * self.k
        self.margin = 14 * self.k
        self.gap = 10 * self.k
        self.col_w = (self.width - 2 * self.margin - self.gap) / 2
        self.pages: list[Figure] = []
        with carto.print_style():
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

    def add(self, block: _Block) -> None:
        """Draw a block, continuing in the next column or page when it runs out of room."""
        with carto.print_style():
            self._add(block)

    def _add(self, block: _Block) -> None:
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
            for line in carto._wrap(
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


def _number_pages(figures: Sequence[Figure], k: float) -> None:
    total = len(figures)
    for n, figure in enumerate(figures, 1):
        with carto.print_style():
            figure.text(
                0.5,
                0.012,
                f"第 {n} 页 共 {total} 页",
                ha="center",
                va="bottom",
                fontsize=7 * k,
                color="#333333",
            )


# --- the package -------------------------------------------------------------------------


def _changed(plan: io.PlanFiles) -> pd.DataFrame:
    communities = plan.communities
    if "unchanged" in communities.columns:
        communities = communities[~communities["unchanged"].astype(bool)]
    return communities.sort_values("community_id", kind="stable")


def _community_blocks(
    plan: io.PlanFiles, row: Any, boundary: str, staff: pd.DataFrame, grid_names: pd.Series
) -> list[_Block]:
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
        f"{carto.community_title(row['name'])}（代码 {cid}），"
        f"{int(row['households']):,} 户，{int(row['population']):,} 人，"
        f"小区 {len(compounds)} 个，网格 {len(grids)} 个。"
    )
    return [
        _Block("一、四至", text=f"{summary}{boundary}。"),
        _Block("二、网格一览", table=grid_table),
        _Block("三、小区一览", table=compound_table),
        _Block(
            "四、人员配置（按标准测算；“现有”空白表示需按新社区重新核定）",
            table=staff_table,
        ),
    ]


def _save(figure: Figure, path: Path, *, dpi: int = 300) -> Path:
    metadata = {"Creator": "jinfeng_grid", "CreationDate": None} if path.suffix == ".pdf" else None
    with carto.print_style():
        return io.write_print_figure(figure, path, dpi=dpi, metadata=metadata)


def print_maps(
    plan: io.PlanFiles,
    out_dir: Path,
    *,
    paper: carto.Paper = "A3",
    info: carto.MapInfo | None = None,
    png: bool = True,
) -> tuple[dict[str, Path], list[Figure]]:
    """Write the overview and (when the plan knows the current communities) the
    before/after pair as PDF, and PNG when ``png``; return name → path and the figures.

    A few changed communities (a split) are framed in the before/after pair; a district
    re-plan is not.
    """
    info = info if info is not None else carto.map_info(plan)
    written: dict[str, Path] = {}
    figures: list[Figure] = []
    with carto.print_style():
        overview = carto.plot_overview(plan, paper=paper, info=info)
        figures.append(overview)
        written["overview.pdf"] = _save(overview, out_dir / "overview.pdf")
        if png:
            written["overview.png"] = _save(overview, out_dir / "overview.png")
        if "community" in plan.compounds.columns:
            changed = _changed(plan)
            focus = (
                changed["community_id"].astype(str).tolist()
                if 0 < len(changed) <= len(plan.communities) / 3
                else None
            )
            pair = carto.plot_before_after(plan, paper=paper, info=info, focus=focus)
            figures.append(pair)
            written["before_after.pdf"] = _save(pair, out_dir / "before_after.pdf")
            if png:
                written["before_after.png"] = _save(pair, out_dir / "before_after.png")
    return written, figures


def write_package(
    plan: io.PlanFiles | str | Path,
    out_dir: str | Path,
    *,
    paper: str = "A3",
    date: datetime.date | str | None = None,
    producing_unit: str | None = None,
    png: bool = True,
) -> dict[str, Path]:
    """Write the approval package (see the module docstring for the contents).

    Parameters and errors are those of :func:`jinfeng_grid.report.write_package`.
    """
    carto._check_paper(paper)
    if not isinstance(plan, io.PlanFiles):
        plan = io.read_plan(plan)
    out = Path(out_dir)
    if out.exists() and out.resolve() == plan.path.resolve():
        raise ConfigError(
            f"--out {out} is the plan directory itself: choose another folder for the package"
        )
    from jinfeng_grid.report import summaries as report

    info = carto.map_info(plan, date=date, producing_unit=producing_unit)
    boundaries = report.boundary_descriptions(plan.communities, roads=plan.roads)
    texts = dict(zip(boundaries["community_id"].astype(str), boundaries["text"], strict=True))
    staff = _plan_staffing(plan, info)
    written: dict[str, Path] = {}
    try:
        (out / "maps").mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputDataError(
            f"cannot create the package folder {out}: {error.strerror or error}"
        ) from error
    changed = _changed(plan)
    grid_names = _compound_grids(plan)
    atlas_pages: list[Figure] = []
    try:
        with carto.print_style():
            maps, atlas_pages = print_maps(plan, out / "maps", paper=paper, info=info, png=png)
            written.update({f"maps/{name}": path for name, path in maps.items()})
            listing = _TablePages(paper, f"{info.district_name}方案社区一览表", info)
            listing.add(
                _Block(
                    f"共 {len(plan.communities)} 个社区，其中调整 {len(changed)} 个",
                    table=_headed(
                        pd.DataFrame(plan.communities.drop(columns="geometry")).loc[
                            :,
                            [
                                c
                                for c in (
                                    "community_id",
                                    "name",
                                    "subdistrict",
                                    "households",
                                    "population",
                                    "compounds",
                                    "grids",
                                    "within_bounds",
                                )
                                if c in plan.communities.columns
                            ],
                        ],
                        _COMMUNITY_HEADERS,
                    ),
                )
            )
            atlas_pages.extend(listing.pages)
            for row in _iter_rows(changed):
                cid = str(row["community_id"])
                figure = carto.plot_community(
                    plan, cid, paper=paper, info=info, boundary_text=texts.get(cid)
                )
                name = f"maps/community_{cid}.pdf"
                written[name] = _save(figure, out / name)
                atlas_pages.append(figure)
                pages = _TablePages(paper, f"{carto.community_title(row['name'])}方案明细表", info)
                for block in _community_blocks(plan, row, texts.get(cid, ""), staff, grid_names):
                    pages.add(block)
                atlas_pages.extend(pages.pages)
            _number_pages(atlas_pages, carto.PAPERS[paper][0] / 420.0)
            written["atlas.pdf"] = io.write_pdf_pages(
                atlas_pages,
                out / "atlas.pdf",
                metadata={
                    "Creator": "jinfeng_grid",
                    "CreationDate": None,
                    "Title": f"{info.district_name}社区网格划分方案图集",
                },
            )
    except OSError as error:
        raise InputDataError(
            f"cannot write the package to {out}: {error.strerror or error}"
        ) from error
    tables = package_tables(plan, boundaries=boundaries, staff=staff)
    written["plan.xlsx"] = io.write_workbook(out / "plan.xlsx", tables)
    for name in ("plan.gpkg", "summary.json", "moves.csv"):
        source = plan.path / name
        if source.is_file():
            written[name] = io.copy_file(source, out / name)
    html = _interactive_map(plan, out / "map.html")
    if html is not None:
        written["map.html"] = html
    written["README.txt"] = io.write_text(
        out / "README.txt", _readme(plan, info, written, changed=len(changed), paper=paper)
    )
    logger.info(
        "package %s: %d files, atlas of %d pages (%d changed communities)",
        out,
        len(written),
        len(atlas_pages),
        len(changed),
    )
    return dict(sorted(written.items()))


def _iter_rows(frame: pd.DataFrame) -> Iterator[pd.Series]:
    for _, row in frame.iterrows():
        yield row


def _interactive_map(plan: io.PlanFiles, path: Path) -> Path | None:
    """``map.html`` through ``render.write_map`` when that module exists."""
    try:
        from jinfeng_grid.render import maps as render
    except ImportError:
        logger.info("no interactive map: jinfeng_grid.render is not available")
        return None
    write_map = getattr(render, "write_map", None)
    if write_map is None:
        logger.info("no interactive map: jinfeng_grid.render has no write_map")
        return None
    result = write_map(plan, path)
    return Path(result) if result is not None else path


def _readme(
    plan: io.PlanFiles, info: carto.MapInfo, written: dict[str, Path], *, changed: int, paper: str
) -> str:
    c = len(plan.communities)
    g = len(plan.grids)
    descriptions = {
        "atlas.pdf": (
            "方案图集（PDF，可直接打印）：全区方案图、调整前后对比图、社区一览表，"
            "以及每个调整社区的网格划分图和方案明细表（四至、网格、小区、人员配置）",
            "the atlas: overview, before/after, table of communities, and for each changed "
            "community its map and tables (boundary description, grids, compounds, staffing)",
        ),
        "maps/overview.pdf": ("全区社区划分方案示意图（矢量）", "district overview map (vector)"),
        "maps/overview.png": ("同上，300 dpi 图片", "the same, 300-dpi picture"),
        "maps/before_after.pdf": ("社区调整前后对比示意图（矢量）", "before/after map (vector)"),
        "maps/before_after.png": ("同上，300 dpi 图片", "the same, 300-dpi picture"),
        "maps/community_*.pdf": (
            "各调整社区网格划分示意图（按社区代码命名）",
            "one map per changed community, named by community code",
        ),
        "plan.xlsx": (
            "方案数据表（Excel）：社区、网格、小区、调整明细、四至、人员配置",
            "workbook: communities, grids, compounds, moves, boundary descriptions, staffing",
        ),
        "moves.csv": (
            "小区调整明细（原社区 → 新社区），UTF-8 编码",
            "which compound moves from which community to which (UTF-8 CSV)",
        ),
        "plan.gpkg": (
            "方案矢量数据（GeoPackage），可导入 GIS 平台",
            "the plan's GIS layers (GeoPackage) for the city's data platform",
        ),
        "summary.json": (
            "方案概要与来源记录（输入文件校验值、参数、软件版本）",
            "figures and provenance (input hashes, scenario, versions)",
        ),
        "map.html": ("交互式审阅地图（浏览器打开）", "interactive review map (open in a browser)"),
    }
    listed = []
    has_community_maps = any(name.startswith("maps/community_") for name in written)
    for name, (zh, en) in descriptions.items():
        present = has_community_maps if name == "maps/community_*.pdf" else name in written
        if present:
            listed.append(f"  {name}\n      {zh}\n      {en}")
    missing = []
    if "moves.csv" not in written:
        missing.append("  moves.csv：方案无现状社区，无调整明细 / no current communities, no moves")
    if "map.html" not in written:
        missing.append("  map.html：本版本未生成交互地图 / the interactive map was not made")
    unit = info.producing_unit or "（未填写 / not given）"
    lines = [
        f"{info.district_name}社区、网格划分方案报批材料",
        f"Community and grid plan of {info.district_name}: approval package",
        "",
        f"编制单位 / producing unit：{unit}",
        f"编制日期 / date：{info.date}",
        f"方案 / plan：社区 {c} 个（调整 {changed} 个），网格 {g} 个，"
        f"小区 {len(plan.compounds)} 个，{int(plan.compounds['households'].sum()):,} 户",
        f"  {c} communities ({changed} changed), {g} grids, {len(plan.compounds)} compounds",
        f"图纸 / paper：{paper} 横向 landscape；坐标系 / coordinates：{info.crs}",
        "",
        "目录 / contents:",
        *listed,
    ]
    if missing:
        lines += ["", "未包含 / not included:", *missing]
    lines += [
        "",
        "说明 / notes:",
        "  图中社区、网格界线为行政工作界线，仅为示意，不作为实地划界和权属依据。",
        "  Community and grid boundaries are administrative working lines, schematic only.",
        "  “人员配置”按标准测算；调整后社区的现有人员需重新核定（表中空白）。",
        "  Staffing is required by the norms; actual staff of re-drawn units is blank.",
        "  图中文字使用 Noto Sans CJK SC 子集字体（SIL 开源字体许可），已嵌入 PDF。",
        "  Text is set in a subset of Noto Sans CJK SC (SIL Open Font License), embedded.",
        "",
        f"由 jinfeng_grid 生成 / made by jinfeng_grid from {plan.path.name}",
        "",
    ]
    return "\n".join(lines)
