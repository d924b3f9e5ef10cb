"""Shared fixture builders: tiny hand-drawn layers, written to tmp_path by code.

Coordinates are metres in EPSG:4544 (CGCS2000 / 3-degree Gauss-Krüger CM 105°E),
placed near Yinchuan so that a round trip through EPSG:4490 lon/lat lands in the same
working CRS. A *block* is a 100 m square compound; blocks are laid out on a lattice
with 20 m streets between them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely

#: An origin near Yinchuan (106.2°E, 38.5°N) in EPSG:4544.
ORIGIN = (607_000.0, 4_261_000.0)
BLOCK_M = 100.0
STREET_M = 20.0


def block(col: float, row: float, *, size: float = BLOCK_M, street: float = STREET_M) -> Any:
    """The square compound at lattice position (col, row)."""
    x = ORIGIN[0] + col * (size + street)
    y = ORIGIN[1] + row * (size + street)
    return shapely.box(x, y, x + size, y + size)


def frame(records: Sequence[dict[str, Any]], *, crs: Any = "EPSG:4544") -> gpd.GeoDataFrame:
    """A GeoDataFrame from dicts with a ``geometry`` key each."""
    rows = [{k: v for k, v in r.items() if k != "geometry"} for r in records]
    return gpd.GeoDataFrame(rows, geometry=[r["geometry"] for r in records], crs=crs)


def lattice_compounds(cols: int = 3, rows: int = 2, **kwargs: Any) -> gpd.GeoDataFrame:
    """A clean layer of ``cols x rows`` blocks with ids C01.. and names 小区01..."""
    records = []
    for r in range(rows):
        for c in range(cols):
            k = r * cols + c + 1
            records.append(
                {
                    "id": f"C{k:02d}",
                    "name": f"小区{k:02d}",
                    "households": 100 * k,
                    "population": 250 * k,
                    "geometry": block(c, r, **kwargs),
                }
            )
    return frame(records)


@pytest.fixture
def make_block() -> Callable[..., Any]:
    """Factory: ``make_block(col, row, size=100, street=20)`` → a square polygon (EPSG:4544)."""
    return block


@pytest.fixture
def make_frame() -> Callable[..., gpd.GeoDataFrame]:
    """Factory: ``make_frame(records, crs="EPSG:4544")`` → GeoDataFrame."""
    return frame


@pytest.fixture
def make_lattice() -> Callable[..., gpd.GeoDataFrame]:
    """Factory: ``make_lattice(cols, rows)`` → clean compounds C01.. on a block lattice."""
    return lattice_compounds


@pytest.fixture
def write_layer(tmp_path: Path) -> Callable[..., Path]:
    """Factory: ``write_layer(gdf, name, layer=None, driver=None, **kw)`` → path in tmp_path.

    The driver follows the suffix of ``name`` (.gpkg, .shp, .geojson, .fgb); extra
    keywords go to ``GeoDataFrame.to_file`` (e.g. ``encoding="GBK"``).
    """

    def write(gdf: gpd.GeoDataFrame, name: str, *, layer: str | None = None, **kwargs: Any) -> Path:
        path = tmp_path / name
        gdf.to_file(path, layer=layer, engine="pyogrio", **kwargs)
        return path

    return write
