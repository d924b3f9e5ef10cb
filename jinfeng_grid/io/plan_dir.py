"""A plan directory: ``plan.gpkg``, CSV tables and ``summary.json``, written and read back.

:func:`write_plan_outputs` writes a plan; :func:`read_plan` reads the directory back
into :class:`PlanFiles`, whose layers :data:`PLAN_LAYERS` every plan has.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyproj

from jinfeng_grid.crs import to_working_crs
from jinfeng_grid.errors import InputDataError
from jinfeng_grid.io.read import _read_raw, list_layers
from jinfeng_grid.io.write import _json_text, _safe_name, _write_csv, _write_gpkg

__all__ = ["PLAN_LAYERS", "PlanFiles", "read_plan", "write_plan_outputs"]

logger = logging.getLogger(__name__)


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
