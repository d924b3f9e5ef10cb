"""The ``jinfeng-grid`` command.

Each subcommand is registered by a small ``_add_<name>`` function that adds its
parser and sets ``handler``; handlers return the exit code. Errors of the package
(:class:`~jinfeng_grid.errors.JinfengGridError`) become a one-paragraph message on
stderr and their ``exit_code``; never a traceback for bad input.

Exit codes: 0 ok, 1 warnings, 2 bad input, 3 infeasible, 4 solver or time limit
without a plan.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from jinfeng_grid import __version__
from jinfeng_grid.errors import JinfengGridError

__all__ = ["build_parser", "main"]

logger = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]


def _add_demo(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "demo",
        help="validate and summarise the bundled sample district",
        description=(
            "Validate and summarise the bundled synthetic Jinfeng District sample: "
            "households and people per subdistrict and community, and the communities "
            "above the 3,000- and 5,000-household marks."
        ),
        epilog="example: jinfeng-grid demo",
    )
    parser.add_argument(
        "--input",
        default=None,
        help="a GeoPackage laid out like the sample (default: the bundled sample)",
    )
    parser.set_defaults(handler=_run_demo)


def _run_demo(args: argparse.Namespace) -> int:
    from jinfeng_grid import io, report

    path = args.input if args.input is not None else io.sample_path()
    compounds = io.read_layer(path, layer="compounds")
    summary = report.district_summary(compounds)
    sys.stdout.write(report.format_district_summary(summary))
    return 0


_SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [_add_demo]


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of ``jinfeng-grid`` with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="jinfeng-grid",
        description=(
            "Re-draw communities (社区) and grids (网格) of a city district: contiguous, "
            "within household caps, staffed to the norms."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("-v", "--verbose", action="store_true", help="log every stage")
    verbosity.add_argument("-q", "--quiet", action="store_true", help="log errors only")
    sub = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    for add in _SUBCOMMANDS:
        add(sub)
    return parser


def _configure_logging(*, verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.ERROR if quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    package_logger = logging.getLogger("jinfeng_grid")
    package_logger.handlers[:] = [
        h for h in package_logger.handlers if isinstance(h, logging.NullHandler)
    ]
    package_logger.addHandler(handler)
    package_logger.setLevel(level)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    _configure_logging(verbose=args.verbose, quiet=args.quiet)
    handler: Handler = args.handler
    try:
        return handler(args)
    except JinfengGridError as error:
        sys.stderr.write(f"jinfeng-grid {args.command}: {type(error).__name__}: {error}\n")
        return error.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
