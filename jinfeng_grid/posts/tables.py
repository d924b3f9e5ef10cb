"""Inputs and result tables of :mod:`jinfeng_grid.posts`.

Checking and normalising the layers (compounds, facilities, communities, given
candidates) and turning chosen sites into the ``posts`` layer, the per-compound walk
table and the per-community coverage table.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jinfeng_grid.crs import is_metric
from jinfeng_grid.errors import ConfigError, GeometryError, InputDataError
from jinfeng_grid.posts.model import MODELS
from jinfeng_grid.posts.network import points_of

__all__ = [
    "check_options",
    "check_positive",
    "communities_or_dissolved",
    "community_names",
    "community_of",
    "community_service",
    "compound_table",
    "coverage_table",
    "given_candidates",
    "posts_frame",
    "prepare_compounds",
    "prepare_existing",
]

logger = logging.getLogger(__name__)

#: A post this close to a community polygon counts as inside it (drawing noise).
INSIDE_TOLERANCE_M = 1.0


def _list(values: Sequence[Any], limit: int = 10) -> str:
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def prepare_compounds(
    compounds: gpd.GeoDataFrame, *, id_column: str, community_column: str
) -> pd.DataFrame:
    """``compound_id``, ``community_id``, ``households``, ``population`` (checked)."""
    if compounds.crs is None or not is_metric(compounds.crs):
        raise GeometryError(
            "compounds must be in a metric CRS (metres) to measure walks; read them with "
            "jinfeng_grid.io.read_compounds or jinfeng_grid.plan.read_plan, which reprojects to one"
        )
    if not len(compounds):
        raise InputDataError("the compounds layer is empty: there is no one to walk to a post")
    if id_column not in compounds.columns and "id" in compounds.columns:
        id_column = "id"
    needed = [id_column, community_column, "households", "population"]
    missing = [c for c in needed if c not in compounds.columns]
    if missing:
        raise InputDataError(
            f"compounds have no column {', '.join(map(repr, missing))} (they have "
            f"{', '.join(str(c) for c in compounds.columns if c != 'geometry')}): pass a plan's "
            "compounds layer, or name the columns with id_column=/community_column="
        )
    empty = compounds.geometry.isna() | compounds.geometry.is_empty
    if empty.any():
        raise GeometryError(
            f"compounds without a geometry: {_list(compounds.loc[empty, id_column].tolist())}; "
            "fix or drop them"
        )
    table = pd.DataFrame(
        {
            "compound_id": compounds[id_column].to_numpy(),
            "community_id": compounds[community_column].to_numpy(),
        }
    )
    for what in ("households", "population"):
        values = pd.to_numeric(compounds[what], errors="coerce")
        bad = values.isna() | (values < 0) | (values != values.round())
        if bad.any():
            raise InputDataError(
                f"compounds with {what} that is not a whole number ≥ 0: "
                f"{_list(compounds.loc[bad.to_numpy(), id_column].tolist())}; fix them"
            )
        table[what] = values.to_numpy(dtype=np.int64)
    return table


def prepare_existing(
    facilities: gpd.GeoDataFrame | None, *, kind: str, crs: Any
) -> gpd.GeoDataFrame:
    """The facilities of ``kind`` as points: ``post_id``, ``name``, ``kind``."""
    if facilities is None:
        raise InputDataError(
            "there is no facilities layer: existing police rooms and health stations come "
            "from it; make the plan from an input with a 'facilities' layer (points with "
            "id, kind, name)"
        )
    if "kind" not in facilities.columns:
        raise InputDataError(
            "the facilities layer has no 'kind' column (police_room, health_station, ...): "
            "map yours with --column facilities.kind=NAME when making the plan"
        )
    kinds = sorted(str(k) for k in facilities["kind"].dropna().unique())
    if kind not in kinds:
        raise InputDataError(
            f"there is no facility of kind {kind!r}; the kinds present are: "
            f"{', '.join(kinds) or 'none'}"
        )
    mine = facilities[facilities["kind"] == kind]
    ids = mine["id"] if "id" in mine.columns else pd.Series(range(1, len(mine) + 1))
    names = mine["name"] if "name" in mine.columns else pd.Series([None] * len(mine))
    return gpd.GeoDataFrame(
        {
            "post_id": [str(v) for v in ids],
            "name": names.to_numpy(),
            "kind": kind,
        },
        geometry=points_of(mine.to_crs(crs).geometry.values),
        crs=crs,
    )


def given_candidates(candidates: gpd.GeoDataFrame | gpd.GeoSeries, crs: Any) -> gpd.GeoDataFrame:
    """A candidates layer as ``candidate_id``, ``name``, ``source='given'``, points."""
    if isinstance(candidates, gpd.GeoSeries):
        candidates = gpd.GeoDataFrame(geometry=candidates)
    if candidates.crs is None:
        raise GeometryError("the candidates layer has no CRS: give it one (e.g. EPSG:4490)")
    empty = candidates.geometry.isna() | candidates.geometry.is_empty
    if empty.any():
        raise GeometryError(
            f"{int(empty.sum())} candidate(s) without a geometry (rows "
            f"{_list([int(i) + 1 for i in np.flatnonzero(empty.to_numpy())])}): fix or drop them"
        )
    ids = (
        [str(v) for v in candidates["id"]]
        if "id" in candidates.columns
        else [f"P{k}" for k in range(1, len(candidates) + 1)]
    )
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise InputDataError(f"candidate ids are not unique: {_list(duplicated)}")
    names = candidates["name"].to_numpy() if "name" in candidates.columns else None
    return gpd.GeoDataFrame(
        {
            "candidate_id": ids,
            "source": "given",
            "compound_id": None,
            "community_id": None,
            "name": names,
        },
        geometry=points_of(candidates.to_crs(crs).geometry.values),
        crs=crs,
    )


def communities_or_dissolved(
    compounds: gpd.GeoDataFrame, communities: gpd.GeoDataFrame | None, column: str
) -> gpd.GeoDataFrame:
    """The communities layer (checked), or the compounds dissolved by ``column``."""
    if communities is None:
        dissolved = compounds[[column, compounds.geometry.name]].dissolve(by=column, sort=True)
        return dissolved.reset_index()[[column, "geometry"]]
    if column not in communities.columns:
        raise InputDataError(
            f"the communities layer has no {column!r} column (it has "
            f"{', '.join(str(c) for c in communities.columns if c != 'geometry')}): pass the "
            "plan's communities layer or community_column= naming the key both layers share"
        )
    known = set(communities[column])
    unknown = sorted({str(k) for k in compounds[column] if k not in known})
    if unknown:
        raise InputDataError(
            f"compounds name communities the communities layer does not have: {_list(unknown)}"
        )
    return communities.to_crs(compounds.crs).reset_index(drop=True)


def community_of(
    points: Any, communities: gpd.GeoDataFrame, column: str
) -> tuple[np.ndarray, np.ndarray]:
    """The community each point lies in (else the nearest) and whether it is inside."""
    points = np.asarray(points, dtype=object)
    if not len(points):
        return np.array([], dtype=object), np.array([], dtype=bool)
    tree = shapely.STRtree(np.asarray(communities.geometry.values, dtype=object))
    (which, polygon), distance = tree.query_nearest(points, return_distance=True, all_matches=True)
    best = np.full(len(points), -1, dtype=np.int64)
    gap = np.full(len(points), np.inf)
    for i, k, d in zip(which, polygon, distance, strict=True):
        if best[i] < 0 or k < best[i]:
            best[i], gap[i] = k, d
    keys = communities[column].to_numpy()[best]
    return keys, gap <= INSIDE_TOLERANCE_M


def compound_table(
    demand: pd.DataFrame,
    before: np.ndarray,
    after: np.ndarray,
    post_ids: Sequence[str],
    walk_m: float,
) -> pd.DataFrame:
    """Per compound: nearest post and its walk before (existing) and after (all open)."""
    table = demand.copy()
    for when, metres in (("before", before), ("after", after)):
        if metres.shape[1]:
            nearest = metres.argmin(axis=1)
            walk = metres[np.arange(len(metres)), nearest]
            table[f"nearest_{when}"] = [post_ids[k] for k in nearest]
        else:
            walk = np.full(len(metres), np.inf)
            table[f"nearest_{when}"] = None
        table[f"walk_{when}_m"] = np.round(walk, 1)
        table[f"covered_{when}"] = walk <= walk_m
    return table


def posts_frame(
    existing: gpd.GeoDataFrame,
    new: gpd.GeoDataFrame,
    open_metres: np.ndarray,
    demand: pd.DataFrame,
    communities: gpd.GeoDataFrame,
    column: str,
    existing_in: np.ndarray,
    *,
    kind: str,
    walk_m: float,
    method: str,
) -> gpd.GeoDataFrame:
    """The ``posts`` layer: existing then new, with what each covers and serves."""
    names = (
        dict(zip(communities[column], communities["name"], strict=True))
        if "name" in communities.columns
        else {}
    )
    frame = gpd.GeoDataFrame(
        {
            "post_id": list(existing["post_id"]) + list(new["candidate_id"]),
            "kind": kind,
            "name": list(existing["name"]) + list(new["name"]),
            "status": ["existing"] * len(existing) + ["new"] * len(new),
            "source": ["facilities"] * len(existing) + list(new["source"]),
            "community_id": list(existing_in) + list(new["community_id"]),
        },
        geometry=np.concatenate([existing.geometry.values, new.geometry.values]).astype(object),
        crs=existing.crs,
    )
    frame["community_name"] = [names.get(k) for k in frame["community_id"]]
    within = open_metres <= walk_m
    households = demand["households"].to_numpy()
    population = demand["population"].to_numpy()
    frame["households_covered"] = households @ within
    frame["population_covered"] = population @ within
    served = np.zeros(open_metres.shape, dtype=bool)
    if open_metres.shape[1]:
        served[np.arange(len(open_metres)), open_metres.argmin(axis=1)] = True
    frame["households_served"] = households @ served
    frame["population_served"] = population @ served
    frame["walk_m"] = walk_m
    frame["distance_method"] = method
    columns = [c for c in frame.columns if c != "geometry"] + ["geometry"]
    return frame[columns]


def coverage_table(
    compounds: pd.DataFrame,
    communities: gpd.GeoDataFrame,
    column: str,
    has_before: np.ndarray,
    has_after: np.ndarray,
) -> pd.DataFrame:
    """Per community: households and population within the walk before and after."""
    rows = []
    compounds = compounds.copy()
    for what in ("households", "population"):
        for when in ("before", "after"):
            compounds[f"{what}_within_walk_{when}"] = compounds[what].where(
                compounds[f"covered_{when}"], 0
            )
    sums = compounds.groupby("community_id", sort=False)[
        [
            "households",
            "population",
            "households_within_walk_before",
            "households_within_walk_after",
            "population_within_walk_before",
            "population_within_walk_after",
        ]
    ].sum()
    for c, key in enumerate(communities[column]):
        row: dict[str, Any] = {"community_id": key}
        if "name" in communities.columns:
            row["community_name"] = communities["name"].iloc[c]
        row.update(sums.loc[key].to_dict() if key in sums.index else dict.fromkeys(sums, 0))
        rows.append(row)
    table = pd.DataFrame(rows)
    for when in ("before", "after"):
        share = table[f"households_within_walk_{when}"] / table["households"].where(
            table["households"] > 0
        )
        table[f"share_within_walk_{when}"] = share.fillna(1.0).round(4)
    table["has_post_before"] = has_before
    table["has_post_after"] = has_after
    return table


def check_positive(value: float, what: str, hint: str) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ConfigError(f"{what} must be a positive number, got {value!r}: {hint}")


def community_names(communities: gpd.GeoDataFrame) -> list[Any]:
    if "name" not in communities.columns:
        return [None] * len(communities)
    return [None if pd.isna(v) else v for v in communities["name"]]


def check_options(
    walk_minutes: float, speed: float, model: str, new: int | None, detour_factor: float
) -> float:
    """Validate the options; return the walk in metres."""
    check_positive(
        walk_minutes, "the walk in minutes", "15 is the 15-minute living circle of GB 50180-2018"
    )
    check_positive(speed, "the walking speed (m/min)", "60 m/min is the planning norm")
    check_positive(detour_factor, "detour_factor", "1.3 is usual for a city street grid")
    if detour_factor < 1:
        raise ConfigError(f"detour_factor must be at least 1, got {detour_factor}")
    if model not in MODELS:
        raise ConfigError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
    if model == "set_cover" and new is not None:
        raise ConfigError(
            "set_cover finds the least number of new posts itself: drop --new, or use "
            "--model coverage or p_median for a given number"
        )
    if model != "set_cover":
        if new is None:
            raise ConfigError(f"the {model} model needs the number of new posts (--new N)")
        if isinstance(new, bool) or not isinstance(new, int | np.integer) or new < 0:
            raise ConfigError(f"the number of new posts must be a whole number ≥ 0, got {new!r}")
    return float(walk_minutes) * float(speed)


def community_service(
    from_centres: np.ndarray,
    n_existing: int,
    walk_m: float,
    keys: Sequence[Any],
    existing_in: Sequence[Any],
    existing_inside: np.ndarray,
    site_keys: Sequence[Any],
    sites_inside: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Which communities have a post before, and which candidates would serve which.

    A community has a post when one is inside it or within the walk of its centre;
    ``from_centres`` holds the walks from the centres to the existing posts, then to
    the candidates. Returns ``has_before`` (communities) and ``serves``
    (communities × candidates).
    """
    key_index = {key: c for c, key in enumerate(keys)}
    has_before = from_centres[:, :n_existing].min(axis=1, initial=np.inf) <= walk_m
    for key, inside in zip(existing_in, existing_inside, strict=True):
        if inside and key in key_index:
            has_before[key_index[key]] = True
    serves = from_centres[:, n_existing:] <= walk_m
    for j, (key, inside) in enumerate(zip(site_keys, sites_inside, strict=True)):
        if inside and key in key_index:
            serves[key_index[key], j] = True
    return has_before, serves
