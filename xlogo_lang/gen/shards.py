"""Sharded, resumable, reproducible generation runs: the shards of a plan, made and written.

A run of N tasks is split into shards of `shard_size` tasks (`tasks-00000.jsonl`, ...). Shard i is
a pure function of (plan, i): its task slots, their goal kinds and target levels, and the seed of
every attempt derive from (split, seed, i, slot, attempt). So

* a rerun skips every finished shard (a shard is finished when its `.jsonl` exists and has the
  size its statistics record: it is written to a temporary file and renamed, so a killed run never
  leaves half a shard behind, and a file damaged later, say truncated by a copy, is made again);
* `--shard K/M` runs the shards i with i % M == K, on any machine, with no coordination, and the
  union of the M runs is byte-for-byte the set one run makes;
* any record can be regenerated from its `seed`, kind and target level.

Duplicates (same canonical hash) are rejected inside a shard while it is generated. Two shards
cannot see each other, so a task may occur in two of them; readers (`iter_records`, the manifest,
`xlogo sft`, the curriculum) keep its first occurrence in shard order, which is again independent
of how the shards were scheduled. Hashes listed by `--exclude` directories (for instance the
held-out evaluation set) are rejected everywhere; they shape every shard, so the plan records
their fingerprint and a rerun against another exclusion set is refused like any other change.

Each shard also writes `tasks-00000.stats.json` (counts, rejection reasons, time per phase, and a
compact index of its records); `manifest.json` is rebuilt from those after every run and by
`xlogo gen stats`. The settings are `plan.py`; reading a folder back (records, damage, manifest,
export) is `dataset.py`. This module never chooses what a task looks like: `generate.py` does.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from ..errors import UsageError, counted, number_text
from ..eval import arguments as args
from ..files import make_folder, write_whole
from ..tasks import Task, load_tasks
from ..workers import check_workers, start_worker, worker_context
from .dataset import (
    check_out_folder,
    dataset_hashes,
    manifest_and_shard_tasks,
    shard_damage,
    shard_name,
    stats_name,
    write_json,
)
from .difficulty import difficulty
from .generate import (
    MAX_INTENDED,
    Solver,
    clock_free,
    default_skills,
    generate_one,
    task_seed,
)
from .goals import kind_of_task
from .plan import CONFIG, GenPlan, check_shard, exclude_fingerprint, read_settings

RETARGET_AFTER = 4  # attempts before a slot takes a task of another (allowed) level
STASH_MAX = 20  # candidates of one (kind, level) kept for later slots
# How often each level comes up per kind. Small programs draw few different pictures: sampling
# finds about 26 distinct easy drawings in all and about 1,500 medium ones, against thousands of
# draw slots in a large run, so drawings are mostly hard, and easy ones are made only when easy is
# the only level asked for (weight 0).
LEVEL_WEIGHTS = {"draw": {"easy": 0, "medium": 2, "hard": 8}}


def level_pattern(kind: str, levels: tuple[str, ...]) -> list[str]:
    """The cycle of target levels for slots of `kind`: the allowed levels, interleaved by their
    weights (smooth weighted round robin), so every stretch of slots has the same mix."""
    weights = {lv: LEVEL_WEIGHTS.get(kind, {}).get(lv, 1) for lv in levels}
    if not any(weights.values()):
        weights = dict.fromkeys(levels, 1)
    levels = tuple(lv for lv in levels if weights[lv])
    total = sum(weights.values())
    current = dict.fromkeys(levels, 0)
    out = []
    for _ in range(total):
        for lv in levels:
            current[lv] += weights[lv]
        best = max(levels, key=lambda lv: current[lv])
        current[best] -= total
        out.append(best)
    return out


# -- one shard ---------------------------------------------------------------------------------


@dataclass
class ShardStats:
    shard: int
    tasks: int = 0
    attempts: int = 0
    rejects: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(
        default_factory=dict
    )  # per phase: build, verify, solve, record
    wall: float = 0.0
    cpu: float = 0.0  # CPU seconds of the worker: the rate that does not depend on other load
    index: list[list[Any]] = field(default_factory=list)  # [hash, kind, difficulty, grid, skills]
    bytes: int | None = None  # the size of the shard file, so a resume sees damage with a stat()


class _Sources:
    """The `--like` tasks with a solution each (the solver's, where the data has none).

    A variant may add two blocks to its source's solution and must stay within
    `MAX_INTENDED` blocks, so sources with longer solutions are left out."""

    def __init__(self, plan: GenPlan, solver: Solver) -> None:
        self.tasks: list[Task] = []
        self.skipped: list[str] = []
        self.hashes: frozenset[str] = frozenset()
        if plan.like is None:
            return
        from .canonical import canonical_hash

        longest = MAX_INTENDED - 2
        if not Path(plan.like).exists():  # named as --exclude's is, not as any missing file
            raise UsageError("--like: no such file or folder", file=str(plan.like))
        loaded = load_tasks(plan.like)
        self.hashes = frozenset(canonical_hash(t) for t in loaded)  # never remade as they are
        for t in loaded:
            if kind_of_task(t.goal) not in plan.kinds:
                continue
            if t.solution is None:
                sol = clock_free(solver, f"the --like source {t.id}", plan.timeout)(
                    t, max_size=longest
                )
                if sol.status != "solved" or sol.program is None:
                    self.skipped.append(t.id)
                    continue
                t = Task(
                    t.id,
                    t.world,
                    t.goal,
                    t.constraints,
                    sol.program,
                    t.platform_description,
                    t.source,
                )
            elif not _solves(t) or len(t.solution) > longest:
                self.skipped.append(t.id)
                continue
            self.tasks.append(t)
        # Variants stay near their source's level: with a --difficulty filter, use the sources
        # of those levels (all of them if none is).
        fitting = [t for t in self.tasks if difficulty(t.solution, t.constraints) in plan.levels]  # type: ignore[arg-type]
        if fitting:
            self.tasks = fitting
        if not self.tasks:
            raise UsageError(
                f"no usable task in {plan.like} "
                f"(none of the kinds {', '.join(plan.kinds)} with a solution)"
            )


def _solves(t: Task) -> bool:
    from ..verdict import run

    return t.solution is not None and run(t, t.solution).solved


def generate_shard(
    plan: GenPlan,
    i: int,
    *,
    exclude: frozenset[str] = frozenset(),
    solver: Solver | None = None,
    sources: _Sources | None = None,
) -> tuple[list[dict[str, Any]], ShardStats]:
    """The records of shard `i` (deterministic) and its statistics (with timings)."""
    from .generate import default_solver

    solve = solver or default_solver()
    skills_fn = default_skills()
    src = sources if sources is not None else _Sources(plan, solve)
    exclude = exclude | src.hashes
    stats = ShardStats(i)
    rejects: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    seen: set[str] = set()
    records: list[dict[str, Any]] = []
    t_start, c_start = time.perf_counter(), time.process_time()
    prefix = "eval" if plan.split == "eval" else "syn"
    # Candidates of another allowed level wait here for a slot of their level (same kind and
    # source task), so an attempt is wasted only when its task is rejected.
    stash: dict[tuple[str, str, str | None], list[dict[str, Any]]] = {}

    def accept(rec: dict[str, Any], task_id: str) -> bool:
        if rec["hash"] in seen or rec["hash"] in exclude:
            rejects["duplicate"] += 1
            return False
        rec["id"] = task_id
        seen.add(rec["hash"])
        records.append(rec)
        stats.index.append([rec[k] for k in ("hash", "kind", "difficulty", "grid", "skills")])
        return True

    for slot in range(plan.shard_len(i)):
        g = i * plan.shard_size + slot
        pick = task_seed(plan.split, plan.seed, "like", g)
        like = src.tasks[pick % len(src.tasks)] if src.tasks else None
        kind = plan.kinds[g % len(plan.kinds)]
        pattern = level_pattern(kind if like is None else kind_of_task(like.goal), plan.levels)
        level = pattern[(g // len(plan.kinds)) % len(pattern)]
        task_id = f"{prefix}{plan.seed}-{i:05d}-{slot:05d}"
        like_id = like.id if like is not None else None
        waiting = stash.get((kind, level, like_id))
        done = False
        while waiting and not done:
            done = accept(waiting.pop(0), task_id)
        for attempt in range(0 if done else plan.max_attempts):
            seed = task_seed(plan.split, plan.seed, i, slot, attempt)
            out = generate_one(
                seed,
                kind,
                level,
                task_id=task_id,
                like=like,
                solver=solve,
                timeout=plan.timeout,
                skills_fn=skills_fn,
            )
            stats.attempts += 1
            seconds.update(out.seconds)
            rec = out.record
            if rec is None:
                rejects[out.reason] += 1
                continue
            got = rec["difficulty"]
            if got not in plan.levels:
                rejects["difficulty_filtered"] += 1
                continue
            if got != level and attempt < RETARGET_AFTER:
                rejects["difficulty_stashed"] += 1
                # keyed as slots look it up: by the slot's kind (with --like a record's own
                # kind is its source task's, which no slot asks for)
                box = stash.setdefault((kind, got, like_id), [])
                if len(box) < STASH_MAX:
                    box.append(rec)
                continue
            if accept(rec, task_id):
                done = True
                break
        if not done:
            rejects["slot_gave_up"] += 1
    stats.tasks = len(records)
    stats.rejects = dict(sorted(rejects.items()))
    stats.seconds = {k: round(v, 3) for k, v in sorted(seconds.items())}
    stats.wall = round(time.perf_counter() - t_start, 3)
    stats.cpu = round(time.process_time() - c_start, 3)
    return records, stats


def write_shard(out: Path, i: int, records: list[dict[str, Any]], stats: ShardStats) -> None:
    """Stats first (with the shard's size in bytes), then the records under a temporary name,
    renamed last: the `.jsonl` exists only for a complete shard."""
    data = "".join(
        json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n" for rec in records
    ).encode("utf-8")
    stats.bytes = len(data)
    write_json(out / stats_name(i), asdict(stats))
    write_whole(out / shard_name(i), data)


def prepare(out: Path, plan: GenPlan) -> None:
    """Create the folder, or check that it holds a run with the same plan (resume).

    Called only once every setting has been checked: config.json, once written, binds the
    folder to these settings."""
    check_out_folder(out)
    make_folder(out, out)
    cfg = out / CONFIG
    new = plan.to_json()
    if cfg.exists():
        old = read_settings(cfg)
        # A setting added since the folder was made reads as its default (e.g. `exclude`: none).
        old = {**{f.name: f.default for f in fields(GenPlan) if f.name in _DEFAULTED}, **old}
        if _binding(old) != _binding(new):
            raise UsageError(
                f"the folder holds a run with other settings ({settings_difference(old, new)}); "
                "use the same settings to resume, or another --out",
                file=str(out),
            )
        if old != new:
            write_json(cfg, new)  # a new --timeout: config.json tells the last one
    elif any(out.glob("tasks-*.jsonl")):
        # shards with no record of the settings that made them: kept, they would be mixed with
        # shards of these settings under a config.json that claims them all
        raise UsageError(
            f"the folder holds shards but no {CONFIG}: the settings that made them are unknown",
            file=str(out),
            hint="generate into a new --out (or put back the run's config.json to resume it)",
        )
    else:
        write_json(cfg, new)


_DEFAULTED = ("exclude",)  # plan keys older config.json files lack

# config.json keys as the command line spells them (the others are no option)
_OPTIONS = {
    "seed": "--seed",
    "shard_size": "--shard-size",
    "kinds": "--kinds",
    "levels": "--difficulty",
    "like": "--like",
    "split": "",  # its values are the options: `--n in the folder, --eval now`
    "exclude": "--exclude",
}


def count_option(split: str | None) -> str:
    """The option that gives a run's task count: `--eval` for a held-out set, else `--n`."""
    return "--eval" if split == "eval" else "--n"


def settings_difference(old: dict[str, Any], new: dict[str, Any]) -> str:
    """What differs between the folder's settings and this command's, in the user's terms, as
    `xlogo eval` words a changed configuration: `--seed 1 in the folder, 0 now`. An option left
    out takes its default, which is seldom what made the folder, so both values are named."""

    def shown(key: str, v: Any) -> str:
        if v is None:
            return "none"
        if key == "split":
            return count_option(v)
        return ",".join(map(str, v)) if isinstance(v, list) else str(v)

    count = count_option(new.get("split"))
    old, new = _binding(old), _binding(new)  # what a rerun may change is no difference
    diff = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    named = {k: _OPTIONS.get(k, count if k == "n" else k) for k in diff}
    return "; ".join(
        f"{named[k]} {shown(k, old.get(k))} in the folder, {shown(k, new.get(k))} now".lstrip()
        for k in diff
    )


def _binding(settings: dict[str, Any]) -> dict[str, Any]:
    """The settings that decide what the shards hold. `timeout` does not (a search it cuts stops
    the run, `generate.clock_free`), so a run stopped by it resumes with a larger one."""
    return {k: v for k, v in settings.items() if k != "timeout"}


def pending_shards(out: Path, plan: GenPlan, shard: tuple[int, int] | None = None) -> list[int]:
    """This process's shards that are missing or damaged (`shard_damage`), in order."""
    k, m = shard or (0, 1)
    return [
        i
        for i in range(plan.shards)
        if i % m == k and (not (out / shard_name(i)).exists() or shard_damage(out, i))
    ]


_WORKER: dict[str, Any] = {}


def _init_worker(
    plan: GenPlan, exclude: frozenset[str], out: str, sources: _Sources, parent: int | None = None
) -> None:
    """A pool worker's start (`parent`: the run's pid), or this process's when it makes the
    shards itself. Everything a worker reads comes in these arguments, which a forkserver's
    worker gets pickled (`workers.worker_context`): no module state of the run is assumed."""
    from .generate import default_solver

    _WORKER.update(
        plan=plan,
        exclude=exclude,
        out=Path(out),
        solver=default_solver(),
        sources=sources,
        parent=parent,
    )
    if parent is not None:  # a pool worker, not this process making the shards itself
        _WORKER["started_under"] = start_worker(parent)


def _run_one(i: int) -> dict[str, Any]:
    w = _WORKER
    records, stats = generate_shard(
        w["plan"], i, exclude=w["exclude"], solver=w["solver"], sources=w["sources"]
    )
    if w["parent"] is not None and os.getppid() != w["started_under"]:
        os._exit(1)  # the run is gone (`workers.start_worker`): its shard is no one's to write
    write_shard(w["out"], i, records, stats)
    return {"shard": i, "tasks": stats.tasks, "attempts": stats.attempts, "wall": stats.wall}


# Shard files are numbered with five digits (`shard_name`), and readers take them in name order:
# a 100,001st shard would sort before the 10,001st. Ten million tasks is far above any training
# set this generator is for (hours of work at the default shard size), and a count far above it
# is a typo that would only show as a start that never comes (every planned shard is looked for).
MAX_TASKS = 10_000_000
MAX_SHARDS = 100_000


def check_size(plan: GenPlan) -> None:
    """Refuse a plan larger than `MAX_TASKS` tasks or `MAX_SHARDS` shards, naming the option
    (--n, or --eval for a held-out set), before the folder is made."""
    option = count_option(plan.split)
    if plan.n > MAX_TASKS:
        raise UsageError(f"{option} must be at most {MAX_TASKS:,} (got {number_text(plan.n)})")
    if plan.shards > MAX_SHARDS:
        raise UsageError(
            f"{option} {plan.n:,} with --shard-size {plan.shard_size:,} makes {plan.shards:,} "
            f"shards, more than {MAX_SHARDS:,}: give a larger --shard-size"
        )


def idle_workers(plan: GenPlan, workers: int, shard: tuple[int, int] | None = None) -> str | None:
    """Why some of `workers` would have nothing to do: a shard is one worker's job, and this
    process's share may hold fewer shards than workers (`--n 300 --workers 2` is one shard at
    the default --shard-size 1000), as a sentence for a warning; None when each has a shard.
    Not corrected here: the shard size is a setting of the run, and another one makes other
    tasks."""
    k, m = shard or (0, 1)
    mine = max(0, (plan.shards - k + m - 1) // m)  # the i < shards with i % m == k, counted
    if workers <= mine or mine == 0:  # no share at all is not a matter of workers
        return None
    option = count_option(plan.split)
    share = f"this --shard {k}/{m}'s share of " if shard else ""
    # the largest size that makes a shard for every worker of every share: ceil(n / W) alone
    # may not (--n 5 over 4 workers at 2 a shard is 3 shards)
    split = math.ceil(plan.n / (workers * m))
    while split > 1 and math.ceil(plan.n / split) < workers * m:
        split -= 1
    said = (
        f"--workers {workers}, but {share}{option} {plan.n} at --shard-size {plan.shard_size} "
        f"is {counted(mine, 'shard')}, and a shard is one worker's job: "
        f"{counted(mine, 'worker')} will work"
    )
    if split >= plan.shard_size or math.ceil(plan.n / split) < workers * m:
        # too few tasks to give every worker a shard
        return said
    return (
        f"{said}. --shard-size {split} would give each worker one (it is a setting of the run: "
        "other shards hold other tasks)"
    )


def run(
    out: str | Path,
    plan: GenPlan,
    *,
    workers: int = 1,
    shard: tuple[int, int] | None = None,
    exclude_dirs: Iterable[str | Path] = (),
    progress: Any = None,
) -> dict[str, Any]:
    """Generate every pending shard of this process's share, then rebuild the manifest.

    Everything that can be wrong with the arguments (the output path, the `--exclude` folders,
    the `--like` tasks) is checked before the folder is made or config.json written, so a
    mistaken invocation never binds the folder to settings nobody ran. The plan's `exclude` is
    set here from `exclude_dirs`. A damaged shard (`shard_damage`) is made again and reported
    as `damaged` in its progress entry. `shard` is (K, M) as `plan.parse_shard` reads `K/M`;
    `exclude_dirs` a list of folders (or task files), not one path alone."""
    from .generate import default_solver

    if not isinstance(plan, GenPlan):
        raise TypeError(f"generate_dataset takes a GenPlan, got {type(plan).__name__}")
    check_size(plan)
    check_workers(workers)
    if shard is not None:
        check_shard(shard)
    outp = Path(args.path_text("out", out))
    check_out_folder(outp)
    excluded = args.paths("exclude_dirs", exclude_dirs)
    exclude = frozenset(h for d in excluded for h in _excluded(d, outp))
    plan = replace(plan, exclude=exclude_fingerprint(exclude))
    sources = _Sources(plan, default_solver())
    prepare(outp, plan)
    todo = pending_shards(outp, plan, shard)
    damaged = {
        i: why for i in todo if (outp / shard_name(i)).exists() and (why := shard_damage(outp, i))
    }
    done: list[dict[str, Any]] = []
    t0 = time.perf_counter()

    def finished(res: dict[str, Any]) -> None:
        if res["shard"] in damaged:
            res["damaged"] = damaged[res["shard"]]
        done.append(res)
        if progress:
            progress(res)

    if todo:
        if workers <= 1 or len(todo) == 1:
            _init_worker(plan, exclude, str(outp), sources)
            try:
                for i in todo:
                    finished(_run_one(i))
            finally:  # this process is no worker: hold no plan, solver or hash set after the run
                _WORKER.clear()
        else:
            initargs = (plan, exclude, str(outp), sources, os.getpid())
            with worker_context().Pool(min(workers, len(todo)), _init_worker, initargs) as pool:
                for res in pool.imap_unordered(_run_one, todo):
                    finished(res)
    manifest, shard_tasks = manifest_and_shard_tasks(outp)
    # this process's share, whole or not: a slot that found no new task in its attempts leaves
    # its shard short, which the command reports (and exits 1 for)
    mine = [i for i in range(plan.shards) if shard is None or i % shard[1] == shard[0]]
    manifest["this_run"] = {
        "share": {
            "tasks_wanted": sum(plan.shard_len(i) for i in mine),
            "tasks_made": sum(shard_tasks.get(i, 0) for i in mine),
        },
        "shards": len(done),
        "tasks": sum(d["tasks"] for d in done),
        "seconds": round(time.perf_counter() - t0, 2),
        "skipped_finished": len(mine) - len(todo),
        "remade_damaged": [shard_name(i) for i in sorted(damaged)],
    }
    return manifest


def _excluded(path: str | Path, out: Path) -> set[str]:
    """The hashes of one `--exclude` argument, which must exist and must not be the output
    folder (its hashes would change with every shard made, and no rerun could match them)."""
    p = Path(path)
    if not p.exists():
        raise UsageError("--exclude: no such file or folder", file=str(p))
    if out.exists() and p.resolve() == out.resolve():
        raise UsageError("--exclude names the output folder itself", file=str(p))
    return dataset_hashes(p)
