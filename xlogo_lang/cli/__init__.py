"""The `xlogo` command line: argument parsing and dispatch only.

Each subcommand lives in its own module of this package with a `register(subparsers)` function
that adds its parser and sets `func`. Command modules import heavy libraries (z3, openai, pillow,
prompt_toolkit) inside their functions, so `xlogo --help` and `xlogo repl` start fast.

Exit status: 0 = solved / ok, 1 = not solved / diagnostics found, 2 = usage or input error
(a one-line message on stderr, no traceback; a file or folder that cannot be read or written is
one too).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .. import __version__
from ..errors import XlogoError

# module name in this package, in the order `xlogo --help` lists them
COMMANDS = [
    "run",
    "check",
    "fmt",
    "show",
    "solve",
    "repl",
    "score",
    "export",
    "grammar",
    "prompt",
    "render",
    "eval",
    "report",
    "gen",
    "sft",
    "curriculum",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xlogo",
        description="Toolchain for the XLogoOnline Mini turtle language and its benchmark.",
    )
    parser.add_argument("--version", action="version", version=f"xlogo {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}_cmd").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except XlogoError as exc:
        print(f"xlogo {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a path the command cannot read or write: the user's to fix
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"xlogo {args.command}: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
