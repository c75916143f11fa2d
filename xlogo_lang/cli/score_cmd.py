"""`xlogo score PREDICTIONS.jsonl --tasks TASKS`: judge model replies, human-eval style.

Each input line is `{"task_id": ..., "response": ...}`; each output line keeps the input keys and
adds the verdict fields. Results are written line by line as they are computed, so an interrupted
run keeps everything scored so far; a malformed input line is reported with its number and skipped.
A file with no line to score is an input error (exit status 2) after the summary.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from ..errors import UsageError, json_problem
from ..tasks import load_tasks
from .common import console, output_file, print_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="score model replies (JSONL of task_id + response) on tasks")
    p.add_argument("predictions", metavar="PREDICTIONS.jsonl")
    p.add_argument(
        "--tasks", required=True, help="an asset directory or a folder of <id>.json task files"
    )
    p.add_argument(
        "--out", help="results file (default: <PREDICTIONS>_results.jsonl beside the input)"
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=main)


def default_out(predictions: Path) -> Path:
    return predictions.with_name(predictions.stem + "_results.jsonl")


def main(args: argparse.Namespace) -> int:
    from ..eval.scoring import score_response

    src = Path(args.predictions)
    if not src.is_file():
        raise UsageError(f"no such file: {src}")
    tasks = {t.id: t for t in load_tasks(args.tasks)}
    out_path = output_file(args.out or default_out(src), reads=(src, Path(args.tasks)))
    summary = Summary()
    with (
        src.open(encoding="utf-8", errors="replace") as fin,
        out_path.open("w", encoding="utf-8") as fout,
    ):
        for lineno, line in enumerate(fin, start=1):
            if not line.strip():
                continue
            record = _read_record(line, lineno, src, tasks)
            if record is None:
                summary.malformed += 1
                continue
            result = score_response(tasks[str(record["task_id"])], record["response"])
            out = {**record, **result}
            fout.write(json.dumps(out, ensure_ascii=False) + "\n")
            fout.flush()
            summary.add(out)
    if args.json:
        print_json({**summary.to_dict(), "out": str(out_path)})
    else:
        summary.render(out_path)
    if summary.total == 0:
        why = f"all {summary.malformed} were skipped" if summary.malformed else "it holds none"
        raise UsageError(f"no prediction scored: {why}", file=str(src))
    return 0


def _read_record(line: str, lineno: int, src: Path, tasks: dict[str, Any]) -> dict[str, Any] | None:
    def skip(msg: str) -> None:
        print(f"{src}: line {lineno}: {msg}; skipped", file=sys.stderr)

    try:
        record = json.loads(line)
    except ValueError as exc:
        skip(f"not valid JSON ({json_problem(exc)})")
        return None
    if not isinstance(record, dict):
        skip("expected a JSON object")
        return None
    if "task_id" not in record or "response" not in record:
        skip('expected the keys "task_id" and "response"')
        return None
    if not isinstance(record["response"], str):
        skip('"response" must be a string')
        return None
    if str(record["task_id"]) not in tasks:
        skip(f"unknown task id {record['task_id']!r}")
        return None
    return record


class Summary:
    def __init__(self) -> None:
        self.total = 0
        self.solved = 0
        self.parse_failures = 0
        self.malformed = 0
        self.crashes: Counter[str] = Counter()
        self.goal_failures = 0
        self.constraint_failures = 0

    def add(self, r: dict[str, Any]) -> None:
        self.total += 1
        self.solved += bool(r.get("solved"))
        if not r.get("parsed"):
            self.parse_failures += 1
        elif r.get("crashed"):
            self.crashes[(r.get("crash") or {}).get("kind", "?")] += 1
        else:
            self.goal_failures += r.get("goal_ok") is False
            self.constraint_failures += r.get("constraints_ok") is False

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "solved": self.solved,
            "solved_pct": round(100 * self.solved / self.total, 2) if self.total else 0.0,
            "parse_failures": self.parse_failures,
            "crashes": dict(self.crashes),
            "goal_failures": self.goal_failures,
            "constraint_failures": self.constraint_failures,
            "malformed_lines": self.malformed,
        }

    def render(self, out_path: Path) -> None:
        from rich.table import Table

        d = self.to_dict()
        table = Table(title="xlogo score", show_header=False, box=None)
        table.add_row("attempts", str(d["total"]))
        table.add_row("solved", f"{d['solved']} ({d['solved_pct']}%)")
        table.add_row("no program / syntax error", str(d["parse_failures"]))
        for kind, n in sorted(self.crashes.items()):
            table.add_row(f"crash: {kind}", str(n))
        table.add_row("goal not met", str(d["goal_failures"]))
        table.add_row("constraints violated", str(d["constraint_failures"]))
        if self.malformed:
            table.add_row("malformed lines skipped", str(self.malformed))
        con = console()
        con.print(table)
        con.print(f"[dim]results: {out_path}[/]")
