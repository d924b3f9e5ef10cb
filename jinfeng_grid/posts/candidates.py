"""Candidate sites for new posts: the main gate of every compound and community centres.

Candidates within ``dedupe_m`` of another candidate or of an existing post are dropped.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from jinfeng_grid.errors import ConfigError
from jinfeng_grid.posts import network as net

__all__ = ["candidate_sites"]

logger = logging.getLogger(__name__)


def candidate_sites(
    compounds: gpd.GeoDataFrame,
    *,
    roads: gpd.GeoDataFrame | gpd.GeoSeries | None,
    communities: gpd.GeoDataFrame | None = None,
    existing: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    gates: Literal["main", "all", "none"] = "main",
    dedupe_m: float = 5.0,
    gate_reach_m: float = 30.0,
    id_column: str = "compound_id",
    community_column: str = "community_id",
) -> gpd.GeoDataFrame:
    """Generate candidate sites: compound gates and community centres.

    Parameters
    ----------
    compounds
        Compound polygons with ``id_column`` and ``community_column``.
    roads
        Street lines for the gates (none: no gate candidates).
    communities
        Community polygons with ``community_column``: a representative point of each
        is a candidate (``None``: none).
    existing
        Existing posts: candidates within ``dedupe_m`` of one are dropped.
    gates
        ``main``: one gate per compound, on its longest frontage; ``all``: every gate;
        ``none``: no gates.
    dedupe_m
        Of candidates closer than this, the first (gates before centres) is kept.

    Returns
    -------
    GeoDataFrame
        ``candidate_id`` (``G:<compound>:<k>``, ``K:<community>``), ``source``
        (``gate``/``centre``), ``compound_id``, ``community_id``, point geometry.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> compounds = gpd.GeoDataFrame({"compound_id": ["A"], "community_id": ["K1"]},
    ...     geometry=[shapely.box(0, 10, 100, 110)], crs=4544)
    >>> roads = gpd.GeoSeries([shapely.LineString([(-50, 0), (150, 0)])], crs=4544)
    >>> candidate_sites(compounds, roads=roads)[["candidate_id", "source"]].values.tolist()
    [['G:A:0', 'gate']]
    """
    if gates not in ("main", "all", "none"):
        raise ConfigError(f"gates must be 'main', 'all' or 'none', got {gates!r}")
    found = None
    if gates != "none" and roads is not None and len(roads):
        road_geoms = np.asarray(roads.to_crs(compounds.crs).geometry.values, dtype=object)
        found = net.compound_gates(
            np.asarray(compounds.geometry.values, dtype=object), road_geoms, reach_m=gate_reach_m
        )
    return _candidates(
        compounds,
        found,
        communities=communities,
        existing=existing,
        gates=gates,
        dedupe_m=dedupe_m,
        id_column=id_column,
        community_column=community_column,
    )


def _candidates(
    compounds: gpd.GeoDataFrame,
    found: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    *,
    communities: gpd.GeoDataFrame | None,
    existing: gpd.GeoDataFrame | gpd.GeoSeries | None,
    gates: str,
    dedupe_m: float,
    id_column: str,
    community_column: str,
) -> gpd.GeoDataFrame:
    """:func:`candidate_sites` from gates already found (points, owner, frontage)."""
    rows: list[dict[str, Any]] = []
    if found is not None and gates != "none":
        points, owner, frontage = found
        for k in range(len(points)):
            rows.append({"owner": owner[k], "frontage": frontage[k], "geometry": points[k]})
        if gates == "main" and rows:
            frame = pd.DataFrame(rows).reset_index()
            frame = frame.sort_values(["owner", "frontage", "index"], ascending=[True, False, True])
            rows = frame.drop_duplicates("owner").sort_values("index").to_dict("records")
        seen: dict[int, int] = {}
        for row in rows:
            record = compounds.iloc[int(row["owner"])]
            k = seen[row["owner"]] = seen.get(row["owner"], -1) + 1
            row.update(
                candidate_id=f"G:{record[id_column]}:{k}",
                source="gate",
                compound_id=record[id_column],
                community_id=record[community_column],
            )
    if communities is not None:
        centres = net.points_of(communities.to_crs(compounds.crs).geometry.values)
        for key, point in zip(communities[community_column], centres, strict=True):
            rows.append(
                {
                    "candidate_id": f"K:{key}",
                    "source": "centre",
                    "compound_id": None,
                    "community_id": key,
                    "geometry": point,
                }
            )
    columns = ["candidate_id", "source", "compound_id", "community_id"]
    frame = gpd.GeoDataFrame(
        [{c: r[c] for c in columns} for r in rows],
        columns=columns,
        geometry=[r["geometry"] for r in rows],
        crs=compounds.crs,
    )
    blockers = None
    if existing is not None:
        blockers = net.points_of(existing.to_crs(compounds.crs).geometry.values)
    keep = net.dedupe_points(np.asarray(frame.geometry.values, dtype=object), dedupe_m, blockers)
    if not keep.all():
        logger.info("candidates: %d within %.0f m of another site dropped", (~keep).sum(), dedupe_m)
    return frame[keep].reset_index(drop=True)
