"""Make the Chinese font bundled with jinfeng_grid (``jinfeng_grid/data/fonts``).

The print maps need a font with Chinese glyphs on any machine, and the PDF must embed
it. matplotlib embeds TrueType fonts (``pdf.fonttype`` 42) well but not the CFF
outlines of Noto Sans CJK / Source Han Sans, and the whole font is 16–20 MB; so this
script takes Noto Sans CJK SC (SIL Open Font License 1.1), keeps the characters of
GB 2312 (6,763 hanzi and its 682 symbols), ASCII, Latin-1, general and CJK
punctuation, full-width forms and the characters of the bundled sample data,
converts the cubic CFF outlines to quadratic TrueType outlines, renames the family
(a modified version under the OFL) and writes a small ``.ttf`` per weight. The output
is byte-for-byte reproducible from the same source font and fontTools version.

Usage::

    python scripts/make_cjk_font.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
        /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc --out jinfeng_grid/data/fonts

``--extra NAMES.txt`` adds the characters of a text file (rare characters of local
place names, which GB 2312 lacks: 堃, 喆, ...).

The sources are ``NotoSansCJK-<Weight>.ttc`` (Debian ``fonts-noto-cjk``; the face
named "Noto Sans CJK SC" is used) or ``NotoSansCJKsc-<Weight>.otf`` from
https://github.com/notofonts/noto-cjk. The licence file ``OFL.txt`` beside the
fonts is kept in the repository; it must travel with them.
"""

from __future__ import annotations

import argparse
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

FAMILY = "Noto Sans SC JG"
"""Family name of the subset (``JG`` for jinfeng_grid: a modified version)."""
POSTSCRIPT = "NotoSansSCJG"
SOURCE_FAMILY = "Noto Sans CJK SC"
MAX_ERROR = 1.0  # font units (of 1,000 per em): cubic → quadratic approximation error
SAMPLE = Path(__file__).resolve().parents[1] / "sample_geodata" / "jinfeng.gpkg"


def gb2312() -> set[str]:
    """Every character of GB 2312 (rows 0xA1–0xF7, cells 0xA1–0xFE)."""
    chars: set[str] = set()
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def ranges(*spans: tuple[int, int]) -> set[str]:
    """Characters of inclusive code-point ranges."""
    return {chr(c) for start, end in spans for c in range(start, end + 1)}


def sample_text(path: Path) -> set[str]:
    """Characters of every text value of the sample GeoPackage (names of places)."""
    if not path.is_file():
        return set()
    chars: set[str] = set()
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        tables = [row[0] for row in db.execute("SELECT table_name FROM gpkg_contents ORDER BY 1")]
        for table in tables:
            columns = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                for (value,) in db.execute(f'SELECT "{column}" FROM "{table}"'):
                    if isinstance(value, str):
                        chars.update(value)
    return chars


def wanted_characters(extra: str = "") -> set[str]:
    """The character set of the bundled font (plus the characters of ``extra``)."""
    return set(extra) - set(" \t\r\n") | (
        gb2312()
        | ranges(
            (0x20, 0x7E),  # ASCII
            (0xA0, 0xFF),  # Latin-1 (°, ×, ·, ±, ²)
            (0x2010, 0x2027),  # dashes, quotes, ellipsis, bullet
            (0x2030, 0x203B),  # per mille, primes, reference mark
            (0x2160, 0x216B),  # Roman numerals Ⅰ–Ⅻ
            (0x2190, 0x2199),  # arrows
            (0x2460, 0x2473),  # ①–⑳
            (0x25A0, 0x25CF),  # squares, triangles, circles (legends)
            (0x3000, 0x303F),  # CJK punctuation: 、。〈〉《》「」【】〔〕
            (0xFF01, 0xFF5E),  # full-width forms
        )
        | {"\u2212", "\u2116", "\u2103", "\u33a1"}  # minus, №, ℃, ㎡
        | sample_text(SAMPLE)
    )


def load_face(path: Path) -> TTFont:
    """The Simplified Chinese face of a ``.ttc`` collection, or the font of an ``.otf``."""
    if path.suffix.lower() in {".ttc", ".otc"}:
        for font in TTCollection(str(path)).fonts:
            if font["name"].getDebugName(1) == SOURCE_FAMILY:
                return font
        raise SystemExit(f"{path} has no face named {SOURCE_FAMILY!r}")
    return TTFont(str(path))


def subset_font(font: TTFont, chars: Iterable[str]) -> None:
    """Keep only ``chars`` (and .notdef); drop layout and vertical tables matplotlib ignores."""
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    options.drop_tables += ["GSUB", "GPOS", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars))
    subsetter.subset(font)


def cff_to_truetype(font: TTFont) -> None:
    """Replace the cubic CFF outlines by quadratic ``glyf`` outlines, in place."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        # CFF contours run counter-clockwise, TrueType contours clockwise
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERROR, reverse_direction=True))
        glyphs[name] = pen.glyph()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for key in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, key, 0)
    maxp.maxZones = 1
    maxp.numGlyphs = len(order)
    font["maxp"] = maxp
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font: TTFont, weight: str) -> None:
    """Give the modified font its own names (the OFL asks modified versions to)."""
    full = f"{FAMILY} {weight}" if weight != "Regular" else FAMILY
    postscript = f"{POSTSCRIPT}-{weight}"
    version = font["name"].getDebugName(5) or ""
    names = {
        1: FAMILY,
        2: weight,
        3: f"{postscript};subset of {SOURCE_FAMILY} {version}",
        4: full,
        6: postscript,
        16: FAMILY,
        17: weight,
    }
    table = font["name"]
    for record in list(table.names):
        if record.nameID in names or record.nameID in (16, 17, 21, 22):
            table.removeNames(nameID=record.nameID)
    for name_id, text in names.items():
        table.setName(text, name_id, 3, 1, 0x409)
        table.setName(text, name_id, 1, 0, 0)
    table.setName(
        f"{table.getDebugName(13)} Subset of {SOURCE_FAMILY} made by scripts/make_cjk_font.py "
        "of jinfeng_grid: GB 2312, ASCII, punctuation; outlines converted to TrueType.",
        13,
        3,
        1,
        0x409,
    )


def make(source: Path, out_dir: Path, *, extra: str = "") -> Path:
    """Subset, convert and rename one weight; return the written ``.ttf``."""
    font = load_face(source)
    weight = font["name"].getDebugName(2) or "Regular"
    subset_font(font, wanted_characters(extra))
    cff_to_truetype(font)
    rename(font, weight)
    font.recalcTimestamp = False  # keep the source's dates: reproducible bytes
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{POSTSCRIPT}-{weight}.ttf"
    font.save(str(path))
    check = TTFont(str(path))
    print(
        f"wrote {path}: {len(check.getBestCmap())} characters, "
        f"{len(check.getGlyphOrder())} glyphs, {path.stat().st_size / 1e6:.2f} MB"
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", nargs="+", type=Path, help="Noto Sans CJK .ttc/.otf files")
    parser.add_argument("--out", type=Path, default=Path("jinfeng_grid/data/fonts"))
    parser.add_argument(
        "--extra",
        type=Path,
        default=None,
        metavar="NAMES.txt",
        help="a UTF-8 text file whose characters are added (rare characters of local names)",
    )
    args = parser.parse_args()
    extra = args.extra.read_text(encoding="utf-8") if args.extra is not None else ""
    for source in args.sources:
        make(source, args.out, extra=extra)


if __name__ == "__main__":
    main()
