"""One generated task from one seed: sample a program, build the world around its trace, choose
the goal and the constraints, and verify the result with the core and the solver.

`generate_one` is a pure function of (seed, kind, level, source task): the same arguments give
the same task on any machine, which is what makes shards reproducible and lets any task record be
regenerated from its `seed`. Every task it returns

* loads and validates as a core `Task` (it is built from core types and round-tripped),
* is solved by its intended program under `verdict.run`,
* carries the solver's shortest solution with `proved_minimal`, which also solves it under `run`,
* has no trivial shortcut: for item tasks the shortest solution may not walk much less than the
  intended path (`SHORTCUT_RATIO`); a shortcut is first closed with a wall or a forbidden cell
  (as the reference's standalone walls do) and the task is re-solved, at most `BLOCK_TRIES` times,
* is not degenerate: it needs at least one move, and a picture or item to reach.

Rejections are returned as a reason string, so the shard statistics can say where attempts go.
This module never writes files and never deduplicates (that needs the whole shard: `shards.py`).
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..ast import Program, Repeat, SetPenColor, call_count, depth, walk
from ..constraints import Constraints, count_blocks
from ..errors import UsageError
from ..eval import arguments as args
from ..goals import Goal
from ..interpreter import execute
from ..printer import to_compact, to_text
from ..task_format import check_task
from ..tasks import Task, task_from_dict
from ..verdict import run
from . import goals as G
from .canonical import canonical_hash
from .difficulty import LEVELS, difficulty, score
from .programs import ProgramSpec, mutate, picture, sample
from .worlds import add_obstacles, block_shortcut, place_for_drawing, place_for_items, trace_of

SOLUTIONS = 20  # shortest solutions asked of the solver, to store the most natural one
SHORTCUT_RATIO = 0.75  # an item task's shortest solution must walk >= 75% of the intended path
BLOCK_TRIES = 2
# A safety net only: with programs of at most MAX_INTENDED blocks the slowest solve measured on
# the 2-core development machine took 4 s. A wall-clock limit is the one thing that could make a
# shard depend on the machine, so it is set far above anything the bounded search needs.
SOLVER_TIMEOUT = 60.0

# (kind family, level) -> program sampler settings. "path" = item tasks, "draw" = pictures.
_SPECS = {
    ("path", "easy"): ProgramSpec(1, 3, p_turn=0.35),
    ("path", "medium"): ProgramSpec(3, 7, p_repeat=0.15, max_repeats=1, max_times=4),
    ("path", "hard"): ProgramSpec(6, 10, p_repeat=0.3, max_repeats=2, max_times=4),
    ("draw", "easy"): ProgramSpec(2, 4, p_turn=0.35, allow_backtrack=True),
    ("draw", "medium"): ProgramSpec(
        3, 7, p_repeat=0.4, max_repeats=1, max_times=4, allow_backtrack=True
    ),
    ("draw", "hard"): ProgramSpec(
        5, 9, p_repeat=0.5, max_repeats=2, max_depth=2, max_times=4, allow_backtrack=True
    ),
}
_PEN = 0.5  # share of generated draw tasks that use pen colours
_TEMPLATES = 0.5  # share of draw tasks drawn from picture templates (the rest: random programs)
# The longest intended program: the solver's cost grows steeply with the answer's size, and the
# search is bounded by this size (a deterministic bound, unlike a wall-clock timeout).
MAX_INTENDED = 10
_CONSTRAINT_MIX = {  # constraint style weights per target level
    "easy": {"none": 8, "at_most": 1, "start_by": 1},
    "medium": {"none": 11, "at_most": 4, "exactly": 2, "start_by": 1, "dont_use": 2},
    "hard": {"none": 6, "at_most": 6, "exactly": 2, "start_by": 2, "dont_use": 4},
}
_OBSTACLES = {"easy": (0.0, 0.3, 0), "medium": (0.15, 0.5, 1), "hard": (0.3, 0.6, 2)}

Solver = Callable[..., Any]


@dataclass
class Outcome:
    """A generated record, or the reason the attempt was rejected, and where the time went."""

    record: dict[str, Any] | None
    reason: str
    seconds: dict[str, float] = field(default_factory=dict)


def task_seed(*parts: object) -> int:
    """A 63-bit seed from any parts, stable across Python versions and machines."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def default_solver() -> Solver:
    from ..solver import solve

    return solve


def program_spec(kind: str, level: str, rng: random.Random) -> ProgramSpec:
    family = "draw" if kind == "draw" else "path"
    spec = _SPECS[(family, level)]
    if family == "draw" and rng.random() < _PEN:
        spec = ProgramSpec(
            **{
                **spec.__dict__,
                "p_setpc": 0.2,
                "min_size": spec.min_size + 1,
                "max_size": spec.max_size + 1,
            }
        )
    if kind in ("collectall", "sum", "concat"):
        spec = ProgramSpec(
            **{
                **spec.__dict__,
                "min_size": max(spec.min_size, 2),
                "max_size": max(spec.max_size, 4),
                "allow_backtrack": True,
            }
        )
    return spec


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def clock_free(solver: Solver, task_id: str, timeout: float) -> Solver:
    """`solver`, stopping the run where the time limit cut a search short. Shards must not
    depend on the machine's speed: the searches are bounded by size and by the engine's body
    budget (deterministic), and `--timeout` is a safety net; a search it cut (a timeout, or a
    list of shortest solutions ended early, from which the most natural one is picked) would
    make what the shard holds a matter of load, so the run stops instead, keeping the finished
    shards, and says what to do."""

    def solve(task: Task, **kw: Any) -> Any:
        best = solver(task, timeout=timeout, **kw)
        if best.stats.get("stopped") == "time":
            raise UsageError(
                f"the solver reached --timeout ({timeout:g} s) while making {task_id}; what "
                "the shard holds would then depend on this machine's speed, so the run stops "
                "here (finished shards are kept): run the same command with a larger --timeout "
                "(or inf) to go on"
            )
        return best

    return solve


class _Rejected(Exception):
    """An attempt that ends without a task; the reason goes to the shard statistics."""


class _Clock:
    """Where an attempt's time goes, by phase (build, verify, solve, record)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.t0 = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - self.t0
        self.t0 = now


def generate_one(
    seed: int,
    kind: str,
    level: str,
    *,
    task_id: str,
    like: Task | None = None,
    solver: Solver | None = None,
    timeout: float = SOLVER_TIMEOUT,
    skills_fn: Callable[[Task, Program], list[str]] | None = None,
) -> Outcome:
    """Try to make one task from `seed`. With `like`, a variant of that (real) task: same goal
    kind, item style, constraint style and about its grid size, from a mutated solution.

    The steps draw from one random stream in a fixed order (the same seed gives the same task):
    the intended program, the world around its trace, the goal, the shortest solution (closing
    shortcuts), the constraints, the record.

    A seed that is not an int (random.Random takes "1" as another stream than 1, so a record's
    task would not be remade), a kind or a level the generator has no recipe for, or a `like`
    that is no Task is named here, not returned as a rejection or met as a KeyError."""
    args.whole("seed", seed)
    if kind not in G.KINDS:
        raise UsageError(f"unknown kind {kind!r} (kinds are {', '.join(G.KINDS)})")
    if level not in LEVELS:
        raise UsageError(f"unknown difficulty {level!r} (levels are {', '.join(LEVELS)})")
    if like is not None:
        check_task(like, "generate_one")
    args.text("task_id", task_id)
    solve = clock_free(solver or default_solver(), task_id, timeout)
    rng = random.Random(seed)
    clock = _Clock()
    try:
        intended, kind, style, cstyle = _intended(rng, kind, level, like)
        lay, goal = _world_and_goal(rng, kind, level, like, intended, style)
        clock.lap("build")

        def make(constraints: Constraints, solution: Program | None = None) -> Task:
            return Task(task_id, lay.world(), goal, constraints, solution)

        solution = _shortest(make, lay, kind, intended, solve, clock)
        constraints, solution = _constrain(
            rng, make, lay, kind, level, like, cstyle, intended, solution, solve, clock
        )
        final = make(constraints, solution)
        data = _record(final, task_id, kind, level, seed, like, skills_fn, clock)
    except _Rejected as exc:
        clock.lap("build")
        return Outcome(None, str(exc), clock.seconds)
    return Outcome(data, "ok", clock.seconds)


def _intended(
    rng: random.Random, kind: str, level: str, like: Task | None
) -> tuple[Program, str, G.Style, str]:
    """Step 1: the intended program, the goal kind and item style, and the constraint style."""
    style: G.Style = {}
    if like is not None:
        if like.solution is None:
            raise _Rejected("like_without_solution")
        kind = G.kind_of_task(like.goal)
        style = G.style_of_task(like.goal)
        # the literal draws for "medium" whatever the level: the stream stays as it always was
        insert = {"easy": 0, "medium": rng.randint(1, 2), "hard": 2}[level]
        intended = mutate(rng, like.solution, insert=insert)
        cstyle = G.constraint_style_of(like.constraints)
        if level == "hard" and cstyle == "none":
            cstyle = rng.choice(("at_most", "dont_use", "start_by"))
    else:
        if kind == "draw" and rng.random() < _TEMPLATES:
            prog: Program | None = picture(rng, level, colors=rng.random() < _PEN)
        else:
            prog = sample(rng, program_spec(kind, level, rng))
        if prog is None:
            raise _Rejected("no_program")
        intended = prog
        cstyle = _weighted(rng, _CONSTRAINT_MIX[level])
    if len(intended) > MAX_INTENDED:
        raise _Rejected("too_long")
    return intended, kind, style, cstyle


def _world_and_goal(
    rng: random.Random,
    kind: str,
    level: str,
    like: Task | None,
    intended: Program,
    style: G.Style,
) -> tuple[Any, Goal]:
    """Steps 2 and 3: the world around the intended program's trace, and the goal on it."""
    trace = trace_of(intended, rng.randrange(4))
    if trace is None:
        raise _Rejected("too_big")
    if len(trace.path) < 2:
        raise _Rejected("degenerate")
    if kind == "draw":
        lay = place_for_drawing(trace)
    else:
        like_dims = (like.world.rows, like.world.cols) if like is not None else None
        lay = place_for_items(rng, trace, like=like_dims)
        lo, hi, walls = _OBSTACLES[level]
        p_forbidden = 0.0 if rng.random() < 0.4 else rng.uniform(lo, hi)
        if like is not None:  # as much of the grid forbidden as in the source, items as dense
            lw = like.world
            allowed = sum(1 for t in lw.tiles if t.allowed)
            p_forbidden = min((lw.size - allowed) / max(lw.size, 1) * 1.2, 0.7)
            walls = 1 if any(t.walls for t in lw.tiles) else 0
            style.setdefault("dense", len(lw.items) >= 0.5 * allowed)
        add_obstacles(rng, lay, p_forbidden=p_forbidden, n_walls=rng.randint(0, walls))
    try:
        goal = G.RECIPES[kind](rng, lay, style)
    except G.NoGoal:
        raise _Rejected("no_goal") from None
    return lay, goal


def _solved(best: Any) -> Any:
    """A search that solved and proved its size, or the rejection it is."""
    if best.status != "solved" or best.program is None:
        raise _Rejected(f"solver_{best.status}")
    if not best.proved_minimal:
        raise _Rejected("not_proved_minimal")
    return best


def _shortest(
    make: Callable[..., Task],
    lay: Any,
    kind: str,
    intended: Program,
    solve: Solver,
    clock: _Clock,
    constraints: Constraints | None = None,
) -> Program:
    """Step 4: the most natural shortest solution under `constraints` (none: the task before
    step 5), once shortcuts are closed: for item tasks a solution that walks much less than the
    intended program is blocked with a wall or a forbidden cell and the task solved again, at
    most `BLOCK_TRIES` times."""
    tries = 0
    while True:
        task = make(constraints or Constraints())
        if not run(task, intended).solved:
            raise _Rejected("intended_fails")
        clock.lap("verify")
        best = solve(task, max_size=len(intended), all_solutions=True, limit=SOLUTIONS)
        clock.lap("solve")
        _solved(best)
        short = next((p for p in best.programs if _is_shortcut(task, p, intended)), None)
        if kind == "draw" or short is None:
            break
        tries += 1
        if tries > BLOCK_TRIES or not block_shortcut(lay, _cells(task, short)):
            raise _Rejected("shortcut")
    solution: Program = natural(best.programs or [best.program])
    if len(solution) == 0:
        raise _Rejected("degenerate")
    return solution


def _constrain(
    rng: random.Random,
    make: Callable[..., Task],
    lay: Any,
    kind: str,
    level: str,
    like: Task | None,
    cstyle: str,
    intended: Program,
    solution: Program,
    solve: Solver,
    clock: _Clock,
) -> tuple[Constraints, Program]:
    """Step 5: the constraints of the chosen style, and the solution under them. A banned
    block type can make the shortest solution another one, which may cut the intended path
    short where the unbanned one did not: it is found as step 4 finds it (`_shortest`, shortcut
    closing included)."""
    constraints = Constraints()
    if cstyle == "dont_use":
        if like is not None:  # a variant bans what its source bans, if its program can do without
            banned = [k for k, v in like.constraints.exactly.items() if v == 0 and k != "all"]
            mine = count_blocks(intended)
            k = next((b for b in banned if not mine.get(b)), None)
            if k is None:
                k = G.dont_use_choice(rng, solution, intended)
            if k is None:
                raise _Rejected("no_constraint")
        else:
            k = G.dont_use_choice(rng, solution, intended)
        if k is None:
            cstyle = "at_most" if level != "easy" else "none"
        else:
            constraints = Constraints(exactly={k: 0})
            solution = _shortest(make, lay, kind, intended, solve, clock, constraints)
    if cstyle in ("at_most", "exactly", "start_by"):
        constraints = G.constraints_from_solution(rng, cstyle, solution)
    return constraints, solution


def _record(
    final: Task,
    task_id: str,
    kind: str,
    level: str,
    seed: int,
    like: Task | None,
    skills_fn: Callable[[Task, Program], list[str]] | None,
    clock: _Clock,
) -> dict[str, Any]:
    """Step 6: the task round-tripped through the loader, verified once more, as a record."""
    solution, constraints = final.solution, final.constraints
    assert solution is not None
    data = final.to_json()
    data["description"] = final.description  # the generated English text, as the prompts word it
    final = task_from_dict(data, file=task_id)
    if not run(final, solution).solved:
        raise _Rejected("solution_fails")
    clock.lap("verify")
    data.update(
        {
            "kind": kind,
            "size": len(solution),
            "solution_text": to_text(solution),
            "proved_minimal": True,
            "skills": (skills_fn or default_skills())(final, solution),
            "difficulty": difficulty(solution, constraints),
            "difficulty_score": score(solution, constraints),
            "target_difficulty": level,
            "grid": f"{final.world.rows}x{final.world.cols}",
            "seed": seed,
            "hash": canonical_hash(final),
            "like": like.id if like is not None else None,
        }
    )
    clock.lap("record")
    return data


def natural_key(prog: Program) -> tuple[int, int, int, int, str]:
    """How a person would rank equally short programs: fewer loops, fewer actions when run,
    less nesting, fewer pen changes (then the text, for a stable choice)."""
    blocks = list(walk(prog.body))
    repeats = sum(1 for b in blocks if isinstance(b, Repeat))
    pens = sum(1 for b in blocks if isinstance(b, SetPenColor))
    return (repeats, call_count(prog.body), depth(prog.body), pens, to_compact(prog))


def natural(programs: list[Program]) -> Program:
    """The stored solution: the most natural of the shortest solutions the solver listed (`fd fd`
    rather than `repeat(2){fd}`, which is just as short). The list holds at most `SOLUTIONS`:
    a task with more may have a more natural one left out."""
    return min(programs, key=natural_key)


def _cells(task: Task, prog: Program) -> list[tuple[int, int]]:
    ex = execute(task.world, prog)
    return [task.world.cell(c) for c in ex.cells]


def _is_shortcut(task: Task, solution: Program, intended: Program) -> bool:
    """Does the shortest solution walk much less than the intended program does?"""
    mine = len(execute(task.world, intended).cells) - 1
    theirs = len(execute(task.world, solution).cells) - 1
    return theirs < SHORTCUT_RATIO * mine


def default_skills() -> Callable[[Task, Program], list[str]]:
    from ..eval.skills import skills

    return skills
