"""Siting police rooms and health stations for a 15-minute walk.

The pipeline::

    walk_distances (streets, or straight line × detour) ─┐
    candidate_sites (gates, community centres, given) ───┼─► site_posts ─► PostsResult
    facilities of the kind (kept open, status existing) ─┘                 └─► write_posts

Walking distances run along the ``roads`` layer: lines are noded at their crossings,
line ends stopping within ``snap_m`` of another street are joined to it, and every
compound gate, community centre and post is attached at its nearest street point (the
straight attachment is walked too). When the streets fall into several components,
pairs within one component are walked along the streets and pairs across components
(and everything when there are no roads) are measured as the straight line times
``detour_factor`` (default 1.3); the method is stated in every result
(``network``, ``network+detour`` with the number of such pairs, ``straight_line``).

A compound's walk is from its nearest *gate* (the middle of its frontage on each road
within ``gate_reach_m``) by default, or from a representative point inside it. A
compound is *within the walk* of a post when that walk is at most
``walk_minutes × speed_m_per_min`` (15 × 60 = 900 m, GB 50180-2018's 15-minute circle).

Candidate sites are given points, or generated: the main gate of every compound (on
its longest frontage) and the centre of every community, dropped within ``dedupe_m``
of another candidate or of an existing post.

The models (formulations in :mod:`jinfeng_grid.posts.model`) keep every existing
post of the kind open and choose new ones among the candidates:

- ``coverage``: at most ``new`` posts covering the most households (the fewest posts
  among equally good choices);
- ``set_cover``: the fewest posts covering every household a candidate can reach
  (``uncoverable`` names the compounds none can);
- ``p_median``: exactly ``new`` posts with the least household-weighted walk to the
  nearest open post.

``every_community=True`` adds the rule of the Ministry of Public Security (2006) for
police rooms: every community has an open post inside it or within the walk of its
centre (its representative point). Ties between equally good plans are broken by the
solver, deterministically: the same input gives the same sites.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np

from jinfeng_grid.errors import (
    ConfigError,
    InfeasibleSpecError,
    InputDataError,
    SolverError,
)
from jinfeng_grid.io import write as io
from jinfeng_grid.posts import network as net
from jinfeng_grid.posts.candidates import _candidates
from jinfeng_grid.posts.model import (
    Model,
    SitingProblem,
    audit_siting,
    build_siting_model,
    community_reach,
    solve_siting,
)
from jinfeng_grid.posts.result import OriginPoints, PostsResult
from jinfeng_grid.posts.tables import (
    check_options,
    communities_or_dissolved,
    community_names,
    community_of,
    community_service,
    compound_table,
    coverage_table,
    given_candidates,
    posts_frame,
    prepare_compounds,
    prepare_existing,
)
from jinfeng_grid.posts.walks import _method, _streets

__all__ = [
    "site_posts",
    "write_posts",
]

logger = logging.getLogger(__name__)


def site_posts(
    compounds: gpd.GeoDataFrame,
    facilities: gpd.GeoDataFrame | None,
    *,
    kind: str,
    model: Model = "coverage",
    new: int | None = None,
    communities: gpd.GeoDataFrame | None = None,
    roads: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    candidates: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    walk_minutes: float = 15.0,
    speed_m_per_min: float = 60.0,
    every_community: bool = False,
    detour_factor: float = 1.3,
    origin_points: OriginPoints = "gates",
    gates: Literal["main", "all", "none"] = "main",
    dedupe_m: float = 5.0,
    snap_m: float = 2.0,
    gate_reach_m: float = 30.0,
    id_column: str = "compound_id",
    community_column: str = "community_id",
    solver: str = "highs",
    time_limit: float | None = 30.0,
    seed: int = 0,
    threads: int | None = None,
) -> PostsResult:
    """Site new posts of one kind, keeping the existing ones (see the module doc).

    Parameters
    ----------
    compounds
        Compound polygons in a metric CRS with ``id_column``, ``households``,
        ``population`` and ``community_column`` (a plan's ``compounds`` layer; use
        ``community_column="community"`` for a current, unplanned district).
    facilities
        Points with ``kind`` (and ``id``, ``name``): the posts of ``kind`` stay open.
    kind
        ``police_room``, ``health_station``, ... (must occur in ``facilities``).
    model
        ``coverage``, ``set_cover`` or ``p_median``.
    new
        Most new posts (coverage), exactly this many (p_median); not for set_cover.
    communities
        Community polygons with ``community_column`` (and ``name``); default: the
        compounds dissolved by community.
    roads
        Street lines for walking distances and gates (``None``: straight line × detour).
    candidates
        Candidate sites (points; ``id`` and ``name`` used if present); default:
        generated by :func:`candidate_sites`.
    walk_minutes, speed_m_per_min
        The walk: 15 minutes at 60 m/min is 900 m.
    every_community
        Require a post inside every community or within the walk of its centre.
    detour_factor
        Straight line × this where no street path exists (≥ 1).
    origin_points
        ``gates`` (walk from the nearest compound gate) or ``point`` (from inside).
    gates, dedupe_m
        Generated candidates: ``main`` gate per compound, ``all`` gates or ``none``;
        candidates closer than ``dedupe_m`` to another or to an existing post dropped.
    snap_m, gate_reach_m
        Street line ends within ``snap_m`` of a street are joined to it; a compound's
        frontage on a road within ``gate_reach_m`` holds a gate.
    id_column, community_column
        The compound id and community key (``id``/``community`` for a district as
        read by :func:`jinfeng_grid.io.read_compounds`).
    solver, time_limit, seed, threads
        Passed to the solver (HiGHS by default, CBC as fallback).

    Returns
    -------
    PostsResult

    Raises
    ------
    ConfigError
        A walk or speed that is not positive, a negative ``new``, ``new`` missing (or
        given to set_cover), an unknown model.
    InputDataError
        Missing columns, no facilities, a kind absent from them, no candidates.
    InfeasibleSpecError
        The community rule cannot be met (no candidate serves a community, or
        ``new`` is too small), or p_median asks for more posts than candidates.
    SolverError
        The solver found no plan within the time limit.

    Examples
    --------
    >>> result = site_posts(plan.compounds, plan.facilities, kind="police_room",
    ...                     communities=plan.communities, roads=plan.roads,
    ...                     new=5)  # doctest: +SKIP
    >>> result.share("before"), result.share("after")  # doctest: +SKIP
    (0.61, 0.74)
    """
    start = time.perf_counter()
    walk_m = check_options(walk_minutes, speed_m_per_min, model, new, detour_factor)
    demand = prepare_compounds(compounds, id_column=id_column, community_column=community_column)
    existing = prepare_existing(facilities, kind=kind, crs=compounds.crs)
    communities = communities_or_dissolved(compounds, communities, community_column)
    keys = communities[community_column].tolist()
    if gates not in ("main", "all", "none"):
        raise ConfigError(f"gates must be 'main', 'all' or 'none', got {gates!r}")
    road_geoms, network = _streets(roads, compounds.crs, snap_m)
    found = None
    if road_geoms is not None:
        # one set of gates: the compounds walk from them and the gate candidates sit on them
        found = net.compound_gates(
            np.asarray(compounds.geometry.values, dtype=object), road_geoms, reach_m=gate_reach_m
        )
    if candidates is None:
        sites = _candidates(
            compounds,
            found,
            communities=communities,
            existing=existing,
            gates=gates,
            dedupe_m=dedupe_m,
            id_column=id_column,
            community_column=community_column,
        )
        sites["name"] = None
    else:
        sites = given_candidates(candidates, compounds.crs)
        blockers = np.asarray(existing.geometry.values, dtype=object)
        sites = sites[net.dedupe_points(sites.geometry.values, dedupe_m, blockers)]
        sites = sites.reset_index(drop=True)
    if not len(sites):
        raise InputDataError(
            "there are no candidate sites for new posts: give a candidates layer with points "
            "(--candidates FILE[:LAYER]), or roads and communities to generate gates and "
            "community centres"
        )
    sites_in, sites_inside = community_of(sites.geometry.values, communities, community_column)
    generated = sites["source"].isin(["gate", "centre"]).to_numpy()
    sites["community_id"] = np.where(generated, sites["community_id"], sites_in)
    inside_sites = np.where(generated, True, sites_inside)
    existing_in, existing_inside = community_of(
        existing.geometry.values, communities, community_column
    )

    centres = net.points_of(communities.geometry.values)
    metres, detour_pairs, used = net.walk_matrix(
        np.concatenate([np.asarray(compounds.geometry.values, dtype=object), centres]),
        np.concatenate([existing.geometry.values, sites.geometry.values]).astype(object),
        roads=road_geoms,
        network=network,
        gates=origin_points == "gates",
        detour_factor=detour_factor,
        gate_reach_m=gate_reach_m,
        precomputed=None if found is None else (found[0], found[1]),
    )
    method = _method(network, detour_pairs)
    n, e = len(demand), len(existing)
    from_compounds, from_centres = metres[:n], metres[n:]

    has_before, serves = community_service(
        from_centres,
        e,
        walk_m,
        keys,
        existing_in,
        existing_inside,
        sites["community_id"].tolist(),
        inside_sites,
    )
    reach: list[np.ndarray] = []
    if every_community:
        labels = [
            f"{name} ({key})" if name is not None else str(key)
            for key, name in zip(keys, community_names(communities), strict=True)
        ]
        reach = community_reach(
            serves,
            has_before,
            labels,
            model=model,
            new=new,
            walk_m=walk_m,
            kind=kind,
            solver=solver,
            time_limit=time_limit,
        )

    problem = SitingProblem(
        households=demand["households"].to_numpy(dtype=np.int64),
        candidate_metres=from_compounds[:, e:],
        existing_metres=from_compounds[:, :e],
        walk_m=walk_m,
        community_reach=reach,
    )
    if model == "p_median" and new is not None and new > len(sites):
        raise InfeasibleSpecError(
            f"p_median asks for {new} new posts but there are only {len(sites)} candidate "
            "sites: lower --new or give more candidates"
        )
    if model == "p_median" and new == 0 and not e:
        raise InfeasibleSpecError(
            f"there is no existing {kind} and --new is 0: every compound needs a post to "
            "walk to; give --new 1 or more"
        )
    built = build_siting_model(problem, model=model, new=new)
    outcome = solve_siting(built, solver=solver, time_limit=time_limit, seed=seed, threads=threads)
    if outcome.status == "infeasible":
        raise InfeasibleSpecError(
            f"the solver proved that {new} new {kind} posts cannot meet the rule 'a post in "
            "or within the walk of every community': raise --new, or use --model set_cover "
            "to find the least number"
        )
    if outcome.status == "no_plan":
        raise SolverError(
            f"no siting plan was found within the time limit of {time_limit} s: raise --time-limit"
        )
    chosen = np.array(outcome.chosen, dtype=np.int64)
    audit_siting(
        problem,
        model=model,
        new=new,
        chosen=chosen,
        objective=outcome.objective,
        serves=serves,
        has_before=has_before,
    )

    open_metres = np.concatenate([from_compounds[:, :e], from_compounds[:, e:][:, chosen]], axis=1)
    has_after = has_before | serves[:, chosen].any(axis=1)
    post_ids = existing["post_id"].tolist() + sites["candidate_id"].iloc[chosen].tolist()
    table = compound_table(demand, from_compounds[:, :e], open_metres, post_ids, walk_m)
    uncoverable = tuple(
        demand.loc[~(problem.covered_before | problem.reach.any(axis=1)), "compound_id"]
    )
    posts = posts_frame(
        existing,
        sites.iloc[chosen],
        open_metres,
        demand,
        communities,
        community_column,
        existing_in,
        kind=kind,
        walk_m=walk_m,
        method=method,
    )
    coverage = coverage_table(table, communities, community_column, has_before, has_after)
    result = PostsResult(
        kind=kind,
        model=model,
        new_requested=new,
        walk_m=walk_m,
        distance_method=method,
        detour_factor=float(detour_factor),
        detour_pairs=detour_pairs,
        origin_points="gates" if used else "point",
        posts=posts,
        coverage=coverage,
        compounds=table,
        uncoverable=uncoverable,
        candidates=len(sites),
        status=outcome.status,
        objective=outcome.objective,
        bound=outcome.bound,
        gap=outcome.gap,
        seconds=time.perf_counter() - start,
        solve_seconds=outcome.seconds,
        solver=outcome.solver,
        every_community=every_community,
    )
    logger.info("posts: %r", result)
    return result


def write_posts(result: PostsResult, out_dir: str | Path, *, crs: Any = None) -> dict[str, Path]:
    """Write ``posts.gpkg`` (layer ``posts``), ``coverage.csv`` and ``posts.json``.

    Parameters
    ----------
    result
        What :func:`site_posts` returned.
    out_dir
        The output directory; created if missing. A plan directory is fine: none of
        these names is a plan file.
    crs
        Write the layer in this CRS (e.g. ``compounds.attrs["input_crs"]``); ``None``
        keeps the working CRS.

    Returns
    -------
    dict
        File name → path.

    Examples
    --------
    >>> write_posts(result, "posts_out", crs=plan.compounds.attrs.get("input_crs"))
    ... # doctest: +SKIP
    """
    out = Path(out_dir)
    summary = result.summary()
    written = {
        "posts.gpkg": io.write_layers(out / "posts.gpkg", {"posts": result.posts}, crs=crs),
        "coverage.csv": io.write_table(result.coverage, out / "coverage.csv"),
        "posts.json": io.write_json(out / "posts.json", summary),
    }
    logger.info("wrote %s: posts.gpkg (%d posts), coverage.csv, posts.json", out, len(result.posts))
    return written
