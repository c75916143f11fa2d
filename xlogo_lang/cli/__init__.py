"""The `xlogo` command line: argument parsing and dispatch only.

Each subcommand lives in its own module of this package with a `register(subparsers)` function
that adds its parser and sets `func`. Command modules import heavy libraries (z3, openai, pillow,
prompt_toolkit) inside their functions, so `xlogo --help` and `xlogo repl` start fast.

Exit status: 0 = solved / ok, 1 = not solved / diagnostics found / model requests that failed
(an endpoint that errs or cannot be reached), 2 = usage or input error (a short message on
stderr, no traceback, and under --json the error object on stdout too; a file or folder that
cannot be read or written is one too), 130 = interrupted. An error carries its status
(`XlogoError.exit_status`).
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn, TextIO

from .. import __version__
from ..errors import TaskWarning, UsageError, XlogoError
from ..files import json_line

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


class _ArgumentError(Exception):
    """argparse's usage error, raised instead of printed so that `main` reports it as it
    reports every other error (on stdout too under --json)."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse's documented hook: must not return
        raise _ArgumentError(self, message)


class CommandParser(_Parser):
    """A subcommand's parser that lets options and positionals come in any order.

    Plain argparse stops filling positionals at the first option, so `xlogo run TASK --id 87
    PROGRAM` left PROGRAM unrecognised. `parse_intermixed_args` fixes that but refuses a parser
    with subparsers, so the top-level parser stays plain and each subcommand's own parser
    (which the subparsers action calls through `parse_known_args`) parses intermixed. Errors
    stay argparse's own; unrecognised arguments still go back to the top-level parser.

    A line with `--` is parsed plainly, as before: Python 3.11's intermixed parsing loses the
    `--` between its two passes, so `xlogo check -- -odd-name.xlogo` would read an option.
    """

    _intermixing = False  # set while parse_known_intermixed_args calls back into this method

    def parse_known_args(  # type: ignore[override]
        self, args: list[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        args = sys.argv[1:] if args is None else list(args)
        if self._intermixing:
            return super().parse_known_args(args, namespace)
        if "--" in args or not self._can_intermix():
            ns, extras = super().parse_known_args(args, namespace)
        else:
            self._intermixing = True
            try:
                ns, extras = self.parse_known_intermixed_args(args, namespace)
            finally:
                self._intermixing = False
        if extras:  # the top-level parser would refuse them with its own usage, not this one's
            self.error(self._unrecognised(extras, ns))
        return ns, extras

    def _unrecognised(self, extras: list[str], ns: argparse.Namespace) -> str:
        """argparse's message, with the option a mistyped one most looks like, or --id for a
        task id given after a folder of tasks."""
        msg = f"unrecognized arguments: {' '.join(extras)}"
        if len(extras) == 1 and any("--id" in a.option_strings for a in self._actions):
            from .common import task_id_hint

            hint = task_id_hint(ns, extras[0])
            if hint is not None:
                return f"{msg} ({hint})"
        known = [o for a in self._actions for o in a.option_strings if o.startswith("--")]
        for word in extras:
            if word.startswith("--"):
                close = difflib.get_close_matches(word.split("=", 1)[0], known, n=1, cutoff=0.6)
                if close:
                    return f"{msg} (did you mean {close[0]}?)"
        return msg

    def _can_intermix(self) -> bool:
        """Whether argparse can intermix this parser: no positional that swallows the rest of
        the line (REMAINDER, or sub-subcommands), which it refuses with a TypeError."""
        greedy = (argparse.REMAINDER, argparse.PARSER)
        return not any(a.nargs in greedy for a in self._get_positional_actions())


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="xlogo",
        description="Toolchain for the XLogoOnline Mini turtle language and its benchmark.",
    )
    parser.add_argument("--version", action="version", version=f"xlogo {__version__}")
    sub = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=CommandParser
    )
    for name in COMMANDS:
        importlib.import_module(f"{__name__}.{name}_cmd").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    _tolerant_output()
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    try:
        args = parser.parse_args(words)
    except _ArgumentError as exc:  # argparse's own output, and exit status 2, as before
        exc.parser.print_usage(sys.stderr)
        print(f"{exc.parser.prog}: error: {exc.message}", file=sys.stderr)
        if _asks_json(words[: words.index("--")] if "--" in words else words):
            sys.stdout.write(json_line(UsageError(exc.message).to_dict()))
        raise SystemExit(2) from None
    try:
        with _task_warnings(args.command):
            return int(args.func(args) or 0)
    except XlogoError as exc:
        return _failed(args, exc)
    except KeyboardInterrupt:
        # a command that resumes says what was kept and how to go on (`interrupted` default)
        resume = getattr(args, "interrupted", None)
        print(f"interrupted: {resume}" if resume else "interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a path the command cannot read or write: the user's to fix
        name = str(exc.filename) if exc.filename is not None else None
        return _failed(args, UsageError(str(exc.strerror or exc), file=name))


def _asks_json(words: list[str]) -> bool:
    """Whether the line asks for --json, as argparse reads it: any unambiguous prefix (`--js`)
    is the option too, and no other option of any command starts with `--j`."""
    return any(len(w) >= 3 and "--json".startswith(w) for w in words)


@contextmanager
def _task_warnings(command: str) -> Iterator[None]:
    """A task that loads but warns (`TaskWarning`: a one-way wall) is reported on stderr as the
    command's own message, `xlogo CMD: warning: FILE: ...`, once however often the command
    loads the task, and without Python's `module.py:LINE: TaskWarning:` form and source line,
    which point into xlogo, not at the task. Other warnings keep Python's handling."""
    shown: set[str] = set()
    python_shows = warnings.showwarning

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        if not issubclass(category, TaskWarning):
            python_shows(message, category, filename, lineno, file, line)
        elif str(message) not in shown:
            shown.add(str(message))
            from .common import warn

            warn(command, str(message))

    with warnings.catch_warnings():
        warnings.simplefilter("always", TaskWarning)  # each one reaches `show`, which dedupes
        warnings.showwarning = show
        yield


def _failed(args: argparse.Namespace, exc: XlogoError) -> int:
    """An error as one line on stderr, and as a JSON object on stdout under --json: a machine
    reading stdout gets the error there too."""
    print(f"xlogo {args.command}: {exc}", file=sys.stderr)
    if getattr(args, "json", False):
        sys.stdout.write(json_line(exc.to_dict()))
    return exc.exit_status


def _tolerant_output() -> None:
    """Messages quote what they were given, and an argument that was not UTF-8 reaches Python
    as lone surrogates (`-e $'fd\\xff'`); under a locale whose streams are strict, printing one
    would end in a traceback instead of the message. Such characters print escaped instead."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
