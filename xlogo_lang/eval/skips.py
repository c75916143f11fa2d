"""Why a line of a predictions or run file was skipped, and the words messages use for each kind.

`xlogo score` and `xlogo report` skip lines they cannot use instead of failing the whole file,
and both then say how many lines of each kind they left out, in one wording.
"""

from __future__ import annotations

from collections.abc import Mapping

# The kinds; `_WORDS` lists them in the order messages name them.
BAD_LINE = "bad_line"  # not a JSON object (or the torn last line of an interrupted run)
UNREADABLE = "unreadable"  # a prediction line: not JSON, not an object, or no string response
BAD_RECORD = "bad_record"  # a JSON object with a missing or wrong-typed field
UNKNOWN_TASK = "unknown_task"  # a task id that is not in the task set
BROKEN_TASK = "broken_task"  # a task id of the task set whose task cannot be loaded
DUPLICATE = "duplicate"  # an attempt a later line of the file holds again (same run, task, sample)

_WORDS = {
    UNKNOWN_TASK: "with a task id not in the task set",
    BROKEN_TASK: "with a task that cannot be loaded",
    DUPLICATE: "repeating an attempt of a later line",
    BAD_RECORD: "with a missing or wrong-typed field",
    BAD_LINE: "unreadable (not a JSON object)",
    UNREADABLE: "unreadable",
}


def describe(counts: Mapping[str, int]) -> str:
    """'2 with a task id not in the task set, 1 unreadable': the kinds present, in one order."""
    return ", ".join(f"{n} {words}" for kind, words in _WORDS.items() if (n := counts.get(kind, 0)))
