"""The ``jinfeng-grid`` command: the parser, logging and the dispatch to a command.

Each command lives in a module of its own in :mod:`jinfeng_grid.cli` whose
``add_<name>`` function adds its parser and sets ``handler``; handlers return the
exit code. Errors of the package (:class:`~jinfeng_grid.errors.JinfengGridError`)
become a one-paragraph message on stderr and the exit code of their kind
(:func:`~jinfeng_grid.cli.exit_codes.exit_code_for`); never a traceback for bad input.

Exit codes: 0 ok, 1 warnings, 2 bad input, 3 infeasible, 4 solver or time limit
without a result, 5 a result that failed its own audit.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from jinfeng_grid import __version__
from jinfeng_grid.cli.assign import add_assign
from jinfeng_grid.cli.demo import add_demo
from jinfeng_grid.cli.exit_codes import EXIT_BAD_INPUT, exit_code_for
from jinfeng_grid.cli.graph import add_graph
from jinfeng_grid.cli.package import add_package
from jinfeng_grid.cli.plan import add_plan
from jinfeng_grid.cli.posts import add_posts
from jinfeng_grid.cli.render import add_render
from jinfeng_grid.cli.split import add_split
from jinfeng_grid.cli.staff import add_staff
from jinfeng_grid.cli.validate import add_validate
from jinfeng_grid.errors import JinfengGridError

__all__ = ["build_parser", "main"]

Handler = Callable[[argparse.Namespace], int]


_SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    add_plan,
    add_split,
    add_demo,
    add_validate,
    add_graph,
    add_staff,
    add_assign,
    add_render,
    add_posts,
    add_package,
]


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
    verbosity.add_argument(
        "-q", "--quiet", action="store_true", help="log errors only, no progress bars"
    )
    sub = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    for add in _SUBCOMMANDS:
        add(sub)
    for command in sub.choices.values():
        # -q/-v are accepted after the subcommand too; SUPPRESS keeps the value given
        # before it when they are not repeated
        group = command.add_mutually_exclusive_group()
        group.add_argument(
            "-v",
            "--verbose",
            action="store_true",
            default=argparse.SUPPRESS,
            help="log every stage",
        )
        group.add_argument(
            "-q",
            "--quiet",
            action="store_true",
            default=argparse.SUPPRESS,
            help="log errors only, no progress bars",
        )
    return parser


def _configure_logging(*, verbose: bool, quiet: bool) -> None:
    # the default shows warnings (and progress bars); -v every stage; -q errors only
    level = logging.INFO if verbose else logging.ERROR if quiet else logging.WARNING
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
        return EXIT_BAD_INPUT
    _configure_logging(verbose=args.verbose, quiet=args.quiet)
    handler: Handler = args.handler
    try:
        return handler(args)
    except JinfengGridError as error:
        sys.stderr.write(f"jinfeng-grid {args.command}: {type(error).__name__}: {error}\n")
        return exit_code_for(error)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
