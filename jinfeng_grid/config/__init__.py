"""Scenario configuration: unit bounds, solver, graph, objective, report and columns."""

from __future__ import annotations

from jinfeng_grid.config.columns import (
    LAYER_KEYS,
    LAYER_KINDS,
    REQUIRED_KEYS,
    ColumnMap,
    LayerColumns,
    LayerKind,
    parse_column_flags,
)
from jinfeng_grid.config.load import load_scenario, load_scenario_columns, preset_names
from jinfeng_grid.config.options import (
    SOLVERS,
    GraphOptions,
    ObjectiveOptions,
    ReportOptions,
    SolverOptions,
    UnitBounds,
)
from jinfeng_grid.config.scenario import TABLES, Scenario

__all__ = [
    "LAYER_KEYS",
    "LAYER_KINDS",
    "REQUIRED_KEYS",
    "SOLVERS",
    "TABLES",
    "ColumnMap",
    "GraphOptions",
    "LayerColumns",
    "LayerKind",
    "ObjectiveOptions",
    "ReportOptions",
    "Scenario",
    "SolverOptions",
    "UnitBounds",
    "load_scenario",
    "load_scenario_columns",
    "parse_column_flags",
    "preset_names",
]
