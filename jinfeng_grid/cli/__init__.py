"""The ``jinfeng-grid`` command."""

from __future__ import annotations

from jinfeng_grid.cli.main import (
    build_parser,
    main,
)

__all__ = [
    "build_parser",
    "main",
]
