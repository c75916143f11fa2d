"""Parsing large and hostile programs: time and peak memory of `parse` up to the size limit.

    python benchmarks/bench_parse_sizes.py                  # 100,000 and 1,000,000 characters
    python benchmarks/bench_parse_sizes.py --sizes 1000000 --rounds 1 --baseline-all

Workloads, each built at every size: valid text (`fd rt ...`), the same with a syntax error at
its very end, text nested 64 deep, the Python-style form (one statement a line, and all on one
line with a non-ASCII character in every statement), code JSON, and text ten times the limit
(refused at once). For each: the best of --rounds times of `parse` (ParseError included:
an error is an answer), and its peak memory from tracemalloc in a separate pass.

The baseline, measured in the same run for the text workloads, is the Lark grammar alone on the
whole text: what an error anywhere in a program used to cost (the fast reader gave up, then Lark
read the whole text again). It runs at sizes up to 100,000 characters unless --baseline-all
(at 1,000,000 it takes minutes). The target: any program up to MAX_PROGRAM_CHARS in under 5 s
and 500 MB, and anything longer refused in under 0.1 s.

It needs nothing but the package, and writes nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout, installed or not
    sys.path.insert(0, str(ROOT))

from lark.exceptions import UnexpectedInput  # noqa: E402

from xlogo_lang import ParseError, parse  # noqa: E402
from xlogo_lang.ast import MAX_DEPTH  # noqa: E402
from xlogo_lang.parser import MAX_PROGRAM_CHARS, _lark  # noqa: E402

TARGET_SECONDS, TARGET_MB, TARGET_REFUSED_SECONDS = 5.0, 500, 0.1


def fill(unit: str, size: int, head: str = "", tail: str = "") -> str:
    """`head` + as many `unit`s as fit in `size` characters with `tail` + `tail`."""
    return head + unit * ((size - len(head) - len(tail)) // len(unit)) + tail


def workloads(size: int) -> list[tuple[str, str, bool]]:
    """(name, text, whether the Lark baseline applies)."""
    nest = "repeat(2){" * MAX_DEPTH
    return [
        ("text", fill("fd rt ", size), True),
        ("text, error at end", fill("fd rt ", size, tail="jump"), True),
        ("text, 64 deep", fill("fd rt ", size, nest, "}" * MAX_DEPTH), True),
        ("python style", fill("  move_forward()\n  turn_right()\n", size, "def Run():\n"), False),
        ("python, one line", fill("setpc('é'); move_forward(); ", size, "def Run():\n  "), False),
        # one statement continued over every line, with an error at its end (quadratic once)
        ("python, `\\` lines", fill(" \\\n", size, "def Run():\n  fd(1)", " + 1\n"), False),
        ("code JSON", fill('{"type": "fd"}, ', size, '{"run": [', '{"type": "rt"}]}'), False),
        ("10× the limit", fill("fd rt ", 10 * MAX_PROGRAM_CHARS), False),
    ]


def quietly(f: Callable[[str], object], text: str) -> None:
    with contextlib.suppress(ParseError, UnexpectedInput):  # an error is an answer too
        f(text)


def best_time(f: Callable[[str], object], text: str, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        quietly(f, text)
        best = min(best, time.perf_counter() - start)
    return best


def peak_mb(f: Callable[[str], object], text: str) -> float:
    tracemalloc.start()
    try:
        quietly(f, text)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, MAX_PROGRAM_CHARS])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--baseline-all", action="store_true", help="the Lark baseline at every size")
    args = ap.parse_args(argv)

    from rich.console import Console
    from rich.table import Table

    lark = _lark()
    table = Table(title="parse on large programs: best time and peak memory")
    for col in ("workload", "chars", "xlogo s", "peak MB", "Lark s", "ratio", "met"):
        table.add_column(col, justify="left" if col == "workload" else "right", no_wrap=True)
    ok = True
    for size in args.sizes:
        for name, text, has_baseline in workloads(size):
            seconds = best_time(parse, text, args.rounds)
            mb = peak_mb(parse, text)
            base = ""
            ratio = ""
            if has_baseline and (args.baseline_all or size <= 100_000):
                b = best_time(lark.parse, text, 1)
                base, ratio = f"{b:.2f}", f"{b / seconds:,.1f}×"
            limit = TARGET_REFUSED_SECONDS if len(text) > MAX_PROGRAM_CHARS else TARGET_SECONDS
            meets = seconds < limit and mb < TARGET_MB
            ok &= meets
            table.add_row(
                name, f"{len(text):,}", f"{seconds:.3f}", f"{mb:,.0f}", base, ratio,
                "[green]yes[/]" if meets else "[red]NO[/]",
            )  # fmt: skip
    con = Console()
    con.print(table)
    con.print(
        f"Targets: up to {MAX_PROGRAM_CHARS:,} characters in < {TARGET_SECONDS:g} s and "
        f"< {TARGET_MB} MB; longer texts refused in < {TARGET_REFUSED_SECONDS:g} s. Best of "
        f"{args.rounds} round(s); the baseline once, at sizes up to 100,000 unless --baseline-all."
    )
    con.print(f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
