"""jinfeng_grid: re-draw communities and grids of a Chinese city district.

Subdistrict (街道) → community (社区) → grid (网格) → compound (小区) → building (楼栋).
"""

from __future__ import annotations

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["__version__"]
