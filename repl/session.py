"""The state of one REPL session: the task, the program typed so far, the trace cursor, undo.

A `Session` is a plain object the front ends drive: typed code is parsed and appended
(`feed`), programs are replaced (`replace`), tasks are switched (`load`), and every change can be
undone. Runs are computed on demand through the core (`execute`, `verdict.run`) and cached until
the next change, so drawing the board and the toolbar after every key costs nothing.

The program is kept in canonical form, re-parsed from its canonical text, so the spans of its
blocks are lines of `session.source`: the trace cursor can point at the line a step comes from.

This module holds no I/O: it never reads files, prints or prompts (the meta-commands and the
prompt_toolkit app do), and it has no game logic of its own (the core decides every verdict).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from xlogo_lang.ast import Block, Program
from xlogo_lang.constraints import KEY_WORDS, count_blocks
from xlogo_lang.errors import ParseError, XlogoError, source_lines
from xlogo_lang.interpreter import Execution, Step
from xlogo_lang.parser import MAX_PROGRAM_CHARS, parse
from xlogo_lang.printer import to_compact, to_text
from xlogo_lang.tasks import Task, task_from_dict
from xlogo_lang.verdict import Verdict, run

PLAYGROUND_ID = "playground"


def playground(size: int = 5) -> Task:
    """An empty `size`x`size` grid with the turtle in the middle facing north and no goal."""
    cells = [(x, y) for y in range(size) for x in range(size)]
    tiles = [{"x": x, "y": y, "allowed": True, "walls": {}} for x, y in cells]
    data = {
        "id": PLAYGROUND_ID,
        "description": "An empty grid to draw on.",
        "turtle": {"x": size // 2, "y": size // 2, "direction": 0},
        "tiles": tiles,
        "items": [],
        "lines": [],
        "goal": [],
        "constraints": {},
    }
    return task_from_dict(data, file="<playground>")


_OPEN = "{["
_BRACKET = re.compile(r"[{}\[\]]")
_COMMENT = re.compile(r"(#|//)[^\n]*")
_REPEAT_HEAD = re.compile(r"\brepeat\s*(\(\s*\d*\s*\)?|\d+)?\s*$", re.IGNORECASE)
# a header of the Python-style form (`def Run():`, `for i in range(3):`)
_PYTHON_HEAD = re.compile(r"^[ \t]*(?:def|for)\b[^\n]*:[ \t]*$", re.MULTILINE)


def python_block(text: str) -> bool:
    """Does `text` hold a compound statement of the Python-style form (`def`, `for`)?"""
    return bool(_PYTHON_HEAD.search(_COMMENT.sub("", text)))


def needs_more(text: str, *, checked_chars: int | None = None) -> bool:
    """Is `text` an unfinished block that should continue on the next line?

    True while a `{` or `[` is open, or when the input ends in a repeat head (`repeat(3)`) whose
    body has not started; in the Python-style form, from a `def` or `for` header until an empty
    line, as in Python's own REPL (an indented body has no closing bracket to wait for).
    Meta-commands (`:...`) are always complete, and so is an input with a mistake before its
    end (`repeat(3){fd)`): no more lines can mend it, and waiting for them looked stuck. That
    check parses the whole input; with `checked_chars` it is made only up to that length: the
    plain loop asks at every line, where a pasted block of 4,000 lines took half a minute to
    read. No one types a block that long, and a longer one is parsed once it closes.
    """
    if text.lstrip().startswith(":"):
        return False
    code = _COMMENT.sub("", text)
    if _PYTHON_HEAD.search(code):  # the last line ended (Enter) is not empty: the block goes on
        return bool(code.rsplit("\n", 1)[-1].strip())
    depth = 0
    for bracket in _BRACKET.finditer(code):
        if bracket.group() in _OPEN:
            depth += 1
        else:
            depth -= 1
            if depth < 0:
                return False  # an unmatched close: let the parser say so
    if depth > 0 or _REPEAT_HEAD.search(code):
        if checked_chars is not None and len(text) > checked_chars:
            return True
        return not _wrong_before_the_end(text)
    return False


def _wrong_before_the_end(text: str) -> bool:
    """The parser stops before the end of `text`: a mistake, not a block still being typed."""
    try:
        parse(text)
    except ParseError as exc:
        lines = source_lines(text) or [""]
        return (exc.line, exc.column) != (len(lines), len(lines[-1]) + 1)
    except XlogoError:  # a complete program with another problem: let the run say so
        return True
    return True


@dataclass(frozen=True)
class Snapshot:
    """What `undo` goes back to."""

    task: Task
    program: Program
    pinned_dir: Path | None


@dataclass(frozen=True)
class Status:
    """The session in a few words: what the status line and the toolbar show."""

    task_id: str
    goal: str  # the goal (and constraints) in words
    playground: bool
    solved: bool
    crashed: bool
    goal_ok: bool | None
    constraints_ok: bool | None
    reason: str
    used: int  # blocks in the program, as the constraints count them
    budget: str  # "5/6 commands", or "5 commands" when the task sets no limit
    limits: tuple[str, ...]  # other bounds in use, e.g. "fd 2/2", "no bk"
    position: int  # steps shown (cursor), == steps when at the end
    steps: int
    step_label: str  # the command at the cursor, e.g. "fd (line 4)", "" at the start

    @property
    def verdict_word(self) -> str:
        if self.playground:
            return "crashed" if self.crashed else "playground"
        if self.crashed:
            return "crashed"
        if self.solved:
            return "solved"
        if self.goal_ok:
            return "goal met"
        return "not yet"


class Session:
    """One task, one program, a trace cursor and an undo stack."""

    def __init__(self, task: Task | None = None, *, tasks_dir: str | Path | None = None) -> None:
        self.task: Task = task if task is not None else playground()
        # A directory given by the user (`--tasks DIR`, `:load DIR`) wins over the task's own.
        self.pinned_dir = Path(tasks_dir) if tasks_dir is not None else None
        self.program = Program()
        self.cursor: int | None = None  # steps shown; None = the whole run
        # an edited text that did not parse, with the program it was an edit of: the next :edit
        # offers it again while the program is still that one (a change since makes it stale)
        self.draft: tuple[Program, str] | None = None
        self._undo: list[Snapshot] = []
        self._cache = _RunCache(self.task, self.program)

    # -- derived state -------------------------------------------------------------------------

    @property
    def tasks_dir(self) -> Path | None:
        """Where `:load ID` and `:tasks` look: the pinned directory, else the task's own."""
        return self.pinned_dir or task_dir(self.task)

    def pin_dir(self, path: Path) -> None:
        """Look up task ids in `path` from now on (undoably)."""
        if path == self.pinned_dir:
            return  # as for `_change`: nothing for `:undo` to go back over
        self._push()
        self.pinned_dir = path

    @property
    def playground(self) -> bool:
        return self.task.id == PLAYGROUND_ID and self.task.source == "<playground>"

    @property
    def source(self) -> str:
        """The program as canonical text (one block per line); spans refer to its lines."""
        return to_text(self.program)

    @property
    def compact(self) -> str:
        return to_compact(self.program)

    @property
    def execution(self) -> Execution:
        return self._cached().execution

    @property
    def verdict(self) -> Verdict:
        return self._cached().verdict

    @property
    def steps(self) -> list[Step]:
        return self._cached().steps

    @property
    def position(self) -> int:
        """How many steps the board shows: the cursor, or all of them."""
        return len(self.steps) if self.cursor is None else self.cursor

    @property
    def current_step(self) -> Step | None:
        """The step just made at the cursor (None at the start, before any command)."""
        n = self.position
        return self.steps[n - 1] if n > 0 else None

    @property
    def current_line(self) -> int | None:
        """The line of `source` the step at the cursor comes from (None at the start or end)."""
        step = self.current_step
        if self.cursor is None or step is None or step.block.span is None:
            return None
        return step.block.span.line

    def _cached(self) -> _RunCache:
        if self._cache.task is not self.task or self._cache.program is not self.program:
            self._cache = _RunCache(self.task, self.program)
        return self._cache

    # -- changes -------------------------------------------------------------------------------

    def feed(self, text: str) -> tuple[Block, ...]:
        """Parse `text` and append its blocks to the program; a ParseError changes nothing."""
        added = parse(text).body
        if added:
            self._change(Program(self.program.body + added))
        return added

    def replace(self, program: Program) -> None:
        """Make `program` the session's program (`:edit`, `:run FILE`), undoably."""
        self._change(program)

    def reset(self) -> None:
        """Clear the program (undoably)."""
        self._change(Program())

    def load(self, task: Task, pinned_dir: Path | None = None) -> None:
        """Switch to `task` with an empty program, and look up ids in `pinned_dir` from now on
        when given (`:load DIR ID`): one change, undone in one step."""
        self._push()
        if pinned_dir is not None:
            self.pinned_dir = pinned_dir
        self.task = task
        self.program = Program()
        self.cursor = None
        self.draft = None

    def undo(self) -> bool:
        """Go back to the state before the last change; False when there is nothing to undo."""
        if not self._undo:
            return False
        snap = self._undo.pop()
        self.task, self.program, self.pinned_dir = snap.task, snap.program, snap.pinned_dir
        self.cursor = None
        return True

    @property
    def undo_depth(self) -> int:
        return len(self._undo)

    def _push(self) -> None:
        self._undo.append(Snapshot(self.task, self.program, self.pinned_dir))

    def _change(self, program: Program) -> None:
        if program == self.program:
            return  # `:reset` of an empty program: nothing for `:undo` to go back over
        canonical = _canonical(program)  # first: it may refuse the program
        self._push()
        self.program = canonical
        self.cursor = None

    # -- walking the trace ---------------------------------------------------------------------

    def goto(self, n: int) -> int:
        """Show the state after `n` steps (clamped to 0..steps); returns the new position."""
        self.cursor = max(0, min(n, len(self.steps)))
        return self.cursor

    def step(self) -> int:
        """One command forward; from the end of the run, start again at the first command."""
        if self.cursor is None:
            return self.goto(1 if self.steps else 0)
        return self.goto(self.cursor + 1)

    def back(self) -> int:
        """One command back (from the end of the run: the state before the last command)."""
        return self.goto(self.position - 1)

    def follow(self) -> None:
        """Stop walking: show the whole run again."""
        self.cursor = None

    # -- summaries -----------------------------------------------------------------------------

    def status(self) -> Status:
        v = self.verdict
        counts = count_blocks(self.program)
        cons = self.task.constraints
        hi = cons.bounds("all")[1]
        used = counts["all"]
        if hi != float("inf"):
            budget = f"{used}/{int(hi)} commands"
        else:
            budget = f"{used} command{'s' * (used != 1)}"
        limits = []
        unchecked = cons.unchecked(counts)
        for key in ("fd", "bk", "lt", "rt", "setpc", "repeat"):
            khi = cons.bounds(key)[1]
            if khi == 0:
                limits.append(f"no {KEY_WORDS[key]}")
            elif khi != float("inf"):
                n = counts.get(key, 0)
                # the benchmark's rule: `exactly` holds for a type the program does not use, so
                # `fd 0/2` beside "solved" needs saying why (a learner would think it a slip)
                later = f" (checked once {key} is used)" if key in unchecked else ""
                limits.append(f"{key} {n}/{int(khi)}{later}")
        if cons.start_by:
            limits.append("start with " + " ".join(cons.start_by))
        step = self.current_step
        label = ""
        if step is not None:
            label = _step_label(step)
        return Status(
            task_id=self.task.id,
            goal=self.task.description if not self.playground else "no goal: draw what you like",
            playground=self.playground,
            solved=v.solved,
            crashed=v.crashed,
            goal_ok=v.goal_ok,
            constraints_ok=v.constraints_ok,
            reason=v.reason,
            used=used,
            budget=budget,
            limits=tuple(limits),
            position=self.position,
            steps=len(self.steps),
            step_label=label,
        )

    def to_dict(self) -> dict[str, Any]:
        """The state for machines (`xlogo repl --json`)."""
        st = self.status()
        return {
            "task_id": self.task.id,
            "task_file": self.task.source,
            "program": self.source,
            "compact": self.compact,
            "position": st.position,
            "steps": st.steps,
            "budget": st.budget,
            "status": st.verdict_word,
            "verdict": self.verdict.to_dict(),
        }


@dataclass
class _RunCache:
    """The run of one program on one task, computed at most once (`run` executes it)."""

    task: Task
    program: Program

    @cached_property
    def verdict(self) -> Verdict:
        return run(self.task, self.program)

    @property
    def execution(self) -> Execution:
        return self.verdict.execution

    @cached_property
    def steps(self) -> list[Step]:
        return self.execution.steps


def _canonical(program: Program) -> Program:
    """`program` re-parsed from its canonical text, so that spans point at lines of `source`.

    That text is longer than the input (a block nested ten deep is indented by twenty spaces):
    past what xlogo reads, the program is refused as a whole, since the parser's error would
    point at a line of text the learner never saw, and `:save` would write a file that
    `xlogo run` refuses."""
    if not program.body:
        return Program()
    text = to_text(program)
    if len(text) > MAX_PROGRAM_CHARS:
        raise ParseError(
            f"with this, the program would be {len(text):,} characters long as text (one "
            f"command a line, as :program shows it); xlogo reads programs of at most "
            f"{MAX_PROGRAM_CHARS:,}",
            hint="a Mini program is a few hundred characters",
        )
    return parse(text)


def _step_label(step: Step) -> str:
    block = step.block
    line = f" (line {block.span.line})" if block.span is not None else ""
    return step.label + line + (" ✗ crash" if step.crashed else "")


def task_dir(task: Task) -> Path | None:
    """The directory a task was loaded from (a folder of task files or an asset directory)."""
    if task.source is None or task.source.startswith("<"):
        return None
    return Path(task.source).parent
