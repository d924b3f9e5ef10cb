"""The plan directory: how a :class:`~jinfeng_grid.plan.value.Plan` is written and read back.

A plan directory holds ``plan.gpkg`` (its layers, and the staff table), one CSV per
table (``communities``, ``grids`` and, when the input had current communities,
``moves``) and ``summary.json`` (counts, levels, notes, provenance). The provenance
records the SHA-256 of every other file, so that a directory whose files no longer
belong together (a CSV edited by hand, a ``plan.gpkg`` from another run) is refused by
:func:`read_plan` with the name of the file that changed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from jinfeng_grid.config.scenario import Scenario
from jinfeng_grid.crs import to_working_crs
from jinfeng_grid.errors import ConfigError, InputDataError, StalePlanError
from jinfeng_grid.io.plan_dir import DIGESTS_KEY, write_plan_outputs
from jinfeng_grid.io.provenance import file_sha256
from jinfeng_grid.io.read import list_layers, read_layer
from jinfeng_grid.plan.audit import audit_plan
from jinfeng_grid.plan.records import LevelSummary
from jinfeng_grid.plan.value import LAYERS, Plan

__all__ = ["check_files", "moves_table", "plan_tables", "read_plan", "write_plan"]

logger = logging.getLogger(__name__)

_HINT = "make one with `jinfeng-grid plan INPUT --out DIR`"
_REQUIRED = ("compounds", "communities", "grids")


def moves_table(plan: Plan) -> pd.DataFrame | None:
    """Each compound's current and new community, and the households that move.

    A compound moves when its new community does not carry its current community's
    name (a community split into pieces keeps its name for the largest piece only).
    Returns None when the input had no current communities.
    """
    compounds = plan.compounds
    if not {"community", "community_name"} <= set(compounds.columns):
        return None

    def column(*names: str) -> pd.Series | str:
        # a plan directory written by hand may lack the names; the planner's never does
        found = [name for name in names if name in compounds.columns]
        return compounds[found[0]] if found else ""

    moved = compounds["community_name"].astype(str) != compounds["community"].astype(str)
    table = pd.DataFrame(
        {
            "compound_id": compounds["compound_id"],
            "name": column("name"),
            "households": compounds["households"].astype("int64"),
            "population": compounds["population"].astype("int64"),
            "old_subdistrict": column("subdistrict"),
            "old_community": compounds["community"],
            "new_subdistrict": column("subdistrict_name", "subdistrict_id"),
            "new_community_id": compounds["community_id"],
            "new_community": compounds["community_name"],
            "moved": moved,
        }
    )
    table["households_moved"] = table["households"].where(moved, 0)
    return table


def plan_tables(plan: Plan) -> dict[str, pd.DataFrame]:
    """The CSV tables of a plan: ``communities``, ``grids`` and, when known, ``moves``."""
    out = {
        "communities": pd.DataFrame(plan.communities.drop(columns="geometry")),
        "grids": pd.DataFrame(plan.grids.drop(columns="geometry")),
    }
    moves = moves_table(plan)
    if moves is not None:
        out["moves"] = moves
    return out


def write_plan(plan: Plan, out_dir: str | Path) -> dict[str, Path]:
    """Audit a plan and write its directory.

    Writes ``plan.gpkg`` (every layer of the plan in the input CRS, and the staff
    table), ``communities.csv``, ``grids.csv``, ``moves.csv`` (when the input had
    current communities) and ``summary.json`` (:meth:`Plan.summary`, with the SHA-256 of
    every other file recorded in its provenance under ``files``).

    Returns
    -------
    dict
        File name → path.

    Raises
    ------
    PlanCheckError
        If the plan fails its audit (:func:`jinfeng_grid.plan.audit.audit_plan`).
    InputDataError
        If the directory cannot be written.
    """
    audit_plan(plan)
    return write_plan_outputs(
        out_dir,
        layers=plan.layers(),
        tables=plan_tables(plan),
        summary=plan.summary,
        crs=plan.compounds.attrs.get("input_crs"),
        gpkg_tables={"staff": plan.staff} if plan.staff is not None else None,
        digests=True,
    )


def read_plan(plan_dir: str | Path) -> Plan:
    """Read a plan directory back into the :class:`Plan` that was written.

    Parameters
    ----------
    plan_dir
        The directory holding ``plan.gpkg`` and ``summary.json``.

    Returns
    -------
    Plan
        Every layer in the working CRS (``attrs["input_crs"]`` the CRS it was written
        in); optional layers ``None`` when absent; ``source`` the directory.

    Raises
    ------
    StalePlanError
        If a file of the directory is not the one ``plan`` wrote (its SHA-256 differs
        from the one recorded in ``summary.json``): the message names the file.
    InputDataError
        If the directory, ``plan.gpkg`` or ``summary.json`` is missing or unreadable,
        or a required layer is missing (the message lists the layers it has).
    """
    path = Path(plan_dir)
    if not path.is_dir():
        raise InputDataError(f"plan directory {path} does not exist: {_HINT}")
    gpkg, summary_path = path / "plan.gpkg", path / "summary.json"
    for needed in (gpkg, summary_path):
        if not needed.is_file():
            raise InputDataError(
                f"{path} is not a plan directory: it has no {needed.name}; {_HINT}"
            )
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise InputDataError(f"cannot read {summary_path}: {error}; {_HINT}") from error
    if not isinstance(summary, dict):
        raise InputDataError(f"{summary_path} is not a JSON object: {_HINT}")
    provenance = dict(summary.get("provenance") or {})
    check_files(path, provenance.pop(DIGESTS_KEY, None))
    names = list_layers(gpkg)
    missing = [name for name in _REQUIRED if name not in names]
    if missing:
        raise InputDataError(
            f"{gpkg} has no layer {', '.join(repr(m) for m in missing)} (it has "
            f"{', '.join(names) or 'none'}): it was not written by jinfeng-grid plan; {_HINT}"
        )

    def layer(name: str) -> gpd.GeoDataFrame | None:
        if name not in names:
            return None
        frame = read_layer(gpkg, layer=name)
        if frame.crs is None:
            raise InputDataError(f"layer {name!r} of {gpkg} has no CRS: {_HINT}")
        return to_working_crs(frame)

    staff = None
    if "staff" in names:
        staff = pd.DataFrame(read_layer(gpkg, layer="staff")).drop(
            columns=["geometry"], errors="ignore"
        )
    layers = {name: layer(name) for name in LAYERS}
    known = {"plan", "levels", "notes", "provenance"}
    plan = Plan(
        compounds=layers["compounds"],
        communities=layers["communities"],
        grids=layers["grids"],
        subdistricts=layers["subdistricts"],
        buildings=layers["buildings"],
        roads=layers["roads"],
        facilities=layers["facilities"],
        staff=staff,
        scenario=_scenario(provenance, summary_path),
        levels={
            name: LevelSummary.from_dict(level)
            for name, level in (summary.get("levels") or {}).items()
        },
        notes=tuple(summary.get("notes") or ()),
        seconds=float((summary.get("plan") or {}).get("seconds") or 0.0),
        provenance=provenance,
        extra={key: value for key, value in summary.items() if key not in known},
        source=path,
    )
    logger.info(
        "read plan %s: %d compounds, %d communities, %d grids",
        path,
        len(plan.compounds),
        len(plan.communities),
        len(plan.grids),
    )
    return plan


def check_files(path: Path, recorded: Mapping[str, str] | None) -> None:
    """Refuse a plan directory whose files are not those its ``summary.json`` records.

    ``recorded`` maps file names to SHA-256; ``None`` (a directory written before
    digests were recorded, or by hand) is read with a logged notice, unchecked.
    """
    if recorded is None:
        logger.warning(
            "%s records no digests of its files, so whether they still belong together "
            "cannot be checked (re-run plan to record them)",
            path,
        )
        return
    for name, expected in sorted(recorded.items()):
        file = path / name
        if not file.is_file():
            raise StalePlanError(
                f"{name} of the plan in {path} is missing: the directory is not the one "
                f"`plan` wrote; re-run plan into a new directory"
            )
        if file_sha256(file) != expected:
            raise StalePlanError(
                f"{name} of the plan in {path} changed after `plan` wrote it (its SHA-256 "
                f"no longer matches summary.json): the maps and tables would not belong "
                f"together; re-run plan, or restore {name}"
            )


def _scenario(provenance: Mapping[str, Any], where: Path) -> Scenario:
    data = provenance.get("scenario")
    if not data:
        logger.warning("%s records no scenario; the standard one is assumed", where)
        return Scenario()
    try:
        return Scenario.from_dict(data, source=data.get("source"), name=data.get("name"))
    except ConfigError as error:
        raise InputDataError(f"the scenario recorded in {where} cannot be read: {error}") from error
