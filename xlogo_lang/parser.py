"""Text → AST: the Lark front end.

The grammar (`grammar/xlogo.lark`) is loaded once, compiled to an LALR parser with the AST built
inline by a Transformer (no parse tree is materialised), so parsing a short program costs tens of
microseconds. Syntax errors become `ParseError`s with line, column, the expected tokens in words,
a caret excerpt and a named hint; range errors (repeat count, pen colour) become `ParseError`s
naming the rule, unless `strict=False`, in which case they are left for the checker to report.

The Python-style answer form (`def Run():`, `move_forward()`, ...) and code JSON (`{"run": ...}`)
are recognised here and handed to `python_form` and `codejson`, so `parse` reads every form
models answer in, and the CLI, `check`, `run` and extraction all read programs through it.

Hostile input costs linear time and gives a ParseError: programs longer than
`MAX_PROGRAM_CHARS` are refused before anything else, counts too long to convert are range
errors, repeats nested past `MAX_DEPTH` stop the reading at once, and quoted tokens are cut short.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from functools import cache
from importlib.resources import files

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.tree import Meta

from .ast import (
    COUNT_RANGE_HINT,
    MAX_DEPTH,
    MAX_TIMES,
    MIN_TIMES,
    PEN_COLORS,
    PEN_COLOUR,
    REPEAT_RANGE,
    Block,
    Command,
    Program,
    Repeat,
    SetPenColor,
    Span,
    check_tree,
    count_out_of_range,
    unknown_colour,
    walk,
)
from .errors import (
    QUOTE_CHARS,
    FileName,
    ParseError,
    caret_excerpt,
    digits_text,
    digits_value,
    file_name,
    line_column,
    number_text,
    odd_character,
    quoted,
    source_lines,
    too_many_digits,
)
from .language import ACTIONS, PYTHON_CALLS

# Real Mini programs are a few hundred characters, and a run stops after 100,000 commands; the
# text form's reader takes about 0.8 s and 120 MB per million characters (the Python-style form,
# read a line at a time, 0.25 s; benchmarks/bench_parse_sizes.py), so longer texts are refused
# before parsing.
MAX_PROGRAM_CHARS = 1_000_000

_CANONICAL_KIND = {
    "fd": "fd", "forward": "fd",
    "bk": "bk", "back": "bk", "backward": "bk",
    "lt": "lt", "left": "lt",
    "rt": "rt", "right": "rt",
}  # fmt: skip

_COMMAND_WORDS = (*_CANONICAL_KIND, "setpc", "setpencolor", "repeat")  # as the grammar spells them
_PYTHON_NAMES = tuple(a.python for a in ACTIONS)  # move_forward, ...: the Python form's calls

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

    @v_args(inline=True, meta=True)
    def setpc(self, meta: Meta, kw: Token, value: Token) -> SetPenColor:
        # the span runs to the rule's end: `setpc(red)` takes its `)`, which the tree drops
        span = Span(kw.line, kw.column, meta.end_line, meta.end_column)  # type: ignore[arg-type]
        return SetPenColor(_colour_word(value.value), span, _span(value, value))

    @v_args(inline=True, meta=True)
    def command(self, meta: Meta, tok: Token) -> Command:
        # by token type, not text: case-insensitive regexes also match "rıght" (dotless i); the
        # span runs to the rule's end, so `fd()` takes its brackets
        span = Span(tok.line, tok.column, meta.end_line, meta.end_column)  # type: ignore[arg-type]
        return Command(tok.type.lower(), span)  # type: ignore[arg-type]

    def repeat(self, kw: Token, times: Token, _open: Token, *rest: Block | Token) -> Repeat:
        *body, close = rest
        if too_many_digits(times.value):
            raise _LongCount(times.value, times.line, times.column)  # type: ignore[arg-type]
        return Repeat(
            digits_value(times.value),
            tuple(body),  # type: ignore[arg-type]
            _span(kw, close),  # type: ignore[arg-type]
            _span(times, times),
        )


class _LarkReader:
    """Lark, then `_ToAst` on its tree. The transformer is not embedded in the parser, because
    an embedded one gets no rule positions (`meta`), which the spans of `setpc(red)` and `fd()`
    need for their dropped `)`; this path reads only what the fast reader leaves to it."""

    def __init__(self, lark: Lark) -> None:
        self.lark = lark

    def parse(self, text: str) -> Program:
        return _ToAst().transform(self.lark.parse(text))


@cache
def _lark() -> _LarkReader:
    grammar = files("xlogo_lang.grammar").joinpath("xlogo.lark").read_text(encoding="utf-8")
    lark = Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        maybe_placeholders=False,
        propagate_positions=True,  # rule ends, for spans that take a dropped `)`
    )
    return _LarkReader(lark)


_CODE_JSON = re.compile(r'\s*\{\s*["}]')


def parse(text: str, *, filename: FileName | None = None, strict: bool = True) -> Program:
    """Parse a program in any accepted form (text, Logo style, Python style or code JSON).

    With `strict` (the default) a repeat count outside 1..12 or an unknown pen colour is a
    `ParseError` naming the rule; with `strict=False` such programs are returned as they are,
    for `check` to report every problem at once. (Code JSON is always read strictly, as the
    reference reads it.) Text longer than `MAX_PROGRAM_CHARS` is a `ParseError`.
    """
    from . import codejson, python_form

    if not isinstance(text, str):
        extra = " (for decoded code JSON, use from_json)" if isinstance(text, dict) else ""
        raise TypeError(f"parse expects a str, got {type(text).__name__}{extra}")
    filename = file_name(filename)
    # A byte-order mark (Windows Notepad saves UTF-8 with one) is not part of the program; the
    # columns reported are then those an editor shows, where the mark takes no room.
    text = text.removeprefix("\ufeff")
    _check_size(text, filename)
    if "\r" in text:  # a lone \r ends a line (old Mac files), as editors show it: the grammar
        # and Lark count lines at \n, so it becomes one (same length: the columns stand)
        text = _LONE_CR.sub("\n", text)
    if _CODE_JSON.match(text):
        return codejson.loads(text, file=filename)
    if python_form.looks_like_python(text):
        prog = python_form.parse_python(text, filename=filename)
        _check_depth(prog, text, filename)
    else:
        prog = _parse_text(text, filename)
    if strict:
        validate(prog, text=text, filename=filename)
    return prog


def as_program(value: Program | str, who: str) -> Program:
    """`value` as a checked program: text is parsed (in any form `parse` reads), a Program built
    by hand is checked as the parser checks (`check_tree`), anything else is a TypeError naming
    `who`, the function it was given to."""
    if isinstance(value, str):
        return parse(value)
    if isinstance(value, Program):
        check_tree(value)  # text and code JSON were checked as they were read
        return value
    raise TypeError(f"{who} expects a Program or a str, got {type(value).__name__}")


def _colour_word(value: str) -> str:
    """A pen colour as written (`red`, `"red"`, `'RED'`): one pair of quotes is the string's, any
    other quote is part of the word (`"'red'"` is no colour)."""
    return (value[1:-1] if value[:1] in ("'", '"') else value).lower()


TOO_LONG_HINT = "a Mini program is a few hundred characters: is this the right file?"
# the error of a text that ends inside a repeat's body (extraction tells it from other errors)
UNCLOSED_REPEAT = "unclosed repeat: the input ends before its closing bracket"


def _check_size(text: str, filename: str | None) -> None:
    if len(text) <= MAX_PROGRAM_CHARS:
        return
    # the first character past the limit, found without reading the text beyond its line (a
    # refusal costs the same whatever the size), lines counted as `source_lines` counts them
    at = MAX_PROGRAM_CHARS
    line = 1 + text.count("\n", 0, at) + text.count("\r", 0, at) - text.count("\r\n", 0, at)
    start = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
    column = at - start + 1
    shown = max(start, at - 60)  # caret_excerpt shows 120 characters of a long line at most
    cut = text[shown : at + 60]
    cut = cut[: min((i for i in (cut.find("\n"), cut.find("\r")) if i >= 0), default=len(cut))]
    raise ParseError(
        f"the program is {len(text):,} characters long; xlogo reads programs of at most "
        f"{MAX_PROGRAM_CHARS:,}",
        file=filename,
        line=line,
        column=column,
        excerpt=caret_excerpt(cut, 1, at - shown + 1) or None,
        hint=TOO_LONG_HINT,
    )


def _parse_text(text: str, filename: str | None) -> Program:
    """The text and Logo forms: the fast reader, and Lark for errors (see below)."""
    try:
        read = _fast_read(text, filename)
        if isinstance(read, Program):
            return read
        try:
            _lark().parse(read.rest_for_lark(text))
        except UnexpectedInput as exc:
            raise _parse_error(exc, text, filename) from None
        # Lark reads on where the fast reader gave up (a colour word with an exotic letter):
        # let it read the whole text
        try:
            prog = _lark().parse(text)
        except UnexpectedInput as exc:
            raise _parse_error(exc, text, filename) from None
    except _LongCount as exc:
        msg = count_out_of_range(digits_text(exc.digits))
        where = Span(exc.line, exc.column, exc.line, exc.column + len(exc.digits))
        raise _range_error(msg, where, text, filename, REPEAT_RANGE) from None
    _check_depth(prog, text, filename)
    return prog


# -- the fast path ---------------------------------------------------------------------------------
#
# Lark's LALR parser runs in pure Python at about 15 µs a token, and scoring, search and the
# benchmark parse programs by the thousand. Well-formed programs are therefore read by one regex
# scan and a bracket stack, about ten times faster; the grammar file stays the definition of the
# language, and tests/test_parser.py checks on random token soups that both readers build the same
# AST with the same spans wherever the fast one answers.
#
# Every error message still comes from Lark, but Lark does not read the whole text again (on a
# large program with an error at its end that took minutes). Where the fast reader stops, every
# block before the one it was reading is complete, and an LALR parser's state there depends only
# on the repeats still open and on the last item of the innermost list. So Lark is given the text
# with everything else before that point blanked out (newlines kept, so lines, columns and
# offsets do not move): it reads a few tokens and the rest, and stops at the same error, with the
# same expected tokens, as on the whole text (tested on random token soups).

# Python's case-insensitive regexes, which the grammar's keywords are, match these four
# non-ASCII letters as i, i, s and k ("rıght" is `rt`)
_EXOTIC = "\u0130\u0131\u017f\u212a"
_FOLD_EXOTIC = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_FAST_TOKEN = re.compile(  # blanks, then one token (or the end of the text)
    r"[ \t\r\n\f]*(?:(?P<comment>#[^\n]*|//[^\n]*)|(?P<sep>[;,])"
    rf"|(?P<word>[A-Za-z_{_EXOTIC}][A-Za-z0-9_{_EXOTIC}]*)|(?P<int>[0-9]+)|(?P<call>\([ \t]*\))"
    r"|(?P<str>\"[^\"\n]*\"|'[^'\n]*')|(?P<punct>[(){}\[\]])|(?P<end>\Z))"
)
_SETPC_WORDS = frozenset({"setpc", "setpencolor", "setpencolour"})
# every word of the text and Logo forms (commands and their long names, repeat, the colours)
TEXT_WORDS = frozenset({*_CANONICAL_KIND, *_SETPC_WORDS, "repeat", *PEN_COLORS})
_CLOSING = {"{": "}", "[": "]"}
_WS = re.compile(r"[ \t\r\n\f]*")
_LONE_CR = re.compile(r"\r(?!\n)")

# kind, text, line, column, offset
_Tok = tuple[str, str, int, int, int]


class _LongCount(Exception):
    """A repeat count too long to convert, found by either reader."""

    def __init__(self, digits: str, line: int, column: int) -> None:
        self.digits, self.line, self.column = digits, line, column


def _fast_tokens(text: str) -> list[_Tok]:
    """The tokens, up to a `bad` token where no token starts (comments and blanks dropped)."""
    toks: list[_Tok] = []
    line, line_start, pos = 1, 0, 0
    match, count = _FAST_TOKEN.match, text.count
    while True:
        m = match(text, pos)
        if m is None:
            start = _WS.match(text, pos).end()  # type: ignore[union-attr]
            kind = "bad"
        else:
            kind = m.lastgroup  # type: ignore[assignment]
            start = m.start(kind)
        if start != pos and count("\n", pos, start):
            line += count("\n", pos, start)
            line_start = text.rfind("\n", pos, start) + 1
        if kind == "end":
            return toks
        if kind == "bad":
            toks.append(("bad", "", line, start - line_start + 1, start))
            return toks
        if kind != "comment":
            toks.append((kind, m.group(kind), line, start - line_start + 1, start))  # type: ignore[union-attr]
        pos = m.end()  # type: ignore[union-attr]


def _tok_span(tok: _Tok) -> Span:
    return Span(tok[2], tok[3], tok[2], tok[3] + len(tok[1]))


def _tok_end(tok: _Tok) -> int:
    return tok[4] + len(tok[1])


class _Stop:
    """Where the fast reader gave up: what Lark must see of the text before that point."""

    def __init__(self, keep: list[tuple[int, int]], resume: int) -> None:
        self.keep = keep  # (start, end) offsets to keep as they are, in order
        self.resume = resume  # the text from here on is kept whole

    def rest_for_lark(self, text: str) -> str:
        """`text` with everything before `resume` that is not kept blanked, newlines kept."""
        out: list[str] = []
        done = 0
        for start, end in [*self.keep, (self.resume, len(text))]:
            out.append(_blank(text[done:start]))
            out.append(text[start:end])
            done = end
        return "".join(out)


def _blank(gap: str) -> str:
    return "\n".join(" " * len(part) for part in gap.split("\n"))


def _fast_parse(text: str) -> Program | None:
    """The program, if the fast reader reads `text`; None where it leaves the text to Lark."""
    read = _fast_read(text)
    return read if isinstance(read, Program) else None


# an open repeat: keyword token, count, count span, closing bracket, enclosing block list, and the
# indices of its first and last header tokens
_Open = tuple[_Tok, int, Span, str, list[Block], int, int]


def _fast_read(text: str, filename: str | None = None) -> Program | _Stop:
    """The program, or where the fast reader stopped.

    Raises ParseError for repeats nested more than MAX_DEPTH deep, and _LongCount, as soon as
    a well-formed repeat header shows them.
    """
    toks = _fast_tokens(text)
    blocks: list[Block] = []
    stack: list[_Open] = []
    # the last item of the current list, for Lark: tokens la..lb, and lc, a repeat's closing one
    la = lb = lc = -1
    i, n = 0, len(toks)
    while i < n:
        first = i
        tok = toks[i]
        kind, value = tok[0], tok[1]
        i += 1
        if kind == "word":
            key = value.lower() if value.isascii() else value.translate(_FOLD_EXOTIC).lower()
            command = _CANONICAL_KIND.get(key)
            if command is not None:
                end = tok  # `fd()`: the span takes the brackets, as Lark's rule end does
                if i < n and toks[i][0] == "call":
                    end = toks[i]
                    i += 1
                span = Span(tok[2], tok[3], end[2], end[3] + len(end[1]))
                blocks.append(Command(command, span))  # type: ignore[arg-type]
                la, lb, lc = first, i - 1, -1
                continue
            if key in _SETPC_WORDS:
                paren = i < n and toks[i][1] == "("
                j = i + 1 if paren else i
                if j >= n or toks[j][0] not in ("word", "str"):
                    break
                if toks[j][0] == "word" and not toks[j][1].isascii():
                    break  # a colour name is ASCII: Lark decides what this is
                if paren and (j + 1 >= n or toks[j + 1][1] != ")"):
                    break
                val = toks[j]
                color = _colour_word(val[1])
                last = toks[j + 1] if paren else val  # `setpc(red)`: the span takes its `)`
                span = Span(tok[2], tok[3], last[2], last[3] + len(last[1]))
                blocks.append(SetPenColor(color, span, _tok_span(val)))
                i = j + 2 if paren else j + 1
                la, lb, lc = first, i - 1, -1
                continue
            if key == "repeat":
                paren = i < n and toks[i][1] == "("
                j = i + 1 if paren else i
                if j >= n or toks[j][0] != "int":
                    break
                if paren:
                    if j + 1 >= n or toks[j + 1][1] != ")":
                        break
                    j += 1
                j += 1
                if j >= n or toks[j][1] not in _CLOSING:
                    break
                count = toks[i + 1] if paren else toks[i]
                if too_many_digits(count[1]):
                    raise _LongCount(count[1], count[2], count[3])
                if len(stack) >= MAX_DEPTH:
                    raise _too_deep(Span(tok[2], tok[3], tok[2], tok[3] + 6), text, filename)
                closing = _CLOSING[toks[j][1]]
                stack.append(
                    (tok, digits_value(count[1]), _tok_span(count), closing, blocks, first, j)
                )
                blocks = []
                la = lb = lc = -1
                i = j + 1
                continue
            break
        if kind == "sep":
            la, lb, lc = first, first, -1
            continue
        if kind == "punct" and stack and value == stack[-1][3]:
            kw, times, times_span, _, outer, header_first, header_last = stack.pop()
            span = Span(kw[2], kw[3], tok[2], tok[3] + 1)
            outer.append(Repeat(times, tuple(blocks), span, times_span))
            blocks = outer
            # Lark sees the repeat with its body blanked: the body is complete
            la, lb, lc = header_first, header_last, first
            continue
        break
    else:
        if not stack:
            return Program(tuple(blocks))
        first = n  # an unclosed repeat: Lark reads to the end
    keep = [(toks[e[5]][4], _tok_end(toks[e[6]])) for e in stack]
    if la >= 0:
        keep.append((toks[la][4], _tok_end(toks[lb])))
    if lc >= 0:
        keep.append((toks[lc][4], _tok_end(toks[lc])))
    return _Stop(keep, toks[first][4] if first < n else len(text))


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
                    raise _too_deep(where, text, filename)
                stack.append((block.body, level + 1))


def _too_deep(where: Span | None, text: str, filename: str | None = None) -> ParseError:
    return _range_error(f"repeats nested more than {MAX_DEPTH} deep", where, text, filename)


def validate(prog: Program, *, text: str | None = None, filename: str | None = None) -> None:
    """Raise ParseError on the first repeat count or pen colour the language does not allow."""
    for block in walk(prog.body):
        if isinstance(block, Repeat) and not MIN_TIMES <= block.times <= MAX_TIMES:
            raise _range_error(
                count_out_of_range(number_text(block.times)),
                block.times_span or block.span,
                text,
                filename,
                REPEAT_RANGE,
            )
        if isinstance(block, SetPenColor) and block.color not in PEN_COLORS:
            raise _range_error(
                unknown_colour(quoted(block.color)),
                block.color_span or block.span,
                text,
                filename,
                PEN_COLOUR,
            )


def _range_error(
    msg: str,
    span: Span | None,
    text: str | None,
    filename: str | None,
    rule: str | None = None,
    hint: str | None = None,
) -> ParseError:
    # a count gets the hint code JSON's error and `check`'s diagnostic give; a colour's message
    # lists the colours already
    hint = hint or (COUNT_RANGE_HINT if rule == REPEAT_RANGE else None)
    if span is None:
        return ParseError(msg, file=filename, rule=rule, hint=hint)
    excerpt = (
        caret_excerpt(text, span.line, span.column, span.end_column - span.column) if text else None
    )
    return ParseError(
        msg,
        file=filename,
        line=span.line,
        column=span.column,
        excerpt=excerpt or None,
        hint=hint,
        rule=rule,
    )


def _expected_words(names: Iterable[str]) -> list[str]:
    words = {_TOKEN_WORDS.get(n, n.lower()) for n in names if not n.startswith("__")}
    return sorted(words)


def _parse_error(exc: UnexpectedInput, text: str, filename: str | None) -> ParseError:
    line, column = max(exc.line, 1), max(exc.column, 1)
    if isinstance(exc, UnexpectedEOF) or (
        isinstance(exc, UnexpectedToken) and exc.token.type == "$END"
    ):
        expected = _expected_words(exc.expected)
        lines = source_lines(text) or [""]
        line, column = len(lines), len(lines[-1]) + 1
        if "'}'" in expected or "']'" in expected:
            msg, hint = UNCLOSED_REPEAT, "add '}' (or ']')"
        elif expected == ["')'"]:
            msg, hint = "missing ')': the input ends before it", None
        else:
            msg, hint = "unexpected end of input", None
    elif isinstance(exc, UnexpectedCharacters):
        expected = _expected_words(exc.allowed or set())
        # lark declares pos_in_stream = None on the base class; UnexpectedCharacters sets an int
        word = _word_at(text, exc.pos_in_stream)  # type: ignore[arg-type]
        msg, hint = _classify(word, expected, _word_before(text, exc.pos_in_stream))
        pos: int = exc.pos_in_stream  # type: ignore[assignment]
        odd = _odd_character(text, pos) or _foreign_letter(text, pos)
        if odd is None:
            count = _odd_count(text, pos, filename)
            if count is not None:
                return count
        msg, hint = odd or (msg, hint)
    else:
        assert isinstance(exc, UnexpectedToken)
        expected = _expected_words(exc.accepts or exc.expected)
        before = _word_before(text, exc.token.start_pos)
        msg, hint = _classify(str(exc.token.value), expected, before)
        if exc.token.start_pos is not None:
            at = exc.token.start_pos
            msg, hint = _odd_character(text, at) or _foreign_letter(text, at) or (msg, hint)
    return ParseError(
        msg,
        expected=expected,
        file=filename,
        line=line,
        column=column,
        excerpt=caret_excerpt(text, line, column) or None,
        hint=hint or (f"expected {_join_or(expected)}" if expected else None),
    )


_COUNT_BEFORE = re.compile(r"\brepeat\s*\(?\s*\Z", re.I)
_SIGNED_COUNT = re.compile(r"[-+]\s*(\d+)")
_DECIMAL_COUNT = re.compile(r"\brepeat\s*\(?\s*(\d+)\Z", re.I)


def _odd_count(text: str, pos: int, filename: str | None) -> ParseError | None:
    """The error for a repeat count written with a sign or a fraction (`repeat(-1)`,
    `repeat(2.5)`), which the grammar reads as no count, or a count cut short at the '.':
    "missing repeat count before '-'" said the count was not there. Worded as the Python-style
    form and code JSON word the same counts: a count below 1 is out of range, a fraction is no
    whole number."""
    head = text[max(0, pos - QUOTE_CHARS) : pos]
    signed = _SIGNED_COUNT.match(text, pos) if _COUNT_BEFORE.search(head) else None
    if signed is not None:
        sign, digits = text[pos], signed.group(1).lstrip("0") or "0"
        if sign == "+" and digits != "0":
            message, rule = f"repeat count {quoted(signed.group())} has a sign", None
            hint = f"write it without one: repeat({digits_text(digits)}){{...}}"
        else:
            shown = digits_text(("-" if sign == "-" and digits != "0" else "") + digits)
            message, hint, rule = count_out_of_range(shown), COUNT_RANGE_HINT, REPEAT_RANGE
        where = Span(*line_column(text, pos), *line_column(text, signed.end()))
        return _range_error(message, where, text, filename, rule, hint)
    whole = _DECIMAL_COUNT.search(head)
    if whole is not None and text.startswith(".", pos) and text[pos + 1 : pos + 2].isdigit():
        start = pos - len(whole.group(1))
        end = pos + 1
        while end < len(text) and text[end].isdigit():
            end += 1
        where = Span(*line_column(text, start), *line_column(text, end))
        message, hint = (
            "the repeat count must be a whole number",
            "write repeat(3){...}; counts are 1..12",
        )
        return _range_error(message, where, text, filename, None, hint)
    return None


def _word_at(text: str, pos: int) -> str:
    """The word at `pos` (or its first character), cut after a few dozen characters."""
    head = text[pos : pos + 2 * QUOTE_CHARS]
    end = 0
    while end < len(head) and (head[end].isalnum() or head[end] == "_"):
        end += 1
    return head[:end] or head[:1]


# Letters of other scripts that look like ASCII ones: a model or a keyboard layout slips them into
# a word (`rеd` with a Cyrillic е), and the grammar's words are ASCII
_LOOKALIKES = str.maketrans(
    "аеорсухкмтвнАЕОРСУХКМТВНіІјЈѕЅԁɡοαΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxkmtbhAEOPCYXKMTBHiIjJsSdgoaABEZHIKMNOPTYX",
)


def _foreign_letter(text: str, pos: int) -> tuple[str, str | None] | None:
    """The error for a word holding a letter outside ASCII at or next to `pos`, named whole (the
    grammar's words stop at the letter, so the plain message would name a fragment: `'еd'` of
    `rеd`), with the ASCII word it looks like when that is one the language knows."""
    if not 0 <= pos < len(text):
        return None
    start = end = pos
    while (
        start > 0
        and start - pos < QUOTE_CHARS
        and (text[start - 1].isalnum() or text[start - 1] == "_")
    ):
        start -= 1
    while end < len(text) and end - pos < QUOTE_CHARS and (text[end].isalnum() or text[end] == "_"):
        end += 1
    word = text[start:end]
    odd = next((ch for ch in word if not ch.isascii()), None)
    if odd is None:
        return None
    import unicodedata

    name = unicodedata.name(odd, f"U+{ord(odd):04X}")
    plain = "".join(
        ch for ch in unicodedata.normalize("NFKD", word.translate(_LOOKALIKES)) if ch.isascii()
    )
    if odd.isdigit():  # a full-width or Arabic-Indic digit: a count typed on another keyboard
        digits = "".join(str(unicodedata.digit(c, "?")) if c.isdigit() else c for c in word)
        hint = f"write it with ASCII digits: {digits}" if digits.isdigit() else "use ASCII digits"
        return f"{quoted(word)} has a digit that is not ASCII: {odd!r} ({name})", hint
    known = plain.lower() in TEXT_WORDS
    hint = f"did you mean {quoted(plain)}?" if known else "the language's words are ASCII letters"
    return f"{quoted(word)} has a letter that is not ASCII: {odd!r} ({name})", hint


def _odd_character(text: str, pos: int) -> tuple[str, str | None] | None:
    """The error for a character a reader cannot tell from an allowed one (`odd_character`)."""
    return odd_character(text[pos]) if 0 <= pos < len(text) else None


_MOVES = frozenset(_CANONICAL_KIND)  # fd, bk, lt, rt and their long names
_WORD_BEFORE = re.compile(r"([A-Za-z]+)\s*$")


def _word_before(text: str, pos: int | None) -> str:
    """The word just before `pos` (lower case), or "" (for `fd 100`: the `fd`)."""
    if pos is None:
        return ""
    m = _WORD_BEFORE.search(text, max(0, pos - QUOTE_CHARS), pos)
    return m.group(1).lower() if m else ""


def _classify(found: str, expected: list[str], before: str = "") -> tuple[str, str | None]:
    """Name the error from what was found, the word before it and what could have come, with
    a one-line hint."""
    shown = quoted(found)
    if expected == ["')'"]:  # `repeat(3{`, `setpc(red fd`: the word is fine, the ')' is not there
        return f"missing ')' before {shown}", None
    if "a number" in expected:
        return f"missing repeat count before {shown}", "write repeat(3){...} or repeat 3 [...]"
    if found[:1].isdigit() and before in _MOVES:  # classic Logo's `fd 100`, `rt 90`
        return (
            f"unexpected number {shown}: fd, bk, lt and rt take no number",
            "each fd or bk moves one square and each lt or rt turns a quarter: "
            "fd fd fd (or repeat(3){fd}) goes three squares",
        )
    if "a colour name" in expected:
        return f"missing pen colour before {shown}", f"one of {', '.join(PEN_COLORS)}"
    if found in ("}", "]"):
        return f"unmatched {shown}: no repeat is open here", None
    if found in ("{", "["):
        return f"unexpected {shown}: a body needs 'repeat N' before it", None
    if "'{'" in expected or "'['" in expected:
        return f"missing repeat body before {shown}", "write repeat(3){fd rt} or repeat 3 [fd rt]"
    if found[:1].isalpha():
        hint = "commands are fd, bk, lt, rt, setpc(colour), repeat(n){...}"
        # a slip of one letter (`foward`, `rigth`, `repet`); a word merely like one (`reset`
        # and repeat) gets the list alone
        close = difflib.get_close_matches(found.lower(), _COMMAND_WORDS, n=1, cutoff=0.75)
        if close:
            return f"unknown command {shown}", f"did you mean {close[0]!r}? ({hint})"
        # a Python-form name misspelt (`move_foward()` alone) is not read as Python at all
        like = difflib.get_close_matches(found.lower(), _PYTHON_NAMES, n=1, cutoff=0.75)
        if like:
            hint = f"did you mean {like[0]}()? (the Python form's functions are {PYTHON_CALLS})"
        return f"unknown command {shown}", hint
    return f"unexpected {shown}", None


def _join_or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
