"""`xlogo report RUN.jsonl [RUN2.jsonl ...] [--html report.html]`: compare runs side by side."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import UsageError
from .common import console, output_file, print_json, warn


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="tables and charts for one or more eval runs, with a solver baseline"
    )
    p.add_argument("runs", nargs="+", metavar="RUN.jsonl")
    p.add_argument("--tasks", help="the task set (default: the one recorded in the runs)")
    p.add_argument("--html", metavar="FILE.html", help="also write an HTML page with PNG charts")
    p.add_argument(
        "--no-rescore", action="store_true", help="trust the verdicts stored in the runs"
    )
    p.add_argument("--no-solver", action="store_true", help="skip the symbolic solver baseline")
    p.add_argument(
        "--baseline-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="time limit per task for the solver baseline (default: none, so that the row is "
        "the same on every machine; a limit can turn slow tasks into timeouts)",
    )
    p.add_argument(
        "--repair",
        action="store_true",
        help="edit distance of failed programs to a solution (solver)",
    )
    p.add_argument(
        "--repair-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="time limit per failed program for --repair (default: 30 s)",
    )
    # the older option, kept with its meaning: one limit for the baseline and repair at once
    # (which made bounding repair turn slow baseline tasks into machine-dependent timeouts)
    p.add_argument(
        "--solver-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="older option: --baseline-timeout and --repair-timeout at once, where those are "
        "not given",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from ..eval.report import build_report
    from ..eval.taskset import load_task_set

    if args.repair_timeout is not None and not args.repair:
        raise UsageError("--repair-timeout is for --repair: xlogo report RUN.jsonl --repair")
    tasks = load_task_set(args.tasks) if args.tasks else None  # broken tasks: in the warnings
    if args.html:  # checked before the report (and its solver baseline) is built
        output_file(args.html, reads=tuple(Path(r) for r in args.runs), option="--html")
    report = build_report(
        args.runs,
        tasks,
        rescore=not args.no_rescore,
        solver=not args.no_solver,
        baseline_timeout=args.baseline_timeout,
        repair=args.repair,
        repair_timeout=args.repair_timeout,
        # the older option fills in what the newer ones leave there, each checked by its name
        solver_timeout=args.solver_timeout,
    )
    for warning in report.warnings():  # on stderr, so that --json output stays one document
        warn("report", warning)
    written = report.write_html(args.html) if args.html else []
    if args.json:
        out = report.to_dict()
        out["written"] = [str(p) for p in written]
        print_json(out)
        return 0
    con = console()
    con.width = max(con.width, 120)  # side-by-side tables need the room, even in a pipe
    report.render(con)
    for p in written:
        con.print(f"wrote {p}", markup=False, soft_wrap=True)
    return 0
