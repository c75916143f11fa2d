"""`xlogo score PREDICTIONS.jsonl --tasks TASKS`: judge model replies, human-eval style.

Each input line is `{"task_id": ..., "response": ...}`; each output line keeps the input keys and
adds the verdict fields (`eval.predictions`, which also says when the results file is replaced).
A malformed input line, or one whose task is unknown or cannot be loaded, is reported with its
number and skipped (the first 20 of them; the rest are counted); a broken task file in TASKS is
warned about once. An attempt of a run that got no reply is kept as a failed attempt, as
`xlogo report` counts it. A file with no line to score is an input error (exit status 2), printed
alone, and leaves the results file alone.
An --out that is not an earlier score results file (an `xlogo eval` run, notes) is refused
(exit status 2) before anything is scored, and left as it was.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import UsageError
from .common import console, output_file, print_json, warn

SKIPS_SHOWN = 20  # skipped lines named one by one; a file of garbage is counted after them

if TYPE_CHECKING:
    from ..eval.predictions import ScoreSummary


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="score model replies (JSONL of task_id + response) on tasks")
    p.add_argument("predictions", metavar="PREDICTIONS.jsonl")
    p.add_argument(
        "--tasks",
        required=True,
        help="the tasks: an asset directory, a folder of task files, a task file, or task "
        "records (a .jsonl file or an `xlogo gen` folder)",
    )
    p.add_argument(
        "-o", "--out", help="results file (default: <PREDICTIONS>_results.jsonl beside the input)"
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=main)


def default_out(predictions: Path) -> Path:
    return predictions.with_name(predictions.stem + "_results.jsonl")


def main(args: argparse.Namespace) -> int:
    from ..eval.predictions import require_predictions, score_predictions
    from ..eval.taskset import load_task_set
    from ..tasks import one_document_hint

    src = require_predictions(args.predictions)
    task_set = load_task_set(args.tasks)
    for warning in task_set.warnings():
        warn("score", warning)
    out_path = output_file(args.out or default_out(src), reads=(src, Path(args.tasks)))

    said = 0

    def skipped(lineno: int, why: str) -> None:
        nonlocal said
        said += 1
        if said <= SKIPS_SHOWN:
            print(f"{src}: line {lineno}: {why}; skipped", file=sys.stderr)

    summary = score_predictions(src, task_set, out_path, on_skip=skipped)
    if said > SKIPS_SHOWN:  # a binary or wrong file: its first lines say why, the count the rest
        print(f"{src}: {said - SKIPS_SHOWN:,} more lines skipped", file=sys.stderr)
    if summary.total == 0:  # the error alone: a table of zeros (or a JSON of them) says nothing
        raise UsageError(
            f"no prediction scored: {summary.nothing_scored()}",
            file=str(src),
            hint=one_document_hint(src) if src.is_file() else None,
        )
    if args.json:
        print_json(summary.to_dict())
    else:
        render(summary)
    return 0


def render(summary: ScoreSummary) -> None:
    """The summary as a small table, and where the results are (if they were written)."""
    from rich.table import Table

    d = summary.to_dict()
    table = Table(title="xlogo score", show_header=False, box=None)
    table.add_row("attempts", str(d["total"]))
    table.add_row("solved", f"{d['solved']} ({d['solved_pct']}%)")
    table.add_row("no program / syntax error", str(d["parse_failures"]))
    for kind, n in sorted(summary.crashes.items()):
        table.add_row(f"crash: {kind}", str(n))
    table.add_row("goal not met", str(d["goal_failures"]))
    table.add_row("constraints violated", str(d["constraint_failures"]))
    if summary.request_errors:  # a run scored: its attempts that got no reply
        table.add_row("no reply (request error)", str(d["request_errors"]))
    if summary.skipped_lines:
        table.add_row("lines skipped (see the warnings)", str(summary.skipped_lines))
    con = console()
    con.print(table)
    if summary.written:
        from rich.markup import escape

        con.print(f"[dim]results: {escape(str(summary.out))}[/]", soft_wrap=True)
