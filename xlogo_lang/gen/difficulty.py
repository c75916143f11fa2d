"""Difficulty of a task, computed from its shortest solution and its constraints.

    score = blocks + 2 * repeats + 3 * (nesting depth beyond 1) + pen changes
            + 2 * constraint entries

A constraint entry is one key of `exactly` or `at_most`, or a `start_by` list. Levels:
easy <= 4 < medium <= 9 < hard. On the real tasks this puts the one- to four-command find tasks
of chapter 1 in easy, the longer paths, sums and plain pictures in medium, and the loop,
nested-loop, multi-colour and constrained tasks of the later chapters in hard (the README of this
package lists the real tasks per level). The score is a pure function of the solution and the
constraints, so it can be recomputed from any task record.

This module never generates, loads or solves anything.
"""

from __future__ import annotations

from ..ast import Program, Repeat, SetPenColor, check_tree, depth, walk
from ..constraints import Constraints

LEVELS = ("easy", "medium", "hard")
EASY_MAX, MEDIUM_MAX = 4, 9


def constraint_entries(c: Constraints) -> int:
    return len(c.exactly) + len(c.at_most) + (1 if c.start_by else 0)


def score(solution: Program, constraints: Constraints) -> int:
    """The points of the module's formula: a pure function of the shortest solution and the
    constraints, so any task record's level can be recomputed (and the formula changed) later.
    A solution that is no Program (text: parse it; a task: pass `task.solution`) or constraints
    that are none are a TypeError naming them, not an AttributeError."""
    _check(solution, constraints, "score")
    blocks = list(walk(solution.body))
    repeats = sum(1 for b in blocks if isinstance(b, Repeat))
    pens = sum(1 for b in blocks if isinstance(b, SetPenColor))
    nesting = max(depth(solution.body) - 1, 0)
    return len(blocks) + 2 * repeats + 3 * nesting + pens + 2 * constraint_entries(constraints)


def _check(solution: object, constraints: object, who: str) -> None:
    check_tree(solution, ranges=False, who=who)
    if not isinstance(constraints, Constraints):
        raise TypeError(
            f"{who} expects Constraints (task.constraints), got {type(constraints).__name__}"
        )


def level(points: int) -> str:
    if points <= EASY_MAX:
        return "easy"
    if points <= MEDIUM_MAX:
        return "medium"
    return "hard"


def difficulty(solution: Program, constraints: Constraints) -> str:
    """ "easy", "medium" or "hard": the level of `score`'s points (the cuts are the module's)."""
    _check(solution, constraints, "difficulty")
    return level(score(solution, constraints))
