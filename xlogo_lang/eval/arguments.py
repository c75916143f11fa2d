"""Checks of the arguments the eval and gen APIs take from Python, where no argparse types them.

The CLI hands these functions ints, floats and strings it has parsed; a script or a notebook
hands them anything: `"0.8"` read from a config file, `2.5` workers, a `Path` where a str was
typed, a bare path where a list of paths goes. Unchecked, each of these failed far from the call
(`'<' not supported between instances of 'str' and 'int'`, an AttributeError on a str, a
`Path` that JSON cannot write after a whole round of requests), or was quietly taken apart
(a str iterated as its characters). Every check here names the argument at fault: a wrong type
is a TypeError, a value out of range a UsageError, as everywhere else in the package.

Pure checks: no I/O, nothing imported but the core's errors and tasks.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..errors import UsageError, file_name
from ..tasks import Task


def whole(name: str, value: object, least: int | None = None) -> int:
    """`value` as a whole number of at least `least`: an int, not a bool (Python counts True as
    1), a float (2.5 workers) or a numeric string."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if least is not None and value < least:
        raise UsageError(f"{name} must be at least {least}, not {value}")
    return value


def optional_whole(name: str, value: object, least: int | None = None) -> int | None:
    return None if value is None else whole(name, value, least)


def number(name: str, value: object) -> float:
    """`value` as a real number (an int or a float, not a bool or a numeric string); its range
    is the caller's to check, where the words for it are."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    return float(value)


def flag(name: str, value: object) -> bool:
    """True or False: `"no"` is truthy, and would ask for what the caller meant to refuse."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return value


def text(name: str, value: object, *, empty: bool = False) -> str:
    """A str, non-empty unless `empty` (an empty model name is sent, and refused by the
    endpoint on every request)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not empty and not value.strip():
        raise UsageError(f"{name} must not be empty")
    return value


def optional_text(name: str, value: object) -> str | None:
    return None if value is None else text(name, value)


def path_text(name: str, value: object) -> str:
    """A path given as a str or a `Path` (any os.PathLike), as a str: what a settings file or a
    record can hold (JSON has no path type)."""
    if value is None:
        raise TypeError(f"{name} must be a str or a path, got NoneType")
    shown = file_name(value, name)
    assert shown is not None
    if not shown:
        raise UsageError(f"{name} must not be empty")
    return shown


def paths(name: str, value: object) -> list[Path]:
    """A list (or other iterable) of paths. A single path is refused: a str would be read as
    its characters, each a path (`"run.jsonl"` as `r`, `u`, `n`, ...)."""
    if isinstance(value, (str, bytes, os.PathLike)):
        raise TypeError(
            f"{name} takes a list of paths, got a single {type(value).__name__} "
            f"(write [{value!r}] for one)"
        )
    if not isinstance(value, Iterable):
        raise TypeError(f"{name} takes a list of paths, got {type(value).__name__}")
    return [Path(path_text(f"{name}[{i}]", p)) for i, p in enumerate(value)]


def tasks(fn: str, value: object) -> list[Task]:
    """A list (or other iterable) of loaded tasks. A path, or a mapping of ids to tasks, or task
    ids are named here: iterated, a path is its characters and a dict its keys, each an
    AttributeError far from the call."""
    hint = "load them with xlogo_lang.load_tasks(path) or eval.taskset.load_task_set(path).tasks"
    if isinstance(value, (str, bytes, os.PathLike)):
        raise TypeError(f"{fn} takes a list of Task, got a path ({type(value).__name__}): {hint}")
    if isinstance(value, dict) or not isinstance(value, Iterable):
        raise TypeError(f"{fn} takes a list of Task, got {type(value).__name__}: {hint}")
    out = list(value)
    for i, t in enumerate(out):
        if not isinstance(t, Task):
            raise TypeError(f"{fn} takes a list of Task, got {type(t).__name__} at [{i}]: {hint}")
    return out
