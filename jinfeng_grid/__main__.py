"""Allow ``python -m jinfeng_grid``."""

from __future__ import annotations

import sys

from jinfeng_grid.cli.main import main

sys.exit(main())
