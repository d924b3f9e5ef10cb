"""``jinfeng-grid posts``: site police rooms or health stations for a 15-minute walk."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinfeng_grid.cli.exit_codes import EXIT_OK, EXIT_WARNINGS

if TYPE_CHECKING:
    import geopandas as gpd

    from jinfeng_grid.posts.result import PostsResult

__all__ = ["add_posts", "format_posts_summary"]

_EPILOG = """\
examples:
  jinfeng-grid posts plan/ --kind police_room --out posts/              (fewest new
                                        police rooms putting every household within
                                        a 15-minute walk of one)
  jinfeng-grid posts plan/ --kind police_room --new 5 --out posts/      (5 new rooms
                                        reaching the most households)
  jinfeng-grid posts plan/ --kind health_station --model p_median --new 8 --out hs/
  jinfeng-grid posts plan/ --kind police_room --every-community --out posts/
  jinfeng-grid posts plan/ --kind police_room --new 3 --candidates sites.gpkg:sites --out p/
  jinfeng-grid posts district.gpkg --kind police_room --new 5 --out now/   (as it is now)

PLAN_DIR is a directory written by `jinfeng-grid plan`: its facilities layer gives the
existing posts (kept open), its roads the walking distances (along the streets; pairs
in separate street components, or everything without roads, by straight line x 1.3)
and its communities the coverage table. A district file (GeoPackage with compounds,
facilities and roads layers) works too: coverage is then by the compounds' current
community. Candidate sites are compound gates (one per
compound, on its longest street frontage) and community centres, unless --candidates
gives points. Writes DIR/posts.gpkg (layer posts: existing and new), DIR/coverage.csv
(per community, before and after) and DIR/posts.json (model, status, gap, method).
Exit status 1 when the siting is not proven optimal, or set_cover leaves compounds
that no candidate site reaches.
"""


def add_posts(sub: argparse._SubParsersAction) -> None:
    """Register ``jinfeng-grid posts``."""
    parser = sub.add_parser(
        "posts",
        help="site police rooms or health stations so households are within a 15-minute walk",
        description=(
            "Choose sites for new police rooms or health stations, keeping the existing ones: "
            "the most households within the walk for --new N posts (coverage), the fewest "
            "posts that reach every household (set_cover, the default without --new), or "
            "the least household-weighted walk for N posts (p_median). Prints the share of "
            "households within the walk before and after."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "plan",
        metavar="PLAN_DIR",
        help="a plan directory (jinfeng-grid plan), or a district file as it is now",
    )
    parser.add_argument(
        "--kind",
        required=True,
        help="the facility kind to site: police_room or health_station (as in the facilities)",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="output directory")
    parser.add_argument(
        "--new",
        type=int,
        default=None,
        metavar="N",
        help="number of new posts (coverage, p_median)",
    )
    parser.add_argument(
        "--model",
        choices=("coverage", "set_cover", "p_median"),
        default=None,
        help="coverage with --new, set_cover without (the default)",
    )
    parser.add_argument(
        "--walk-minutes", type=float, default=15.0, metavar="MIN", help="the walk (15)"
    )
    parser.add_argument(
        "--speed", type=float, default=60.0, metavar="M_PER_MIN", help="walking speed (60 m/min)"
    )
    parser.add_argument(
        "--candidates",
        default=None,
        metavar="FILE[:LAYER]",
        help="candidate sites (points) instead of gates and community centres",
    )
    parser.add_argument(
        "--gates",
        choices=("main", "all", "none"),
        default="main",
        help="generated gate candidates: one per compound on its longest frontage (main), "
        "every gate (all), none (community centres only)",
    )
    parser.add_argument(
        "--every-community",
        action="store_true",
        help="require a post inside every community or within the walk of its centre",
    )
    parser.add_argument(
        "--detour-factor",
        type=float,
        default=1.3,
        metavar="F",
        help="straight line x F where no street path exists (1.3)",
    )
    parser.add_argument(
        "--time-limit", type=float, default=60.0, metavar="S", help="solver time limit (60 s)"
    )
    parser.add_argument(
        "--solver", choices=("highs", "cbc"), default="highs", help="MIP solver (highs)"
    )
    parser.add_argument("--seed", type=int, default=0, help="solver seed (0)")
    parser.set_defaults(handler=_run_posts)


def _read_candidates(spec: str) -> gpd.GeoDataFrame:
    """``FILE`` or ``FILE:LAYER`` (a path that exists as given wins over the split)."""
    from jinfeng_grid.io import read as io

    path, layer = spec, None
    if not Path(spec).exists() and ":" in spec:
        head, tail = spec.rsplit(":", 1)
        if Path(head).exists():
            path, layer = head, tail or None
    return io.read_layer(path, layer=layer)


def _read_source(source: Path) -> dict[str, Any]:
    """The layers ``site_posts`` needs from a plan directory or a district file."""
    from jinfeng_grid.errors import InputDataError
    from jinfeng_grid.io.read import list_layers, read_compounds, read_facilities, read_roads
    from jinfeng_grid.plan.directory import read_plan

    if source.is_dir():
        plan = read_plan(source)
        if plan.facilities is None:
            raise InputDataError(
                f"plan directory {plan.source} has no facilities layer, so there are no existing "
                "posts to keep and no kinds to site: make the plan from an input with a "
                "'facilities' layer (points with id, kind, name)"
            )
        return {
            "compounds": plan.compounds,
            "facilities": plan.facilities,
            "communities": plan.communities,
            "roads": plan.roads,
            "id_column": "compound_id",
            "community_column": "community_id",
        }
    # a current, unplanned district: communities are its compounds' current community
    compounds = read_compounds(source)
    if "community" not in compounds.columns:
        raise InputDataError(
            f"the compounds of {source.name} have no current community column (社区), so "
            "there is no community to report coverage by: add one, or give a plan directory"
        )
    layers = list_layers(source)
    if "facilities" not in layers:
        raise InputDataError(
            f"{source.name} has no facilities layer (it has {', '.join(layers)}): existing "
            "police rooms and health stations come from a 'facilities' layer of points with "
            "id, kind, name"
        )
    return {
        "compounds": compounds,
        "facilities": read_facilities(source, layer="facilities"),
        "communities": None,
        "roads": read_roads(source, layer="roads") if "roads" in layers else None,
        "id_column": "id",
        "community_column": "community",
    }


def _run_posts(args: argparse.Namespace) -> int:
    from jinfeng_grid.posts.siting import site_posts, write_posts

    source = _read_source(Path(args.plan))
    model = args.model or ("set_cover" if args.new is None else "coverage")
    candidates = _read_candidates(args.candidates) if args.candidates else None
    result = site_posts(
        **source,
        kind=args.kind,
        model=model,
        new=args.new,
        candidates=candidates,
        walk_minutes=args.walk_minutes,
        speed_m_per_min=args.speed,
        every_community=args.every_community,
        gates=args.gates,
        detour_factor=args.detour_factor,
        solver=args.solver,
        time_limit=args.time_limit,
        seed=args.seed,
    )
    crs = source["compounds"].attrs.get("input_crs")
    written = write_posts(result, args.out, crs=crs)
    text = format_posts_summary(result, walk_minutes=args.walk_minutes)
    sys.stdout.write(text + "wrote " + ", ".join(str(p) for p in written.values()) + "\n")
    # warnings: not proven optimal, or households the fewest posts still cannot reach
    incomplete = result.model == "set_cover" and bool(result.uncoverable)
    return EXIT_OK if result.status == "optimal" and not incomplete else EXIT_WARNINGS


def format_posts_summary(result: PostsResult, *, walk_minutes: float) -> str:
    """A few lines: the plan, the method, households within the walk before → after."""
    label = result.kind.replace("_", " ")
    gap = "no bound" if result.gap is None else f"gap {100 * result.gap:.2f}%"
    lines = [
        f"{label}: {result.model}, {result.new_posts} new + "
        f"{len(result.posts) - result.new_posts} existing, {result.candidates} candidate sites "
        f"({result.status}, {gap}, {result.seconds:.1f} s, {result.solver})",
        f"walking distances: {_method_text(result)}",
    ]
    minutes = f"{walk_minutes:g}-minute walk ({result.walk_m:,.0f} m)"
    for what in ("households", "population"):
        total = int(result.compounds[what].sum())
        before, after = result.covered("before", what), result.covered("after", what)
        lines.append(
            f"{what} within a {minutes} of a {label}: {before:,} of {total:,} "
            f"({100 * result.share('before', what):.1f}%) -> {after:,} "
            f"({100 * result.share('after', what):.1f}%)"
        )
    table = result.coverage
    lines.append(
        f"communities with a {label} inside or within the walk of their centre: "
        f"{int(table['has_post_before'].sum())} -> {int(table['has_post_after'].sum())} "
        f"of {len(table)}"
    )
    if result.uncoverable:
        shown = ", ".join(result.uncoverable[:10])
        more = f" and {len(result.uncoverable) - 10} more" if len(result.uncoverable) > 10 else ""
        lines.append(f"no candidate site reaches these compounds within the walk: {shown}{more}")
    return "\n".join(lines) + "\n"


def _method_text(result: PostsResult) -> str:
    if result.distance_method == "straight_line":
        return f"straight line x {result.detour_factor:g} (no roads)"
    start = "from compound gates" if result.origin_points == "gates" else "from compound centres"
    if result.distance_method == "network":
        return f"along the streets, {start}"
    return (
        f"along the streets, {start}; {result.detour_pairs:,} compound-site pairs in separate "
        f"street components by straight line x {result.detour_factor:g}"
    )
