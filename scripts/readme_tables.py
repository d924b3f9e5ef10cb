"""Write the README's generated tables: the standards table and the performance tables.

The README holds blocks between markers such as ``<!-- standards:start -->`` and
``<!-- standards:end -->``; this script replaces what lies between them.

- ``standards``: from :func:`jinfeng_grid.standards.standards_table` (deterministic;
  ``tests/test_readme.py`` checks that the README matches it).
- ``performance``: the markdown tables the benchmark scripts wrote (each beside its
  JSON), in this order when present: the partition benchmark against GerryChain
  (``peers.md``), the district plan against the peers (``bench_plan.md``), posts
  (``bench_posts.md``) and staff assignment (``bench_assign.md``). Run the benchmarks
  first (see scripts/README.md), then::

      python scripts/readme_tables.py --performance bench_out

``--check`` writes nothing and exits 1 when the README differs from what would be
written.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"

#: Benchmark tables, in README order: file name → heading.
PERFORMANCE_TABLES = {
    "peers.md": "Partition benchmark (US county graphs, ±0.5%), ours beside GerryChain ReCom",
    "bench_plan.md": "The sample district planned, beside spopt and GerryChain",
    "bench_posts.md": "Siting police rooms and health stations on the sample plan",
    "bench_assign.md": "Assigning the sample roster to the default plan",
}


def standards_markdown() -> str:
    """The shipped standards as a markdown table (key, range, unit, source, confidence)."""
    from jinfeng_grid.standards import standards_table

    table = standards_table()
    lines = [
        "| key | value | unit | what | source | confidence |",
        "|---|---|---|---|---|---|",
    ]
    for row in table.itertuples(index=False):
        low, high = _number(row.minimum), _number(row.maximum)
        value = low if low == high else f"{low}–{high}"
        lines.append(
            f"| `{row.key}` | {value} | {row.unit} | {row.description} | {row.source} "
            f"| {row.confidence} |"
        )
    return "\n".join(lines)


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


#: Paths of the machine the benchmarks ran on: they do not belong in the README.
_MACHINE_PATH = re.compile(r"(?<![\w.])/(?:tmp|home|root|work|Users|var|mnt)/[^\s`)\]]*")


def _clean(text: str) -> str:
    """A benchmark's markdown without machine paths and without headings of its own."""
    text = _MACHINE_PATH.sub("(a local directory)", text)
    lines = [
        f"**{line.lstrip('#').strip()}**" if line.startswith("#") else line
        for line in text.splitlines()
    ]
    return "\n".join(lines).strip()


def performance_markdown(bench_dir: Path) -> str:
    """The benchmark tables found in ``bench_dir``, each under its heading."""
    parts = []
    for name, heading in PERFORMANCE_TABLES.items():
        path = bench_dir / name
        if path.is_file():
            parts.append(f"**{heading}** (`{name}`)\n\n{_clean(path.read_text(encoding='utf-8'))}")
    if not parts:
        raise SystemExit(
            f"no benchmark tables ({', '.join(PERFORMANCE_TABLES)}) in {bench_dir}: run the "
            "benchmarks first (scripts/README.md)"
        )
    return "\n\n".join(parts)


def replace_block(text: str, name: str, body: str) -> str:
    """Replace the text between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start not in text or end not in text:
        raise SystemExit(f"README.md has no {start} ... {end} block")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readme", type=Path, default=README)
    parser.add_argument(
        "--performance", type=Path, metavar="BENCH_DIR", help="also write the benchmark tables"
    )
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    new = replace_block(text, "standards", standards_markdown())
    if args.performance is not None:
        new = replace_block(new, "performance", performance_markdown(args.performance))
    if args.check:
        if new != text:
            sys.stderr.write(f"{args.readme} is out of date: run scripts/readme_tables.py\n")
            return 1
        return 0
    args.readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
