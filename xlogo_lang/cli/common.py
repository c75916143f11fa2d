"""Argument helpers shared by the command modules: reading tasks and programs, printing JSON."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from rich.console import Console

from ..ast import Program
from ..errors import TaskWarning, UsageError
from ..files import json_line
from ..files import output_file as output_file  # the commands' checked --out; write_sft's too
from ..parser import parse
from ..program_files import looks_like_task, read_program_file, read_program_stream
from ..tasks import Task, load_task

if TYPE_CHECKING:
    from ..eval.client import Wait


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False)


def waits_told_on(err: Console, command: str) -> Callable[[Wait], None]:
    """What `on_wait` does for a command: one line on stderr (through `err`, the console a
    progress bar is drawn on, so the line goes above it), `--json` or not, as stdout is the
    output: `xlogo eval: rate limited by URL: waiting 120 s (Retry-After) before retry 2 of 6`."""

    def told(wait: Wait) -> None:
        err.print(f"{command}: {wait}", markup=False, highlight=False, soft_wrap=True)

    return told


def warn(command: str, text: str) -> None:
    """A warning of `xlogo COMMAND` on stderr, where `--json` output on stdout stays clean: one
    form, `xlogo CMD: warning: ...`, for every command and every kind of warning."""
    print(f"xlogo {command}: warning: {text}", file=sys.stderr)


def unfinished_warnings(command: str, source: str) -> list[str]:
    """The warning for a generated folder whose run is not finished (`gen.dataset.unfinished`),
    printed on stderr as `xlogo CMD: warning: DIR: ...` and returned for a `--json` summary's
    `warnings`; none for a finished folder or a records file."""
    from ..gen.dataset import unfinished

    why = unfinished(source)
    if why is None:
        return []
    warning = f"{source}: {why}"
    warn(command, warning)
    return [warning]


def add_prompt_args(
    p: argparse.ArgumentParser, answer_form: str = "the answer form asked for"
) -> None:
    """--mode, --template and --answer-format: how a prompt is built, given alike to every
    command that builds one (prompt, eval, sft, curriculum), so a setting means the same in
    each. `answer_form` says what --answer-format shapes (sft's assistant turn too)."""
    p.add_argument(
        "--mode", choices=("text", "vision"), default="text", help="prompt mode (default text)"
    )
    p.add_argument("--template", help="a prompt template file (default: the shipped one)")
    p.add_argument(
        "--answer-format",
        choices=("text", "python"),
        default="text",
        help=f"{answer_form} (default text)",
    )


def add_task_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("task", metavar="TASK", help="a task file, or a task directory with --id")
    p.add_argument("--id", dest="task_id", help="task id, when TASK is a directory")


def add_program_args(p: argparse.ArgumentParser) -> None:
    """PROGRAM (optional to argparse: `-e` may stand for it; `program_source` says whether the
    command needs one) and -e."""
    p.add_argument(
        "program",
        metavar="PROGRAM",
        nargs="?",
        help="a program file (text, Python style or code JSON), or - for stdin",
    )
    p.add_argument("-e", "--expr", help="the program itself, e.g. -e 'fd rt fd'")


def task_from_args(args: argparse.Namespace) -> Task:
    """The task of TASK (and --id), its warnings kept in `args.task_warnings` for a `--json`
    output (`with_task_warnings`)."""
    with kept_task_warnings() as kept:
        task = load_task(args.task, args.task_id)
    args.task_warnings = kept
    return task


@contextmanager
def kept_task_warnings() -> Iterator[list[str]]:
    """The messages of the `TaskWarning`s given inside (a one-way wall), once each, in a list
    filled on leaving: a machine reading `--json` on stdout gets them there. Every warning still
    goes on to the handler in place (the CLI's prints it on stderr)."""
    kept: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", TaskWarning)
        yield kept
    for w in caught:
        warnings.showwarning(w.message, w.category, w.filename, w.lineno, w.file, w.line)
    kept += dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, TaskWarning))


def with_task_warnings(args: argparse.Namespace, out: dict[str, Any]) -> dict[str, Any]:
    """`out` with the task's warnings (`task_from_args`) under "warnings", where the `--json`
    summaries of gen, sft and curriculum keep theirs; unchanged for a task without any, so the
    JSON of a sound task keeps its documented shape."""
    kept = getattr(args, "task_warnings", None)
    return {**out, "warnings": kept} if kept else out


@overload
def program_source(
    args: argparse.Namespace, required: Literal[True] = True, *, usage: str | None = None
) -> tuple[str, str]: ...


@overload
def program_source(
    args: argparse.Namespace, required: bool, *, usage: str | None = None
) -> tuple[str, str] | None: ...


def program_source(
    args: argparse.Namespace, required: bool = True, *, usage: str | None = None
) -> tuple[str, str] | None:
    """(text, name) of the program given by PROGRAM or -e; None when neither is given.

    A task file where the program goes is refused here, with `usage` (the command's own line,
    e.g. "xlogo check [TASK] PROGRAM"): read as code JSON it would only be a malformed program,
    and the user's mistake is the order or a forgotten argument, not the program."""
    hint = None if args.program is None else task_id_hint(args, args.program)
    if getattr(args, "expr", None) is not None:
        if args.program is not None:
            raise UsageError(
                f"give either a PROGRAM file ({args.program}) or -e, not both", hint=hint
            )
        return args.expr, "<expr>"
    if args.program is None:
        if required:
            raise UsageError("no program given (a file, - for stdin, or -e 'fd rt fd')")
        return None
    if hint is not None:
        raise UsageError("no such file or directory", file=args.program, hint=hint)
    text, name = _read_program_file(args.program)
    if looks_like_task(text):
        where = f" (usage: {usage})" if usage else ""
        raise UsageError(f"this looks like a task file, not a program{where}", file=name)
    return text, name


def task_id_hint(args: argparse.Namespace, word: str) -> str | None:
    """The hint for a task id given as an argument of its own after a folder of tasks
    (`xlogo run DIR 87 -e 'fd'`), where the command takes it for a program file or refuses it:
    a word with no folder and no suffix that names no file, after a TASK that is a folder,
    with no --id."""
    task = getattr(args, "task", None)
    if getattr(args, "task_id", None) is not None or not isinstance(task, str):
        return None
    if word == "-" or "/" in word or Path(word).suffix or not Path(task).is_dir():
        return None
    if Path(word).exists():
        return None
    return f"a task of a folder is chosen with --id: --id {word}"


def _read_program_file(program: str) -> tuple[str, str]:
    """(text, name) of a program file, or of stdin for `-`."""
    if program == "-":
        raw = getattr(sys.stdin, "buffer", None)  # bytes, decoded as files are, not by the locale
        if raw is None:
            return sys.stdin.read(), "<stdin>"
        return read_program_stream(raw), "<stdin>"
    path = Path(program)
    # line ends as they are (`fmt --check` compares them); a pipe (`<(cmd)`) is read as a stream
    return read_program_file(path), str(path)


def read_program(text: str, name: str, *, strict: bool = True) -> Program:
    """Parse program text in any form `parse` reads (code JSON included), named `name`."""
    return parse(text, filename=name, strict=strict)


def print_json(obj: Any) -> None:
    sys.stdout.write(json_line(obj))
