"""Fonts, ink and the print style of the print maps.

Text is set in the bundled subset of Noto Sans CJK SC (``jinfeng_grid/data/fonts``,
SIL Open Font License) so that a machine without Chinese fonts prints no empty
boxes, and the font is embedded in PDFs as TrueType (``pdf.fonttype`` 42): draw and
save figures inside :func:`print_style`.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import matplotlib as mpl
from matplotlib import font_manager
from matplotlib import patheffects as pe
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font

from jinfeng_grid.errors import ConfigError

__all__ = [
    "FONT_FAMILY",
    "GROUND",
    "HALO",
    "INK",
    "agg_renderer",
    "font_path",
    "missing_characters",
    "print_style",
    "warn_missing",
]

logger = logging.getLogger(__name__)

FONT_FAMILY = "Noto Sans SC JG"
"""Family name of the bundled font (a subset of Noto Sans CJK SC)."""
_FONT_FILES = {False: "NotoSansSCJG-Regular.ttf", True: "NotoSansSCJG-Bold.ttf"}

INK = "#1a1a1a"
GROUND = "#f3f1ea"  # land outside the residential compounds
HALO = [pe.withStroke(linewidth=2.2, foreground="white")]


# --- fonts ------------------------------------------------------------------------------


def font_path(*, bold: bool = False) -> Path:
    """Path of the bundled Chinese font (regular or bold TrueType file).

    Raises
    ------
    ConfigError
        If the font files are missing from the installation (a packaging error).
    """
    path = Path(str(resources.files("jinfeng_grid") / "data" / "fonts" / _FONT_FILES[bold]))
    if not path.is_file():
        raise ConfigError(
            f"the bundled font {path.name} is missing from {path.parent}: reinstall "
            "jinfeng_grid (its package data must include data/fonts/*)"
        )
    return path


_registered = False


def _register_fonts() -> None:
    """Add the bundled font files to matplotlib's font list (once)."""
    global _registered
    if _registered:
        return
    for bold in (False, True):
        font_manager.fontManager.addfont(str(font_path(bold=bold)))
    _registered = True


@functools.cache
def _charmap() -> frozenset[int]:
    return frozenset(FT2Font(str(font_path())).get_charmap())


def missing_characters(texts: Iterable[object]) -> dict[str, list[str]]:
    """Characters of ``texts`` that the bundled font lacks, with the texts holding them.

    The font covers GB 2312 (6,763 hanzi), ASCII and punctuation; rarer characters of
    place names (堃, 喆, ...) would print as empty boxes. Rebuild the font with them
    (``scripts/make_cjk_font.py --extra names.txt``) or rename the units.

    Examples
    --------
    >>> missing_characters(["康平", "堃园小区"])
    {'堃': ['堃园小区']}
    """
    covered = _charmap()
    found: dict[str, list[str]] = {}
    for text in texts:
        if not isinstance(text, str):
            continue
        for char in dict.fromkeys(text):
            if not char.isspace() and ord(char) not in covered:
                holders = found.setdefault(char, [])
                if text not in holders:
                    holders.append(text)
    return dict(sorted(found.items()))


_warned: set[str] = set()  # characters already reported in this process


def warn_missing(texts: Iterable[object]) -> None:
    missing = {c: n for c, n in missing_characters(texts).items() if c not in _warned}
    if missing:
        _warned.update(missing)
        shown = "; ".join(f"{char} ({'、'.join(names[:3])})" for char, names in missing.items())
        logger.warning(
            "%d character(s) are not in the bundled font and print as empty boxes: %s; "
            "rebuild the font with them (scripts/make_cjk_font.py --extra) or rename the units",
            len(missing),
            shown,
        )


@contextlib.contextmanager
def print_style() -> Iterator[None]:
    """Settings under which print maps are drawn and saved.

    The bundled font first (then DejaVu Sans for symbols it lacks), TrueType embedding
    in PDF and PostScript (``fonttype`` 42, so text stays text and the font travels
    with the file), an ASCII hyphen-minus for negative numbers. Both drawing and
    saving must happen inside, since the PDF backend reads ``pdf.fonttype`` on save.

    Examples
    --------
    >>> with print_style():  # doctest: +SKIP
    ...     figure = plot_overview(plan)
    ...     figure.savefig("overview.pdf")
    """
    _register_fonts()
    with mpl.rc_context(
        {
            "font.family": [FONT_FAMILY, "DejaVu Sans"],
            "pdf.fonttype": 42,
            "ps.fonttype": 42,
            "axes.unicode_minus": False,
            "hatch.linewidth": 0.5,
            "savefig.dpi": 300,
        }
    ):
        yield


def agg_renderer(figure: Figure) -> Any:
    """The Agg renderer of ``figure`` (attached first when it has none): text extents."""
    if not isinstance(figure.canvas, FigureCanvasAgg):
        FigureCanvasAgg(figure)
    return figure.canvas.get_renderer()
