"""`xlogo prompt TASK`: print the exact prompt a model is shown for a task."""

from __future__ import annotations

import argparse
import sys

from .common import add_task_args, console, print_json, task_from_args


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("prompt", help="print the exact prompt a model gets for a task")
    add_task_args(p)
    p.add_argument(
        "--mode", choices=("text", "vision"), default="text", help="text (default) or vision"
    )
    p.add_argument("--template", help="a template file (default: the shipped template)")
    p.add_argument(
        "--answer-format",
        choices=("text", "python"),
        default="text",
        help="the answer form asked for",
    )
    p.add_argument(
        "--image", metavar="FILE.png", help="vision mode: also write the attached picture here"
    )
    p.add_argument("--json", action="store_true", help="print the chat messages as JSON")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from ..eval.prompts import build_prompt

    task = task_from_args(args)
    prompt = build_prompt(task, args.mode, args.template, args.answer_format)
    if args.image and prompt.image_png is not None:
        from pathlib import Path

        from ..eval.render import write_file

        write_file(Path(args.image), prompt.image_png)
    if args.json:
        print_json(
            {
                "task_id": task.id,
                "template_hash": prompt.template_hash,
                "messages": prompt.messages(),
            }
        )
        return 0
    if not sys.stdout.isatty():
        # the exact text, nothing added, so it can be piped or diffed
        sys.stdout.write(f"--- system ---\n{prompt.system}\n--- user ---\n{prompt.user}\n")
        if prompt.image_png is not None:
            sys.stdout.write(
                f"--- image: PNG, {len(prompt.image_png)} bytes, sha256 {prompt.image_sha256} ---\n"
            )
        return 0
    from rich.markup import escape
    from rich.rule import Rule

    con = console()
    con.print(Rule(f"system  [dim](template {prompt.template_hash})[/dim]"))
    con.print(escape(prompt.system))
    con.print(Rule("user"))
    con.print(escape(prompt.user))
    if prompt.image_png is not None:
        con.print(
            Rule(f"image: PNG, {len(prompt.image_png)} bytes (write it with --image FILE.png)")
        )
    return 0
