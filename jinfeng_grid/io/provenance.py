"""Provenance of a plan: the inputs' SHA-256, the versions, the scenario and the seed."""

from __future__ import annotations

import datetime
import hashlib
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinfeng_grid.errors import InputDataError

if TYPE_CHECKING:
    from jinfeng_grid.config.scenario import Scenario

__all__ = ["file_sha256", "provenance"]


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a file (hex), read in chunks.

    A directory (e.g. a FileGDB ``.gdb``) hashes its files' relative paths and
    contents in sorted order.

    Raises
    ------
    InputDataError
        If the path does not exist or cannot be read.
    """
    path = Path(path)
    digest = hashlib.sha256()
    try:
        if path.is_dir():
            for member in sorted(p for p in path.rglob("*") if p.is_file()):
                digest.update(member.relative_to(path).as_posix().encode("utf-8") + b"\0")
                digest.update(file_sha256(member).encode("ascii"))
            return digest.hexdigest()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except FileNotFoundError as error:
        raise InputDataError(f"cannot hash {path}: it does not exist") from error
    except OSError as error:
        raise InputDataError(f"cannot hash {path}: {error.strerror or error}") from error
    return digest.hexdigest()


_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_PROVENANCE_PACKAGES = ("geopandas", "shapely", "pyogrio", "pyproj", "networkx", "pulp", "highspy")


def _input_files(path: Path) -> list[Path]:
    """A Shapefile is several files; anything else is one."""
    if path.suffix.lower() == ".shp":
        parts = [path.with_suffix(s) for s in _SHAPEFILE_PARTS]
        parts += [path.with_suffix(s.upper()) for s in _SHAPEFILE_PARTS]
        return sorted({p for p in parts if p.is_file()} | {path})
    return [path]


def provenance(
    inputs: Sequence[str | Path],
    *,
    scenario: Scenario,
    seed: int,
    created: str | datetime.datetime | None = None,
) -> dict[str, Any]:
    """What a plan was made from, for ``summary.json``.

    Parameters
    ----------
    inputs
        The input files (a Shapefile brings its ``.shx``, ``.dbf``, ``.prj``,
        ``.cpg``); listed by file name, not by their full path, with their SHA-256.
    scenario
        The scenario (recorded with :meth:`~jinfeng_grid.config.Scenario.to_dict`).
    seed
        The seed the plan was made with.
    created
        When the plan was made; recorded only when given, so that by default the same
        inputs give byte-identical output.

    Returns
    -------
    dict
        ``package``, ``version``, ``python``, ``libraries`` (versions), ``inputs``
        (``name``, ``bytes``, ``sha256`` each), ``scenario``, ``seed`` and, when
        given, ``created``.

    Raises
    ------
    InputDataError
        If an input cannot be read.
    """
    from importlib import metadata

    from jinfeng_grid import __version__

    files: list[dict[str, Any]] = []
    for given in inputs:
        for path in _input_files(Path(given)):
            sha = file_sha256(path)
            size = (
                sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
                if path.is_dir()
                else path.stat().st_size
            )
            files.append({"name": path.name, "bytes": size, "sha256": sha})
    libraries: dict[str, str | None] = {}
    for package in _PROVENANCE_PACKAGES:
        try:
            libraries[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            libraries[package] = None
    record: dict[str, Any] = {
        "package": "jinfeng_grid",
        "version": __version__,
        "python": platform.python_version(),
        "libraries": libraries,
        "inputs": files,
        "scenario": scenario.to_dict(),
        "seed": int(seed),
    }
    if created is not None:
        record["created"] = (
            created.isoformat() if isinstance(created, datetime.datetime) else str(created)
        )
    return record
