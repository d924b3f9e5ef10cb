"""Writing output files: GeoPackages, CSV tables, JSON, text, figures, PDFs and workbooks.

Tables are CSV in UTF-8 with a byte-order mark (so that Excel shows Chinese text),
JSON keeps Chinese as is with numpy values as plain numbers, and a GeoPackage is
written beside its path and moved into place, so it is replaced as a whole. Every
writer creates the directory it writes into and names the path in its errors.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import logging
import math
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj

from jinfeng_grid.errors import InputDataError

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.figure import Figure

__all__ = [
    "copy_file",
    "write_figure",
    "write_graph_json",
    "write_json",
    "write_layers",
    "write_pdf_pages",
    "write_print_figure",
    "write_table",
    "write_text",
    "write_workbook",
]

logger = logging.getLogger(__name__)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy scalars
    if isinstance(value, float) and value != value:
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def write_graph_json(graph: nx.Graph, path: str | Path) -> Path:
    """Write a graph as networkx node-link JSON (``edges="edges"``), UTF-8, sorted nodes.

    Read it back with ``networkx.node_link_graph(json.load(f), edges="edges")``.
    """
    import networkx as nx

    path = Path(path)
    data = _jsonable(nx.node_link_data(graph, edges="edges"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    logger.info(
        "wrote %s: %d nodes, %d edges", path.name, graph.number_of_nodes(), graph.number_of_edges()
    )
    return path


def write_figure(figure: Figure, path: str | Path, *, dpi: int = 150) -> Path:
    """Save a matplotlib figure (format from the suffix, e.g. ``.png``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=dpi, bbox_inches="tight")
    logger.info("wrote %s", path.name)
    return path


#: Characters Excel does not allow in a sheet name.
_SHEET_FORBIDDEN = frozenset("[]:*?/\\")
_SHEET_MAX = 31


def _json_value(value: Any, where: str) -> Any:
    """Plain JSON values: numpy scalars and arrays unwrapped, NaN/NaT/NA/±inf → None."""
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, Mapping):
        return {str(k): _json_value(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return [_json_value(v, f"{where}[{i}]") for i, v in enumerate(value.tolist())]
    if isinstance(value, list | tuple):
        return [_json_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, set | frozenset):
        return [_json_value(v, f"{where}[]") for v in sorted(value, key=str)]
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, datetime.datetime | datetime.date | pd.Timestamp):
        return value.isoformat()
    if isinstance(value, Path):
        return value.as_posix()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "to_dict"):
            return _json_value(value.to_dict(), where)
        return _json_value(dataclasses.asdict(value), where)
    raise InputDataError(
        f"summary entry {where} is a {type(value).__name__}, which JSON cannot hold: "
        "give numbers, text, lists or dicts"
    )


def _json_text(data: Mapping[str, Any]) -> str:
    return json.dumps(_json_value(data, "summary"), ensure_ascii=False, indent=2) + "\n"


def _safe_name(name: str, what: str) -> str:
    if (
        not isinstance(name, str)
        or not name.strip()
        or name in (".", "..")
        or any(c in name for c in '/\\:*?"<>|')
    ):
        raise InputDataError(
            f"{what} name {name!r} cannot be a file name: use letters, digits, '_' or '-'"
        )
    return name


def write_layers(
    path: str | Path,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    crs: pyproj.CRS | str | int | None = None,
) -> Path:
    """Write layers into a new GeoPackage (replacing the file as a whole, never appending).

    Parameters
    ----------
    path
        The ``.gpkg`` to write; its directory is created if missing.
    layers
        Layer name → GeoDataFrame, written in this order.
    crs
        Write every layer in this CRS (e.g. the input's); ``None`` keeps theirs.

    Raises
    ------
    InputDataError
        If a layer has no geometry or CRS, a name cannot be a layer name, or the file
        cannot be written.
    """
    path = Path(path)
    target = pyproj.CRS.from_user_input(crs) if crs is not None else None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_gpkg(layers, path, target)
    except OSError as error:
        raise InputDataError(f"cannot write {path}: {error.strerror or error}") from error
    return path


def write_text(path: str | Path, text: str) -> Path:
    """Write a text file (UTF-8), creating its directory; an error names the path."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputDataError(
            f"cannot write {path}: {error.strerror or error}: choose another output "
            "directory or check its permissions"
        ) from error
    return path


def copy_file(source: str | Path, target: str | Path) -> Path:
    """Copy one file (e.g. a plan's GeoPackage into a package); an error names both."""
    source, target = Path(source), Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copyfile(source, target))
    except OSError as error:
        raise InputDataError(
            f"cannot copy {source} to {target}: {error.strerror or error}"
        ) from error


def write_print_figure(
    figure: Figure, path: str | Path, *, dpi: int = 300, metadata: Mapping[str, Any] | None = None
) -> Path:
    """Save a print map at its page size (no tight bounding box): PDF or PNG by suffix.

    Call it inside :func:`jinfeng_grid.render.cartography.print_style` so that a PDF embeds
    its TrueType font.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=dpi, metadata=dict(metadata) if metadata else None)
    except OSError as error:
        raise InputDataError(f"cannot write {path}: {error.strerror or error}") from error
    return path


def write_pdf_pages(
    figures: Sequence[Figure], path: str | Path, *, metadata: Mapping[str, Any] | None = None
) -> Path:
    """Write figures as the pages of one PDF (e.g. an atlas), in order."""
    from matplotlib.backends.backend_pdf import PdfPages

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with PdfPages(path, metadata=dict(metadata) if metadata else None) as pdf:
            for figure in figures:
                pdf.savefig(figure)
    except OSError as error:
        raise InputDataError(f"cannot write {path}: {error.strerror or error}") from error
    return path


def write_json(path: str | Path, data: Mapping[str, Any]) -> Path:
    """Write a summary as JSON the way ``summary.json`` is written (UTF-8, Chinese kept,
    indented; numpy values as plain numbers, NaN and infinities as ``null``).

    Raises
    ------
    InputDataError
        If a value cannot be held in JSON (named) or the file cannot be written.
    """
    path = Path(path)
    text = _json_text(data)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputDataError(f"cannot write {path}: {error.strerror or error}") from error
    return path


def write_table(table: pd.DataFrame, path: str | Path) -> Path:
    """Write one table as CSV the way plan tables are written (UTF-8 with a byte-order
    mark so that Excel shows Chinese text; a named index is written as columns).

    Raises
    ------
    InputDataError
        If the file cannot be written (the path and the reason).
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_csv(table, path)
    except OSError as error:
        raise InputDataError(f"cannot write {path}: {error.strerror or error}") from error
    return path


def _write_csv(table: pd.DataFrame, path: Path) -> None:
    # a named index (e.g. community_id) is data; a default RangeIndex is not
    keep_index = any(level is not None for level in table.index.names)
    table.to_csv(path, index=keep_index, encoding="utf-8-sig", lineterminator="\n")


def _write_gpkg(
    layers: Mapping[str, gpd.GeoDataFrame],
    path: Path,
    crs: Any,
    attribute_tables: Mapping[str, pd.DataFrame] | None = None,
) -> None:
    """Write every layer (and attribute table) into a fresh GeoPackage beside ``path``,
    then move it into place."""
    partial = path.with_name(f".partial-{path.name}")
    if partial.exists():
        partial.unlink()
    try:
        for name in attribute_tables or {}:
            _safe_name(name, "table")
            if name in layers:
                raise InputDataError(f"{name!r} is both a layer and a table of {path.name}")
        for name, layer in layers.items():
            _safe_name(name, "layer")
            try:
                has_geometry = isinstance(layer, gpd.GeoDataFrame) and layer.geometry is not None
            except AttributeError:  # a GeoDataFrame without an active geometry column
                has_geometry = False
            if not has_geometry:
                raise InputDataError(
                    f"layer {name!r} has no geometry, so it cannot go into {path.name}: "
                    "pass it in tables= to write it as CSV"
                )
            frame = layer
            if crs is not None:
                if frame.crs is None:
                    raise InputDataError(
                        f"layer {name!r} has no CRS, so it cannot be written in {crs}: "
                        "set its CRS first"
                    )
                frame = frame.to_crs(crs)
            geometry_type = None if len(frame) else "Unknown"
            try:
                pyogrio.write_dataframe(
                    frame, partial, layer=name, driver="GPKG", geometry_type=geometry_type
                )
            except Exception as error:  # GDAL errors come in several types
                raise InputDataError(f"cannot write layer {name!r} to {path}: {error}") from error
        for name, table in (attribute_tables or {}).items():
            try:
                pyogrio.write_dataframe(pd.DataFrame(table), partial, layer=name, driver="GPKG")
            except Exception as error:  # GDAL errors come in several types
                raise InputDataError(f"cannot write table {name!r} to {path}: {error}") from error
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()


def _sheet_names(names: Sequence[str]) -> list[str]:
    """Excel sheet names: forbidden characters replaced, at most 31 characters, unique."""
    result: list[str] = []
    for name in names:
        clean = "".join("_" if c in _SHEET_FORBIDDEN else c for c in str(name)).strip("'")
        clean = clean[:_SHEET_MAX] or "sheet"
        candidate, n = clean, 2
        while candidate.lower() in (r.lower() for r in result):
            suffix = f"~{n}"
            candidate = clean[: _SHEET_MAX - len(suffix)] + suffix
            n += 1
        result.append(candidate)
    return result


def write_workbook(path: str | Path, tables: Mapping[str, pd.DataFrame]) -> Path:
    """Write tables as the sheets of one Excel workbook (``.xlsx``, via openpyxl).

    Sheet names are the table names, cut to Excel's 31 characters with the
    characters Excel forbids (``[]:*?/\\``) replaced by ``_``, and kept unique. A
    named index is written as columns, a default index is not.

    Raises
    ------
    InputDataError
        If there are no tables or the file cannot be written.
    """
    path = Path(path)
    if not tables:
        raise InputDataError(f"no tables to write to {path}: a workbook needs a sheet")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            for sheet, table in zip(_sheet_names(list(tables)), tables.values(), strict=True):
                keep_index = any(level is not None for level in table.index.names)
                table.to_excel(writer, sheet_name=sheet, index=keep_index)
    except OSError as error:
        raise InputDataError(
            f"cannot write the workbook {path}: {error.strerror or error}"
        ) from error
    logger.info("wrote %s: %d sheets", path.name, len(tables))
    return path
