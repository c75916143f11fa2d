"""Tasks: loading task files, asset directories, folders and records (JSON Lines).

Two layouts are read:

* a single task file in the reference merged layout: the world keys (`turtle`, `tiles`, `items`,
  `lines`, ...) plus `goal` and `constraints`, and optionally `solution`/`code` (code JSON or text);
* a directory in the reference asset layout (`xlogomini_worlds.json`, `xlogomini_goals.json`,
  `xlogomini_codes.json`, `xlogomini_constraints.json`: any `xlogomini_*.json` file makes one,
  and all four must be there), or a folder of `<id>.json` task files;
* task records in JSON Lines, one task per line in the merged layout: a `.jsonl` file, or a
  folder `xlogo gen` wrote (its shards, `tasks-*.jsonl`, in order). A record's id is its `id`
  (else `line N`); a later record with an id or a `hash` (the generator's canonical hash)
  already read is left out, as the generator's own readers leave out a task a shard repeats.

A directory is read one task at a time (`iter_task_loads`). Each id it yields loads the same way
by `load_task(dir, id)`, and a broken task is yielded as its TaskError, never left out: a batch
that silently runs fewer tasks reports wrong figures. In the asset layout the ids are those of
the worlds and goals files, each needing its world, goal and constraints records (the code, the
reference solution, is optional). In a folder a task's id is its own `id`, else its file name;
`--id` also takes a file name when no task has that id, and two files with one id are an error.

The format of one task (the `Task` type, reading and writing its JSON) is `task_format.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from .codejson import parse_int
from .errors import (
    TaskError,
    json_column,
    json_problem,
    load_json,
    quoted,
    shorten,
)
from .reading import capped_lines, line_too_long, open_input
from .task_format import (
    ASSET_FILES,
    Task,
    read_json_file,
    task_from_assets,
    task_from_dict,
    usable_id,
)

__all__ = [
    "ASSET_FILES",
    "Task",
    "iter_task_loads",
    "iter_tasks",
    "load_task",
    "load_tasks",
    "record_lines",
    "task_from_dict",
    "task_ids",
]


def load_task(path: str | Path, task_id: str | None = None) -> Task:
    """Load one task: a task file, or the task `task_id` of a directory.

    `task_id` is looked up as `iter_task_loads` lists the tasks, so every id a batch shows can
    be loaded by it. In a folder of task files that is the task's own `id` (its file name when
    it has none); a file name without `.json` works too when no task has that id, and an id two
    files hold is an error naming both. A task file given with an id must hold it, by its `id`
    or its file name.
    """
    p = _path_arg(path, "load_task")
    if _is_records(p):
        return _load_from_records(p, None if task_id is None else str(task_id))
    if p.is_dir():
        if task_id is None:
            raise TaskError("a task directory needs a task id (--id)", file=str(p))
        return _load_from_dir(p, str(task_id))
    if str(path) == "-" and not p.exists():  # stdin holds programs; a task is read from a file
        raise TaskError("a task is read from a file or directory, not from stdin (-)")
    data = read_json_file(p)  # a missing path, a FIFO or a device is refused naming it
    task = task_from_dict(data, file=str(p), default_id=p.stem)
    if task_id is not None and str(task_id) not in (task.id, p.stem):
        raise TaskError(f"the file holds task {task.id!r}, not {task_id!r}", file=str(p))
    return task


def _path_arg(path: object, fn: str) -> Path:
    """A path argument as a Path; anything else (None, a Task, a dict) is the caller's slip,
    named as such rather than left to pathlib's message."""
    if not isinstance(path, (str, Path)):
        raise TypeError(f"{fn} expects a path (str or Path), got {type(path).__name__}")
    if path == "":  # Path("") is ".": an unset variable would read the working directory
        raise TaskError("the task path is empty: name a task file or directory ('.' for this one)")
    return Path(path)


def load_tasks(path: str | Path, *, complete_only: bool = False) -> list[Task]:
    """Every task of a directory (asset layout or a folder of task files), in id order; the
    first broken one raises its TaskError (see `iter_task_loads` for which ids are tasks)."""
    return list(iter_tasks(_path_arg(path, "load_tasks"), complete_only=complete_only))


def iter_tasks(path: str | Path, *, complete_only: bool = False) -> Iterator[Task]:
    """Every task of a directory (or the one task of a file), loaded as it is reached; the first
    broken one raises its TaskError."""
    for _, loaded in iter_task_loads(path, complete_only=complete_only):
        if isinstance(loaded, TaskError):
            raise loaded
        yield loaded


def iter_task_loads(
    path: str | Path, *, complete_only: bool = False
) -> Iterator[tuple[str, Task | TaskError]]:
    """(id, task) for every task of a directory, each loaded on its own: a broken task comes as
    (id, its TaskError), so a batch over a directory can report it and go on with the others.
    A directory that cannot be read at all (no tasks, a missing or broken asset file) still
    raises. The ids are those `task_ids` lists, and `load_task(path, id)` gives the same result.

    In the asset layout an id of xlogomini_worlds.json or xlogomini_goals.json is a task: one
    whose world, goal or constraints record is missing comes as that error (naming the file it
    is missing from), never silently left out, because a dropped task changes every figure of a
    run. Its code record, the reference solution, is optional, as in a task file. The
    reference's full data has worlds without goals (unfinished exercises such as 40b and
    120a); `complete_only` leaves out every id without all four records instead.
    """
    p = _path_arg(path, "iter_task_loads")
    if _is_records(p):
        empty = True
        for loaded in _record_loads(p):
            empty = False
            yield loaded
        if empty:  # as a folder without tasks: nothing to go through is no answer of 0 tasks
            raise TaskError("no task records in it", file=str(p))
        return
    if p.is_file():
        yield _load_or_error(_file_task_id(p), partial(load_task, p))
        return
    if not p.is_dir():
        raise _not_a_task_path(p)
    if _is_asset_dir(p):
        records = _asset_records(p)
        for tid in _asset_ids(records, complete_only):
            yield _load_or_error(tid, partial(task_from_assets, records, tid, p))
        return
    # Every file's id is read before any task is built, to list the tasks in id order and to
    # find ids two files share; each file is then parsed again as its task is built, so that a
    # folder of any size is never held in memory whole.
    index = _folder_index(p)
    if not index:
        raise TaskError("no task files (*.json) and no asset files in this directory", file=str(p))
    for tid, files in index.items():
        if len(files) > 1:
            yield tid, _shared_id_error(p, tid, files)
        else:
            yield _load_or_error(tid, partial(load_task, files[0]))


def _not_a_task_path(p: Path) -> TaskError:
    """The error for a path that is neither a file nor a folder, saying what it is: missing, a
    loop of symbolic links (which `exists()` calls missing too), a FIFO or a device."""
    try:
        open_input(p, TaskError).close()
    except TaskError as exc:
        return exc
    return TaskError("no such file or directory", file=str(p))  # a file just made: read again


def _load_or_error(tid: str, load: Callable[[], Task]) -> tuple[str, Task | TaskError]:
    try:
        task = load()
    except TaskError as exc:
        return tid, exc
    return task.id, task


def task_ids(path: str | Path, *, complete_only: bool = False) -> list[str]:
    """The ids `iter_task_loads` yields, in the same order, without loading the tasks (none for
    a folder without tasks, which `iter_task_loads` refuses)."""
    p = _path_arg(path, "task_ids")
    if not p.is_file() and not p.is_dir():
        raise _not_a_task_path(p)
    if _is_records(p):
        return [tid for tid, *_ in _records(p)]  # the JSON only: no task is built
    if p.is_file():
        return [_file_task_id(p)]
    if _is_asset_dir(p):
        return _asset_ids(_asset_records(p), complete_only)
    return list(_folder_index(p)) if p.is_dir() else []


def id_sort_key(task_id: str) -> tuple[int, str]:
    m = re.match(r"(\d+)(.*)", task_id)
    return (int(m.group(1)), m.group(2)) if m else (10**9, task_id)


def sort_ids(ids: Any) -> list[str]:
    return sorted((str(i) for i in ids), key=id_sort_key)


def _id_hint(task_id: str, ids: list[str]) -> str | None:
    """The ids a mistyped one most likely meant: the variants of a split task (`9` for 9a and
    9b), or an id written with another suffix or case (`64a`, `9A`). Other near ids are only
    other tasks (`65` for `64`), so none is offered."""
    variants = sort_ids({i for i in ids if re.fullmatch(re.escape(task_id) + r"[a-z]", i)})
    if not variants:
        stem = re.match(r"\d+", task_id)
        variants = [i for i in dict.fromkeys(ids) if i.lower() == task_id.lower()] or (
            [stem.group()] if stem and stem.group() in ids and stem.group() != task_id else []
        )
    if not variants:
        return None
    if len(variants) == 1:
        return f"did you mean {variants[0]}?"
    return f"did you mean {', '.join(variants[:-1])} or {variants[-1]}?"


def _load_from_dir(p: Path, task_id: str) -> Task:
    if _is_asset_dir(p):
        records = _asset_records(p)
        if task_id not in records["worlds"] and task_id not in records["goals"]:
            raise TaskError(
                f"no task with id {quoted(task_id)}",
                file=str(p / ASSET_FILES["worlds"]),
                hint=_id_hint(task_id, [*records["worlds"], *records["goals"]]),
            )
        return task_from_assets(records, task_id, p)
    return load_task(_folder_file(p, task_id))


# -- task records in JSON Lines -------------------------------------------------------------------


def _is_records(p: Path) -> bool:
    """A `.jsonl` file of task records, or a folder the generator wrote (`tasks-*.jsonl`)."""
    if p.is_file():
        return p.suffix == ".jsonl"
    return p.is_dir() and any(p.glob("tasks-*.jsonl"))


def _record_files(p: Path) -> list[Path]:
    return [p] if p.is_file() else sorted(p.glob("tasks-*.jsonl"))


def _record_loads(p: Path) -> Iterator[tuple[str, Task | TaskError]]:
    """(id, task or its error) for each record, in file and line order (`_records`)."""
    for tid, f, n, data in _records(p):
        if isinstance(data, TaskError):
            yield tid, data
            continue
        try:
            task = task_from_dict(data, file=str(f), default_id=tid)
        except TaskError as exc:
            exc.line = exc.line or n
            yield tid, exc
            continue
        yield task.id, task


def _records(p: Path) -> Iterator[tuple[str, Path, int, Any]]:
    """(id, file, line, decoded record or its JSON error) for each record, each line parsed
    once, as it is reached; a record with an id or a `hash` read before (a shard repeating a
    task) is left out. The id is the one the task loads with: its `id`, else `line N`."""
    seen: set[str] = set()
    hashes: set[str] = set()  # the generator's canonical hash of a task, when a record has one
    for f in _record_files(p):
        for n, _, data in record_lines(f):
            tid, digest = _record_id(data, n)
            if tid in seen or (digest is not None and digest in hashes):
                continue
            seen.add(tid)
            if digest is not None:
                hashes.add(digest)
            yield tid, f, n, data


def record_lines(
    f: Path, *, long_numbers: bool = True
) -> Generator[tuple[int, int, Any], None, None]:
    """(line number, byte offset, decoded value or the TaskError of a line that is no JSON)
    for each non-blank line of a JSON Lines file: the one reader of task records, for the
    loaders here (which report a bad line and go on) and the generator's shards (which stop at
    one). Huge integers stay text (`parse_int`), so that the task loader names the field that
    holds one; with `long_numbers=False` an integer longer than Python converts (4,300 digits)
    makes its line no JSON (the generator never writes one, so a shard holding one is damaged,
    and is refused where it is read)."""
    with open_input(f, TaskError) as fh:
        offset = 0
        for n, (raw, size, _) in enumerate(capped_lines(fh), start=1):
            here, offset = offset, offset + size
            if raw is None:  # past MAX_LINE_BYTES: passed over, never held whole
                yield n, here, TaskError(line_too_long(), file=str(f), line=n)
                continue
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8-sig")
                data = load_json(text, parse_int=parse_int) if long_numbers else load_json(text)
            except ValueError as exc:
                data = TaskError(
                    f"not valid JSON: {json_problem(exc)}",
                    file=str(f),
                    line=n,
                    column=json_column(exc),
                    hint=one_document_hint(f) if n == 1 else None,
                )
            yield n, here, data


def one_document_hint(f: Path) -> str | None:
    """A first line that is no JSON object may start one JSON document written over many lines,
    a task file most likely: say so, since the file is valid JSON, only not JSON Lines. The
    readers of replies and runs (`xlogo score`, `report`) say it too."""
    try:
        if f.stat().st_size > 10_000_000:
            return None
        load_json(f.read_bytes())
    except (OSError, ValueError):
        return None
    return ONE_DOCUMENT


ONE_DOCUMENT = (
    "the file is one JSON document over several lines (a task file?), not JSON Lines with one "
    "record per line"
)


def _record_id(data: Any, n: int) -> tuple[str, str | None]:
    """The id a record loads with (its `id`, else `line N`) and its `hash`, if it has one."""
    if not isinstance(data, dict):
        return f"line {n}", None
    tid, digest = usable_id(data.get("id")), data.get("hash")
    return f"line {n}" if tid is None else tid, digest if isinstance(digest, str) else None


def _load_from_records(p: Path, task_id: str | None) -> Task:
    loads = _record_loads(p)
    if task_id is None:
        first = next(loads, None)
        if first is None:
            raise TaskError("no task records in it", file=str(p))
        if isinstance(first[1], TaskError) and first[1].hint == ONE_DOCUMENT:
            raise first[1]  # a task file written over many lines: its first line says so
        if next(loads, None) is not None:
            raise TaskError("a file of several task records needs a task id (--id)", file=str(p))
        found: Task | TaskError = first[1]
    else:
        match = next((loaded for tid, loaded in loads if tid == task_id), None)
        if match is None:
            raise TaskError(f"no task with id {quoted(task_id)}", file=str(p))
        found = match
    if isinstance(found, TaskError):
        raise found
    return found


# -- folders of task files -----------------------------------------------------------------------


def _task_files(p: Path) -> list[Path]:
    """The task files of a folder, in file-name order (a `manifest.json` describes them)."""
    files = [f for f in p.glob("*.json") if f.name != "manifest.json"]
    return sorted(files, key=lambda f: id_sort_key(f.stem))


def _folder_index(p: Path) -> dict[str, list[Path]]:
    """Each id of a folder of task files, in id order, with the files that hold it: more than
    one is an id no lookup can resolve."""
    index: dict[str, list[Path]] = {}
    for f in _task_files(p):
        index.setdefault(_file_task_id(f), []).append(f)
    return {tid: index[tid] for tid in sort_ids(index)}


def _folder_file(p: Path, task_id: str) -> Path:
    """The file of task `task_id`: the one holding that id, else the one named `<id>.json`.
    The id a batch shows comes first, so every id it shows loads that very task; the file name
    is for the user who reads it off the folder."""
    index = _folder_index(p)
    files = index.get(task_id) or [f for f in _task_files(p) if f.stem == task_id]
    if len(files) > 1:
        raise _shared_id_error(p, task_id, files)
    if not files:
        raise TaskError(
            f"no task with id {quoted(task_id)} "
            f"(no task file holds it or is named {shorten(task_id)}.json)",
            file=str(p),
            hint=_id_hint(task_id, list(index)),
        )
    return files[0]


def _shared_id_error(p: Path, task_id: str, files: list[Path]) -> TaskError:
    names = ", ".join(f.name for f in files)
    return TaskError(
        f"{len(files)} task files hold the id {task_id!r}: {names}",
        file=str(p),
        hint="give each task its own id, or name the file (DIR/FILE.json) instead of --id",
    )


# A task file's id, by its path: (mtime in ns, size) when read, and the id. A lookup by id reads
# every file's id, and the REPL's :tasks looks up each id of a folder in turn.
_FILE_IDS: dict[str, tuple[tuple[int, int], str]] = {}


def _file_task_id(f: Path) -> str:
    """The id a task file is listed and looked up by: the id its task loads with (its `id`
    key, else its file name), or its file name when that id is itself unusable."""
    try:
        st = f.stat()
    except OSError:
        return f.stem
    key, stamp = str(f.absolute()), (st.st_mtime_ns, st.st_size)
    cached = _FILE_IDS.get(key)
    if cached is None or cached[0] != stamp:
        cached = _FILE_IDS[key] = (stamp, _read_task_id(f))
    return cached[1]


def _read_task_id(f: Path) -> str:
    try:
        data = read_json_file(f)
    except TaskError:
        return f.stem
    tid = usable_id(data.get("id", f.stem)) if isinstance(data, dict) else None
    return f.stem if tid is None else tid  # loading names what is wrong with an unusable id


# -- asset directories -------------------------------------------------------------------------


def _is_asset_dir(p: Path) -> bool:
    """Any xlogomini_*.json file makes an asset directory, so one missing its worlds file is
    reported as such rather than read as a folder of task files (`missing key 'tiles'`)."""
    return p.is_dir() and any(p.glob("xlogomini_*.json"))


def _asset_ids(records: dict[str, dict[str, Any]], complete_only: bool) -> list[str]:
    """The ids of an asset directory's tasks: those with a world or a goal record (a constraints
    or code record alone, such as the reference data's 48, is no task); with `complete_only`,
    those with all four records."""
    ids = sort_ids(set(records["worlds"]) | set(records["goals"]))
    if complete_only:
        return [t for t in ids if all(t in recs for recs in records.values())]
    return ids


_ASSET_CACHE: dict[tuple[str, tuple[tuple[int, int], ...]], dict[str, dict[str, Any]]] = {}


def _asset_records(p: Path) -> dict[str, dict[str, Any]]:
    """The four files' records, read once per version of the files: a long session (the REPL,
    an evaluation) loads one task after another from them. A version is each file's own time
    and size, not the newest time of the four: a file put back from a copy keeps an older time."""
    _check_asset_files(p)
    stats = [(p / f).stat() for f in ASSET_FILES.values()]
    key = (str(p.resolve()), tuple((st.st_mtime_ns, st.st_size) for st in stats))
    if key not in _ASSET_CACHE:
        records = {}
        for kind, name in ASSET_FILES.items():
            f = p / name
            data = read_json_file(f)
            if not isinstance(data, dict):
                raise TaskError(
                    "expected an object mapping task ids to records", file=str(f), path="$"
                )
            records[kind] = data
        _ASSET_CACHE[key] = records
    return _ASSET_CACHE[key]


def _check_asset_files(p: Path) -> None:
    """All four asset files must be there: a directory missing one is a broken copy."""
    missing = [name for name in ASSET_FILES.values() if not (p / name).is_file()]
    if missing:
        found = ", ".join(sorted(f.name for f in p.glob("xlogomini_*.json")))
        layout = ", ".join(ASSET_FILES.values())
        raise TaskError(
            f"the asset directory has no {' and no '.join(missing)}",
            file=str(p),
            hint=f"it has {found}; the asset layout is {layout}",
        )
