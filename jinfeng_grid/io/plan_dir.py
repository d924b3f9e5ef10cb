"""The files of a plan directory: ``plan.gpkg``, CSV tables and ``summary.json``.

:func:`write_plan_outputs` writes them from plain layers, tables and a summary, and can
record the SHA-256 of every file in the summary. What a plan *is* and how it is read
back lives in :mod:`jinfeng_grid.plan.directory`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyproj

from jinfeng_grid.errors import InputDataError
from jinfeng_grid.io.provenance import file_sha256
from jinfeng_grid.io.write import _json_text, _safe_name, _write_csv, _write_gpkg

__all__ = ["DIGESTS_KEY", "write_plan_outputs"]

#: Where ``summary.json``'s ``provenance`` keeps the SHA-256 of the directory's other
#: files (when :func:`write_plan_outputs` is asked to record them).
DIGESTS_KEY = "files"

logger = logging.getLogger(__name__)


def write_plan_outputs(
    out_dir: str | Path,
    *,
    layers: Mapping[str, gpd.GeoDataFrame],
    tables: Mapping[str, pd.DataFrame],
    summary: Mapping[str, Any],
    crs: pyproj.CRS | str | int | None = None,
    gpkg_tables: Mapping[str, pd.DataFrame] | None = None,
    digests: bool = False,
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
    digests
        Record the SHA-256 of every other file written in the summary's
        ``provenance`` under :data:`DIGESTS_KEY`, so that a reader can tell when the
        files no longer belong together.

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
    _json_text(summary)  # fails before any file is touched if JSON cannot hold it
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
        if digests:
            provenance = dict(summary.get("provenance") or {})
            provenance[DIGESTS_KEY] = {
                name: file_sha256(path) for name, path in sorted(written.items())
            }
            summary = {**summary, "provenance": provenance}
        path = out_dir / "summary.json"
        path.write_text(_json_text(summary), encoding="utf-8")
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
