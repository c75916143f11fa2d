"""Where the benchmarks find the real benchmark data: `../shared/xlogomini` beside the checkout,
or the `xlogomini` folder `XLOGO_SHARED` names, as the tests read it. Every benchmark still takes
an option for its own input; this is only the default."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("XLOGO_SHARED", ROOT.parent / "shared" / "xlogomini"))
