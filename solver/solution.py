"""The results the solver hands out: `Solution` (from `solve`) and their JSON form.

Kept apart from the engines so that callers (CLI, REPL, generator, eval) can import the types
without importing any search code. This module never runs a search and never imports z3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from xlogo_lang.ast import Program
from xlogo_lang.errors import counted
from xlogo_lang.printer import to_compact, to_text

Status = Literal["solved", "no_solution", "timeout", "failed"]


@dataclass
class Solution:
    """A shortest solution of a task, or a proof that none exists within `max_size` blocks.

    `status` is "solved" (program is a shortest solution when `proved_minimal`), "no_solution"
    (a proof over the whole space of programs of at most `max_size` blocks; `proved_minimal`
    is true, as for every proof, so a count of minimal solutions keeps to "solved"), or
    "timeout" (the best program found so far, if any, with `proved_minimal` false). `size`
    counts blocks as the constraints do: every fd/bk/lt/rt/setpc and every repeat counts 1.
    Only `solve_each` gives "failed": no answer, the worker process died under the search
    twice, the second time running it alone (`stats["worker_exitcode"]`: how it ended, e.g.
    -9 for SIGKILL, the out-of-memory killer's signal). A status of its own, not an exception,
    so that the set goes on, and a loop over it needs no try around each answer.
    """

    task_id: str
    status: Status
    program: Program | None
    programs: list[Program]
    size: int | None
    engine: str
    proved_minimal: bool
    max_size: int
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def solved(self) -> bool:
        return self.status == "solved"

    @property
    def message(self) -> str:
        """One line for people: what was found or proved."""
        if self.status == "failed":
            return (
                "failed: the worker process died under the search twice, the second time "
                f"running it alone ({_ended(self.stats.get('worker_exitcode'))})"
            )
        if self.status == "no_solution":
            return f"no solution within {counted(self.max_size, 'block')}"
        if self.status == "timeout":
            why = "timeout"
            if self.stats.get("stopped") == "bodies":
                why = "stopped: repeat-body budget reached (max_bodies, --max-bodies)"
            elif self.stats.get("stopped") == "states":
                why = "stopped: state budget reached (max_states, --max-states)"
            level = self.stats.get("level", 0)  # every engine sets it
            below = f"none has fewer than {counted(level, 'block')}" if level else "no size refuted"
            if self.program is None:
                return f"{why}: no solution found yet ({below})"
            return (
                f"{why}: best found has {counted(self.size or 0, 'block')}, not proved minimal "
                f"({below})"
            )
        proof = "proved minimal" if self.proved_minimal else "not proved minimal"
        if self.stats.get("all_found") is False:
            proof += "; the search stopped before listing all of them"
        return f"shortest solution: {counted(self.size or 0, 'block')} ({proof})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "status": self.status,
            "program": to_text(self.program) if self.program is not None else None,
            "compact": to_compact(self.program) if self.program is not None else None,
            "size": self.size,
            "engine": self.engine,
            "proved_minimal": self.proved_minimal,
            "max_size": self.max_size,
            "programs": [to_text(p) for p in self.programs],
            "message": self.message,
            "stats": self.stats,
        }


def _ended(exitcode: int | None) -> str:
    """How a worker process ended, from its exit code (-N: signal N)."""
    import signal

    if exitcode is None:
        return "its end unknown"
    if exitcode >= 0:
        return f"exit status {exitcode}"
    try:
        name = signal.Signals(-exitcode).name
    except ValueError:
        name = f"signal {-exitcode}"
    if name == "SIGKILL":
        return f"killed by {name}: out of memory, or kill -9?"
    return f"killed by {name}"
