"""Find the program in a model's free-form reply.

`extract_program(reply)` returns an `Extraction`: the program (or None), the exact text taken,
where it came from and, when nothing parsed, why the best candidate failed. Parsing is `parse`'s
job (text, Logo and Python-style forms alike); this module only decides which part of the reply
to hand it. The rules, in order of precedence:

1. **json**: the reference code JSON `{"run": [...]}` anywhere in the reply (in a fence or in
   prose). Each `{` that opens an object whose first key is `"run"` is decoded with
   `json.JSONDecoder.raw_decode`, which finds the balanced object; the last one that converts to a
   non-empty program wins.
2. **fenced**: the last fenced code block (``` or ~~~, any language tag, an unterminated last
   fence running to the end) that parses to a non-empty program. Only blocks with a
   command-like line (see 3.) are candidates, so a drawing of the grid in a later fence is
   passed over; earlier blocks are tried when the last candidate fails to parse, so a reply
   that restates its answer in words in a later fence (`forward twice, then right`) still
   works.
3. **lines**: the longest span of consecutive command-like lines that parses. A line is
   command-like when, after list numbering (`1.`, `2)`, `- `, `* `) or an answer label
   (`Answer:`, `Program:`), it starts with a command word (fd, forward, repeat, setpc,
   move_forward, def, for, ...), an inline-code span holding one, or a bracket (a repeat's
   `{` on a line of its own, its closing `}`). The line is read in pieces: its inline-code
   spans, and the text outside them cut at arrows
   (`->`, `=>`, `→`, `⇒`, `⟶`) and at dashes between blanks (`-`, `--`, `–`, `—`). Every span
   is code, in order (`` `fd` `rt` ``); so is the first piece, and each later piece that
   starts with a word, brace or square bracket and holds only command words (`fd -> rt -> fd`
   is `fd rt fd`); any other piece is a note and is dropped (`fd  - go up`, `rt → turn
   right`, `` `fd` (up) ``), and so is a sentence's full stop after the last command
   (`fd rt fd.`). Commands after a note outside backticks (`fd -- go up -> rt`)
   cannot be told from it: the line's run gives no program, and its error names the line.
   Blank lines and comment lines (`#`, `//`) between command-like lines join them, as the
   parser reads comments in every form; any other line breaks the span.
   A span that fails to parse is split at the line the parser complains about (or without its
   first or its last line, for an error at its end) and the pieces are tried, longest first;
   ties go to the later span. A span that parses but for a repeat count or pen colour out of
   range, or that leaves a repeat open, is a broken answer, not split (its lines are code,
   none of them prose to leave out). Lines made only of prose never parse, so "move forward
   twice" in a sentence is never taken.

Documented choices:

* When fenced blocks hold code (command-like lines) and none of them parses, the reply's answer
  is broken: the error of the last such block is reported and the rest of the reply is not
  searched, so a fragment of a broken answer is never scored. Fences without code (a drawing of
  the grid) do not stop the line search.
* When nothing parses, `error` is the error of the best candidate: the last code JSON, else the
  last fenced block with code, else the longest command-like span. Its line numbers are lines
  of the reply.
* Programs are parsed strictly: a `repeat(13)` answer is an extraction error, not a program
  (nor are the lines around it).
* A byte-order mark (U+FEFF) at the start of the reply or of a fenced block is not part of it,
  as `parse` ignores one at the start of a program.

Limits, so that garbage and a 10 MB reply cost well under a second (the parser runs at about
15 µs a token, so it must only see plausible candidates): the reply is scanned with a few
regular expressions; a candidate longer than `MAX_CANDIDATE_CHARS` characters or
`MAX_SPAN_LINES` lines is not parsed (no real answer is that long) and its error says it is
too long: a run of command-like lines that long is refused whole, never read in pieces that fit
(a piece of an answer is never scored); a JSON object is decoded from a window of that many
characters from its opening (an object that is not complete in it is refused as too long, or
broken); at most `MAX_JSON_ATTEMPTS` JSON objects and `MAX_FENCE_ATTEMPTS` fenced blocks (the
last ones) and `MAX_PARSE_ATTEMPTS` line spans are parsed, and the blocks and spans parsed hold
at most `MAX_PARSE_CHARS` characters in all: the search ends at the first one that does not fit
in what is left, as it ends when the attempts run out (a span whose error is on its first line
splits into two pieces of nearly its size, so attempts alone let the parser read 200 times the
longest candidate); the line search reads only the lines that reach into the last
`MAX_LINE_SEARCH_CHARS` characters of the reply (answers come at the end); a reply with more
than `MAX_FENCES` fence lines is garbage and yields nothing but its code JSON.

This module never runs programs and never judges them.
"""

from __future__ import annotations

import bisect
import heapq
import json
import re
from collections import deque
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any

from .ast import PEN_COLORS, PEN_COLOUR, REPEAT_RANGE, Program
from .codejson import from_json, parse_int
from .errors import ParseError, ProgramError, XlogoError, caret_excerpt
from .language import python_names
from .parser import TEXT_WORDS, UNCLOSED_REPEAT, parse
from .printer import to_text
from .python_form import looks_like_python

MAX_CANDIDATE_CHARS = 100_000
MAX_SPAN_LINES = 500
MAX_JSON_ATTEMPTS = 64
MAX_FENCE_ATTEMPTS = 64
MAX_FENCES = 2_000
MAX_PARSE_ATTEMPTS = 200
MAX_PARSE_CHARS = 300_000  # 3 of the longest candidates; at worst (1.5 µs a character) 0.45 s
MAX_LINE_SEARCH_CHARS = 500_000


@dataclass(frozen=True)
class Extraction:
    """The program found in a reply, with enough provenance to trace a score back to the text."""

    program: Program | None
    text: str | None  # the exact text taken (a substring of the reply, line endings as \n)
    source: str  # "fenced" | "json" | "lines" | "none"
    start_line: int | None  # 1-based lines in the reply
    end_line: int | None
    language: str | None  # the fence's language tag, if any
    # why the best candidate failed, when nothing parsed; an exception compares by identity, so
    # the error is compared by its JSON form (`_error_key`): two reads of one reply are equal
    error: XlogoError | None = field(compare=False)
    # characters of fenced blocks and line spans handed to the parser on the way (at most
    # MAX_PARSE_CHARS): what the reply cost to read; no part of the result's identity
    parsed_chars: int = field(default=0, compare=False)
    _error_key: str | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        key = None if self.error is None else json.dumps(self.error.to_dict(), sort_keys=True)
        object.__setattr__(self, "_error_key", key)

    @property
    def ok(self) -> bool:
        return self.program is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "program": to_text(self.program) if self.program is not None else None,
            "text": self.text,
            "source": self.source,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "language": self.language,
            "error": self.error.to_dict() if self.error is not None else None,
        }


def check_reply(reply: object, fn: str) -> None:
    """A reply is text. Anything else (bytes not yet decoded, None for no reply, a number) is
    the caller's slip: read as a reply it would hold no program, and a bytes reply with a
    correct program would be scored a failure. `fn` is the function it was given to."""
    if not isinstance(reply, str):
        raise TypeError(f"{fn} expects a str, got {type(reply).__name__}")


def extract_program(reply: str) -> Extraction:
    """The program in `reply`, by the rules of the module docstring (source "none": no program)."""
    check_reply(reply, "extract_program")
    # a byte-order mark is no part of the reply (line numbers stand: it is on line 1)
    text = reply.removeprefix(_BOM).replace("\r\n", "\n").replace("\r", "\n")
    lines = _LineIndex(text)
    budget = _Budget()
    found = _extract(text, lines, budget)
    return replace(found, parsed_chars=MAX_PARSE_CHARS - budget.left)


def _extract(text: str, lines: _LineIndex, budget: _Budget) -> Extraction:
    found, json_error = _from_json(text, lines)
    if found is not None:
        return found
    found, fence_error, code_in_fences = _from_fences(text, lines, budget)
    if found is not None:
        return found
    if code_in_fences:
        return _nothing(json_error or fence_error)
    found, lines_error = _from_lines(text, lines, budget)
    if found is not None:
        return found
    return _nothing(json_error or fence_error or lines_error)


def _nothing(error: XlogoError | None) -> Extraction:
    return Extraction(None, None, "none", None, None, None, error)


_BOM = "\ufeff"


class _Budget:
    """The characters the parser may still read, shared by the fenced blocks and the line spans."""

    def __init__(self) -> None:
        self.left = MAX_PARSE_CHARS
        self.spent = False  # a candidate did not fit: the search is over

    def pay(self, candidate: str) -> bool:
        """Whether `candidate` may be parsed, paying for it if so. One longer than
        `MAX_CANDIDATE_CHARS` is refused unread (`_try_parse`), so it costs nothing."""
        if self.spent:
            return False
        if len(candidate) > MAX_CANDIDATE_CHARS:
            return True
        if len(candidate) > self.left:
            self.spent = True
            return False
        self.left -= len(candidate)
        return True


class _LineIndex:
    """Line numbers of offsets, counted lazily: most replies need only a few of them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.offsets = [0]
        self.numbers = [1]

    def line_of(self, offset: int) -> int:
        """Counted from the nearest offset already known, below or above."""
        i = bisect.bisect_right(self.offsets, offset) - 1
        below = self.offsets[i]
        if i + 1 < len(self.offsets) and self.offsets[i + 1] - offset < offset - below:
            line = self.numbers[i + 1] - self.text.count("\n", offset, self.offsets[i + 1])
        else:
            line = self.numbers[i] + self.text.count("\n", below, offset)
        if below == offset:
            return line
        self.offsets.insert(i + 1, offset)
        self.numbers.insert(i + 1, line)
        return line


# -- 1. code JSON --------------------------------------------------------------------------------

_JSON_START = re.compile(r'\{\s*"run"\s*:')
_FAST_DECODER = json.JSONDecoder()  # C all the way: no Python call per integer
_DECODER = json.JSONDecoder(parse_int=parse_int)  # huge integers stay text, for from_json


def _decode(window: str) -> tuple[object, int]:
    """The JSON object at the start of `window` and where it ends. An integer longer than
    Python converts (ValueError, not a JSONDecodeError) is read again with the hook that keeps it
    as text; below that, an int and the hook's value give `from_json` the same errors."""
    try:
        return _FAST_DECODER.raw_decode(window)
    except json.JSONDecodeError:
        raise
    except ValueError:
        return _DECODER.raw_decode(window)


def _from_json(text: str, lines: _LineIndex) -> tuple[Extraction | None, XlogoError | None]:
    error: XlogoError | None = None
    opens = deque((m.start() for m in _JSON_START.finditer(text)), maxlen=MAX_JSON_ATTEMPTS)
    for pos in reversed(opens):
        # An object longer than extraction reads is refused unread: each opening decodes a
        # window of at most MAX_CANDIDATE_CHARS + 1 characters, so 64 openings nested in a
        # reply of megabytes cost 64 windows, not 64 passes over the reply.
        window = text[pos : pos + MAX_CANDIDATE_CHARS + 1]
        try:
            obj, size = _decode(window)
        except (json.JSONDecodeError, RecursionError):
            if len(window) > MAX_CANDIDATE_CHARS and error is None:  # cut short, or broken
                error = ProgramError(
                    f"code JSON that is not complete within {MAX_CANDIDATE_CHARS:,} characters: "
                    "longer than extraction reads, or not valid JSON",
                    line=lines.line_of(pos),
                )
            continue  # not JSON after all: a brace in prose, a truncated object
        end = pos + size
        first, last = lines.line_of(pos), lines.line_of(end - 1)
        try:
            prog = from_json(obj)
        except ProgramError as exc:
            if error is None:
                exc.line, exc.file = first, None
                error = exc
            continue
        if prog.body:
            return Extraction(prog, text[pos:end], "json", first, last, None, None), None
    return None, error


# -- 2. fenced code blocks -----------------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})([^\n]*)$", re.MULTILINE)


@dataclass(frozen=True)
class _Block:
    start: int  # offset of the first content character
    end: int  # offset just after the content (before the newline of the closing fence)
    language: str | None


def _fences(text: str) -> list[_Block] | None:
    """Fenced code blocks in CommonMark's sense, or None when there are too many to read."""
    if "```" not in text and "~~~" not in text:
        return []
    marks = list(islice(_FENCE.finditer(text), MAX_FENCES + 1))
    if len(marks) > MAX_FENCES:
        return None
    blocks = []
    i = 0
    while i < len(marks):
        m = marks[i]
        fence, info = m[1], m[2]
        i += 1
        if fence[0] == "`" and "`" in info:
            continue  # not a fence: an inline ```code``` span
        start = min(m.end() + 1, len(text))
        if text.startswith(_BOM, start):  # as parse reads the block: the mark is not in it
            start += 1
        while i < len(marks) and not _closes(marks[i], fence):
            i += 1
        if i == len(marks):  # unterminated: the block runs to the end of the reply
            blocks.append(_Block(start, len(text), _language(info)))
            break
        close = marks[i]
        blocks.append(_Block(start, max(close.start() - 1, start), _language(info)))
        i += 1
    return blocks


def _closes(m: re.Match[str], fence: str) -> bool:
    return m[1][0] == fence[0] and len(m[1]) >= len(fence) and not m[2].strip()


def _language(info: str) -> str | None:
    words = info.split()
    return words[0] if words else None


def _from_fences(
    text: str, lines: _LineIndex, budget: _Budget
) -> tuple[Extraction | None, XlogoError | None, bool]:
    """(the last block that parses, the error of the last block with code, whether any has code)."""
    blocks = _fences(text)
    if blocks is None:
        return None, ParseError(f"more than {MAX_FENCES} code fences: not read as an answer"), True
    error: XlogoError | None = None
    # (the content is searched as a string of its own: after a byte-order mark, its first line
    # starts at no line break, where `^` would not match in `text`)
    contents = ((b, text[b.start : b.end]) for b in blocks)
    code_blocks = [(b, content) for b, content in contents if _COMMAND_LINE.search(content)]
    for b, content in reversed(code_blocks[-MAX_FENCE_ATTEMPTS:]):
        if not budget.pay(content):
            break
        first = lines.line_of(b.start)
        prog, err = _try_parse(content, first)
        if prog is not None:
            if prog.body:
                last = first + content.count("\n")
                return (
                    Extraction(prog, content, "fenced", first, last, b.language, None),
                    None,
                    True,
                )
            continue
        if error is None:
            error = err
    return None, error, bool(code_blocks)


# -- 3. spans of command-like lines --------------------------------------------------------------

# Runs of blanks are matched possessively (`*+`, `++`: what follows never starts with a blank), so
# that a line of megabytes of blanks is scanned once, not once from each of its blanks.
_MARKER = r"(?:(?:step[ \t]*+)?\d{1,3}[ \t]*+[.):]|[-*+•])[ \t]++"
_LABEL = (
    r"(?:\*\*)?(?:final[ \t]++)?(?:answer|program|solution|code)(?:\*\*)?[ \t]*+:(?:\*\*)?[ \t]++"
)
# the words a command line may start with: every command word `parse` reads (text, Logo and
# Python-style names, their aliases included) and the Python form's own keywords
_COMMAND_WORDS = (
    (TEXT_WORDS - frozenset(PEN_COLORS)) | frozenset(python_names()) | {"def", "for", "pass"}
)
_WORD = "(?:{})(?![A-Za-z0-9_])".format(
    "|".join(sorted(map(re.escape, _COMMAND_WORDS), key=len, reverse=True))
)
_HEAD = rf"[ \t]*+(?:{_MARKER}|{_LABEL})?(?:`[ \t]*+)?(?:{_WORD}|[{{}}\[\]])"
_COMMAND_LINE = re.compile(rf"^{_HEAD}", re.MULTILINE | re.IGNORECASE)
# a run: command-like lines, with blank lines and comment lines (`#`, `//`: the parser reads both
# as comments, in every form) allowed between them
_RUN = re.compile(
    rf"^{_HEAD}[^\n]*(?:\n(?:[ \t]*+(?:(?:#|//)[^\n]*)?\n)*{_HEAD}[^\n]*)*",
    re.MULTILINE | re.IGNORECASE,
)
_PREFIX = re.compile(rf"^[ \t]*(?:{_MARKER}|{_LABEL})", re.IGNORECASE)
# A line is read as pieces: inline-code spans, and the text outside them cut at separators (an
# arrow, or a dash between blanks).
_SPAN = re.compile(r"`([^`\n]+)`")
_DASH = r"[ \t]+(?:-{1,2}|–|—)[ \t]+"
_SEPARATOR = re.compile(rf"[ \t]*(?:-{{1,2}}>|={{1,2}}>|→|⇒|⟶)[ \t]*|{_DASH}")
# The same, not starting inside a run of blanks: tried from every blank of a long run, the
# leading `[ \t]*` scanned the rest of the run each time, quadratic in the run's length.
_LATER_SEPARATOR = re.compile(rf"(?<![ \t])(?:{_SEPARATOR.pattern})")
_WORD_IN_PIECE = re.compile(r"[^\W\d]\w*")
_FULL_STOP = re.compile(r"(?<=[A-Za-z0-9)\]}`])\.[ \t]*$")
# the words a piece of commands after the first may hold
_VOCABULARY = TEXT_WORDS | frozenset(python_names())


class _MixedLine(Exception):
    """A line with commands after a note, outside inline code: which words are commands is a
    guess, so the line is not read (a fragment of the answer is never scored)."""

    def __init__(self, column: int) -> None:
        super().__init__(column)
        self.column = column  # 1-based, in the line as written


def _normalise(line: str) -> str | None:
    """A reply line as the parser should see it, or None for a line that is not command-like.

    The list marker or label goes; lines without a marker keep their indentation, which the
    Python-style form needs. Of the pieces (see above), inline-code spans are code, in order; so
    is the first piece, and any later piece that starts with a word or a brace and holds only
    command words; any other piece is a note and is dropped. Raises _MixedLine for a piece of
    commands after a note (a span after a note is fine: backticks say what is code).
    """
    if not _COMMAND_LINE.match(line):
        return None
    m = _PREFIX.match(line)
    start = m.end() if m is not None else 0
    line = _FULL_STOP.sub("", line)  # a sentence's full stop after the last command
    code: list[str] = []
    in_note = False
    for span in [*_SPAN.finditer(line, start), None]:
        end = len(line) if span is None else span.start()
        for piece, offset in _pieces(line, start, end):
            if not code:
                code.append(piece.rstrip())  # the command the line starts with
            elif _is_code(piece):
                if in_note:
                    raise _MixedLine(offset + len(piece) - len(piece.lstrip()) + 1)
                code.append(piece.strip())
            else:
                in_note = True
        if span is not None:
            code.append(span[1].strip())
            in_note = False
            start = span.end()
    text = " ".join(code)
    # Python's statements on one line need `;` (which the text form also reads)
    return "; ".join(code) if len(code) > 1 and looks_like_python(text) else text


def _pieces(line: str, start: int, end: int) -> list[tuple[str, int]]:
    """The non-blank pieces of line[start:end] between separators, with their offsets.

    The separators are those `_SEPARATOR.finditer` finds, in one pass over the blanks: one that
    starts further on than the search does not start inside a run of blanks, as it would match
    from the blank before it too.
    """
    pieces = []
    while True:
        sep = _SEPARATOR.match(line, start, end) or _LATER_SEPARATOR.search(line, start + 1, end)
        stop = end if sep is None else sep.start()
        if line[start:stop].strip():
            pieces.append((line[start:stop], start))
        if sep is None:
            return pieces
        start = sep.end()


def _is_code(piece: str) -> bool:
    """Whether a piece (not the first) is commands: it starts with a word or a brace or square
    bracket (not `(`, which opens a remark), and all its words are command words."""
    piece = piece.strip()
    if piece[0] not in "{}[]" and not _WORD_IN_PIECE.match(piece):
        return False
    return all(w.lower() in _VOCABULARY for w in _WORD_IN_PIECE.findall(piece))


def _from_lines(
    text: str, lines: _LineIndex, budget: _Budget
) -> tuple[Extraction | None, XlogoError | None]:
    # Only the tail of a huge reply is read (answers come last), from the start of the line it
    # begins in: from the next line on, a last line longer than the tail (a program of one
    # line) was no run at all, and the reply's answer "no program" instead of "too long".
    tail = 0
    if len(text) > MAX_LINE_SEARCH_CHARS:
        tail = text.rfind("\n", 0, len(text) - MAX_LINE_SEARCH_CHARS) + 1
    # The longest runs first, counted in lines (blank lines included; exact counts come later).
    runs = heapq.nlargest(
        MAX_PARSE_ATTEMPTS,
        (
            (text.count("\n", m.start(), m.end()), m.start(), m.end())
            for m in _RUN.finditer(text, tail)
        ),
    )
    search = _SpanSearch(budget)
    for size, start, end in runs:
        first = lines.line_of(start)
        if size >= MAX_SPAN_LINES:
            search.note(
                ParseError(
                    f"{size + 1} lines of commands: longer than the {MAX_SPAN_LINES} lines read",
                    line=first,
                )
            )
            continue
        if end - start > MAX_CANDIDATE_CHARS:
            # refused whole, as a fenced block is: split by the search below, it was parsed in
            # pieces that fit, and one of them scored as the answer
            search.note(_too_long(end - start, first))
            continue
        search.run(text[start:end].split("\n"), first)
    return search.result(), search.first_error


class _SpanSearch:
    """The longest parsing span over all runs, within a budget of parse attempts and characters."""

    def __init__(self, budget: _Budget) -> None:
        self.budget = budget
        self.attempts = 0
        self.best: tuple[int, int, Program, str] | None = None  # (size, first line, program, text)
        self.first_error: XlogoError | None = None  # the error of the longest run

    def run(self, raw: list[str], first_line: int) -> None:
        norm: list[str | None] = []
        for i, line in enumerate(raw):
            try:
                norm.append(_normalise(line))
            except _MixedLine as exc:
                # a line that cannot be read: no span of this run is taken, not even a part
                self.note(_mixed_line_error(line, first_line + i, exc.column))
                return
        code = [i for i, n in enumerate(norm) if n is not None]

        def size(a: int, b: int) -> int:
            return bisect.bisect_right(code, b) - bisect.bisect_left(code, a)

        def trim(a: int, b: int) -> tuple[int, int]:
            while a <= b and norm[a] is None:
                a += 1
            while b >= a and norm[b] is None:
                b -= 1
            return a, b

        # a max-heap of spans on (command lines, start): the longest, then the latest, first
        pending = [(-size(0, len(raw) - 1), 0, 0, len(raw) - 1)]
        seen: set[tuple[int, int]] = set()
        while pending and self.attempts < MAX_PARSE_ATTEMPTS and not self.budget.spent:
            _, _, a, b = heapq.heappop(pending)
            a, b = trim(a, b)
            if a > b or (a, b) in seen or not self.could_win(size(a, b), first_line + a):
                continue
            candidate = "\n".join(n or "" for n in norm[a : b + 1])
            if not self.budget.pay(candidate):
                return
            seen.add((a, b))
            self.attempts += 1
            prog, err = _try_parse(candidate, first_line + a)
            if prog is not None:
                if prog.body:
                    self.best = (size(a, b), first_line + a, prog, "\n".join(raw[a : b + 1]))
                continue
            self.note(err)
            if isinstance(err, ProgramError) and (
                err.rule in (REPEAT_RANGE, PEN_COLOUR) or err.message == UNCLOSED_REPEAT
            ):
                # the candidate parsed as a program but for a count or colour out of range, or
                # it opens a repeat it never closes: its lines are code, not prose to leave
                # out, and no piece of it is the answer (without its first line, an open
                # repeat's body)
                return
            bad = err.line - first_line if err is not None and err.line is not None else b
            pieces = [(a, bad - 1), (bad + 1, b)] if a < bad < b else [(a, b - 1), (a + 1, b)]
            for pa, pb in pieces:
                heapq.heappush(pending, (-size(pa, pb), -pa, pa, pb))

    def could_win(self, size: int, line: int) -> bool:
        """More command lines than the best so far, or as many and later in the reply."""
        if self.best is None:
            return True
        best_size, best_line, _, _ = self.best
        return size > best_size or (size == best_size and line > best_line)

    def note(self, err: XlogoError | None) -> None:
        if self.first_error is None and err is not None:
            self.first_error = err

    def result(self) -> Extraction | None:
        if self.best is None:
            return None
        _, line, prog, raw = self.best
        return Extraction(prog, raw, "lines", line, line + raw.count("\n"), None, None)


# -- shared --------------------------------------------------------------------------------------


def _mixed_line_error(line: str, number: int, column: int) -> ParseError:
    return ParseError(
        "commands after a note on one line: which words are commands is unclear",
        line=number,
        column=column,
        excerpt=caret_excerpt(line, 1, column),
        hint="write the note after the last command, or put each command in backticks",
    )


def _too_long(chars: int, line: int) -> ParseError:
    return ParseError(
        f"{chars:,} characters: longer than the {MAX_CANDIDATE_CHARS:,} extraction reads",
        line=line,
    )


def _try_parse(text: str, first_line: int) -> tuple[Program | None, XlogoError | None]:
    """Parse a candidate that starts on reply line `first_line`; errors count reply lines."""
    if len(text) > MAX_CANDIDATE_CHARS:
        return None, _too_long(len(text), first_line)
    try:
        return parse(text), None
    except XlogoError as exc:
        if exc.line is not None:
            exc.line += first_line - 1
        exc.file = None
        return None, exc
