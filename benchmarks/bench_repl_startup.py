"""Start-up time of `xlogo repl`: from launch to the first prompt, in a real pseudo-terminal.

    python benchmarks/bench_repl_startup.py [--runs 7] [--task PATH]

Each command is launched under an 80x24 pty (pexpect) and timed until its first prompt appears
(or until it exits, for the baselines). Baselines measured in the same run: the bare interpreter
(`python -c pass`), importing the library (`import xlogo_lang`) and the CLI (`xlogo --version`).
The table gives the median and best time of each and their ratio to the interpreter start; the
target is a median under 0.5 s to the first prompt.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect
from shared_data import SHARED

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_TASK = SHARED / "tasks" / "87.json"
TARGET = 0.5


def time_once(argv: list[str], until: str | None, env: dict[str, str]) -> float:
    """Seconds from spawning `argv` until `until` appears on the screen (or the process exits)."""
    start = time.perf_counter()
    child = pexpect.spawn(
        argv[0], argv[1:], env=env, dimensions=(24, 80), encoding="utf-8", timeout=30
    )
    try:
        child.expect(until if until is not None else pexpect.EOF)
        elapsed = time.perf_counter() - start
    finally:
        child.close(force=True)
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--task", type=Path, default=DEFAULT_TASK)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, TERM="xterm-256color", XLOGO_HISTORY=str(Path(tmp) / "history"))
        env["PROMPT_TOOLKIT_NO_CPR"] = "1"  # pexpect does not answer cursor position requests
        py, xlogo = str(BIN / "python"), str(BIN / "xlogo")
        cases: list[tuple[str, list[str], str | None]] = [
            ("python -c pass (baseline)", [py, "-c", "pass"], None),
            ("import xlogo_lang", [py, "-c", "import xlogo_lang"], None),
            ("xlogo --version", [xlogo, "--version"], None),
            ("xlogo repl (playground)", [xlogo, "repl"], "xlogo> "),
        ]
        if args.task.exists():
            argv = [xlogo, "repl", str(args.task)]
            cases.append((f"xlogo repl {args.task.name}", argv, f"{args.task.stem}> "))
        else:
            print(f"(no task at {args.task}: timing the playground only)")

        times: dict[str, list[float]] = {}
        for name, argv, until in cases:
            time_once(argv, until, env)  # warm the file cache
            times[name] = [time_once(argv, until, env) for _ in range(args.runs)]

    base = statistics.median(times[cases[0][0]])
    print(f"{'command':<34} {'median s':>9} {'best s':>8} {'x python':>9}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:<34} {med:>9.3f} {min(ts):>8.3f} {med / base:>9.1f}")
    repl = [n for n in times if n.startswith("xlogo repl")]
    worst = max(statistics.median(times[n]) for n in repl)
    verdict = "OK" if worst < TARGET else "TOO SLOW"
    print(f"\nfirst prompt: {worst:.3f} s median (target < {TARGET} s): {verdict}")
    return 0 if worst < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
