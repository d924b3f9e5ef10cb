"""The canonical order of stages for a scenario: read → validate → plan → tables → write."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from jinfeng_grid.config.columns import ColumnMap
from jinfeng_grid.config.scenario import Scenario
from jinfeng_grid.io.provenance import provenance
from jinfeng_grid.io.read import (
    read_buildings,
    read_compounds,
    read_facilities,
    read_layer,
    read_roads,
)
from jinfeng_grid.io.write import write_table
from jinfeng_grid.plan.directory import write_plan as write_plan_to
from jinfeng_grid.plan.district import plan_district
from jinfeng_grid.plan.split import SplitResult, split_community
from jinfeng_grid.plan.value import Plan
from jinfeng_grid.validate.compounds import validate_compounds

__all__ = [
    "District",
    "PlanRun",
    "SplitRun",
    "read_district",
    "read_layers",
    "run_plan",
    "run_split",
    "with_district",
    "write_plan",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlanRun:
    """A plan and the files written for it."""

    plan: Plan
    files: Mapping[str, Path]


@dataclass(frozen=True)
class District:
    """A district as read and validated for planning: every layer in the working CRS."""

    compounds: gpd.GeoDataFrame
    buildings: gpd.GeoDataFrame | None
    roads: gpd.GeoDataFrame | None
    facilities: gpd.GeoDataFrame | None
    staff: pd.DataFrame | None


def read_layers(
    input_path: str | Path,
    *,
    columns: ColumnMap,
    layer: str | None = None,
    buildings_layer: str | None = None,
    roads_layer: str | None = None,
    facilities_layer: str | None = None,
    staff_layer: str | None = None,
    crs: str | None = None,
    encoding: str | None = None,
) -> District:
    """Read a district's layers as they are (no validation); ``None`` layers are absent.

    The one reader behind :func:`read_district` and the commands that report on raw
    input (``validate``, ``graph``, ``staff``).
    """

    def read(reader: Callable[..., gpd.GeoDataFrame], name: str | None, cols: Any) -> Any:
        if name is None:
            return None
        return reader(input_path, layer=name, columns=cols, crs=crs, encoding=encoding)

    compounds = read_compounds(
        input_path, layer=layer, columns=columns.compounds, crs=crs, encoding=encoding
    )
    staff = None
    if staff_layer is not None:
        staff = pd.DataFrame(read_layer(input_path, layer=staff_layer, encoding=encoding))
        staff = staff.drop(columns=["geometry"], errors="ignore")
    return District(
        compounds,
        read(read_buildings, buildings_layer, columns.buildings),
        read(read_roads, roads_layer, columns.roads),
        read(read_facilities, facilities_layer, columns.facilities),
        staff,
    )


def read_district(
    input_path: str | Path,
    *,
    scenario: Scenario,
    layer: str | None = None,
    buildings_layer: str | None = None,
    roads_layer: str | None = None,
    facilities_layer: str | None = None,
    staff_layer: str | None = None,
    columns: ColumnMap | None = None,
    crs: str | None = None,
    encoding: str | None = None,
) -> District:
    """Read a district's layers and validate them (repairs applied, warnings logged).

    Parameters are those of :func:`run_plan`. Raises :class:`InputDataError` with the
    whole validation report when the data have errors.
    """
    district = read_layers(
        input_path,
        columns=columns if columns is not None else scenario.columns,
        layer=layer,
        buildings_layer=buildings_layer,
        roads_layer=roads_layer,
        facilities_layer=facilities_layer,
        staff_layer=staff_layer,
        crs=crs,
        encoding=encoding,
    )
    report = validate_compounds(
        district.compounds,
        buildings=district.buildings,
        gap_tolerance_m=scenario.graph.gap_tolerance_m,
    ).raise_if_errors()
    for issue in report.warnings:
        logger.warning("validation: %s", issue)
    buildings = district.buildings
    if buildings is not None:
        buildings = _repaired(buildings, report.repaired_buildings)
    return dataclasses.replace(
        district, compounds=_repaired(district.compounds, report.repaired), buildings=buildings
    )


def with_district(
    plan: Plan,
    *,
    district: District,
    input_path: str | Path,
    extra: Mapping[str, Any] | None = None,
) -> Plan:
    """The plan carrying the district's roads, facilities and staff table and the
    provenance of its input: the value :func:`write_plan` writes and
    :func:`jinfeng_grid.plan.read_plan` reads back.

    ``extra`` entries are added to ``summary.json`` (e.g. the split that made it).
    """
    return plan.with_district(
        roads=district.roads,
        facilities=district.facilities,
        staff=district.staff,
        provenance=provenance([input_path], scenario=plan.scenario, seed=plan.scenario.solver.seed),
        extra=extra,
    )


def write_plan(
    plan: Plan,
    out_dir: str | Path,
    *,
    district: District,
    input_path: str | Path,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Path]:
    """Audit a plan and write its directory: ``plan.gpkg`` (with the district's roads,
    facilities and staff table), ``summary.json`` and the CSV tables.

    The plan written is :func:`with_district` of ``plan``; ``extra`` entries are added
    to ``summary.json`` (e.g. the split that made it). Returns file name → path.
    """
    files = write_plan_to(
        with_district(plan, district=district, input_path=input_path, extra=extra), out_dir
    )
    logger.info("wrote %d files to %s", len(files), out_dir)
    return files


def run_plan(
    input_path: str | Path,
    out_dir: str | Path,
    *,
    scenario: Scenario,
    layer: str | None = None,
    buildings_layer: str | None = None,
    roads_layer: str | None = None,
    facilities_layer: str | None = None,
    staff_layer: str | None = None,
    columns: ColumnMap | None = None,
    crs: str | None = None,
    encoding: str | None = None,
    keep_current: bool = False,
    workers: int | None = None,
    progress: Callable[..., None] | None = None,
) -> PlanRun:
    """Read a district, validate it, plan it and write the plan's files.

    Parameters
    ----------
    input_path
        The district file (compounds, and optionally buildings and roads layers).
    out_dir
        Where ``plan.gpkg``, ``summary.json`` and the CSV tables go.
    scenario
        The scenario; its ``[columns]`` are used unless ``columns`` is given.
    layer, buildings_layer, roads_layer
        Layer names; ``None`` for buildings/roads means none.
    facilities_layer, staff_layer
        Layers copied into ``plan.gpkg`` as they are (facilities with canonical
        columns, the staff table verbatim) so that the plan directory alone serves
        the ``staff``, ``posts``, ``render`` and ``package`` commands; ``None``
        means none.
    columns
        Column mapping (the scenario's when None).
    crs, encoding
        For files without a CRS or with a legacy encoding.
    keep_current, workers, progress
        Passed to :func:`jinfeng_grid.plan.plan_district`.

    Raises
    ------
    InputDataError
        The data have errors (the whole validation report is in the message).
    InfeasibleSpecError, SolverError
        See :func:`jinfeng_grid.plan.plan_district`.
    """
    district = read_district(
        input_path,
        scenario=scenario,
        layer=layer,
        buildings_layer=buildings_layer,
        roads_layer=roads_layer,
        facilities_layer=facilities_layer,
        staff_layer=staff_layer,
        columns=columns,
        crs=crs,
        encoding=encoding,
    )
    plan = plan_district(
        district.compounds,
        buildings=district.buildings,
        roads=district.roads,
        scenario=scenario,
        keep_current=keep_current,
        workers=workers,
        progress=progress,
    )
    plan = with_district(plan, district=district, input_path=input_path)
    files = write_plan_to(plan, out_dir)
    logger.info("wrote %d files to %s", len(files), out_dir)
    return PlanRun(plan, files)


@dataclass(frozen=True)
class SplitRun:
    """A split and the files written for it (``alternatives.csv`` and one plan
    directory per alternative)."""

    split: SplitResult
    files: Mapping[str, Path]


def run_split(
    input_path: str | Path,
    out_dir: str | Path,
    *,
    community: str,
    scenario: Scenario,
    parts: int | None = None,
    alternatives: int = 1,
    min_difference: int | None = None,
    workers: int | None = None,
    **layers: Any,
) -> SplitRun:
    """Read a district, split one community and write every alternative.

    Writes ``out_dir/alternatives.csv`` (the comparison table of
    :func:`jinfeng_grid.plan.split_community`) and ``out_dir/alternative_<n>/``, each a
    complete plan directory (the whole district, only the split community changed)
    that the ``staff``, ``posts``, ``render`` and ``package`` commands take.

    Parameters
    ----------
    input_path, out_dir, scenario
        As for :func:`run_plan`.
    community, parts, alternatives, min_difference, workers
        Passed to :func:`jinfeng_grid.plan.split_community`.
    **layers
        ``layer``, ``buildings_layer``, ``roads_layer``, ``facilities_layer``,
        ``staff_layer``, ``columns``, ``crs``, ``encoding`` as for :func:`run_plan`.
    """
    district = read_district(input_path, scenario=scenario, **layers)
    split = split_community(
        district.compounds,
        community=community,
        buildings=district.buildings,
        roads=district.roads,
        scenario=scenario,
        parts=parts,
        alternatives=alternatives,
        min_difference=min_difference,
        workers=workers,
    )
    out = Path(out_dir)
    files: dict[str, Path] = {}
    for number, plan in enumerate(split.alternatives, start=1):
        row = split.comparison.iloc[number - 1].to_dict()
        written = write_plan(
            plan,
            out / f"alternative_{number}",
            district=district,
            input_path=input_path,
            extra={"split": {"community": community, "parts": split.parts, **row}},
        )
        files.update({f"alternative_{number}/{name}": path for name, path in written.items()})
    files["alternatives.csv"] = write_table(split.comparison, out / "alternatives.csv")
    return SplitRun(split, files)


def _repaired(frame: gpd.GeoDataFrame, repaired: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    if repaired is None:
        return frame
    attrs = dict(frame.attrs)
    repaired = repaired.copy()
    repaired.attrs.update(attrs)
    return repaired
