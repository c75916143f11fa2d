"""Benchmark of `xlogo solve --repair`: the pruned edit layers against the full ones.

    python benchmarks/bench_repair.py                  # 3 s per repair, 24 programs
    python benchmarks/bench_repair.py --timeout 6 --per-task 5

Random programs of 2 to 5 blocks (seeded, so every run repairs the same ones) on the example
tasks and four real tasks, each repaired twice: with the search as it ships, where a program
whose run makes a dead move grows only at the points it reached before it
(`edits.reached_before_death`), and with the full edit layers (`prune=False`), the baseline
measured in the same run. The table gives, for each, the distance found, whether it is proved
nearest, the time and the candidates checked; then the proved counts and the time ratio on the
repairs both proved. Runs on one core.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared_data import SHARED  # noqa: E402
from xlogo_lang.solver.edits import repair  # noqa: E402

from xlogo_lang import load_task, parse  # noqa: E402

EXAMPLES = ["find-circle-avoid-red", "find-strawberry", "draw-stairs-at-most", "collect-all-green"]
REAL = ["87", "22", "28", "24"]
PIECES = ["fd", "bk", "lt", "rt", "repeat(2){fd}", "repeat(3){fd rt}", "repeat(4){fd lt}"]


def main() -> int:
    fmt = argparse.RawDescriptionHelpFormatter
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=fmt)
    ap.add_argument("--tasks", default=str(SHARED / "tasks"))
    ap.add_argument("--timeout", type=float, default=3.0, help="seconds per repair (default 3)")
    ap.add_argument("--per-task", type=int, default=3, help="programs per task (default 3)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    tasks = {n: load_task(ROOT / "examples" / "tasks" / f"{n}.json") for n in EXAMPLES}
    tasks |= {n: load_task(Path(args.tasks) / f"{n}.json") for n in REAL}
    rng = random.Random(args.seed)
    header = (
        f"{'task':>22} {'program':<34} | {'d':>2} {'proved':>6} {'s':>6} {'cands':>8}"
        f" | {'full d':>6} {'proved':>6} {'s':>6} {'cands':>8}"
    )
    print(header)
    print("-" * len(header))
    rows = []
    for name, task in tasks.items():
        for _ in range(args.per_task):
            program = " ".join(rng.choice(PIECES) for _ in range(rng.randint(2, 5)))
            got = []
            for prune in (True, False):
                t0 = time.perf_counter()
                rep = repair(task, parse(program), timeout=args.timeout, prune=prune)
                got.append((rep.distance, rep.proved, time.perf_counter() - t0, rep.stats))
            (d, p, s, st), (fd, fp, fs, fst) = got
            rows.append(got)
            print(
                f"{name:>22} {program[:34]:<34} | {d!s:>2} {'yes' if p else 'no':>6} {s:6.2f}"
                f" {st['candidates']:>8,} | {fd!s:>6} {'yes' if fp else 'no':>6} {fs:6.2f}"
                f" {fst['candidates']:>8,}"
            )
    both = [(s, fs) for (_, p, s, _), (_, fp, fs, _) in rows if p and fp]
    disagree = [r for r in rows if r[0][1] and r[1][1] and r[0][0] != r[1][0]]
    print()
    print(
        f"proved nearest: pruned {sum(r[0][1] for r in rows)}/{len(rows)}, "
        f"full {sum(r[1][1] for r in rows)}/{len(rows)}; "
        f"different distances where both proved: {len(disagree)}"
    )
    print(
        f"time: pruned {sum(r[0][2] for r in rows):.1f} s, full {sum(r[1][2] for r in rows):.1f} s"
    )
    if both:
        ratios = [fs / max(s, 1e-6) for s, fs in both]
        print(
            f"full/pruned time on the {len(both)} repairs both proved: median "
            f"{statistics.median(ratios):.1f}x, max {max(ratios):.1f}x"
        )
    return 1 if disagree else 0


if __name__ == "__main__":
    raise SystemExit(main())
