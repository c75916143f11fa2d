"""The symbolic synthesizer: shortest programs for tasks, proofs that none exist, and repairs.

    >>> from xlogo_lang import load_task, load_tasks
    >>> from xlogo_lang.solver import nearest_solution, repair, solve, solve_each
    >>> task = load_task("examples/tasks/find-strawberry.json")
    >>> sol = solve(task)                      # enumerative engine, default size bound
    >>> sol.status, sol.size, sol.proved_minimal, sol.to_dict()["compact"]
    ('solved', 4, True, 'repeat(2){fd rt} bk')
    >>> solve(task, engine="z3").size          # the SMT engine: same minimal size, proved by UNSAT
    4
    >>> [edit.text for edit in repair(task, "fd rt fd").edits]  # the nearest solution to a program
    ['insert fd at block 1']
    >>> nearest_solution(task, "fd", solve(task, all_solutions=True)).found_by  # a hint's: fast
    'prefix'
    >>> with solve_each(load_tasks("examples/tasks")[-2:], workers=2) as sols:  # on two cores
    ...     [sol.status for sol in sols]
    ['solved', 'solved']

(The paths are the checkout's `examples/`: run from its root.)

Size counts blocks as the constraints do (every fd/bk/lt/rt/setpc and every repeat counts 1).
The default bound is the task's `all` bound (at_most or exactly) when it has one, else
`DEFAULT_MAX_SIZE` (20). Every program returned passes `xlogo_lang.run(task, p).solved`.

Importing this package is light: the engines (and z3) are imported when first used. Nothing here
imports the CLI.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from xlogo_lang.task_format import check_task

from .search_space import DEFAULT_MAX_SIZE
from .solution import Solution

if TYPE_CHECKING:
    from xlogo_lang.ast import Program
    from xlogo_lang.tasks import Task

    from .batch import Solutions, WorkerDied
    from .edits import Edit, Repair
    from .hints import Nearest
    from .search_space import Infeasible, OutOfTime, Space

ENGINES = ("enum", "z3", "both")

__all__ = [
    "DEFAULT_MAX_SIZE",
    "ENGINES",
    "Edit",
    "Nearest",
    "Repair",
    "Solution",
    "Solutions",
    "WorkerDied",
    "nearest_solution",
    "repair",
    "solve",
    "solve_each",
]


def solve(
    task: Task,
    engine: str = "enum",
    max_size: int | None = None,
    timeout: float | None = None,
    all_solutions: bool = False,
    limit: int = 10,
    *,
    max_bodies: int | None = None,
    max_states: int | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> Solution:
    """A shortest program solving `task` (goal met, constraints met, no crash).

    With `all_solutions`, `programs` lists up to `limit` distinct shortest solutions. With
    `engine="both"` the two engines run one after the other and must agree on the size; the
    stats hold both sets of figures (`agree` says whether they did). `timeout` counts from the
    call: compiling the task and the setup passes are part of it, and with "both" it is the
    budget of the two engines together (a zero budget returns at once, `timeout`).
    `max_bodies` caps the repeat bodies the enumerative engine may build and `max_states` the
    states it keeps (defaults: `default_budgets`, a few GB at most together): a search that
    reaches either stops like a timeout, with `stats.stopped` "bodies" or "states".
    `progress`, if given, is called while the search runs with {"engine", "level" (the size
    being refuted), "time_s", ...}: at each new size, and every half second or so. The
    enumerative engine adds "phase": "probe" while its probe looks for a first solution in a
    smaller language (its "level" is then no refutation) and "search" after."""
    check_task(task, "solve")
    _check_options(
        engine, max_size, timeout, limit, max_bodies, max_states, progress, all_solutions
    )
    timeout = check_timeout(timeout)
    t0 = time.perf_counter()
    deadline = None if timeout is None else t0 + timeout
    budgets = (max_bodies, max_states)
    if engine == "both":
        return _solve_both(task, max_size, deadline, all_solutions, limit, budgets, progress)
    space = _compile(task, deadline)
    return _solve_one(
        task, engine, space, max_size, deadline, all_solutions, limit, budgets, progress, t0
    )


def _bound(task: Task, max_size: int | None) -> int:
    from .search_space import default_max_size

    limit = default_max_size(task)
    if max_size is None:
        return limit
    hi = task.constraints.bounds("all")[1]
    return int(min(max_size, hi))


def _compile(task: Task, deadline: float | None) -> Space | Infeasible | OutOfTime:
    """The task compiled for search, or why it cannot be: a proof that nothing solves it
    (`Infeasible`), or the deadline passing first (`OutOfTime`)."""
    from .search_space import Infeasible, OutOfTime, Space

    try:
        return Space.of(task, deadline)
    except (Infeasible, OutOfTime) as exc:
        return exc


def _solve_one(
    task: Task,
    engine: str,
    space: Space | Infeasible | OutOfTime,
    max_size: int | None,
    deadline: float | None,
    all_solutions: bool,
    limit: int,
    budgets: tuple[int | None, int | None] = (None, None),
    progress: Callable[[dict[str, Any]], None] | None = None,
    t0: float | None = None,
) -> Solution:
    from .search_space import Infeasible, OutOfTime

    n = _bound(task, max_size)
    t0 = time.perf_counter() if t0 is None else t0
    if isinstance(space, (Infeasible, OutOfTime)):
        stats: dict[str, Any] = {"candidates": 0, "states": 0}
        if isinstance(space, OutOfTime):  # no size refuted: the time went to compiling the task
            stats.update(level=0, time_s=round(time.perf_counter() - t0, 4))
            return Solution(task.id, "timeout", None, [], None, engine, False, n, stats)
        stats.update(time_s=round(time.perf_counter() - t0, 4), reason=str(space))
        return Solution(task.id, "no_solution", None, [], None, engine, True, n, stats)
    timeout = None if deadline is None else max(0.0, deadline - time.perf_counter())
    # the bound is only the default one: a solution known to be longer may raise it
    grow = max_size is None and task.constraints.bounds("all")[1] == math.inf
    if engine == "enum":
        from .enumerative import enumerate_search

        res = enumerate_search(
            space,
            n,
            timeout=timeout,
            all_solutions=all_solutions,
            limit=limit,
            max_bodies=budgets[0],
            max_states=budgets[1],
            progress=progress,
            grow=grow,
        )
    else:
        from .z3engine import z3_search

        res = z3_search(
            space,
            n,
            timeout=timeout,
            all_solutions=all_solutions,
            limit=limit,
            progress=progress,
            grow=grow,
        )
    n = res.max_size or n
    res.stats["time_s"] = round(time.perf_counter() - t0, 4)
    prog = res.programs[0] if res.programs else None
    return Solution(
        task.id,
        res.status,
        prog,
        list(res.programs),
        res.size,
        engine,
        res.proved_minimal,
        n,
        res.stats,
    )


def _solve_both(
    task: Task,
    max_size: int | None,
    deadline: float | None,
    all_solutions: bool,
    limit: int,
    budgets: tuple[int | None, int | None],
    progress: Callable[[dict[str, Any]], None] | None,
) -> Solution:
    t0 = time.perf_counter()
    space = _compile(task, deadline)  # once, for both engines
    a = _solve_one(
        task, "enum", space, max_size, deadline, all_solutions, limit, budgets, progress, t0
    )
    # the same deadline: z3 gets what the enumerative engine left, and nothing when it left none
    b = _solve_one(task, "z3", space, max_size, deadline, all_solutions, limit, progress=progress)
    shortest, joint, agree = _joint_proof(a, b)
    if agree is None and "timeout" not in (a.status, b.status):
        agree = True  # both finished, and neither refuted a size the other has a program of
    best = a if a.status != "timeout" or b.status == "timeout" else b
    status = best.status
    proved = (a.proved_minimal or b.proved_minimal) and agree is not False
    if status == "timeout" and shortest is not None:  # both stopped: the shortest program found
        best = shortest
        if joint:  # ... and what each refuted proves it minimal
            status, proved = "solved", True
    stats = {
        "enum": a.stats,
        "z3": b.stats,
        "enum_time_s": a.stats.get("time_s"),
        "z3_time_s": b.stats.get("time_s"),
        "enum_status": a.status,
        "z3_status": b.status,
        # the first size neither engine has refuted (each refutes every size below its level)
        "level": max(a.stats.get("level", 0), b.stats.get("level", 0)),
        "agree": agree,
        "time_s": round(time.perf_counter() - t0, 4),
    }
    if "all_found" in best.stats:  # the list given is `best`'s: its message must say it is cut
        stats["all_found"] = best.stats["all_found"]
    if status != best.status:  # proved by the two together
        stats["joint_proof"] = True
        if all_solutions:
            stats["all_found"] = False  # the list is a stopped engine's
    return Solution(
        task.id,
        status,
        best.program,
        best.programs,
        best.size,
        "both",
        proved,
        best.max_size,
        stats,
    )


def _joint_proof(a: Solution, b: Solution) -> tuple[Solution | None, bool, bool | None]:
    """What two answers for one task prove together. Each answer refutes every size below a
    level (a timeout's level, one past a `no_solution`'s bound, a proved solution's size), so a
    program either found is proved minimal when the other's level reaches its size (the
    enumerative engine's probe found 11 blocks and it refuted sizes up to 8, z3 up to 10, say).
    A level past a found program's size means a size with a solution was refuted: the engines
    disagree, even when one of them stopped. Returns (the answer with the shortest program, if
    any; whether the two prove it minimal; agree: False on a disagreement, else None)."""
    found = [s for s in (a, b) if s.program is not None and s.size is not None]
    if not found:
        return None, False, None
    best = min(found, key=lambda s: s.size or 0)  # the first's on a tie
    refuted = max(_refuted_below(a), _refuted_below(b))
    if refuted > (best.size or 0):
        return best, False, False
    return best, refuted == best.size, None


def _refuted_below(sol: Solution) -> float:
    """The smallest size `sol` leaves open: it proves that no program below it solves the task."""
    if sol.status == "no_solution":
        return math.inf if "reason" in sol.stats else sol.max_size + 1
    if sol.status == "solved" and sol.proved_minimal:
        return sol.size or 0
    return float(sol.stats.get("level", 0))


def solve_each(tasks: Iterable[Task], *, workers: int = 1, **options: Any) -> Solutions:
    """`solve(task, **options)` for each task, in order, in `workers` processes at once (see
    `batch.py`): a set of tasks solved on every core. A worker's death costs the set only the
    task whose search killed it, given with status "failed"."""
    from .batch import solve_each as _each

    return _each(tasks, workers=workers, **options)


def repair(
    task: Task,
    program: Program | str,
    max_distance: int | None = None,
    timeout: float | None = None,
    *,
    shortest: Solution | None = None,
) -> Repair:
    """The solution nearest to `program` in block edits (see `edits.py`). `shortest` is
    `solve(task, all_solutions=True)`'s answer when the caller has it: not searched again."""
    from .edits import repair as _repair

    return _repair(task, program, max_distance=max_distance, timeout=timeout, shortest=shortest)


def nearest_solution(
    task: Task, program: Program | str, shortest: Solution, timeout: float | None = None
) -> Nearest:
    """A solution near `program`, fast enough for a hint (see `hints.py`): a shortest solution
    it starts, else a repair, else the shortest solution most like it, within `timeout`
    seconds from the call (None: `hints.HINT_TIMEOUT`, 5 s; `math.inf`: no limit; parsing a
    program given as text is part of it). When the time runs out before any of them,
    `found_by` is "timeout" (no program). `shortest` is `solve(task, all_solutions=True)`'s
    answer, searched once per task."""
    from xlogo_lang.parser import as_program

    from .hints import HINT_TIMEOUT
    from .hints import nearest_solution as _nearest

    t0 = time.perf_counter()
    check_task(task, "nearest_solution")
    check_shortest(task, shortest, "nearest_solution")
    # None is the hint's default; inf (None once checked) is no limit, as for solve and repair
    limit = HINT_TIMEOUT if timeout is None else check_timeout(timeout)
    program = as_program(program, "nearest_solution")
    left = None if limit is None else max(0.0, limit - (time.perf_counter() - t0))
    return _nearest(task, program, shortest, timeout=left)


def __getattr__(name: str) -> Any:
    if name in ("Repair", "Edit"):
        from . import edits as _r

        return getattr(_r, name)
    if name == "Nearest":
        from .hints import Nearest as _n

        return _n
    if name in ("Solutions", "WorkerDied"):
        from . import batch as _b

        return getattr(_b, name)
    raise AttributeError(name)


def __dir__() -> list[str]:
    """The lazily loaded names too: `dir()` and completion list what `__all__` promises."""
    return sorted(set(globals()) | set(__all__))


def check_options(**options: Any) -> None:
    """`solve`'s keyword options, checked as `solve` checks them, for callers that check once
    before solving many tasks; an option `solve` does not take is a TypeError here too."""
    import inspect

    try:
        bound = inspect.signature(solve).bind(None, **options)
    except TypeError as exc:  # "got an unexpected keyword argument 'bogus'": whose, and which are
        names = ", ".join(list(inspect.signature(solve).parameters)[1:])
        raise TypeError(f"solve_each: {exc} (solve's options are {names})") from None
    bound.apply_defaults()
    a = bound.arguments
    _check_options(
        a["engine"],
        a["max_size"],
        a["timeout"],
        a["limit"],
        a["max_bodies"],
        a["max_states"],
        a["progress"],
        a["all_solutions"],
    )


def _check_options(
    engine: str,
    max_size: int | None,
    timeout: float | None,
    limit: int,
    max_bodies: int | None,
    max_states: int | None,
    progress: object,
    all_solutions: object = False,
) -> None:
    from xlogo_lang.errors import UsageError

    if not isinstance(all_solutions, bool):  # "false" is true: a list silently made, or not
        raise TypeError(f"all_solutions must be True or False, got {type(all_solutions).__name__}")
    if engine not in ENGINES:
        raise UsageError(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    check_count("max_size", max_size, 0)
    check_count("limit", limit, 1)
    check_count("max_bodies", max_bodies, 1)
    check_count("max_states", max_states, 1)
    check_timeout(timeout)
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be a function or None, got {type(progress).__name__}")


def check_timeout(timeout: float | None) -> float | None:
    """A time limit is a number of seconds, 0 or more; NaN compares false with every deadline
    and would never stop a search. Returned with inf as None: no limit (the Z3 engine hands
    the time left to z3 in whole milliseconds, which inf has not)."""
    from xlogo_lang.errors import UsageError

    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))):
        raise TypeError(
            f"timeout must be a number of seconds or None, got {type(timeout).__name__}"
        )
    if timeout is not None and not timeout >= 0:
        raise UsageError(f"timeout must be a number of seconds, 0 or more (got {timeout})")
    return None if timeout == math.inf else timeout


def check_count(name: str, value: int | None, least: int) -> None:
    """An optional whole-number argument: an int (not a bool, not "5") of at least `least`."""
    from xlogo_lang.errors import UsageError

    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int or None, got {type(value).__name__}")
    if value < least:
        raise UsageError(f"{name} must be at least {least} (got {value})")


def check_shortest(task: Task, shortest: object, fn: str) -> None:
    """`shortest` is this task's `solve(task, all_solutions=True)` answer: a Solution of another
    task would hand back programs that do not solve this one. Its id is not proof enough (a
    generated task, an edited copy and a real one may share an id), so its programs are run on
    the task too: a few runs, against a repair or a hint that points nowhere."""
    from xlogo_lang.errors import UsageError
    from xlogo_lang.verdict import run

    if not isinstance(shortest, Solution):
        raise TypeError(
            f"{fn} expects the task's shortest solutions as a Solution (from "
            f"solve(task, all_solutions=True)), got {type(shortest).__name__}"
        )
    if shortest.task_id != task.id:
        raise UsageError(
            f"{fn}: the shortest solutions given are those of task {shortest.task_id!r}, not "
            f"of task {task.id!r}"
        )
    programs = shortest.programs or ([shortest.program] if shortest.program else [])
    for i, program in enumerate(programs):
        verdict = run(task, program)
        if not verdict.solved:
            raise UsageError(
                f"{fn}: the shortest solutions given do not solve task {task.id!r} (programs[{i}]: "
                f"{verdict.reason}); they are another task's with the same id",
                hint="pass solve(task, all_solutions=True) of this very task",
            )
