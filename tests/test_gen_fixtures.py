"""The small generated data set the generator, fine-tuning and curriculum tests share.

It is made once per test session (through the real CLI, the real solver and the real skill
tagger) and kept in a temporary folder, so the three test modules do not pay for it three
times. It holds no tests of its own.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from xlogo_lang.cli import main as xlogo

POOL_ARGS = ["--n", "42", "--shard-size", "14", "--seed", "7"]  # 3 shards, every kind 6 times


@cache
def generated_pool() -> Path:
    """A folder made by `xlogo gen` with POOL_ARGS (the same folder for the whole session)."""
    root = Path(tempfile.mkdtemp(prefix="xlogo-gen-"))
    atexit.register(shutil.rmtree, root, True)
    out = root / "train"
    code = xlogo(["gen", *POOL_ARGS, "--out", str(out), "--json"])
    assert code == 0, f"xlogo gen exited {code}"
    return out
