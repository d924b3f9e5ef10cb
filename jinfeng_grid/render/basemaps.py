"""Basemaps of the interactive map: tile layers of OpenStreetMap, 天地图 and 高德.

:func:`resolve_basemap` names the tile layers of a basemap and whether the data must
be shifted to GCJ-02 (AMap/Gaode) or the page holds the Tianditu key.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from jinfeng_grid.errors import ConfigError

__all__ = ["BASEMAPS", "TIANDITU_KEY_ENV", "Basemap", "resolve_basemap"]

BASEMAPS: tuple[str, ...] = ("osm", "tianditu", "amap")
"""Basemaps :func:`build_plan_map` draws on."""

TIANDITU_KEY_ENV = "TIANDITU_KEY"
"""Environment variable holding the Tianditu (天地图) key."""


@dataclass(frozen=True)
class _Tiles:
    name: str
    url: str
    attribution: str
    subdomains: str
    overlay: bool = False


@dataclass(frozen=True)
class Basemap:
    """Tile layers of a basemap and whether data must be shifted to GCJ-02."""

    key: str
    tiles: tuple[_Tiles, ...]
    gcj02: bool
    holds_key: bool = False


_TIANDITU = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}"
)
_TIANDITU_ATTR = '&copy; <a href="https://www.tianditu.gov.cn">天地图 Tianditu</a>'
_AMAP_ATTR = '&copy; <a href="https://www.amap.com">高德地图 AMap</a>'
_OSM_ATTR = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


def resolve_basemap(name: str, *, environ: Mapping[str, str] | None = None) -> Basemap:
    """The tile layers of basemap ``name`` (``osm``, ``tianditu`` or ``amap``).

    Raises
    ------
    ConfigError
        For an unknown name, or ``tianditu`` without a key in ``TIANDITU_KEY``.
    """
    environ = os.environ if environ is None else environ
    key = str(name).strip().lower()
    if key == "osm":
        tiles = (
            _Tiles(
                "OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", _OSM_ATTR, "abc"
            ),
        )
        return Basemap("osm", tiles, gcj02=False)
    if key == "tianditu":
        token = environ.get(TIANDITU_KEY_ENV, "").strip()
        if not token:
            raise ConfigError(
                f"the tianditu basemap needs a Tianditu key in the environment variable "
                f"{TIANDITU_KEY_ENV} (get a browser-side key, 浏览器端, at "
                f"https://console.tianditu.gov.cn and run e.g. `export {TIANDITU_KEY_ENV}=...`); "
                "or use --basemap osm"
            )
        if not re.fullmatch(r"[0-9A-Za-z]+", token):
            raise ConfigError(
                f"{TIANDITU_KEY_ENV} does not look like a Tianditu key (letters and digits "
                "only): check the variable"
            )

        def layer(code: str) -> str:
            return _TIANDITU.format(layer=code, key=token, s="{s}", z="{z}", x="{x}", y="{y}")

        tiles = (
            _Tiles("天地图矢量 Tianditu map", layer("vec"), _TIANDITU_ATTR, "01234567"),
            _Tiles("天地图影像 Tianditu imagery", layer("img"), _TIANDITU_ATTR, "01234567"),
            _Tiles(
                "天地图注记 Tianditu labels", layer("cva"), _TIANDITU_ATTR, "01234567", overlay=True
            ),
        )
        return Basemap("tianditu", tiles, gcj02=False, holds_key=True)
    if key == "amap":
        tiles = (
            _Tiles(
                "高德地图 AMap",
                "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
                "&x={x}&y={y}&z={z}",
                _AMAP_ATTR,
                "1234",
            ),
            _Tiles(
                "高德影像 AMap imagery",
                "https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}",
                _AMAP_ATTR,
                "1234",
            ),
        )
        return Basemap("amap", tiles, gcj02=True)
    raise ConfigError(f"unknown basemap {name!r}: use one of {', '.join(BASEMAPS)}")
