"""Sharded, resumable, reproducible generation runs: plan, shard files, manifest.

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
`xlogo gen stats`. This module never chooses what a task looks like: `generate.py` does.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from ..errors import TaskError, UsageError, json_problem
from ..files import cannot_write, write_whole
from ..tasks import Task, load_tasks, record_lines
from .difficulty import LEVELS, difficulty
from .generate import (
    MAX_INTENDED,
    SOLVER_TIMEOUT,
    Solver,
    clock_free,
    default_skills,
    generate_one,
    task_seed,
)
from .goals import KINDS, kind_of_task

FORMAT = 1
CONFIG = "config.json"
MANIFEST = "manifest.json"
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


@dataclass(frozen=True)
class GenPlan:
    """Everything that determines a run's output. Stored as config.json in the output folder."""

    n: int
    seed: int = 0
    shard_size: int = 1000
    kinds: tuple[str, ...] = KINDS
    levels: tuple[str, ...] = LEVELS
    like: str | None = None  # a task file or folder whose tasks are varied
    split: str = "train"  # "train" or "eval": separate seed streams and id prefixes
    timeout: float = SOLVER_TIMEOUT
    max_attempts: int = 60
    # The `--exclude` hash set as `exclude_fingerprint` words it (None: nothing excluded). The
    # hashes, not the folder names, decide which tasks a shard may hold: a moved folder is the
    # same setting, a folder that gained tasks is not.
    exclude: str | None = None
    format: int = FORMAT

    def __post_init__(self) -> None:
        if self.n < 1:
            raise UsageError("the number of tasks must be at least 1")
        if self.shard_size < 1:
            raise UsageError("--shard-size must be at least 1")
        if not self.timeout > 0:  # also NaN, which would never stop a search
            raise UsageError(f"--timeout must be more than 0 seconds (got {self.timeout:g})")
        if self.max_attempts < 1:
            raise UsageError("max_attempts must be at least 1")
        bad = [k for k in self.kinds if k not in KINDS]
        if bad or not self.kinds:
            raise UsageError(
                f"unknown kind {', '.join(bad) or '(none)'} (kinds are {', '.join(KINDS)})"
            )
        badl = [lv for lv in self.levels if lv not in LEVELS]
        if badl or not self.levels:
            raise UsageError(
                f"unknown difficulty {', '.join(badl) or '(none)'} (levels are {', '.join(LEVELS)})"
            )

    @property
    def shards(self) -> int:
        return math.ceil(self.n / self.shard_size)

    def shard_len(self, i: int) -> int:
        return min(self.shard_size, self.n - i * self.shard_size)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["kinds"] = list(self.kinds)
        d["levels"] = list(self.levels)
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> GenPlan:
        d = dict(d)
        d["kinds"] = tuple(d.get("kinds", KINDS))
        d["levels"] = tuple(d.get("levels", LEVELS))
        try:
            return cls(**d)
        except TypeError as exc:  # a key it has no field for, or a value of the wrong type
            raise UsageError(f"these settings do not describe a run ({exc})") from None


def exclude_fingerprint(hashes: Iterable[str]) -> str | None:
    """The recorded form of an exclusion set: its size and the SHA-256 of its sorted hashes, so
    config.json stays small however large the excluded folders are; None for an empty set (it
    excludes nothing, exactly as no `--exclude` does)."""
    unique = sorted(set(hashes))
    if not unique:
        return None
    digest = hashlib.sha256("\n".join(unique).encode()).hexdigest()[:20]
    return f"{len(unique)} tasks, sha256 {digest}"


def parse_shard(text: str) -> tuple[int, int]:
    """`K/M` -> (K, M): this process makes the shards i with i % M == K (0 <= K < M)."""
    try:
        k, m = (int(p) for p in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard takes K/M with 0 <= K < M, e.g. 0/4, not {text!r}") from None
    if m < 1 or not 0 <= k < m:
        raise UsageError(f"--shard takes K/M with 0 <= K < M, e.g. 0/4, not {text!r}")
    return k, m


_SHARD = re.compile(r"tasks-(\d{5,})\.jsonl")


def shard_name(i: int) -> str:
    return f"tasks-{i:05d}.jsonl"


def stats_name(i: int) -> str:
    return f"tasks-{i:05d}.stats.json"


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
    _write_json(out / stats_name(i), asdict(stats))
    write_whole(out / shard_name(i), data)


def shard_damage(out: Path, i: int) -> str | None:
    """Why the existing shard file `i` cannot be trusted, or None when it is whole.

    A shard is whole when its statistics file reads and the shard has the size it records (one
    stat() call), or, for statistics written before sizes were recorded, as many lines as it
    counts tasks. A truncated or half-copied file fails this; the shard is a pure function of
    the plan, so making it again loses nothing."""
    sf, f = out / stats_name(i), out / shard_name(i)
    try:
        st = json.loads(sf.read_text(encoding="utf-8"))
        expected_bytes, tasks = st.get("bytes"), int(st["tasks"])
    except FileNotFoundError:
        return f"{sf.name} is missing"
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return f"{sf.name} cannot be read"
    if expected_bytes is not None:
        size = f.stat().st_size
        if size != expected_bytes:
            return f"{size} bytes where {sf.name} records {expected_bytes}"
        return None
    with f.open("rb") as fh:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    if lines != tasks:
        return f"{lines} lines where {sf.name} counts {tasks} tasks"
    return None


def _write_json(path: Path, obj: Any) -> None:
    write_whole(path, (json.dumps(obj, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))


# -- a whole run -------------------------------------------------------------------------------


def check_out_folder(out: Path, option: str = "--out") -> None:
    """An output folder must be a folder or not exist yet; checked before any work is done."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"{option} is a file, not a folder", file=str(out))


def _make_folder(folder: Path, named: Path) -> None:
    """`folder` and its parents, made if missing; a UsageError naming `named` if they cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot make the folder: {exc.strerror}", file=str(named)) from None


def prepare(out: Path, plan: GenPlan) -> None:
    """Create the folder, or check that it holds a run with the same plan (resume).

    Called only once every setting has been checked: config.json, once written, binds the
    folder to these settings."""
    check_out_folder(out)
    _make_folder(out, out)
    cfg = out / CONFIG
    new = plan.to_json()
    if cfg.exists():
        old = read_settings(cfg)
        # A setting added since the folder was made reads as its default (e.g. `exclude`: none).
        old = {**{f.name: f.default for f in fields(GenPlan) if f.name in _DEFAULTED}, **old}
        if _binding(old) != _binding(new):
            diff = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
            raise UsageError(
                f"the folder holds a run with other settings ({', '.join(diff)}); "
                "use the same settings to resume, or another --out",
                file=str(out),
            )
        if old != new:
            _write_json(cfg, new)  # a new --timeout: config.json tells the last one
    elif any(out.glob("tasks-*.jsonl")):
        # shards with no record of the settings that made them: kept, they would be mixed with
        # shards of these settings under a config.json that claims them all
        raise UsageError(
            f"the folder holds shards but no {CONFIG}: the settings that made them are unknown",
            file=str(out),
            hint="generate into a new --out (or put back the run's config.json to resume it)",
        )
    else:
        _write_json(cfg, new)


_DEFAULTED = ("exclude",)  # plan keys older config.json files lack


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
    from .generate import default_solver

    _WORKER.update(
        plan=plan,
        exclude=exclude,
        out=Path(out),
        solver=default_solver(),
        sources=sources,
        parent=parent,
    )
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    """A pool worker's watch on the run that started it. Killed with `kill -9`, the run cannot
    stop its pool, and a worker left behind would go on making shards, into the folder of a
    later run too (reparented, its parent pid changes): it ends itself within a second."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _run_one(i: int) -> dict[str, Any]:
    w = _WORKER
    records, stats = generate_shard(
        w["plan"], i, exclude=w["exclude"], solver=w["solver"], sources=w["sources"]
    )
    if w["parent"] is not None and os.getppid() != w["parent"]:
        os._exit(1)  # the run is gone (`_exit_with`): its shard is no one's to write
    write_shard(w["out"], i, records, stats)
    return {"shard": i, "tasks": stats.tasks, "attempts": stats.attempts, "wall": stats.wall}


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
    as `damaged` in its progress entry."""
    from .generate import default_solver

    outp = Path(out)
    check_out_folder(outp)
    exclude = frozenset(h for d in exclude_dirs for h in _excluded(d, outp))
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
            for i in todo:
                finished(_run_one(i))
        else:
            import multiprocessing as mp

            initargs = (plan, exclude, str(outp), sources, os.getpid())
            with mp.get_context("fork").Pool(
                min(workers, len(todo)), _init_worker, initargs
            ) as pool:
                for res in pool.imap_unordered(_run_one, todo):
                    finished(res)
    manifest, shard_tasks = _manifest(outp)
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


# -- reading -----------------------------------------------------------------------------------


def shard_files(out: str | Path) -> list[Path]:
    p = Path(out)
    if not p.is_dir():
        raise UsageError("not a folder of generated tasks", file=str(p))
    return sorted(p.glob("tasks-*.jsonl"))


def require_shards(out: str | Path) -> list[Path]:
    """The shard files of a folder a command reads; none is an error rather than an empty
    result: it is almost always the wrong folder (a task folder, or the run's parent)."""
    files = shard_files(out)
    if not files:
        raise UsageError("no shard files (tasks-*.jsonl) in this folder", file=str(Path(out)))
    return files


class Record(dict):
    """A task record that remembers where it was read (`file`, `line`), for error messages, and
    the byte `offset` of its line, to read it again later with a seek."""

    file: str | None = None
    line: int | None = None
    offset: int = 0


def read_jsonl(f: Path) -> Iterator[Record]:
    """The records of one JSONL file, each a `Record` that knows its file, line and offset;
    the first line that is no record stops the reading (`tasks.record_lines` reads them; an
    integer too long to read makes a line no JSON)."""
    for n, offset, data in record_lines(f, long_numbers=False):
        if isinstance(data, TaskError):
            raise data
        if not isinstance(data, dict):
            raise TaskError("expected a task record (an object)", file=str(f), line=n)
        located = Record(data)
        located.file, located.line, located.offset = str(f), n, offset
        yield located


def iter_records(out: str | Path, *, dedup: bool = True) -> Iterator[dict[str, Any]]:
    """Every record of a generated folder in shard order; a task found in an earlier shard
    (same canonical hash) is skipped."""
    seen: set[str] = set()
    for f in shard_files(out):
        for rec in read_jsonl(f):
            h = rec.get("hash")
            if dedup and h is not None:
                if h in seen:
                    continue
                seen.add(h)
            yield rec
        _check_whole(f)  # after its lines, so that a broken line is named first


def _check_whole(f: Path) -> None:
    """Refuse a shard that `shard_damage` finds cut short (or not matching its statistics):
    read as it is, it would silently lose tasks from the training set (the commands that read
    shards write their output only when the whole input was read). A file whose name is no
    shard index of ours, or without statistics (a shard put together by hand), is read as it
    is: each of its lines is checked as it is read."""
    m = re.fullmatch(r"tasks-(\d{5})\.jsonl", f.name)
    if m is None or not (f.parent / stats_name(int(m.group(1)))).exists():
        return
    why = shard_damage(f.parent, int(m.group(1)))
    if why is not None:
        raise UsageError(
            f"damaged shard: {why}",
            file=str(f),
            hint="run `xlogo gen` again with the same settings to make it again",
        )


def record_task(rec: dict[str, Any], file: str | None = None) -> Task:
    """A record as a core Task (the loader ignores the generator's extra keys). Errors name the
    file and line the record was read from, when it was read by `read_jsonl`."""
    from ..tasks import task_from_dict

    line = getattr(rec, "line", None)
    where = file or getattr(rec, "file", None)
    try:
        return task_from_dict(rec, file=where, default_id=str(rec.get("id", "task")))
    except TaskError as exc:
        if line is not None and exc.line is None:
            exc.line = line
        raise


def dataset_hashes(path: str | Path) -> set[str]:
    """The canonical hashes of a generated folder (read from its shard statistics), or of any
    task file or task folder (real tasks: hashed here), for `--exclude`."""
    from .canonical import canonical_hash

    p = Path(path)
    if p.is_dir() and any(p.glob("tasks-*.jsonl")):
        hashes: set[str] = set()
        for f in shard_files(p):
            sf = p / f.name.replace(".jsonl", ".stats.json")
            try:  # the index holds every hash of the shard as it was made, even if damaged since
                hashes.update(row[0] for row in json.loads(sf.read_text(encoding="utf-8"))["index"])
            except (OSError, ValueError, KeyError, TypeError, IndexError):
                hashes.update(
                    rec.get("hash") or canonical_hash(record_task(rec, str(f)))
                    for rec in read_jsonl(f)
                )
        return hashes
    if not p.exists():
        raise UsageError("no such file or folder", file=str(p))
    return {canonical_hash(t) for t in load_tasks(p)}


def read_settings(cfg: Path) -> dict[str, Any]:
    """A run's settings (config.json) as written, or a UsageError naming the file: a damaged or
    hand-edited one (bad JSON, a 5,000-digit number, not an object) must not end in a traceback."""
    try:
        old = json.loads(cfg.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(
            f"cannot read the run's settings: {exc.strerror or exc}", file=str(cfg)
        ) from None
    except ValueError as exc:
        raise UsageError(
            f"cannot read the run's settings: not valid JSON ({json_problem(exc, at_column=True)})",
            file=str(cfg),
        ) from None
    if not isinstance(old, dict):
        raise UsageError("the run's settings are not a JSON object", file=str(cfg))
    return old


def build_manifest(out: str | Path) -> dict[str, Any]:
    """Counts per kind, skill, difficulty and grid size over the unique tasks of the finished
    shards, plus rejection reasons and time per phase; written to manifest.json. A damaged shard
    (`shard_damage`) is not counted as finished but listed under `shards.damaged` with the
    reason, so `xlogo gen stats` says what a rerun will make again."""
    return _manifest(Path(out))[0]


def _manifest(p: Path) -> tuple[dict[str, Any], dict[int, int]]:
    """`build_manifest`, and the tasks each finished shard holds (by index), read from the same
    statistics files: `run` counts its share with them."""
    cfg = p / CONFIG
    plan = read_settings(cfg) if cfg.exists() else None
    seen: set[str] = set()
    by: dict[str, Counter[str]] = {k: Counter() for k in ("kind", "difficulty", "skill", "grid")}
    rejects: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    attempts = tasks = dups = 0
    wall = cpu = 0.0
    finished = []
    shard_tasks: dict[int, int] = {}
    damaged: list[dict[str, str]] = []
    for f in shard_files(p):
        named = _SHARD.fullmatch(f.name)
        if not named:
            continue  # matches the glob but is no name this module writes
        i = int(named[1])
        why = shard_damage(p, i)
        if why:
            damaged.append({"file": f.name, "why": why})
            continue
        st = json.loads((p / stats_name(i)).read_text(encoding="utf-8"))
        finished.append(i)
        shard_tasks[i] = st["tasks"]
        attempts += st["attempts"]
        wall += st["wall"]
        cpu += st.get("cpu", 0.0)
        rejects.update(st["rejects"])
        seconds.update(st["seconds"])
        for h, kind, level, grid, skills in st["index"]:
            tasks += 1
            if h in seen:
                dups += 1
                continue
            seen.add(h)
            by["kind"][kind] += 1
            by["difficulty"][level] += 1
            by["grid"][grid] += 1
            for s in skills:
                by["skill"][s] += 1
    unique = len(seen)
    try:
        total_shards = GenPlan.from_json(plan).shards if plan else len(finished)
    except UsageError as exc:  # a hand-edited config.json
        raise UsageError(f"the run's settings: {exc.message}", file=str(cfg)) from None
    manifest = {
        "format": FORMAT,
        "plan": plan,
        "shards": {
            "finished": len(finished),
            "total": total_shards,
            "files": [shard_name(i) for i in finished],
            "damaged": damaged,
        },
        "tasks": unique,
        "records": tasks,
        "cross_shard_duplicates": dups,
        "counts": {k: dict(sorted(v.items(), key=_count_order)) for k, v in by.items()},
        "attempts": attempts,
        "rejects": dict(rejects.most_common()),
        "seconds": {k: round(v, 2) for k, v in sorted(seconds.items())},
        "worker_seconds": round(wall, 2),
        "tasks_per_worker_second": round(tasks / wall, 3) if wall else None,
        "cpu_seconds": round(cpu, 2),
        "tasks_per_cpu_second": round(tasks / cpu, 3) if cpu else None,
    }
    _write_json(p / MANIFEST, manifest)
    return manifest, shard_tasks


def _count_order(kv: tuple[str, int]) -> tuple[int, str]:
    order = {**{k: n for n, k in enumerate(KINDS)}, **{k: n for n, k in enumerate(LEVELS)}}
    k = kv[0]
    if k in order:
        return (order[k], k)
    if "x" in k and k.replace("x", "").isdigit():
        r, c = k.split("x")
        return (int(r) * 100 + int(c), k)
    return (1000, k)


_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # an id that is a plain file name


def export_tasks(out: str | Path, dest: str | Path) -> int:
    """Write every unique task of a generated folder as `<id>.json` into `dest`, the folder
    layout every task-reading command (`xlogo eval --tasks`, `run`, `score`) accepts.

    All or nothing: every record is loaded as a task while it is written into a hidden folder
    beside `dest`, and the files move into `dest` only when all of them were written. A broken
    record (its error names file and line) or an interruption leaves `dest` as it was, so the
    export can simply be run again once the shard is mended."""
    d = Path(dest)
    check_out_folder(d)
    if d.exists() and any(f for f in d.glob("*.json")):
        raise UsageError(
            "the folder already holds task files; export into a new folder", file=str(d)
        )
    _make_folder(d.parent, d)
    tmp = d.parent / f".{d.name}.partial{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)  # left by a killed export that had this pid
    tmp.mkdir()
    try:
        n = 0
        for rec in iter_records(out):
            task = record_task(rec)  # a record no command could load is an error here
            file, line = getattr(rec, "file", None), getattr(rec, "line", None)
            if "id" not in rec or not _ID.fullmatch(task.id):
                raise TaskError(
                    f"the record's id {rec.get('id')!r} cannot name a task file",
                    file=file,
                    line=line,
                )
            f = tmp / f"{task.id}.json"
            if f.exists():
                raise TaskError(f"a second task with the id {task.id!r}", file=file, line=line)
            f.write_text(json.dumps(rec, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            n += 1
        if not d.exists():
            os.replace(tmp, d)
        else:
            for f in tmp.iterdir():
                os.replace(f, d / f.name)
    except OSError as exc:  # a full disk, say: name the folder asked for, not the temporary one
        raise cannot_write(d, exc) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return n
