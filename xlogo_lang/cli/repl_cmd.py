"""`xlogo repl [TASK] [--id ID]`: write and step through programs on a task, interactively.

This module only reads the arguments and the starting task; the REPL itself is the package
`xlogo_lang.repl`, imported inside `main` (it pulls in prompt_toolkit) so other commands and
`xlogo --help` never pay for it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..repl.session import Session


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "repl",
        help="interactive session: type commands, watch the turtle, step through the run",
        description=(
            "Open a session on a task (or an empty 5x5 playground): typed commands run at once "
            "and the grid is drawn after every change. :help lists the meta-commands."
        ),
    )
    p.add_argument(
        "task", metavar="TASK", nargs="?", help="a task file or directory, or an id with --tasks"
    )
    p.add_argument("--id", dest="task_id", metavar="ID", help="task id, when TASK is a directory")
    p.add_argument("--tasks", metavar="DIR", help="where :load ID and :tasks look for tasks")
    p.add_argument(
        "--history",
        metavar="FILE",
        help="history file (default: in the user state directory, or $XLOGO_HISTORY; - for none)",
    )
    p.add_argument(
        "--plain",
        action="store_true",
        help="read inputs line by line without the line editor (automatic when not on a terminal)",
    )
    p.add_argument(
        "--json", action="store_true", help="one JSON object per input on stdout (implies --plain)"
    )
    p.add_argument(
        "--solve-timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="seconds the search behind :solve and :hint may take (default 30; inf: none)",
    )
    p.set_defaults(func=main)


def start_session(task: str | None, task_id: str | None, tasks: str | None) -> Session:
    """The session the arguments ask for; TaskError/UsageError on bad ones."""
    from ..errors import UsageError
    from ..repl.session import Session
    from ..tasks import load_task

    pinned = Path(tasks) if tasks else None
    if pinned is not None and not pinned.is_dir():
        raise UsageError(f"--tasks {tasks}: not a directory")
    if task is None:
        if task_id is not None:
            if pinned is None:
                raise UsageError("--id needs a task directory (TASK or --tasks DIR)")
            return Session(load_task(pinned, task_id), tasks_dir=pinned)
        return Session(tasks_dir=pinned)
    path = Path(task)
    if path.is_dir() and task_id is None:
        return Session(tasks_dir=pinned or path)  # the playground, with the tasks at hand
    if not path.exists() and pinned is not None and task_id is None:
        return Session(load_task(pinned, task), tasks_dir=pinned)  # `xlogo repl 87 --tasks DIR`
    bare_id = "/" not in task and path.suffix not in (".json", ".jsonl")  # a file's name is none
    if not path.exists() and pinned is None and task_id is None and bare_id:
        from ..errors import TaskError  # a bare id, given as the tasks' folder would take it

        raise TaskError(
            "no such file or directory",
            file=task,
            hint=f"for task {task} of a folder: xlogo repl {task} --tasks DIR "
            f"(or xlogo repl DIR --id {task})",
        )
    return Session(load_task(path, task_id), tasks_dir=pinned)


def main(args: argparse.Namespace) -> int:
    from prompt_toolkit.history import FileHistory
    from rich.console import Console

    from ..errors import UsageError
    from ..repl.app import history_path, make_history, run_interactive, run_plain
    from ..repl.commands import Shell
    from ..solver import check_timeout

    try:  # checked now, not at the first :solve
        solve_timeout = check_timeout(args.solve_timeout)
    except UsageError:
        raise UsageError(
            f"--solve-timeout must be a number of seconds, 0 or more (got {args.solve_timeout:g})"
        ) from None
    session = start_session(args.task, args.task_id, args.tasks)
    interactive = not (args.plain or args.json) and sys.stdin.isatty() and sys.stdout.isatty()
    # the plain loop prints plain text (repl/README.md), even on a terminal
    console = (
        Console(highlight=False) if interactive else Console(highlight=False, color_system=None)
    )
    shell = Shell(session, width=lambda: console.width, solve_timeout=solve_timeout)
    if interactive:
        path = history_path(args.history)
        history = make_history(path)
        if path is not None and not isinstance(history, FileHistory):
            note = f"xlogo repl: cannot keep history in {path}; it lasts this session"
            print(note, file=sys.stderr)
        return run_interactive(shell, console, history=history)
    return run_plain(shell, console, sys.stdin, json_mode=args.json)
