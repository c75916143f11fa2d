"""The benchmark's skill dimensions for a task, computed by documented rules.

Rules (see README.md in this package); `solution` is the one given, else the task's reference
solution, else the solver's shortest solution:

* `logic`: the goal has a findonly, forbid or concat objective, or a spec of several literals
  (e.g. "the red circle");
* `math`: the goal has a sum objective;
* `draw`: the goal is a drawing;
* `basic_actions`: the solution uses no repeat; `loops`: it uses a repeat;
* `variables`: the solution sets the pen colour (or, without a solution, the target picture has
  a colour other than black, which needs setpc);
* `loops_and_variables`: both `loops` and `variables`;
* `code_constraints`: the task has code constraints (exactly, at most, start by).

The paper's tags for five tasks agree (28 logic + basic actions, 38 math + basic actions,
65 draw + variables + basic actions, 73 draw + variables + loops, 87 code constraints + loops):
each of them is included in ours, and 73 is also tagged `loops_and_variables`.

This module only labels tasks; it never runs models or scores replies.
"""

from __future__ import annotations

from ..ast import Program, Repeat, SetPenColor, walk
from ..errors import XlogoError
from ..task_format import check_task
from ..tasks import Task

SKILLS = (
    "logic",
    "math",
    "draw",
    "basic_actions",
    "loops",
    "variables",
    "loops_and_variables",
    "code_constraints",
)
# The skills read off a solution: unknown for a task without one (`variables` then falls back
# on the picture's colours), so a report does not count them over such tasks.
PROGRAM_SKILLS = ("basic_actions", "loops", "variables", "loops_and_variables")
LOGIC_OBJECTIVES = ("findonly", "forbid", "concat")


def shortest_solution(task: Task, timeout: float | None = 30.0) -> Program | None:
    """The solver's shortest solution, or None when it finds none (or cannot take the task:
    an input error, not a solver bug, which is left to surface)."""
    from ..solver import solve

    try:
        sol = solve(task, timeout=timeout)
    except XlogoError:
        return None
    return sol.program


def _check_solution(solution: object) -> None:
    """A solution is a parsed Program (or None): text given instead would otherwise fail as an
    AttributeError deep in the rules, far from the call."""
    if solution is not None and not isinstance(solution, Program):
        raise TypeError(
            f"skills expects a Program or None as the solution, got {type(solution).__name__} "
            "(parse text with xlogo_lang.parse)"
        )


def skills(task: Task, solution: Program | None = None, *, use_solver: bool = True) -> list[str]:
    """The skill dimensions `task` exercises, in the order of SKILLS.

    Without a solution (given or the task's own), the solver's shortest one is used, unless
    `use_solver` is false; then only the rules that need no solution apply.
    """
    check_task(task, "skills")
    _check_solution(solution)
    if solution is None:
        solution = task.solution
    if solution is None and use_solver:
        solution = shortest_solution(task)
    goal = task.goal
    tags: set[str] = set()
    for obj in goal.objectives:
        if obj.name in LOGIC_OBJECTIVES:
            tags.add("logic")
        elif obj.name == "sum":
            tags.add("math")
        elif obj.name == "draw":
            tags.add("draw")
        if obj.name != "draw" and any(
            sum(len(clause) for clause in spec) > 1 for spec in obj.specs
        ):
            tags.add("logic")
    if goal.is_draw:
        tags.discard("logic")
        tags.discard("math")
    if solution is not None:
        blocks = list(walk(solution.body))
        tags.add("loops" if any(isinstance(b, Repeat) for b in blocks) else "basic_actions")
        if any(isinstance(b, SetPenColor) for b in blocks):
            tags.add("variables")
    elif any(c != "black" for c in task.world.line_colors):
        tags.add("variables")
    if {"loops", "variables"} <= tags:
        tags.add("loops_and_variables")
    if task.constraints:
        tags.add("code_constraints")
    return [s for s in SKILLS if s in tags]
