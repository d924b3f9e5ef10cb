# ruff: noqa: E501  (the strings below are notebook cells, wrapped for reading in Jupyter)
"""Write the tutorial notebooks in ``notebooks/`` from the Python source below.

The notebooks are generated, not edited by hand, so that a change to one is a
reviewable diff of this file and the ``.ipynb`` files carry no outputs, execution
counts or machine-specific metadata (``tests/test_notebooks.py`` checks that, and
executes every notebook). Run after editing::

    python scripts/make_notebooks.py            # writes notebooks/*.ipynb
    python scripts/make_notebooks.py --check    # exit 1 if a notebook differs

Each notebook is a list of cells: a string starting with ``"md:"`` is a markdown
cell, any other string a code cell (both dedented).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

# --- shared cells -------------------------------------------------------------------------

FONT = """
import matplotlib.pyplot as plt

from jinfeng_grid import render

# Chinese labels need a CJK font, or matplotlib draws empty boxes. jinfeng_grid bundles
# one (a subset of Noto Sans CJK SC, SIL Open Font License) for its printed maps;
# render.print_style() switches to it, and we keep its font list for every figure here.
with render.print_style():
    chinese_fonts = list(plt.rcParams["font.family"])
plt.rcParams["font.family"] = chinese_fonts
plt.rcParams["axes.unicode_minus"] = False
print("fonts:", ", ".join(chinese_fonts))
"""

PANDAS = """
import pandas as pd

pd.set_option("display.width", 160)
pd.set_option("display.max_columns", 30)
pd.set_option("display.max_colwidth", 40)
"""

# --- 01: the 五里水乡 split ---------------------------------------------------------------

SPLIT = [
    """md:
    # 五里水乡社区拆分方案比选 — splitting 五里水乡 into new communities

    In early 2020 the community of **五里水乡** (长城中路 subdistrict, Jinfeng District,
    Yinchuan) served about 12,600 households, four times the Ningxia norm of roughly
    3,000 households per community. The 2020 reform split it. This notebook does what a
    civil-affairs officer does when preparing such a split for approval:

    1. look at the community as it is (社区现状);
    2. ask `jinfeng_grid` for **three distinct alternatives**, each made of whole
       compounds (小区不拆分), contiguous, within the household bounds, following main
       roads where it can;
    3. compare them side by side: maps, sizes, new boundary length, households that
       change committee, staffing each new community needs;
    4. choose, and write the chosen alternative to a plan directory.

    It runs on the sample district bundled with the package (`io.sample_path()`), a
    synthetic stand-in for Jinfeng whose totals match the published figures. To keep
    the notebook under two minutes the solver gets 30 seconds in all; on a real
    submission give it the default 60 s or more (`[solver] time_limit`).
    """,
    FONT,
    PANDAS
    + """
import tempfile
import warnings
from pathlib import Path

from jinfeng_grid import config, io, pipeline, plan, report, staffing

COMMUNITY = "五里水乡"
""",
    """md:
    ## 1. 社区现状 — the community as it is

    The sample holds the district's compounds (小区: polygons with households and
    population, and the subdistrict and community each belongs to now), their
    buildings, the road network and the facilities. `report.district_summary` shows
    why 五里水乡 comes first: it is the largest community of the district.
    """,
    """
path = io.sample_path()
compounds = io.read_compounds(path)
buildings = io.read_buildings(path, layer="buildings")
roads = io.read_roads(path, layer="roads")
facilities = io.read_facilities(path, layer="facilities")
staff = pd.DataFrame(io.read_layer(path, layer="staff")).drop(columns="geometry", errors="ignore")

summary = report.district_summary(compounds)
print(report.format_district_summary(summary, top=5))
""",
    """
mine = compounds[compounds["community"] == COMMUNITY]
old_boundary = mine.dissolve()  # the community's current outline
subdistrict = mine["subdistrict"].iloc[0]
print(
    f"{COMMUNITY} ({subdistrict}): {len(mine)} compounds, "
    f"{mine['households'].sum():,} households, {mine['population'].sum():,} people"
)
mine[["id", "name", "households", "population"]].sort_values("households", ascending=False)
""",
    """
def label_point(geometry):
    \"\"\"A point inside the largest part of a (multi)polygon, for its label.\"\"\"
    parts = getattr(geometry, "geoms", [geometry])
    return max(parts, key=lambda part: part.area).representative_point()


# Left: the subdistrict around it. Right: its compounds, with households.
around = compounds[compounds["subdistrict"] == subdistrict]
fig, (left, right) = plt.subplots(1, 2, figsize=(14, 8), gridspec_kw={"width_ratios": [1, 1.6]})
around.plot(ax=left, color="#e8e4d8", edgecolor="white", linewidth=0.5)
mine.plot(ax=left, color="#f4a582", edgecolor="white", linewidth=0.5)
roads.clip(around.total_bounds).plot(ax=left, color="#888888", linewidth=0.6)
left.set_title(f"{subdistrict}街道（{around['households'].sum():,} 户）")
left.set_axis_off()

mine.plot(ax=right, color="#f4a582", edgecolor="white", linewidth=1)
roads.clip(old_boundary.buffer(150).total_bounds).plot(ax=right, color="#888888", linewidth=0.8)
for _, row in mine.iterrows():
    p = label_point(row.geometry)
    right.annotate(f"{row['name']}\\n{row['households']:,}", (p.x, p.y), ha="center", va="center", fontsize=8)
xmin, ymin, xmax, ymax = old_boundary.buffer(100).total_bounds
right.set_xlim(xmin, xmax)
right.set_ylim(ymin, ymax)
right.set_title(f"{COMMUNITY}社区现状：{len(mine)} 个小区，{mine['households'].sum():,} 户")
right.set_axis_off()
plt.tight_layout()
plt.show()
""",
    """md:
    ## 2. 三个拆分方案 — three alternatives

    `plan.split_community` cuts the community into `parts` communities (by default
    as many as the scenario's target size of 3,000 households asks for) and keeps
    every other community and its grids unchanged. It minimises the **boundary** the
    new communities cut between compounds (in metres of shared or facing frontage)
    plus a penalty for every **arterial road a community spans**. The second and
    third alternatives must differ from the earlier ones in a real part of the
    boundary, so they are genuinely different proposals, each solved exactly (or
    with its optimality gap shown). Grids (300–500 households) are drawn inside each
    new community from the buildings.

    The scenario is the shipped `standard` preset (2,000–4,000 households per
    community, target 3,000) with a shorter time limit. When the split finds fewer
    alternatives than asked, it warns with a `PlanWarning`; we keep those messages in
    `split.notes` and print them.
    """,
    """
scenario = config.load_scenario("standard").with_overrides(solver={"time_limit": 30})
print(scenario)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", plan.PlanWarning)  # the same text is in split.notes
    split = plan.split_community(
        compounds,
        community=COMMUNITY,
        buildings=buildings,
        roads=roads,
        scenario=scenario,
        alternatives=3,
    )
print(split)
for note in split.notes:
    print("note:", note)
""",
    """md:
    ### 方案比较表 — the comparison table

    One row per alternative, best objective first:

    | column | meaning |
    |---|---|
    | `status`, `gap` | `optimal` means the solver proved no better split exists under these rules (gap 0) |
    | `boundary_m` | length of the new boundary between the new communities, metres |
    | `barrier_spans` | arterial-road crossings inside a new community |
    | `objective` | `boundary_m` + the barrier penalty per span, what was minimised |
    | `communities`, `households`, `population` | the new communities, `/`-separated |
    | `households_moved` | households no longer in the community that keeps the name 五里水乡 |
    | `grids` | grids drawn in the new communities |
    | `all_within_bounds` | every new community and grid within its household bounds |
    """,
    """
split.comparison
""",
    """md:
    ## 3. 方案示意图 — the alternatives side by side

    Each map shows the current outline of 五里水乡 (black), the new communities
    coloured by name (the same name has the same colour in every map), compound
    outlines in white and roads in grey.
    """,
    """
def new_communities(alternative: plan.Plan) -> pd.DataFrame:
    \"\"\"The communities an alternative makes out of the compounds of COMMUNITY.\"\"\"
    ids = alternative.compounds.loc[alternative.compounds["community"] == COMMUNITY, "community_id"]
    return alternative.communities[alternative.communities["community_id"].isin(set(ids))]


names = sorted(set().union(*(new_communities(a)["name"] for a in split.alternatives)))
colours = dict(zip(names, plt.get_cmap("Set2").colors))
near_roads = roads.clip(old_boundary.buffer(150).total_bounds)
n = len(split.alternatives)
fig, axes = plt.subplots(1, n, figsize=(6 * n, 7), squeeze=False)
for ax, alternative, (_, row) in zip(axes[0], split.alternatives, split.comparison.iterrows()):
    new = new_communities(alternative)
    new.plot(ax=ax, color=[colours[name] for name in new["name"]], edgecolor="none")
    mine.boundary.plot(ax=ax, color="white", linewidth=0.6)
    near_roads.plot(ax=ax, color="#777777", linewidth=0.8)
    old_boundary.boundary.plot(ax=ax, color="black", linewidth=2.5)
    for _, unit in new.iterrows():
        p = label_point(unit.geometry)
        ax.annotate(
            f"{unit['name']}\\n{unit['households']:,} 户",
            (p.x, p.y), ha="center", va="center", fontsize=10, fontweight="bold",
        )
    xmin, ymin, xmax, ymax = old_boundary.buffer(100).total_bounds
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_title(
        f"方案{row['alternative']}：新增界线 {row['boundary_m']:,.0f} 米，"
        f"跨主干路 {row['barrier_spans']} 处，迁出 {row['households_moved']:,} 户",
        fontsize=11,
    )
    ax.set_axis_off()
fig.suptitle(f"{COMMUNITY}社区拆分方案示意（{split.parts} 个新社区）", fontsize=14)
plt.tight_layout()
plt.show()
""",
    """md:
    ## 4. 人员配备 — staffing each new community

    `staffing.staffing_table` applies the shipped norms (each with its source; see
    `jinfeng_grid.standards`): one grid worker per grid, ≥ 18 community workers per
    10,000 residents, 2–3 police (incl. auxiliaries), 8–10 medical and 1.75 CDC staff
    per 10,000. A range `a–b` is the norm's lower and upper requirement.
    """,
    """
def span(low: int, high: int) -> str:
    return f"{low}" if low == high else f"{low}–{high}"


tables = []
for number, alternative in enumerate(split.alternatives, start=1):
    new = new_communities(alternative)
    units = pd.DataFrame(
        {
            "level": "community",
            "unit_id": new["community_id"],
            "unit_name": new["name"],
            "households": new["households"],
            "population": new["population"],
            "grids": new["grids"],
        }
    )
    table = staffing.staffing_table(units)
    table.insert(0, "alternative", number)
    tables.append(table)
need = pd.concat(tables, ignore_index=True)
need["required"] = [span(a, b) for a, b in zip(need["required_min"], need["required_max"])]
need.pivot_table(
    index=["alternative", "unit_name", "households", "population"],
    columns="role",
    values="required",
    aggfunc="first",
)[["grid_worker", "community_worker", "police", "medical", "cdc"]]
""",
    """md:
    Against today: the staff table of the sample counts the people 五里水乡 has now
    (its CDC staff are held at district level, so the community's actual CDC staff
    are unknown here, not zero).
    Whichever alternative is chosen, the district total the new communities need is
    nearly the same (each community rounds its requirement up, so more communities
    need slightly more people); what differs is how they are shared out.
    """,
    """
now = staffing.staffing_current(
    mine,
    buildings=buildings[buildings["compound_id"].isin(mine["id"])],
    staff=staff[staff["community"] == COMMUNITY].drop(columns="cdc"),
)
now = now[now["level"] == "community"].set_index("role")
totals = need.groupby(["role", "alternative"])[["required_min", "required_max"]].sum()
roles = ["grid_worker", "community_worker", "police", "medical", "cdc"]
comparison = pd.DataFrame(
    {
        "actual now": now.loc[roles, "actual"],
        "required now": [span(*now.loc[r, ["required_min", "required_max"]]) for r in roles],
        **{
            f"required, alternative {k}": [span(*totals.loc[(r, k)]) for r in roles]
            for k in range(1, len(split.alternatives) + 1)
        },
    },
    index=pd.Index(roles, name="role"),
)
comparison
""",
    """md:
    ## 5. 如何选择 — how to choose

    The solver ranks the alternatives by `objective` only; the choice is a judgement
    the table supports, column by column:

    * **`boundary_m`** — shorter new boundaries follow fewer compound edges; they are
      easier to describe in words (四至) and to walk for a grid worker.
    * **`objective`** — boundary plus the barrier penalty: the solver's own ranking;
      alternative 1 has the lowest.
    * **`barrier_spans`** — each span is a community lying across an arterial road:
      residents on the far side cross a main road to reach their committee and police
      room. Prefer fewer, even at some extra boundary; the barrier penalty in the
      scenario (`[objective] barrier_penalty`, metres per span) sets this trade-off.
    * **`households_moved`** — households that leave the committee keeping the name
      五里水乡 get a new committee, new stamps on their papers and a new grid worker.
      In a split into four most households move whatever the alternative; compare
      the differences between alternatives, not the level.
    * **balance of `households`** — communities close to the 3,000 target leave
      headroom under the 4,000 cap for the compounds still being built; a community
      near the floor of 2,000 may have to be merged again later.
    * **`grids`, `all_within_bounds`** — each grid is one grid worker's beat; every
      grid must be within 300–500 households.
    * **`status`, `gap`** — an `optimal` alternative with gap 0 is proven best under
      its rules; a positive gap means a better split may exist (allow more time).

    The cell below ranks the alternatives on each criterion from the computed table.
    """,
    """
criteria = split.comparison.set_index("alternative")
sizes = criteria["households"].str.split("/").apply(lambda parts: [int(p) for p in parts])
criteria["largest"] = sizes.apply(max)
criteria["smallest"] = sizes.apply(min)
criteria["spread"] = criteria["largest"] - criteria["smallest"]
ranking = pd.DataFrame(
    {
        "shortest boundary": criteria["boundary_m"].rank(method="min"),
        "fewest arterial spans": criteria["barrier_spans"].rank(method="min"),
        "fewest households moved": criteria["households_moved"].rank(method="min"),
        "most even sizes": criteria["spread"].rank(method="min"),
    }
).astype(int)
ranking["sum of ranks"] = ranking.sum(axis=1)
display(criteria[["boundary_m", "barrier_spans", "households_moved", "largest", "smallest", "spread"]])
ranking
""",
    """md:
    ## 6. 写出所选方案 — write the chosen alternative

    Here we take the alternative with the lowest sum of ranks (ties: the better
    objective). `pipeline.write_plan` audits it (every compound once, contiguity,
    bounds, nesting) and writes a plan directory: `plan.gpkg`, `summary.json`,
    `communities.csv`, `grids.csv` and `moves.csv` (each compound's old and new
    community). From a plan directory `staffing.staffing_for_plan` gives the staffing
    of every unit, with the actual staff wherever a unit did not change, and the
    command `jinfeng-grid package PLAN_DIR --out DIR` makes the approval package.
    The files go to a temporary directory.
    """,
    """
best = ranking["sum of ranks"].min()
chosen = int(criteria.loc[ranking["sum of ranks"] == best, "objective"].idxmin())
print(f"chosen: alternative {chosen} (sum of ranks {best}, objective {criteria.loc[chosen, 'objective']:,.1f})")
out = Path(tempfile.mkdtemp(prefix="wulishuixiang_")) / f"alternative_{chosen}"
files = pipeline.write_plan(
    split.alternatives[chosen - 1],
    out,
    district=pipeline.District(compounds, buildings, roads, facilities, staff),
    input_path=path,
)
for name, file in sorted(files.items()):
    print(f"{name:>12}: {file.relative_to(out.parent)}")
""",
    """
chosen_plan = plan.read_plan(out)
moves = pd.read_csv(out / "moves.csv", encoding="utf-8-sig")
moved = moves[moves["households_moved"] > 0]
print(f"moves.csv: {len(moved)} of {len(moves)} compounds, {int(moved['households_moved'].sum()):,} households change community")
table = staffing.staffing_for_plan(chosen_plan)
new_ids = set(new_communities(split.alternatives[chosen - 1])["community_id"])
rows = table[(table["level"] == "community") & table["unit_id"].isin(new_ids)].copy()
print(f"actual staff known in {int(rows['actual'].notna().sum())} of {len(rows)} rows of the new communities")
rows["required"] = [span(a, b) for a, b in zip(rows["required_min"], rows["required_max"])]
rows.pivot_table(
    index=["unit_name", "households", "population"], columns="role", values="required", aggfunc="first"
)[roles]
""",
    """md:
    The new communities' `actual` staff are empty: who goes where is decided when
    staff are reassigned (see `jinfeng_grid.assign`), not by arithmetic. The
    provisional names 五里水乡(2), (3), ... stand until the district names the new
    communities.
    """,
    """md:
    ### 四至与送审图 — boundaries in words, and the map for the approval package

    The approval form describes each new community's limits on its four sides (四至):
    the road or neighbour it meets to the east, south, west and north.
    `report.boundary_descriptions` derives them from the plan and the roads.
    `render.plot_before_after` draws the before/after pair as it goes into the atlas
    (A3 by default; A4 here), with legend, scale bar, north arrow and the 示意 mark.
    Print maps are drawn and saved inside `render.print_style()`, which embeds the
    Chinese font in the PDF.
    """,
    """
chosen_communities = chosen_plan.communities[chosen_plan.communities["community_id"].isin(new_ids)]
report.boundary_descriptions(chosen_communities, roads=roads)
""",
    """
with render.print_style():
    plt.rcParams["savefig.dpi"] = 100  # screen resolution here; the package prints at 300 dpi
    figure = render.plot_before_after(chosen_plan, focus=sorted(new_ids), paper="A4")
    figure.savefig(out / "before_after.pdf")
    display(figure)
print("written:", (out / "before_after.pdf").relative_to(out.parent))
""",
]

# --- 02: scenarios ----------------------------------------------------------------------

SCENARIOS = [
    """md:
    # 规模标准情景比较 — caps of 3,000 vs 4,000 households vs the 2020 reform

    How many communities and grids does a district need, and how many grid workers,
    police and medical staff, under different size standards? This notebook plans the
    same area under three scenarios and compares them in one table:

    | scenario | communities | grids |
    |---|---|---|
    | **cap 3,000** | 1,500–3,000 households, target 2,500 | 300–500 households |
    | **cap 4,000** | the shipped `standard` preset: 2,000–4,000, target 3,000 | 300–500 |
    | **reform 2020** | the `reform2020` preset: 54 communities and 633 grids in the district (+6 and +233), 2,000–7,500 households each, placed where the caps are most exceeded | 300–500 |

    **Scope, to stay under two minutes.** Planning the whole sample district (449
    compounds, 4,300 buildings) at both levels takes about a minute per scenario at
    the default solver limits. Here we plan the two subdistricts that the 2020 report
    compares, **长城中路** (the largest, with 五里水乡, 银啤苑 and 金家巷) and **北京中路**
    (the smallest), with a 15-second solver limit per scenario. The reform preset's
    totals are district-wide, so for this subset we give it the district's totals
    **in proportion to the subset's households** (computed below): an approximation
    of how the reform apportions its units, which favours the oversize communities.
    To plan the whole district, drop the subset and the time limits (or run
    `jinfeng-grid plan` with `--config`).
    """,
    FONT,
    PANDAS
    + """
import warnings

from jinfeng_grid import config, io, plan, staffing

SUBDISTRICTS = ["长城中路", "北京中路"]
TIME_LIMIT = 15  # seconds of solver time per scenario
""",
    """
path = io.sample_path()
district = io.read_compounds(path)
compounds = district[district["subdistrict"].isin(SUBDISTRICTS)].copy()
buildings = io.read_buildings(path, layer="buildings")
buildings = buildings[buildings["compound_id"].isin(compounds["id"])].copy()
roads = io.read_roads(path, layer="roads")
staff = pd.DataFrame(io.read_layer(path, layer="staff")).drop(columns="geometry", errors="ignore")

share = compounds["households"].sum() / district["households"].sum()
print(
    f"subset: {len(compounds)} of {len(district)} compounds, {len(buildings):,} buildings, "
    f"{compounds['households'].sum():,} of {district['households'].sum():,} households ({share:.1%})"
)
""",
    """md:
    ## 1. 三个情景 — the scenarios

    Scenarios are built from the shipped presets with `Scenario.with_overrides`, which
    checks every value as a scenario file would be checked. The same keys go into a
    TOML file for the command line (see the README's scenario reference).
    """,
    """
standard = config.load_scenario("standard")
reform = config.load_scenario("reform2020")
reform_communities = round(reform.community.total * share)
reform_grids = round(reform.grid.total * share)
print(
    f"reform 2020: {reform.community.total} communities and {reform.grid.total} grids in the district; "
    f"this subset's share: {reform_communities} communities, {reform_grids} grids"
)

scenarios = {
    "cap 3,000": standard.with_overrides(
        name="cap 3000",
        community={"min_households": 1500, "max_households": 3000, "target_households": 2500},
        solver={"time_limit": TIME_LIMIT},
    ),
    "cap 4,000": standard.with_overrides(solver={"time_limit": TIME_LIMIT}),
    "reform 2020": reform.with_overrides(
        community={"total": reform_communities},
        grid={"total": reform_grids},
        solver={"time_limit": TIME_LIMIT},
    ),
}
for label, scenario in scenarios.items():
    print(f"{label:>12}: {scenario}")
""",
    """md:
    ## 2. 规划 — plan each scenario

    `plan.plan_district` draws communities from whole compounds within each current
    subdistrict, then grids from buildings within each new community. A compound
    that alone holds more households than the community cap cannot be split (the
    reform keeps a compound in one community): it becomes a community of its own,
    flagged `oversize`, and the plan warns with a `PlanWarning`. We expect that under
    the 3,000 cap, so we record the warnings and show them with the plan's notes.
    """,
    """
import time

plans = {}
for label, scenario in scenarios.items():
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", plan.PlanWarning)
        plans[label] = plan.plan_district(compounds, buildings=buildings, roads=roads, scenario=scenario)
    others = [w for w in caught if not issubclass(w.category, plan.PlanWarning)]
    for w in others:  # anything unexpected is shown, not swallowed
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    print(f"{label}: {plans[label]} in {time.perf_counter() - start:.0f} s")
    for note in plans[label].notes:
        print("   note:", note)
""",
    """md:
    ## 3. 比较表 — one comparison table

    The current state comes from the compounds' current communities and the
    buildings' current grids. Staff requirements follow the shipped norms (one grid
    worker per grid; per 10,000 residents: ≥ 18 community workers, 2–3 police, 8–10
    medical, 1.75 CDC staff), computed per community and added up. The actual staff
    come from the sample's staff table for the current communities of the subset;
    the district's 34 CDC staff are held at district level, so the subset's actual
    CDC staff are left unknown rather than counted as zero.
    """,
    """
def span(low: float, high: float) -> str:
    return f"{int(low):,}" if low == high else f"{int(low):,}–{int(high):,}"


ROLES = ["grid_worker", "community_worker", "police", "medical", "cdc"]

# Now: requirements of the current communities and grids, and the actual staff.
subset_staff = staff[(staff["level"] == "community") & staff["subdistrict"].isin(SUBDISTRICTS)]
current = staffing.staffing_current(
    compounds, buildings=buildings, staff=subset_staff.drop(columns="cdc"), district_name="two subdistricts"
)
current_communities = current[current["level"] == "community"]
actual = current[current["level"] == "district"].set_index("role")["actual"]


def row(communities: pd.DataFrame, grids: int, need: pd.DataFrame, oversize: int) -> dict:
    required = need.groupby("role")[["required_min", "required_max"]].sum()
    return {
        "communities": len(communities),
        "oversize": oversize,
        "households per community (mean)": round(communities["households"].mean()),
        "largest community": int(communities["households"].max()),
        "grids": grids,
        **{f"{role} required": span(*required.loc[role]) for role in ROLES},
    }


table = {}
now_units = current_communities.drop_duplicates("unit_id")
table["now"] = row(
    now_units,
    grids=buildings["grid"].nunique(),
    need=current_communities,
    oversize=int((now_units["households"] > standard.community.max_households).sum()),
)
needs = {}
for label, result in plans.items():
    units = pd.DataFrame(
        {
            "level": "community",
            "unit_id": result.communities["community_id"],
            "unit_name": result.communities["name"],
            "households": result.communities["households"],
            "population": result.communities["population"],
            "grids": result.communities["grids"],
        }
    )
    needs[label] = staffing.staffing_table(units)
    table[label] = row(
        result.communities, len(result.grids), needs[label], int(result.communities["oversize"].sum())
    )
comparison = pd.DataFrame(table).T
comparison.loc["actual staff now"] = {f"{r} required": actual[r] for r in ROLES}
comparison
""",
    """md:
    `oversize` for *now* counts the current communities above the standard cap of
    4,000; in the plans it counts single compounds above their scenario's cap. A
    community worker requirement appears for every scenario although the staff table
    does not record community workers (their actual is unknown).
    """,
    """md:
    ## 4. 图表 — charts

    Left: how many households the communities hold under each scenario (each dot a
    community; the dashed lines are the caps). Right: staff required (the lower norm;
    the bar's whisker reaches the upper norm) against the staff the two subdistricts
    have now.
    """,
    """
import numpy as np

labels = list(plans)
fig, (left, right) = plt.subplots(1, 2, figsize=(15, 5.5), gridspec_kw={"width_ratios": [1, 1.4]})
sizes = [current_communities.drop_duplicates("unit_id")["households"]] + [
    plans[label].communities["households"] for label in labels
]
names = ["now"] + labels
rng = np.random.default_rng(0)  # jitter only, for legibility
for k, values in enumerate(sizes):
    left.scatter(k + rng.uniform(-0.15, 0.15, len(values)), values, s=18, alpha=0.7)
for label in labels:
    cap = scenarios[label].community.max_households
    left.axhline(cap, color="grey", linestyle="--", linewidth=0.8)
    left.annotate(f"{cap:,.0f}", (len(names) - 0.5, cap), fontsize=8, va="bottom", ha="right")
left.set_xticks(range(len(names)), ["现状 now"] + labels)
left.set_ylabel("户数 households per community")
left.set_title("各情景社区规模 — community sizes")

width = 0.8 / (len(labels) + 1)
x = np.arange(len(ROLES))
for k, label in enumerate(labels):
    required = needs[label].groupby("role")[["required_min", "required_max"]].sum().loc[ROLES]
    low = required["required_min"].to_numpy()
    high = required["required_max"].to_numpy()
    right.bar(x + k * width, low, width, yerr=[np.zeros_like(low), high - low], capsize=3, label=f"required: {label}")
right.bar(x + len(labels) * width, actual.reindex(ROLES).fillna(0).to_numpy(), width, color="black", label="actual now")
for j, role in enumerate(ROLES):
    if pd.isna(actual.get(role)):
        right.annotate("unknown", (j + len(labels) * width, 0), ha="center", va="bottom", fontsize=7, rotation=90)
right.set_xticks(x + width * len(labels) / 2, ["网格员\\ngrid workers", "社区工作者\\ncommunity workers", "社区民警\\npolice", "医护人员\\nmedical", "疾控人员\\nCDC"])
right.set_ylabel("人 persons")
right.set_title("人员需求与现有 — staff required vs actual")
right.legend(fontsize=8)
plt.tight_layout()
plt.show()
""",
    """md:
    ## 5. 小地图 — a small map per scenario

    Communities coloured by households on one common scale, so that the same colour
    means the same size in every map; the current communities first.
    """,
    """
from matplotlib import colors as mcolors

current_outlines = compounds.dissolve(by="community", as_index=False, aggfunc={"households": "sum"})
panels = [("现状 now", current_outlines)] + [(label, plans[label].communities) for label in labels]
norm = mcolors.Normalize(vmin=0, vmax=max(float(frame["households"].max()) for _, frame in panels))
fig, axes = plt.subplots(1, len(panels), figsize=(4.5 * len(panels), 6))
for ax, (label, frame) in zip(axes, panels):
    roads.clip(compounds.total_bounds).plot(ax=ax, color="#bbbbbb", linewidth=0.4)
    frame.plot(ax=ax, column="households", cmap="YlOrRd", norm=norm, edgecolor="#333333", linewidth=0.7)
    ax.set_title(f"{label}\\n{len(frame)} 个社区")
    ax.set_axis_off()
fig.colorbar(plt.cm.ScalarMappable(norm=norm, cmap="YlOrRd"), ax=axes, shrink=0.6, label="户数 households")
plt.show()
""",
    """md:
    ## 6. 读表 — reading the comparison

    * **communities** is the number of residents' committees (offices, secretaries,
      budgets) a scenario needs; a lower cap needs more of them.
    * **grids** is sized by the 300–500-household rule, not by the community cap, so
      it moves little between the caps; the reform fixes its own total.
    * **grid_worker required** follows the grids (one each); the per-10,000 roles
      follow the population and rise a little with more communities, because each
      community rounds its requirement up.
    * **actual staff now** is the same for every scenario: the gap between it and a
      scenario's requirement is what the district must recruit or reassign.

    The figures of this run, side by side:
    """,
    """
now_row = comparison.loc["now"]
for label in labels:
    plan_row = comparison.loc[label]
    print(
        f"{label}: {plan_row['communities'] - now_row['communities']:+d} communities and "
        f"{plan_row['grids'] - now_row['grids']:+d} grids against now; "
        f"largest community {plan_row['largest community']:,} households"
    )
for role in ["grid_worker", "police", "medical"]:
    have = actual.get(role)
    needed = {label: needs[label].groupby("role")["required_min"].sum()[role] for label in labels}
    print(
        f"{role}: {int(have)} now; at least "
        + ", ".join(f"{n:,} ({label})" for label, n in needed.items())
    )
""",
]

# --- 03: posts ---------------------------------------------------------------------------

POSTS = [
    """md:
    # 警务室与卫生服务站布点 — police rooms and health stations within a 15-minute walk

    Every household should reach a community police room (警务室) and a community
    health station (社区卫生服务站) within the **15-minute living circle**: a 15-minute
    walk at 60 m/min, 900 m (GB 50180-2018). The Ministry of Public Security (2006)
    also asks for at least one police room per community. This notebook, on the
    sample district as it is now (its current communities, police rooms and health
    stations):

    1. measures coverage today: the share of households whose walk to the nearest
       post is within 900 m;
    2. draws the curve of **how much coverage each number of new posts buys**
       (maximal coverage, solved exactly for every number);
    3. finds the fewest new posts that reach every household (set cover) and shows
       **where they go**.

    Walks run along the street network of the `roads` layer from each compound's
    nearest gate; where two points lie on unconnected streets the straight line times
    a detour factor of 1.3 is used, and the result says so.
    """,
    FONT,
    PANDAS
    + """
from jinfeng_grid import io, posts

path = io.sample_path()
compounds = io.read_compounds(path)
roads = io.read_roads(path, layer="roads")
facilities = io.read_facilities(path, layer="facilities")
facilities.groupby("kind").size()
""",
    """md:
    ## 1. 候选点 — candidate sites

    New posts may go to the main gate of any compound (the middle of its longest road
    frontage) or to the centre of a community; candidates on top of an existing post
    are dropped. We generate them once and reuse them for every run. The compounds
    are those of the current district, so the community key is the `community`
    column (a plan's compounds would use `community_id`, the default).
    """,
    """
KEYS = {"id_column": "id", "community_column": "community"}
communities = compounds[["community", "geometry"]].dissolve(by="community", as_index=False)
communities["name"] = communities["community"]
candidates = posts.candidate_sites(
    compounds, roads=roads, communities=communities, existing=facilities, **KEYS
)
# Name each site so that the chosen ones read well in the tables below.
compound_names = compounds.set_index("id")["name"]
candidates["id"] = candidates["candidate_id"]
candidates["name"] = [
    f"{compound_names[c]}大门" if source == "gate" else f"{k}社区中心"
    for source, c, k in zip(candidates["source"], candidates["compound_id"], candidates["community_id"])
]
candidates.groupby("source").size()
""",
    """md:
    ## 2. 现状覆盖 — coverage today, and the curve

    `posts.site_posts(..., model="coverage", new=n)` keeps every existing post open
    and adds at most `n` new ones where they cover the most households. With `n = 0`
    it measures today's coverage. Running it for a range of `n` gives the curve.
    """,
    """
KINDS = {"police_room": "警务室 police rooms", "health_station": "卫生服务站 health stations"}
STEPS = [0, 2, 4, 6, 8, 10, 12, 15, 20, 25, 30]
BUDGET = 10  # the run we map below
rows = []
budgeted = {}
for kind in KINDS:
    for new in STEPS:
        result = posts.site_posts(
            compounds, facilities, kind=kind, model="coverage", new=new,
            communities=communities, roads=roads, candidates=candidates, time_limit=20, **KEYS,
        )
        if new == BUDGET:
            budgeted[kind] = result
        rows.append(
            {
                "kind": kind,
                "new posts allowed": new,
                "new posts used": result.new_posts,
                "households within 900 m": result.covered("after"),
                "share": round(result.share("after"), 4),
                "status": result.status,
                "distances": result.distance_method,
            }
        )
curve = pd.DataFrame(rows)
curve
""",
    """md:
    ## 3. 全覆盖与每社区一处 — full coverage, and one police room per community

    `model="set_cover"` finds the fewest new posts that bring every reachable
    household within the walk (compounds that no candidate reaches are listed in
    `uncoverable`). For police rooms we then add the Ministry's rule with
    `every_community=True`: every community has a police room inside it or within
    the walk of its centre.
    """,
    """
full = {}
for kind in KINDS:
    full[kind] = posts.site_posts(
        compounds, facilities, kind=kind, model="set_cover",
        communities=communities, roads=roads, candidates=candidates, time_limit=30, **KEYS,
    )
    result = full[kind]
    print(
        f"{kind}: {result.new_posts} new posts ({result.status}) take households within the walk "
        f"from {result.share('before'):.1%} to {result.share('after'):.1%}; "
        f"uncoverable compounds: {len(result.uncoverable)}"
    )

ruled = posts.site_posts(
    compounds, facilities, kind="police_room", model="set_cover", every_community=True,
    communities=communities, roads=roads, candidates=candidates, time_limit=30, **KEYS,
)
coverage = ruled.coverage
print(
    f"police rooms with the every-community rule: {ruled.new_posts} new posts ({ruled.status}); "
    f"communities with a police room inside or within the walk: "
    f"{int(coverage['has_post_before'].sum())} before, {int(coverage['has_post_after'].sum())} after, of {len(coverage)}"
)
""",
    """md:
    ### 覆盖收益曲线 — the curve

    Each point is an exact maximal-coverage solution for that many new posts; the
    star marks full coverage (the set cover). The curve flattens: the first posts go
    where many uncovered households live close together, later ones reach the last
    scattered compounds. Where to stop is a budget decision.
    """,
    """
fig, ax = plt.subplots(figsize=(9, 5.5))
for kind, label in KINDS.items():
    part = curve[curve["kind"] == kind]
    line, = ax.plot(part["new posts allowed"], 100 * part["share"], marker="o", label=label)
    ax.plot(
        full[kind].new_posts, 100 * full[kind].share("after"), marker="*", markersize=16,
        linestyle="none", color=line.get_color(), label=f"全覆盖 full coverage: {full[kind].new_posts} 处",
    )
ax.set_xlabel("新增站点数 new posts")
ax.set_ylabel("步行15分钟内户数占比 households within 900 m (%)")
ax.set_title("新增站点的覆盖收益 — coverage bought by new posts")
ax.xaxis.get_major_locator().set_params(integer=True)
ax.set_ylim(top=101)
ax.grid(alpha=0.3)
ax.legend(loc="lower right")
plt.show()

for kind in KINDS:
    part = curve[curve["kind"] == kind].set_index("new posts allowed")
    gains = part["households within 900 m"].diff().dropna()
    print(
        f"{kind}: {part['share'].iloc[0]:.1%} of households within the walk today; "
        f"the first {STEPS[1]} new posts add {int(gains.iloc[0]):,} households, "
        f"the last {STEPS[-1] - STEPS[-2]} add {int(gains.iloc[-1]):,}; "
        f"all {int(full[kind].compounds['households'].sum()):,} need {full[kind].new_posts}"
    )
""",
    """md:
    ## 4. 布点图 — where the new posts go

    Full coverage costs many posts; the maps show a realistic budget instead, the
    `BUDGET` new posts of the curve above. Compounds are coloured by their walk to
    the nearest post (green: within 900 m today; orange: within 900 m of a new post;
    red: still outside); existing posts are black squares, new posts red stars.
    """,
    """
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

fig, axes = plt.subplots(1, 2, figsize=(16, 9))
for ax, (kind, label) in zip(axes, KINDS.items()):
    result = budgeted[kind]
    status = result.compounds.set_index("compound_id")
    state = pd.Series("outside", index=status.index)
    state[status["covered_after"]] = "new"
    state[status["covered_before"]] = "today"
    shades = {"today": "#d9e8d0", "new": "#f6b26b", "outside": "#d6604d"}
    ax.set_facecolor("#f7f7f7")
    compounds.plot(ax=ax, color=[shades[state[i]] for i in compounds["id"]], edgecolor="white", linewidth=0.3)
    communities.boundary.plot(ax=ax, color="#555555", linewidth=0.6)
    roads.plot(ax=ax, color="#aaaaaa", linewidth=0.4)
    sited = result.posts
    sited[sited["status"] == "existing"].plot(ax=ax, color="black", marker="s", markersize=25)
    sited[sited["status"] == "new"].plot(ax=ax, color="#b40426", marker="*", markersize=160, edgecolor="white")
    ax.set_title(
        f"{label}: {(sited['status'] == 'existing').sum()} existing + {result.new_posts} new\\n"
        f"households within 900 m: {result.share('before'):.0%} → {result.share('after'):.0%}"
    )
    ax.set_axis_off()
handles = [
    Patch(color=shades["today"], label="现已覆盖 within 900 m today"),
    Patch(color=shades["new"], label="新站覆盖 within 900 m of a new post"),
    Patch(color=shades["outside"], label="仍未覆盖 still outside"),
    Line2D([], [], marker="s", color="black", linestyle="none", label="现有站点 existing post"),
    Line2D([], [], marker="*", color="#b40426", markersize=14, linestyle="none", label="新增站点 new post"),
]
fig.legend(handles=handles, loc="lower center", ncol=5, frameon=False)
plt.tight_layout(rect=(0, 0.04, 1, 1))
plt.show()
""",
    """
# The new police rooms of the budgeted run: covered = households within their walk,
# served = households for which the new room is the nearest.
new_rooms = budgeted["police_room"].posts
new_rooms[new_rooms["status"] == "new"][
    ["post_id", "name", "community_name", "households_covered", "households_served"]
].sort_values("households_covered", ascending=False)
""",
    """md:
    Per community, before and after the budgeted police rooms: households within
    the walk, and whether a police room is inside it or within the walk of its
    centre. The least covered communities today first.
    """,
    """
per_community = budgeted["police_room"].coverage
per_community.sort_values("share_within_walk_before")[
    ["community_name", "households", "share_within_walk_before", "share_within_walk_after", "has_post_before", "has_post_after"]
].head(12)
""",
    """md:
    To write these results for the city's data platform, `posts.write_posts(result,
    out_dir)` writes `posts.gpkg` and `coverage.csv`; on the command line the same is
    `jinfeng-grid posts PLAN_DIR --kind police_room --out DIR`. The interactive map
    (`render.explore_plan(plan, posts=...)`) draws the posts with their walk circles.
    """,
]

# --- 04: bring your own data ---------------------------------------------------------------

BYOD = [
    """md:
    # 用自己的数据做规划 — from your own Shapefile to a plan

    District offices rarely have data in the shape a program expects: a Shapefile
    exported from the surveying bureau's GIS, column names in Chinese, the `.dbf` in
    GBK without a `.cpg` file, coordinates in CGCS2000 longitude/latitude, a household
    count typed as text somewhere. This notebook goes from such a file to a plan:

    1. write a **user's Shapefile** (made here from the sample, for 北京中路 subdistrict)
       with columns 小区编号, 小区名称, 户数, 人口, 所属社区, 所属街道, in GBK;
    2. **map the columns** to the names `jinfeng_grid` uses, on the command line's
       `--column` form or in a scenario TOML file;
    3. **validate**: the report lists every problem at once, with rows and ids; fix,
       validate again;
    4. **plan** communities and grids;
    5. **export** the plan directory (GeoPackage, CSV, summary) and an Excel workbook.

    Everything is written to a temporary directory.
    """,
    FONT,
    PANDAS
    + """
import tempfile
import warnings
from pathlib import Path

import geopandas as gpd
import pyproj

from jinfeng_grid import config, io, pipeline, plan, staffing, validate

work = Path(tempfile.mkdtemp(prefix="jinfeng_byod_"))
print("working directory:", work)
""",
    """md:
    ## 1. 用户的数据 — the user's Shapefile

    We take the compounds, buildings and roads of 北京中路 from the sample, give them
    the column names a district office would use (and the road classes it would
    write: 主干路 arterial, 支路 local street), put them in CGCS2000 longitude/latitude
    (EPSG:4490) and write them as Shapefiles encoded in GBK. Then we delete the
    `.cpg` file, as many older tools do not write one: the reader must recognise GBK
    by itself. Two mistakes are planted on purpose: one compound's household count
    is typed as text (`约…`), and two compounds share a number.
    """,
    """
path = io.sample_path()
sample = io.read_compounds(path)
sample = sample[sample["subdistrict"] == "北京中路"]
sample_buildings = io.read_buildings(path, layer="buildings")
sample_buildings = sample_buildings[sample_buildings["compound_id"].isin(sample["id"])]

user = gpd.GeoDataFrame(
    {
        "小区编号": sample["id"].to_numpy(),
        "小区名称": sample["name"].to_numpy(),
        "户数": sample["households"].astype(str).to_numpy(),  # typed as text, as in many Excel exports
        "人口": sample["population"].to_numpy(),
        "所属社区": sample["community"].to_numpy(),
        "所属街道": sample["subdistrict"].to_numpy(),
    },
    geometry=sample.geometry.to_numpy(),
    crs=sample.crs,
).to_crs("EPSG:4490")
user_buildings = gpd.GeoDataFrame(
    {
        "楼栋编号": sample_buildings["id"].to_numpy(),
        "所属小区": sample_buildings["compound_id"].to_numpy(),
        "户数": sample_buildings["households"].to_numpy(),
        "人口": sample_buildings["population"].to_numpy(),
    },
    geometry=sample_buildings.geometry.to_numpy(),
    crs=sample_buildings.crs,
).to_crs("EPSG:4490")

sample_roads = io.read_roads(path, layer="roads")
sample_roads = sample_roads[sample_roads.intersects(sample.union_all().buffer(200))]
user_roads = gpd.GeoDataFrame(
    {
        "道路名称": sample_roads["name"].to_numpy(),
        "道路等级": sample_roads["class"].map({"arterial": "主干路", "local": "支路"}).to_numpy(),
    },
    geometry=sample_roads.geometry.to_numpy(),
    crs=sample_roads.crs,
).to_crs("EPSG:4490")

# The planted mistakes.
typo_row, duplicate_row = 3, 7
true_households = user.loc[typo_row, "户数"]
user.loc[typo_row, "户数"] = f"约{true_households}"
true_id = user.loc[duplicate_row, "小区编号"]
user.loc[duplicate_row, "小区编号"] = user.loc[duplicate_row - 1, "小区编号"]

shapefile = work / "小区.shp"
buildings_file = work / "楼栋.shp"
roads_file = work / "道路.shp"
user.to_file(shapefile, encoding="GBK")
user_buildings.to_file(buildings_file, encoding="GBK")
user_roads.to_file(roads_file, encoding="GBK")
for cpg in work.glob("*.cpg"):
    cpg.unlink()  # a legacy file: GBK, and nothing says so
print(sorted(p.name for p in work.iterdir()))
user.head()
""",
    """md:
    ## 2. 字段对应 — mapping the columns

    `jinfeng_grid` works with canonical keys: `id`, `name`, `households`,
    `population`, `community`, `subdistrict` for compounds; `id`, `compound_id`,
    `households`, `population` for buildings; `name`, `class` for roads. A mapping
    says which of your columns is which key. On the command line it is a flag per column
    (`--column households=户数`, `--column buildings.compound_id=所属小区`), which
    `config.parse_column_flags` parses:
    """,
    """
flags = [
    "id=小区编号",
    "name=小区名称",
    "households=户数",
    "population=人口",
    "community=所属社区",
    "subdistrict=所属街道",
    "buildings.id=楼栋编号",
    "buildings.compound_id=所属小区",
    "buildings.households=户数",
    "buildings.population=人口",
    "roads.name=道路名称",
    "roads.class=道路等级",
]
columns = config.parse_column_flags(flags)
columns
""",
    """md:
    The same mapping belongs in the scenario file, so that the next run needs no
    flags. A scenario file holds only what differs from the shipped standards; here
    the columns, a producing unit for the maps, and a short solver time limit.
    """,
    """
scenario_file = work / "北京中路.toml"
scenario_file.write_text(
    '''name = "北京中路 2026"

[solver]
time_limit = 20

[report]
producing_unit = "金凤区民政局"

[columns]
id = "小区编号"
name = "小区名称"
households = "户数"
population = "人口"
community = "所属社区"
subdistrict = "所属街道"

[columns.buildings]
id = "楼栋编号"
compound_id = "所属小区"
households = "户数"
population = "人口"

[columns.roads]
name = "道路名称"
class = "道路等级"
''',
    encoding="utf-8",
)
scenario = config.load_scenario(scenario_file)
assert scenario.columns == columns  # the file and the flags say the same
print(scenario)
""",
    """md:
    Reading applies the mapping, detects the GBK encoding of the `.dbf`, and
    reprojects to the metric working CRS (here CGCS2000 / 3-degree Gauss-Krüger zone
    with central meridian 105°E, EPSG:4544), remembering the input CRS for the
    outputs. Values are kept as read: the planner treats roads whose `class` is
    `arterial` as barriers that communities should not span, so the office's road
    classes are recoded once, here, in pandas.
    """,
    """
compounds = io.read_compounds(shapefile, columns=scenario.columns.compounds)
buildings = io.read_buildings(buildings_file, columns=scenario.columns.buildings)
roads = io.read_roads(roads_file, columns=scenario.columns.roads)
print("road classes as read:", roads["class"].value_counts().to_dict())
roads["class"] = roads["class"].map({"主干路": "arterial", "支路": "local"})
input_crs = pyproj.CRS.from_user_input(compounds.attrs["input_crs"])
print(f"working CRS: {compounds.crs.name} (EPSG:{compounds.crs.to_epsg()}); input: {input_crs.name} (EPSG:{input_crs.to_epsg()})")
compounds.drop(columns="geometry").head()
""",
    """md:
    ## 3. 数据检查 — the validation report

    `validate.validate_compounds` runs every rule and reports every problem at once
    (errors stop planning, warnings do not), so the whole file is fixed in one round.
    """,
    """
checked = validate.validate_compounds(compounds, buildings=buildings)
print(checked)
print(f"ok: {checked.ok}, errors: {len(checked.errors)}, warnings: {len(checked.warnings)}")
checked.to_frame()
""",
    """md:
    Both planted mistakes are there, with their rows and ids (and the buildings that
    now point at an ambiguous compound). The fix belongs in the source file, so that
    the next export is right too: correct the count, give the compound its own number
    back, write the Shapefile again, and read and check it once more.
    """,
    """
user.loc[typo_row, "户数"] = true_households
user.loc[duplicate_row, "小区编号"] = true_id
user.to_file(shapefile, encoding="GBK")
for cpg in work.glob("*.cpg"):
    cpg.unlink()

compounds = io.read_compounds(shapefile, columns=scenario.columns.compounds)
checked = validate.validate_compounds(compounds, buildings=buildings)
print(checked)
clean = checked.raise_if_errors()  # raises InputDataError listing every error, if any remain
compounds, buildings = clean.repaired, clean.repaired_buildings
compounds[["id", "households", "population"]].dtypes
""",
    """md:
    ## 4. 规划 — the plan

    With clean data the plan is one call. The scenario's target of 3,000 households
    sets how many communities 北京中路 gets, each within 2,000–4,000 households, and
    grids of 300–500 households are drawn from the buildings. The roads let
    compounds facing each other across an arterial road be neighbours (with a
    penalty for a community that spans it). Notes of the plan (e.g. a compound
    above the cap) arrive as `PlanWarning`s; we record and print them.
    """,
    """
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always", plan.PlanWarning)
    result = plan.plan_district(compounds, buildings=buildings, roads=roads, scenario=scenario)
for w in caught:
    print(f"{w.category.__name__}: {w.message}")
now = compounds.groupby("community")["households"].sum()
floor = scenario.community.min_households
print(f"now: {len(now)} communities, {(now < floor).sum()} below the floor of {floor:,.0f} households")
print(result)
for level, summary in result.levels.items():
    print(f"  {level}: {summary}")
result.communities.drop(columns="geometry")
""",
    """
fig, axes = plt.subplots(1, 2, figsize=(14, 7))
current = compounds.dissolve(by="community", as_index=False, aggfunc={"households": "sum"})
names = sorted(set(current["community"]) | set(result.communities["name"]))
colours = dict(zip(names, plt.get_cmap("Pastel1").colors * 3))
for ax, (title, frame, key) in zip(
    axes,
    [("现状社区 current communities", current, "community"), ("规划社区与网格 planned communities and grids", result.communities, "name")],
):
    frame.plot(ax=ax, color=[colours[name] for name in frame[key]], edgecolor="black", linewidth=1.2)
    if frame is result.communities:
        result.grids.boundary.plot(ax=ax, color="#666666", linewidth=0.4)
    for _, unit in frame.iterrows():
        p = unit.geometry.representative_point()
        ax.annotate(f"{unit[key]}\\n{unit['households']:,} 户", (p.x, p.y), ha="center", va="center", fontsize=9)
    ax.set_title(title)
    ax.set_axis_off()
plt.tight_layout()
plt.show()
""",
    """md:
    ## 5. 导出 — export

    `pipeline.write_plan` audits the plan and writes the plan directory the command
    line writes (`jinfeng-grid plan` with the same scenario file): `plan.gpkg` in the
    input's CRS (CGCS2000, as government submissions require), `summary.json` with
    provenance (input hashes, scenario, seed), and CSV tables in UTF-8 with BOM (Excel
    opens them with the Chinese intact). Then one Excel workbook for the office, with
    the staffing of every unit from `staffing.staffing_for_plan` (this user gave no
    staff table, so the `actual` column stays empty: unknown, not zero).
    """,
    """
out = work / "plan"
files = pipeline.write_plan(
    result,
    out,
    district=pipeline.District(compounds, buildings, roads, None, None),
    input_path=shapefile,
)
for name, file in sorted(files.items()):
    print(f"{name:>12}: {file.relative_to(work)}")

written = plan.read_plan(out)
print("layers in plan.gpkg:", io.list_layers(out / "plan.gpkg"))
print("summary.json keys:", sorted(written.summary))
page = render.write_map(written, out / "map.html", staffing=staffing.plan_staffing(written))  # the interactive review map (OpenStreetMap tiles)
print(f"{page.relative_to(work)}: {page.stat().st_size / 1e6:.1f} MB, opens offline except for the tiles")
""",
    """
staff_table = staffing.staffing_for_plan(written, district_name="北京中路")
workbook = io.write_workbook(
    work / "北京中路规划.xlsx",
    {
        "communities": pd.read_csv(out / "communities.csv", encoding="utf-8-sig"),
        "grids": pd.read_csv(out / "grids.csv", encoding="utf-8-sig"),
        "moves": pd.read_csv(out / "moves.csv", encoding="utf-8-sig"),
        "staffing": staff_table,
    },
)
print(workbook.name, f"{workbook.stat().st_size / 1024:.0f} KB, sheets:", pd.ExcelFile(workbook).sheet_names)
staff_table[staff_table["level"] == "subdistrict"][["role", "required_min", "required_max", "actual", "shortfall"]]
""",
    """md:
    From here the approval package (atlas PDF with the 四至 of each changed community,
    the workbook, the GeoPackage) is one command, `jinfeng-grid package plan/ --out
    package/` (or `report.write_package`), and `map.html` is for review on screen. For the next data
    delivery only the Shapefile changes: the scenario file keeps the mapping.
    """,
]

BOOKS = {
    "01_wulishuixiang_split.ipynb": SPLIT,
    "02_scenarios.ipynb": SCENARIOS,
    "03_posts_coverage.ipynb": POSTS,
    "04_bring_your_own_data.ipynb": BYOD,
}


def build(cells: list[str]) -> nbformat.NotebookNode:
    """A notebook without outputs from the cell sources."""
    book = nbformat.v4.new_notebook()
    book.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for number, cell in enumerate(cells):
        if cell.lstrip().startswith("md:"):
            text = textwrap.dedent(cell.lstrip()[3:]).strip()
            made = nbformat.v4.new_markdown_cell(text)
        else:
            made = nbformat.v4.new_code_cell(textwrap.dedent(cell).strip())
        made["id"] = f"cell-{number:02d}"  # stable ids: regenerating gives the same bytes
        book.cells.append(made)
    nbformat.validate(book)
    return book


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a notebook is stale")
    args = parser.parse_args(argv)
    NOTEBOOKS.mkdir(exist_ok=True)
    stale = []
    for name, cells in BOOKS.items():
        text = nbformat.writes(build(cells)) + "\n"
        target = NOTEBOOKS / name
        if args.check:
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                stale.append(name)
            continue
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    if stale:
        print("stale (run scripts/make_notebooks.py):", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
