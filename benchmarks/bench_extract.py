"""Extraction on hostile replies: time of `extract_program` on inputs that once made it slow.

    python benchmarks/bench_extract.py                  # every workload, best of 3
    python benchmarks/bench_extract.py --rounds 1

Workloads: runs of blanks inside a command line (quadratic in the run's length, once), a line of
10 MB of blanks (scanned again from each of its blanks by the command-line pattern, once), lines
indented deeper and deeper, command lists and fenced blocks whose every candidate fails to parse
(the search once parsed 200 candidates of nearly 100 KB, or 64 blocks), and the Python form's
shared margin (trimmed a character at a time, once; timed through `parse`, since extraction does
not parse a candidate that long). Two replies of about 10 MB give the scale.

The baseline, measured in the same run, is the same function on a benign text of the same size:
prose with a short fenced answer for extraction, a margin every line shares for `parse`. The
ratio is how much more the hostile text costs. The target (README, Speed): every workload in
under 0.5 s.

It needs nothing but the package, and writes nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout, installed or not
    sys.path.insert(0, str(ROOT))

from xlogo_lang import ParseError, extract_program, parse  # noqa: E402

TARGET_SECONDS = 0.5


def benign_reply(size: int) -> str:
    """Prose of `size` characters ending in a short fenced answer, as a model writes it."""
    answer = "Final answer:\n```\nfd fd rt fd\n```\n"
    prose = "The turtle faces north, so it moves forward first.\n"
    return (prose * size)[: max(size - len(answer), 0)] + answer


def shared_margin(size: int) -> str:
    """A Python-form snippet of `size` characters whose two lines share all their indentation."""
    width = (size - 30) // 2
    return " " * width + "move_forward()\n" + " " * width + "move_forward()\n"


def fences(count: int, size: int) -> str:
    """`count` fenced blocks of `size` characters, each a command list with an error at its end."""
    body = "fd " * ((size - 2) // 3) + "x"
    return f"```\n{body}\n```\n" * count


def indented_fors(count: int) -> str:
    return "\n".join(" " * (2 * i) + "for i in range(2):" for i in range(count))


def workloads() -> list[tuple[str, str, Callable[[str], object], str]]:
    """(name, text, the function timed, what the baseline runs it on)."""
    garbage = ("lorem ipsum { [ fd } ``` repeat 3 \n" * 300_000)[:10_000_000]
    extraction = [
        ("fd + 5,000 blanks + rt", "fd" + " " * 5_000 + "rt"),
        ("fd + 10,000 blanks + rt", "fd" + " " * 10_000 + "rt"),
        ("fd + 3,000 tabs + x", "fd" + "\t" * 3_000 + "x"),
        ("400 ever deeper for lines", indented_fors(400)),
        ("200 lines fd×20 x", "\n".join(["fd " * 20 + "x"] * 200)),
        ("499 lines fd×66 x", "\n".join(["fd " * 66 + "x"] * 499)),
        ("499 lines fd×66 }", "\n".join(["fd " * 66 + "}"] * 499)),
        ("64 fences of 80 KB, x", fences(64, 80_000)),
        ("10 MB garbage + fence", garbage + "\nFinal answer:\n```\nfd fd rt fd\n```\n"),
        ("9 MB of fd lines", "fd\n" * 3_000_000),
        ("fd + a 10 MB line of blanks", "fd\n" + " " * 10_000_000),
        ("a 10 MB line of blanks after a list marker", "1. " + " " * 10_000_000),
        ('64 nested {"run": [ + 9 MB of numbers', '{"run": [' * 64 + "1, " * 3_000_000),
    ]
    rows: list[tuple[str, str, Callable[[str], object], str]] = [
        (name, text, extract_program, benign_reply(len(text))) for name, text in extraction
    ]
    for width in (100_000, 300_000, 900_000):
        text = " " * width + "move_forward()\n\tmove_forward()\n"
        rows.append((f"parse: {width:,} blanks + tab", text, parse, shared_margin(len(text))))
    return rows


def best_time(f: Callable[[str], object], text: str, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        with contextlib.suppress(ParseError):  # an error is an answer too
            f(text)
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)

    from rich.console import Console
    from rich.table import Table

    extract_program("fd x")  # load the grammar that error messages use: not part of any row
    table = Table(title="extract_program on hostile replies: best time")
    table.add_column("workload")  # wraps, so that the figures fit in 80 columns (and a pipe)
    for col in ("chars", "s", "benign", "ratio", "met"):
        table.add_column(col, justify="right", no_wrap=True)
    ok = True
    for name, text, f, benign in workloads():
        seconds = best_time(f, text, args.rounds)
        base = best_time(f, benign, args.rounds)
        meets = seconds < TARGET_SECONDS
        ok &= meets
        table.add_row(
            name, f"{len(text):,}", f"{seconds:.3f}", f"{base:.3f}", f"{seconds / base:,.1f}×",
            "[green]yes[/]" if meets else "[red]NO[/]",
        )  # fmt: skip
    con = Console()
    con.print(table)
    con.print(
        f"Target: every workload in < {TARGET_SECONDS:g} s. Best of {args.rounds} round(s); the "
        "baseline is the same function on a benign text of the same size, in the same run."
    )
    con.print(f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
