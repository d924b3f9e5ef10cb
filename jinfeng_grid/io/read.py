"""Reading the input layers: the vector files of a district, mapped to canonical columns.

``read_compounds``, ``read_buildings``, ``read_roads`` and ``read_facilities`` read any
vector format pyogrio reads (GeoPackage, Shapefile including GBK-encoded ``.dbf``
without ``.cpg``, GeoJSON, FlatGeobuf, ...), choose the layer by name, rename the
user's columns to the canonical keys (see :mod:`jinfeng_grid.config`), keep the values
as read (validation coerces and reports them) and reproject to the metric working CRS
(:mod:`jinfeng_grid.crs`), remembering the input CRS in ``attrs["input_crs"]``.
``read_layer`` reads a layer as it is, ``read_lines`` a barrier layer, and
``sample_path`` finds the bundled sample district.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pyproj

from jinfeng_grid.config.columns import LAYER_KEYS, REQUIRED_KEYS, LayerColumns
from jinfeng_grid.crs import to_working_crs
from jinfeng_grid.errors import GeometryError, InputDataError

__all__ = [
    "list_layers",
    "read_buildings",
    "read_compounds",
    "read_facilities",
    "read_layer",
    "read_lines",
    "read_roads",
    "sample_path",
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
