"""Failure analysis: why an attempt failed, and how far its program is from a solution.

Every scored attempt carries `failure` (a category, see `scoring.FAILURES`) and
`failure_detail`; `failure_key` joins them into one label such as `crash:wall`,
`goal:picture` or `constraints:at_most`. The edit distance to the nearest solution comes from
the solver's `repair` (imported when a `Repairer` is made) and is cached
per (task, program), since many replies repeat the same wrong program.

This module reads scores; it never calls a model and never changes a verdict.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import XlogoError
from ..interpreter import MAX_CALLS
from ..tasks import Task
from ..verdict import CRASH_WORDS

FAILURE_WORDS = {
    "no_program": "no program found in the reply",
    "syntax_error": "the program does not parse",
    **{f"crash:{kind}": words for kind, words in CRASH_WORDS.items()},
    "crash:call_limit": f"ran over the {MAX_CALLS:,}-command limit",
    "goal:item": "goal: wrong or missing item",
    "goal:order": "goal: items in the wrong order",
    "goal:count": "goal: wrong count",
    "goal:forbidden_item": "goal: stood on a forbidden item",
    "goal:picture": "goal: drawing differs (segments or colours)",
    "constraints:at_most": "constraints: too many commands",
    "constraints:exactly": "constraints: wrong number of a command",
    "constraints:start_by": "constraints: wrong start",
    "request_error": "the request failed (no reply)",
}


def failure_key(rec: dict[str, Any]) -> str | None:
    """`category:detail` of a scored attempt (None when it solved the task)."""
    cat = rec.get("failure")
    if cat is None:
        return None if rec.get("solved") else "unknown"
    detail = rec.get("failure_detail")
    return f"{cat}:{detail}" if detail else str(cat)


class Repairer:
    """Edit distances to the nearest solution, through the solver's `repair`, memoised."""

    def __init__(self, timeout: float | None = 5.0) -> None:
        self.timeout = timeout  # per distinct program; a timeout gives the best distance found
        self._cache: dict[tuple[str, str], int | None] = {}
        from ..solver import repair

        self._repair = repair

    def distance(self, task: Task, program_text: str | None) -> int | None:
        if program_text is None:
            return None
        key = (task.id, program_text)
        if key not in self._cache:
            from ..parser import parse

            try:  # a program repair cannot take (too long, too deep) has no distance
                dist = self._repair(task, parse(program_text), timeout=self.timeout).distance
            except XlogoError:
                dist = None
            self._cache[key] = dist
        return self._cache[key]


def crash_steps(records: Iterable[dict[str, Any]]) -> list[int]:
    """After how many commands each crashing attempt crashed."""
    return [
        int(r["crash_step"])
        for r in records
        if r.get("crashed") and r.get("crash_step") is not None
    ]
