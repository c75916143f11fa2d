"""How fast replies are scored: `score_response` and `xlogo report` on 100,000 attempts.

    python benchmarks/bench_scoring.py [--attempts 100000] [--tasks DIR]

Builds a synthetic RUN.jsonl of N attempts over the real tasks (a mix of correct answers in
prose, wrong programs, crashes, Python-style answers and garbage, as models write them), then
times three things and prints a table with ratios against a baseline measured in the same run:

* baseline: `verdict.run` on already-parsed programs (the core alone, the floor);
* score: `score_response` on every raw reply (extraction + parse + run + verdict), what
  `xlogo score` does per line;
* report: `build_report` on the file (read, rescore, aggregate; no solver, no charts).

The target is under 60 s for 100,000 attempts for both score and report.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared_data import SHARED  # noqa: E402

from xlogo_lang import load_tasks, parse  # noqa: E402
from xlogo_lang.eval.report import build_report  # noqa: E402
from xlogo_lang.eval.scoring import score_response  # noqa: E402
from xlogo_lang.printer import to_text  # noqa: E402
from xlogo_lang.python_form import to_python  # noqa: E402
from xlogo_lang.verdict import run  # noqa: E402


def replies(task, rng: random.Random) -> str:
    sol = task.solution
    kind = rng.randrange(6)
    if kind == 0 and sol is not None:
        head = "Let me think step by step.\nThe turtle starts facing north.\n"
        return f"{head}```\n{to_text(sol)}```\nThat should work."
    if kind == 1 and sol is not None:
        return f"```python\n{to_python(sol)}```"
    if kind == 2:
        prog = " ".join(rng.choice(["fd", "bk", "lt", "rt"]) for _ in range(rng.randint(1, 12)))
        return f"Answer:\n```\n{prog}\n```"
    if kind == 3:
        return f"repeat({rng.randint(2, 12)}){{fd rt}}"
    if kind == 4:
        return "I am not able to determine the answer from the grid description given."
    return "```\nrepeat(3){\n  fd\n```"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--attempts", type=int, default=100_000)
    ap.add_argument("--tasks", default=str(SHARED / "assets"))
    args = ap.parse_args()
    tasks = load_tasks(args.tasks)
    rng = random.Random(0)
    rows = []
    for n in range(args.attempts):
        t = tasks[n % len(tasks)]
        rows.append((t, n // len(tasks), replies(t, rng)))

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run.jsonl"
        with path.open("w", encoding="utf-8") as f:
            for t, sample, reply in rows:
                rec = {
                    "run_id": "bench",
                    "task_id": t.id,
                    "sample": sample,
                    "model": "bench",
                    "mode": "text",
                    "answer_format": "text",
                    "template_hash": "-",
                    "status": "ok",
                    "response": reply,
                }
                f.write(json.dumps(rec) + "\n")

        programs = []
        for t, _, reply in rows:
            try:
                programs.append((t, parse(reply)))
            except Exception:
                programs.append((t, parse("fd")))
        t0 = time.perf_counter()
        for t, prog in programs:
            run(t, prog).solved  # noqa: B018 - the work being timed
        base = time.perf_counter() - t0

        t0 = time.perf_counter()
        solved = sum(score_response(t, reply)["solved"] for t, _, reply in rows)
        score = time.perf_counter() - t0

        t0 = time.perf_counter()
        rep = build_report([path], tasks, solver=False).to_dict()
        report = time.perf_counter() - t0

    n = args.attempts
    print(
        f"{n:,} attempts on {len(tasks)} tasks; {solved:,} solved; "
        f"report pass@1 {rep['runs'][0]['success']:.3f}"
    )
    print(f"{'what':<34}{'seconds':>10}{'attempts/s':>14}{'x baseline':>12}")
    timings = (
        ("baseline: verdict.run (parsed)", base),
        ("score_response (raw replies)", score),
        ("build_report (read+rescore+agg)", report),
    )
    for name, secs in timings:
        print(f"{name:<34}{secs:>10.2f}{n / secs:>14,.0f}{secs / base:>12.2f}")
    ok = score < 60 and report < 60
    print("target (< 60 s for score and report):", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
