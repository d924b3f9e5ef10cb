"""Reading and writing data files: the only module that opens them.

``read_compounds``, ``read_buildings``, ``read_roads`` and ``read_facilities`` read any
vector format pyogrio reads (GeoPackage, Shapefile including GBK-encoded ``.dbf``
without ``.cpg``, GeoJSON, FlatGeobuf, ...), choose the layer by name, rename the
user's columns to the canonical keys (see :mod:`jinfeng_grid.config`), keep the values
as read (validation coerces and reports them) and reproject to the metric working CRS
(:mod:`jinfeng_grid.crs`), remembering the input CRS in ``attrs["input_crs"]``.
``write_graph_json`` and ``write_figure`` write the graph outputs;
``write_plan_outputs`` writes a plan (``plan.gpkg``, CSV tables in UTF-8 with BOM,
``summary.json``), ``write_workbook`` an Excel workbook, and ``provenance`` records
the inputs' hashes, the scenario and the seed for ``summary.json``.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import logging
import math
import os
import platform
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj

from jinfeng_grid.config.columns import LAYER_KEYS, REQUIRED_KEYS, LayerColumns
from jinfeng_grid.crs import to_working_crs
from jinfeng_grid.errors import GeometryError, InputDataError

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.figure import Figure

    from jinfeng_grid.config.scenario import Scenario

__all__ = [
    "PlanFiles",
    "copy_file",
    "file_sha256",
    "list_layers",
    "provenance",
    "read_buildings",
    "read_compounds",
    "read_facilities",
    "read_layer",
    "read_lines",
    "read_plan",
    "read_roads",
    "sample_path",
    "write_figure",
    "write_graph_json",
    "write_json",
    "write_layers",
    "write_pdf_pages",
    "write_plan_outputs",
    "write_print_figure",
    "write_table",
    "write_text",
    "write_workbook",
]

logger = logging.getLogger(__name__)

_SAMPLE_RELATIVE = Path("sample_geodata") / "jinfeng.gpkg"

#: Environment variable that points :func:`sample_path` at the sample file.
SAMPLE_ENV = "JINFENG_GRID_SAMPLE"


def sample_path() -> Path:
    """Return the path of the bundled sample district (``sample_geodata/jinfeng.gpkg``).

    The sample lives in the repository beside the package. It is found, in this
    order, at the path in the environment variable ``JINFENG_GRID_SAMPLE``, in the
    current directory or one of its parents (the repository root as in the README, or
    ``notebooks/`` below it), or next to the package source (an editable install).

    Raises
    ------
    InputDataError
        If none of these places holds the sample.
    """
    given = os.environ.get(SAMPLE_ENV)
    if given:
        if Path(given).is_file():
            return Path(given)
        raise InputDataError(
            f"{SAMPLE_ENV} names {given}, which is not a file: point it at "
            f"{_SAMPLE_RELATIVE.as_posix()} of the repository, or unset it"
        )
    here = Path.cwd()
    candidates = [folder / _SAMPLE_RELATIVE for folder in (here, *here.parents)]
    candidates.append(Path(__file__).resolve().parents[2] / _SAMPLE_RELATIVE)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise InputDataError(
        f"the bundled sample {_SAMPLE_RELATIVE.as_posix()} was not found in the current "
        "directory, its parents or beside the package: run the command from the repository "
        f"root, set {SAMPLE_ENV} to its path, or pass your own file with --input"
    )


def read_layer(
    path: str | Path, *, layer: str | None = None, encoding: str | None = None
) -> gpd.GeoDataFrame:
    """Read one layer of a vector file as it is (no column mapping, no reprojection).

    Parameters
    ----------
    path
        Any file pyogrio reads (GeoPackage, Shapefile, GeoJSON, FlatGeobuf, ...).
    layer
        Layer name for multi-layer files; ``None`` reads the first layer.
    encoding
        Text encoding of the attributes. ``None`` trusts the file, except for a
        Shapefile without a ``.cpg`` whose ``.dbf`` is not UTF-8 but decodes as GBK
        (common for Chinese CAD/GIS exports): then GBK is used.

    Raises
    ------
    InputDataError
        If the file does not exist, cannot be read, or has no such layer (the
        message lists the layers it has).
    """
    path = Path(path)
    frame, name = _read_raw(path, layer=layer, encoding=encoding)
    logger.info("read %s: layer %s, %d rows", path.name, name, len(frame))
    return frame


def _read_raw(
    path: Path, *, layer: str | None, encoding: str | None
) -> tuple[gpd.GeoDataFrame, str]:
    if not path.exists():
        raise InputDataError(f"input file {path} does not exist: check the path")
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as error:  # pyogrio raises several types for unreadable files
        raise InputDataError(f"cannot read {path} as a vector file: {error}") from error
    if layer is not None and layer not in layers:
        raise InputDataError(
            f"{path} has no layer {layer!r}; its layers are: {', '.join(layers)}: "
            "choose one with --layer"
        )
    if encoding is None:
        encoding = _guess_shapefile_encoding(path)
    try:
        frame = gpd.read_file(path, layer=layer, engine="pyogrio", encoding=encoding)
    except Exception as error:  # GDAL errors come in several types
        raise InputDataError(
            f"cannot read layer {layer or layers[0]!r} of {path}: {error}"
        ) from error
    return frame, layer or layers[0]


def list_layers(path: str | Path) -> list[str]:
    """Names of the layers of a vector file.

    Raises
    ------
    InputDataError
        If the file does not exist or cannot be read.
    """
    path = Path(path)
    if not path.exists():
        raise InputDataError(f"input file {path} does not exist: check the path")
    try:
        return [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as error:  # pyogrio raises several types for unreadable files
        raise InputDataError(f"cannot read {path} as a vector file: {error}") from error


def _guess_shapefile_encoding(path: Path) -> str | None:
    """GBK for a Shapefile whose .dbf has no .cpg, is not UTF-8 and decodes as GBK."""
    dbf = path.with_suffix(".dbf") if path.suffix.lower() in (".shp", ".dbf") else None
    if dbf is None or not dbf.is_file():
        return None
    if path.with_suffix(".cpg").is_file() or path.with_suffix(".CPG").is_file():
        return None
    with dbf.open("rb") as handle:
        raw = handle.read(4_000_000)
    if len(raw) < 32 or raw[29] != 0:  # a language driver id: GDAL honours it
        return None
    header_length = int.from_bytes(raw[8:10], "little")
    # only the text parts: field names (11 bytes of each 32-byte descriptor) and records
    names = b"".join(raw[i : i + 11] for i in range(32, max(header_length - 1, 32), 32))
    text = names + raw[header_length:]
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as error:
        # a multi-byte character cut by the 4 MB read is not evidence of another encoding
        if error.start < len(text) - 4:
            try:
                text[: len(text) - 4].decode("gbk")
            except UnicodeDecodeError:
                return None
            logger.info("%s: no .cpg and not UTF-8; reading the .dbf as GBK", path.name)
            return "gbk"
    return None


# Column names tried, in order, for a key the mapping does not name. Latin names are
# matched case-insensitively.
_ALIASES: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "compounds": {
        "id": ("id", "compound_id", "小区编码", "小区编号", "小区id"),
        "name": ("name", "compound_name", "小区名称", "小区名", "名称"),
        "households": ("households", "户数", "住户数", "总户数"),
        "population": ("population", "人口", "人口数", "常住人口", "总人口"),
        "subdistrict": ("subdistrict", "街道", "街道办"),
        "community": ("community", "社区"),
        "grid": ("grid", "网格"),
        "locked": ("locked", "锁定"),
    },
    "buildings": {
        "id": ("id", "building_id", "楼栋编码", "楼栋编号"),
        "compound_id": ("compound_id", "所属小区", "小区编码", "小区编号"),
        "households": ("households", "户数", "住户数"),
        "population": ("population", "人口", "人口数"),
        "grid": ("grid", "网格"),
    },
    "roads": {
        "name": ("name", "道路名称", "名称"),
        "class": ("class", "road_class", "等级", "道路等级"),
    },
    "facilities": {
        "id": ("id", "facility_id", "设施编码"),
        "kind": ("kind", "类型", "设施类型"),
        "name": ("name", "名称", "设施名称"),
    },
}


def _find_column(frame_columns: Sequence[str], candidates: Sequence[str]) -> str | None:
    by_lower = {str(column).lower(): str(column) for column in frame_columns}
    for candidate in candidates:
        if candidate in frame_columns:
            return candidate
        if candidate.lower() in by_lower:
            return by_lower[candidate.lower()]
    return None


def _resolve_columns(
    frame: gpd.GeoDataFrame, kind: str, columns: LayerColumns, where: str
) -> dict[str, str]:
    """``{key: user column}`` for every key found; errors name the file's columns."""
    have = [str(c) for c in frame.columns if c != frame.geometry.name]
    listing = ", ".join(have) if have else "(none)"
    explicit = columns.as_dict()
    resolved: dict[str, str] = {}
    for key, column in explicit.items():
        if column not in have:
            raise InputDataError(
                f"{where}: column {column!r} (mapped to {kind} key {key!r}) does not exist; "
                f"the layer's columns are: {listing}: fix the mapping"
            )
        resolved[key] = column
    taken = set(resolved.values())
    for key in LAYER_KEYS[kind]:
        if key in resolved:
            continue
        # a column is found for one key only, unless it bears the key's own name
        candidates = [c for c in _ALIASES[kind][key] if c not in taken or c == key]
        found = _find_column(have, candidates)
        if found is not None:
            resolved[key] = found
            taken.add(found)
    missing = [key for key in REQUIRED_KEYS[kind] if key not in resolved]
    if missing:
        flag_prefix = "" if kind == "compounds" else f"{kind}."
        table = "[columns]" if kind == "compounds" else f"[columns.{kind}]"
        needs = ", ".join(repr(k) for k in missing)
        raise InputDataError(
            f"{where}: no column for the required {kind} key(s) {needs}; the layer's columns "
            f"are: {listing}: map them with --column {flag_prefix}{missing[0]}=NAME or in "
            f"the scenario's {table} table"
        )
    return resolved


def _require_geometry(frame: Any, where: str) -> None:
    try:
        has_geometry = isinstance(frame, gpd.GeoDataFrame) and frame.geometry is not None
    except AttributeError:  # a GeoDataFrame without an active geometry column
        has_geometry = False
    if not has_geometry:
        raise GeometryError(
            f"{where} has no geometry (a table such as CSV or an attribute-only layer): "
            "choose a layer with outlines (--layer) or join the table to one first"
        )


def _pick_layer(path: Path, layer: str | None, kind: str) -> str | None:
    if layer is not None:
        return layer
    layers = list_layers(path)
    if len(layers) <= 1 or kind not in layers:
        if len(layers) > 1:
            raise InputDataError(
                f"{path} has several layers ({', '.join(layers)}) and none is named {kind!r}: "
                "choose one with --layer"
            )
        return None
    return kind


def _read_mapped(
    path: str | Path,
    kind: str,
    *,
    layer: str | None,
    columns: LayerColumns | Mapping[str, str] | None,
    crs: pyproj.CRS | str | int | None,
    encoding: str | None,
) -> gpd.GeoDataFrame:
    path = Path(path)
    if columns is None or isinstance(columns, Mapping):
        columns = LayerColumns.from_mapping(kind, columns)
    elif columns.kind != kind:
        raise InputDataError(f"a {columns.kind} column mapping was given to read {kind}")
    chosen = _pick_layer(path, layer, kind)
    raw, layer_name = _read_raw(path, layer=chosen, encoding=encoding)
    where = f"{kind} layer {layer_name!r} of {path.name}"
    _require_geometry(raw, where)
    if kind == "compounds" and raw.empty:
        raise InputDataError(f"{where} has no rows: choose the layer that holds the compounds")
    resolved = _resolve_columns(raw, kind, columns, where)
    renames: dict[str, str] = {}
    copies: list[tuple[str, str]] = []  # (key, key already holding the same column)
    first_key: dict[str, str] = {}
    for key, column in resolved.items():
        if column in first_key:
            copies.append((key, first_key[column]))
            continue
        first_key[column] = key
        if column != key:
            renames[column] = key
    # a user column that already bears a canonical name we assign elsewhere is kept aside
    targets = set(renames.values()) | {key for key, _ in copies}
    clashes = {
        str(c): f"{c}_input"
        for c in raw.columns
        if c in targets and c not in renames and c != raw.geometry.name
    }
    frame = raw.rename(columns={**clashes, **renames})
    for key, source in copies:
        frame[key] = frame[source]
    try:
        frame = to_working_crs(frame, crs=crs)
    except InputDataError as error:
        raise type(error)(f"{where}: {error}") from error
    frame.attrs.update(
        {
            "kind": kind,
            "source": str(path),
            "layer": layer_name,
            "columns": dict(resolved),
        }
    )
    logger.info(
        "read %s: %d %s, columns %s, working CRS %s",
        path.name,
        len(frame),
        kind,
        ", ".join(f"{k}←{v}" for k, v in resolved.items()),
        frame.crs.to_string() if frame.crs is not None else "none",
    )
    return frame


def read_compounds(
    path: str | Path,
    *,
    layer: str | None = None,
    columns: LayerColumns | Mapping[str, str] | None = None,
    crs: pyproj.CRS | str | int | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Read residential compounds with canonical column names in the working CRS.

    Parameters
    ----------
    path
        Any vector file pyogrio reads (GeoPackage, Shapefile, GeoJSON, FlatGeobuf, ...).
    layer
        Layer name; ``None`` takes the layer named ``compounds`` of a multi-layer file,
        or the only layer.
    columns
        Which user column holds each key (``id``, ``name``, ``households``,
        ``population``, ``subdistrict``, ``community``, ``grid``, ``locked``). Keys
        not mapped are looked up by their canonical name and common Chinese names
        (户数, 人口, 小区名称, ...). ``id``, ``households`` and ``population`` are
        required.
    crs
        CRS of a file that has none.
    encoding
        Attribute encoding; see :func:`read_layer`.

    Returns
    -------
    GeoDataFrame
        The mapped columns renamed to their keys, values **as read** (validation
        coerces and reports them), the user's other columns untouched, in the metric
        working CRS; ``attrs`` holds ``input_crs`` (WKT), ``source``, ``layer`` and
        ``columns`` (key → original column).

    Raises
    ------
    InputDataError
        For an unreadable file or layer, a mapped column that does not exist, or a
        required key without a column (the message lists the layer's columns).
    GeometryError
        If the layer has no CRS and ``crs`` is not given.
    """
    return _read_mapped(path, "compounds", layer=layer, columns=columns, crs=crs, encoding=encoding)


def read_buildings(
    path: str | Path,
    *,
    layer: str | None = None,
    columns: LayerColumns | Mapping[str, str] | None = None,
    crs: pyproj.CRS | str | int | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Read buildings (polygons or points): keys ``id``, ``compound_id``,
    ``households`` (required), ``population``, ``grid``.

    See :func:`read_compounds` for the parameters and the result.
    """
    return _read_mapped(path, "buildings", layer=layer, columns=columns, crs=crs, encoding=encoding)


def read_roads(
    path: str | Path,
    *,
    layer: str | None = None,
    columns: LayerColumns | Mapping[str, str] | None = None,
    crs: pyproj.CRS | str | int | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Read roads (lines): keys ``class`` (required; ``arterial`` roads are barriers)
    and ``name``.

    See :func:`read_compounds` for the parameters and the result.
    """
    return _read_mapped(path, "roads", layer=layer, columns=columns, crs=crs, encoding=encoding)


def read_facilities(
    path: str | Path,
    *,
    layer: str | None = None,
    columns: LayerColumns | Mapping[str, str] | None = None,
    crs: pyproj.CRS | str | int | None = None,
    encoding: str | None = None,
) -> gpd.GeoDataFrame:
    """Read facilities (points): keys ``id``, ``kind`` (required) and ``name``.

    See :func:`read_compounds` for the parameters and the result.
    """
    return _read_mapped(
        path, "facilities", layer=layer, columns=columns, crs=crs, encoding=encoding
    )


def read_lines(
    path: str | Path,
    *,
    layer: str | None = None,
    crs: pyproj.CRS | str | int | None = None,
    encoding: str | None = None,
    where: Mapping[str, str] | None = None,
) -> gpd.GeoSeries:
    """Read a barrier layer (rivers, railways: lines or polygons) as geometries only,
    in the working CRS.

    ``where`` keeps the rows whose columns equal the given values, e.g.
    ``{"kind": "water"}`` for the water bodies of a land-use layer.
    """
    frame = read_layer(path, layer=layer, encoding=encoding)
    _require_geometry(frame, f"layer {layer!r} of {Path(path).name}")
    for column, value in (where or {}).items():
        if column not in frame.columns:
            raise InputDataError(
                f"layer {layer!r} of {Path(path).name} has no column {column!r}; its columns "
                f"are: {', '.join(str(c) for c in frame.columns if c != frame.geometry.name)}"
            )
        frame = frame[frame[column].astype("string").eq(value).fillna(False).to_numpy()]
    return to_working_crs(frame.geometry, crs=crs)


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


# --- plan outputs --------------------------------------------------------------------------

#: Characters Excel does not allow in a sheet name.
_SHEET_FORBIDDEN = frozenset("[]:*?/\\")
_SHEET_MAX = 31


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a file (hex), read in chunks.

    A directory (e.g. a FileGDB ``.gdb``) hashes its files' relative paths and
    contents in sorted order.

    Raises
    ------
    InputDataError
        If the path does not exist or cannot be read.
    """
    path = Path(path)
    digest = hashlib.sha256()
    try:
        if path.is_dir():
            for member in sorted(p for p in path.rglob("*") if p.is_file()):
                digest.update(member.relative_to(path).as_posix().encode("utf-8") + b"\0")
                digest.update(file_sha256(member).encode("ascii"))
            return digest.hexdigest()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except FileNotFoundError as error:
        raise InputDataError(f"cannot hash {path}: it does not exist") from error
    except OSError as error:
        raise InputDataError(f"cannot hash {path}: {error.strerror or error}") from error
    return digest.hexdigest()


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


def write_plan_outputs(
    out_dir: str | Path,
    *,
    layers: Mapping[str, gpd.GeoDataFrame],
    tables: Mapping[str, pd.DataFrame],
    summary: Mapping[str, Any],
    crs: pyproj.CRS | str | int | None = None,
    gpkg_tables: Mapping[str, pd.DataFrame] | None = None,
) -> dict[str, Path]:
    """Write a plan: ``plan.gpkg``, one CSV per table and ``summary.json``.

    Parameters
    ----------
    out_dir
        The output directory; created if missing.
    layers
        Layer name → GeoDataFrame, all written into ``out_dir/plan.gpkg`` in this
        order. An existing ``plan.gpkg`` is replaced as a whole (never appended to).
    tables
        Table name → DataFrame, each written as ``out_dir/<name>.csv`` in UTF-8 with a
        byte-order mark (so Excel shows Chinese text). A named index is written as
        columns, a default index is not.
    summary
        Written as ``out_dir/summary.json``: UTF-8, Chinese kept as is, indented by 2;
        numpy values become plain numbers, NaN and infinities ``null``.
    crs
        Write the layers in this CRS (e.g. ``compounds.attrs["input_crs"]``, the input
        CRS); ``None`` writes them as they are.
    gpkg_tables
        Name → DataFrame written into ``plan.gpkg`` as attribute tables without
        geometry (e.g. the input's ``staff`` table, so that a plan directory is
        self-contained); only written when there are layers.

    Returns
    -------
    dict
        ``{"plan.gpkg": path, "<table>.csv": path, ..., "summary.json": path}``
        (``plan.gpkg`` only when there are layers).

    Raises
    ------
    InputDataError
        If the directory or a file cannot be written (the path and the reason), a
        layer has no geometry or no CRS to reproject from, a name cannot be a file
        name, or a summary value cannot be held in JSON.
    """
    out_dir = Path(out_dir)
    # check everything that can be checked before any file is touched
    for name in tables:
        _safe_name(name, "table")
    summary_text = _json_text(summary)
    target_crs = pyproj.CRS.from_user_input(crs) if crs is not None else None
    written: dict[str, Path] = {}
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        if layers:
            path = out_dir / "plan.gpkg"
            _write_gpkg(layers, path, target_crs, gpkg_tables)
            written["plan.gpkg"] = path
        for name, table in tables.items():
            path = out_dir / f"{name}.csv"
            _write_csv(table, path)
            written[path.name] = path
        path = out_dir / "summary.json"
        path.write_text(summary_text, encoding="utf-8")
        written["summary.json"] = path
    except OSError as error:
        where = error.filename or out_dir
        raise InputDataError(
            f"cannot write the plan to {where}: {error.strerror or error}: choose another "
            "--out directory or check its permissions"
        ) from error
    listed = [name for name in written if name != "plan.gpkg"]
    if layers:
        counts = ", ".join(f"{name} {len(layer)}" for name, layer in layers.items())
        listed.insert(0, f"plan.gpkg ({counts})")
    logger.info("wrote %s: %s", out_dir, ", ".join(listed))
    return written


PLAN_LAYERS = ("compounds", "communities", "grids")
"""The layers every ``plan.gpkg`` has (contract)."""


@dataclasses.dataclass(frozen=True)
class PlanFiles:
    """A plan directory as read back by :func:`read_plan`.

    Layers are in the metric working CRS, with ``attrs["input_crs"]`` holding the CRS
    they were written in, and keep the columns of ``plan.gpkg`` (``compound_id``,
    ``community_id``, ``grid_id``, ...; the compounds also keep the current
    ``subdistrict``/``community``/``grid`` they had in the input, if any).

    Attributes
    ----------
    path
        The plan directory.
    compounds, communities, grids
        The layers every plan has.
    subdistricts, buildings, roads, facilities
        The layers written when the input had them (else ``None``).
    staff
        The input's actual staff table (no geometry), else ``None``.
    summary
        ``summary.json`` as a dict (levels, notes, provenance).
    """

    path: Path
    compounds: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    grids: gpd.GeoDataFrame
    subdistricts: gpd.GeoDataFrame | None
    buildings: gpd.GeoDataFrame | None
    roads: gpd.GeoDataFrame | None
    facilities: gpd.GeoDataFrame | None
    staff: pd.DataFrame | None
    summary: dict[str, Any]


def read_plan(plan_dir: str | Path) -> PlanFiles:
    """Read a directory written by ``jinfeng-grid plan`` (or :func:`write_plan_outputs`).

    Parameters
    ----------
    plan_dir
        The directory holding ``plan.gpkg`` and ``summary.json``.

    Returns
    -------
    PlanFiles
        Every layer in the working CRS; optional layers ``None`` when absent.

    Raises
    ------
    InputDataError
        If the directory, ``plan.gpkg`` or ``summary.json`` is missing or unreadable,
        or a required layer is missing (the message lists the layers it has and says
        how to make a plan).
    """
    path = Path(plan_dir)
    hint = "make one with `jinfeng-grid plan INPUT --out DIR`"
    if not path.is_dir():
        raise InputDataError(f"plan directory {path} does not exist: {hint}")
    gpkg, summary_path = path / "plan.gpkg", path / "summary.json"
    for needed in (gpkg, summary_path):
        if not needed.is_file():
            raise InputDataError(f"{path} is not a plan directory: it has no {needed.name}; {hint}")
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputDataError(f"cannot read {summary_path}: {error}; {hint}") from error
    if not isinstance(summary, dict):
        raise InputDataError(f"{summary_path} is not a JSON object: {hint}")
    names = list_layers(gpkg)
    missing = [name for name in PLAN_LAYERS if name not in names]
    if missing:
        raise InputDataError(
            f"{gpkg} has no layer {', '.join(repr(m) for m in missing)} (it has "
            f"{', '.join(names) or 'none'}): it was not written by jinfeng-grid plan; {hint}"
        )

    def spatial(name: str) -> gpd.GeoDataFrame | None:
        if name not in names:
            return None
        frame, _ = _read_raw(gpkg, layer=name, encoding=None)
        if frame.crs is None:
            raise InputDataError(f"layer {name!r} of {gpkg} has no CRS: {hint}")
        return to_working_crs(frame)

    staff = None
    if "staff" in names:
        staff = pd.DataFrame(_read_raw(gpkg, layer="staff", encoding=None)[0])
        staff = staff.drop(columns=["geometry"], errors="ignore")
    layers = {name: spatial(name) for name in PLAN_LAYERS}
    plan = PlanFiles(
        path=path,
        compounds=layers["compounds"],
        communities=layers["communities"],
        grids=layers["grids"],
        subdistricts=spatial("subdistricts"),
        buildings=spatial("buildings"),
        roads=spatial("roads"),
        facilities=spatial("facilities"),
        staff=staff,
        summary=summary,
    )
    logger.info(
        "read plan %s: %d compounds, %d communities, %d grids",
        path,
        len(plan.compounds),
        len(plan.communities),
        len(plan.grids),
    )
    return plan


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


_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_PROVENANCE_PACKAGES = ("geopandas", "shapely", "pyogrio", "pyproj", "networkx", "pulp", "highspy")


def _input_files(path: Path) -> list[Path]:
    """A Shapefile is several files; anything else is one."""
    if path.suffix.lower() == ".shp":
        parts = [path.with_suffix(s) for s in _SHAPEFILE_PARTS]
        parts += [path.with_suffix(s.upper()) for s in _SHAPEFILE_PARTS]
        return sorted({p for p in parts if p.is_file()} | {path})
    return [path]


def provenance(
    inputs: Sequence[str | Path],
    *,
    scenario: Scenario,
    seed: int,
    created: str | datetime.datetime | None = None,
) -> dict[str, Any]:
    """What a plan was made from, for ``summary.json``.

    Parameters
    ----------
    inputs
        The input files (a Shapefile brings its ``.shx``, ``.dbf``, ``.prj``,
        ``.cpg``); listed by file name, not by their full path, with their SHA-256.
    scenario
        The scenario (recorded with :meth:`~jinfeng_grid.config.Scenario.to_dict`).
    seed
        The seed the plan was made with.
    created
        When the plan was made; recorded only when given, so that by default the same
        inputs give byte-identical output.

    Returns
    -------
    dict
        ``package``, ``version``, ``python``, ``libraries`` (versions), ``inputs``
        (``name``, ``bytes``, ``sha256`` each), ``scenario``, ``seed`` and, when
        given, ``created``.

    Raises
    ------
    InputDataError
        If an input cannot be read.
    """
    from importlib import metadata

    from jinfeng_grid import __version__

    files: list[dict[str, Any]] = []
    for given in inputs:
        for path in _input_files(Path(given)):
            sha = file_sha256(path)
            size = (
                sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
                if path.is_dir()
                else path.stat().st_size
            )
            files.append({"name": path.name, "bytes": size, "sha256": sha})
    libraries: dict[str, str | None] = {}
    for package in _PROVENANCE_PACKAGES:
        try:
            libraries[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            libraries[package] = None
    record: dict[str, Any] = {
        "package": "jinfeng_grid",
        "version": __version__,
        "python": platform.python_version(),
        "libraries": libraries,
        "inputs": files,
        "scenario": scenario.to_dict(),
        "seed": int(seed),
    }
    if created is not None:
        record["created"] = (
            created.isoformat() if isinstance(created, datetime.datetime) else str(created)
        )
    return record
