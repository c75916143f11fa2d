"""One task: the `Task` type and its JSON format, read with every check and written back.

`task_from_dict` reads the merged layout (a task file, a JSON Lines record) and
`task_from_assets` a task of the asset layout, from the records of its four files; the
loaders of files, folders and records are `tasks.py`.

Everything is validated; bad input raises `TaskError` naming the file and the JSON path
(`tiles[3].walls.lft: unknown wall side`), never KeyError or AssertionError. The JSON's shape is
checked here; what its values mean (an item's name, an objective's specs, a constraint's keys) is
checked by the model's own checks in world.py, goals.py and constraints.py, which a hand-built
`World`, `Goal` or `Constraints` gets too: one set of checks, so both are refused in the same words
(`_Ctx.within` puts the file and JSON path in front of the field they name). Where the reference
raises on input xlogo gives a meaning instead, the choice is documented in the README. In the asset
layout each part is validated against the file it comes from (`10a.goal` in xlogomini_goals.json).

Keys: every object of the task format (turtle, tile, walls, item, line, objective, literal,
constraints and their counts, code JSON blocks) accepts its own keys only, so a typo such as
`atmost` is an error with a "did you mean" hint instead of a silently dropped rule. A task record's
top level (and an asset world record) is open to annotations, such as the generator's `kind`,
`hash` or `skills`; there only a near miss of an absent task key (`goals`) is an error. Strings must
be Unicode text (no lone surrogates), so a loaded task can always be printed and written. An integer
of more than 640 digits (`errors.MAX_NUMBER_DIGITS`) is read as code JSON reads it (the
`codejson.parse_int` hook keeps its digits) and is an error at its JSON path wherever it is,
annotations and the unread keys of an asset record included.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .ast import Program
from .codejson import LongNumber, parse_int
from .codejson import from_json as code_from_json
from .constraints import Constraints
from .errors import (
    MAX_NUMBER_DIGITS,
    NestedTooDeeply,
    ProgramError,
    TaskError,
    TaskWarning,
    bool_problem,
    caret_excerpt,
    did_you_mean,
    digits_text,
    has_lone_surrogate,
    int_problem,
    join_path,
    json_message,
    json_place,
    key_path,
    load_json,
    not_utf8,
    quoted,
    value_kind,
)
from .goals import (
    Goal,
    Literal,
    Objective,
    check_objective_name,
    check_spec,
    check_spec_count,
    check_total,
)
from .reading import MAX_TASK_FILE_BYTES, read_capped
from .world import (
    COLOR_TO_HEX,
    DX,
    DY,
    HEX_TO_COLOR,
    MAX_COORD,
    WALL_SIDES,
    Item,
    Line,
    Tile,
    Turtle,
    World,
    check_item,
    diagonal_line,
)

ASSET_FILES = {
    "worlds": "xlogomini_worlds.json",
    "goals": "xlogomini_goals.json",
    "codes": "xlogomini_codes.json",
    "constraints": "xlogomini_constraints.json",
}


@dataclass(frozen=True)
class Task:
    """One task: its world, goal and constraints, and its reference solution when it has one.

    Two tasks are equal, and hash equal, when their id, world, goal, constraints, solution and
    platform description are: `source`, where the task was read from (a file, `<test>`, None),
    is not compared, so a task read back from its own JSON, from a copy of its file or from a
    records file is the same task, and tasks can be de-duplicated with `==` or a set. (Nothing
    keys a cache by a task: the REPL compares tasks by identity, the scorers key by task id and
    the generator by `gen.canonical.canonical_hash`, of world, goal and constraints only.)
    """

    id: str
    world: World
    goal: Goal
    constraints: Constraints
    solution: Program | None = None  # the reference solution, when the data has one
    platform_description: str = ""  # the platform's own text; `description` is generated
    source: str | None = field(default=None, compare=False)  # where it was read from
    # not an init field, so `dataclasses.replace` (a new goal or world) starts a fresh cache
    _compiled: list[Any] = field(
        default_factory=list, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        # a task built by hand with a field of the wrong type would fail far from here (an
        # AttributeError in the goal checker); the world checks its own contents
        for name, kind in (
            ("id", str),
            ("world", World),
            ("goal", Goal),
            ("constraints", Constraints),
            ("solution", (Program, type(None))),
            ("platform_description", str),
        ):
            value = getattr(self, name)
            if not isinstance(value, kind):
                raise TypeError(
                    f"Task.{name} must be a {_kind_name(kind)}, not {type(value).__name__}"
                )
        if usable_id(self.id) is None:  # a task file could not hold it: never read back
            raise ValueError(f"Task.id must be non-empty Unicode text, not {self.id!r}")

    @property
    def description(self) -> str:
        from .describe import describe

        return describe(self)

    @property
    def compiled_goal(self) -> Any:
        """The goal bound to the world (masks computed once per task)."""
        if not self._compiled:
            from .goals import CompiledGoal

            self._compiled.append(CompiledGoal(self.goal, self.world))
        return self._compiled[0]

    @property
    def kind(self) -> str:
        """The main goal kind: draw, else the last target objective processed, else forbid for
        forbids alone, else none (`goal: []`)."""
        kinds = self.goal.kinds
        if "draw" in kinds:
            return "draw"
        targets = [o.name for o in self.goal.processing_order() if o.name != "forbid"]
        return targets[-1] if targets else ("forbid" if kinds else "none")

    def to_json(self) -> dict[str, Any]:
        """The single-file task layout (the reference merged layout plus `solution`)."""
        from .codejson import to_json as code_to_json

        out = world_to_json(self.world, self.id, self.platform_description)
        out["goal"] = goal_to_json(self.goal)
        for rec in out["goal"]:
            if rec["name"] == "draw" and not rec["specs"]:
                # xlogo draws from the world's lines; the reference's objective must hold one
                # spec, the picture's lines a clause each, as its task files write it
                rec["specs"] = [[[line] for line in out.get("lines", [])]]
        out["constraints"] = self.constraints.to_json()
        if self.solution is not None:
            out["solution"] = code_to_json(self.solution)
        return out


def check_task(task: object, fn: str) -> None:
    """The task argument of `fn` is a loaded Task. A path or a task's JSON given instead (a
    common slip) would otherwise fail far from the call, as an AttributeError on a str; every
    public function taking a task (the verdict, the solver, the eval harness) checks with this."""
    if not isinstance(task, Task):
        raise TypeError(
            f"{fn} expects a Task, got {type(task).__name__} (load one with "
            "xlogo_lang.load_task(path) or xlogo_lang.tasks.task_from_dict(data))"
        )


def _kind_name(kind: type | tuple[type, ...]) -> str:
    if isinstance(kind, tuple):
        return " or ".join("None" if k is type(None) else k.__name__ for k in kind)
    return kind.__name__


# -- public loading API ------------------------------------------------------------------------


# The kind of record each asset file holds for a task, for messages.
_RECORD_NAMES = {"worlds": "world", "goals": "goal", "codes": "code", "constraints": "constraints"}
_REQUIRED = ("worlds", "goals", "constraints")  # load_task_json's three; the code is the solution


def task_from_assets(records: dict[str, dict[str, Any]], tid: str, p: Path) -> Task:
    """Each part is validated against the file it comes from, and its errors name that file and
    the part's JSON path in it (`10a.goal[0].name` in xlogomini_goals.json). The task's id is
    its key, which joins the four files, whatever its world record's own `id` says."""

    def ctx(kind: str) -> _Ctx:
        return _Ctx(str(p / ASSET_FILES[kind]), tid)

    def record(kind: str, key: str) -> Any:
        cx = ctx(kind)
        if tid not in records[kind]:
            raise _missing_record_error(kind, tid, cx.file)
        rec = records[kind][tid]
        # a long integer anywhere in the record, in a key the task does not read (xlogo_json) too
        _check_values(rec, cx, "", text=False)
        if not isinstance(rec, dict) or key not in rec:
            raise cx.err("", f"expected an object with a {key!r} key")
        return rec[key]

    wcx = _Ctx(str(p / ASSET_FILES["worlds"]), f"{tid}.world_json")
    world_json = wcx.obj(record("worlds", "world_json"), "")
    _check_record_keys(world_json, wcx, WORLD_KEYS)
    solution = _Part(None, ctx("codes"), "code_json")
    if tid in records["codes"]:
        solution = _Part(record("codes", "code_json"), ctx("codes"), "code_json")
    return _build_task(
        world_json,
        wcx,
        goal=_Part(record("goals", "goal"), ctx("goals"), "goal"),
        constraints=_Part(record("constraints", "constraints"), ctx("constraints"), "constraints"),
        solution=solution,
        default_id=tid,
        key_id=tid,
    )


def _missing_record_error(kind: str, tid: str, file: str | None) -> TaskError:
    required = ", ".join(ASSET_FILES[k] for k in _REQUIRED)
    return TaskError(
        f"task {tid!r} has no {_RECORD_NAMES[kind]} record",
        file=file,
        hint=f"a task needs a record in each of {required} "
        f"({ASSET_FILES['codes']}, its reference solution, is optional)",
    )


# -- validation ----------------------------------------------------------------------------------


def read_json_file(p: Path) -> Any:
    """The JSON of a task or asset file: a regular file of at most `MAX_TASK_FILE_BYTES`
    (`reading`: a FIFO or `/dev/zero` is refused, not waited on or read for ever)."""
    raw = read_capped(
        p,
        MAX_TASK_FILE_BYTES,
        TaskError,
        too_long=f"too large for a task file: more than {MAX_TASK_FILE_BYTES:,} bytes",
    )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TaskError(f"cannot read: {not_utf8(exc)}", file=str(p)) from None
    text = text.removeprefix("\ufeff")  # a byte-order mark (Notepad's) is no error
    try:
        # The hook code JSON is read with: an integer too long to convert stays its digits (a
        # LongNumber), which `_check_values` reports at its JSON path.
        return load_json(text, parse_int=parse_int)
    except json.JSONDecodeError as exc:
        line, column = json_place(exc)
        raise TaskError(
            f"not valid JSON: {json_message(exc)}",
            file=str(p),
            line=line,
            column=column,
            excerpt=caret_excerpt(text, line, column) or None,
            hint=_program_hint(text),
        ) from None
    except NestedTooDeeply:
        raise TaskError("not valid JSON: nested too deeply", file=str(p)) from None


def _program_hint(text: str) -> str | None:
    """When a file that should be a task reads as a Mini program, the likely slip: a program
    given where the task goes."""
    from .parser import parse

    try:
        prog = parse(text)
    except ProgramError:
        return None
    if not prog.body:
        return None
    return "this file holds a Mini program, not a task"


class _Ctx:
    """Where we are while validating: the file and the JSON path."""

    def __init__(self, file: str | None, base: str = "") -> None:
        self.file = file
        self.base = base

    def err(self, path: str, msg: str, hint: str | None = None) -> TaskError:
        full = f"{self.base}.{path}" if self.base and path else (self.base or path)
        return TaskError(msg, file=self.file, path=full or "$", hint=hint)

    def known_keys(self, d: dict[str, Any], keys: tuple[str, ...], path: str, what: str) -> None:
        """Reject a key outside `keys`: a typo must not silently drop what it meant."""
        for k in d:
            if k not in keys:
                raise self.err(
                    key_path(path, k),
                    f"unknown key {k!r} in {what} (the keys are {', '.join(keys)})",
                    did_you_mean(k, keys),
                )

    def obj(self, v: Any, path: str) -> dict[str, Any]:
        if not isinstance(v, dict):
            raise self.err(path, f"expected an object, found {value_kind(v)}")
        return v

    def lst(self, v: Any, path: str) -> list[Any]:
        if not isinstance(v, list):
            raise self.err(path, f"expected a list, found {value_kind(v)}")
        return v

    def key(self, d: dict[str, Any], k: str, path: str) -> Any:
        if k not in d:
            raise self.err(path, f"missing key {k!r}")
        return d[k]

    def int_(
        self,
        v: Any,
        path: str,
        lo: int | None = None,
        hi: int | None = None,
        hint: str | None = None,
    ) -> int:
        problem = int_problem(v, lo, hi)
        if problem:
            raise self.err(path, problem, hint)
        return v

    def bool_(self, v: Any, path: str) -> bool:
        problem = bool_problem(v)
        if problem:
            raise self.err(path, problem)
        return v

    @contextmanager
    def within(self, path: str) -> Iterator[None]:
        """Name the file and JSON path of a model check's error (goals.py, constraints.py,
        world.py check a part and name the field relative to it): the one set of checks a task
        file and a hand-built object share."""
        try:
            yield
        except TaskError as exc:
            raise self.err(join_path(path, exc.path or ""), exc.message, exc.hint) from None


def usable_id(value: Any) -> str | None:
    """A task's `id` value as the id it loads with (an integer or Unicode text), or None when
    it cannot be one (the loader then names what is wrong with it)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = isinstance(value, str) and not isinstance(value, LongNumber)
    if text and value and not has_lone_surrogate(value):  # "" names no task
        return value
    return None


def _check_values(value: Any, cx: _Ctx, path: str, *, text: bool = True) -> None:
    """Every integer must be one xlogo converts: one of more than MAX_NUMBER_DIGITS digits (kept
    as its digits by the JSON reader) is an error at its path, wherever it is, annotations
    included. With `text`, every key and string must also be Unicode text: JSON's `\\ud800`
    escape makes a lone surrogate, which loads but can never be printed or written as UTF-8.
    The first problem in document order is reported (an object's keys before their values)."""
    stack = [(value, path)]
    while stack:
        v, p = stack.pop()
        if isinstance(v, LongNumber):
            raise cx.err(
                p, f"the integer {digits_text(v)} is too long (at most {MAX_NUMBER_DIGITS} digits)"
            )
        if isinstance(v, str):
            if text and has_lone_surrogate(v):
                raise cx.err(p, f"not valid Unicode text (a lone surrogate): {ascii(v)[:60]}")
        elif isinstance(v, dict):
            for k in v:
                if text and isinstance(k, str) and has_lone_surrogate(k):
                    raise cx.err(
                        p, f"a key is not valid Unicode text (a lone surrogate): {ascii(k)[:60]}"
                    )
            stack.extend((child, key_path(p, k)) for k, child in reversed(v.items()))
        elif isinstance(v, list):
            stack.extend((v[i], f"{p}[{i}]") for i in reversed(range(len(v))))


# The keys of the single-file task layout. Any other key at this level is a record's annotation
# (the generator's `kind`, `hash`, `skills`, ...; a platform's own fields) and is kept out of the
# task; only a near miss of a task key that is absent (`goals`, `constraint`) is an error.
TASK_KEYS = (
    "id",
    "description",
    "turtle",
    "tiles",
    "items",
    "lines",
    "goal",
    "constraints",
    "solution",
    "code",
)
WORLD_KEYS = TASK_KEYS[:6]  # a world record of the asset layout (xlogomini_worlds.json)
TURTLE_KEYS = ("x", "y", "direction")
# a heading is a number, which a teacher may write as its name ("north") or count from 1
DIRECTION_HINT = "a direction is 0 north (up), 1 east, 2 south or 3 west"
TILE_KEYS = ("x", "y", "allowed", "walls", "exist")
ITEM_KEYS = ("x", "y", "name", "color", "count")
LINE_KEYS = ("x1", "y1", "x2", "y2", "color")
OBJECTIVE_KEYS = ("name", "specs", "total_cnt")
CONSTRAINT_RULES = ("exactly", "at_most", "start_by")


def _check_record_keys(d: dict[str, Any], cx: _Ctx, keys: tuple[str, ...]) -> None:
    """A task record is open to annotations, but a near miss of one of its `keys` that is absent
    (`goals` for `goal`) is a typo: it would silently change the task."""
    present = set(d)
    if "solution" in present or "code" in present:
        present |= {"solution", "code"}
    absent = [k for k in keys if k not in present]
    for k in d:
        if k in keys:
            continue
        # a hint only for a near miss: annotations such as `solution_text` are not typos
        hint = did_you_mean(k, absent, cutoff=0.8)
        if hint:
            raise cx.err(
                key_path("", k),
                f"unknown key {k!r} in a task (the keys are {', '.join(keys)})",
                hint,
            )


@dataclass(frozen=True)
class _Part:
    """A part of a task (goal, constraints, solution): its JSON, the file it came from, its path."""

    value: Any
    cx: _Ctx
    path: str


def task_from_dict(
    data: Any, *, file: str | None = None, default_id: str = "task", base_path: str = ""
) -> Task:
    """Validate a task record (the merged single-file layout) and build the Task."""
    cx = _Ctx(file, base_path)
    d = cx.obj(data, "")
    _check_record_keys(d, cx, TASK_KEYS)
    # the reference solution: `solution` (xlogo's key), else `code` (the asset layout's)
    sol_key = "solution" if d.get("solution") is not None or "code" not in d else "code"
    try:
        task = _build_task(
            d,
            cx,
            goal=_Part(d.get("goal", _NO_GOAL), cx, "goal"),
            constraints=_Part(d.get("constraints", []), cx, "constraints"),
            solution=_Part(d.get(sol_key), cx, sol_key),
            default_id=default_id,
        )
    except TaskError as exc:
        if set(d) == {"run"} and exc.hint is None:  # code JSON: `xlogo show prog.json`
            exc.hint = "this file holds a Mini program (code JSON), not a task"
        raise
    # two reference solutions (a record written by one tool, annotated by another): the same
    # program in two forms is fine, but reading one and dropping the other is not
    code = d.get("code") if sol_key == "solution" else None
    if code is not None and _solution_program(_Part(code, cx, "code")) != task.solution:
        raise cx.err(
            "code",
            "the task has both 'solution' and 'code', and they are different programs",
            "keep the one that is the task's reference solution",
        )
    return task


# A task file must state its goal: `null` means a drawing (README), but an absent key is more
# likely a slip than an empty picture to draw. Checked after the world, as the keys come.
_NO_GOAL = object()


def _build_task(
    d: dict[str, Any],
    cx: _Ctx,
    *,
    goal: _Part,
    constraints: _Part,
    solution: _Part,
    default_id: str,
    key_id: str | None = None,
) -> Task:
    """The task from its world record `d` (validated in `cx`) and its parts, each validated in the
    file it comes from. Its id is `key_id` when a layout keys the task by one, else the record's
    `id`, else `default_id`."""
    _check_values(d, cx, "")
    for part in (goal, constraints, solution):
        if part.cx is not cx:
            _check_values(part.value, part.cx, part.path)
    world = world_from_dict(d, cx)
    if goal.value is _NO_GOAL:
        raise cx.err(
            "", "missing key 'goal' (write \"goal\": null for a drawing of the task's lines)"
        )
    goal_ = goal_from_json(goal.value, goal.cx, goal.path)
    constraints_ = constraints_from_json(constraints.value, constraints.cx, constraints.path)
    program = _solution_program(solution)
    tid = d.get("id", default_id)
    if not isinstance(tid, (str, int)) or isinstance(tid, bool):
        raise cx.err("id", "expected a string id")
    if tid == "":  # no command could name it (`--id ''`), and every table shows it blank
        raise cx.err("id", "an empty id names no task", "leave the key out to use the file name")
    if key_id is not None:
        tid = key_id
    desc = d.get("description")
    if desc is not None and not isinstance(desc, str):  # kept and written back: never dropped
        raise cx.err("description", f"expected a string, found {value_kind(desc)}")
    task = Task(
        id=str(tid),
        world=world,
        goal=goal_,
        constraints=constraints_,
        solution=program,
        platform_description=desc or "",
        source=cx.file,
    )
    _warn_one_way_walls(task, cx)
    return task


def _solution_program(solution: _Part) -> Program | None:
    """The reference solution a task part holds (program text or code JSON), if any."""
    sol = solution.value
    if sol is None:
        return None
    try:
        if isinstance(sol, str):
            from .parser import parse

            return parse(sol, filename=solution.cx.file)
        return code_from_json(sol, file=solution.cx.file)
    except ProgramError as exc:
        # where in the solution: its JSON path (code JSON), or its place in the text
        inside = f"{exc.path}: " if exc.path and exc.path != "$" else ""
        if exc.line is not None:
            column = f", column {exc.column}" if exc.column is not None else ""
            inside = f"line {exc.line}{column}: "
        raise solution.cx.err(solution.path, f"invalid solution: {inside}{exc.message}") from None


# Where xlogo's own code is: the package (the solver and the REPL inside it once installed), and
# in a checkout (an editable install) the solver and REPL folders beside it (`package-dir`).
_HERE = Path(__file__).resolve().parent
_CHECKOUT = (_HERE.parent / "pyproject.toml").is_file()
_PACKAGE_ROOTS = tuple(
    str(root) + os.sep
    for root in (_HERE, *((_HERE.parent / "solver", _HERE.parent / "repl") if _CHECKOUT else ()))
)

# One-way walls a warning names; the rest are counted (a 64 x 64 grid could have thousands).
ONE_WAY_LISTED = 5


def _warn_one_way_walls(task: Task, cx: _Ctx) -> None:
    """One `TaskWarning` for a task whose walls stop moves one way only (`World.one_way_walls`):
    legal, so the task keeps its meaning, but a teacher writing a wall between two tiles by hand
    most often writes it on one of them only, and nothing else would tell."""
    walls = task.world.one_way_walls()
    if not walls:
        return
    x, y, side = walls[0]
    d = WALL_SIDES.index(side)
    nx, ny, facing = x + DX[d], y + DY[d], WALL_SIDES[(d + 2) % 4]
    if len(walls) == 1:
        message = (
            f"task {quoted(task.id)} has a one-way wall: tile ({x},{y}) has a wall on its "
            f"{side} side, but its neighbour ({nx},{ny}) has none on its {facing} side, so the "
            f"wall stops moves from ({x},{y}) to ({nx},{ny}) and not back"
        )
    else:
        listed = ", ".join(f"({wx},{wy}) {ws}" for wx, wy, ws in walls[:ONE_WAY_LISTED])
        more = len(walls) - ONE_WAY_LISTED
        message = (
            f"task {quoted(task.id)} has {len(walls)} one-way walls: "
            f"{listed}{f' and {more} more' if more > 0 else ''}; the neighbour across each "
            "has no wall on the facing side, so each stops moves in one direction only"
        )
    which = (
        ", or remove this one" if len(walls) == 1 else " for the first, and so on, or remove them"
    )
    hint = (
        f'a wall between two tiles is written on both: add "{facing}": true to the walls of '
        f"({nx},{ny}){which}"
    )
    warning = TaskWarning(message, file=cx.file, path=cx.base or None, hint=hint)
    warnings.warn(warning, stacklevel=_caller_level())


def _caller_level() -> int:
    """The `stacklevel` of the first frame outside this package and the solver: a warning then
    points at the caller's line that loaded the task (`load_task(...)` in a script), not into
    xlogo, and Python's once-per-place filter counts the caller's places. (Python 3.12's
    `skip_file_prefixes` says this in one argument.)"""
    frame = sys._getframe(1)
    level = 1  # _warn_one_way_walls itself, as `warnings.warn` counts from its caller
    while frame.f_back is not None and _inside_xlogo(frame.f_code.co_filename):
        frame = frame.f_back
        level += 1
    return level


def _inside_xlogo(filename: str) -> bool:
    return any(filename.startswith(root) for root in _PACKAGE_ROOTS)


def world_from_dict(d: dict[str, Any], cx: _Ctx) -> World:
    tiles_raw = cx.lst(cx.key(d, "tiles", ""), "tiles")
    if not tiles_raw:
        raise cx.err("tiles", "a world needs at least one tile")
    parsed: dict[tuple[int, int], Tile] = {}
    tile_at: dict[tuple[int, int], str] = {}
    for i, t in enumerate(tiles_raw):
        p = f"tiles[{i}]"
        t = cx.obj(t, p)
        cx.known_keys(t, TILE_KEYS, p, "a tile")
        x = cx.int_(cx.key(t, "x", p), f"{p}.x", 0, MAX_COORD)
        y = cx.int_(cx.key(t, "y", p), f"{p}.y", 0, MAX_COORD)
        allowed = cx.bool_(cx.key(t, "allowed", p), f"{p}.allowed")
        if "walls" not in t:  # the key a hand-written tile most often lacks
            raise cx.err(p, "missing key 'walls'", 'write "walls": {} for a tile without walls')
        walls_raw = cx.obj(t["walls"], f"{p}.walls")
        walls = set()
        for side, v in walls_raw.items():
            if side not in WALL_SIDES:
                raise cx.err(
                    key_path(f"{p}.walls", side),
                    f"unknown wall side (the sides are {', '.join(sorted(WALL_SIDES))})",
                    did_you_mean(side, WALL_SIDES),
                )
            # null is no wall, as a missing side is: the reference's task writer puts null
            # walls on the tiles of a drawing's holes
            if v is not None and cx.bool_(v, f"{p}.walls.{side}"):
                walls.add(side)
        exist = cx.bool_(t["exist"], f"{p}.exist") if "exist" in t else True
        _check_free_cell(cx, p, (x, y), tile_at, "tile")
        parsed[(x, y)] = Tile(x, y, allowed, exist, frozenset(walls))
    rows = 1 + max(y for _, y in parsed)
    cols = 1 + max(x for x, _ in parsed)
    tiles = tuple(
        parsed.get((x, y)) or Tile(x, y, allowed=False, exist=False)
        for y in range(rows)
        for x in range(cols)
    )

    tr = cx.obj(cx.key(d, "turtle", ""), "turtle")
    cx.known_keys(tr, TURTLE_KEYS, "turtle", "the turtle")

    def on_grid(d: dict[str, Any], k: str, path: str) -> int:
        """A cell's x or y: within the grid, the tiles' bounding box."""
        v = cx.key(d, k, path)
        return cx.int_(
            v, f"{path}.{k}", 0, (cols if k == "x" else rows) - 1, _grid_hint(v, cols, rows)
        )

    turtle = Turtle(
        on_grid(tr, "x", "turtle"),
        on_grid(tr, "y", "turtle"),
        cx.int_(cx.key(tr, "direction", "turtle"), "turtle.direction", 0, 3, hint=DIRECTION_HINT),
    )

    items: dict[int, Item] = {}
    item_at: dict[tuple[int, int], str] = {}
    for i, it in enumerate(cx.lst(d.get("items", []), "items")):
        p = f"items[{i}]"
        it = cx.obj(it, p)
        cx.known_keys(it, ITEM_KEYS, p, "an item")
        x, y = on_grid(it, "x", p), on_grid(it, "y", p)
        item = Item(*(cx.key(it, k, p) for k in ("name", "color", "count")))
        with cx.within(p):
            check_item(item)
        _check_free_cell(cx, p, (x, y), item_at, "item")
        items[y * cols + x] = item

    lines = []
    for i, ln in enumerate(cx.lst(d.get("lines", []), "lines")):
        p = f"lines[{i}]"
        ln = cx.obj(ln, p)
        cx.known_keys(ln, LINE_KEYS, p, "a line")
        x1, y1, x2, y2 = (
            cx.int_(cx.key(ln, k, p), f"{p}.{k}", 0, MAX_COORD) for k in ("x1", "y1", "x2", "y2")
        )
        raw = cx.key(ln, "color", p)
        color = _line_color(raw)
        if color is None:
            raise cx.err(
                f"{p}.color",
                f"unknown line colour {raw!r} (a pen colour, by name or hex code: "
                + ", ".join(f"{name} {code}" for code, name in HEX_TO_COLOR.items())
                + ")",
            )
        if x1 != x2 and y1 != y2:
            with cx.within(p):
                raise diagonal_line(x1, y1, x2, y2)
        lines.append(Line(x1, y1, x2, y2, color))  # one of no length: the World drops it
    return World(rows, cols, tiles, items, tuple(lines), turtle)


def _grid_hint(v: Any, cols: int, rows: int) -> str | None:
    """Where the range of a cell's x and y comes from, for a whole number off the grid: the grid
    is the tiles' bounding box, so a turtle or an item off it is a tile forgotten as often as a
    coordinate mistyped."""
    if not isinstance(v, int) or isinstance(v, bool):  # a wrong type: its own message is enough
        return None
    return (
        f"the grid, the bounding box of the tiles, is {cols} x {rows} (x 0..{cols - 1}, "
        f"y 0..{rows - 1}): add the tiles, or put it on one"
    )


def _check_free_cell(
    cx: _Ctx, path: str, cell: tuple[int, int], taken: dict[tuple[int, int], str], what: str
) -> None:
    """A cell holds one tile and one item. The reference keeps the later entry and silently
    drops the earlier one (no real task has two), so a second entry is almost surely a slip
    (a copied entry whose x or y was not changed): the lemon a teacher placed would vanish."""
    if cell in taken:
        raise cx.err(
            path,
            f"a second {what} on cell ({cell[0]},{cell[1]}), where {taken[cell]} is already",
            f"a cell holds one {what}: change this one's x and y, or remove one of them",
        )
    taken[cell] = path


def _line_color(raw: Any) -> str | None:
    if not isinstance(raw, str):
        return None
    if raw.upper() in HEX_TO_COLOR:
        return HEX_TO_COLOR[raw.upper()]
    if raw.lower() in COLOR_TO_HEX:  # documented: a colour name means that colour
        return raw.lower()
    return None


def goal_from_json(goal: Any, cx: _Ctx, path: str) -> Goal:
    """The goal of a task file: the JSON's shape is checked here, its meaning by the goal's own
    checks (goals.py), in the order the keys are read."""
    if goal is None:
        # The reference's Task loader (and its synthesizer) read a null goal as "draw".
        return Goal((Objective("draw", ()),))
    objs = []
    for i, o in enumerate(cx.lst(goal, path)):
        p = f"{path}[{i}]"
        o = cx.obj(o, p)
        cx.known_keys(o, OBJECTIVE_KEYS, p, "an objective")
        name = cx.key(o, "name", p)
        with cx.within(p):
            check_objective_name(name)
        specs_raw = cx.lst(cx.key(o, "specs", p), f"{p}.specs")
        total = o.get("total_cnt")
        with cx.within(p):
            check_total(name, total)
        if name == "draw":  # its specs are the picture's lines, which the world holds
            objs.append(Objective("draw", ()))
            continue
        with cx.within(p):
            check_spec_count(name, len(specs_raw))
        objs.append(
            Objective(
                name, tuple(_spec(s, cx, f"{p}.specs[{j}]") for j, s in enumerate(specs_raw)), total
            )
        )
    return Goal(tuple(objs))


def _spec(s: Any, cx: _Ctx, p: str) -> tuple[tuple[Literal, ...], ...]:
    spec = tuple(
        tuple(_literal(lit, cx, f"{p}[{i}][{j}]") for j, lit in enumerate(cx.lst(c, f"{p}[{i}]")))
        for i, c in enumerate(cx.lst(s, p))
    )
    with cx.within(p):
        check_spec(spec)
    return spec


def _literal(lit: Any, cx: _Ctx, p: str) -> Literal:
    """A literal's JSON shape (`goals.check_literal` checks its kind and value): `neg` is 0 or
    1 here, and one other key names the kind."""
    lit = cx.obj(lit, p)
    neg = lit.get("neg", 0)
    if neg not in (0, 1) or isinstance(neg, bool):
        raise cx.err(f"{p}.neg", "neg must be 0 or 1")
    keys = [k for k in lit if k != "neg"]
    if len(keys) != 1:
        raise cx.err(
            p, "a literal has exactly one of the keys name, color, count (and optionally neg)"
        )
    return Literal(keys[0], lit[keys[0]], bool(neg))


def constraints_from_json(c: Any, cx: _Ctx, path: str) -> Constraints:
    if isinstance(c, list):
        # The reference: a one-element list stands for its element, and `[]` means none. A longer
        # list means none too, so every rule in it would be dropped without a word (as an unknown
        # key would be); no real task has one, and it reads as "all of these", so it is an error.
        if len(c) > 1:
            raise cx.err(
                f"{path}[1]",
                f"a constraints list holds at most one object, found {len(c)} "
                "(the reference ignores a longer list, dropping all its rules)",
                "merge them into one object: "
                '{"at_most": {...}, "exactly": {...}, "start_by": [...]}',
            )
        if not c:
            return Constraints()
        c, path = c[0], f"{path}[0]"
    if c is None:
        return Constraints()
    c = cx.obj(c, path)
    if "at_least" in c:  # the reference ignores it silently; a minimum is written with exactly
        raise cx.err(
            f"{path}.at_least",
            "at_least is not a constraint of the task format (the reference ignores it)",
            "use exactly for a required count, at_most for a limit",
        )
    cx.known_keys(c, CONSTRAINT_RULES, path, "the constraints")
    exactly = cx.obj(c.get("exactly", {}), f"{path}.exactly")
    at_most = cx.obj(c.get("at_most", {}), f"{path}.at_most")
    start = cx.lst(c.get("start_by", []), f"{path}.start_by")
    with cx.within(path):  # the keys, counts and block types: Constraints checks them
        return Constraints(exactly, at_most, tuple(start))


# -- writing -------------------------------------------------------------------------------------


def world_to_json(world: World, task_id: str, description: str = "") -> dict[str, Any]:
    tiles = []
    for t in world.tiles:
        if not t.exist and not t.allowed and not t.walls:
            continue  # a missing cell: the loader fills it back in
        rec: dict[str, Any] = {
            "x": t.x,
            "y": t.y,
            "allowed": t.allowed,
            "walls": {s: True for s in WALL_SIDES if s in t.walls},
        }
        if not t.exist:
            rec["exist"] = False
        tiles.append(rec)
    if not any(t["x"] == world.cols - 1 for t in tiles) or not any(
        t["y"] == world.rows - 1 for t in tiles
    ):
        # keep the bounding box: write the corner cell explicitly
        tiles.append(
            {
                "x": world.cols - 1,
                "y": world.rows - 1,
                "allowed": False,
                "walls": {},
                "exist": False,
            }
        )
    items = [
        {
            "x": i % world.cols,
            "y": i // world.cols,
            "name": it.name,
            "color": it.color,
            "count": it.count,
        }
        for i, it in sorted(world.items.items())
    ]
    lines = [
        {"x1": ln.x1, "y1": ln.y1, "x2": ln.x2, "y2": ln.y2, "color": COLOR_TO_HEX[ln.color]}
        for ln in world.lines
    ]
    turtle = world.turtle
    return {
        "id": task_id,
        "description": description,
        "turtle": {"x": turtle.x, "y": turtle.y, "direction": turtle.direction},
        "tiles": tiles,
        "items": items,
        "lines": lines,
    }


def goal_to_json(goal: Goal) -> list[dict[str, Any]]:
    out = []
    for o in goal.objectives:
        rec: dict[str, Any] = {
            "name": o.name,
            "specs": [[[lit.to_json() for lit in cl] for cl in s] for s in o.specs],
        }
        if o.total is not None:
            rec["total_cnt"] = o.total
        out.append(rec)
    return out
