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
    map.html              the interactive review map (``render.write_map``)

Tables are drawn with matplotlib on the same landscape paper as the maps, in the
bundled font, so the atlas is one self-contained PDF with the font embedded
(:mod:`~jinfeng_grid.report.atlas`); the workbook's sheets come from
:mod:`~jinfeng_grid.report.workbook`, the maps from :mod:`jinfeng_grid.render`.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pandas as pd
from matplotlib.figure import Figure

from jinfeng_grid import io
from jinfeng_grid.errors import ConfigError, InputDataError
from jinfeng_grid.io.plan_dir import write_plan_outputs
from jinfeng_grid.plan.directory import moves_table, read_plan
from jinfeng_grid.plan.value import Plan
from jinfeng_grid.render.cartography import plot_community
from jinfeng_grid.render.maps import MAP_FILE, write_map
from jinfeng_grid.render.page import (
    PAPERS,
    MapInfo,
    check_paper,
    community_title,
    map_info,
)
from jinfeng_grid.render.print_maps import changed_communities, print_maps, save_figure
from jinfeng_grid.render.style import print_style
from jinfeng_grid.report.atlas import Block, TablePages, community_blocks, number_pages
from jinfeng_grid.report.summaries import boundary_descriptions
from jinfeng_grid.report.workbook import (
    COMMUNITY_HEADERS,
    compound_grids,
    headed,
    package_tables,
)
from jinfeng_grid.staffing.plan import plan_staffing

__all__ = ["PACKAGE_FILES", "write_package"]

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


def write_package(
    plan: Plan | str | Path,
    out_dir: str | Path,
    *,
    paper: Literal["A3", "A4"] = "A3",
    date: datetime.date | str | None = None,
    producing_unit: str | None = None,
    png: bool = True,
) -> dict[str, Path]:
    """Write the approval package of a plan: atlas, print maps, tables, layers, README.

    See the module docstring for the folder's contents; the ``package`` and ``demo``
    commands call this.

    Parameters
    ----------
    plan
        A plan directory (made by ``jinfeng-grid plan``) or a plan it read.
    out_dir
        The folder to write; created if missing. Must not be the plan directory.
    paper
        ``"A3"`` (default) or ``"A4"`` landscape pages.
    date
        编制日期 printed on the maps; today when ``None``.
    producing_unit
        编制单位; the scenario's ``[report] producing_unit`` when ``None``.
    png
        Also write 300-dpi PNGs of the overview and before/after maps.

    Returns
    -------
    dict
        File name (relative to ``out_dir``) → path, for every file written.

    Raises
    ------
    InputDataError
        If the plan directory is missing or incomplete, or a file cannot be written.
    ConfigError
        For an unknown paper size or ``out_dir`` equal to the plan directory.

    Examples
    --------
    >>> files = write_package("plan/", "submission/")  # doctest: +SKIP
    >>> sorted(files)[:3]  # doctest: +SKIP
    ['README.txt', 'atlas.pdf', 'maps/before_after.pdf']
    """
    check_paper(paper)
    if not isinstance(plan, Plan):
        plan = read_plan(plan)
    out = Path(out_dir)
    if out.exists() and plan.source is not None and out.resolve() == plan.source.resolve():
        raise ConfigError(
            f"--out {out} is the plan directory itself: choose another folder for the package"
        )
    info = map_info(plan, date=date, producing_unit=producing_unit)
    boundaries = boundary_descriptions(plan.communities, roads=plan.roads)
    texts = dict(zip(boundaries["community_id"].astype(str), boundaries["text"], strict=True))
    staffing = plan_staffing(plan)
    staff = staffing.units
    written: dict[str, Path] = {}
    try:
        (out / "maps").mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputDataError(
            f"cannot create the package folder {out}: {error.strerror or error}"
        ) from error
    changed = changed_communities(plan)
    grid_names = compound_grids(plan)
    atlas_pages: list[Figure] = []
    try:
        with print_style():
            maps, atlas_pages = print_maps(plan, out / "maps", paper=paper, info=info, png=png)
            written.update({f"maps/{name}": path for name, path in maps.items()})
            listing = TablePages(paper, f"{info.district_name}方案社区一览表", info)
            listing.add(
                Block(
                    f"共 {len(plan.communities)} 个社区，其中调整 {len(changed)} 个",
                    table=headed(
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
                        COMMUNITY_HEADERS,
                    ),
                )
            )
            atlas_pages.extend(listing.pages)
            for row in _iter_rows(changed):
                cid = str(row["community_id"])
                figure = plot_community(
                    plan, cid, paper=paper, info=info, boundary_text=texts.get(cid)
                )
                name = f"maps/community_{cid}.pdf"
                written[name] = save_figure(figure, out / name)
                atlas_pages.append(figure)
                pages = TablePages(paper, f"{community_title(row['name'])}方案明细表", info)
                for block in community_blocks(plan, row, texts.get(cid, ""), staff, grid_names):
                    pages.add(block)
                atlas_pages.extend(pages.pages)
            number_pages(atlas_pages, PAPERS[paper][0] / 420.0)
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
    written.update(_plan_files(plan, out))
    written["map.html"] = write_map(plan, out / MAP_FILE, staffing=staffing)
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


def _plan_files(plan: Plan, out: Path) -> dict[str, Path]:
    """``plan.gpkg``, ``summary.json`` and ``moves.csv`` of the plan in the package.

    A plan read from its directory brings the very files ``plan`` wrote (their SHA-256
    checked against its summary when it was read), so the package's files are the
    plan's to the byte; a plan made in memory is written from its value.
    """
    if plan.source is not None:
        return {
            name: io.copy_file(plan.source / name, out / name)
            for name in ("plan.gpkg", "summary.json", "moves.csv")
            if (plan.source / name).is_file()
        }
    moves = moves_table(plan)
    return write_plan_outputs(
        out,
        layers=plan.layers(),
        tables={"moves": moves} if moves is not None else {},
        summary=plan.summary,
        crs=plan.compounds.attrs.get("input_crs"),
        gpkg_tables={"staff": plan.staff} if plan.staff is not None else None,
    )


def _iter_rows(frame: pd.DataFrame) -> Iterator[pd.Series]:
    for _, row in frame.iterrows():
        yield row


def _readme(
    plan: Plan, info: MapInfo, written: dict[str, Path], *, changed: int, paper: str
) -> str:
    source = plan.source.name if plan.source is not None else "a plan made in memory"
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
        f"由 jinfeng_grid 生成 / made by jinfeng_grid from {source}",
        "",
    ]
    return "\n".join(lines)
