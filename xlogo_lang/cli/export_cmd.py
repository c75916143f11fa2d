"""`xlogo export DIR --id ID`: write one task of a directory as a single task file."""

from __future__ import annotations

import argparse
import json

from ..errors import UsageError
from .common import add_task_args, console, output_file, print_json, task_from_args


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export", help="write one task of a directory as a task file (with its solution)"
    )
    add_task_args(p)
    p.add_argument("-o", "--out", help="output file (default: print to stdout)")
    p.add_argument("--json", action="store_true", help="print a JSON summary instead of a message")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    task = task_from_args(args)
    data = task.to_json()
    text = json.dumps(data, indent=1) + "\n"
    if args.out is None:
        print(text, end="")
        return 0
    out = output_file(args.out, option="-o")
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:  # a full disk names no file by itself
        raise UsageError(f"cannot write: {exc.strerror or exc}", file=str(out)) from None
    if args.json:
        print_json({"task_id": task.id, "out": str(out), "solution": "solution" in data})
    else:
        console().print(
            f"wrote task {task.id} to {out}"
            + (" (with its reference solution)" if "solution" in data else "")
        )
    return 0
