"""The column mapping of the input layers: which user column holds each canonical key.

A scenario's ``[columns]`` table maps the compounds' keys directly and the other
layers' keys in sub-tables (``[columns.buildings]``, ...); on the command line the same
mapping is ``--column households=户数`` (compounds) and ``--column
buildings.households=户数`` (other layers), parsed by :func:`parse_column_flags`.
:data:`LAYER_KEYS` and :data:`REQUIRED_KEYS` are the input schema that
:mod:`jinfeng_grid.io.read` resolves the columns against.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from jinfeng_grid.errors import ConfigError

__all__ = [
    "LAYER_KEYS",
    "LAYER_KINDS",
    "REQUIRED_KEYS",
    "ColumnMap",
    "LayerColumns",
    "LayerKind",
    "parse_column_flags",
]

LayerKind = Literal["compounds", "buildings", "roads", "facilities"]

LAYER_KINDS: tuple[LayerKind, ...] = ("compounds", "buildings", "roads", "facilities")

#: Canonical field keys of each layer, in the order they are reported.
LAYER_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "compounds": (
            "id",
            "name",
            "households",
            "population",
            "subdistrict",
            "community",
            "grid",
            "locked",
        ),
        "buildings": ("id", "compound_id", "households", "population", "grid"),
        "roads": ("name", "class"),
        "facilities": ("id", "kind", "name"),
    }
)

#: Keys a layer cannot do without; the others are optional.
REQUIRED_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "compounds": ("id", "households", "population"),
        "buildings": ("id", "compound_id", "households"),
        "roads": ("class",),
        "facilities": ("id", "kind"),
    }
)


def _check_kind(kind: str) -> None:
    if kind not in LAYER_KEYS:
        raise ConfigError(
            f"unknown layer {kind!r} in the column mapping: use one of {', '.join(LAYER_KINDS)}"
        )


@dataclass(frozen=True)
class LayerColumns:
    """Which user column holds each canonical key of one layer.

    Parameters
    ----------
    kind
        ``"compounds"``, ``"buildings"``, ``"roads"`` or ``"facilities"``.
    names
        Pairs ``(key, column)``; keys not given are looked up by their canonical
        name and common aliases when the layer is read.
    """

    kind: str
    names: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        _check_kind(self.kind)
        allowed = LAYER_KEYS[self.kind]
        seen: set[str] = set()
        for key, column in self.names:
            if key not in allowed:
                raise ConfigError(
                    f"unknown {self.kind} column key {key!r}: the keys are {', '.join(allowed)}"
                )
            if key in seen:
                raise ConfigError(f"{self.kind} column key {key!r} is mapped twice")
            if not isinstance(column, str) or not column.strip():
                raise ConfigError(
                    f"{self.kind} column key {key!r} must map to a column name, got {column!r}"
                )
            seen.add(key)
        # a canonical order makes equal mappings compare equal
        order = {key: i for i, key in enumerate(allowed)}
        object.__setattr__(self, "names", tuple(sorted(self.names, key=lambda kv: order[kv[0]])))

    @classmethod
    def from_mapping(cls, kind: str, mapping: Mapping[str, str] | None = None) -> LayerColumns:
        """Build from a ``{key: column}`` mapping (``None`` maps nothing)."""
        return cls(kind, tuple((mapping or {}).items()))

    def as_dict(self) -> dict[str, str]:
        """The mapping as a plain ``{key: column}`` dict."""
        return dict(self.names)

    def get(self, key: str) -> str | None:
        """The user's column for ``key``, or ``None`` when it is not mapped."""
        return self.as_dict().get(key)

    def merged(self, override: LayerColumns) -> LayerColumns:
        """A mapping where the keys of ``override`` win."""
        if override.kind != self.kind:
            raise ConfigError(f"cannot merge {override.kind} columns into {self.kind} columns")
        return LayerColumns.from_mapping(self.kind, self.as_dict() | override.as_dict())

    def __repr__(self) -> str:
        inner = ", ".join(f"{key}={column!r}" for key, column in self.names)
        return f"<LayerColumns {self.kind}: {inner or 'defaults'}>"


# LayerColumns is immutable, so one empty mapping per layer can be the shared default
_UNMAPPED_COMPOUNDS = LayerColumns("compounds")
_UNMAPPED_BUILDINGS = LayerColumns("buildings")
_UNMAPPED_ROADS = LayerColumns("roads")
_UNMAPPED_FACILITIES = LayerColumns("facilities")


@dataclass(frozen=True)
class ColumnMap:
    """The column mapping of every layer."""

    compounds: LayerColumns = _UNMAPPED_COMPOUNDS
    buildings: LayerColumns = _UNMAPPED_BUILDINGS
    roads: LayerColumns = _UNMAPPED_ROADS
    facilities: LayerColumns = _UNMAPPED_FACILITIES

    def __post_init__(self) -> None:
        for kind in LAYER_KINDS:
            value = getattr(self, kind)
            if not isinstance(value, LayerColumns) or value.kind != kind:
                raise ConfigError(f"ColumnMap.{kind} must be LayerColumns({kind!r}, ...)")

    def layer(self, kind: str) -> LayerColumns:
        """The mapping of one layer."""
        _check_kind(kind)
        return getattr(self, kind)

    def merged(self, override: ColumnMap) -> ColumnMap:
        """A mapping where every key given in ``override`` wins (flags over the file)."""
        return ColumnMap(
            **{kind: self.layer(kind).merged(override.layer(kind)) for kind in LAYER_KINDS}
        )

    @classmethod
    def from_table(cls, table: Mapping[str, Any], *, source: str = "[columns]") -> ColumnMap:
        """Build from a TOML ``[columns]`` table (sub-tables for the other layers).

        Raises
        ------
        ConfigError
            On an unknown key or sub-table, or a value that is not a column name.
        """
        if not isinstance(table, Mapping):
            raise ConfigError(f'{source} must be a table of key = "column name" pairs')
        layers: dict[str, dict[str, str]] = {kind: {} for kind in LAYER_KINDS}
        for key, value in table.items():
            if isinstance(value, Mapping):
                if key not in LAYER_KINDS or key == "compounds":
                    raise ConfigError(
                        f"unknown table {source[:-1]}.{key}]: the layer tables are "
                        "[columns.buildings], [columns.roads], [columns.facilities] "
                        "(compound columns go directly under [columns])"
                    )
                for sub_key, sub_value in value.items():
                    layers[key][sub_key] = _column_name(
                        sub_value, f"{source[:-1]}.{key}].{sub_key}"
                    )
            else:
                layers["compounds"][key] = _column_name(value, f"{source}.{key}")
        return cls(**{kind: LayerColumns.from_mapping(kind, layers[kind]) for kind in LAYER_KINDS})

    def __repr__(self) -> str:
        mapped = [
            f"{kind}: {', '.join(f'{k}={v!r}' for k, v in self.layer(kind).names)}"
            for kind in LAYER_KINDS
            if self.layer(kind).names
        ]
        return f"<ColumnMap {'; '.join(mapped) or 'defaults'}>"


def _column_name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} must be a column name in quotes, got {value!r}")
    return value


def parse_column_flags(flags: Iterable[str]) -> ColumnMap:
    """Parse repeated ``--column KEY=NAME`` / ``--column LAYER.KEY=NAME`` flags.

    A bare key is a compounds key; ``buildings.households=户数`` maps a key of another
    layer. A later flag for the same key wins.

    Raises
    ------
    ConfigError
        On a flag without ``=``, an unknown layer or an unknown key.
    """
    layers: dict[str, dict[str, str]] = {kind: {} for kind in LAYER_KINDS}
    for flag in flags:
        key, sep, column = flag.partition("=")
        key, column = key.strip(), column.strip()
        if not sep or not key or not column:
            raise ConfigError(
                f"--column {flag!r} is not KEY=NAME: write e.g. --column households=户数 "
                "or --column buildings.households=户数"
            )
        kind, dot, sub_key = key.partition(".")
        if not dot:
            kind, sub_key = "compounds", key
        _check_kind(kind)
        layers[kind][sub_key] = column
    return ColumnMap(
        **{kind: LayerColumns.from_mapping(kind, layers[kind]) for kind in LAYER_KINDS}
    )
