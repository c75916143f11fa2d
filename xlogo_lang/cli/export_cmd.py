"""`xlogo export DIR --id ID`: write one task of a directory as a single task file."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..files import write_file
from .common import (
    add_task_args,
    console,
    output_file,
    print_json,
    task_from_args,
    with_task_warnings,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export", help="write one task of a directory as a task file (with its solution)"
    )
    add_task_args(p)
    p.add_argument(
        "-o", "--out", help="output file, replaced if it exists (default, or -: print to stdout)"
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print {task_id, out, solution} as JSON (without -o, the task too, as task)",
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    task = task_from_args(args)
    data = task.to_json()
    to_file = args.out not in (None, "-")  # `-o -` is stdout, the default
    out = _write(data, args.out, Path(args.task)) if to_file else None
    if args.json:
        print_json(with_task_warnings(args, _summary(task.id, data, out)))
    elif out is None:
        print(json.dumps(data, indent=1))
    else:
        console().print(
            f"wrote task {task.id} to {out}"
            + (" (with its reference solution)" if "solution" in data else ""),
            markup=False,  # the id and path as they are: `t[1].json` is no markup
            soft_wrap=True,  # and the path unbroken, in a pipe too
        )
    return 0


def _write(data: dict[str, Any], path: str, source: Path) -> Path:
    """Write the task file to `path` (-o), checked as every command's output file is: never
    over the file or into the folder the task is read from."""
    out = output_file(path, reads=(source,), option="-o")
    write_file(out, (json.dumps(data, indent=1) + "\n").encode("utf-8"))
    return out


def _summary(task_id: str, data: dict[str, Any], out: Path | None) -> dict[str, Any]:
    """What --json prints: the same summary with or without -o, so a script reads one shape;
    with no file written, the task itself is in it (it went nowhere else)."""
    summary: dict[str, Any] = {
        "task_id": task_id,
        "out": str(out) if out else None,
        "solution": "solution" in data,
    }
    if out is None:
        summary["task"] = data
    return summary
