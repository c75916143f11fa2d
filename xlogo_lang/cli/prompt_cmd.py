"""`xlogo prompt TASK`: print the exact prompt a model is shown for a task."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import UsageError
from .common import (
    add_prompt_args,
    add_task_args,
    console,
    output_file,
    print_json,
    task_from_args,
    with_task_warnings,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("prompt", help="print the exact prompt a model gets for a task")
    add_task_args(p)
    add_prompt_args(p)
    p.add_argument(
        "--image",
        metavar="FILE.png",
        help="with --mode vision: also write the attached PNG here (for SVG: xlogo render)",
    )
    p.add_argument("--json", action="store_true", help="print the chat messages as JSON")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from ..eval.prompts import build_prompt

    image = _image_path(args)
    task = task_from_args(args)
    prompt = build_prompt(task, args.mode, args.template, args.answer_format)
    if image is not None and prompt.image_png is not None:
        from ..files import write_file

        write_file(image, prompt.image_png)
    if args.json:
        out = {
            "task_id": task.id,
            "template_hash": prompt.template_hash,
            "messages": prompt.messages(),
        }
        if image is not None and prompt.image_png is not None:
            out["image"] = str(image)  # where --image wrote the picture, as render --json says
        print_json(with_task_warnings(args, out))
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
        where = f"written to {image}" if image is not None else "write it with --image FILE.png"
        con.print(Rule(f"image: PNG, {len(prompt.image_png)} bytes ({escape(where)})"))
    return 0


def _image_path(args: argparse.Namespace) -> Path | None:
    """Where --image writes, checked before any work. Only a vision prompt has a picture, and
    it is the exact PNG the model is shown (its sha256 is printed), so --image without --mode
    vision, or a name that promises another format, is a usage error rather than a silent
    no-op or PNG bytes in a .svg file."""
    if args.image is None:
        return None
    if args.mode != "vision":
        raise UsageError(
            "--image writes the picture a vision prompt attaches: add --mode vision "
            "(a text prompt has none; xlogo render TASK -o FILE draws any task)"
        )
    if Path(args.image).suffix.lower() != ".png":
        raise UsageError(
            "--image writes the PNG the model is shown: name the file .png "
            "(xlogo render TASK -o FILE.svg draws SVG)",
            file=args.image,
        )
    return output_file(args.image, option="--image")
