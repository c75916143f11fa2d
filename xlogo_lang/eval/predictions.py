"""Scoring a predictions file, human-eval style: `{"task_id", "response"}` lines in, one result
line per scored prediction out (the input keys plus `scoring.score_response`'s verdict fields).

A line that cannot be scored (not JSON, missing keys, a task id the task set does not have, or a
task that cannot be loaded) is skipped and reported through `on_skip` with its line number. An
attempt of an `xlogo eval` run that got no reply (`status: "error"`, no response) is no such line:
it is kept as the failed attempt `xlogo report` counts it as, so that the results of a run report
as the run does, not with its failed requests left out of the rates.

The output must be a new file or an earlier results file of `xlogo score` (every line a scored
prediction): anything else, an `xlogo eval` run above all, is refused before any line is scored,
and left as it was. The results go to a temporary file beside the output and replace it only
when at least one prediction was scored: a run that scores nothing (an empty file, every line
skipped, say because `--tasks` is the wrong set) or that is interrupted leaves an earlier
results file as it was.
Scoring is fast (100,000 replies in seconds), so an interrupted run loses nothing worth keeping.
An output that is not a regular file (`/dev/stdout`, a pipe) is written directly.

This module never calls a model and never prints.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError, json_problem, load_json
from ..files import json_line, replaced_when_kept
from ..reading import cannot_open, capped_lines, line_too_long, open_input
from ..tasks import Task
from . import arguments as args
from .runner import RunFile, is_run_file, is_run_record, read_run
from .scoring import REQUEST_ERROR, no_reply_score, score_response
from .skips import BROKEN_TASK, UNKNOWN_TASK, UNREADABLE, describe
from .taskset import TaskSet


@dataclass
class ScoreSummary:
    out: str
    total: int = 0
    solved: int = 0
    parse_failures: int = 0
    crashes: Counter[str] = field(default_factory=Counter)
    goal_failures: int = 0
    constraint_failures: int = 0
    request_errors: int = 0  # a run's attempts that got no reply (kept, as failed attempts)
    skipped: Counter[str] = field(default_factory=Counter)  # kind -> lines
    written: bool = False  # whether `out` now holds this run's results

    # (run_id, task, sample) -> what a run's attempt added, so that a later line of the same
    # attempt (a retry after an error, a file concatenated with itself) replaces it
    _attempts: dict[tuple[Any, str, Any], tuple[bool, str, str | None]] = field(
        default_factory=dict, repr=False
    )

    @property
    def skipped_lines(self) -> int:
        return sum(self.skipped.values())

    def add(self, r: dict[str, Any]) -> None:
        """Count a scored line: an attempt of a run once, by its last line, as `xlogo report`
        and `runner.latest_attempts` take it; a prediction without a sample each time."""
        entry = (r.get("solved") is True, *_outcome(r))
        key = (r.get("run_id"), str(r.get("task_id")), r.get("sample"))
        if is_run_record(r):
            if key in self._attempts:
                self._count(self._attempts[key], -1)
            self._attempts[key] = entry
        self._count(entry, 1)

    def _count(self, entry: tuple[bool, str, str | None], sign: int) -> None:
        solved, outcome, crash = entry
        self.total += sign
        self.solved += sign * solved
        if outcome == "crashes":
            self.crashes[crash or "?"] += sign
            self.crashes += Counter()  # drops a kind whose count went back to 0
        elif outcome:
            setattr(self, outcome, getattr(self, outcome) + sign)

    def nothing_scored(self) -> str:
        """Why no prediction was scored, for the error a run without results ends with, and what
        became of the results file (an earlier one is kept, none is made)."""
        kept = Path(self.out).exists()
        out = f"{self.out} was left as it was" if kept else "no results were written"
        if not self.skipped_lines:
            return f"the file holds none; {out}"
        return f"all {self.skipped_lines} were skipped ({describe(self.skipped)}); {out}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "solved": self.solved,
            "solved_pct": round(100 * self.solved / self.total, 2) if self.total else 0.0,
            "parse_failures": self.parse_failures,
            "crashes": dict(self.crashes),
            "goal_failures": self.goal_failures,
            "constraint_failures": self.constraint_failures,
            "request_errors": self.request_errors,
            # every line not scored, by why: it was no prediction, or its task is not in the
            # set, or cannot be loaded
            "skipped_lines": self.skipped_lines,
            "unreadable_lines": self.skipped.get(UNREADABLE, 0),
            "unknown_task_ids": self.skipped.get(UNKNOWN_TASK, 0),
            "broken_task_ids": self.skipped.get(BROKEN_TASK, 0),
            "out": self.out,
            "written": self.written,
        }


SkipHandler = Callable[[int, str], None]


def score_predictions(
    src: str | Path,
    task_set: TaskSet | Iterable[Task],
    out: str | Path,
    on_skip: SkipHandler | None = None,
) -> ScoreSummary:
    """Score every line of `src` on `task_set` into `out` (replaced only if one was scored).
    `task_set` is a `load_task_set(path)`, or a list of loaded tasks."""
    if not isinstance(task_set, TaskSet):
        task_set = TaskSet.of(args.tasks("score_predictions", task_set))
    src, out = require_predictions(src), Path(args.path_text("out", out))
    check_replaceable(out)
    summary = ScoreSummary(str(out))
    tasks = task_set.by_id()
    with (
        open_input(src, UsageError, regular_only=False) as fin,  # a pipe too: /dev/stdin, <(cmd)
        replaced_when_kept(out, lambda: summary.total > 0) as fout,
    ):
        for lineno, line in enumerate(capped_lines(fin), start=1):
            if line.data is not None and not line.data.strip():
                continue
            record, skip = _read_record(line.data, tasks, task_set)
            if record is None:
                kind, why = skip
                summary.skipped[kind] += 1
                if on_skip is not None:
                    on_skip(lineno, why)
                continue
            response = record["response"]
            task = tasks[str(record["task_id"])]
            score = (
                no_reply_score(record.get("request_error"))
                if response is None
                else score_response(task, response)
            )
            result = {**record, **score}
            fout.write(json_line(result))
            summary.add(result)
    summary.written = summary.total > 0
    return summary


def _outcome(r: dict[str, Any]) -> tuple[str, str | None]:
    """The summary's count a scored line adds to ("" for a solve), and its crash kind. Both
    the goal and the constraints failing is a goal failure, as in `failure`."""
    if r.get("failure") == REQUEST_ERROR:
        return "request_errors", None
    if not r.get("parsed"):
        return "parse_failures", None
    if r.get("crashed"):
        return "crashes", (r.get("crash") or {}).get("kind", "?")
    if r.get("goal_ok") is False:
        return "goal_failures", None
    if r.get("constraints_ok") is False:
        return "constraint_failures", None
    return "", None


# What every line `score_predictions` writes holds: the prediction's keys and the verdict's.
RESULT_KEYS = frozenset({"task_id", "response", "parsed", "solved"})


def check_replaceable(out: Path) -> None:
    """Refuse to replace a file that is not an earlier `xlogo score` result: an `xlogo eval` run
    (recognised as `xlogo eval` recognises its own, `runner.is_run_file`) holds replies that
    cost requests, and notes or any other file are someone's. The results of a run scored here
    keep its run records' keys, so they cannot be told from the run and are refused too: the
    message says so, as the second `xlogo score RUN.jsonl` meets it. An empty file, a missing
    one and one that is not a regular file (`/dev/stdout`, written directly) lose nothing."""
    if not out.is_file():
        return
    rf = read_run(out)
    if is_run_file(rf):
        raise UsageError(
            "holds run records (run_id, task_id, sample): an xlogo eval run, or the results of "
            "one scored by xlogo score, which keep its run_id and sample; it would be replaced: "
            "remove it first, or choose another --out (nothing was written)",
            file=str(out),
        )
    foreign = _first_foreign_line(rf)
    if foreign is not None:
        raise UsageError(
            f"not a results file of xlogo score: line {foreign[0]} is {foreign[1]}; it would be "
            "replaced: choose another --out, or remove the file first (nothing was written)",
            file=str(out),
        )


def _first_foreign_line(rf: RunFile) -> tuple[int, str] | None:
    """(line, what it is) of the first line of a file that `xlogo score` did not write."""
    foreign = list(rf.bad)
    foreign += [
        (n, "a JSON object without a scored prediction's keys")
        for n, rec in rf.numbered()
        if not RESULT_KEYS.issubset(rec)
    ]
    if rf.torn:
        foreign.append((rf.torn_line or 0, "text that is not JSON"))
    return min(foreign) if foreign else None


def require_predictions(src: str | Path) -> Path:
    """`src` if it is a file to read predictions from; a folder, a missing file or a loop of
    symbolic links is an error that says which (before anything is loaded or written). A pipe
    (`/dev/stdin`, `<(cmd)`) is read as a stream."""
    p = Path(args.path_text("src", src))
    if p.is_dir():
        raise UsageError("is a folder, not a predictions file (JSONL)", file=str(p))
    try:
        p.stat()
    except OSError as exc:
        why = cannot_open(exc)
        missing = why == "no such file or directory"
        raise UsageError("no such predictions file" if missing else why, file=str(p)) from None
    return p


def _read_record(
    line: bytes | None, tasks: dict[str, Any], task_set: TaskSet
) -> tuple[dict[str, Any] | None, tuple[str, str]]:
    """(the prediction, _) of a line that can be scored (None: one too long to read), else
    (None, (skip kind, why)). Bytes that are not UTF-8 are read as U+FFFD: a reply in Latin-1
    is still scored."""
    if line is None:
        return None, (UNREADABLE, line_too_long())
    try:
        record = load_json(line.decode("utf-8", errors="replace"))
    except ValueError as exc:
        return None, (UNREADABLE, f"not valid JSON ({json_problem(exc)})")
    if not isinstance(record, dict):
        return None, (UNREADABLE, "expected a JSON object")
    if "task_id" not in record or "response" not in record:
        return None, (UNREADABLE, 'expected the keys "task_id" and "response"')
    if record["response"] is None and record.get("status") == "error":
        pass  # a run's attempt that got no reply: a failed attempt, kept as one
    elif not isinstance(record["response"], str):
        return None, (UNREADABLE, '"response" must be a string')
    tid = str(record["task_id"])
    if tid in task_set.broken:
        return None, (BROKEN_TASK, task_set.unusable(tid))
    if tid not in tasks:
        return None, (UNKNOWN_TASK, f"unknown task id {record['task_id']!r}")
    return record, ("", "")
