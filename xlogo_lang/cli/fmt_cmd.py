"""`xlogo fmt PROGRAM`: print a program in canonical form (text, code JSON or Python style)."""

from __future__ import annotations

import argparse
import json
import sys

from ..ast import Program
from ..codejson import to_json
from ..printer import to_text
from .common import add_program_args, print_json, program_source, read_program

USAGE = "xlogo fmt PROGRAM"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("fmt", help="print a program in canonical form")
    add_program_args(p)
    p.add_argument(
        "--to",
        choices=("text", "json", "python"),
        default="text",
        help="output form (default: text)",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if the input is not already canonical (-e needs no final newline)",
    )
    p.add_argument(
        "--color", action="store_true", help="highlight the output (text and python forms)"
    )
    p.add_argument("--json", action="store_true", help="print {program, form, canonical} as JSON")
    p.set_defaults(func=main)


def render(prog: Program, form: str) -> str:
    if form == "json":
        return json.dumps(to_json(prog)) + "\n"
    if form == "python":
        from ..python_form import to_python

        return to_python(prog)
    return to_text(prog)


def main(args: argparse.Namespace) -> int:
    text, name = program_source(args, usage=USAGE)
    prog = read_program(text, name)
    out = render(prog, args.to)
    if name == "<expr>" and text and not text.endswith("\n"):
        # A shell argument (or `$(...)`) cannot easily end in a newline: `-e 'fd'` is the
        # one-line program `fd`, not a file missing its last line end. (`-e ''` is the empty
        # program, whose canonical text is empty: no line to end.)
        text += "\n"
    canonical = text == out
    if args.json:
        print_json({"program": out, "form": args.to, "canonical": canonical})
    elif args.check:
        if not canonical:
            print(f"{name}: not in canonical {args.to} form", file=sys.stderr)
    elif args.color and args.to == "python":  # Python's own lexer knows this form's words
        from pygments import highlight as pygmentize
        from pygments.formatters import TerminalFormatter
        from pygments.lexers import PythonLexer

        sys.stdout.write(pygmentize(out, PythonLexer(), TerminalFormatter()))
    elif args.color:
        from ..lexer import highlight

        sys.stdout.write(highlight(out) if args.to != "json" else out)
    else:
        sys.stdout.write(out)
    return 1 if args.check and not canonical else 0
