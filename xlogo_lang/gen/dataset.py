"""A generated folder read as a dataset: its shard files and their damage check, its records
in shard order (a task an earlier shard holds is skipped), its manifest and its export.

Every command that reads a generated folder (`xlogo sft`, `gen stats`, `gen export`, the
curriculum, `--exclude`) reads it here; `shards.py` writes it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import TaskError, UsageError, load_json
from ..eval.arguments import path_text
from ..files import cannot_write, make_folder, write_whole
from ..tasks import Task, load_tasks, record_lines
from .difficulty import LEVELS
from .goals import KINDS
from .plan import CONFIG, FORMAT, GenPlan, read_settings

MANIFEST = "manifest.json"


SHARD_FILE = re.compile(r"tasks-(\d{5,})\.jsonl")


def shard_name(i: int) -> str:
    return f"tasks-{i:05d}.jsonl"


def stats_name(i: int) -> str:
    return f"tasks-{i:05d}.stats.json"


def shard_damage(out: Path, i: int) -> str | None:
    """Why the existing shard file `i` cannot be trusted, or None when it is whole.

    A shard is whole when its statistics file reads and the shard has the size it records (one
    stat() call), or, for statistics written before sizes were recorded, as many lines as it
    counts tasks. A truncated or half-copied file fails this; the shard is a pure function of
    the plan, so making it again loses nothing."""
    sf, f = out / stats_name(i), out / shard_name(i)
    try:
        st = load_json(sf.read_text(encoding="utf-8"))
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


def write_json(path: Path, obj: Any) -> None:
    write_whole(path, (json.dumps(obj, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))


# -- output folders ------------------------------------------------------------------------------


def check_out_folder(out: Path, option: str = "--out") -> None:
    """An output folder must be a folder or not exist yet; checked before any work is done."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"{option} is a file, not a folder", file=str(out))


# -- reading -----------------------------------------------------------------------------------


def shard_files(out: str | Path) -> list[Path]:
    p = Path(path_text("the folder", out))
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


def iter_records(out: str | Path, *, dedup: bool = True) -> Iterator[Record]:
    """Every record of a generated folder in shard order; a task found in an earlier shard
    (same canonical hash) is skipped. A shard cut short is an error once its lines are read
    (`_check_whole`)."""
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
    m = SHARD_FILE.fullmatch(f.name)
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
    file and line the record was read from, when it was read by `read_jsonl`. A record that is
    not a dict (a path, a shard's line not yet decoded) is a TypeError naming it."""
    from ..tasks import task_from_dict

    if not isinstance(rec, dict):
        raise TypeError(
            f"record_task takes a task record (a dict, as iter_records yields), "
            f"got {type(rec).__name__}"
        )

    line = getattr(rec, "line", None)
    where = file or getattr(rec, "file", None)
    try:
        return task_from_dict(rec, file=where, default_id=str(rec.get("id", "task")))
    except TaskError as exc:
        if line is not None and exc.line is None:
            exc.line = line
        raise


def unfinished(out: str | Path) -> str | None:
    """Why a generated folder holds fewer tasks than its run asked for: the shards its
    `config.json` plans that have no file yet (an interrupted `xlogo gen` not run again, or
    `--shard K/M` jobs still running), as a sentence for a warning; None when all are there or
    no `config.json` says how many there should be. The readers (`xlogo sft`, `gen export`, the
    curriculum's pool) read what is there, so that part of a run can be used while the rest is
    made, and warn with this: the same command gives more data once the run is finished."""
    p = Path(out)
    cfg = p / CONFIG
    if not p.is_dir() or not cfg.exists():
        return None
    try:
        total = GenPlan.from_json(read_settings(cfg)).shards
    except UsageError:  # a damaged config.json is its own error, where a run reads it
        return None
    missing = [shard_name(i) for i in range(total) if not (p / shard_name(i)).exists()]
    if not missing:
        return None
    names = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
    return (
        f"the run is not finished: {len(missing)} of its {total} shards not made yet ({names}); "
        "the same `xlogo gen` command makes them (or its other --shard jobs are still running)"
    )


def dataset_hashes(path: str | Path) -> set[str]:
    """The canonical hashes of a generated folder (read from its shard statistics), or of any
    task file or task folder (real tasks: hashed here), for `--exclude`."""
    from .canonical import canonical_hash

    p = Path(path_text("path", path))
    if p.is_dir() and any(p.glob("tasks-*.jsonl")):
        hashes: set[str] = set()
        for f in shard_files(p):
            sf = p / f.name.replace(".jsonl", ".stats.json")
            try:  # the index holds every hash of the shard as it was made, even if damaged since
                hashes.update(row[0] for row in load_json(sf.read_text(encoding="utf-8"))["index"])
            except (OSError, ValueError, KeyError, TypeError, IndexError):
                hashes.update(
                    rec.get("hash") or canonical_hash(record_task(rec, str(f)))
                    for rec in read_jsonl(f)
                )
        return hashes
    if not p.exists():
        raise UsageError("no such file or folder", file=str(p))
    return {canonical_hash(t) for t in load_tasks(p)}


def build_manifest(out: str | Path) -> dict[str, Any]:
    """Counts per kind, skill, difficulty and grid size over the unique tasks of the finished
    shards, plus rejection reasons and time per phase; written to manifest.json. A damaged shard
    (`shard_damage`) is not counted as finished but listed under `shards.damaged` with the
    reason, so `xlogo gen stats` says what a rerun will make again."""
    return manifest_and_shard_tasks(Path(path_text("out", out)))[0]


def manifest_and_shard_tasks(p: Path) -> tuple[dict[str, Any], dict[int, int]]:
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
        named = SHARD_FILE.fullmatch(f.name)
        if not named:
            continue  # matches the glob but is no name this module writes
        i = int(named[1])
        why = shard_damage(p, i)
        if why:
            damaged.append({"file": f.name, "why": why})
            continue
        st = load_json((p / stats_name(i)).read_text(encoding="utf-8"))
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
    write_json(p / MANIFEST, manifest)
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
    d = Path(path_text("dest", dest))
    check_out_folder(d)
    if d.exists() and any(f for f in d.glob("*.json")):
        raise UsageError(
            "the folder already holds task files; export into a new folder", file=str(d)
        )
    make_folder(d.parent, d)
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
