"""Reports over one or more runs: overall success, per-skill success, failure types, baseline.

A report reads RUN.jsonl files (complete or partial), rescores every reply with the current
scorer (`scoring.score_response`, so two runs are always judged by the same code and the same
file always gives the same report), and compares the runs side by side, always next to the
symbolic solver as a baseline row (on the tasks the runs attempted). Success of a run is
pass@1 averaged over the tasks it attempted (with pass@k and a bootstrap interval when there
are several samples); per-skill success averages the same per-task rates over the attempted
tasks that carry the skill (`skills.py`). Every count a report shows is of the tasks the runs
attempted, beside the task set's size where they differ: a run of 3 tasks is not "25 draw
tasks". pass@k is shown for k = 1, 5, 10 and the run's own sample count, for every k that each
attempted task has samples for; a k left out because of a task with fewer samples is named.

An attempt whose request failed (no reply) counts as a failed sample, as it always has: the
pass@k definition does not depend on the endpoint's health. Because a run whose server failed
looks like a model that fails, such attempts are named in a warning with the command that asks
them again. The skills read off a program come from the reference solution, else the solver's;
the report says which, since the two can differ for one task.

The baseline runs the enumerative engine with no time limit by default, its repeat-body budget
the only bound: a wall-clock limit made the row depend on the machine (a timeout returns an
unproved, often longer program), and the 62 real tasks are all proved in about 30 s. Its limit
(`baseline_timeout`) is its own, apart from repair's (`repair_timeout`), so that bounding the
slow repair search does not make the baseline depend on the machine. A task counts as solved
only when the solver proved its program shortest; a timeout's program is shown apart, never as
a shortest size.

A report never trusts a record it cannot read: lines that are not JSON objects, records with a
missing or wrong-typed field, and records whose task is not in the task set (or cannot be loaded)
are skipped, counted and named in `warnings` (the first with its line and reason); a file with
nothing usable is a `UsageError`, not an empty report. A broken task file in the task set is
skipped with a warning of its own (`taskset.py`), so one bad file does not stop the report.

Its views are `report_view.py`: rich tables, and `write_html`, a self-contained page with PNG
charts. This module never calls a model.
"""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..ast import Program
from ..errors import UsageError, XlogoError, counted, shorten
from ..tasks import Task, id_sort_key, one_document_hint
from ..verdict import run
from . import arguments as args
from .failures import FAILURE_WORDS, Repairer, crash_steps, failure_key
from .passk import bootstrap_ci, pass_at_k_table
from .published import published_for
from .runner import read_run
from .scoring import FAILURES, score_response
from .skills import PROGRAM_SKILLS, SKILLS, skills
from .skips import BAD_LINE, BAD_RECORD, BROKEN_TASK, DUPLICATE, UNKNOWN_TASK, describe
from .taskset import TaskSet, load_task_set

# The fields a report reads, with the one JSON type each has in RUN.jsonl (eval/README.md):
# a record that gives another type is bad, never coerced (the string "yes" is not a verdict).
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "run_id": (str, type(None)),
    "sample": (int,),
    "status": (str,),
    "response": (str, type(None)),
    "solved": (bool,),
    "parsed": (bool,),
    "program": (str, type(None)),
    "failure": (str, type(None)),
    "failure_detail": (str, type(None)),
    "crashed": (bool,),
    "crash_step": (int, type(None)),
    "prompt_tokens": (int, type(None)),
    "completion_tokens": (int, type(None)),
    "tasks": (str, type(None)),  # where the task set is looked for without --tasks
}
# The k of pass@k every report shows when the samples allow it; a run's own sample count joins
# them (`RunStats.candidate_ks`), so that a 3-sample run is not shown pass@1 alone.
PASS_KS = (1, 5, 10)
# Where the program a task's program skills (basic actions, loops, variables) were read from.
SKILL_SOURCES = ("reference", "solver", "none")
_JSON_TYPE_NAMES = {
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "an array",
    dict: "an object",
    type(None): "null",
}


@dataclass(frozen=True)
class Skipped:
    """A line of a run the report could not use: where it is and why, for the warning."""

    line: int
    kind: str  # BAD_LINE, BAD_RECORD, UNKNOWN_TASK or BROKEN_TASK
    reason: str


@dataclass
class RunStats:
    name: str
    path: str
    model: str
    mode: str
    answer_format: str
    template_hash: str
    attempts: int = 0
    errors: int = 0
    solved_attempts: int = 0
    per_task: dict[str, tuple[int, int]] = field(default_factory=dict)  # id -> (n, correct)
    task_errors: Counter[str] = field(default_factory=Counter)  # id -> attempts with no reply
    failures: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    mean_crash_step: float | None = None
    mean_edit_distance: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    # made by `xlogo eval` (records with a run id), not predictions scored by `xlogo score`:
    # only a run has an eval command that gives its tasks their missing samples
    from_eval: bool = True

    def skipped_count(self, kind: str) -> int:
        return sum(1 for s in self.skipped if s.kind == kind)

    def warning(self) -> str | None:
        """One line saying how many lines were skipped and why, naming the first; None if none."""
        return _skip_summary(self.path, self.skipped) if self.skipped else None

    @property
    def tasks_attempted(self) -> int:
        return len(self.per_task)

    @property
    def tasks_solved(self) -> int:
        return sum(1 for _, c in self.per_task.values() if c > 0)

    def task_rates(self, ids: list[str] | None = None) -> list[float]:
        keys = self.per_task if ids is None else [i for i in ids if i in self.per_task]
        return [self.per_task[i][1] / self.per_task[i][0] for i in keys]

    def success(self, ids: list[str] | None = None) -> float | None:
        rates = self.task_rates(ids)
        return sum(rates) / len(rates) if rates else None

    # -- attempts without a reply -----------------------------------------------------------------

    @property
    def error_tasks(self) -> int:
        """Tasks with at least one attempt that got no reply."""
        return sum(1 for n in self.task_errors.values() if n)

    @property
    def tasks_without_reply(self) -> int:
        """Tasks none of whose attempts got a reply: their 0% says nothing about the model."""
        return sum(1 for t, (n, _) in self.per_task.items() if self.task_errors[t] == n)

    def error_warning(self) -> str | None:
        """How many attempts got no reply, that they count as failures, and how to ask them
        again; None when every attempt got one. A server that failed every request otherwise
        reads as a model that fails every task, with only the errors column to tell."""
        if not self.errors:
            return None
        how_many = (
            f"all {counted(self.attempts, 'attempt')}"
            if self.errors == self.attempts
            else f"{self.errors:,} of {counted(self.attempts, 'attempt')}"
        )
        silent = self.tasks_without_reply
        tasks = f", {counted(silent, 'task')} without any reply" if silent else ""
        return (
            f"{self.name}: {how_many} got no reply (request errors{tasks}); they count as failed "
            "attempts in pass@k, the per-skill rates and the failure types; "
            f"`xlogo eval ... --out {self.path} --retry-errors` asks them again"
        )

    # -- pass@k ------------------------------------------------------------------------------------

    def candidate_ks(self, base: tuple[int, ...] = PASS_KS) -> list[int]:
        """`base` and the run's own sample count (the most samples any task has), in order: a
        3-sample run gets pass@3, a 20-sample run pass@20, not just what `base` happens to list."""
        if not self.per_task:
            return []
        return sorted({*base, max(n for n, _ in self.per_task.values())})

    def ks(self, base: tuple[int, ...] = PASS_KS) -> list[int]:
        """The k of pass@k this run is shown with: those every attempted task has samples for."""
        least = min((n for n, _ in self.per_task.values()), default=0)
        return [k for k in self.candidate_ks(base) if k <= least]

    def ks_left_out(self, base: tuple[int, ...] = PASS_KS) -> dict[int, list[str]]:
        """k -> the tasks with fewer than k samples, for each k that some task has samples for
        but these do not: one short task hides pass@k for the whole run, so they are named."""
        shown = set(self.ks(base))
        return {
            k: [t for t, (n, _) in self.per_task.items() if n < k]
            for k in self.candidate_ks(base)
            if k not in shown and any(n >= k for n, _ in self.per_task.values())
        }

    def pass_at_k(self, base: tuple[int, ...] = PASS_KS) -> dict[int, dict[str, float]]:
        return pass_at_k_table(self.per_task, self.ks(base))

    def ks_warning(self, base: tuple[int, ...] = PASS_KS) -> str | None:
        """Which pass@k are left out and the tasks with too few samples that left them out."""
        left_out = self.ks_left_out(base)
        if not left_out:
            return None
        k = min(left_out)
        short = left_out[k]
        named = ", ".join(f"{t} ({self.per_task[t][0]})" for t in short[:5])
        more = f" and {len(short) - 5:,} more" if len(short) > 5 else ""
        ks = ", ".join(f"pass@{k}" for k in sorted(left_out))
        remedy = (
            "a stopped run is finished by running its `xlogo eval` command again"
            if self.from_eval
            else "the predictions file holds fewer replies for them"
        )
        return (
            f"{self.name}: {ks} not shown: {counted(len(short), 'task')} "
            f"{'has' if len(short) == 1 else 'have'} fewer than {k} samples: "
            f"{named}{more} (samples in brackets; {remedy})"
        )


@dataclass
class Baseline:
    """The symbolic solver on every task, in the solver's own statuses.

    `status` maps a task id to "solved" (a program proved shortest), "timeout" (the time limit or
    the repeat-body budget stopped the search: the best program found, if any, is not proved
    shortest), "no_solution" (proved: none within the size bound) or "error". Only proved
    sizes are in `sizes`: a timeout's program can be far longer than the shortest and depends
    on the machine's speed, so it goes to `found_sizes` and never counts as solved.
    """

    available: bool
    status: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)  # proved shortest only
    found_sizes: dict[str, int] = field(default_factory=dict)  # timeouts' unproved programs
    programs: dict[str, Any] = field(default_factory=dict)
    timeout: float | None = None
    note: str = ""

    def count(self, status: str) -> int:
        return sum(1 for s in self.status.values() if s == status)

    def success(self, ids: list[str]) -> float | None:
        ids = [i for i in ids if i in self.status]
        return sum(self.status[i] == "solved" for i in ids) / len(ids) if ids else None

    @property
    def limit(self) -> str:
        """What bounded the search, in words."""
        if self.timeout is None:
            return "no time limit"  # the repeat-body budget still bounds the search
        return f"time limit {self.timeout:g} s per task"


@dataclass
class Report:
    """The comparison `build_report` makes of one or more runs on one task set: per run the
    overall and per-skill scores, pass@k and failure types, beside the solver's baseline row.
    It holds numbers only; `report_view` shows it as tables, charts and HTML."""

    runs: list[RunStats]
    baseline: Baseline
    task_ids: list[str]
    task_skills: dict[str, list[str]]
    ks: tuple[int, ...] = PASS_KS
    task_warnings: list[str] = field(default_factory=list)  # broken tasks of the task set
    skill_sources: dict[str, str] = field(default_factory=dict)  # id -> one of SKILL_SOURCES
    repair_timeout: float | None = None  # seconds per failed program; None: no --repair

    # -- numbers ---------------------------------------------------------------------------------

    def skill_ids(self, skill: str) -> list[str]:
        """The tasks of the task set with `skill`."""
        return [t for t in self.task_ids if skill in self.task_skills.get(t, [])]

    def skill_total(self, skill: str) -> int | None:
        """How many tasks of the set have `skill`, or None when that is not known: a skill read
        off a program is unknown for a task with neither a reference solution nor a solver
        program (the baseline solves only the attempted tasks), and a count that left those
        out would read as the set's."""
        if skill in PROGRAM_SKILLS and any(
            self.skill_sources.get(t) == "none" for t in self.task_ids
        ):
            return None
        return len(self.skill_ids(skill))

    @property
    def attempted_ids(self) -> list[str]:
        """The tasks some run attempted, in task-set order: what every rate is over."""
        tried = {t for r in self.runs for t in r.per_task}
        return [t for t in self.task_ids if t in tried]

    def attempted_skill_ids(self, skill: str) -> list[str]:
        """The attempted tasks with `skill`: the tasks a per-skill rate is over."""
        return [t for t in self.attempted_ids if skill in self.task_skills.get(t, [])]

    def runs_differ_in_tasks(self) -> bool:
        """Whether the runs attempted different tasks (their rates are then over different
        tasks, each its own)."""
        return len({frozenset(r.per_task) for r in self.runs}) > 1

    def skills_from(self) -> dict[str, Any]:
        """Where the program skills of the attempted tasks were read from: `source` is
        "reference", "solver", "mixed" or "none", with the count of each. The reference
        solution and the solver's shortest can differ (one with a repeat, one without), so the
        same run gives other skill rows against a task source without reference solutions."""
        counts = Counter(self.skill_sources.get(t, "none") for t in self.attempted_ids)
        used = [s for s in SKILL_SOURCES if counts[s]]
        return {
            "source": used[0] if len(used) == 1 else ("mixed" if used else "none"),
            "reference_solutions": counts["reference"],
            "solver_solutions": counts["solver"],
            "no_program": counts["none"],
        }

    def skills_from_text(self) -> str:
        """`skills_from` in words, for the per-skill table."""
        f = self.skills_from()
        parts = [
            text
            for n, text in (
                (f["reference_solutions"], counted(f["reference_solutions"], "reference solution")),
                (f["solver_solutions"], counted(f["solver_solutions"], "solver solution")),
                (f["no_program"], f"{counted(f['no_program'], 'task')} without either"),
            )
            if n
        ]
        head = "mixed, " if f["source"] == "mixed" else ""
        return f"program skills (basic_actions, loops, variables) from: {head}{', '.join(parts)}"

    def failure_keys(self) -> list[str]:
        keys: Counter[str] = Counter()
        for r in self.runs:
            keys.update(r.failures)
        order = {k: i for i, k in enumerate(FAILURE_WORDS)}
        return sorted(keys, key=lambda k: (order.get(k, len(order)), k))

    def to_dict(self) -> dict[str, Any]:
        runs = []
        for r in self.runs:
            ci = bootstrap_ci(r.task_rates())
            runs.append(
                {
                    "name": r.name,
                    "path": r.path,
                    "model": r.model,
                    "mode": r.mode,
                    "answer_format": r.answer_format,
                    "template_hash": r.template_hash,
                    "attempts": r.attempts,
                    "errors": r.errors,
                    "solved_attempts": r.solved_attempts,
                    "error_tasks": r.error_tasks,
                    "tasks_without_reply": r.tasks_without_reply,
                    "tasks_attempted": r.tasks_attempted,
                    "tasks_solved": r.tasks_solved,
                    "success": r.success(),
                    "success_ci": list(ci) if r.per_task else None,
                    "pass_at_k": {str(k): v for k, v in r.pass_at_k(self.ks).items()},
                    "pass_at_k_left_out": {
                        str(k): ids for k, ids in r.ks_left_out(self.ks).items()
                    },
                    "per_skill": {s: r.success(self.skill_ids(s)) for s in SKILLS},
                    "failures": dict(sorted(r.failures.items())),
                    "failure_categories": {c: r.categories.get(c, 0) for c in FAILURES},
                    "mean_crash_step": r.mean_crash_step,
                    "mean_edit_distance": r.mean_edit_distance,
                    "prompt_tokens": r.prompt_tokens,
                    "completion_tokens": r.completion_tokens,
                    "bad_lines": r.skipped_count(BAD_LINE),
                    "bad_records": r.skipped_count(BAD_RECORD),
                    "unknown_task_ids": r.skipped_count(UNKNOWN_TASK),
                    "broken_task_ids": r.skipped_count(BROKEN_TASK),
                    "duplicates": r.skipped_count(DUPLICATE),
                    "skipped": len(r.skipped),
                    "first_skipped": (
                        {"line": r.skipped[0].line, "reason": r.skipped[0].reason}
                        if r.skipped
                        else None
                    ),
                }
            )
        b = self.baseline
        return {
            "tasks": len(self.task_ids),
            "tasks_attempted": len(self.attempted_ids),
            "skills": {s: self.skill_total(s) for s in SKILLS},
            "skills_attempted": {s: len(self.attempted_skill_ids(s)) for s in SKILLS},
            "skills_from": self.skills_from(),
            "repair_timeout": self.repair_timeout,
            "warnings": self.warnings(),
            "published": self.published(),
            "runs": runs,
            "solver": {
                "available": b.available,
                "note": b.note,
                "engine": "enum",
                "timeout": b.timeout,
                "tasks": len(b.status),
                "tasks_solved": b.count("solved"),
                "timeouts": b.count("timeout"),
                "no_solution": b.count("no_solution"),
                "errors": b.count("error"),
                "success": b.success(self.task_ids),
                "mean_size": mean(list(b.sizes.values())),
                "max_size": max(b.sizes.values(), default=None),
                "sizes": sorted_by_id(b.sizes),
                "found_sizes": sorted_by_id(b.found_sizes),
                "status": sorted_by_id(b.status),
                "per_skill": {s: b.success(self.skill_ids(s)) for s in SKILLS},
            },
        }

    def warnings(self) -> list[str]:
        """Lines for stderr (and `warnings` in JSON, the top of the HTML page): what the report
        left out and why, attempts that got no reply, and pass@k left out for want of samples."""
        per_run = [
            w
            for r in self.runs
            for w in (r.warning(), r.error_warning(), r.ks_warning(self.ks))
            if w is not None
        ]
        return self.task_warnings + per_run

    def published(self) -> dict[str, Any] | None:
        """The paper's success rates, when the attempted tasks are real ones (`published.py`):
        with how many, so that a rate over part of the 85 reads as a part beside them."""
        return published_for(self.attempted_ids)

    # -- views (report_view.py) -----------------------------------------------------------------

    def tables(self) -> list[Any]:
        """The rich tables, in the order `render` prints them."""
        from .report_view import tables

        return tables(self)

    def render(self, console: Any = None) -> None:
        """The report's tables on `console` (a rich Console; None: a new one on stdout, as a
        notebook or script wants it)."""
        from .report_view import render

        if console is None:
            from rich.console import Console

            console = Console()
        render(self, console)

    def write_html(self, path: str | Path) -> list[Path]:
        """The HTML page (charts embedded) plus the charts as PNG files beside it."""
        from .report_view import write_html

        return write_html(self, path)


# -- building a report -----------------------------------------------------------------------------


def build_report(
    paths: Iterable[str | Path],
    tasks: Iterable[Task] | TaskSet | None = None,
    *,
    rescore: bool = True,
    solver: bool = True,
    baseline_timeout: float | None = None,
    repair: bool = False,
    repair_timeout: float | None = None,
    solver_timeout: float | None = None,
) -> Report:
    """Read runs, rescore them and compute everything the tables and charts show.

    `tasks` defaults to the task source recorded in the runs (`tasks` field of each attempt),
    read leniently: a broken task is left out with a warning, and the records of its id are
    skipped as such. `baseline_timeout` (seconds per task) bounds the solver baseline: None, the
    default, gives it no time limit, so that it is the same on every machine (the engine's
    repeat-body budget still bounds it). `repair_timeout` (seconds per distinct failed program)
    bounds each repair: None is repair's own limit (30 s). The two are apart so that bounding
    the slow repair search never turns a baseline task into a machine-dependent timeout.
    `solver_timeout` is the older parameter, one limit for both: it fills in whichever of the
    two is not given. Every run is read and checked before the solver starts, so bad input
    fails at once: `paths` is a list of results files (one run: `[path]`; a str alone would be
    read as its characters), and must name at least one.
    """
    from ..solver import check_timeout

    if isinstance(tasks, (str, os.PathLike)):  # a path where the tasks go: a common slip
        raise TypeError(
            "build_report takes the tasks themselves (a list of Task, or "
            f"load_task_set(path)), got {type(tasks).__name__}"
        )
    run_paths = args.paths("build_report's paths", paths)
    if not run_paths:
        raise UsageError("build_report needs at least one results file (paths is empty)")
    if tasks is not None and not isinstance(tasks, TaskSet):
        tasks = args.tasks("build_report", tasks)
    # each limit is checked under its own option's name (the solver's own message says only
    # "timeout", which of three), before the older one fills in the newer ones
    for option, limit in (
        ("--baseline-timeout", baseline_timeout),
        ("--repair-timeout", repair_timeout),
        ("--solver-timeout", solver_timeout),
    ):
        if limit is not None:
            args.number(option, limit)
        try:
            check_timeout(limit)
        except UsageError:
            raise UsageError(
                f"{option} must be a number of seconds, 0 or more, or inf (got {limit})"
            ) from None
    if solver_timeout is not None:
        baseline_timeout = solver_timeout if baseline_timeout is None else baseline_timeout
        repair_timeout = solver_timeout if repair_timeout is None else repair_timeout

    baseline_timeout = check_timeout(baseline_timeout)
    repair_timeout = _repair_limit(check_timeout(repair_timeout)) if repair else None
    files = [_read_run_file(p, rescore) for p in run_paths]
    task_set = _task_set(tasks, files)
    by_id = task_set.by_id()
    task_ids = [t.id for t in task_set.tasks]
    usable_by_file = []
    for path, good, skipped in files:
        numbered: list[tuple[int, dict[str, Any]]] = []
        for n, rec in good:
            tid = str(rec["task_id"])
            if tid in by_id:
                numbered.append((n, rec))
            elif tid in task_set.broken:
                skipped.append(Skipped(n, BROKEN_TASK, task_set.unusable(tid)))
            else:
                why = f"task id {json.dumps(tid)} is not in the task set"
                skipped.append(Skipped(n, UNKNOWN_TASK, why))
        usable = _attempts(numbered, skipped)
        skipped.sort(key=lambda s: s.line)
        if not usable:
            raise UsageError(
                f"nothing to report: {_skip_summary(str(path), skipped)}", file=str(path)
            )
        usable_by_file.append((path, usable, skipped))

    # the baseline is measured on the tasks the runs attempted, so that its row compares like
    # with like on a run of part of the set (`xlogo eval --ids`), and costs no more than that
    attempted = {str(rec["task_id"]) for _, usable, _ in usable_by_file for rec in usable}
    baseline = (
        _baseline([t for t in task_set.tasks if t.id in attempted], baseline_timeout)
        if solver
        else Baseline(False, note="not run (--no-solver)")
    )
    # the baseline already asked the solver: never ask it again (nor at all with --no-solver)
    programs = {t.id: _skill_program(t, baseline) for t in task_set.tasks}
    task_skills = {t.id: skills(t, programs[t.id][0], use_solver=False) for t in task_set.tasks}
    skill_sources = {tid: source for tid, (_, source) in programs.items()}
    repairer = Repairer(repair_timeout) if repair else None
    cache: dict[tuple[str, str], dict[str, Any]] = {}
    runs = []
    warnings = task_set.warnings()
    names = _run_names([p for p, _, _ in usable_by_file])
    for p, name, records, skipped in _split_runs(usable_by_file, names, warnings):
        first = records[0]
        stats = RunStats(
            name=name,
            path=str(p),
            model=str(first.get("model", "?")),
            mode=str(first.get("mode", "?")),
            answer_format=str(first.get("answer_format", "?")),
            template_hash=str(first.get("template_hash", "?")),
            skipped=skipped,
            from_eval=first.get("run_id") is not None,
        )
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        distances = []
        scored_all = []
        for rec in records:
            tid = str(rec["task_id"])
            task = by_id[tid]
            scored = rec
            if rescore and rec.get("status", "ok") == "ok" and isinstance(rec.get("response"), str):
                key = (tid, rec["response"])
                if key not in cache:
                    cache[key] = score_response(task, rec["response"])
                scored = {**rec, **cache[key]}
            scored_all.append(scored)
            stats.attempts += 1
            no_reply = scored.get("status") == "error"
            stats.errors += no_reply
            stats.task_errors[tid] += no_reply
            ok = scored["solved"] is True  # checked: a boolean, from the scorer or the record
            stats.solved_attempts += ok
            counts[tid][0] += 1
            counts[tid][1] += ok
            fk = failure_key(scored)
            if fk is not None:
                stats.failures[fk] += 1
                stats.categories[str(scored.get("failure"))] += 1
                if repairer is not None and scored.get("parsed"):
                    d = repairer.distance(task, scored.get("program"))
                    if d is not None:
                        distances.append(d)
            stats.prompt_tokens += scored.get("prompt_tokens") or 0
            stats.completion_tokens += scored.get("completion_tokens") or 0
        stats.per_task = {
            t: (n, c) for t, (n, c) in sorted(counts.items(), key=lambda kv: id_sort_key(kv[0]))
        }
        stats.mean_crash_step = mean(crash_steps(scored_all))
        stats.mean_edit_distance = mean(distances)
        runs.append(stats)
    unsolved = [t.id for t in task_set.tasks if t.solution is None and t.id in attempted]
    if unsolved and not solver:
        # their program skills (basic actions, loops, ...) come from a program: the reference
        # one, else the solver's, which --no-solver leaves out
        warnings.append(
            f"{len(unsolved)} task{'s have' if len(unsolved) != 1 else ' has'} no reference "
            f"solution (first: {unsolved[0]}): with --no-solver the skills read off a program "
            "(basic actions, loops, ...) are not known for them, and the per-skill table "
            "leaves them out of those rows"
        )
    return Report(
        runs,
        baseline,
        task_ids,
        task_skills,
        task_warnings=warnings,
        skill_sources=skill_sources,
        repair_timeout=repair_timeout,
    )


def _repair_limit(timeout: float | None) -> float | None:
    """The time limit each repair gets: the one asked for, else repair's own default, named so
    that the report can say what bounded the edit distances."""
    from ..solver.edits import DEFAULT_TIMEOUT

    return DEFAULT_TIMEOUT if timeout is None else timeout


def _skill_program(task: Task, baseline: Baseline) -> tuple[Program | None, str]:
    """The program a task's program skills are read from, and where it came from: the
    reference solution, else the solver's (proved shortest, or a timeout's program), else none.
    """
    if task.solution is not None:
        return task.solution, "reference"
    program = baseline.programs.get(task.id)
    return (program, "solver") if program is not None else (None, "none")


_RunLines = tuple[Path, list[tuple[int, dict[str, Any]]], list[Skipped]]


def _read_run_file(path: Path, rescore: bool) -> _RunLines:
    """(path, the records a report can count, the lines skipped) of one run. A folder, a
    missing file, and a file with no readable record at all are errors naming the file, before
    anything else is loaded."""
    if path.is_dir():
        raise UsageError("is a folder, not a results file (RUN.jsonl)", file=str(path))
    if not path.is_file():
        raise UsageError("no such results file", file=str(path))
    lines, skipped = _read_lines(path)
    good = []
    for n, rec in lines:
        why = _check_record(rec, rescore=rescore)
        if why is None:
            good.append((n, rec))
        else:
            skipped.append(Skipped(n, BAD_RECORD, why))
    if not good:
        skipped.sort(key=lambda s: s.line)
        what = _skip_summary(str(path), skipped) if skipped else "the file holds no runs"
        raise UsageError(
            f"nothing to report: {what}",
            file=str(path),
            hint=one_document_hint(path) if path.is_file() else None,
        )
    return path, good, skipped


def _task_set(tasks: list[Task] | TaskSet | None, files: list[_RunLines]) -> TaskSet:
    """The task set given, or the one the runs recorded (all of them must name the same)."""
    if isinstance(tasks, TaskSet):
        return tasks
    if tasks is not None:
        return TaskSet.of(tasks)
    sources = {r["tasks"] for _, good, _ in files for _, r in good if r.get("tasks")}
    runs = ", ".join(str(path) for path, _, _ in files[:3]) + (", ..." if len(files) > 3 else "")
    if len(sources) > 1:
        named = ", ".join(sorted(map(str, sources))[:3])
        raise UsageError(
            f"the records name {len(sources)} task sets ({named}); pass --tasks with the one "
            "that holds all their tasks"
        )
    if not sources:
        # a predictions file (`xlogo score` input) has no task source: name the file meant
        raise UsageError(
            f"the records of {runs} do not say where their tasks are (a predictions file, "
            "records written before runs recorded it, or a run_eval whose EvalConfig had no "
            "tasks_source); pass --tasks (from Python: build_report(paths, tasks))"
        )
    source = sources.pop()
    try:
        return load_task_set(source)
    except XlogoError as exc:
        raise UsageError(
            f"the task set the runs recorded ({source}) cannot be read: {exc.message}; pass --tasks"
        ) from None


def _read_lines(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], list[Skipped]]:
    """The JSON objects of a run with their line numbers, and the lines that are not one
    (a torn last line of a stopped run among them), each with its reason for the warning."""
    rf = read_run(path)
    skipped = [Skipped(n, BAD_LINE, why) for n, why in rf.bad]
    if rf.torn_line is not None:
        why = "incomplete last line (the run stopped while writing it)"
        skipped.append(Skipped(rf.torn_line, BAD_LINE, why))
    return rf.numbered(), skipped


def _check_record(rec: dict[str, Any], *, rescore: bool) -> str | None:
    """Why a record cannot be counted (a missing or wrong-typed field), or None if it can.

    A verdict is either rescored from the reply or read from `solved`; a record that has
    neither cannot be counted as a success or as a failure, so it is bad, not a failure.
    """
    if "task_id" not in rec:
        return 'no "task_id"'
    tid = rec["task_id"]
    if isinstance(tid, bool) or not isinstance(tid, str | int):  # 87 is read as "87"
        return f'"task_id" is {_json_type(tid)}, not a string: {_short(tid)}'
    for key, types in _FIELD_TYPES.items():
        if key in rec and not _has_type(rec[key], types):
            want = " or ".join(_JSON_TYPE_NAMES[t] for t in types)
            return f'"{key}" is {_json_type(rec[key])}, not {want}: {_short(rec[key])}'
    status = rec.get("status", "ok")
    if status not in ("ok", "error"):
        return f'"status" is {_short(status)}, not "ok" or "error"'
    rescored = rescore and status == "ok" and isinstance(rec.get("response"), str)
    if not rescored and "solved" not in rec:
        return 'no verdict: no "solved"' + (' and no "response" to score' if rescore else "")
    return None


def _has_type(value: Any, types: tuple[type, ...]) -> bool:
    # JSON true is not an integer, though Python's bool is an int
    return bool in types if isinstance(value, bool) else isinstance(value, types)


def _json_type(value: Any) -> str:
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def _short(value: Any) -> str:
    return shorten(json.dumps(value, ensure_ascii=False))


def _attempts(
    numbered: list[tuple[int, dict[str, Any]]], skipped: list[Skipped]
) -> list[dict[str, Any]]:
    """One record per attempt. A run's attempt is its (run_id, task, sample): a resumed run that
    asked again after an error wrote a later line for it, which wins as it does for the runner
    (`latest_attempts`). A later line repeating an answered attempt (a file concatenated with
    itself) is counted once, and the earlier line skipped as a duplicate, with the warning. A
    record with no `sample` (`xlogo score` results) is an attempt of its own: two predictions
    for one task are two samples, not one written twice."""
    latest: dict[tuple[Any, ...], tuple[int, dict[str, Any]]] = {}
    for n, rec in numbered:
        if "sample" not in rec:
            latest[("line", n)] = (n, rec)
            continue
        key = (rec.get("run_id"), str(rec["task_id"]), rec["sample"])
        if key in latest and latest[key][1].get("status", "ok") == "ok":
            m = latest[key][0]
            why = f"line {n} holds the same attempt (task {json.dumps(key[1])}, sample {key[2]})"
            skipped.append(Skipped(m, DUPLICATE, why))
        latest[key] = (n, rec)
    return [rec for _, rec in latest.values()]


def _skip_summary(path: str, skipped: list[Skipped]) -> str:
    """'N lines skipped (how many of each kind; first: FILE line L: reason)'."""
    n = len(skipped)
    kinds = describe(Counter(s.kind for s in skipped))
    first = skipped[0]
    return (
        f"{counted(n, 'line')} skipped ({kinds}; first: {path} line {first.line}: {first.reason})"
    )


def _split_runs(
    files: list[tuple[Path, list[dict[str, Any]], list[Skipped]]],
    names: list[str],
    warnings: list[str],
) -> Iterator[tuple[Path, str, list[dict[str, Any]], list[Skipped]]]:
    """(path, name, attempts, skipped lines) of each run: a file holding several runs (files of
    two models concatenated) gives one row per run id, named by its model where the models
    differ, so that no attempt of one model is counted as a sample of another. The lines the
    file skipped go with its first run."""
    for (path, records, skipped), name in zip(files, names, strict=True):
        groups: dict[Any, list[dict[str, Any]]] = {}
        for rec in records:
            groups.setdefault(rec.get("run_id"), []).append(rec)
        if len(groups) == 1:
            yield path, name, records, skipped
            continue
        models = [str(recs[0].get("model", "?")) for recs in groups.values()]
        labels = models if len(set(models)) == len(models) else [str(r) for r in groups]
        warnings.append(
            f"{path} holds {len(groups)} runs ({', '.join(labels)}): each is reported as a run "
            "of its own"
        )
        for i, (label, recs) in enumerate(zip(labels, groups.values(), strict=True)):
            yield path, f"{name} ({label})", recs, skipped if i == 0 else []


def _run_names(paths: list[Path]) -> list[str]:
    names = [p.stem for p in paths]
    if len(set(names)) < len(names):
        names = [str(p) for p in paths]
    return names


def _baseline(tasks: list[Task], timeout: float | None) -> Baseline:
    """The enumerative engine on every task, each program checked by the core's verdict.

    The enumerative engine, not the solver's default of the day: it proves every real task,
    and with no time limit its answers (and so this row) depend on nothing but the task.
    """
    from ..solver import solve

    b = Baseline(True, timeout=timeout)
    for t in tasks:
        try:
            sol = solve(t, engine="enum", timeout=timeout)
        except Exception as exc:
            b.status[t.id] = "error"
            b.note = f"solver error on task {t.id}: {exc}"
            continue
        prog = sol.program
        if prog is not None and not run(t, prog).solved:  # the core judges the solver too
            b.status[t.id] = "error"
            b.note = f"the solver's program for task {t.id} does not solve it"
            continue
        if sol.status == "no_solution":
            b.status[t.id] = "no_solution"
        elif sol.status == "solved" and sol.proved_minimal and prog is not None:
            b.status[t.id] = "solved"
            b.sizes[t.id] = sol.size if sol.size is not None else len(prog)
            b.programs[t.id] = prog
        else:  # stopped by the time limit or the body budget: what it found is not proved
            b.status[t.id] = "timeout"
            if prog is not None:
                b.found_sizes[t.id] = sol.size if sol.size is not None else len(prog)
                b.programs[t.id] = prog
    return b


def sorted_by_id(values: dict[str, Any]) -> dict[str, Any]:
    return dict(sorted(values.items(), key=lambda kv: id_sort_key(kv[0])))


def mean(values: list[float] | list[int]) -> float | None:
    return sum(values) / len(values) if values else None
