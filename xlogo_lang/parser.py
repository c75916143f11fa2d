"""Text → AST: the Lark front end.

The grammar (`grammar/xlogo.lark`) is loaded once, compiled to an LALR parser with the AST built
inline by a Transformer (no parse tree is materialised), so parsing a short program costs tens of
microseconds. Syntax errors become `ParseError`s with line, column, the expected tokens in words,
a caret excerpt and a named hint; range errors (repeat count, pen colour) become `ParseError`s
naming the rule, unless `strict=False`, in which case they are left for the checker to report.

The Python-style answer form (`def Run():`, `move_forward()`, ...) is recognised here and handed
to `python_form`, so `parse` reads every form models answer in.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .ast import (
    MAX_DEPTH,
    MAX_TIMES,
    MIN_TIMES,
    PEN_COLORS,
    Block,
    Command,
    Program,
    Repeat,
    SetPenColor,
    Span,
)
from .errors import ParseError, caret_excerpt

_CANONICAL_KIND = {
    "fd": "fd", "forward": "fd",
    "bk": "bk", "back": "bk", "backward": "bk",
    "lt": "lt", "left": "lt",
    "rt": "rt", "right": "rt",
}  # fmt: skip

_TOKEN_WORDS = {
    "FD": "fd", "BK": "bk", "LT": "lt", "RT": "rt", "SETPC": "setpc", "REPEAT": "repeat",
    "COLOR": "a colour name", "STRING": "a quoted colour", "INT": "a number",
    "LBRACE": "'{'", "RBRACE": "'}'", "LSQB": "'['", "RSQB": "']'", "LPAR": "'('",
    "RPAR": "')'", "_SEP": "';'", "SEMICOLON": "';'", "COMMA": "','", "$END": "end of input",
    "_EMPTY_CALL": "'()'",
}  # fmt: skip


def _span(first: Token, last: Token) -> Span:
    return Span(first.line, first.column, last.end_line, last.end_column)  # type: ignore[arg-type]


@v_args(inline=True)
class _ToAst(Transformer[Token, Program]):
    def start(self, *blocks: Block) -> Program:
        return Program(tuple(blocks))

    def command(self, tok: Token) -> Command:
        # by token type, not text: case-insensitive regexes also match "rıght" (dotless i)
        return Command(tok.type.lower(), _span(tok, tok))  # type: ignore[arg-type]

    def setpc(self, kw: Token, value: Token) -> SetPenColor:
        color = value.value.strip("\"'").lower()
        return SetPenColor(color, _span(kw, value), _span(value, value))

    def repeat(self, kw: Token, times: Token, _open: Token, *rest: Block | Token) -> Repeat:
        *body, close = rest
        return Repeat(
            int(times.value),
            tuple(body),  # type: ignore[arg-type]
            _span(kw, close),  # type: ignore[arg-type]
            _span(times, times),
        )


@cache
def _lark() -> Lark:
    grammar = files("xlogo_lang.grammar").joinpath("xlogo.lark").read_text(encoding="utf-8")
    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        transformer=_ToAst(),
        maybe_placeholders=False,
    )


def grammar_text() -> str:
    """The Lark grammar source, as shipped in the package."""
    return files("xlogo_lang.grammar").joinpath("xlogo.lark").read_text(encoding="utf-8")


def parse(text: str, *, filename: str | None = None, strict: bool = True) -> Program:
    """Parse a program in any accepted form (text, Logo style or Python style).

    With `strict` (the default) a repeat count outside 1..12 or an unknown pen colour is a
    `ParseError` naming the rule; with `strict=False` such programs are returned as they are,
    for `check` to report every problem at once.
    """
    from . import python_form

    if python_form.looks_like_python(text):
        prog = python_form.parse_python(text, filename=filename)
    else:
        fast = _fast_parse(text)
        if fast is not None:
            prog = fast
        else:
            try:
                prog = _lark().parse(text)
            except UnexpectedInput as exc:
                raise _parse_error(exc, text, filename) from None
    _check_depth(prog, text, filename)
    if strict:
        validate(prog, text=text, filename=filename)
    return prog


# -- the fast path ---------------------------------------------------------------------------------
#
# Lark's LALR parser runs in pure Python at about 15 µs a token, and scoring, search and the
# benchmark parse programs by the thousand. Well-formed programs are therefore read by one regex
# scan and a bracket stack, about ten times faster; whatever that reader does not accept (every
# error included) goes to Lark. The grammar file stays the definition of the language, every
# error message still comes from Lark, and tests/test_parser.py checks on random token soups
# that both readers build the same AST with the same spans wherever the fast one answers.

_FAST_TOKEN = re.compile(
    r"(?P<ws>[ \t\r\n\f]+)|(?P<comment>#[^\n]*|//[^\n]*)|(?P<sep>[;,])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<int>[0-9]+)|(?P<call>\([ \t]*\))"
    r"|(?P<str>\"[^\"\n]*\"|'[^'\n]*')|(?P<punct>[(){}\[\]])"
)
_SETPC_WORDS = frozenset({"setpc", "setpencolor", "setpencolour"})
_CLOSING = {"{": "}", "[": "]"}

# kind, text, line, column
_Tok = tuple[str, str, int, int]


def _fast_tokens(text: str) -> list[_Tok] | None:
    toks: list[_Tok] = []
    line, line_start, pos, n = 1, 0, 0, len(text)
    match = _FAST_TOKEN.match
    while pos < n:
        m = match(text, pos)
        if m is None:
            return None
        kind, end = m.lastgroup, m.end()
        if kind == "ws":
            newlines = text.count("\n", pos, end)
            if newlines:
                line += newlines
                line_start = text.rfind("\n", pos, end) + 1
        elif kind != "comment":
            toks.append((kind, m.group(), line, pos - line_start + 1))  # type: ignore[arg-type]
        pos = end
    return toks


def _tok_span(tok: _Tok) -> Span:
    return Span(tok[2], tok[3], tok[2], tok[3] + len(tok[1]))


def _fast_parse(text: str) -> Program | None:
    """The program, if `text` is well formed and plain enough for the fast reader; else None."""
    toks = _fast_tokens(text)
    if toks is None:
        return None
    blocks: list[Block] = []
    # open repeats: (keyword token, count, count span, closing bracket, enclosing block list)
    stack: list[tuple[_Tok, int, Span, str, list[Block]]] = []
    i, n = 0, len(toks)
    while i < n:
        tok = toks[i]
        kind, value = tok[0], tok[1]
        i += 1
        if kind == "word":
            key = value.lower()
            command = _CANONICAL_KIND.get(key)
            if command is not None:
                blocks.append(Command(command, _tok_span(tok)))  # type: ignore[arg-type]
                if i < n and toks[i][0] == "call":
                    i += 1
                continue
            if key in _SETPC_WORDS:
                paren = i < n and toks[i][1] == "("
                j = i + 1 if paren else i
                if j >= n or toks[j][0] not in ("word", "str"):
                    return None
                if paren and (j + 1 >= n or toks[j + 1][1] != ")"):
                    return None
                val = toks[j]
                color = val[1].strip("\"'").lower()
                span = Span(tok[2], tok[3], val[2], val[3] + len(val[1]))
                blocks.append(SetPenColor(color, span, _tok_span(val)))
                i = j + 2 if paren else j + 1
                continue
            if key == "repeat":
                paren = i < n and toks[i][1] == "("
                j = i + 1 if paren else i
                if j >= n or toks[j][0] != "int":
                    return None
                if paren:
                    if j + 1 >= n or toks[j + 1][1] != ")":
                        return None
                    j += 1
                j += 1
                if j >= n or toks[j][1] not in _CLOSING:
                    return None
                count = toks[i + 1] if paren else toks[i]
                stack.append((tok, int(count[1]), _tok_span(count), _CLOSING[toks[j][1]], blocks))
                blocks = []
                i = j + 1
                continue
            return None
        if kind == "sep":
            continue
        if kind == "punct" and stack and value == stack[-1][3]:
            kw, times, times_span, _, outer = stack.pop()
            span = Span(kw[2], kw[3], tok[2], tok[3] + 1)
            outer.append(Repeat(times, tuple(blocks), span, times_span))
            blocks = outer
            continue
        return None
    if stack:
        return None
    return Program(tuple(blocks))


def _check_depth(prog: Program, text: str, filename: str | None) -> None:
    """Reject repeats nested more than MAX_DEPTH deep (iteratively: the AST may be very deep)."""
    stack: list[tuple[tuple[Block, ...], int]] = [(prog.body, 1)]
    while stack:
        blocks, level = stack.pop()
        for block in blocks:
            if isinstance(block, Repeat):
                if level > MAX_DEPTH:
                    sp = block.span
                    where = Span(sp.line, sp.column, sp.line, sp.column + 6) if sp else None
                    msg = f"repeats nested more than {MAX_DEPTH} deep"
                    raise _range_error(msg, where, text, filename)
                stack.append((block.body, level + 1))


def validate(prog: Program, *, text: str | None = None, filename: str | None = None) -> None:
    """Raise ParseError on the first repeat count or pen colour the language does not allow."""
    from .ast import walk

    for block in walk(prog.body):
        if isinstance(block, Repeat) and not MIN_TIMES <= block.times <= MAX_TIMES:
            raise _range_error(
                f"repeat count {block.times} is outside {MIN_TIMES}..{MAX_TIMES}",
                block.times_span or block.span,
                text,
                filename,
            )
        if isinstance(block, SetPenColor) and block.color not in PEN_COLORS:
            raise _range_error(
                f"unknown pen colour {block.color!r}; the colours are {', '.join(PEN_COLORS)}",
                block.color_span or block.span,
                text,
                filename,
            )


def _range_error(msg: str, span: Span | None, text: str | None, filename: str | None) -> ParseError:
    if span is None:
        return ParseError(msg, file=filename)
    excerpt = (
        caret_excerpt(text, span.line, span.column, span.end_column - span.column) if text else None
    )
    return ParseError(
        msg, file=filename, line=span.line, column=span.column, excerpt=excerpt or None
    )


def _expected_words(names: set[str] | frozenset[str]) -> list[str]:
    words = {_TOKEN_WORDS.get(n, n.lower()) for n in names if not n.startswith("__")}
    return sorted(words)


def _parse_error(exc: UnexpectedInput, text: str, filename: str | None) -> ParseError:
    line, column = max(exc.line, 1), max(exc.column, 1)
    if isinstance(exc, UnexpectedEOF) or (
        isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
    ):
        expected = _expected_words(exc.expected)
        lines = text.splitlines() or [""]
        line, column = len(lines), len(lines[-1]) + 1
        if "'}'" in expected or "']'" in expected:
            msg, hint = (
                "unclosed repeat: the input ends before its closing bracket",
                "add '}' (or ']')",
            )
        else:
            msg, hint = "unexpected end of input", None
    elif isinstance(exc, UnexpectedCharacters):
        expected = _expected_words(exc.allowed or set())
        word = _word_at(text, exc.pos_in_stream)
        msg, hint = _classify(word, expected)
    else:
        assert isinstance(exc, UnexpectedToken)
        expected = _expected_words(exc.accepts or exc.expected)
        msg, hint = _classify(str(exc.token.value), expected)
    return ParseError(
        msg,
        expected=expected,
        file=filename,
        line=line,
        column=column,
        excerpt=caret_excerpt(text, line, column) or None,
        hint=hint or (f"expected {_join_or(expected)}" if expected else None),
    )


def _word_at(text: str, pos: int) -> str:
    end = pos
    while end < len(text) and (text[end].isalnum() or text[end] == "_"):
        end += 1
    return text[pos:end] or text[pos : pos + 1]


def _classify(found: str, expected: list[str]) -> tuple[str, str | None]:
    """Name the error from what was found and what could have come, with a one-line hint."""
    if "a number" in expected:
        return f"missing repeat count before {found!r}", "write repeat(3){...} or repeat 3 [...]"
    if "a colour name" in expected:
        return f"missing pen colour before {found!r}", f"one of {', '.join(PEN_COLORS)}"
    if found in ("}", "]"):
        return f"unmatched {found!r}: no repeat is open here", None
    if found in ("{", "["):
        return f"unexpected {found!r}: a body needs 'repeat N' before it", None
    if "'{'" in expected or "'['" in expected:
        return f"missing repeat body before {found!r}", "write repeat(3){fd rt} or repeat 3 [fd rt]"
    if found[:1].isalpha():
        return (
            f"unknown command {found!r}",
            "commands are fd, bk, lt, rt, setpc(colour), repeat(n){...}",
        )
    return f"unexpected {found!r}", None


def _join_or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
