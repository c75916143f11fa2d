"""`xlogo grammar`: print the grammar a model server needs to emit only valid programs.

The grammar goes to stdout untouched (or to `-o FILE`), so it can be piped or saved and handed
to llama.cpp (`--grammar-file`), vLLM or an OpenAI-style structured-output request; the
one-line note on how to use it goes to stderr, and only when stdout is a terminal or a file is
written. The grammars themselves come from `grammar_export`; this module only chooses and writes.
"""

from __future__ import annotations

import argparse
import sys

from ..ast import MAX_DEPTH
from ..errors import UsageError
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
        default=PYTHON_MAX_DEPTH,
        metavar="N",
        help=f"deepest repeat nesting the python form admits (default: {PYTHON_MAX_DEPTH})",
    )
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write the grammar to FILE instead of stdout"
    )
    p.add_argument(
        "--json", action="store_true", help="print {format, answer, max_depth, grammar} as JSON"
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if args.fmt == "json-schema" and args.answer not in (None, "text"):
        raise UsageError(
            f"--answer {args.answer} does not apply to json-schema: the schema describes the code "
            'JSON {"run": [...]}; use --format gbnf or lark for the python form'
        )
    answer = args.answer or "text"
    if not 0 <= args.max_depth <= MAX_DEPTH:
        raise UsageError(
            f"--max-depth must be 0 to {MAX_DEPTH} (the parser's limit), not {args.max_depth}"
        )
    text = export_grammar(args.fmt, answer, max_depth=args.max_depth)
    if args.json:
        grammar: object = json_schema() if args.fmt == "json-schema" else text
        depth = args.max_depth if args.fmt != "json-schema" and answer == "python" else None
        print_json({"format": args.fmt, "answer": answer, "max_depth": depth, "grammar": grammar})
        return 0
    if args.output:
        path = output_file(args.output, option="-o")
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
        err = console(stderr=True)
        err.print(
            f"wrote the {args.fmt} grammar of {_what(args.fmt, answer)} to {path}",
            markup=False,
            soft_wrap=True,
        )
        err.print(f"use with {_USE[args.fmt]}", style="dim", markup=False, soft_wrap=True)
        return 0
    sys.stdout.write(text)
    if sys.stdout.isatty():
        note = f"the {args.fmt} grammar of {_what(args.fmt, answer)}; use with {_USE[args.fmt]}"
        console(stderr=True).print(note, style="dim", markup=False, soft_wrap=True)
    return 0


def _what(fmt: str, answer: str) -> str:
    return "code JSON answers" if fmt == "json-schema" else f"{answer} answers"
