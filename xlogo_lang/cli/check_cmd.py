"""`xlogo check [TASK] PROGRAM`: static diagnostics (syntax, ranges, the task's constraints)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..constraints import KEY_WORDS, count_blocks
from ..errors import ProgramError, UsageError
from .common import (
    console,
    print_json,
    program_source,
    read_program,
    task_from_args,
    with_task_warnings,
)

if TYPE_CHECKING:
    from ..ast import Program
    from ..tasks import Task

USAGE = "xlogo check [TASK] PROGRAM"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="static diagnostics for a program (and a task's constraints)")
    p.add_argument(
        "paths",
        nargs="*",
        metavar="[TASK] PROGRAM",
        help="a task file (optional) and a program file or -",
    )
    p.add_argument("-e", "--expr", help="the program itself")
    p.add_argument("--id", dest="task_id", help="task id, when TASK is a directory")
    p.add_argument("--json", action="store_true", help="print the diagnostics as JSON")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from ..checker import Diagnostic, check
    from ..program_files import TOO_LONG, ProgramTooLarge

    paths = list(args.paths)
    if args.expr is not None:
        task_path, args.program = (paths[0] if paths else None), None
        if len(paths) > 1:
            raise UsageError("give either a PROGRAM file or -e, not both")
    else:
        if not 1 <= len(paths) <= 2:
            raise UsageError("expected [TASK] PROGRAM (or -e 'fd rt')")
        task_path, args.program = (paths[0], paths[1]) if len(paths) == 2 else (None, paths[0])
    if args.task_id is not None and task_path is None:
        if paths:  # --id goes with a task: the one path is TASK, and the program is missing
            raise UsageError(
                "no program given (a file, - for stdin, or -e 'fd rt fd'; usage: xlogo check "
                "[TASK] PROGRAM)",
                file=paths[0],
            )
        raise UsageError("--id picks a task of a TASK directory, and no TASK was given")
    args.task = task_path  # for program_source's hint on a task id given after a folder
    too_large: ProgramTooLarge | None = None
    try:  # the program first: a task file given as PROGRAM (or the two swapped) is named as such
        text, name = program_source(args, usage=USAGE)
    except ProgramTooLarge as exc:  # a problem of the program, as one of 1,000,001 characters
        text, name, too_large = "", exc.file or "<stdin>", exc
    task = task_from_args(args) if task_path else None
    program: Program | None = None
    if too_large is not None:
        diags = [Diagnostic("error", "syntax", TOO_LONG, None, hint=too_large.hint)]
    else:
        try:  # parsed once, for the diagnostics and the notes (a syntax error: `check` says it)
            program = read_program(text, name, strict=False)
        except ProgramError:
            program = None
        diags = check(text if program is None else program, task, filename=name)
    notes = _unchecked_notes(program, task) if program is not None and task is not None else []
    if args.json:
        out = {"file": name, "diagnostics": [d.to_dict() for d in diags]}
        print_json(with_task_warnings(args, out | ({"notes": notes} if notes else {})))
    else:
        from rich.markup import escape

        con = console()
        for d in diags:
            style = "red" if d.severity == "error" else "yellow"
            con.print(f"[{style}]{d.severity}[/] [dim]\\[{d.rule}][/]", end=" ", soft_wrap=True)
            con.print(d.render(text, name), markup=False, highlight=False, soft_wrap=True)
        if not diags:
            con.print(f"[green]{escape(name)}: no problems found[/]", soft_wrap=True)
        for note in notes:
            con.print(f"[dim]note: {escape(note)}[/]", soft_wrap=True)
    return 1 if diags else 0


def _unchecked_notes(program: Program, task: Task) -> list[str]:
    """A line for each `exactly` type the program does not use, which the benchmark does not
    check: "no problems found" under "Use exactly 1 'repeat'" for a program without one
    looked like a checker's slip to a teacher. Not a diagnostic: the program meets the rule."""
    exactly = task.constraints.exactly
    return [
        f'"exactly {exactly[key]} {KEY_WORDS[key]}" holds because the program uses no '
        f"{KEY_WORDS[key]} (the benchmark checks only the types a program uses)"
        for key in task.constraints.unchecked(count_blocks(program))
    ]
