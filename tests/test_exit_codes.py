"""Exit codes of the command line, one test per code, on tiny districts the tests draw.

0 ok, 1 warnings (the result was made but has notes), 2 bad input, 3 infeasible caps,
4 solver or time limit without a result, 5 a result that failed its own audit; each
error kind of :mod:`jinfeng_grid.errors` has its code in ``cli/exit_codes.py`` and the
README says the same.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from jinfeng_grid import cli, errors
from jinfeng_grid.cli.exit_codes import EXIT_CODES, exit_code_for
from jinfeng_grid.plan import PlanWarning

REPO = Path(__file__).resolve().parents[1]

#: Metres in UTM zone 48N (EPSG:32648), near Yinchuan.
X, Y = 500_000.0, 4_260_000.0
CRS = "EPSG:32648"
#: Most households of a building: with 500 (the grid cap), a compound of 1,000 has two
#: buildings and two grids.
BUILDING_HOUSEHOLDS = 500


def write_district(path: Path, households: Sequence[int], *, drop: str | None = None) -> Path:
    """Compounds C1.. of ``households`` in a row of 100 m squares 20 m apart, one
    subdistrict S1, each with the fewest buildings of at most 500 households (a grid's
    cap) holding its households in equal shares."""
    compounds, buildings = [], []
    for k, total in enumerate(households, start=1):
        x = X + (k - 1) * 120
        compounds.append(
            {
                "id": f"C{k}",
                "households": total,
                "population": 3 * total,
                "subdistrict": "S1",
                "geometry": shapely.box(x, Y, x + 100, Y + 100),
            }
        )
        count = -(-total // BUILDING_HOUSEHOLDS)
        for j in range(count):
            bx, by = x + 10 + (j % 4) * 22, Y + 10 + (j // 4) * 22
            share = total // count + (1 if j < total % count else 0)
            buildings.append(
                {
                    "id": f"B{k}_{j}",
                    "compound_id": f"C{k}",
                    "households": share,
                    "population": 3 * share,
                    "geometry": shapely.box(bx, by, bx + 15, by + 15),
                }
            )
    layers = {"compounds": compounds, "buildings": buildings}
    for name, records in layers.items():
        frame = gpd.GeoDataFrame(
            [{key: value for key, value in r.items() if key != "geometry"} for r in records],
            geometry=[r["geometry"] for r in records],
            crs=CRS,
        )
        if name == "compounds" and drop is not None:
            frame = frame.drop(columns=drop)
        frame.to_file(path, layer=name, engine="pyogrio")
    return path


def plan(capsys: pytest.CaptureFixture[str], source: Path, out: Path) -> tuple[int, str, str]:
    """``jinfeng-grid -q plan SOURCE --out OUT`` in this process: code, stdout, stderr."""
    argv = ["-q", "plan", str(source), "--out", str(out), "--workers", "1", "--time-limit", "10"]
    code = cli.main(argv)
    out_text, err = capsys.readouterr()
    assert "Traceback" not in out_text + err
    return code, out_text, err


def test_exit_0_a_plan_within_every_cap(capsys, tmp_path):
    source = write_district(tmp_path / "d.gpkg", [1000, 1000, 1000])
    code, out, err = plan(capsys, source, tmp_path / "out")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == (
        "<Plan 金凤区: 1 subdistricts, 1 communities, 6 grids, 3 compounds, optimal (gap 0.0%)>"
    )
    assert "note:" not in out
    assert (tmp_path / "out" / "plan.gpkg").is_file()


def test_exit_1_a_plan_with_an_oversize_community(capsys, tmp_path):
    source = write_district(tmp_path / "d.gpkg", [1000, 1000, 4500])
    note = (
        "compound C3 holds 4,500 households, above the community cap 4,000: it is a "
        "community of its own, flagged oversize"
    )
    with pytest.warns(PlanWarning, match=re.escape(note)):
        code, out, err = plan(capsys, source, tmp_path / "out")
    assert (code, err) == (1, "")
    assert out.splitlines()[0].startswith("<Plan 金凤区: 1 subdistricts, 2 communities, ")
    assert f"  note: {note}" in out.splitlines()
    assert (tmp_path / "out" / "plan.gpkg").is_file(), "the result was made"


@pytest.mark.parametrize(
    ("case", "first_line"),
    [
        (
            "missing column",
            "jinfeng-grid plan: InputDataError: compounds layer 'compounds' of d.gpkg: no "
            "column for the required compounds key(s) 'households'",
        ),
        (
            "missing file",
            "jinfeng-grid plan: InputDataError: input file {source} does not exist: check the path",
        ),
    ],
    ids=["missing column", "missing file"],
)
def test_exit_2_bad_input(capsys, tmp_path, case, first_line):
    source = tmp_path / "d.gpkg"
    if case == "missing column":
        write_district(source, [1000, 1000, 1000], drop="households")
    code, _, err = plan(capsys, source, tmp_path / "out")
    assert code == 2
    assert err.splitlines()[0].startswith(first_line.format(source=source))
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("households", "first_line"),
    [
        # the solver proves it: S1 needs two communities, and either cut leaves one
        # end compound of 1,900 households alone, below the floor of 2,000
        (
            [1900, 300, 1900],
            "jinfeng-grid plan: InfeasibleSpecError: communities could not be planned: S1 "
            "(3 nodes): the solver proved that no connected plan meets the bounds",
        ),
        # arithmetic proves it: 1,500 households are fewer than one community's floor
        (
            [500, 500, 500],
            "jinfeng-grid plan: InfeasibleSpecError: 1 piece(s) cannot be cut into communities:",
        ),
    ],
    ids=["proven by the solver", "by arithmetic"],
)
def test_exit_3_caps_no_plan_can_meet(capsys, tmp_path, households, first_line):
    source = write_district(tmp_path / "d.gpkg", households)
    code, _, err = plan(capsys, source, tmp_path / "out")
    assert code == 3, err
    assert err.splitlines()[0].startswith(first_line)
    assert not (tmp_path / "out" / "plan.gpkg").exists()


def test_exit_4_no_result_within_the_time_limit(capsys, tmp_path, monkeypatch):
    import jinfeng_grid.plan.solve as solve

    def no_plan_in_time(*_args: object, time_limit: float, **_kwargs: object) -> None:
        raise errors.SolverError(f"no plan found within {time_limit:g} s (highs)")

    # every subproblem (and each retry) runs out of time
    monkeypatch.setattr(solve, "partition_graph", no_plan_in_time)
    source = write_district(tmp_path / "d.gpkg", [1000, 1000, 1000])
    code, _, err = plan(capsys, source, tmp_path / "out")
    assert code == 4, err
    # one community of all three compounds needs no solving; its grids do
    assert err.splitlines()[0].startswith(
        "jinfeng-grid plan: SolverError: grids could not be planned: S1/"
    )
    assert "(6 nodes): no plan found within" in err
    assert not (tmp_path / "out" / "plan.gpkg").exists()


def test_exit_5_a_plan_that_fails_its_audit(capsys, tmp_path, monkeypatch):
    import jinfeng_grid.plan.directory as directory

    audit = directory.audit_plan

    def audit_a_broken_plan(district_plan: object) -> None:
        # a bug that loses a household of the first grid: the real audit must catch it
        grids = district_plan.grids  # type: ignore[attr-defined]
        grids.loc[grids.index[0], "households"] -= 1
        audit(district_plan)  # type: ignore[arg-type]

    monkeypatch.setattr(directory, "audit_plan", audit_a_broken_plan)
    source = write_district(tmp_path / "d.gpkg", [1000, 1000, 1000])
    code, _, err = plan(capsys, source, tmp_path / "out")
    assert code == 5, err
    assert err.splitlines()[0] == (
        "jinfeng-grid plan: PlanCheckError: the plan failed its audit (please report this): "
        "households: compounds 3,000 but grids 2,999"
    )
    assert not (tmp_path / "out" / "plan.gpkg").exists()


def _error_kinds() -> list[type[errors.JinfengGridError]]:
    return [
        kind
        for _, kind in inspect.getmembers(errors, inspect.isclass)
        if issubclass(kind, errors.JinfengGridError) and kind.__module__ == errors.__name__
    ]


def test_every_error_kind_has_exactly_one_exit_code():
    kinds = _error_kinds()
    assert len(kinds) >= 7
    missing = [kind.__name__ for kind in kinds if kind not in EXIT_CODES]
    assert not missing, f"error kinds without an exit code in cli/exit_codes.py: {missing}"
    assert set(EXIT_CODES) == set(kinds), "EXIT_CODES names a kind errors.py does not define"
    for kind in kinds:
        assert exit_code_for(kind("x")) == EXIT_CODES[kind]
        if kind is not errors.JinfengGridError:
            # one typed error per kind: the package's base and a builtin, so callers can
            # catch either
            builtin = [b for b in kind.__mro__ if b.__module__ == "builtins"]
            assert builtin[0] not in (Exception, BaseException, object), kind


def test_a_subclass_of_a_kind_gets_the_code_of_its_kind():
    class LateError(errors.SolverError):
        pass

    assert exit_code_for(LateError("x")) == 4
    assert exit_code_for(errors.GeometryError("x")) == exit_code_for(errors.InputDataError("x"))


def test_the_readme_states_the_mapping():
    text = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    found = re.search(r"Exit codes: (.*?)\. Bad input", text)
    assert found, "the README has no 'Exit codes:' sentence"
    stated = dict(re.findall(r"(\d) ([^,]+)", found.group(1)))
    assert sorted(stated) == ["0", "1", "2", "3", "4", "5"]
    words = {
        errors.InputDataError: "bad input",
        errors.ConfigError: "bad input",
        errors.InfeasibleSpecError: "infeasible",
        errors.SolverError: "solver or time limit",
        errors.PlanCheckError: "audit",
    }
    for kind, word in words.items():
        assert word in stated[str(EXIT_CODES[kind])], (kind.__name__, stated)
    assert stated["0"] == "ok" and stated["1"].startswith("warnings")
