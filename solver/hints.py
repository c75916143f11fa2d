"""A solution close to a learner's program, found fast enough for a hint.

`nearest_solution(task, program, shortest)` is what the REPL's `:hint` asks, kept here so that
any tool (a tutor, a failure analysis of a model's answer) gets the same answer: a hint needs a
solution near the program *now*, not a proof, so the search tries the cheap answers first and
bounds the expensive one:

1. **prefix**: a shortest solution the program is the start of (its next block is the hint);
2. **repair**: the solution fewest block edits away (`edits.repair`, within `timeout`);
3. **shortest**: when repair finds nothing in time (or refuses a program longer than
   `edits.MAX_BLOCKS`), the shortest solution most like the program, with the edits of the
   block distance to it (no search).

The shortest solutions are the caller's (`solve(..., all_solutions=True)`): a session searches
them once per task, while the program changes at every keystroke.

Never imports z3 or the CLI.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from xlogo_lang.ast import Program
from xlogo_lang.errors import ProgramError
from xlogo_lang.printer import to_compact, to_text
from xlogo_lang.tasks import Task

from .edits import Edit, edit_script, repair
from .solution import Solution

FoundBy = Literal["prefix", "repair", "shortest", "none"]
HINT_TIMEOUT = 5.0


@dataclass(frozen=True)
class Nearest:
    """A solution near a program, how it was found, and the edits that lead there in the order
    to make them (none for a prefix: the next block of `program` is the hint)."""

    program: Program | None
    found_by: FoundBy
    edits: tuple[Edit, ...] = ()


def nearest_solution(
    task: Task, current: Program, shortest: Solution, timeout: float = HINT_TIMEOUT
) -> Nearest:
    """The nearest solution by the steps of the module docstring; repair gets `timeout`
    seconds, the rest takes no search."""
    candidates = list(shortest.programs or ([shortest.program] if shortest.program else []))
    n = len(current.body)
    for prog in candidates:
        if prog.body[:n] == current.body:
            return Nearest(prog, "prefix")
    try:
        rep = repair(task, current, timeout=timeout, shortest=shortest)
    except ProgramError:  # longer than repair takes: the shortest solution most like it
        rep = None
    if rep is not None and rep.program is not None:
        return Nearest(rep.program, "repair", tuple(rep.edits))
    if not candidates:
        return Nearest(None, "none")
    best = closest(candidates, current)
    return Nearest(best, "shortest", tuple(edit_script(current, best)))


def closest(programs: list[Program], current: Program) -> Program:
    """The program most like `current`: the longest common start of top-level blocks, then
    the most blocks in common, then the most lines of canonical text in common (the first on
    ties). The lines see inside a repeat, which a block compares whole: for `repeat(3){fd} fd
    rt` on task 87, `fd rt repeat(3){fd} rt fd` keeps the repeat, where `fd lt repeat(3){bk}
    rt bk` (as many blocks in common) changes it, and `:solve` shows the smaller diff."""
    mine = [to_compact(Program((b,))) for b in current.body]
    my_lines = to_text(current).splitlines()

    def likeness(prog: Program) -> tuple[int, float, float]:
        theirs = [to_compact(Program((b,))) for b in prog.body]
        start = 0
        while start < min(len(mine), len(theirs)) and mine[start] == theirs[start]:
            start += 1
        blocks = difflib.SequenceMatcher(a=mine, b=theirs, autojunk=False).ratio()
        lines = to_text(prog).splitlines()
        return start, blocks, difflib.SequenceMatcher(a=my_lines, b=lines, autojunk=False).ratio()

    return max(programs, key=likeness)
