"""Grammars for constrained decoding, generated from the one language description.

Model servers can be told to emit only strings of a grammar. This module writes that grammar,
for either answer form (`language.TEXT`, `language.PYTHON`), in the notations servers take:

* GBNF (`fmt="gbnf"`): llama.cpp's `--grammar-file`/`"grammar"` field; xgrammar and vLLM's
  guided-grammar field read the same notation.
* Lark (`fmt="lark"`): llguidance (vLLM's `guidance` backend, llama.cpp's `%llguidance`), and the
  `lark` library itself.
* JSON Schema (`fmt="json-schema"`, `json_schema()`): the code JSON `{"run": [...]}` with
  recursive repeat bodies via `$defs`, for OpenAI-style structured outputs.

The rules are built once as a tiny grammar tree from `language.py` (literals, references,
sequences, alternatives, repetition), then rendered per notation, so the exports cannot drift
apart. What the grammars admit, exactly:

* text answer: the canonical text print (`printer.to_text`) of every valid program — counts
  1..12, the six colours, repeats nested to any depth — where each line may carry any even
  number of leading spaces (a context-free grammar cannot count nesting levels without a
  bound; the reader ignores indentation in this form, so nothing is lost). The only programs
  it admits that the parser refuses nest repeats more than `ast.MAX_DEPTH` = 64 deep, which no
  grammar without rules per level can exclude;
* python answer: exactly the canonical Python-style print (`python_form.to_python`) of every
  valid program whose repeats nest at most `max_depth` deep (default
  `language.PYTHON_MAX_DEPTH` = 8, at most the parser's 64). Here indentation *is* the block
  structure, so each nesting level needs its own rules and the depth must be bounded;
  reference solutions nest at most 2 deep, the oracle corpus at most 5, and a deeper bound only
  adds two rules per level.

This module only writes text; it never imports a grammar engine or the CLI.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypeAlias

from .ast import MAX_DEPTH
from .errors import UsageError
from .language import (
    ACTIONS,
    COLORS,
    FORMS,
    JSON_REPEAT_BODY,
    JSON_REPEAT_TIMES,
    JSON_ROOT,
    JSON_SETPC_VALUE,
    PYTHON_MAX_DEPTH,
    REPEAT_COUNTS,
    Form,
)

FORMATS = ("gbnf", "lark", "json-schema")
ANSWERS = tuple(FORMS)

# -- the grammar tree ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lit:
    text: str


@dataclass(frozen=True, slots=True)
class Ref:
    rule: str


@dataclass(frozen=True, slots=True)
class Seq:
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Alt:
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Rep:
    """`item*` (at_least=0), `item+` (at_least=1)."""

    item: Expr
    at_least: int = 0


@dataclass(frozen=True, slots=True)
class Opt:
    item: Expr


Expr: TypeAlias = Lit | Ref | Seq | Alt | Rep | Opt


@dataclass(frozen=True, slots=True)
class Grammar:
    """Named rules in order; the first is the start rule. `title` heads the rendered text."""

    title: str
    rules: tuple[tuple[str, Expr], ...]


def _seq(*items: Expr) -> Expr:
    """A flat sequence with adjacent literals merged (fewer, longer tokens for a lexer)."""
    out: list[Expr] = []
    for item in (i for it in items for i in (it.items if isinstance(it, Seq) else (it,))):
        if isinstance(item, Lit) and out and isinstance(out[-1], Lit):
            out[-1] = Lit(out[-1].text + item.text)
        else:
            out.append(item)
    return out[0] if len(out) == 1 else Seq(tuple(out))


def _alt(items: list[Expr]) -> Expr:
    return items[0] if len(items) == 1 else Alt(tuple(items))


def _values() -> list[tuple[str, Expr]]:
    return [
        ("color", _alt([Lit(c) for c in COLORS])),
        ("count", _alt([Lit(str(n)) for n in REPEAT_COUNTS])),
    ]


def build(answer: str = "text", *, max_depth: int = PYTHON_MAX_DEPTH) -> Grammar:
    """The grammar tree for one answer form (see the module docstring for what it admits)."""
    form = FORMS.get(answer)
    if form is None:
        raise UsageError(f"unknown answer form {answer!r}; the forms are {', '.join(FORMS)}")
    if isinstance(max_depth, bool) or not isinstance(max_depth, int):  # True is an int, too
        raise TypeError(f"max_depth must be an int, got {type(max_depth).__name__}")
    if form.indentation_sensitive:
        if not 0 <= max_depth <= MAX_DEPTH:  # deeper programs are refused by the parser anyway
            raise UsageError(f"the nesting bound must be 0 to {MAX_DEPTH}, not {max_depth}")
        return _by_level(form, max_depth)
    return _delimited(form)


def _simple(form: Form) -> Expr:
    """One non-loop statement, without indentation or line end."""
    return _alt(
        [Lit(line) for _, line in form.actions]
        + [_seq(Lit(form.setpc[0]), Ref("color"), Lit(form.setpc[1]))]
    )


def _delimited(form: Form) -> Grammar:
    """Loops closed by a line of their own: one recursive rule, any depth, free even indent."""
    assert form.loop_close is not None
    indent = Opt(Ref("indent"))
    rules: list[tuple[str, Expr]] = [
        ("start", Rep(Ref("block"))),
        ("block", _seq(indent, _alt([_seq(Ref("statement"), Lit("\n")), Ref("loop")]))),
        ("statement", _simple(form)),
        (
            "loop",
            _seq(
                Lit(form.loop_open[0]),
                Ref("count"),
                Lit(form.loop_open[1] + "\n"),
                Rep(Ref("block")),
                indent,
                Lit(form.loop_close + "\n"),
            ),
        ),
        ("indent", Rep(Lit(form.indent), 1)),
        *_values(),
    ]
    return Grammar(f"{form.name} answer form, repeats nested to any depth", tuple(rules))


def _by_level(form: Form, max_depth: int) -> Grammar:
    """Loops delimited by indentation: rules per level, loops up to `max_depth` deep."""
    base = form.base_level
    rules: list[tuple[str, Expr]] = []
    head = [Lit(form.header + "\n")] if form.header is not None else []
    rules.append(("start", _seq(*head, Ref(f"body{base}"))))
    for level in range(base, base + max_depth + 1):
        pad = Lit(form.indent * level)
        if form.empty_body is not None:
            empty = _seq(pad, Lit(form.empty_body + "\n"))
            rules.append((f"body{level}", _alt([empty, Rep(Ref(f"line{level}"), 1)])))
        else:
            rules.append((f"body{level}", Rep(Ref(f"line{level}"))))
        choices: list[Expr] = [_seq(Ref("statement"), Lit("\n"))]
        if level < base + max_depth:
            choices.append(
                _seq(
                    Lit(form.loop_open[0]),
                    Ref("count"),
                    Lit(form.loop_open[1] + "\n"),
                    Ref(f"body{level + 1}"),
                )
            )
        rules.append((f"line{level}", _seq(pad, _alt(choices))))
    rules.append(("statement", _simple(form)))
    rules.extend(_values())
    title = f"{form.name} answer form, repeats nested at most {max_depth} deep"
    return Grammar(title, tuple(rules))


# -- rendering -------------------------------------------------------------------------------------


def _quote(text: str) -> str:
    """A double-quoted literal with the escapes GBNF and Lark share."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def _expr(e: Expr, name: Any, top: bool = True) -> str:
    if isinstance(e, Lit):
        return _quote(e.text)
    if isinstance(e, Ref):
        return name(e.rule)
    if isinstance(e, Seq):
        text = " ".join(_expr(i, name, False) for i in e.items)
        return text if top else f"({text})"
    if isinstance(e, Alt):
        text = " | ".join(_expr(i, name, True) for i in e.items)
        return text if top else f"({text})"
    inner = _expr(e.item, name, False)
    if isinstance(e, Opt):
        return inner + "?"
    return inner + ("+" if e.at_least else "*")


def render_gbnf(grammar: Grammar) -> str:
    def name(rule: str) -> str:
        return "root" if rule == "start" else rule

    return _render(grammar, "#", " ::= ", name)


def render_lark(grammar: Grammar) -> str:
    return _render(grammar, "//", ": ", lambda rule: rule)


def _render(grammar: Grammar, comment: str, arrow: str, name: Any) -> str:
    lines = [
        f"{comment} XLogoOnline Mini programs: {grammar.title}.",
        f"{comment} Generated by `xlogo grammar` from xlogo_lang/language.py; do not edit.",
    ]
    lines.extend(f"{name(rule)}{arrow}{_expr(expr, name)}" for rule, expr in grammar.rules)
    return "\n".join(lines) + "\n"


# -- JSON Schema of the code JSON ------------------------------------------------------------------


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the code JSON `{"run": [...]}` of valid programs.

    Written in the subset OpenAI's strict structured outputs accept: every object lists all its
    properties as required and forbids others, recursion goes through `$defs`, values are enums.
    """
    defs: dict[str, Any] = {}

    def block(kind: str, extra: dict[str, Any]) -> None:
        defs[kind] = {
            "type": "object",
            "properties": {"type": {"type": "string", "enum": [kind]}, **extra},
            "required": ["type", *extra],
            "additionalProperties": False,
        }

    for action in ACTIONS:
        block(action.kind, {})
    block("setpc", {JSON_SETPC_VALUE: {"type": "string", "enum": list(COLORS)}})
    block(
        "repeat",
        {
            JSON_REPEAT_TIMES: {
                "type": "integer",
                "enum": list(REPEAT_COUNTS),
                # JSON Schema counts 3.0 as the integer 3, the reference (and xlogo) does not
                "description": "an integer literal such as 3 (3.0 is refused)",
            },
            JSON_REPEAT_BODY: {"$ref": "#/$defs/body"},
        },
    )
    kinds = list(defs)
    defs["block"] = {"anyOf": [{"$ref": f"#/$defs/{k}"} for k in kinds]}
    defs["body"] = {"type": "array", "items": {"$ref": "#/$defs/block"}}
    return {
        "title": "xlogo_program",
        "description": "An XLogoOnline Mini program as code JSON: blocks fd, bk, lt, rt, "
        "setpc (value: a pen colour) and repeat (times 1..12, body: blocks).",
        "type": "object",
        "properties": {JSON_ROOT: {"$ref": "#/$defs/body"}},
        "required": [JSON_ROOT],
        "additionalProperties": False,
        "$defs": defs,
    }


# -- the entry point -------------------------------------------------------------------------------


def export_grammar(fmt: str, answer: str = "text", *, max_depth: int = PYTHON_MAX_DEPTH) -> str:
    """The grammar text for `fmt` ('gbnf' | 'lark' | 'json-schema') and the answer form.

    `answer` ('text' | 'python') chooses the form for GBNF and Lark; the JSON Schema always
    describes the code JSON, whatever `answer` says. `max_depth` bounds nesting in the python
    form only (the text form nests to any depth).
    """
    if fmt == "json-schema":
        return json.dumps(json_schema(), indent=2) + "\n"
    if fmt == "gbnf":
        return render_gbnf(build(answer, max_depth=max_depth))
    if fmt == "lark":
        return render_lark(build(answer, max_depth=max_depth))
    raise UsageError(f"unknown grammar format {fmt!r}; the formats are {', '.join(FORMATS)}")
