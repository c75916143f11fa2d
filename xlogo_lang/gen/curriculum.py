"""The emulator-driven curriculum: evaluate the current model on a sample of the pool, score every
reply with the emulator, and resample the next training set towards what the model still fails.

One round (folder `round-001`, `round-002`, ... under the rounds folder):

1. **Evaluate.** `sample` tasks are drawn uniformly from the pool (seeded by seed and round) and
   sent to the model through the eval harness (`eval.runner.run_eval`: same prompts, same async
   client with retries, same resumable `RUN.jsonl`); `eval.scoring` decides every reply.
2. **Estimate failure rates** per cell (skill, difficulty), with a Laplace prior so that a cell
   the sample did not reach counts as 50% failed:

       fail(s, d) = (failed(s, d) + 1) / (attempted(s, d) + 2)

3. **Weight every pool task** t with skills S(t) and difficulty d(t):

       f(t) = mean over s in S(t) of fail(s, d(t))      (its own outcome, 1 or 0, if it was
                                                          among this round's evaluated tasks)
       w(t) = floor + (1 - floor) * f(t)

   The floor (default 0.1) keeps some tasks the model already solves, so it does not forget them.
4. **Resample** `size` tasks without replacement with probability proportional to w
   (Efraimidis-Spirakis keys u^(1/w), seeded), or with replacement when the pool is smaller.
5. **Write** `tasks.jsonl` (the chosen records), `train/train.jsonl` (chat lines, `sft.py`, same
   prompt as the evaluation; alone in its folder so `trl sft --dataset_name round-001/train`
   loads it) and `mix.json` (eval success and failure estimates per skill and difficulty,
   and the pool's and the next training set's mix per skill, difficulty and kind). `mix.json` is
   written last: a round with it is finished and is skipped when the command is run again.

Training stays with external trainers (README of this package: the loop with a TRL command
line). This module never trains, never generates tasks, and never scores replies itself.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import UsageError, json_problem, load_json, quoted
from ..eval import arguments as args
from ..files import make_folder, write_whole
from ..reading import cannot_open
from .dataset import Record, iter_records, read_jsonl, record_task, shard_files
from .generate import task_seed

if TYPE_CHECKING:
    from rich.console import Console

    from ..eval.client import Wait
    from ..eval.runner import EvalConfig

T = TypeVar("T")

PRIOR = 1.0  # Laplace pseudo-counts for a cell's failures and successes
MIX = "mix.json"


@dataclass(frozen=True)
class CurriculumConfig:
    """The settings of a curriculum run (`xlogo curriculum`'s options): the model and endpoint
    evaluated, the pool and the rounds folder, how many tasks each round evaluates (`sample`)
    and trains on (`size`), the `floor` weight of a solved task, and the evaluation's prompt and
    sampling. Checked when made, every evaluation setting included, so that a bad one fails
    before a round folder is made or a model asked; a finished round is bound to its `model`
    and `floor`."""

    model: str
    pool: str | Path  # a str or a path; kept as a str, as curriculum.json records it
    out: str | Path
    base_url: str | None = None
    rounds: int = 1
    size: int = 1000  # tasks in each round's training set
    sample: int = 200  # pool tasks evaluated per round
    floor: float = 0.1
    seed: int = 0
    mode: str = "text"
    template: str | Path | None = None
    answer_format: str = "text"
    temperature: float = 0.0
    max_tokens: int | None = 1024
    concurrency: int = 8
    retries: int = 6  # per request, with exponential backoff (the eval client's policy)
    api_key_env: str | None = None  # None: OPENAI_API_KEY (see eval.client.resolve_api_key)

    def __post_init__(self) -> None:
        # Paths are kept as str: curriculum.json records the settings, and a Path in them was a
        # TypeError after every round had been run and paid for.
        for name in ("pool", "out"):
            object.__setattr__(self, name, args.path_text(name, getattr(self, name)))
        for name in ("rounds", "size", "sample", "seed"):
            args.whole(f"--{name}", getattr(self, name))
        if self.rounds < 1 or self.size < 1 or self.sample < 1:
            raise UsageError("--rounds, --size and --sample must be at least 1")
        if not 0.0 <= args.number("--floor", self.floor) <= 1.0:  # NaN fails both comparisons
            raise UsageError("--floor must be between 0 and 1")
        # every setting of the rounds' evaluations, checked now: they were checked only when a
        # round was evaluated, after its folder had been made
        config = eval_config(self)
        object.__setattr__(self, "template", config.template)


def eval_config(cfg: CurriculumConfig) -> EvalConfig:
    """The evaluation settings of every round: `xlogo eval`'s, with the round's retries, and
    failed requests asked again on a rerun (a round needs every sampled task answered)."""
    from ..eval.client import RetryPolicy
    from ..eval.runner import EvalConfig

    return EvalConfig(
        model=cfg.model,
        base_url=cfg.base_url,
        api_key_env=cfg.api_key_env,
        mode=cfg.mode,
        template=cfg.template,
        answer_format=cfg.answer_format,
        temperature=cfg.temperature,
        max_tokens=cfg.max_tokens,
        concurrency=cfg.concurrency,
        retry=RetryPolicy(max_retries=cfg.retries),
        retry_errors=True,
        tasks_source=str(Path(cfg.pool).resolve()),  # for `xlogo report` run anywhere
    )


@dataclass
class PoolEntry:
    """What the weighting needs of a pool task; the record itself is read again when chosen."""

    id: str
    kind: str
    difficulty: str
    skills: tuple[str, ...]
    file: str
    offset: int


@dataclass
class Pool:
    """The tasks a curriculum draws from, indexed once (`Pool.load`): what the weighting needs
    of each, and where its record is, so a round reads back only the records it chooses."""

    entries: list[PoolEntry] = field(default_factory=list)

    @classmethod
    def load(cls, path: str | Path) -> Pool:
        """Index a generated folder (duplicates across shards skipped) or a records .jsonl.
        A folder is read as `xlogo sft` reads it (`dataset.iter_records`), so a shard cut short
        is refused here too, rather than weighting the rounds on a pool that lost tasks."""
        p = Path(path)
        if p.is_file():
            records: Iterator[Record] = read_jsonl(p)
        elif p.is_dir() and shard_files(p):
            records = iter_records(p)
        else:
            raise UsageError(
                "the pool is neither a folder from `xlogo gen` nor a .jsonl", file=str(p)
            )
        pool = cls()
        seen: set[str | None] = set()  # a record with neither hash nor id counts as None
        where: dict[str, Record] = {}  # id -> the record that has it
        for rec in records:
            h = rec.get("hash") or rec.get("id")
            if h in seen:
                continue
            seen.add(h)
            tid = str(rec.get("id"))
            if tid in where:  # refused now: a round that drew both would be refused mid-run
                first = where[tid]
                raise UsageError(
                    f"two tasks have the id {quoted(tid)} (the other at {first.file} line "
                    f"{first.line}): a pool's ids must be unique, and folders made with the same "
                    "--seed share theirs",
                    file=str(rec.file),
                    line=rec.line,
                )
            where[tid] = rec
            pool.entries.append(
                PoolEntry(
                    tid,
                    str(rec.get("kind", "?")),
                    str(rec.get("difficulty", "?")),
                    tuple(rec.get("skills") or ()),
                    str(rec.file),
                    rec.offset,
                )
            )
        if not pool.entries:
            raise UsageError("the pool holds no tasks", file=str(p))
        return pool

    def record(self, e: PoolEntry) -> dict[str, Any]:
        with open(e.file, "rb") as fh:
            fh.seek(e.offset)
            return load_json(fh.readline())


def _read_mix(mix: Path) -> dict[str, Any]:
    """A finished round's report, as written; a damaged one (cut short, hand-edited) is a
    UsageError naming it, not a traceback in the middle of a resume."""
    try:
        rep = load_json(mix.read_bytes())
    except OSError as exc:
        raise UsageError(cannot_open(exc), file=str(mix)) from None
    except ValueError as exc:
        raise UsageError(
            f"not valid JSON ({json_problem(exc, at_column=True)})", file=str(mix)
        ) from None
    if not isinstance(rep, dict):
        raise UsageError("a round's report must be a JSON object", file=str(mix))
    return rep


# -- the weighting ---------------------------------------------------------------------------


def failure_rates(outcomes: list[tuple[PoolEntry, bool]]) -> dict[tuple[str, str], tuple[int, int]]:
    """(skill, difficulty) -> (attempted, failed) over the evaluated tasks."""
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for e, solved in outcomes:
        for s in e.skills:
            c = cells[(s, e.difficulty)]
            c[0] += 1
            c[1] += not solved
    return {k: (v[0], v[1]) for k, v in cells.items()}


def cell_failure(cells: dict[tuple[str, str], tuple[int, int]], skill: str, level: str) -> float:
    n, failed = cells.get((skill, level), (0, 0))
    return (failed + PRIOR) / (n + 2 * PRIOR)


def weights(pool: Pool, outcomes: list[tuple[PoolEntry, bool]], floor: float) -> list[float]:
    """w(t) = floor + (1 - floor) * f(t), as documented above."""
    cells = failure_rates(outcomes)
    own = {id(e): solved for e, solved in outcomes}
    out = []
    for e in pool.entries:
        if id(e) in own:
            f = 0.0 if own[id(e)] else 1.0
        elif e.skills:
            f = sum(cell_failure(cells, s, e.difficulty) for s in e.skills) / len(e.skills)
        else:
            f = PRIOR / (2 * PRIOR)
        out.append(floor + (1.0 - floor) * f)
    return out


def weighted_sample(rng: random.Random, w: list[float], k: int) -> list[int]:
    """k indices drawn proportionally to w: without replacement (Efraimidis-Spirakis) when the
    pool is large enough, otherwise with replacement. Weights that are all 0 (`--floor 0` and
    every pool task evaluated and solved) are all equal: the draw is uniform, the limit of a
    floor going to 0, where `random.choices` refused them after the whole evaluation. So are
    the items of weight 0 that a draw without replacement needs after every item of positive
    weight (k larger than their number): they fill it uniformly, not by their place in the
    pool (a key of -inf for each took the last ones, the same on every round)."""
    if k < 0:  # keys[:k] would quietly drop the last -k instead
        raise ValueError(f"weighted_sample: k must be at least 0, got {k}")
    if not any(wi > 0 for wi in w):
        w = [1.0] * len(w)
    if k > len(w):
        return rng.choices(range(len(w)), weights=w, k=k)
    keys = []
    for i, wi in enumerate(w):
        u = rng.random()
        # positive weights first, by log(u^(1/w)); weight 0 after them, in a uniform order
        keys.append((True, math.log(u) / wi, i) if wi > 0 and u > 0 else (False, u, i))
    keys.sort(reverse=True)
    return sorted(i for *_, i in keys[:k])


def mix_of(entries: list[PoolEntry]) -> dict[str, dict[str, float]]:
    """Shares per skill (a task counts for each of its skills), difficulty and kind."""
    n = len(entries) or 1
    skills: Counter[str] = Counter(s for e in entries for s in e.skills)
    levels: Counter[str] = Counter(e.difficulty for e in entries)
    kinds: Counter[str] = Counter(e.kind for e in entries)
    return {
        "skill": {k: round(v / n, 4) for k, v in sorted(skills.items())},
        "difficulty": {k: round(v / n, 4) for k, v in sorted(levels.items())},
        "kind": {k: round(v / n, 4) for k, v in sorted(kinds.items())},
    }


# -- a round -----------------------------------------------------------------------------------


def round_dir(out: str | Path, r: int) -> Path:
    return Path(out) / f"round-{r:03d}"


def evaluate(
    cfg: CurriculumConfig,
    pool: Pool,
    chosen: list[PoolEntry],
    run_file: Path,
    on_wait: Callable[[Wait], None] | None = None,
    console: Console | None = None,
) -> list[tuple[PoolEntry, bool]]:
    """Ask the model about `chosen` through the eval harness; (entry, solved) per task.
    `on_wait` is told of each long wait for a retry, as `run_eval` tells it; with a `console`,
    `run_eval`'s progress bar is drawn on it (a round of 500 requests takes minutes).

    The round is finished only when every chosen task has an answer: estimates from a sample
    the endpoint thinned out would weight the next training set on what happened to get
    through. Failed requests (the endpoint, not the model) stop the round with an
    `EndpointError` (exit status 1, as in `xlogo eval`; so does an endpoint that cannot be
    reached); the answers stay in `RUN.jsonl`, so a rerun asks only the failed ones again."""
    from ..eval.client import EndpointError
    from ..eval.runner import latest_attempts, read_run, run_eval

    ecfg = eval_config(cfg)
    tasks = [record_task(pool.record(e), file=e.file) for e in chosen]
    progress = console is not None
    _run_to_end(
        run_eval(ecfg, tasks, run_file, progress=progress, on_wait=on_wait, console=console)
    )
    solved: dict[str, bool] = {}
    errors: list[str] = []
    for rec in latest_attempts(read_run(run_file).records):
        if rec.get("run_id") != ecfg.run_id:
            continue
        if rec.get("status") == "ok":
            solved[str(rec.get("task_id"))] = bool(rec.get("solved"))
        else:
            errors.append(str(rec.get("request_error")))
    unanswered = sum(e.id not in solved for e in chosen)
    if unanswered:
        what = (
            f"none of {len(chosen)} requests"
            if not solved
            else f"{len(chosen) - unanswered} of {len(chosen)} requests"
        )
        first = f" ({errors[0]})" if errors else ""
        raise EndpointError(  # exit status 1, as `xlogo eval` when requests failed
            f"the endpoint answered {what}{first}; the round is not finished: "
            "run the command again to ask the failed ones again",
            file=str(run_file),
        )
    return [(e, solved[e.id]) for e in chosen]


def _run_to_end(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` to its end from synchronous code. `asyncio.run` refuses to start in a thread
    whose event loop is running, as a notebook's is, so there the coroutine gets a loop of its
    own in a helper thread, and the caller still gets its result (or its error)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="xlogo-eval") as ex:
        return ex.submit(asyncio.run, coro).result()


def run_round(
    cfg: CurriculumConfig,
    pool: Pool,
    r: int,
    on_wait: Callable[[Wait], None] | None = None,
    console: Console | None = None,
) -> dict[str, Any]:
    """Evaluate, weight, resample and write round `r` (1-based); returns its mix report.
    `on_wait`, `console`: see `evaluate`."""
    from ..eval.client import resolve_api_key
    from .sft import write_sft

    # the key and the folder are checked before anything is written or asked for
    resolve_api_key(cfg.api_key_env, cfg.base_url)
    rd = round_dir(cfg.out, r)
    make_folder(rd, rd, "the round folder")  # --out names a file, or a folder not writable
    rng = random.Random(task_seed("curriculum", cfg.seed, r))
    n_eval = min(cfg.sample, len(pool.entries))
    chosen = [pool.entries[i] for i in sorted(rng.sample(range(len(pool.entries)), n_eval))]
    outcomes = evaluate(cfg, pool, chosen, rd / "RUN.jsonl", on_wait, console)
    w = weights(pool, outcomes, cfg.floor)
    picked = [pool.entries[i] for i in weighted_sample(rng, w, cfg.size)]

    tasks_tmp = rd / f"tasks.jsonl.tmp{os.getpid()}"
    with tasks_tmp.open("w", encoding="utf-8") as f:
        for e in picked:
            f.write(json.dumps(pool.record(e), ensure_ascii=False, separators=(",", ":")) + "\n")
    os.replace(tasks_tmp, rd / "tasks.jsonl")
    sft = write_sft(
        read_jsonl(rd / "tasks.jsonl"),
        rd / "train" / "train.jsonl",
        mode=cfg.mode,
        template=cfg.template,
        answer_format=cfg.answer_format,
    )

    cells = failure_rates(outcomes)
    per_skill: dict[str, dict[str, Any]] = {}
    for e, ok in outcomes:
        for s in e.skills:
            d = per_skill.setdefault(s, {"attempted": 0, "solved": 0})
            d["attempted"] += 1
            d["solved"] += ok
    for d in per_skill.values():
        d["success"] = round(d["solved"] / d["attempted"], 4)
    report = {
        "round": r,
        "model": cfg.model,
        "evaluated": len(outcomes),
        "solved": sum(ok for _, ok in outcomes),
        "success": round(sum(ok for _, ok in outcomes) / len(outcomes), 4) if outcomes else None,
        "eval_by_skill": dict(sorted(per_skill.items())),
        "failure_estimate": {
            f"{s}/{d}": round(cell_failure(cells, s, d), 4) for (s, d) in sorted(cells)
        },
        "floor": cfg.floor,
        "pool_mix": mix_of(pool.entries),
        "train_mix": mix_of(picked),
        "train_size": len(picked),
        "train_unique": len({id(e) for e in picked}),
        "files": {"run": "RUN.jsonl", "tasks": "tasks.jsonl", "train": "train/train.jsonl"},
        "template_hash": sft.template_hash,
    }
    write_whole(rd / MIX, (json.dumps(report, indent=1) + "\n").encode("utf-8"))
    return report


def run_curriculum(
    cfg: CurriculumConfig,
    progress: Callable[[dict[str, Any]], None] | None = None,
    on_wait: Callable[[Wait], None] | None = None,
    console: Console | None = None,
) -> list[dict[str, Any]]:
    """Run rounds 1..cfg.rounds, skipping finished ones; the reports of all rounds. `progress`
    gets each round's report as it is done; `on_wait` is told of each long wait for a retry
    (`eval.client.Wait`), which would otherwise look like a round that hangs; with a `console`,
    each round's evaluation draws its progress bar there (without one nothing is printed)."""
    pool = Pool.load(cfg.pool)
    reports = []
    for r in range(1, cfg.rounds + 1):
        mix = round_dir(cfg.out, r) / MIX
        if mix.exists():
            rep = _read_mix(mix)
            # a finished round stands for this run only if it was made with the same model and
            # floor: another model's failures would steer this model's training mix
            other = [k for k in ("model", "floor") if rep.get(k) != getattr(cfg, k)]
            if other:
                was = ", ".join(f"{k} {rep.get(k)!r}" for k in other)
                raise UsageError(
                    f"round {r} was made with {was}; use the same settings to resume, "
                    "or another --out",
                    file=str(mix),
                )
            rep["resumed"] = True
        else:
            rep = run_round(cfg, pool, r, on_wait, console)
        reports.append(rep)
        if progress:
            progress(rep)
    summary = {"config": dict(cfg.__dict__), "rounds": reports}
    write_whole(Path(cfg.out) / "curriculum.json", (json.dumps(summary, indent=1) + "\n").encode())
    return reports


__all__ = [
    "CurriculumConfig",
    "Pool",
    "run_curriculum",
    "run_round",
    "weighted_sample",
    "weights",
]
