"""Run → verdict: crash, goal and constraints combined as the reference executor does.

`run(task, program)` is the one entry point scoring, the solver's checks, the REPL and the eval
harness share. After a crash `goal_ok` and `constraints_ok` are None (as in the reference);
otherwise both are computed independently and `solved` means both hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .ast import Program
from .constraints import Violation
from .goals import GoalResult
from .interpreter import MAX_CALLS, REFERENCE_CRASH_NAMES, Crash, Execution, Step, execute
from .task_format import check_task
from .tasks import Task

CRASH_WORDS = {  # a crash in words, by its kind (the call limit has its own sentence)
    "wall": "crashed into a wall",
    "out_of_world": "left the grid",
    "forbidden": "entered a forbidden cell",
    "no_tile": "stepped onto a missing tile",
}


@dataclass
class Verdict:
    """What running a program on a task gave: the run, the goal and constraint checks, and why."""

    task: Task
    program: Program
    execution: Execution
    goal_ok: bool | None
    constraints_ok: bool | None

    @property
    def solved(self) -> bool:
        return self.execution.crash is None and bool(self.goal_ok) and bool(self.constraints_ok)

    @property
    def crashed(self) -> bool:
        return self.execution.crash is not None

    @property
    def crash(self) -> Crash | None:
        return self.execution.crash

    @property
    def trace(self) -> list[Step]:
        return self.execution.steps

    @cached_property
    def goal_result(self) -> GoalResult | None:
        if self.crashed:
            return None
        ex = self.execution
        return self.task.compiled_goal.explain(ex.cells, ex.drawn)

    @cached_property
    def violations(self) -> list[Violation]:
        return self.task.constraints.check(self.program)

    @property
    def reason(self) -> str:
        crash = self.crash
        if crash is not None:
            if crash.kind == "call_limit":
                return f"stopped after {MAX_CALLS:,} commands (the call limit)"
            step = self._step_where(crash.step)
            return f"{CRASH_WORDS[crash.kind]} at ({crash.x},{crash.y}) on {step}"
        parts = []
        if not self.goal_ok and self.goal_result is not None:
            parts.append(self.goal_result.reason)
        if not self.constraints_ok:
            parts.extend(v.message for v in self.violations)
        return "; ".join(parts) if parts else "solved"

    def _step_where(self, n: int) -> str:
        """`step 12 (line 8)`: the 12th command the run executed (the REPL's `step 12/20`), not
        the 12th block of the program (a repeat runs its blocks many times)."""
        raw = self.execution._raw
        if 1 <= n <= len(raw):
            span = raw[n - 1][0].span
            if span is not None:
                return f"step {n} (line {span.line})"
        return f"step {n}"

    def reference_dict(self) -> dict[str, Any]:
        """The reference executor's fields: crashed, crash_type, crash_pos, goal_ok, cons_ok."""
        c = self.crash
        return {
            "crashed": c is not None,
            "crash_type": REFERENCE_CRASH_NAMES[c.kind] if c else None,
            "crash_pos": [c.x, c.y] if c is not None and c.x is not None else None,
            "goal_ok": self.goal_ok,
            "cons_ok": self.constraints_ok,
        }

    def to_dict(self, *, trace: bool = False) -> dict[str, Any]:
        gr = self.goal_result
        out: dict[str, Any] = {
            "task_id": self.task.id,
            "solved": self.solved,
            "crashed": self.crashed,
            "crash": self.crash.to_dict() if self.crash else None,
            "crash_step": self.crash.step if self.crash else None,
            "goal_ok": self.goal_ok,
            "constraints_ok": self.constraints_ok,
            "goal_failure": gr.kind if gr is not None and not gr.ok else None,
            "violations": [
                {"rule": v.rule, "key": v.key, "message": v.message} for v in self.violations
            ]
            if self.constraints_ok is False
            else [],
            "steps": self.execution.calls,
            "reason": self.reason,
        }
        if trace:
            out["trace"] = [s.to_dict() for s in self.trace]
        return out


def run(task: Task, program: Program | str) -> Verdict:
    """Run `program` (an AST, or text in any accepted form) on `task` and judge it."""
    check_task(task, "run")
    from .parser import as_program

    return judge(task, as_program(program, "run"))


def judge(task: Task, program: Program) -> Verdict:
    """`run` for a program known to be well formed: parsed, or built by the solver from blocks
    that are. It skips `check_tree`, whose walk of every candidate the solver verifies (repair
    checks thousands) would be work done again for nothing."""
    ex = execute(task.world, program)
    if ex.crash is not None:
        return Verdict(task, program, ex, None, None)
    goal_ok = task.compiled_goal.check(ex.cells, ex.drawn)
    return Verdict(task, program, ex, goal_ok, _constraints_ok(task, program))


def solves(task: Task, program: Program) -> bool:
    """`judge(task, program).solved`, for a search that asks it of many programs: it stops at
    the first thing that fails (a crash, then the goal, then the constraints), so a candidate
    that misses the goal costs no constraint check and no verdict."""
    ex = execute(task.world, program)
    if ex.crash is not None or not task.compiled_goal.check(ex.cells, ex.drawn):
        return False
    return _constraints_ok(task, program)


def _constraints_ok(task: Task, program: Program) -> bool:
    """The program meets the task's code constraints (none to count when it has none)."""
    return not task.constraints.check(program) if task.constraints else True
