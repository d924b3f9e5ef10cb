"""The scenario: presets, defaults with their sources, and errors that say how to fix them."""

from __future__ import annotations

import dataclasses
import json
import math
import tomllib
from pathlib import Path

import pytest

from jinfeng_grid import graph
from jinfeng_grid.config import (
    SOLVERS,
    TABLES,
    GraphOptions,
    ObjectiveOptions,
    ReportOptions,
    Scenario,
    SolverOptions,
    UnitBounds,
    load_scenario,
    preset_names,
)
from jinfeng_grid.errors import ConfigError
from jinfeng_grid.standards import standard

PRESETS = Path(__file__).resolve().parents[1] / "jinfeng_grid" / "data" / "presets"


def write(tmp_path: Path, text: str, name: str = "scenario.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- presets and defaults -----------------------------------------------------------------


def test_the_shipped_presets_are_standard_and_reform2020():
    assert preset_names() == ("reform2020", "standard")


def test_no_argument_loads_the_standard_preset_which_equals_the_defaults():
    scenario = load_scenario()
    assert scenario == Scenario()
    assert scenario == load_scenario("standard")
    assert scenario.name == "standard"
    assert scenario.source == "standard"
    assert scenario.subdistrict is None


def test_the_standard_community_is_2000_to_4000_households_around_the_ningxia_3000():
    community = load_scenario().community
    assert (community.min_households, community.max_households) == (2000, 4000)
    assert community.target_households == standard("community_households").value == 3000
    assert community.count is None and community.total is None
    assert community.min_population is None and community.max_population is None


def test_the_standard_grid_is_the_300_to_500_households_of_the_ningxia_plan():
    grid = load_scenario().grid
    norm = standard("grid_households")
    assert (grid.min_households, grid.max_households) == (norm.minimum, norm.maximum)
    assert grid.target_households == 400


def test_the_standard_options_are_the_documented_defaults():
    scenario = load_scenario()
    assert scenario.solver == SolverOptions(time_limit=60.0, solver="highs", seed=0, threads=None)
    assert scenario.graph.gap_tolerance_m == graph.DEFAULT_GAP_TOLERANCE_M
    assert scenario.graph.barrier_gap_m == graph.DEFAULT_BARRIER_GAP_M
    assert scenario.graph.connect_islands is False
    assert scenario.objective == ObjectiveOptions(barrier_penalty=200.0, move_penalty=1.0)
    assert scenario.report == ReportOptions(
        producing_unit="", district_name="金凤区", district_code="640106"
    )


def test_the_reform2020_preset_asks_for_54_communities_and_633_grids():
    scenario = load_scenario("reform2020")
    assert scenario.name == "reform2020"
    assert scenario.community.total == 54
    assert scenario.grid.total == 633
    assert (scenario.community.min_households, scenario.community.max_households) == (2000, 7500)
    assert (scenario.grid.min_households, scenario.grid.max_households) == (300, 500)
    assert scenario.solver == load_scenario().solver


def test_every_preset_file_spells_out_only_known_tables():
    for path in sorted(PRESETS.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert set(data) - {"name"} <= set(TABLES), path.name


def test_the_solver_names_are_those_of_the_solver_module():
    from jinfeng_grid.partition import solver as _solver

    assert _solver.SOLVERS == SOLVERS


def test_a_bare_unknown_name_lists_the_presets():
    with pytest.raises(ConfigError, match=r"'reform2021' is neither a shipped preset \(reform2020"):
        load_scenario("reform2021")


# --- files ------------------------------------------------------------------------------------


def test_a_file_sets_some_keys_and_the_others_keep_their_defaults(tmp_path):
    path = write(
        tmp_path,
        'name = "cap 3500"\n[community]\nmax_households = 3500\n[solver]\ntime_limit = 10\n',
    )
    scenario = load_scenario(path)
    assert scenario.name == "cap 3500"
    assert scenario.source == str(path)
    assert scenario.community == UnitBounds(2000, 3500, 3000)
    assert scenario.solver.time_limit == 10.0 and isinstance(scenario.solver.time_limit, float)
    assert scenario.grid == load_scenario().grid


def test_a_file_without_a_name_is_named_after_its_stem(tmp_path):
    assert load_scenario(str(write(tmp_path, "", "cap3500.toml"))).name == "cap3500"


def test_a_default_target_outside_the_given_bounds_becomes_their_middle(tmp_path):
    path = write(tmp_path, "[grid]\nmin_households = 100\nmax_households = 300\n")
    assert load_scenario(path).grid.target_households == 200


def test_population_bounds_count_and_total_are_read(tmp_path):
    path = write(
        tmp_path,
        "[community]\ncount = 4\nmin_population = 5000\nmax_population = 9000\n"
        "[grid]\ntotal = 700\n",
    )
    scenario = load_scenario(path)
    assert scenario.community.count == 4
    assert (scenario.community.min_population, scenario.community.max_population) == (5000, 9000)
    assert scenario.grid.total == 700


def test_a_subdistrict_count_alone_re_draws_subdistricts_without_size_bounds(tmp_path):
    scenario = load_scenario(write(tmp_path, "[subdistrict]\ncount = 6\n"))
    assert scenario.subdistrict is not None
    assert scenario.subdistrict.count == 6
    assert scenario.subdistrict.min_households == 0
    assert math.isinf(scenario.subdistrict.max_households)
    assert scenario.subdistrict.target_households is None
    assert scenario.to_dict()["subdistrict"]["max_households"] is None


def test_subdistrict_bounds_take_their_middle_as_target(tmp_path):
    path = write(tmp_path, "[subdistrict]\nmin_households = 40000\nmax_households = 60000\n")
    assert load_scenario(path).subdistrict == UnitBounds(40000, 60000, 50000)


def test_the_columns_table_still_maps_every_layer(tmp_path):
    path = write(
        tmp_path,
        '[columns]\nid = "编码"\nhouseholds = "户数"\n\n'
        '[columns.buildings]\ncompound_id = "所属小区"\n\n'
        "[community]\nmax_households = 3000\n",
    )
    scenario = load_scenario(path)
    assert scenario.columns.compounds.as_dict() == {"id": "编码", "households": "户数"}
    assert scenario.columns.buildings.get("compound_id") == "所属小区"
    assert scenario.community.max_households == 3000
    assert scenario.extra["community"] == {"max_households": 3000}


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[comunity]\nmax_households = 3000\n",
            r"scenario scenario.toml: unknown table \[comunity\] \(did you mean 'community'\?\): "
            r"the tables are \[columns\], \[community\], \[grid\], \[subdistrict\], \[solver\], "
            r"\[graph\], \[objective\], \[report\]",
        ),
        (
            "seed = 3\n",
            r"unknown top-level key 'seed' \(seed belongs in \[solver\]\): "
            r"the tables are \[columns\]",
        ),
        (
            "[community]\nmax_household = 3000\n",
            r"\[community\] has an unknown key 'max_household' \(did you mean "
            r"'max_households'\?\): the keys of \[community\] are min_households, "
            r"max_households, target_households, min_population, max_population, count, total",
        ),
        (
            "[solver]\ntimelimit = 5\n",
            r"\[solver\] has an unknown key 'timelimit' \(did you mean 'time_limit'\?\): "
            r"the keys of \[solver\] are time_limit, solver, seed, threads",
        ),
        (
            "[community]\nmin_households = 5000\nmax_households = 4500\n",
            r"\[community\] min_households \(5,000\) is above max_households \(4,500\): lower "
            r"min_households or raise max_households \(defaults used: target_households = 4750\)",
        ),
        (
            "[community]\nmin_households = 4500\n",
            r"\[community\] min_households \(4,500\) is above max_households \(4,000\).*"
            r"defaults used: max_households = 4000",
        ),
        (
            "[grid]\ntarget_households = 600\n",
            r"\[grid\] target_households \(600\) is outside min_households-max_households "
            r"\(300-500\): choose a target within the bounds",
        ),
        (
            "[community]\ncount = 3\ntotal = 54\n",
            r"\[community\] count \(3 per parent\) and total \(54 in all\) are both set: keep one",
        ),
        (
            '[community]\nmax_households = "4000"\n',
            r"\[community\].max_households must be a number of households, got '4000' \(text\): "
            r"write e.g. max_households = 3000, without quotes",
        ),
        (
            '[grid]\nmax_population = "80%"\n',
            r"\[grid\].max_population must be a number of persons, got '80%' \(text\)",
        ),
        ("[community]\ntotal = 54.5\n", r"\[community\] total must be a whole number of units"),
        ("[community]\ncount = 0\n", r"\[community\] count must be at least 1, got 0"),
        ("[community]\nmin_households = -1\n", r"min_households must not be negative, got -1"),
        ("[community]\nmax_households = inf\n", r"\[community\].max_households must be finite"),
        (
            '[solver]\nsolver = "gurobi"\n',
            r"\[solver\] solver 'gurobi' is unknown: use one of 'highs', 'cbc'",
        ),
        ("[solver]\ntime_limit = 0\n", r"\[solver\] time_limit must be a positive number"),
        ('[solver]\ntime_limit = "60s"\n', r"\[solver\] time_limit must be a positive number"),
        ("[solver]\nthreads = 0\n", r"\[solver\] threads must be a whole number ≥ 1"),
        (
            "[graph]\ngap_tolerance_m = -5\n",
            r"\[graph\] gap_tolerance_m must be a number of metres",
        ),
        ('[graph]\nconnect_islands = "yes"\n', r"\[graph\] connect_islands must be true or false"),
        ("[objective]\nmove_penalty = -1\n", r"\[objective\] move_penalty must be a number ≥ 0"),
        ("[report]\ndistrict_code = 640106\n", r"\[report\] district_code must be text in quotes"),
        ('[report]\ndistrict_code = "6401"\n', r"\[report\] district_code must be six digits"),
        ("[subdistrict]\nmin_households = 1000\n", r"\[subdistrict\] must say how subdistricts"),
        ("community = 3000\n", r"\[community\] must be a table, got community = 3000"),
        ("name = 3\n", r"name must be text in quotes"),
        ("[community\n", "is not valid TOML"),
        ('[columns]\nhouse = "户数"\n', "unknown compounds column key 'house'"),
    ],
)
def test_a_bad_scenario_file_says_which_table_and_key_and_how_to_fix_it(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=message):
        load_scenario(path)


def test_a_missing_scenario_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist: check the path"):
        load_scenario(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_households": 3000, "max_households": 2000, "target_households": 2500}, "is above"),
        ({"min_households": 2000, "max_households": 4000, "target_households": 5000}, "outside"),
        ({"min_households": 2000, "max_households": 4000, "target_households": None}, "count"),
        (
            {
                "min_households": 2000,
                "max_households": 4000,
                "target_households": 3000,
                "count": 2,
                "total": 9,
            },
            "both set",
        ),
        (
            {
                "min_households": 0,
                "max_households": 9,
                "target_households": 5,
                "min_population": 20,
                "max_population": 10,
            },
            r"min_population \(20\) is above max_population \(10\)",
        ),
        ({"min_households": True, "max_households": 4000, "target_households": 3000}, "true/false"),
    ],
)
def test_unit_bounds_check_themselves_when_built_in_code(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        UnitBounds(**kwargs)


# --- variants and provenance -----------------------------------------------------------------


def test_with_overrides_changes_the_keys_given_and_checks_them_like_a_file():
    scenario = load_scenario("reform2020")
    tight = scenario.with_overrides(community={"max_households": 7000}, solver={"seed": 7})
    assert tight.community == dataclasses.replace(scenario.community, max_households=7000)
    assert tight.community.total == 54
    assert tight.solver.seed == 7 and tight.solver.time_limit == scenario.solver.time_limit
    assert tight.grid == scenario.grid
    assert tight.name == "reform2020"
    with pytest.raises(ConfigError, match=r"\[community\] has an unknown key 'cap'"):
        scenario.with_overrides(community={"cap": 3})
    with pytest.raises(ConfigError, match=r"\[solver\] solver 'glpk' is unknown"):
        scenario.with_overrides(solver={"solver": "glpk"})


def test_with_overrides_takes_whole_dataclass_values_and_a_name():
    scenario = load_scenario().with_overrides(
        grid=UnitBounds(100, 300, 200), graph=GraphOptions(connect_islands=True), name="old town"
    )
    assert scenario.grid == UnitBounds(100, 300, 200)
    assert scenario.graph.connect_islands is True
    assert scenario.name == "old town"


def test_dataclasses_replace_checks_the_new_values():
    scenario = load_scenario()
    quick = dataclasses.replace(scenario, solver=SolverOptions(time_limit=5))
    assert quick.solver.time_limit == 5
    with pytest.raises(ConfigError, match="is above"):
        dataclasses.replace(scenario.community, min_households=5000)


def test_to_dict_is_plain_json_and_reads_back_to_an_equal_scenario(tmp_path):
    path = write(
        tmp_path,
        '[subdistrict]\ncount = 6\n[columns]\nhouseholds = "户数"\n'
        '[columns.buildings]\ncompound_id = "所属小区"\n',
    )
    for scenario in (load_scenario(), load_scenario("reform2020"), load_scenario(path)):
        data = scenario.to_dict()
        assert json.loads(json.dumps(data, allow_nan=False)) == data
        assert Scenario.from_dict(data) == scenario
    assert load_scenario(path).to_dict()["source"] == "scenario.toml"


def test_the_scenario_repr_tells_the_bounds_and_the_solver():
    assert repr(load_scenario("reform2020")) == (
        "<Scenario reform2020: communities <UnitBounds 2,000-7,500 households, target 3,000, "
        "54 in all>, grids <UnitBounds 300-500 households, target 400, 633 in all>, highs 60 s, "
        "seed 0, <ColumnMap defaults>>"
    )
