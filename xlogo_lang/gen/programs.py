"""Random programs to build tasks around: sampling from scratch, mutating a real solution, and
the pattern rules that keep sampled programs free of obvious waste.

A sampled program is only the *intended* path of a task: the world is built around its trace
(`worlds.py`) and the solver then finds the task's real shortest solution. So this module only has
to produce varied, plausible programs cheaply; it never decides whether a task is good.

Mutation follows the reference synthesizer (SEMANTICS.md section 9): fd and bk keep their type,
lt/rt may swap, a pen colour may change (white stays white), a repeat count n moves within
[max(n-2, 2), n+2], and medium/hard variants insert one or two blocks.

This module never builds worlds, never runs the solver and never touches files.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ..ast import MAX_TIMES, Block, Command, Program, Repeat, SetPenColor, walk

DRAW_COLORS = ("red", "blue", "green", "yellow", "black", "white")


@dataclass(frozen=True)
class ProgramSpec:
    """What kind of program to sample: size range in blocks, loops, nesting and pen colours."""

    min_size: int
    max_size: int
    p_repeat: float = 0.0  # chance that a new block opens a repeat (while loops are allowed)
    max_repeats: int = 0
    max_depth: int = 1
    max_times: int = 5
    p_setpc: float = 0.0  # 0 = no pen colours
    p_bk: float = 0.12  # share of moves that are bk
    p_turn: float = 0.3
    allow_backtrack: bool = False  # fd bk / bk fd (visit a dead end and come back)


def size(blocks: tuple[Block, ...]) -> int:
    return sum(1 for _ in walk(blocks))


def sample(rng: random.Random, spec: ProgramSpec, *, tries: int = 50) -> Program | None:
    """A random program within `spec` that breaks none of the waste rules, or None."""
    for _ in range(tries):
        budget = rng.randint(spec.min_size, spec.max_size)
        state = {"repeats": 0}
        body = _seq(rng, spec, budget, 0, state, top=True)
        prog = Program(tuple(body))
        n = size(prog.body)
        if spec.min_size <= n <= spec.max_size and not wasteful(
            prog, allow_backtrack=spec.allow_backtrack
        ):
            return prog
    return None


def _seq(
    rng: random.Random,
    spec: ProgramSpec,
    budget: int,
    depth: int,
    state: dict[str, int],
    *,
    top: bool,
) -> list[Block]:
    out: list[Block] = []
    pen = "black"
    while budget > 0:
        r = rng.random()
        can_loop = depth < spec.max_depth and budget >= 2 and state["repeats"] < spec.max_repeats
        if can_loop and r < spec.p_repeat:
            state["repeats"] += 1
            inner = rng.randint(1, min(4, budget - 1))
            body = _seq(rng, spec, inner, depth + 1, state, top=False)
            times = rng.randint(2, spec.max_times)
            out.append(Repeat(times, tuple(body)))
            budget -= 1 + size(tuple(body))
            continue
        r = rng.random()
        if spec.p_setpc and r < spec.p_setpc and budget >= 2:
            color = rng.choice([c for c in DRAW_COLORS if c != pen])
            pen = color
            out.append(SetPenColor(color))
        elif r < spec.p_setpc + spec.p_turn and out:
            out.append(Command(rng.choice(("lt", "rt"))))
        else:
            out.append(Command("bk" if rng.random() < spec.p_bk else "fd"))
        budget -= 1
    return out


def wasteful(prog: Program, *, allow_backtrack: bool = False) -> bool:
    """Does the program contain a pattern no sensible solution has?

    The rules are the reference synthesizer's banned patterns, adapted: opposite turns next to
    each other, three equal turns, a turn or a pen change as the last block, two pen changes in a
    row or to the same colour, a repeat that runs once or whose body does nothing but turn, a
    repeat that only wraps another repeat, a repeat body of moves of one kind only (one repeat
    with a larger count says the same), and (unless allowed) fd bk / bk fd.
    """
    body = prog.body
    if not body:
        return True
    last = body[-1]
    if isinstance(last, SetPenColor) or (isinstance(last, Command) and last.kind in ("lt", "rt")):
        return True
    return _wasteful_seq(body, allow_backtrack, pen=["black"])


def _wasteful_seq(blocks: tuple[Block, ...], allow_backtrack: bool, pen: list[str]) -> bool:
    prev: Block | None = None
    run_turn = 0
    for block in blocks:
        if isinstance(block, Repeat):
            if block.times < 2 or not block.body:
                return True
            kinds = [b.type for b in block.body]
            if all(k in ("lt", "rt", "setpc") for k in kinds):
                return True
            if len(block.body) == 1 and isinstance(block.body[0], Repeat):
                return True
            if len(kinds) >= 2 and len(set(kinds)) == 1 and kinds[0] in ("fd", "bk"):
                return True
            if _wasteful_seq(block.body, allow_backtrack, pen):
                return True
            run_turn = 0
        elif isinstance(block, SetPenColor):
            if isinstance(prev, SetPenColor) or block.color == pen[0]:
                return True
            pen[0] = block.color
        else:
            k = block.kind
            if k in ("lt", "rt"):
                if isinstance(prev, Command) and prev.kind in ("lt", "rt") and prev.kind != k:
                    return True
                run_turn = run_turn + 1 if isinstance(prev, Command) and prev.kind == k else 1
                if run_turn >= 3:
                    return True
            else:
                run_turn = 0
                if (
                    not allow_backtrack
                    and isinstance(prev, Command)
                    and {prev.kind, k} == {"fd", "bk"}
                ):
                    return True
        prev = block
    return False


# -- mutation (for --like) -------------------------------------------------------------------


def mutate(rng: random.Random, prog: Program, *, insert: int = 0, colors: bool = True) -> Program:
    """A variant of `prog`: same shape, some turns swapped, counts and colours moved, and
    `insert` extra blocks (basic commands) at random positions."""
    body = _mutate_seq(rng, prog.body, colors)
    blocks = list(body)
    for _ in range(insert):
        pos = rng.randint(0, len(blocks))
        blocks.insert(pos, Command(rng.choice(("fd", "fd", "fd", "lt", "rt", "bk"))))
    return Program(tuple(blocks))


def _mutate_seq(rng: random.Random, blocks: tuple[Block, ...], colors: bool) -> tuple[Block, ...]:
    out: list[Block] = []
    for b in blocks:
        if isinstance(b, Repeat):
            lo, hi = max(b.times - 2, 2), min(b.times + 2, MAX_TIMES)
            times = rng.randint(lo, hi) if lo <= hi else b.times
            out.append(Repeat(times, _mutate_seq(rng, b.body, colors)))
        elif isinstance(b, SetPenColor):
            if colors and b.color != "white" and rng.random() < 0.5:
                out.append(
                    SetPenColor(rng.choice([c for c in DRAW_COLORS if c not in ("white", b.color)]))
                )
            else:
                out.append(b)
        elif b.kind in ("lt", "rt") and rng.random() < 0.5:
            out.append(Command("rt" if b.kind == "lt" else "lt"))
        else:
            out.append(b)
    return tuple(out)


# -- picture templates (draw tasks) -------------------------------------------------------------


def _run(n: int, cmd: str = "fd") -> tuple[Block, ...]:
    """`cmd` n times, as the shortest form: a repeat from 3 on."""
    if n <= 2:
        return tuple(Command(cmd) for _ in range(n))  # type: ignore[arg-type]
    return (Repeat(n, (Command(cmd),)),)  # type: ignore[arg-type]


def _turn(rng: random.Random) -> Command:
    return Command(rng.choice(("lt", "rt")))


def picture(rng: random.Random, level: str, colors: bool) -> Program:
    """A structured drawing program: the shapes pictures are made of (polygons, crosses and
    stars, stairs, combs, dashed and multi-coloured lines), sized and coloured by `level`.

    These are new programs written for the generator, not the real tasks' solutions; random
    sampling (`sample`) complements them with less regular pictures."""
    k = rng.randint(1, 2) if level != "hard" else rng.randint(2, 3)
    t = _turn(rng)
    pens = [c for c in DRAW_COLORS if c not in ("black", "white")]
    rng.shuffle(pens)
    shapes = ["square", "cross", "stairs", "comb", "corner", "rectangle"]
    if colors:
        shapes += ["dashes", "bicolour", "rainbow"]
    if level == "hard":
        shapes += ["squares", "bigcross"]
    shape = rng.choice(shapes)
    body: tuple[Block, ...]
    if shape == "square":  # repeat(4){fd..fd rt}
        body = (Repeat(4, (*_run(k), t)),)
    elif shape == "rectangle":
        body = (Repeat(2, (*_run(k + 1), t, *_run(k), t)),)
    elif shape == "cross":  # a star of 2..4 arms: repeat(n){fd bk rt}
        body = (Repeat(rng.randint(2, 4), (*_run(k), *_run(k, "bk"), t)),)
    elif shape == "stairs":
        u = Command("lt" if t.kind == "rt" else "rt")
        body = (Repeat(rng.randint(2, 4), (*_run(k), t, Command("fd"), u)),)
    elif shape == "comb":  # teeth along a line
        body = (Repeat(rng.randint(2, 4), (*_run(k), *_run(k, "bk"), t, Command("fd"), _opp(t))),)
    elif shape == "corner":
        body = (*_run(k + 1), t, *_run(k + 1))
    elif shape == "dashes":  # alternating colours on a line
        a, b = pens[0], rng.choice(("white", pens[1]))
        body = (
            Repeat(
                rng.randint(2, 4), (SetPenColor(a), Command("fd"), SetPenColor(b), Command("fd"))
            ),
        )
    elif shape == "bicolour":
        body = (SetPenColor(pens[0]), *_run(k + 1), t, SetPenColor(pens[1]), *_run(k + 1))
    elif shape == "rainbow":  # every side of a square its own colour
        sides: list[Block] = []
        for c in pens[: rng.randint(2, 4)]:
            sides += [SetPenColor(c), *_run(k), t]
        body = tuple(sides[:-1])
    elif shape == "squares":  # two squares side by side
        body = (Repeat(2, (Repeat(4, (*_run(k), t)), *_run(k))),)
    else:  # bigcross
        body = (Repeat(4, (*_run(k + 1), *_run(k + 1, "bk"), t)),)
    prog = Program(body)
    if colors and not any(isinstance(b, SetPenColor) for b in walk(prog.body)):
        prog = Program((SetPenColor(pens[0]), *prog.body))
    if level != "easy" and rng.random() < 0.5:
        varied = mutate(rng, prog, insert=1 if level == "medium" else rng.randint(1, 2))
        if not wasteful(varied, allow_backtrack=True):
            prog = varied
    return prog


def _opp(t: Command) -> Command:
    return Command("lt" if t.kind == "rt" else "rt")
