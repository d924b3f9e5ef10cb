"""Loading a scenario: a shipped preset by name (``data/presets/*.toml``) or a TOML file."""

from __future__ import annotations

import logging
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from jinfeng_grid.config.columns import ColumnMap
from jinfeng_grid.config.scenario import Scenario
from jinfeng_grid.errors import ConfigError

__all__ = ["load_scenario", "load_scenario_columns", "preset_names"]

logger = logging.getLogger(__name__)

_PRESET_PACKAGE = "jinfeng_grid"
_PRESET_DIR = ("data", "presets")


def _preset_root() -> Any:
    root = resources.files(_PRESET_PACKAGE)
    for part in _PRESET_DIR:
        root = root / part
    return root


def preset_names() -> tuple[str, ...]:
    """Names of the scenario presets shipped with the package, sorted."""
    return tuple(
        sorted(
            entry.name.removesuffix(".toml")
            for entry in _preset_root().iterdir()
            if entry.name.endswith(".toml")
        )
    )


def _is_preset_name(text: str) -> bool:
    return bool(text) and not any(sep in text for sep in ("/", "\\", ".")) and text == text.strip()


def load_scenario(path_or_preset: str | Path | None = None) -> Scenario:
    """Load a scenario: a shipped preset by name, or a TOML file.

    Parameters
    ----------
    path_or_preset
        ``None`` for the ``standard`` preset; a bare name such as ``"reform2020"`` for
        a shipped preset (see :func:`preset_names`); otherwise the path of a TOML file.
        A :class:`~pathlib.Path` is always a file.

    Raises
    ------
    ConfigError
        If the file is missing or not valid TOML, the preset is unknown, or a table
        is malformed: an unknown table or key (the message lists the known ones), a
        value of the wrong kind or out of range.
    """
    if path_or_preset is None:
        path_or_preset = "standard"
    if isinstance(path_or_preset, str) and _is_preset_name(path_or_preset):
        if path_or_preset in preset_names():
            text = (_preset_root() / f"{path_or_preset}.toml").read_text(encoding="utf-8")
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError as error:  # pragma: no cover - shipped files
                raise ConfigError(f"preset {path_or_preset} is not valid TOML: {error}") from error
            scenario = Scenario.from_dict(
                data, source=path_or_preset, name=path_or_preset, _from_file=True
            )
            logger.debug("scenario: preset %s", path_or_preset)
            return scenario
        if not Path(path_or_preset).is_file():
            raise ConfigError(
                f"{path_or_preset!r} is neither a shipped preset ({', '.join(preset_names())}) "
                "nor an existing file: check the name, or give the path of a .toml file"
            )
    path = Path(path_or_preset)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError as error:
        raise ConfigError(f"scenario file {path} does not exist: check the path") from error
    except IsADirectoryError as error:
        raise ConfigError(f"scenario file {path} is a directory: give a .toml file") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"scenario file {path} is not valid TOML: {error}") from error
    scenario = Scenario.from_dict(data, source=str(path), name=path.stem, _from_file=True)
    logger.info("scenario %s: %r", path.name, scenario)
    return scenario


def load_scenario_columns(path: str | Path) -> ColumnMap:
    """The ``[columns]`` mapping of a scenario TOML file (see :func:`load_scenario`)."""
    return load_scenario(path).columns
