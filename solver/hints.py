"""A solution close to a learner's program, found fast enough for a hint.

`nearest_solution(task, program, shortest)` is what the REPL's `:hint` asks, kept here so that
any tool (a tutor, a failure analysis of a model's answer) gets the same answer: a hint needs a
solution near the program *now*, not a proof, so the search tries the cheap answers first and
bounds the expensive one:

1. **prefix**: a shortest solution the program is the start of (its next block is the hint);
2. **repair**: the solution fewest block edits away (`edits.repair`, within `REPAIR_SHARE` of
   the time);
3. **shortest**: when repair finds nothing in time (or refuses a program longer than
   `edits.MAX_BLOCKS`), the shortest solution most like the program, with the edits of the
   block distance to it (no search, but a table as large as the two programs' sizes
   multiplied: seconds for a program of 300,000 blocks, so it keeps to the time too);
4. **timeout**: the time ran out in step 3 (only a program far longer than any solution takes
   that long): no program and no edits, rather than an answer seconds late.

When several answers are equally good (shortest solutions the program starts that go on with
`lt` or with `rt`, fixes as near as each other, solutions as like the program), the one a
learner expects is taken (`preference.py`: the kinds of block the program already uses most,
then forward before back, right before left, a command before a repeat), not the first the
search met.

The shortest solutions are the caller's (`solve(..., all_solutions=True)`): a session searches
them once per task, while the program changes at every keystroke.

Never imports z3 or the CLI.
"""

from __future__ import annotations

import difflib
import time
from dataclasses import dataclass
from typing import Literal

from xlogo_lang.ast import Program
from xlogo_lang.errors import ProgramError
from xlogo_lang.printer import to_compact, to_text
from xlogo_lang.tasks import Task

from .edits import Edit, edit_script, repair
from .preference import preferred
from .search_space import OutOfTime, check_deadline
from .solution import Solution

FoundBy = Literal["prefix", "repair", "shortest", "none", "timeout"]
HINT_TIMEOUT = 5.0
# Repair gets this share of the time; the rest is step 3's, which takes milliseconds for a
# program of ordinary length: a repair given all of it left step 3 none, or overran the time.
REPAIR_SHARE = 0.9
# ...and step 3 at least this long (seconds), so that a tiny time limit still gets its answer
# for an ordinary program: only a program far longer than any solution runs out.
FALLBACK_FLOOR = 0.05
_CHUNK = 1024  # blocks of the program read between two looks at the clock


@dataclass(frozen=True)
class Nearest:
    """A solution near a program, how it was found, and the edits that lead there in the order
    to make them (none for a prefix: the next block of `program` is the hint). `program` is
    None when no solution is known ("none") or when the time ran out first ("timeout")."""

    program: Program | None
    found_by: FoundBy
    edits: tuple[Edit, ...] = ()


def nearest_solution(
    task: Task, current: Program, shortest: Solution, timeout: float | None = HINT_TIMEOUT
) -> Nearest:
    """The nearest solution by the steps of the module docstring, within `timeout` seconds
    (and `FALLBACK_FLOOR` more at most when repair found nothing; None: no limit)."""
    deadline = None if timeout is None else time.perf_counter() + timeout
    candidates = list(shortest.programs or ([shortest.program] if shortest.program else []))
    if starts := _going_on(candidates, current):
        return Nearest(preferred(starts, current), "prefix")
    try:
        share = None if timeout is None else timeout * REPAIR_SHARE
        rep = repair(task, current, timeout=share, shortest=shortest)
    except ProgramError:  # longer than repair takes: the shortest solution most like it
        rep = None
    if rep is not None and rep.program is not None:
        return Nearest(rep.program, "repair", tuple(rep.edits))
    if not candidates:
        return Nearest(None, "none")
    if deadline is not None:
        deadline = max(deadline, time.perf_counter() + FALLBACK_FLOOR)
    try:
        best = closest(candidates, current, deadline)
        return Nearest(best, "shortest", tuple(edit_script(current, best, deadline)))
    except OutOfTime:
        return Nearest(None, "timeout")


def closest(programs: list[Program], current: Program, deadline: float | None = None) -> Program:
    """The program most like `current`: one that goes on from all of it, chosen as a hint's
    prefix is (`preference.preferred`); else the longest common start of top-level blocks, then
    the most blocks in common, then the most lines of canonical text in common, then the one a
    learner expects (`preference.preferred`). The lines see inside a repeat, which a block
    compares whole: for `repeat(3){fd} fd rt` on task 87, `fd rt repeat(3){fd} rt fd` keeps
    the repeat, where `fd lt repeat(3){bk} rt bk` (as many blocks in common) changes it, and
    `:solve` shows the smaller diff. With a `deadline` (a `time.perf_counter()` value) it
    raises `OutOfTime` once that has passed: each comparison reads the whole program."""
    # programs that go on from the whole of `current` are chosen among as the hint chooses
    # (step 1): `:solve` after `fd` on task 87 showed `fd repeat(3){rt fd lt} bk` (fewer
    # lines) where `:hint` had just said `next: rt`
    if starts := _going_on(programs, current):
        return preferred(starts, current)
    mine = []
    for i, block in enumerate(current.body):
        if not i % _CHUNK:
            check_deadline(deadline)
        mine.append(to_compact(Program((block,))))
    my_lines = to_text(current).splitlines()

    def likeness(prog: Program) -> tuple[int, float, float]:
        check_deadline(deadline)
        theirs = [to_compact(Program((b,))) for b in prog.body]
        start = 0
        while start < min(len(mine), len(theirs)) and mine[start] == theirs[start]:
            start += 1
        blocks = difflib.SequenceMatcher(a=mine, b=theirs, autojunk=False).ratio()
        lines = to_text(prog).splitlines()
        return start, blocks, difflib.SequenceMatcher(a=my_lines, b=lines, autojunk=False).ratio()

    scores = [likeness(prog) for prog in programs]
    top = max(scores)
    return preferred([prog for prog, s in zip(programs, scores, strict=True) if s == top], current)


def _going_on(programs: list[Program], current: Program) -> list[Program]:
    """The programs that start with the whole of `current` (step 1: its next block is theirs)."""
    n = len(current.body)
    return [prog for prog in programs if prog.body[:n] == current.body]
