"""Running a model on tasks: prompts out, replies in, every attempt appended to RUN.jsonl.

An attempt is one (task, sample index) pair. Attempts run concurrently (at most `concurrency`
requests in flight), and each one is scored and appended to the results file as one JSON line
the moment it finishes, so a run killed at any point keeps every finished attempt.

Resume semantics: running again with the same output file reads it first. A torn last line (the
process died mid-write) is cut off; every complete line is kept as it is. Attempts already in the
file for the same configuration (`run_id`: model, mode, template, answer format, sampling
parameters, constraint mode) are never requested again; the others (new tasks, more samples, an
interrupted attempt) are. A file holding another configuration's attempts is refused rather than
mixed. An attempt whose request kept failing is recorded with `status: "error"` and is final too,
unless `retry_errors` is set; then a new record is appended and readers take the last record of
each (task, sample) (see `latest_attempts`).

This module never decides success itself: `scoring.score_response` does, on top of the core.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import UsageError, json_problem
from ..tasks import Task
from .client import ChatClient, RequestFailed, RetryPolicy, resolve_api_key
from .prompts import Prompt, build_prompt, template_source
from .scoring import REQUEST_ERROR, empty_score, score_response

CONSTRAIN = (None, "grammar", "json")


@dataclass(frozen=True)
class EvalConfig:
    model: str
    base_url: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    mode: str = "text"
    template: str | None = None
    answer_format: str = "text"
    samples: int = 1
    temperature: float = 0.0
    top_p: float | None = None
    max_tokens: int | None = 2048
    seed: int | None = None
    concurrency: int = 8
    constrain: str | None = None  # None | "grammar" | "json"
    grammar_format: str = "gbnf"  # for constrain="grammar": "gbnf" or "lark"
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    retry_errors: bool = False
    tasks_source: str | None = None  # where the tasks came from, recorded for `xlogo report`

    def __post_init__(self) -> None:
        if self.samples < 1:
            raise UsageError("--samples must be at least 1")
        if self.concurrency < 1:
            raise UsageError("--concurrency must be at least 1")
        if self.constrain not in CONSTRAIN:
            raise UsageError(f"unknown --constrain {self.constrain!r} (use grammar or json)")

    @cached_property
    def template_hash(self) -> str:
        from .prompts import template_hash

        source, _ = template_source(self.template)
        return template_hash(source, self.answer_format, self.mode)

    @cached_property
    def run_id(self) -> str:
        """What makes two attempts comparable: everything that can change a reply's distribution."""
        key = {
            "model": self.model,
            "mode": self.mode,
            "template_hash": self.template_hash,
            "answer_format": self.answer_format,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
            "constrain": self.constrain,
            "grammar_format": self.grammar_format if self.constrain == "grammar" else None,
        }
        return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:12]

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

            grammar = export_grammar(self.grammar_format, answer=self.answer_format)
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
    out: str
    run_id: str
    planned: int = 0  # attempts this configuration asks for
    resumed: int = 0  # already in the file
    requested: int = 0  # attempted in this call
    finished: int = 0  # written in this call
    solved: int = 0  # over all attempts of this run in the file
    attempts: int = 0
    errors: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    elapsed: float = 0.0

    @property
    def success_rate(self) -> float:
        return self.solved / self.attempts if self.attempts else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "success_rate": self.success_rate}


# -- the results file ----------------------------------------------------------------------------


@dataclass
class RunFile:
    records: list[dict[str, Any]]
    bad: list[tuple[int, str]]  # (line number, why) of lines that are not JSON objects (skipped)
    torn: bool  # the last line was incomplete and has been left out (cut off with repair=True)
    lines: list[int] = field(default_factory=list)  # the line number of each record
    torn_line: int | None = None  # the number the torn line had

    @property
    def bad_lines(self) -> list[int]:
        return [n for n, _ in self.bad]

    def numbered(self) -> list[tuple[int, dict[str, Any]]]:
        return list(zip(self.lines, self.records, strict=True))


def read_run(path: str | Path, *, repair: bool = False) -> RunFile:
    """Read a results file. With `repair`, cut off a torn last line (only the writer does this).

    Lines end at "\n" only: the writer's JSON leaves U+2028 and NEL in replies unescaped, and
    `str.splitlines` would cut a record at them."""
    p = Path(path)
    if not p.exists():
        return RunFile([], [], False)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read: {exc.strerror or exc}", file=str(p)) from None
    torn = False
    if data and not data.endswith(b"\n"):
        cut = data.rfind(b"\n") + 1
        tail = data[cut:]
        try:
            json.loads(tail)
            whole = True
        except ValueError:
            whole = False
        if not whole:
            torn = True
            data = data[:cut]
            if repair:
                with p.open("r+b") as f:
                    f.truncate(cut)
        elif repair:
            with p.open("ab") as f:
                f.write(b"\n")
    records: list[dict[str, Any]] = []
    numbers: list[int] = []
    bad: list[tuple[int, str]] = []
    text = data.decode("utf-8", errors="replace")
    pieces = text.split("\n")
    if pieces and pieces[-1] == "":
        pieces.pop()  # the newline that ends the last line
    for n, line in enumerate(pieces, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as exc:
            bad.append((n, f"not JSON ({json_problem(exc, at_column=True)})"))
            continue
        if isinstance(rec, dict):
            records.append(rec)
            numbers.append(n)
        else:
            bad.append((n, f"a JSON {type(rec).__name__}, not an object"))
    return RunFile(records, bad, torn, numbers, len(pieces) + 1 if torn else None)


def latest_attempts(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per (run_id, task, sample): the last one written wins."""
    latest: dict[tuple[Any, Any, Any], dict[str, Any]] = {}
    for rec in records:
        latest[(rec.get("run_id"), str(rec.get("task_id")), rec.get("sample"))] = rec
    return list(latest.values())


class _Appender:
    """Appends one JSON line per attempt and flushes it at once; the only writer of the file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise UsageError(f"cannot write: {exc.strerror or exc}", file=str(path)) from None

    def write(self, record: dict[str, Any]) -> None:
        data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        while data:  # one write() for a normal line; loop in case the OS writes less
            n = os.write(self._fd, data)
            data = data[n:]

    def close(self) -> None:
        os.close(self._fd)


# -- building records ----------------------------------------------------------------------------


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
    if response is None:
        score = empty_score(f"request failed: {request_error}", REQUEST_ERROR)
    else:
        score = score_response(task, response)
    return {
        "run_id": config.run_id,
        "task_id": task.id,
        "sample": sample,
        "model": config.model,
        "mode": config.mode,
        "answer_format": config.answer_format,
        "template_hash": prompt.template_hash,
        "temperature": config.temperature,
        "max_tokens": config.max_tokens,
        "constrain": config.constrain,
        "tasks": config.tasks_source,
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


def plan(
    config: EvalConfig, tasks: list[Task], out: Path
) -> tuple[list[tuple[Task, int]], RunFile]:
    """The attempts still to make, and what the results file already holds."""
    existing = read_run(out)
    others = {r.get("run_id") for r in existing.records} - {config.run_id}
    if others:
        sample = next(r for r in existing.records if r.get("run_id") in others)
        raise UsageError(
            f"the file holds attempts of another configuration (model {sample.get('model')!r}, "
            f"mode {sample.get('mode')!r}, template {sample.get('template_hash')}); "
            "use the same arguments to resume, or another --out",
            file=str(out),
        )
    done = set()
    for rec in latest_attempts(existing.records):
        if rec.get("status") == "ok" or not config.retry_errors:
            done.add((str(rec.get("task_id")), rec.get("sample")))
    todo = [(t, s) for t in tasks for s in range(config.samples) if (t.id, s) not in done]
    return todo, existing


async def run_eval(
    config: EvalConfig, tasks: list[Task], out: Path, progress: bool = True
) -> EvalSummary:
    """Run every pending attempt of `config` on `tasks`, appending results to `out`."""
    out = Path(out)
    read_run(out, repair=True)  # cut off a torn last line before appending
    todo, existing = plan(config, tasks, out)
    summary = EvalSummary(str(out), config.run_id)
    summary.planned = len(tasks) * config.samples
    summary.resumed = summary.planned - len(todo)
    summary.requested = len(todo)
    wanted = {(t.id, s) for t in tasks for s in range(config.samples)}
    pending = {(t.id, s) for t, s in todo}
    for rec in latest_attempts(existing.records):
        key = (str(rec.get("task_id")), rec.get("sample"))
        if key in wanted and key not in pending:
            _count(summary, rec)
    if not todo:
        return summary

    params = config.request_params()
    prompts: dict[str, Prompt] = {}
    for task, _ in todo:
        if task.id not in prompts:
            prompts[task.id] = build_prompt(
                task, config.mode, config.template, config.answer_format
            )
    client = ChatClient(
        config.model,
        config.base_url,
        resolve_api_key(config.api_key_env, config.base_url),
        config.retry,
    )
    writer = _Appender(out)
    queue: asyncio.Queue[tuple[Task, int]] = asyncio.Queue()
    for item in todo:
        queue.put_nowait(item)
    bar = _Progress(len(todo), summary) if progress else None
    start = time.monotonic()

    async def worker() -> None:
        while True:
            try:
                task, sample = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            prompt = prompts[task.id]
            try:
                c = await client.complete(prompt.messages(), **params)
                rec = attempt_record(
                    config, task, sample, prompt, c.text,
                    finish_reason=c.finish_reason,
                    usage=(c.prompt_tokens, c.completion_tokens, c.total_tokens),
                    latency=c.latency, retries=c.retries,
                )  # fmt: skip
            except RequestFailed as exc:
                rec = attempt_record(
                    config, task, sample, prompt, None,
                    request_error=str(exc), retries=exc.retries,
                )  # fmt: skip
            writer.write(rec)
            summary.finished += 1
            _count(summary, rec)
            if bar is not None:
                bar.advance()

    try:
        if bar is not None:
            bar.start()
        await asyncio.gather(*(worker() for _ in range(min(config.concurrency, len(todo)))))
    finally:
        summary.elapsed = time.monotonic() - start
        if bar is not None:
            bar.stop()
        writer.close()
        await client.close()
    return summary


def _count(summary: EvalSummary, rec: dict[str, Any]) -> None:
    summary.attempts += 1
    summary.solved += bool(rec.get("solved"))
    summary.errors += rec.get("status") == "error"
    summary.prompt_tokens += rec.get("prompt_tokens") or 0
    summary.completion_tokens += rec.get("completion_tokens") or 0


class _Progress:
    """A rich progress bar on stderr: attempts, success rate so far, tokens, ETA."""

    def __init__(self, total: int, summary: EvalSummary) -> None:
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
            console=Console(stderr=True),
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
