"""`xlogo show TASK [PROGRAM]`: draw a task (and a program's path) in the terminal."""

from __future__ import annotations

import argparse

from ..interpreter import execute
from ..view import GridView, legend
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

USAGE = "xlogo show TASK [PROGRAM]"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("show", help="draw a task, and a program's path, in the terminal")
    add_task_args(p)
    add_program_args(p)
    p.add_argument("--json", action="store_true", help="print the task (and the run) as JSON")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    source = program_source(args, required=False, usage=USAGE)  # first: see run_cmd.main
    task = task_from_args(args)
    prog = read_program(*source) if source else None
    if args.json:
        out = {"task": task.to_json(), "description": task.description, "kind": task.kind}
        if prog is not None:
            from ..verdict import run

            out["verdict"] = run(task, prog).to_dict(trace=True)
        print_json(with_task_warnings(args, out))
        return 0
    ex = execute(task.world, prog) if prog is not None else None
    con = console()
    con.print(GridView(task, ex))
    con.print(legend(one_way=bool(task.world.one_way_walls())))
    return 0
