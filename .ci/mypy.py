"""Type-check xlogo_lang as it is installed: `python .ci/mypy.py [mypy options]`, from anywhere.

pyproject's package-dir installs solver/, repl/ and grammar/ as xlogo_lang.solver, .repl and
.grammar. mypy cannot follow that mapping (nor the editable install's import hook), so a bare
`mypy` in the repository cannot resolve `import xlogo_lang.solver`. This script lays out the
installed package as symlinks in .mypy_cache/layout, runs the current interpreter's mypy there
with the [tool.mypy] settings of pyproject.toml, and prints the paths of the repository files.
The exit status is mypy's.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".mypy_cache"
LAYOUT = CACHE / "layout"
SKIP = {"__pycache__"}


def build_layout() -> None:
    """Symlink every package-dir entry into place, the way setuptools installs it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mapping: dict[str, str] = config["tool"]["setuptools"]["package-dir"]
    shutil.rmtree(LAYOUT, ignore_errors=True)
    for package in sorted(mapping, key=lambda p: p.count(".")):
        target = LAYOUT.joinpath(*package.split("."))
        target.mkdir(parents=True, exist_ok=True)
        for entry in sorted((ROOT / mapping[package]).iterdir()):
            if entry.name in SKIP or f"{package}.{entry.name}" in mapping:
                continue  # a mapped subpackage gets a folder of its own
            (target / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())


def main() -> int:
    build_layout()
    cmd = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")]
    cmd += ["--cache-dir", str(CACHE), *sys.argv[1:]]
    proc = subprocess.run(cmd, cwd=LAYOUT, stdout=subprocess.PIPE, text=True)
    path = re.compile(r"^([^:\s]+\.pyi?)(?=:)")
    for line in proc.stdout.splitlines():
        m = path.match(line)
        if m and (LAYOUT / m[1]).exists():
            real = os.path.relpath(os.path.realpath(LAYOUT / m[1]), ROOT)
            line = real + line[m.end() :]
        print(line)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
