"""Running a model on tasks: prompts out, replies in, every attempt appended to RUN.jsonl.

An attempt is one (task, sample index) pair. Attempts run concurrently (at most `concurrency`
requests in flight), and each one is scored and appended to the results file as one JSON line
the moment it finishes, so a run killed at any point keeps every finished attempt.

Resume semantics: running again with the same output file reads it first. A file with a line
that is not a run record (notes, a JSON document, a binary file) is refused untouched, so no one's
file gets records appended or its last line cut off. A torn last line (the process died
mid-write; it begins as every record does) is cut off; every complete line is kept as it is.
Attempts already in the file for the same configuration (`run_id`: model, mode, template, answer
format, sampling parameters, constraint mode) are never requested again; the others (new tasks,
more samples, an interrupted attempt) are. A file holding another configuration's attempts is
refused rather than mixed, naming the settings that differ, and so is a file whose attempt of a
task id was asked another prompt than the task of that id gives now, or was made on another task
(`task_hash`; another task set). An
attempt whose request kept failing is recorded with `status: "error"` and is final too, unless
`retry_errors` is set; then a new record is appended and readers take the last record of each
(task, sample) (see `latest_attempts`). An endpoint that cannot be reached at all
(`client.Unreachable`) stops the run with an `EndpointError` instead: what was written stays,
the attempts not made are not recorded, and the same call resumes with them.

This module never decides success itself: `scoring.score_response` does, on top of the core.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import os
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from ..errors import UsageError, counted, json_problem, load_json
from ..files import cannot_write, json_line
from ..reading import cannot_open, capped_lines, line_too_long, open_input
from ..tasks import Task
from . import arguments as args
from .client import (
    ChatClient,
    EndpointError,
    RequestFailed,
    RetryPolicy,
    Unreachable,
    Wait,
    check_base_url,
    endpoint_url,
    resolve_api_key,
)
from .prompts import (
    ANSWER_FORMATS,
    CONSTRAIN,
    MODES,
    PROMPT_VERSION,
    Prompt,
    build_prompt,
    check_choice,
    read_template,
)
from .scoring import no_reply_score, score_response

if TYPE_CHECKING:
    from rich.console import Console

GRAMMAR_FORMATS = ("gbnf", "lark")
# How every line the writer appends begins (json.dumps keeps the record's key order): a torn
# last line that does not begin so was not written by a run, and is never cut off.
RECORD_START = '{"run_id": '


@dataclass(frozen=True)
class EvalConfig:
    """Everything that decides what a run asks and of whom: the model and endpoint, the prompt
    (mode, template, answer format, constrained decoding), the sampling and the retry policy.
    Frozen and checked when made, so a bad option fails before any request; its `run_id` names
    the settings in every record, which is how a resumed run finds its own attempts."""

    model: str
    base_url: str | None = None
    api_key_env: str | None = None  # None: OPENAI_API_KEY, which a base_url may do without
    mode: str = "text"
    template: str | Path | None = None  # a shipped template's name or a file; kept as a str
    answer_format: str = "text"
    samples: int = 1
    temperature: float = 0.0
    top_p: float | None = None
    max_tokens: int | None = 2048
    seed: int | None = None
    concurrency: int = 8
    constrain: str | None = None  # None | "grammar" | "json"
    grammar_format: str | None = None  # "gbnf" (the default) or "lark"; constrain="grammar" only
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    retry_errors: bool = False
    # where the tasks came from, recorded for `xlogo report` (a str or a path; kept as a str)
    tasks_source: str | Path | None = None

    def __post_init__(self) -> None:
        # From Python every field can hold anything: a type the request or the records cannot
        # carry ("0.8", a seed of 1.5, 2.5 workers, an empty model name) is named here, not
        # sent with every request or met as a TypeError deep in the run (arguments.py).
        args.text("--model", self.model)
        check_base_url(self.base_url)
        args.optional_text("--api-key-env", self.api_key_env)
        if self.template is not None:  # read (and so checked) by `template_hash` and the prompts
            object.__setattr__(self, "template", args.path_text("--template", self.template))
        # the words build_prompt takes, checked here so that a run fails before any request
        check_choice("--mode", self.mode, MODES)
        check_choice("--answer-format", self.answer_format, ANSWER_FORMATS)
        check_choice("--constrain", self.constrain, CONSTRAIN)
        # 2.5 samples would fail only in range(), once the results file has been read
        if isinstance(self.samples, bool) or not isinstance(self.samples, int):
            raise TypeError(f"--samples must be an int, got {type(self.samples).__name__}")
        if self.samples < 1:
            raise UsageError("--samples must be at least 1")
        # a NaN would be sent (every request refused) and written into records as bare NaN,
        # which strict JSON readers reject; -0.0 is 0.0, not another configuration
        temperature = args.number("--temperature", self.temperature)
        if not (math.isfinite(temperature) and temperature >= 0):
            raise UsageError(
                f"--temperature must be a number of at least 0, not {self.temperature}"
            )
        object.__setattr__(self, "temperature", temperature + 0.0)
        if self.top_p is not None:
            top_p = args.number("--top-p", self.top_p)
            if not (math.isfinite(top_p) and 0 <= top_p <= 1):
                raise UsageError(f"--top-p must be between 0 and 1, not {self.top_p}")
            object.__setattr__(self, "top_p", top_p + 0.0)
        args.whole("--concurrency", self.concurrency, 1)
        args.optional_whole("--max-tokens", self.max_tokens, 1)  # 0: every request refused
        args.optional_whole("--seed", self.seed)
        if not isinstance(self.retry, RetryPolicy):
            raise TypeError(f"retry must be a RetryPolicy, got {type(self.retry).__name__}")
        args.flag("--retry-errors", self.retry_errors)
        if self.tasks_source is not None:
            object.__setattr__(
                self, "tasks_source", args.path_text("tasks_source", self.tasks_source)
            )
        if self.constrain == "json" and self.answer_format != "text":
            # the schema admits code JSON only, and the prompt asks for it: the answer format
            # would be silently unused
            raise UsageError(
                f"--constrain json asks for code JSON answers; --answer-format "
                f"{self.answer_format} does not go with it (use --constrain grammar)"
            )
        if self.grammar_format is not None:
            if self.grammar_format not in GRAMMAR_FORMATS:
                raise UsageError(
                    f"unknown --grammar-format {self.grammar_format!r} (use gbnf or lark)"
                )
            if self.constrain != "grammar":  # silently unused otherwise
                raise UsageError("--grammar-format goes with --constrain grammar")

    def warnings(self) -> list[str]:
        """Settings that are allowed but probably not meant, for the CLI to print: several
        samples at temperature 0 are greedy decoding asked K times, usually K identical replies,
        so pass@k would only repeat pass@1 while looking like a sampled estimate."""
        if self.samples > 1 and self.temperature == 0:
            return [
                f"--samples {self.samples} with --temperature 0 asks for {self.samples} greedy "
                "replies, which are usually identical (pass@k then says no more than pass@1); "
                "give a --temperature above 0 (e.g. 0.8) for distinct samples"
            ]
        return []

    @property
    def grammar(self) -> str | None:
        """The grammar notation requests carry: None unless decoding is grammar-constrained."""
        return (self.grammar_format or "gbnf") if self.constrain == "grammar" else None

    @cached_property
    def template_hash(self) -> str:
        from .prompts import template_hash

        source, *_ = read_template(self.template)  # checked: an empty template fails here
        return template_hash(source, self.answer_format, self.mode, self.constrain)

    def identity(self) -> dict[str, Any]:
        """Everything that can change a reply's distribution, as each attempt records it."""
        return {
            "model": self.model,
            "mode": self.mode,
            "template_hash": self.template_hash,
            "answer_format": self.answer_format,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
            "constrain": self.constrain,
            "grammar_format": self.grammar,
        }

    @cached_property
    def run_id(self) -> str:
        """What makes two attempts comparable: a hash of `identity`."""
        key = json.dumps(self.identity(), sort_keys=True).encode()
        return hashlib.sha256(key).hexdigest()[:12]

    def request_params(self) -> dict[str, Any]:
        """The sampling and constraint parameters sent with every request."""
        params: dict[str, Any] = {"temperature": self.temperature}
        if self.max_tokens is not None:
            params["max_tokens"] = self.max_tokens
        if self.top_p is not None:
            params["top_p"] = self.top_p
        if self.seed is not None:
            params["seed"] = self.seed
        if self.constrain == "grammar":
            from ..grammar_export import export_grammar

            grammar = export_grammar(self.grammar or "gbnf", answer=self.answer_format)
            # vLLM reads `guided_grammar` (older) or `structured_outputs.grammar` (newer).
            params["extra_body"] = {
                "guided_grammar": grammar,
                "structured_outputs": {"grammar": grammar},
            }
        elif self.constrain == "json":
            from ..grammar_export import json_schema

            params["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "xlogo_program", "schema": json_schema(), "strict": True},
            }
        return params


@dataclass
class EvalSummary:
    """How a run went, counted as it goes: what was planned, resumed from the file, asked,
    answered and solved, and the request errors, told apart from those an earlier run left."""

    out: str
    run_id: str
    endpoint: str = ""  # where the requests went (the base URL, or the client's default)
    planned: int = 0  # attempts this configuration asks for
    resumed: int = 0  # already in the file
    requested: int = 0  # attempted in this call
    finished: int = 0  # written in this call
    # over the planned attempts in the file (this call's and earlier ones): the tasks and
    # samples asked for now, not those of the file's other tasks or of a larger --samples
    solved: int = 0
    attempts: int = 0
    errors: int = 0  # attempts without a reply, of this call and earlier ones
    # request_error -> how many, of the requests this call made (to `endpoint`)
    error_causes: dict[str, int] = field(default_factory=dict)
    # the errors an earlier call recorded and this one did not ask again: their endpoint may
    # have been another, so they are never put down to this one's
    earlier_errors: int = 0
    earlier_error_causes: dict[str, int] = field(default_factory=dict)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    elapsed: float = 0.0

    @property
    def success_rate(self) -> float:
        return self.solved / self.attempts if self.attempts else 0.0

    def error_lines(self) -> list[str]:
        """Why attempts have no reply, one line for this call's failed requests (the count, the
        endpoint, the first cause and how many share it; the rest are in the results file) and
        one for the errors an earlier run recorded. Empty when every attempt has a reply."""
        lines = []
        new = self.errors - self.earlier_errors
        if new:
            lines.append(
                f"{counted(new, 'attempt')} got no reply from {self.endpoint}"
                f"{_causes(new, self.error_causes)}; "
                f"the errors are recorded in {self.out} (--retry-errors asks again)"
            )
        if self.earlier_errors:
            n = self.earlier_errors
            lines.append(
                f"{counted(n, 'attempt')} from an earlier run got no reply"
                f"{_causes(n, self.earlier_error_causes)}; "
                f"--retry-errors asks {'it' if n == 1 else 'them'} again"
            )
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "success_rate": self.success_rate}


def _causes(n: int, causes: dict[str, int]) -> str:
    """The first cause of `n` errors and how many share it: `, all with "server: HTTP 500"`."""
    cause, same = next(iter(causes.items()), ("unknown", n))
    if n == 1:
        return f': "{cause}"'
    if same == n:
        return f', all with "{cause}"'
    return f'; {same} with "{cause}", {n - same} with other causes'


# -- the results file ----------------------------------------------------------------------------


@dataclass
class RunFile:
    records: list[dict[str, Any]]
    bad: list[tuple[int, str]]  # (line number, why) of lines that are not JSON objects (skipped)
    torn: bool  # the last line was incomplete and has been left out (`repair_tail` cuts it off)
    lines: list[int] = field(default_factory=list)  # the line number of each record
    torn_line: int | None = None  # the number the torn line had
    torn_text: str = ""  # the start of the torn line
    tail_fix: tuple[str, int] | None = None  # ("cut", offset) or ("newline", size): see repair_tail

    @property
    def bad_lines(self) -> list[int]:
        return [n for n, _ in self.bad]

    def numbered(self) -> list[tuple[int, dict[str, Any]]]:
        return list(zip(self.lines, self.records, strict=True))

    @cached_property
    def latest(self) -> list[dict[str, Any]]:
        """One record per attempt (`latest_attempts`) of the records that are attempts
        (`is_run_record`: resume skips any other JSON line inside an earlier run, as
        `check_results_file` lets it stand). Worked out once: `plan` and the runner's count of
        resumed attempts both read it."""
        return latest_attempts(r for r in self.records if is_run_record(r))


def read_run(path: str | Path) -> RunFile:
    """Read a results file, changing nothing: the writer mends its end with `repair_tail`, and
    only after `check_results_file` has accepted the file. A file that does not exist reads as
    empty (a run not started yet), as `run_eval` reads a new `out`.

    Lines end at "\n" only: the writer's JSON leaves U+2028 and NEL in replies unescaped, and
    `str.splitlines` would cut a record at them."""
    p = Path(args.path_text("read_run's path", path))
    if not p.exists():
        return RunFile([], [], False)
    rf = RunFile([], [], False)
    with open_input(p, UsageError) as fh:  # a regular file: a FIFO would block, /dev/zero never end
        try:
            _read_run_lines(fh, rf)
        except OSError as exc:
            raise UsageError(cannot_open(exc), file=str(p)) from None
    return rf


def _read_run_lines(fh: BinaryIO, rf: RunFile) -> None:
    """`read_run`'s reading, a line at a time (`reading.capped_lines`: none held past 64 MiB).
    A last line without its newline is complete JSON (the newline is added before appending) or
    a torn one (cut off before appending, and left out here)."""
    offset = 0
    for n, line in enumerate(capped_lines(fh), start=1):
        here, offset = offset, offset + line.size
        if not line.ended and line.size:
            if line.data is not None and _is_json(line.data):
                rf.tail_fix = ("newline", offset)
            else:
                rf.torn, rf.torn_line, rf.tail_fix = True, n, ("cut", here)
                rf.torn_text = (line.data or b"")[:80].decode("utf-8", "replace")
                return
        if line.data is None:
            rf.bad.append((n, line_too_long()))
            continue
        text = line.data.decode("utf-8", errors="replace")
        if not text.strip():
            continue
        try:
            rec = load_json(text)
        except ValueError as exc:
            rf.bad.append((n, f"not JSON ({json_problem(exc, at_column=True)})"))
            continue
        if isinstance(rec, dict):
            rf.records.append(rec)
            rf.lines.append(n)
        else:
            rf.bad.append((n, f"a JSON {type(rec).__name__}, not an object"))


def _is_json(data: bytes) -> bool:
    try:
        load_json(data)
    except ValueError:
        return False
    return True


def repair_tail(path: Path, rf: RunFile) -> None:
    """Make the file end with a complete line before appending: cut off a torn last line (the
    process died while writing it; its attempt is redone), or end a complete one with its
    newline. Every complete line stays byte for byte."""
    if rf.tail_fix is None:
        return
    how, offset = rf.tail_fix
    with path.open("r+b") as f:
        if how == "cut":
            f.truncate(offset)
        else:
            f.seek(offset)
            f.write(b"\n")


def is_run_record(rec: Any) -> bool:
    """Whether a JSON value is an attempt as `attempt_record` writes it (the keys resume needs)."""
    return (
        isinstance(rec, dict)
        and isinstance(rec.get("run_id"), str)
        and "task_id" in rec
        and isinstance(rec.get("sample"), int)
        and not isinstance(rec.get("sample"), bool)
    )


def check_results_file(rf: RunFile, path: Path) -> None:
    """Refuse to append to a file that is not a results file of `xlogo eval`: notes, a
    pretty-printed JSON document, a predictions file or a binary file would get run records
    appended (and their last line cut off as if torn). Only a run's own torn last line, which
    begins as every record does, may be cut. A run whose first line is a record is a run: a
    damaged line further on is skipped by every reader (and named), as it always was."""
    foreign = list(rf.bad)
    foreign += [
        (n, "a JSON object without run_id, task_id and sample")
        for n, rec in rf.numbered()
        if not is_run_record(rec)
    ]
    if foreign and any(n < min(foreign)[0] and is_run_record(r) for n, r in rf.numbered()):
        foreign = []  # an earlier run's file, with a damaged line inside
    torn = rf.torn_text
    if rf.torn and not (torn.startswith(RECORD_START) or RECORD_START.startswith(torn)):
        foreign.append((rf.torn_line or 0, "text that is not JSON"))
    if foreign:
        n, why = min(foreign)
        raise UsageError(
            f"not a results file of xlogo eval: line {n} is not a run record ({why}); "
            "--out must be a new file or an earlier run's results (nothing was written)",
            file=str(path),
        )


def is_run_file(rf: RunFile) -> bool:
    """Whether a file read by `read_run` is the results of an `xlogo eval` run: one that
    `check_results_file` accepts and that holds an attempt. Other writers (`xlogo score`) use it
    to keep their hands off a run, which cost requests to make."""
    try:
        check_results_file(rf, Path())
    except UsageError:
        return False
    return any(is_run_record(r) for r in rf.records)


def latest_attempts(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per (run_id, task, sample): the last one written wins."""
    latest: dict[tuple[Any, Any, Any], dict[str, Any]] = {}
    for rec in records:
        latest[(rec.get("run_id"), str(rec.get("task_id")), rec.get("sample"))] = rec
    return list(latest.values())


class _Appender:
    """Appends one JSON line per attempt and flushes it at once; the only writer of the file,
    which it holds an exclusive lock on (where the system has `flock`) while it is open."""

    def __init__(self, path: Path) -> None:
        self._path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise cannot_write(path, exc) from None
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks, one writer is the user's to keep
            return
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._fd)
            raise UsageError(
                "another xlogo eval is writing this file",
                file=str(path),
                hint="wait for it to finish (then run again to resume), or give another --out",
            ) from None

    def write(self, record: dict[str, Any]) -> None:
        data = json_line(record).encode("utf-8")
        while data:  # one write() for a normal line; loop in case the OS writes less
            try:
                n = os.write(self._fd, data)
            except OSError as exc:  # a full disk, a quota: the run stops naming its file (a
                raise cannot_write(self._path, exc) from None  # torn line is redone on resume)
            data = data[n:]

    def close(self) -> None:
        os.close(self._fd)


# -- building records ----------------------------------------------------------------------------


def task_hash(task: Task) -> str:
    """What a task is, as its reply is judged: a hash of its world, goal and constraints (its
    file's JSON without the reference solution, which judges no reply and which the per-task
    files of the benchmark do not have). Resume compares it with the recorded one: a prompt's
    text may not show the world (a vision prompt says only the grid's size, a template may name
    only $description), so the same words can ask about two tasks."""
    data = task.to_json()
    data.pop("solution", None)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def attempt_record(
    config: EvalConfig,
    task: Task,
    sample: int,
    prompt: Prompt,
    response: str | None,
    *,
    finish_reason: str | None = None,
    usage: tuple[int | None, int | None, int | None] = (None, None, None),
    latency: float | None = None,
    retries: int = 0,
    request_error: str | None = None,
) -> dict[str, Any]:
    """One line of RUN.jsonl: who was asked what, what they answered, and the verdict."""
    score = no_reply_score(request_error) if response is None else score_response(task, response)
    return {
        "run_id": config.run_id,
        "task_id": task.id,
        "sample": sample,
        "model": config.model,
        "mode": config.mode,
        "answer_format": config.answer_format,
        "template_hash": prompt.template_hash,
        "temperature": config.temperature,
        "top_p": config.top_p,
        "max_tokens": config.max_tokens,
        "seed": config.seed,
        "constrain": config.constrain,
        "grammar_format": config.grammar,
        "tasks": config.tasks_source,
        "task_hash": task_hash(task),
        "prompt_system": prompt.system,
        "prompt_user": prompt.user,
        "image_sha256": prompt.image_sha256,
        "status": "ok" if response is not None else "error",
        "request_error": request_error,
        "response": response,
        "finish_reason": finish_reason,
        "prompt_tokens": usage[0],
        "completion_tokens": usage[1],
        "total_tokens": usage[2],
        "latency_s": round(latency, 4) if latency is not None else None,
        "retries": retries,
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        **score,
    }


# -- the run ---------------------------------------------------------------------------------------

# What a user changes to get each identity field, for the "another configuration" refusal.
_FIELD_NAMES = {
    "model": "--model",
    "mode": "--mode",
    "template_hash": "template hash",
    "answer_format": "--answer-format",
    "temperature": "--temperature",
    "top_p": "--top-p",
    "max_tokens": "--max-tokens",
    "seed": "--seed",
    "constrain": "--constrain",
    "grammar_format": "--grammar-format",
}


# The same arguments give another hash when xlogo words prompts otherwise (PROMPT_VERSION):
# "use the same arguments to resume" alone sent a user looking for a change they never made.
_TEMPLATE_HASH_COVERS = (
    f", a hash of the template and of xlogo's prompt wording, version {PROMPT_VERSION}: a run "
    "made by an xlogo that words prompts otherwise resumes only with that xlogo"
)


def config_difference(config: EvalConfig, rec: dict[str, Any]) -> str:
    """What differs between `config` and the configuration of a recorded attempt, in the user's
    terms: `--temperature 0.0 in the file, 0.5 now`. The template hash also covers the mode and
    the answer format, so it is named only when neither of those differs."""
    now = config.identity()
    changed = [k for k in now if k in rec and rec[k] != now[k]]
    if "template_hash" in changed and {"mode", "answer_format"} & set(changed):
        changed.remove("template_hash")
    if changed:
        return "; ".join(
            f"{_FIELD_NAMES[k]} {_value(rec[k])} in the file, {_value(now[k])} now"
            + (_TEMPLATE_HASH_COVERS if k == "template_hash" else "")
            for k in changed
        )
    unrecorded = [_FIELD_NAMES[k] for k in now if k not in rec]
    if unrecorded:
        names = ", ".join(unrecorded)
        return f"run id {rec['run_id']}: a setting the file does not record ({names})"
    return f"run id {rec['run_id']} in the file, {config.run_id} now"


def _value(v: Any) -> str:
    return "none" if v is None else repr(v) if isinstance(v, str) else str(v)


def check_tasks(tasks: Iterable[Task]) -> list[Task]:
    """The tasks of a run as a list, each a Task and each id once. An id twice would be asked
    twice per sample and recorded twice as one attempt, or, for two tasks that share an id,
    scored with the other task's prompt; a path or a dict given as the tasks is a TypeError
    (`arguments.tasks`), not an AttributeError on a character."""
    checked = args.tasks("run_eval", tasks)
    first: dict[str, int] = {}
    for i, t in enumerate(checked):
        if t.id in first:
            raise UsageError(
                f"tasks: task id {t.id!r} appears twice (at [{first[t.id]}] and [{i}]); a run "
                "asks each task once per sample"
            )
        first[t.id] = i
    return checked


# A run planned beyond this many attempts is a typo (`samples=10**9`): building its plan alone
# would take all memory before any request, where `xlogo gen` refuses counts past 10,000,000.
MAX_ATTEMPTS = 10_000_000


def plan(
    config: EvalConfig, tasks: list[Task], out: Path
) -> tuple[list[tuple[Task, int]], RunFile, dict[str, Prompt]]:
    """The attempts still to make, what the results file already holds, and every task's
    prompt (built once: resuming compares the recorded ones, the attempts ask the rest). A
    file that is not a results file, or holds another configuration's attempts or another
    task set's, is refused untouched, and so is a plan of more than `MAX_ATTEMPTS`."""
    if len(tasks) * config.samples > MAX_ATTEMPTS:
        raise UsageError(
            f"{counted(len(tasks), 'task')} x --samples {config.samples:,} is "
            f"{len(tasks) * config.samples:,} attempts, more than {MAX_ATTEMPTS:,}: "
            "ask for fewer samples or tasks"
        )
    existing = read_run(out)
    check_results_file(existing, out)
    # every run id of the file stands in `latest` (the last record of each of its attempts)
    other = next((r for r in existing.latest if r["run_id"] != config.run_id), None)
    if other is not None:
        raise UsageError(
            "the file holds attempts of another configuration "
            f"({config_difference(config, other)}); "
            "use the same arguments to resume, or another --out",
            file=str(out),
        )
    prompts = build_prompts(config, tasks)
    check_same_tasks(config, tasks, prompts, existing.latest, out)
    done = set()
    for rec in existing.latest:
        if rec.get("status") == "ok" or not config.retry_errors:
            done.add((str(rec.get("task_id")), rec.get("sample")))
    todo = [(t, s) for t in tasks for s in range(config.samples) if (t.id, s) not in done]
    return todo, existing, prompts


def check_same_tasks(
    config: EvalConfig,
    tasks: list[Task],
    prompts: dict[str, Prompt],
    records: list[dict[str, Any]],
    out: Path,
) -> None:
    """Refuse to resume when a recorded attempt of a task id was asked another prompt than the
    task of that id gives now, or was made on another task (`task_hash`, in the records that
    have it: the same words can ask about two tasks): the file was made with another task set
    (or the task changed), and its old reply would be counted as this task's answer.

    The prompts and the tasks are compared, not the task source the records name: a task set
    copied or moved elsewhere, or the folder form of the assets, is the same tasks and resumes.
    (The source is not part of the configuration either: adding it would change the run id of
    every file already written.) Records of ids without a prompt in `prompts` (the tasks of
    this run) are not this run's concern, as before."""
    by_id = {t.id: t for t in tasks}
    hashes: dict[str, str] = {}  # worked out once per task, not per recorded sample
    stored = [r for r in records if str(r.get("task_id")) in prompts and "prompt_user" in r]
    for rec in stored:
        tid = str(rec["task_id"])
        if "task_hash" in rec and tid not in hashes:
            hashes[tid] = task_hash(by_id[tid])
        if _asked(rec) != _asked_now(prompts[tid]):
            what = "was asked another prompt than this task gives"
        elif "task_hash" in rec and rec["task_hash"] != hashes[tid]:
            what = (
                "was made on another task in the same words (its world, goal or constraints differ)"
            )
        else:
            continue
        raise UsageError(
            f"task {tid!r}: its attempt in the file {what}"
            f"{_sources(rec.get('tasks'), config.tasks_source)}; resuming would mix task sets. "
            "Give the tasks the file was made with, or another --out (nothing was asked)",
            file=str(out),
        )


def _asked(rec: dict[str, Any]) -> tuple[Any, Any]:
    """What a recorded attempt was asked: its system and user text. Not the picture's hash:
    a PNG's bytes depend on the Pillow, FreeType and zlib builds that drew it, and a vision
    run resumed on another machine, or after an upgrade, would be refused for nothing."""
    return rec.get("prompt_system"), rec.get("prompt_user")


def _asked_now(prompt: Prompt) -> tuple[Any, Any]:
    return prompt.system, prompt.user


def _sources(then: Any, now: str | Path | None) -> str:
    """Where the file's tasks and these came from, when the records say and it differs."""
    if not then or not now:
        return ""
    if then == str(now):
        return f" (both read from {now}: the task changed since)"
    return f" (the file's tasks were read from {then}, these from {now})"


def build_prompts(config: EvalConfig, tasks: Iterable[Task]) -> dict[str, Prompt]:
    """The prompt of each task (once per id, in order), as `config` words it; a bad template
    fails here, before any request (and in a dry run, as in a run)."""
    prompts: dict[str, Prompt] = {}
    for task in tasks:
        if task.id not in prompts:
            prompts[task.id] = build_prompt(
                task, config.mode, config.template, config.answer_format, config.constrain
            )
    return prompts


async def run_eval(
    config: EvalConfig,
    tasks: Iterable[Task],
    out: str | Path,
    progress: bool = True,
    *,
    on_wait: Callable[[Wait], None] | None = None,
    console: Console | None = None,
) -> EvalSummary:
    """Run every pending attempt of `config` on `tasks`, appending results to `out`.

    `on_wait` is told of each long wait for a retry (`client.Wait`: a rate limit's Retry-After,
    a late backoff), so that the caller can say why nothing moves. The progress bar is drawn on
    `console` (default: a new one on stderr); a caller that prints while the run goes prints
    through the same console, and its lines appear above the bar instead of through it.

    The file is locked from the first read to the last write: a second run on it (the same
    command started twice) is a UsageError, not every attempt asked and paid for twice.

    `tasks` is any iterable of loaded tasks, each id once (`check_tasks`); `out` a str or a
    path. Both are checked before the file is opened."""
    if not isinstance(config, EvalConfig):
        raise TypeError(f"run_eval takes an EvalConfig, got {type(config).__name__}")
    tasks = check_tasks(tasks)
    out = Path(args.path_text("out", out))
    existed = out.exists()
    writer = _Appender(out)
    try:
        return await _run_eval(config, tasks, out, writer, progress, on_wait, console)
    finally:
        writer.close()
        with suppress(OSError):
            if not existed and out.stat().st_size == 0:
                out.unlink()  # nothing was written: leave no empty file where there was none


async def _run_eval(
    config: EvalConfig,
    tasks: list[Task],
    out: Path,
    writer: _Appender,
    progress: bool,
    on_wait: Callable[[Wait], None] | None,
    console: Console | None,
) -> EvalSummary:
    todo, existing, prompts = plan(config, tasks, out)
    # a missing key fails before the file is touched, and only when there is something to ask
    api_key = resolve_api_key(config.api_key_env, config.base_url) if todo else ""
    repair_tail(out, existing)  # a torn last line is cut off (and redone) before appending
    summary = EvalSummary(str(out), config.run_id, endpoint_url(config.base_url))
    summary.planned = len(tasks) * config.samples
    summary.resumed = summary.planned - len(todo)
    summary.requested = len(todo)
    wanted = {(t.id, s) for t in tasks for s in range(config.samples)}
    pending = {(t.id, s) for t, s in todo}
    for rec in existing.latest:
        key = (str(rec.get("task_id")), rec.get("sample"))
        if key in wanted and key not in pending:
            _count(summary, rec, earlier=True)
    if not todo:
        return summary

    params = config.request_params()
    client = ChatClient(config.model, config.base_url, api_key, config.retry, on_wait=on_wait)
    queue: asyncio.Queue[tuple[Task, int]] = asyncio.Queue()
    for item in todo:
        queue.put_nowait(item)
    bar = _Progress(len(todo), summary, console) if progress else None
    start = time.monotonic()
    unreachable: list[Unreachable] = []  # set by the first worker that finds no server

    async def worker() -> None:
        while not unreachable:
            try:
                task, sample = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            try:
                rec = await _attempt(config, client, task, sample, prompts[task.id], params)
            except Unreachable as exc:  # no record: the attempt was never made, a rerun makes it
                unreachable.append(exc)
                return
            writer.write(rec)
            summary.finished += 1
            _count(summary, rec)
            if bar is not None:
                bar.advance()

    workers = [asyncio.ensure_future(worker()) for _ in range(min(config.concurrency, len(todo)))]
    try:
        if bar is not None:
            bar.start()
        await asyncio.gather(*workers)
    finally:
        # one worker's error (the file could not be written) stops the others before the client
        # closes under them: their replies could not be written either, and a request cut short
        # by the close must not be recorded as the endpoint's failure
        for w in workers:
            w.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        summary.elapsed = time.monotonic() - start
        if bar is not None:
            bar.stop()
        await client.close()
    if unreachable:
        raise EndpointError(_stopped_text(unreachable[0], summary))
    return summary


async def _attempt(
    config: EvalConfig,
    client: ChatClient,
    task: Task,
    sample: int,
    prompt: Prompt,
    params: dict[str, Any],
) -> dict[str, Any]:
    """One attempt's record: the reply scored, or the request's failure (retries exhausted, or
    an error not worth retrying). `Unreachable` is not a failure of the attempt and is raised."""
    try:
        c = await client.complete(prompt.messages(), **params)
    except Unreachable:
        raise
    except RequestFailed as exc:
        return attempt_record(
            config, task, sample, prompt, None, request_error=str(exc), retries=exc.retries
        )
    return attempt_record(
        config, task, sample, prompt, c.text,
        finish_reason=c.finish_reason,
        usage=(c.prompt_tokens, c.completion_tokens, c.total_tokens),
        latency=c.latency, retries=c.retries,
    )  # fmt: skip


def _stopped_text(exc: Unreachable, summary: EvalSummary) -> str:
    """Why a run stopped early, and that it lost nothing: what it wrote stays, and the same
    command resumes with the attempts it did not make."""
    left = summary.requested - summary.finished
    done = summary.finished
    written = f"; {counted(done, 'new attempt')} recorded in {summary.out}" if done else ""
    return (
        f"{exc.message}: is the server running there? The run stopped with "
        f"{counted(left, 'attempt')} not asked and not recorded{written}; "
        "run the same command again to resume"
    )


def _count(summary: EvalSummary, rec: dict[str, Any], *, earlier: bool = False) -> None:
    """Add an attempt to the summary: one this call made, or one an `earlier` call recorded
    (by hand or another tool, perhaps: a field of another type counts as `xlogo report` reads
    it, "yes" as no solve and "100" as no tokens, not as a TypeError ending the resume)."""
    summary.attempts += 1
    summary.solved += rec.get("solved") is True
    if rec.get("status") == "error":
        summary.errors += 1
        summary.earlier_errors += earlier
        causes = summary.earlier_error_causes if earlier else summary.error_causes
        cause = str(rec.get("request_error"))
        causes[cause] = causes.get(cause, 0) + 1
    summary.prompt_tokens += _count_of(rec.get("prompt_tokens"))
    summary.completion_tokens += _count_of(rec.get("completion_tokens"))


def _count_of(value: Any) -> int:
    """A recorded token count, or 0 for none (null, or anything that is no whole number)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


class _Progress:
    """A rich progress bar on stderr: attempts, success rate so far, tokens, ETA."""

    def __init__(self, total: int, summary: EvalSummary, console: Console | None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.summary = summary
        self.progress = Progress(
            TextColumn("[bold]eval"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[stats]}"),
            TimeRemainingColumn(),
            console=console or Console(stderr=True),
            transient=False,
        )
        self.task = self.progress.add_task("eval", total=total, stats=self._stats())

    def _stats(self) -> str:
        s = self.summary
        rate = f"{100 * s.success_rate:.1f}%" if s.attempts else "-"
        err = f" errors {s.errors}" if s.errors else ""
        tokens = f"tokens {s.prompt_tokens}+{s.completion_tokens}"
        return f"solved {s.solved}/{s.attempts} ({rate}){err} {tokens}"

    def start(self) -> None:
        self.progress.start()

    def advance(self) -> None:
        self.progress.update(self.task, advance=1, stats=self._stats())

    def stop(self) -> None:
        self.progress.stop()
