"""Labels of the print maps placed by priority without overlapping.

Each label is checked against the others with the renderer's text extents: a label
that collides is moved, shrunk, then left out (:func:`place_labels`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from jinfeng_grid.render.style import HALO, INK, agg_renderer

__all__ = ["Label", "place_labels"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Label:
    """A label to place: text at a point in data coordinates.

    Higher ``priority`` is placed first; ``min_size`` is the smallest font size it may
    be shrunk to before it is left out; ``shift`` lets it move up or down by its
    height when its own place is taken (not for road names, which follow
    their road).
    """

    x: float
    y: float
    text: str
    size: float = 8.0
    priority: float = 0.0
    color: str = INK
    weight: str = "normal"
    rotation: float = 0.0
    min_size: float | None = None
    halo: bool = True
    shift: bool = True


def place_labels(
    ax: Axes, labels: Sequence[Label], *, padding_px: float = 2.0, avoid: Sequence[Bbox] = ()
) -> list[Text]:
    """Draw labels that do not overlap: by priority, shrinking or skipping colliders.

    Each label is drawn, measured with the renderer (its window extent) and kept only
    if it lies inside the axes and clear of every label kept before it (and of
    ``avoid``, e.g. the legend); otherwise it is tried just above and just below
    its point (if ``shift``), then at 85 % and 70 % of its size (not below
    ``min_size``), and else removed. Ties in priority keep the given order,
    so the result is deterministic.

    Parameters
    ----------
    ax
        Axes with their final limits.
    labels
        The candidates.
    padding_px
        Clear space kept around each label, in pixels at the figure's dpi.
    avoid
        Display-space boxes no label may cover.

    Returns
    -------
    list of Text
        The labels drawn, in placement order.

    Examples
    --------
    >>> placed = place_labels(ax, [Label(0, 0, "康平\\n2,861户", priority=2861)])  # doctest: +SKIP
    """
    figure = ax.get_figure()
    renderer = agg_renderer(figure)
    ax.apply_aspect()
    frame = ax.get_window_extent(renderer)
    taken: list[Bbox] = [box.padded(padding_px) for box in avoid]
    placed: list[Text] = []
    order = sorted(range(len(labels)), key=lambda i: -labels[i].priority)
    skipped = 0
    for i in order:
        label = labels[i]
        floor = label.min_size if label.min_size is not None else label.size * 0.7
        sizes = [s for s in (label.size, label.size * 0.85, label.size * 0.7) if s >= floor - 1e-9]
        text = ax.text(
            label.x,
            label.y,
            label.text,
            fontsize=label.size,
            color=label.color,
            fontweight=label.weight,
            rotation=label.rotation,
            rotation_mode="anchor",
            ha="center",
            va="center",
            multialignment="center",
            zorder=20,
            clip_on=True,
            path_effects=HALO if label.halo else None,
        )
        anchor = ax.transData.transform((label.x, label.y))
        to_data = ax.transData.inverted()
        done = False
        for size in sizes:
            text.set_fontsize(size)
            text.set_position((label.x, label.y))
            height = text.get_window_extent(renderer).height
            step = height + 2 * padding_px + 1.0  # touching boxes count as overlapping
            shifts = (0.0, step, -step) if label.shift else (0.0,)
            for shift in shifts:
                text.set_position(tuple(to_data.transform(anchor + np.array([0.0, shift]))))
                box = text.get_window_extent(renderer).padded(padding_px)
                inside = (
                    box.x0 >= frame.x0
                    and box.x1 <= frame.x1
                    and box.y0 >= frame.y0
                    and box.y1 <= frame.y1
                )
                if inside and not any(box.overlaps(other) for other in taken):
                    taken.append(box)
                    placed.append(text)
                    done = True
                    break
            if done:
                break
        if not done:
            text.remove()
            skipped += 1
    if skipped:
        logger.debug("labels: %d placed, %d left out where they collided", len(placed), skipped)
    return placed
