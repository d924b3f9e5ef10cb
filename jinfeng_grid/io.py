"""Reading and writing data files: the only module that opens them."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import pyogrio

from jinfeng_grid.errors import InputDataError

__all__ = ["read_layer", "sample_path"]

logger = logging.getLogger(__name__)

_SAMPLE_RELATIVE = Path("sample_geodata") / "jinfeng.gpkg"


def sample_path() -> Path:
    """Return the path of the bundled sample district (``sample_geodata/jinfeng.gpkg``).

    The sample lives in the repository beside the package; it is found from the
    current directory (the repository root, as in the README) or next to the
    package source (an editable install).

    Raises
    ------
    InputDataError
        If neither place holds the sample.
    """
    candidates = [
        Path.cwd() / _SAMPLE_RELATIVE,
        Path(__file__).resolve().parents[1] / _SAMPLE_RELATIVE,
    ]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise InputDataError(
        f"the bundled sample {_SAMPLE_RELATIVE.as_posix()} was not found in the current "
        "directory or beside the package: run the command from the repository root, or "
        "pass your own file with --input"
    )


def read_layer(path: str | Path, *, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read one layer of a vector file as it is (no column mapping, no reprojection).

    Parameters
    ----------
    path
        Any file pyogrio reads (GeoPackage, Shapefile, GeoJSON, FlatGeobuf, ...).
    layer
        Layer name for multi-layer files; ``None`` reads the first layer.

    Raises
    ------
    InputDataError
        If the file does not exist, cannot be read, or has no such layer (the
        message lists the layers it has).
    """
    path = Path(path)
    if not path.exists():
        raise InputDataError(f"input file {path} does not exist: check the path")
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as error:  # pyogrio raises several types for unreadable files
        raise InputDataError(f"cannot read {path} as a vector file: {error}") from error
    if layer is not None and layer not in layers:
        raise InputDataError(
            f"{path} has no layer {layer!r}; its layers are: {', '.join(layers)}: "
            "choose one with --layer"
        )
    frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    logger.info("read %s: layer %s, %d rows", path.name, layer or layers[0], len(frame))
    return frame
