"""Code constraints (exactly / at_most / start_by): counting, checking, and their English text.

Counting walks the AST without unrolling; every block counts 1 under its own type and `all` is the
total (SEMANTICS.md section 6). The check reproduces the reference, quirks included: a type that
does not appear in the code is never checked against `exactly`. One documented difference: where
the reference raises IndexError (a `start_by` longer than the program's top level), xlogo reports
the constraint as violated.

`Constraints` is frozen and hashable, and its bounds are read-only `FrozenDict`s copied from the
mappings it was given, so a task's rules cannot change after it is built (`check` reads them on
every verdict). Built by hand or read from a task file, it gets the same checks in the same words
(the task reader builds it and names the file and JSON path of its TaskError): a key outside
KEYS would vanish from the description, and a negative bound would crash `check`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import islice

from .ast import BLOCK_TYPES, Block, Program, Span, walk
from .errors import TaskError, did_you_mean, int_problem, key_path
from .frozen import FrozenDict, freeze

KEYS = ("fd", "bk", "lt", "rt", "setpc", "repeat", "all")
KEY_WORDS = {
    "fd": "forward",
    "bk": "backward",
    "lt": "left",
    "rt": "right",
    "setpc": "set pen color",
    "repeat": "repeat",
    "all": "commands",
}
# What people write for the constraint keys: forward for fd, commands for all, ...
KEY_ALIASES = {
    "forward": "fd",
    "backward": "bk",
    "back": "bk",
    "left": "lt",
    "right": "rt",
    "commands": "all",
    "total": "all",
}


@dataclass(frozen=True)
class Violation:
    """One broken rule, in words, with the span of the code it points at (when there is one)."""

    rule: str  # "at_most" | "exactly" | "start_by"
    key: str
    message: str
    span: Span | None = None
    # the block it points at (the first of a span that runs on), as its index in `walk` order:
    # a program read from code JSON has no spans, and the checker names its JSON path instead
    at: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Constraints:
    exactly: Mapping[str, int] = field(default_factory=FrozenDict)
    at_most: Mapping[str, int] = field(default_factory=FrozenDict)
    start_by: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for rule in ("exactly", "at_most"):
            bounds = getattr(self, rule)
            if not isinstance(bounds, Mapping):
                raise TaskError(
                    f"must be a mapping of command type to count, not {type(bounds).__name__}",
                    path=rule,
                )
            object.__setattr__(self, rule, freeze(bounds))  # checked as it will stay
            _check_bounds(rule, getattr(self, rule))
        _check_overlap(self.exactly, self.at_most)
        _check_start_by(self.start_by)

    def __bool__(self) -> bool:
        return bool(self.exactly or self.at_most or self.start_by)

    def bounds(self, key: str) -> tuple[int, float]:
        lo = self.exactly.get(key, 0)
        hi: float = self.exactly.get(key, self.at_most.get(key, float("inf")))
        return lo, hi

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {}
        if self.exactly:
            out["exactly"] = dict(self.exactly)
        if self.at_most:
            out["at_most"] = dict(self.at_most)
        if self.start_by:
            out["start_by"] = list(self.start_by)
        return out

    def unchecked(self, counts: Mapping[str, int]) -> list[str]:
        """The `exactly` types (of a count above 0) that a program of `counts` (`count_blocks`'s,
        which the callers have already) does not use. The benchmark checks only the types a
        program uses, so "Use exactly 1 'repeat'" holds for a program with no repeat: not a
        violation, but not what the task's words lead a reader to expect, so `xlogo check` and
        the REPL say it."""
        return [k for k in KEYS[:-1] if self.exactly.get(k, 0) > 0 and counts.get(k, 0) == 0]

    def check(self, prog: Program) -> list[Violation]:
        counts = count_blocks(prog)
        out: list[Violation] = []
        for key in KEYS[:-1]:
            c = counts.get(key, 0)
            if c == 0:
                continue  # the reference only checks types that appear
            lo, hi = self.bounds(key)
            if c > hi or c < lo:
                out.append(self._violation(prog, key, c, lo, hi))
        total = counts["all"]
        lo, hi = self.bounds("all")
        if total > hi or total < lo:
            out.append(self._violation(prog, "all", total, lo, hi))
        if self.start_by:  # reported with any count violation: a learner fixes both at once
            for i, want in enumerate(self.start_by):
                got = prog.body[i].type if i < len(prog.body) else None
                if got != want:
                    block = prog.body[i] if got is not None else None
                    head = ", ".join(KEY_WORDS[k] for k in self.start_by)
                    found = (
                        f"block {i + 1} is {KEY_WORDS[got]}"
                        if got
                        else f"the program has only {len(prog.body)} top-level blocks"
                    )
                    out.append(
                        Violation(
                            "start_by",
                            want,
                            f"the program must start with {head}; {found}",
                            block.span if block is not None else None,
                            _top_index(prog.body, i) if block is not None else None,
                        )
                    )
                    break
        return out

    def _violation(self, prog: Program, key: str, c: int, lo: int, hi: float) -> Violation:
        word = KEY_WORDS[key]
        used = f"{c} commands used" if key == "all" else f"{c} '{word}' used"
        if key in self.exactly:
            n = self.exactly[key]
            rule = "exactly"
            allowed = "this task forbids it" if n == 0 else f"this task asks for exactly {n}"
            if key == "all":
                allowed = f"this task asks for exactly {n} commands"
        else:
            rule = "at_most"
            allowed = f"this task allows at most {int(hi)}"
        if c > hi:
            at = _over_block(prog.body, key, int(hi))
            span = _over_span(prog.body, key, at[1] if at else None)
        else:
            at = _last_block(prog.body, key)
            span = at[1].span if at else None
        return Violation(rule, key, f"{used}; {allowed}", span, at[0] if at else None)

    def text(self) -> str:
        """The reference's constraint sentence(s), e.g. `Use at most 6 commands`."""
        sentences = []
        if self.start_by:
            sentences.append(
                "start by using" + ", ".join(f"'{KEY_WORDS[k]}'" for k in self.start_by)
            )
        ex = {k: v for k, v in self.exactly.items() if v != 0}
        if ex:
            sentences.append("use exactly " + _fmt(ex))
        am = {k: v for k, v in self.at_most.items() if v != 0}
        if am:
            sentences.append("use at most " + _fmt(am))
        for d in (self.exactly, self.at_most):
            for k, v in d.items():
                if v == 0:
                    sentences.append("don't use " + _fmt({k: 0}))
        if not sentences:
            return ""
        if len(sentences) == 1:
            return sentences[0].lower().capitalize()
        body = " ".join(f"({chr(ord('a') + i)}) {s.capitalize()}." for i, s in enumerate(sentences))
        return f"Follow these rules: {body}".strip()


def _check_bounds(rule: str, bounds: Mapping[str, int]) -> None:
    """Each key a command type of KEYS and each bound a whole number >= 0."""
    for k, v in bounds.items():
        if k not in KEYS:
            alias = KEY_ALIASES.get(str(k).lower())
            raise TaskError(
                f"unknown command type (use {', '.join(KEYS)})",
                path=key_path(rule, k),
                hint=f"did you mean {alias}?" if alias else did_you_mean(k, KEYS),
            )
        problem = int_problem(v, 0)
        if problem:
            raise TaskError(problem, path=key_path(rule, k))


def _check_overlap(exactly: Mapping[str, int], at_most: Mapping[str, int]) -> None:
    """A type bounded by both rules is the reference's AssertionError: which bound was meant?"""
    both = set(exactly) & set(at_most)
    if both:
        k = sorted(both)[0]
        raise TaskError(f"{k} is bounded both by exactly and by at_most", path=f"at_most.{k}")


def _check_start_by(start_by: tuple[str, ...]) -> None:
    """A tuple (so the constraints hash) of block types, each compared with the program's."""
    if type(start_by) is not tuple:
        raise TaskError(
            f"must be a tuple of block types, not {type(start_by).__name__}", path="start_by"
        )
    for i, t in enumerate(start_by):
        if t not in BLOCK_TYPES:
            alias = KEY_ALIASES.get(t.lower()) if isinstance(t, str) else None
            raise TaskError(
                f"unknown block type {t!r} (use {', '.join(BLOCK_TYPES)})",
                path=f"start_by[{i}]",
                hint=f"did you mean {alias}?"
                if alias in BLOCK_TYPES
                else did_you_mean(t, BLOCK_TYPES),
            )


def _fmt(d: Mapping[str, int]) -> str:
    parts = []
    for k, v in d.items():
        if k not in KEY_WORDS:
            continue
        if v == 0:
            parts.append(f"'{KEY_WORDS[k]}'")
        elif k == "all":
            parts.append(f"{v} commands")
        else:
            parts.append(f"{v} '{KEY_WORDS[k]}'")
    parts.sort(key=lambda p: "command" in p)
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def count_blocks(prog: Program | tuple[Block, ...]) -> Counter[str]:
    blocks = prog.body if isinstance(prog, Program) else prog
    counts: Counter[str] = Counter()
    for block in walk(blocks):
        counts[block.type] += 1
    counts["all"] = sum(counts.values())
    return counts


def _over_block(blocks: tuple[Block, ...], key: str, limit: int) -> tuple[int, Block] | None:
    """Where a count goes over `limit`: the first block counted past it, in the order blocks are
    counted (`walk`: source order, a repeat before its body), with its index in that order."""
    counted = ((i, b) for i, b in enumerate(walk(blocks)) if key == "all" or b.type == key)
    return next(islice(counted, limit, None), None)


def _over_span(blocks: tuple[Block, ...], key: str, first: Block | None) -> Span | None:
    """The span of a count over its limit, from `first` (`_over_block`): for `all` the blocks
    past the limit are the rest of the program, so it runs to the end of the last one; for one
    type it is that block."""
    if first is None or first.span is None:
        return None
    last = blocks[-1].span
    if key != "all" or last is None:
        return first.span
    return Span(first.span.line, first.span.column, last.end_line, last.end_column)


def _last_block(blocks: tuple[Block, ...], key: str) -> tuple[int, Block] | None:
    """Where a count falls short: the last block of that type (the last block overall for
    `all`), with its index in `walk` order."""
    found = None
    for i, block in enumerate(walk(blocks)):
        if key == "all" or block.type == key:
            found = (i, block)
    return found


def _top_index(blocks: tuple[Block, ...], i: int) -> int:
    """The index in `walk` order of top-level block i: the blocks of those before it come first."""
    return sum(1 for _ in walk(blocks[:i]))
