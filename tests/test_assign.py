"""Assigning the roster to a plan's units: each rule, the lexicographic objective, errors.

The plans are drawn by hand: compounds are 100 m squares in a row (EPSG:4544), each
compound one building and one new grid, so every optimum can be worked out on paper.
Every result is also checked against the rules by :func:`check_rules`, which reads the
plan and the roster only, never the model.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from jinfeng_grid.assign import AssignOptions, StaffAssignment, assign_staff, check_roster
from jinfeng_grid.config import Scenario
from jinfeng_grid.errors import ConfigError, InputDataError
from jinfeng_grid.plan import Plan

CRS = "EPSG:4544"

# compound, x (in 120 m steps), households, population, current subdistrict,
# current community, current grid, new community, new subdistrict
DISTRICT = (
    ("A", 0, 400, 1000, "东街", "甲", "gA", "c1", "s1"),
    ("B", 1, 300, 800, "东街", "甲", "gB", "c1", "s1"),
    ("C", 2, 450, 1200, "东街", "乙", "gC", "c1", "s1"),
    ("D", 3, 350, 900, "东街", "乙", "gD", "c2", "s1"),
    ("E", 20, 420, 1100, "西街", "丙", "gE", "c3", "s2"),
    ("F", 21, 380, 1000, "西街", "丙", "gF", "c3", "s2"),
)


def make_plan(
    district: Sequence[tuple] = DISTRICT,
    *,
    rooms: dict[str, str] | None = None,
    new_grid: dict[str, str] | None = None,
) -> Plan:
    """A plan of ``district``; ``rooms`` maps police room id → compound it stands in;
    ``new_grid`` maps a compound to its new grid id (default: ``n`` + compound)."""
    new_grid = new_grid or {}
    shapes = {row[0]: box(120 * row[1], 0, 120 * row[1] + 100, 100) for row in district}
    compounds = gpd.GeoDataFrame(
        {
            "compound_id": [r[0] for r in district],
            "households": [r[2] for r in district],
            "population": [r[3] for r in district],
            "subdistrict": [r[4] for r in district],
            "community": [r[5] for r in district],
            "community_id": [r[7] for r in district],
            "subdistrict_id": [r[8] for r in district],
        },
        geometry=[shapes[r[0]] for r in district],
        crs=CRS,
    )
    buildings = pd.DataFrame(
        {
            "building_id": [f"{r[0]}-1" for r in district],
            "compound_id": [r[0] for r in district],
            "households": [r[2] for r in district],
            "population": [r[3] for r in district],
            "grid": [r[6] for r in district],
            "grid_id": [new_grid.get(r[0], "n" + r[0]) for r in district],
            "community_id": [r[7] for r in district],
        }
    )
    buildings = gpd.GeoDataFrame(buildings, geometry=[shapes[r[0]] for r in district], crs=CRS)
    grids = buildings.dissolve(
        "grid_id",
        aggfunc={
            "households": "sum",
            "population": "sum",
            "community_id": "first",
        },
    ).reset_index()
    grids["subdistrict_id"] = grids["community_id"].map(
        dict(zip(compounds["community_id"], compounds["subdistrict_id"], strict=True))
    )
    grids["name"] = grids["grid_id"] + "网格"
    communities = compounds.dissolve(
        "community_id",
        aggfunc={"households": "sum", "population": "sum", "subdistrict_id": "first"},
    ).reset_index()
    communities["name"] = communities["community_id"] + "社区"
    facilities = None
    if rooms:
        facilities = gpd.GeoDataFrame(
            {"id": list(rooms), "kind": "police_room", "name": list(rooms)},
            geometry=[shapes[c].centroid for c in rooms.values()],
            crs=CRS,
        )
    return Plan(
        compounds=compounds,
        communities=communities,
        grids=grids,
        scenario=Scenario(),
        buildings=buildings,
        facilities=facilities,
    )


def roster(*people: tuple) -> pd.DataFrame:
    """``(staff_id, role, employment, community, grid, police_room)`` rows."""
    return pd.DataFrame(
        people, columns=["staff_id", "role", "employment", "community", "grid", "police_room"]
    )


def served(result: StaffAssignment, person: str) -> set[str]:
    rows = result.assignments[result.assignments["staff_id"] == person]
    return set(rows["unit_id"].dropna())


def check_rules(plan: Plan, people: pd.DataFrame, result: StaffAssignment) -> None:
    """Every rule of the issue, checked from the plan and roster alone."""
    options = AssignOptions()
    rows = result.assignments.dropna(subset=["unit_id"])
    grids = plan.grids.set_index("grid_id")
    comms = plan.communities.set_index("community_id")
    # every unit at most one person; layers agree with the rows
    assert not rows.duplicated(["level", "unit_id"]).any()
    assert set(result.grids.loc[result.grids["covered"], "grid_id"]) == set(
        rows.loc[rows["level"] == "grid", "unit_id"]
    )
    # households conserved between covered and uncovered
    for layer, level in ((plan.grids, "grid"), (plan.communities, "community")):
        covered = rows.loc[rows["level"] == level, "households"].sum()
        left = result.uncovered.loc[result.uncovered["level"] == level, "households"].sum()
        assert covered + left == layer["households"].sum()

    def home(column: str, key: str, layer: pd.DataFrame) -> str:
        share = layer[layer[column] == key].groupby("community_id")["households"].sum()
        return str(share.sort_values(ascending=False, kind="stable").index[0])

    for person in people.itertuples(index=False):
        mine = rows[rows["staff_id"] == person.staff_id]
        if person.role == "grid_worker" and person.employment == "part_time":
            assert len(mine) <= 1
            if len(mine) and isinstance(person.grid, str):
                assert set(mine["community_id"]) == {home("grid", person.grid, plan.buildings)}
            elif len(mine):
                own = home("community", person.community, plan.compounds)
                assert set(mine["community_id"]) == {own}
        elif person.role == "grid_worker":
            assert len(mine) <= options.full_time_grids
            assert mine["unit_id"].map(grids["subdistrict_id"]).nunique() <= 1
        elif person.role == "police":
            population = mine["unit_id"].map(comms["population"])
            if len(mine) > 1:
                assert population.sum() <= options.residents_per_officer
            if isinstance(person.police_room, str):
                rooms = plan.facilities.set_index("id").geometry
                base = rooms[person.police_room]
            else:
                base = plan.compounds[plan.compounds["community"] == person.community].union_all()
            for unit in mine["unit_id"]:
                assert comms.geometry[unit].distance(base) <= options.police_reach_m + 1e-6


def test_a_part_time_worker_serves_one_grid_of_the_community_holding_their_grid() -> None:
    plan = make_plan()
    # p1's grid gD went to c2 (its only grid nD); p2 of 乙 without a grid: 乙's
    # households are mostly in c1 (C 450 vs D 350), so p2 serves a grid of c1
    people = roster(
        ("p1", "grid_worker", "part_time", "乙", "gD", None),
        ("p2", "grid_worker", "part_time", "乙", None, None),
    )
    result = assign_staff(plan, people)
    assert served(result, "p1") == {"nD"}
    assert served(result, "p2") == {"nC"}  # the largest grid of c1
    check_rules(plan, people, result)


def test_a_full_time_worker_covers_the_two_largest_grids_of_their_subdistrict() -> None:
    plan = make_plan()
    people = roster(("f1", "grid_worker", "full_time", "甲", "gB", None))
    result = assign_staff(plan, people)
    assert served(result, "f1") == {"nA", "nC"}  # 400 + 450, though gB -> nB still exists
    status = result.assignments.set_index("unit_id")["status"]
    assert status["nA"] == "reassigned" and status["nC"] == "added"
    assert result.summary()["grid_worker"]["covered_households"] == 850
    check_rules(plan, people, result)


def test_two_full_time_workers_balance_their_loads() -> None:
    plan = make_plan()
    people = roster(
        ("f1", "grid_worker", "full_time", "甲", None, None),
        ("f2", "grid_worker", "full_time", "乙", None, None),
    )
    result = assign_staff(plan, people)
    # all four grids of s1 covered; the pairs {C 450, B 300} and {A 400, D 350} give
    # the least largest load, 750 (not 800 = 450 + 350)
    pairs = sorted(sorted(served(result, p)) for p in ("f1", "f2"))
    assert pairs == [["nA", "nD"], ["nB", "nC"]]
    assert result.workload["households"].max() == 750
    check_rules(plan, people, result)


def test_people_stay_on_the_successor_of_their_grid_when_nothing_else_is_lost() -> None:
    plan = make_plan()
    people = roster(
        ("e", "grid_worker", "part_time", "丙", "gE", None),
        ("f", "grid_worker", "part_time", "丙", "gF", None),
    )
    result = assign_staff(plan, people)
    assert served(result, "e") == {"nE"} and served(result, "f") == {"nF"}
    assert set(result.assignments["status"]) == {"kept"}
    assert not result.assignments["reassigned"].any()
    check_rules(plan, people, result)


def test_two_workers_of_merged_grids_cannot_both_stay() -> None:
    # E and F become one grid nEF, the successor of both gE and gF; c3 has no other
    # grid and a part-time worker serves one grid: one stays, the other has none
    plan = make_plan(new_grid={"E": "nEF", "F": "nEF"})
    people = roster(
        ("e", "grid_worker", "part_time", "丙", "gE", None),
        ("f", "grid_worker", "part_time", "丙", "gF", None),
    )
    result = assign_staff(plan, people)
    statuses = sorted(result.assignments["status"])
    assert statuses == ["kept", "unassigned"]
    assert result.summary()["grid_worker"]["reassigned"] == 1
    check_rules(plan, people, result)


def test_uncovered_grids_are_ranked_by_households_with_the_hires_that_close_them() -> None:
    plan = make_plan()
    people = roster(("p", "grid_worker", "part_time", "甲", "gA", None))
    result = assign_staff(plan, people)
    # p takes c1's largest grid nC (450) rather than staying on nA: coverage comes first
    assert served(result, "p") == {"nC"}
    left = result.uncovered[result.uncovered["level"] == "grid"]
    assert list(left["unit_id"]) == ["nE", "nA", "nF", "nD", "nB"]  # 420, 400, 380, 350, 300
    assert list(left["rank"]) == [1, 2, 3, 4, 5]
    hires = result.hires[result.hires["role"] == "grid_worker"].set_index("subdistrict_id")
    assert hires.loc["s1", "part_time_hires"] == 3 and hires.loc["s1", "full_time_hires"] == 2
    assert hires.loc["s2", "part_time_hires"] == 2 and hires.loc["s2", "full_time_hires"] == 1
    check_rules(plan, people, result)


def test_an_officer_covers_only_communities_within_reach_of_their_police_room() -> None:
    plan = make_plan(rooms={"PR1": "A"})
    people = roster(("o", "police", "full_time", "甲", None, "PR1"))
    # c1 (A-C, 3,000 residents) and c2 (D, 900) are within 1,000 m of the room in A;
    # together 3,900 <= 5,000, so both; c3 (E-F, 2.4 km away) is out of reach
    result = assign_staff(plan, people)
    assert served(result, "o") == {"c1", "c2"}
    assert list(result.uncovered.loc[result.uncovered["level"] == "community", "unit_id"]) == ["c3"]
    far = assign_staff(plan, people, options=AssignOptions(police_reach_m=200.0))
    assert served(far, "o") == {"c1"}  # D's square is 260 m from the room
    check_rules(plan, people, result)


def test_an_officers_communities_hold_at_most_the_residents_cap_unless_one_alone() -> None:
    plan = make_plan(rooms={"PR1": "A"})
    people = roster(("o", "police", "full_time", "甲", None, "PR1"))
    result = assign_staff(plan, people, options=AssignOptions(residents_per_officer=2_000))
    # c1 holds 3,000 > 2,000: served alone; the most households is c1 (1,150) alone
    assert served(result, "o") == {"c1"}
    result = assign_staff(plan, people, options=AssignOptions(residents_per_officer=1_000))
    assert served(result, "o") == {"c1"}  # alone, still the most households


def test_an_officer_without_a_room_works_from_their_current_community() -> None:
    plan = make_plan()
    people = roster(("o", "police", "full_time", "丙", None, None))
    result = assign_staff(plan, people)
    assert served(result, "o") == {"c3"}
    assert result.assignments["status"].tolist() == ["kept"]


def test_every_stage_is_proven_optimal_on_a_small_plan() -> None:
    result = assign_staff(make_plan(), roster(("p", "grid_worker", "part_time", "甲", "gA", None)))
    assert result.proven
    assert [s.name for s in result.stages["grid_worker"]] == ["coverage", "workload", "moves"]


@pytest.mark.parametrize(
    ("people", "message"),
    [
        (
            roster(("p", "grid_worker", "part_time", "丁", None, None)),
            r"community 丁 is not a current community of any compound \(row 1 \(p\)\)",
        ),
        (
            roster(
                ("p", "grid_worker", "part_time", "甲", None, None),
                ("p", "police", "full_time", "甲", None, None),
            ),
            r"staff_id listed more than once: p",
        ),
        (
            roster(("p", "firefighter", "full_time", "甲", None, None)),
            r"role firefighter is not a role the standards know .*use one of grid_worker",
        ),
        (
            roster(("p", "grid_worker", "sometimes", "甲", None, None)),
            r"employment must be full_time or part_time \(row 1 \(p\)\)",
        ),
        (
            roster(("p", "grid_worker", "part_time", None, None, None)),
            r"p\) have neither a community nor a grid",
        ),
        (
            roster(("p", "grid_worker", "part_time", "甲", "gZ", None)),
            r"grid gZ is not a current grid",
        ),
        (
            roster(("o", "police", "full_time", "甲", None, "PR9")),
            r"police_room PR9 is not a police room",
        ),
    ],
)
def test_bad_rosters_are_refused_with_the_row_and_the_fix(
    people: pd.DataFrame, message: str
) -> None:
    with pytest.raises(InputDataError, match=message):
        check_roster(people, make_plan())


def test_a_roster_without_its_required_columns_is_refused() -> None:
    with pytest.raises(InputDataError, match=r"the roster has no column employment"):
        check_roster(pd.DataFrame({"staff_id": ["p"], "role": ["police"]}), make_plan())


def test_all_problems_of_a_roster_are_reported_at_once() -> None:
    people = roster(
        ("p", "firefighter", "full_time", "甲", None, None),
        ("q", "grid_worker", "part_time", "丁", None, None),
    )
    with pytest.raises(InputDataError, match=r"firefighter.*; community 丁"):
        check_roster(people, make_plan())


def test_options_out_of_range_are_config_errors() -> None:
    with pytest.raises(ConfigError, match=r"residents_per_officer must be a whole number >= 1"):
        AssignOptions(residents_per_officer=0)
    with pytest.raises(ConfigError, match=r"police_reach_m must be >= 0"):
        AssignOptions(police_reach_m=-1.0)


def test_other_roles_of_the_standards_are_accepted_and_left_alone() -> None:
    people = roster(
        ("m", "medical", "full_time", "甲", None, None),
        ("p", "grid_worker", "part_time", "甲", "gA", None),
    )
    result = assign_staff(make_plan(), people)
    assert set(result.assignments["staff_id"]) == {"p"}


def test_the_same_input_gives_the_same_assignment() -> None:
    people = roster(
        ("f1", "grid_worker", "full_time", "甲", None, None),
        ("f2", "grid_worker", "full_time", "乙", None, None),
        ("p", "grid_worker", "part_time", "丙", "gE", None),
    )
    first = assign_staff(make_plan(), people).assignments
    pd.testing.assert_frame_equal(first, assign_staff(make_plan(), people).assignments)


def test_a_point_far_from_everything_is_not_a_room_in_reach() -> None:
    plan = make_plan(rooms={"PR1": "A"})
    plan.facilities.loc[0, "geometry"] = Point(50_000, 50_000)
    people = roster(("o", "police", "full_time", "甲", None, "PR1"))
    result = assign_staff(plan, people)
    assert served(result, "o") == set()
    assert result.assignments["status"].tolist() == ["unassigned"]


def test_cbc_finds_the_same_optimum_as_highs() -> None:
    people = roster(
        ("f1", "grid_worker", "full_time", "甲", None, None),
        ("f2", "grid_worker", "full_time", "乙", None, None),
        ("o", "police", "full_time", "甲", None, None),
    )
    highs = assign_staff(make_plan(), people)
    cbc = assign_staff(make_plan(), people, options=AssignOptions(solver="cbc"))
    assert cbc.proven
    assert cbc.workload["households"].tolist() == highs.workload["households"].tolist()
    assert cbc.summary()["grid_worker"]["covered_households"] == 1500


def test_grid_codes_read_as_numbers_still_match() -> None:
    plan = make_plan(new_grid={"A": "7"})
    plan.buildings["grid"] = plan.buildings["grid"].replace({"gA": "640106001"})
    people = pd.DataFrame(
        {
            "staff_id": ["p"],
            "role": ["grid_worker"],
            "employment": ["part_time"],
            "community": [None],
            "grid": [640106001.0],  # a numeric column with gaps comes back as floats
        }
    )
    assert check_roster(people, plan)["grid"].tolist() == ["640106001"]
    assert check_roster(people, plan)["community"].tolist() == ["甲"]


def test_a_stage_stopped_on_the_relative_gap_is_proven_by_one_more_solve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import dataclasses

    import pulp

    from jinfeng_grid.assign import model as _assign_model

    real = _assign_model.run_solver
    calls: list[str] = []

    def early_stop(prob: pulp.LpProblem, **kwargs: object) -> object:
        outcome = real(prob, **kwargs)
        calls.append(outcome.status)
        if len(calls) == 1:  # as HiGHS does within mip_rel_gap: optimal, bound below
            return dataclasses.replace(outcome, bound=outcome.objective - 5)
        return outcome

    monkeypatch.setattr(_assign_model, "run_solver", early_stop)
    prob = pulp.LpProblem("t", pulp.LpMinimize)
    x = prob.add_variable("x", 0, 10, pulp.LpInteger)
    prob += x >= 3.5, "floor"
    prob.setObjective(x + 0)
    stages: list[_assign_model.StageOutcome] = []
    options = {"solver": "highs", "time_limit": None, "threads": None, "seed": 0}
    outcome = _assign_model._solve(prob, "test", stages, None, options)
    assert calls == ["optimal", "infeasible"]  # the second solve asks for x <= 3
    assert (outcome.status, outcome.objective, outcome.bound) == ("optimal", 4.0, 4.0)
    assert x.varValue == 4
    assert real(prob).status == "optimal"  # the proof's cut no longer excludes x = 4


def test_a_plan_without_buildings_assigns_by_current_community() -> None:
    plan = dataclasses.replace(make_plan(), buildings=None)
    people = roster(("p", "grid_worker", "part_time", "乙", None, None))
    result = assign_staff(plan, people)
    # 乙's households are mostly in c1 (C 450 of 800): p serves c1's largest grid, nC
    assert served(result, "p") == {"nC"}
    with pytest.raises(InputDataError, match=r"grid gA is not a current grid"):
        check_roster(roster(("q", "grid_worker", "part_time", "甲", "gA", None)), plan)
