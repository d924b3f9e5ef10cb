"""Writing the print maps of a plan: the overview and the before/after pair as PDF and PNG.

The maps are drawn by :mod:`~jinfeng_grid.render.cartography` and
:mod:`~jinfeng_grid.render.before_after`; this module saves them inside the print style
(vector PDF with the font embedded, 300-dpi PNG). The approval package writes its
maps through it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from jinfeng_grid import io
from jinfeng_grid.plan.value import Plan
from jinfeng_grid.render.before_after import plot_before_after
from jinfeng_grid.render.cartography import plot_overview
from jinfeng_grid.render.page import MapInfo, Paper, map_info
from jinfeng_grid.render.style import print_style

__all__ = ["changed_communities", "print_maps", "save_figure"]


def changed_communities(plan: Plan) -> pd.DataFrame:
    """The plan's communities that are not ``unchanged``, by ``community_id``."""
    communities = plan.communities
    if "unchanged" in communities.columns:
        communities = communities[~communities["unchanged"].astype(bool)]
    return communities.sort_values("community_id", kind="stable")


def save_figure(figure: Figure, path: Path, *, dpi: int = 300) -> Path:
    """Save a print map or page inside the print style (PDF: reproducible metadata)."""
    metadata = {"Creator": "jinfeng_grid", "CreationDate": None} if path.suffix == ".pdf" else None
    with print_style():
        return io.write_print_figure(figure, path, dpi=dpi, metadata=metadata)


def print_maps(
    plan: Plan,
    out_dir: Path,
    *,
    paper: Paper = "A3",
    info: MapInfo | None = None,
    png: bool = True,
) -> tuple[dict[str, Path], list[Figure]]:
    """Write the overview and (when the plan knows the current communities) the
    before/after pair as PDF, and PNG when ``png``; return name → path and the figures.

    A few changed communities (a split) are framed in the before/after pair; a district
    re-plan is not.
    """
    info = info if info is not None else map_info(plan)
    written: dict[str, Path] = {}
    figures: list[Figure] = []
    with print_style():
        overview = plot_overview(plan, paper=paper, info=info)
        figures.append(overview)
        written["overview.pdf"] = save_figure(overview, out_dir / "overview.pdf")
        if png:
            written["overview.png"] = save_figure(overview, out_dir / "overview.png")
        if "community" in plan.compounds.columns:
            changed = changed_communities(plan)
            focus = (
                changed["community_id"].astype(str).tolist()
                if 0 < len(changed) <= len(plan.communities) / 3
                else None
            )
            pair = plot_before_after(plan, paper=paper, info=info, focus=focus)
            figures.append(pair)
            written["before_after.pdf"] = save_figure(pair, out_dir / "before_after.pdf")
            if png:
                written["before_after.png"] = save_figure(pair, out_dir / "before_after.png")
    return written, figures
