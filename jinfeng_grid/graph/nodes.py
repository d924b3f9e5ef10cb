"""The nodes shared by the compound and building graphs: rows sorted by id, node attributes.

Both graphs take a layer with an ``id`` column in a metric CRS (as
:mod:`jinfeng_grid.io.read` gives it), order its rows by id so that node order is
sorted, repair invalid geometries, and give each node its mapped fields and a point
inside it in the input CRS.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jinfeng_grid.crs import is_metric
from jinfeng_grid.errors import GeometryError, InputDataError


def _sorted_ids(ids: Iterable[Hashable]) -> list[Hashable]:
    values = list(ids)
    try:
        return sorted(values)  # type: ignore[type-var]
    except TypeError:
        return sorted(values, key=str)


def _prepared(frame: gpd.GeoDataFrame, what: str) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Rows sorted by id, with valid geometries in a metric CRS; raise on unusable input."""
    if "id" not in frame.columns:
        raise InputDataError(
            f"{what} have no 'id' column: read them with jinfeng_grid.io (which maps "
            "the id column) or rename the id column to 'id'"
        )
    if frame.crs is None or not is_metric(frame.crs):
        raise GeometryError(
            f"{what} must be in a metric CRS (got {frame.crs}): read them with "
            "jinfeng_grid.io or use jinfeng_grid.crs.to_working_crs"
        )
    ids = frame["id"]
    if ids.isna().any() or ids.duplicated().any():
        dup = sorted({str(v) for v in ids[ids.duplicated(keep=False)]})
        raise InputDataError(
            f"{what} ids must be unique and present (duplicates: {', '.join(dup) or 'none'}; "
            f"missing: {int(ids.isna().sum())}): run validation and fix the ids"
        )
    geoms = frame.geometry.array
    bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if bad.any():
        which = ", ".join(str(v) for v in ids[bad].head(10))
        raise GeometryError(
            f"{int(bad.sum())} {what} have no geometry (ids {which}): fix or drop them"
        )
    order = _sorted_ids(ids)
    position = pd.Series(np.arange(len(frame)), index=ids.to_numpy())
    frame = frame.iloc[position.loc[order].to_numpy()]
    values = np.asarray(frame.geometry.array, dtype=object)
    invalid = ~shapely.is_valid(values)
    if invalid.any():
        values = values.copy()
        values[invalid] = shapely.make_valid(values[invalid])
    return frame, values


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if value != value:
            return None
        if value.is_integer():
            return int(value)
    if value is pd.NA:
        return None
    return value


def _node_attributes(frame: gpd.GeoDataFrame, keys: Sequence[str]) -> list[dict[str, Any]]:
    columns: dict[str, list[Any]] = {}
    for key in keys:
        if key == "id" or key not in frame.columns:
            continue
        series = frame[key]
        if key in ("households", "population"):
            series = pd.to_numeric(series, errors="coerce")
        columns[key] = [_plain(v) for v in series.tolist()]
    points = frame.geometry.representative_point()
    input_crs = frame.attrs.get("input_crs")
    if input_crs is not None:
        points = points.to_crs(input_crs)
    xs, ys = points.x.to_numpy(), points.y.to_numpy()
    out = []
    for k, node_id in enumerate(frame["id"].tolist()):
        attrs: dict[str, Any] = {"id": _plain(node_id)}
        attrs.update({key: values[k] for key, values in columns.items()})
        attrs["x"], attrs["y"] = float(xs[k]), float(ys[k])
        out.append(attrs)
    return out
