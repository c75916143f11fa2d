"""`xlogo render TASK [PROGRAM] -o task.png|task.svg`: draw a task, and a program's run on it."""

from __future__ import annotations

import argparse

from .common import (
    add_program_args,
    add_task_args,
    console,
    output_file,
    print_json,
    program_source,
    read_program,
    task_from_args,
    with_task_warnings,
)

USAGE = "xlogo render TASK [PROGRAM] -o FILE"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("render", help="draw a task (and a program's path) as PNG or SVG")
    add_task_args(p)
    add_program_args(p)
    p.add_argument("-o", "--out", required=True, metavar="FILE", help="output file: .png or .svg")
    p.add_argument("--json", action="store_true", help="print what was written as JSON")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from ..eval.render import write_picture
    from ..printer import to_text

    src = program_source(args, required=False, usage=USAGE)  # first: see run_cmd.main
    task = task_from_args(args)
    prog = read_program(*src) if src is not None else None
    path = write_picture(task, output_file(args.out, option="-o"), prog)
    if args.json:
        out = {
            "task_id": task.id,
            "out": str(path),
            "bytes": path.stat().st_size,
            "program": to_text(prog) if prog is not None else None,  # as `run --json` has it
        }
        print_json(with_task_warnings(args, out))
    else:
        console().print(f"wrote {path}", markup=False, soft_wrap=True)
    return 0
