"""Task generation throughput: tasks per second per worker, per goal kind, and where time goes.

    python benchmarks/bench_gen.py            # 21 tasks per kind, one worker
    python benchmarks/bench_gen.py --per-kind 60 --levels medium,hard

For each goal kind it generates tasks exactly as `xlogo gen` does (same code path: sampling,
world building, core verification, solver, dedup) in this process, and prints:

* tasks/s per worker and seconds per accepted task;
* attempts per accepted task and the main rejection reasons;
* the share of time in each phase (build = program + world + goal, verify = core runs,
  solve = solver calls, record = hashing, skills, JSON);
* the baseline measured in the same run: the rate if solving were free (build + verify + record
  time only), and the ratio of the full rate to it, i.e. how much the solver costs;
* the projection for the target: 80,000 tasks on this machine's cores.

Timing lives here, never in the tests.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter

from xlogo_lang.gen.difficulty import LEVELS
from xlogo_lang.gen.goals import KINDS
from xlogo_lang.gen.plan import GenPlan
from xlogo_lang.gen.shards import generate_shard

TARGET_TASKS = 80_000
TARGET_SECONDS = 3600


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--per-kind", type=int, default=21, help="tasks per goal kind")
    ap.add_argument("--levels", default=",".join(LEVELS))
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    levels = tuple(args.levels.split(","))
    rows = []
    total_tasks = 0
    total_wall = 0.0
    total_cpu = 0.0
    phases: Counter[str] = Counter()
    for kind in args.kinds.split(","):
        plan = GenPlan(
            n=args.per_kind, seed=args.seed, shard_size=args.per_kind, kinds=(kind,), levels=levels
        )
        t0, c0 = time.perf_counter(), time.process_time()
        records, stats = generate_shard(plan, 0)
        wall = time.perf_counter() - t0
        total_cpu += time.process_time() - c0
        secs = Counter(stats.seconds)
        phases.update(secs)
        total_tasks += len(records)
        total_wall += wall
        free = secs["build"] + secs["verify"] + secs.get("record", 0.0)
        rate = len(records) / wall if wall else 0.0
        base = len(records) / free if free else 0.0
        top = ", ".join(f"{k} {v}" for k, v in Counter(stats.rejects).most_common(3))
        rows.append((kind, len(records), stats.attempts, rate, base, secs, top))

    spent = sum(phases.values()) or 1.0
    print(
        f"{'kind':<11}{'tasks':>6}{'tries':>7}{'tasks/s':>9}{'no-solver':>11}{'ratio':>7}"
        f"{'build':>7}{'verify':>7}{'solve':>7}{'record':>7}  top rejections"
    )
    for kind, n, tries, rate, base, secs, top in rows:
        s = sum(secs.values()) or 1.0
        print(
            f"{kind:<11}{n:>6}{tries:>7}{rate:>9.2f}{base:>11.1f}{_ratio(rate, base):>7.3f}"
            + "".join(
                f"{100 * secs.get(p, 0) / s:>6.0f}%" for p in ("build", "verify", "solve", "record")
            )
            + f"  {top}"
        )
    rate = total_tasks / total_wall if total_wall else 0.0
    free = phases["build"] + phases["verify"] + phases.get("record", 0.0)
    base = total_tasks / free if free else 0.0
    cores = os.cpu_count() or 1
    cpu_rate = total_tasks / total_cpu if total_cpu else 0.0
    hours = TARGET_TASKS / (cpu_rate * cores) / 3600 if cpu_rate else float("inf")
    print(
        f"{'all':<11}{total_tasks:>6}{'':>7}{rate:>9.2f}{base:>11.1f}{_ratio(rate, base):>7.3f}"
        + "".join(
            f"{100 * phases.get(p, 0) / spent:>6.0f}%"
            for p in ("build", "verify", "solve", "record")
        )
    )
    verdict = "met" if hours * 3600 <= TARGET_SECONDS else "not met"
    print(
        f"\n{rate:.2f} tasks/s per worker (wall clock), {cpu_rate:.2f} per CPU second "
        f"(wall/CPU {total_wall / total_cpu if total_cpu else 0:.2f}: above 1 means other load);\n"
        f"{TARGET_TASKS} tasks on {cores} workers at the CPU rate: {hours:.2f} h "
        f"(target {TARGET_SECONDS / 3600:.0f} h: {verdict})"
    )
    return 0


def _ratio(rate: float, base: float) -> float:
    return rate / base if base else 0.0


if __name__ == "__main__":
    sys.exit(main())
