"""The task set of an evaluation: every task of a source that loads, and the ones that do not.

`xlogo eval`, `score` and `report` read whole folders of tasks, and one broken file among them
(an unknown item, a typo in a key) must not stop the others from being evaluated, as `xlogo
solve DIR` and the REPL's `:tasks` already go on past it. So a source is read with the core's
lenient loader (`tasks.iter_task_loads`): each broken task is kept with its `TaskError`, for one
warning per broken task and for naming it when a prediction or an `--ids` entry refers to it
(which is not the same as an id the source does not have at all).

Only a source with no usable task left is an error. This module never prints: callers turn
`warnings()` into lines on stderr (or into a report's warnings).
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import TaskError, UsageError, quoted
from ..tasks import Task, iter_task_loads, record_lines
from . import arguments as args


@dataclass(frozen=True)
class TaskSet:
    """The tasks of a source that load, and the error of each that does not (by id), so that a
    broken task is warned about once and named when a prediction or `--ids` refers to it."""

    source: str
    tasks: list[Task]
    broken: dict[str, TaskError] = field(default_factory=dict)  # task id -> why it cannot load

    @classmethod
    def of(cls, tasks: Iterable[Task]) -> TaskSet:
        """A task set of tasks already loaded (none broken); anything but Task objects (a path,
        task ids) is a TypeError here rather than an AttributeError when the set is used."""
        return cls("<tasks>", args.tasks("TaskSet.of", tasks))

    def by_id(self) -> dict[str, Task]:
        return {t.id: t for t in self.tasks}

    def warnings(self) -> list[str]:
        """One line per broken task, naming its file and the field that is wrong."""
        return [f"task {tid!r} skipped: {_one_line(e)}" for tid, e in self.broken.items()]

    def unusable(self, task_id: str) -> str:
        """Why a task id has no task: broken (naming its file), or not in the set at all."""
        err = self.broken.get(task_id)
        if err is not None:
            return f"task {task_id!r} cannot be loaded ({err.file or self.source})"
        return f"unknown task id {task_id!r}"

    def select(self, ids: list[str] | None = None, limit: int | None = None) -> list[Task]:
        """The tasks to run: those of `ids` (in that order, duplicates once) or all, then the
        first `limit`. An id the source does not have is an error; a broken one is skipped
        (its warning says why), and an error only when nothing is left to run."""
        if isinstance(ids, str):  # "87" would be the ids "8" and "7"
            raise TypeError(f"select takes a list of task ids, got a str (write [{ids!r}])")
        if limit is not None:
            args.whole("--limit", limit)
        tasks = self.tasks
        if ids:
            by_id = self.by_id()
            missing = [i for i in ids if i not in by_id and i not in self.broken]
            if missing:
                names = ", ".join(quoted(m) for m in missing[:5])
                if len(missing) > 5:
                    names += f" and {len(missing) - 5:,} more"
                raise UsageError(f"no task with id {names} in {self.source}")
            tasks = [by_id[i] for i in dict.fromkeys(ids) if i in by_id]
            if not tasks:
                why = "; ".join(self.unusable(i) for i in dict.fromkeys(ids))
                raise UsageError(f"nothing to run: {why}")
        if limit is not None:
            if limit < 1:  # as every command's --limit: a run of nothing is a slip
                raise UsageError(f"--limit must be at least 1, not {limit}")
            tasks = tasks[:limit]
        return tasks


def load_task_set(source: str | Path) -> TaskSet:
    """Every task of `source` (a task file, an asset directory or a folder of task files) that
    loads, and the TaskError of each one that does not. A source with no task that loads is an
    error: its only broken task's own error, or how many there are and the first."""
    tasks: list[Task] = []
    broken: dict[str, TaskError] = {}
    for tid, loaded in iter_task_loads(source):
        if isinstance(loaded, TaskError):
            broken[tid] = loaded
        else:
            tasks.append(loaded)
    if not tasks:
        errors = list(broken.values())
        if not errors:
            raise UsageError("no task in it", file=str(source))
        hint = _replies_hint(Path(source))
        if len(errors) == 1:
            if hint is not None:
                errors[0].hint = hint
            raise errors[0]
        first = _one_line(errors[0])
        raise UsageError(
            f"none of its {len(errors)} tasks can be loaded; first: {first}",
            file=str(source),
            hint=hint,
        )
    return TaskSet(str(source), tasks, broken)


def _replies_hint(source: Path) -> str | None:
    """A tasks source whose first record is a model's reply (`xlogo score` with its two files
    swapped): say so, where the task loader can only name the first key a task lacks."""
    if not (source.is_file() and source.suffix == ".jsonl"):
        return None
    with closing(record_lines(source)) as lines:
        first = next((rec for _, _, rec in lines if not isinstance(rec, TaskError)), None)
    if not isinstance(first, dict) or "response" not in first or "tiles" in first:
        return None
    return (
        'its lines are model replies ({"task_id", "response"}), not tasks: the replies go '
        "first, the tasks after --tasks"
    )


def _one_line(err: TaskError) -> str:
    """A task error without its excerpt and hint lines, for a warning that stays one line."""
    return f"{err.location}: {err.message}" if err.location else err.message
