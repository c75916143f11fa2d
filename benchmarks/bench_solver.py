"""Benchmark of `xlogo solve` on the real tasks: a per-task table, the targets, and ratios.

    python benchmarks/bench_solver.py                 # both engines, default budgets
    python benchmarks/bench_solver.py --engine enum   # only the enumerative engine
    python benchmarks/bench_solver.py --ids 13 64 --z3-timeout 600

For every task it reports the shortest size each engine found, whether it is proved minimal, the
time, the reference solution's size (from the asset directory), and the ratios z3/enum and
solve/verify, where *verify* is the baseline measured in the same run: one `run` of the
reference solution on the task. Targets (README of the solver): every task solved and proved,
none longer than its reference; enumerative whole set < 60 s and median < 0.2 s; z3 whole set
< 10 minutes. Runs on one core (no parallelism).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared_data import SHARED  # noqa: E402
from xlogo_lang.solver import solve  # noqa: E402

from xlogo_lang import load_tasks, run  # noqa: E402
from xlogo_lang.printer import to_compact  # noqa: E402


def main() -> int:
    fmt = argparse.RawDescriptionHelpFormatter
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=fmt)
    ap.add_argument("--assets", default=str(SHARED / "assets"))
    ap.add_argument("--engine", choices=("enum", "z3", "both"), default="both")
    ap.add_argument("--enum-timeout", type=float, default=120.0, help="seconds per task")
    ap.add_argument("--z3-timeout", type=float, default=60.0, help="seconds per task (default 60)")
    ap.add_argument("--ids", nargs="*", help="only these task ids")
    args = ap.parse_args()

    tasks = [t for t in load_tasks(args.assets) if not args.ids or t.id in args.ids]
    engines = ("enum", "z3") if args.engine == "both" else (args.engine,)
    header = f"{'id':>5} {'kind':>10} {'ref':>4} {'verify ms':>9}"
    for e in engines:
        header += f" | {e + ' size':>9} {'s':>8} {'proved':>6}"
    if len(engines) == 2:
        header += f" | {'z3/enum':>8}"
    header += " | shortest program"
    print(header)
    print("-" * len(header))
    results: dict[str, list[tuple[str, object, float]]] = {e: [] for e in engines}
    shorter: list[str] = []
    longer: list[str] = []
    verify_total = 0.0
    for task in tasks:
        ref = len(task.solution) if task.solution is not None else None
        t0 = time.perf_counter()
        if task.solution is not None:
            run(task, task.solution)
        verify = time.perf_counter() - t0
        verify_total += verify
        shown = ref if ref is not None else "-"
        line = f"{task.id:>5} {task.kind:>10} {shown:>4} {verify * 1000:>9.3f}"
        sols = {}
        for e in engines:
            budget = args.enum_timeout if e == "enum" else args.z3_timeout
            t1 = time.perf_counter()
            sol = solve(task, engine=e, timeout=budget)
            dt = time.perf_counter() - t1
            sols[e] = sol
            results[e].append((task.id, sol, dt))
            size = sol.size
            if size is None:
                size = "none" if sol.status == "no_solution" else "?"
            line += f" | {size!s:>9} {dt:>8.3f} {('yes' if sol.proved_minimal else 'NO'):>6}"
        if len(engines) == 2:
            a, b = results["enum"][-1][2], results["z3"][-1][2]
            line += f" | {b / a if a > 0 else float('inf'):>8.1f}"
        best = next((s for s in sols.values() if s.program is not None), None)
        line += " | " + (to_compact(best.program) if best is not None else "")
        print(line, flush=True)
        size = min((s.size for s in sols.values() if s.solved and s.size is not None), default=None)
        if ref is not None and size is not None:
            if size < ref:
                shorter.append(f"{task.id} ({size} < {ref})")
            if size > ref:
                longer.append(task.id)

    print()
    n = len(tasks)
    totals = {}
    for e in engines:
        rows = results[e]
        times = [dt for _, _, dt in rows]
        total = sum(times)
        totals[e] = total
        solved = sum(1 for _, s, _ in rows if s.solved)  # type: ignore[attr-defined]
        proved = sum(1 for _, s, _ in rows if s.solved and s.proved_minimal)  # type: ignore[attr-defined]
        unproved = [tid for tid, s, _ in rows if not (s.solved and s.proved_minimal)]  # type: ignore[attr-defined]
        print(
            f"{e:>4}: {solved}/{n} solved, {proved}/{n} proved minimal, total {total:.1f} s, "
            f"median {statistics.median(times):.4f} s, max {max(times):.1f} s"
            + (f"; not proved: {', '.join(unproved)}" if unproved else "")
        )
    for e in engines:
        if verify_total > 0:
            ratio = totals[e] / verify_total
            print(f"{e}/verify ratio (whole set vs one run of each reference): {ratio:.0f}x")
    if len(engines) == 2 and totals["enum"] > 0:
        print(f"z3/enum whole-set time ratio: {totals['z3'] / totals['enum']:.1f}x")
        disagree = [
            tid
            for (tid, a, _), (_, b, _) in zip(results["enum"], results["z3"], strict=True)
            if a.solved and b.solved and a.size != b.size  # type: ignore[attr-defined]
        ]
        print(f"engines disagree on: {', '.join(disagree) or 'none'}")
    print(f"shorter than the reference: {', '.join(shorter) or 'none'}")
    print(f"longer than the reference: {', '.join(longer) or 'none'}")
    print()
    print("targets (a whole-set time only counts when every task was proved):")
    proved = {
        e: all(s.solved and s.proved_minimal for _, s, _ in results[e])  # type: ignore[attr-defined]
        for e in engines
    }
    if "enum" in totals:
        times = [dt for _, _, dt in results["enum"]]
        ok = proved["enum"] and totals["enum"] < 60
        print(f"  enum whole set < 60 s: {_ok(ok)} ({totals['enum']:.1f} s)")
        med = statistics.median(times)
        print(f"  enum median < 0.2 s:   {_ok(med < 0.2)} ({med:.4f} s)")
    if "z3" in totals:
        ok = proved["z3"] and totals["z3"] < 600
        print(f"  z3 whole set < 600 s:  {_ok(ok)} ({totals['z3']:.1f} s)")
    all_proved = all(s.solved and s.proved_minimal for e in engines for _, s, _ in results[e])  # type: ignore[attr-defined]
    print(f"  every task solved and proved by every engine: {_ok(all_proved)}")
    print(f"  none longer than its reference: {_ok(not longer)}")
    return 0


def _ok(flag: bool) -> str:
    return "PASS" if flag else "FAIL"


if __name__ == "__main__":
    raise SystemExit(main())
