"""`xlogo grammar`: print the grammar a model server needs to emit only valid programs.

The grammar goes to stdout untouched (or to `-o FILE`), so it can be piped or saved and handed
to llama.cpp (`--grammar-file`), vLLM or an OpenAI-style structured-output request; the
one-line note on how to use it goes to stderr, and only when stdout is a terminal or a file is
written. The grammars themselves come from `grammar_export`; this module only chooses and writes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..ast import MAX_DEPTH
from ..errors import UsageError
from ..files import write_file
from ..grammar_export import ANSWERS, FORMATS, export_grammar, json_schema
from ..language import PYTHON_MAX_DEPTH
from .common import console, output_file, print_json

_USE = {
    "gbnf": 'llama.cpp --grammar-file FILE (or the "grammar" request field); '
    "vLLM structured_outputs grammar (formerly guided_grammar)",
    "lark": "llguidance, vLLM's guidance backend (structured_outputs grammar), the lark library",
    "json-schema": "OpenAI response_format json_schema (strict); vLLM structured_outputs json",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "grammar",
        help="print a grammar of valid programs for constrained decoding",
        description="Print a grammar that admits exactly the valid programs in one answer form, "
        "for model servers that constrain their output (GBNF, Lark, JSON Schema).",
    )
    p.add_argument(
        "--format", dest="fmt", choices=FORMATS, default="gbnf", help="notation (default: gbnf)"
    )
    p.add_argument(
        "--answer",
        choices=ANSWERS,
        default=None,
        help="answer form for gbnf/lark (default: text); json-schema describes the code JSON",
    )
    p.add_argument(
        "--max-depth",
        type=int,
        metavar="N",
        help="with --answer python: the deepest repeat nesting admitted "
        f"(default: {PYTHON_MAX_DEPTH}); the other forms nest to any depth",
    )
    p.add_argument(
        "-o",
        "--out",
        "--output",
        dest="output",
        metavar="FILE",
        help="write the grammar to FILE instead of stdout (-: stdout)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print {format, answer, max_depth, out, grammar} as JSON (with -o: after writing)",
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    answer, depth = _form(args)
    text = export_grammar(args.fmt, answer, max_depth=PYTHON_MAX_DEPTH if depth is None else depth)
    path = _write(text, args.output) if args.output not in (None, "-") else None  # -: stdout
    if args.json:
        grammar: object = json_schema() if args.fmt == "json-schema" else text
        print_json(
            {
                "format": args.fmt,
                "answer": answer,
                "max_depth": depth,
                "out": str(path) if path else None,
                "grammar": grammar,
            }
        )
    elif path is not None:
        err = console(stderr=True)
        err.print(
            f"wrote the {args.fmt} grammar of {_what(answer)} to {path}",
            markup=False,
            soft_wrap=True,
        )
        err.print(f"use with {_USE[args.fmt]}", style="dim", markup=False, soft_wrap=True)
    else:
        sys.stdout.write(text)
        if sys.stdout.isatty():
            note = f"the {args.fmt} grammar of {_what(answer)}; use with {_USE[args.fmt]}"
            console(stderr=True).print(note, style="dim", markup=False, soft_wrap=True)
    return 0


def _form(args: argparse.Namespace) -> tuple[str, int | None]:
    """The answer form ("json" for the JSON schema, which describes the code JSON whatever
    --answer says) and, for the python form only, its nesting bound. An option that would
    change nothing is refused: --max-depth has no effect on the text form (its repeats nest to
    any depth) nor on the JSON schema (recursive), so accepting it there would silently ignore
    what the user asked for."""
    if args.fmt == "json-schema" and args.answer not in (None, "text"):
        raise UsageError(
            f"--answer {args.answer} does not apply to json-schema: the schema describes the code "
            'JSON {"run": [...]}; use --format gbnf or lark for the python form'
        )
    answer = args.answer or "text"
    if args.fmt == "json-schema" or answer != "python":
        if args.max_depth is not None:
            what = "the JSON schema" if args.fmt == "json-schema" else "the text form"
            raise UsageError(
                f"--max-depth bounds the python form's nesting only; {what} nests to any "
                "depth (add --answer python, or leave --max-depth out)"
            )
        return ("json" if args.fmt == "json-schema" else answer), None
    depth = PYTHON_MAX_DEPTH if args.max_depth is None else args.max_depth
    if not 0 <= depth <= MAX_DEPTH:
        raise UsageError(f"--max-depth must be 0 to {MAX_DEPTH} (the parser's limit), not {depth}")
    return answer, depth


def _write(text: str, output: str) -> Path:
    """Write the grammar to `output` (-o), checked as every command's output file is."""
    path = output_file(output, option="-o")
    write_file(path, text.encode("utf-8"))
    return path


def _what(answer: str) -> str:
    return "code JSON answers" if answer == "json" else f"{answer} answers"
