"""`xlogo run TASK PROGRAM`: run a program on a task and print the verdict and its reason."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..interpreter import MAX_CALLS
from ..printer import to_text
from ..verdict import Verdict, run
from ..world import DIRECTION_NAMES

if TYPE_CHECKING:
    from rich.table import Table

    from ..interpreter import Step

from .common import (
    add_program_args,
    add_task_args,
    console,
    print_json,
    program_source,
    read_program,
    task_from_args,
    with_task_warnings,
)

USAGE = "xlogo run TASK PROGRAM"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run a program on a task and print the verdict")
    add_task_args(p)
    add_program_args(p)
    p.add_argument("--trace", action="store_true", help="print every executed command")
    p.add_argument("--json", action="store_true", help="print the verdict as JSON")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    # the program first: a task file given as PROGRAM (or the two swapped) is named as such
    text, name = program_source(args, usage=USAGE)
    task = task_from_args(args)
    prog = read_program(text, name)
    verdict = run(task, prog)
    if args.json:
        out = verdict.to_dict(trace=args.trace)
        out["program"] = to_text(prog)
        print_json(with_task_warnings(args, out))
    else:
        render_verdict(verdict, trace=args.trace)
    return 0 if verdict.solved else 1


def render_verdict(verdict: Verdict, *, trace: bool = False) -> None:
    from ..view import GridView

    con = console()
    con.print(GridView(verdict.task, verdict.execution))
    if trace and not verdict.execution.truncated:  # no steps recorded: the note below says so
        steps = list(verdict.trace)
        if len(steps) <= TRACE_HEAD + TRACE_TAIL:
            con.print(trace_table(steps))
        else:  # the first and last steps only: 100,000 rows take rich most of a minute
            con.print(trace_table(steps[:TRACE_HEAD]))
            hidden = len(steps) - TRACE_HEAD - TRACE_TAIL
            con.print(f"[dim]… {hidden:,} steps not shown (--json has them all)[/]")
            con.print(trace_table(steps[-TRACE_TAIL:]))
    mark = "[bold green]✓ solved[/]" if verdict.solved else "[bold red]✗ not solved[/]"
    con.print(f"{mark}: {verdict.reason}" if not verdict.solved else mark)
    if verdict.execution.truncated:
        con.print(f"[dim](over {MAX_CALLS:,} commands: decided without recording the trace)[/]")


TRACE_HEAD, TRACE_TAIL = 1000, 100  # steps a terminal shows of a long run (--json: all)


def trace_table(steps: list[Step]) -> Table:
    from rich.table import Table

    table = Table(
        "step", "command", "line", "cell", "heading", "pen", "drew", box=None, header_style="bold"
    )
    for s in steps:
        span = s.block.span
        cmd = s.label
        drew = f"{s.segment[0]}→{s.segment[1]}" if s.segment else ""
        cell = f"({s.x},{s.y})"
        if s.crashed:
            cell += " [red]crash[/]"
        table.add_row(
            str(s.index),
            cmd,
            str(span.line) if span else "",
            cell,
            DIRECTION_NAMES[s.direction][0].upper(),
            s.pen,
            drew,
        )
    return table
