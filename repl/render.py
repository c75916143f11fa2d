"""What the REPL shows: the board (grid + program + status), listings, diffs and tables.

Everything here turns session state into rich renderables; the front end decides where they go
(a terminal, a recording console in tests, or nowhere in `--json` mode). Sizes are chosen for an
80x24 terminal: the program listing sits beside the grid when both fit and is windowed around the
current line, so the board never outgrows the screen for the real tasks (at most 5x5 cells).

This module only renders: it never changes the session, runs programs or reads files.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Iterable, Iterator

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from xlogo_lang.lexer import highlight_text
from xlogo_lang.view import GridView

from .session import Session, Status

LISTING_MIN_ROWS = 8  # a listing may always be this tall, even beside a small grid


def board(session: Session, width: int = 80) -> RenderableType:
    """The grid after the steps shown, the program beside it, and the status line under both."""
    st = session.status()
    title = _title(session, st)
    grid = GridView(
        session.task, session.execution, upto=session.cursor, title=title, caption=False
    )
    grid_rows = 2 * session.task.world.rows + 2 + (1 if session.task.world.lines else 0)
    # the column is as wide as the grid or its title (`task 87  step 1/5  fd (line 1)`),
    # whichever is wider: the listing gets the rest, or goes under the grid
    side = width - max(grid.width(), title.cell_len) - 3
    program = listing(session, max_rows=max(grid_rows - 1, LISTING_MIN_ROWS), width=side)
    parts: list[RenderableType] = []
    if side >= 16 and session.program.body:
        table = Table.grid(padding=(0, 3))
        table.add_column(no_wrap=True)
        table.add_column()
        table.add_row(grid, Group(Text("program", style="dim"), program))
        parts.append(table)
    else:
        parts.append(grid)
        if session.program.body:
            parts.append(program)
    parts.append(Text(st.goal, style="italic"))
    parts.append(status_line(st))
    return Group(*parts)


def _title(session: Session, st: Status) -> Text:
    name = "playground" if st.playground else f"task {st.task_id}"
    title = Text(name, style="bold")
    if session.cursor is not None:
        title.append(f"  step {st.position}/{st.steps}", style="bold cyan")
        if st.step_label:
            title.append(f"  {st.step_label}", style="cyan")
    return title


def status_line(st: Status) -> Text:
    """`✓ solved · 5/6 commands` / `✗ not yet: never reached the strawberry · 3/6 commands`."""
    word = st.verdict_word
    if word == "solved":
        out = Text("✓ solved", style="bold green")
    elif word == "crashed":
        out = Text(f"✗ crashed: {st.reason}", style="bold red")
    elif word == "playground":
        out = Text("playground", style="bold")
    elif word == "goal met":
        out = Text(f"~ goal met, but {st.reason}", style="bold yellow")
    else:
        out = Text("… not yet", style="bold yellow")
        if st.used:
            out.append(f": {st.reason}", style="yellow")
    out.append(" · ", style="dim")
    out.append(st.budget)
    for limit in st.limits:
        out.append(" · ", style="dim")
        out.append(limit)
    return out


def toolbar_text(st: Status, width: int | None = None) -> str:
    """The status in one plain line, for prompt_toolkit's bottom toolbar.

    Within `width` columns, the parts that say least go first (`:help`, then the task name,
    which the prompt shows, then the limits from the last): cut at the edge, the toolbar of a
    40-column terminal lost the step being shown."""
    name = "playground" if st.playground else f"task {st.task_id}"
    step = [f"step {st.position}/{st.steps}"] if st.steps and st.position != st.steps else []
    limits = list(st.limits)

    def line(with_help: bool, named: bool) -> str:
        parts = [st.verdict_word, st.budget, *limits, *step]
        return " │ ".join([name] * named + parts + [":help"] * with_help)

    if width is None:
        return line(True, True)
    for with_help, named in ((True, True), (False, True), (False, False)):
        if len(line(with_help, named)) <= width:
            return line(with_help, named)
    while limits and len(line(False, False)) > width:
        limits.pop()
    return line(False, False)


EDITOR_KEYS = (":edit", "Enter: new line", "Esc Enter: run it", "Ctrl-C: cancel")


def editor_toolbar(width: int | None = None) -> str:
    """The `:edit` toolbar: its keys, within `width` columns without the name, then without
    Enter's (which a learner tries first anyway); cut at the edge, a 40-column terminal lost
    how to run the edit."""
    keys = list(EDITOR_KEYS)
    while width is not None and len(" │ ".join(keys)) > width and len(keys) > 2:
        keys.pop(0)
    return " │ ".join(keys)


def listing(
    session: Session,
    *,
    max_rows: int | None = None,
    width: int | None = None,
) -> Text:
    """The program, highlighted, one numbered line per block; the cursor's line marked with ▶.

    With `max_rows`, a long program is windowed around the current line (or its end).
    """
    lines = session.source.splitlines()
    if not lines:
        return Text("(empty program)", style="dim")
    current = session.current_line
    first, last = 1, len(lines)
    if max_rows is not None and len(lines) > max_rows:
        focus = current or len(lines)
        first = max(1, min(focus - max_rows // 2, len(lines) - max_rows + 1))
        last = first + max_rows - 1
    num_w = len(str(len(lines)))
    out = Text()
    if first > 1:
        out.append(f"  {'⋮':>{num_w}}\n", style="dim")
    for n in range(first, last + 1):
        mark = "▶ " if n == current else "  "
        out.append(mark, style="bold cyan")
        out.append(f"{n:>{num_w}} ", style="dim")
        code = highlight_text(lines[n - 1])
        if n == current:
            code.stylize("reverse")
        out.append_text(code)
        if n < last:
            out.append("\n")
    if last < len(lines):
        out.append(f"\n  {'⋮':>{num_w}}", style="dim")
    if width is not None:
        out.no_wrap = True
        out.overflow = "ellipsis"
    return out


def program_text(source: str) -> Text:
    """A whole program, highlighted, with line numbers (for `:program`)."""
    lines = source.splitlines()
    if not lines:
        return Text("(empty program)", style="dim")
    num_w = len(str(len(lines)))
    out = Text()
    for n, line in enumerate(lines, start=1):
        out.append(f"{n:>{num_w}} ", style="dim")
        out.append_text(highlight_text(line))
        if n < len(lines):
            out.append("\n")
    return out


REMOVED_SHOWN = 10  # of a run of removed lines longer than twice this, its first ones


def diff_text(old: str, new: str, *, old_name: str = "current", new_name: str = "solution") -> Text:
    """A unified diff of two canonical programs, coloured (`+` green, `-` red).

    Every line of the new program is shown, and of a long run of removed lines its first
    `REMOVED_SHOWN`: a program of 100,000 blocks against a solution of six was a diff of
    100,000 lines, seconds to colour, with the solution scrolled off the screen."""
    a, b = old.splitlines(), new.splitlines()
    diff = list(difflib.unified_diff(a, b, old_name, new_name, lineterm="", n=max(len(a), len(b))))
    if not diff:
        return Text("(no differences)", style="dim")
    out = Text()
    for line in _cut_removed_runs(diff):
        if line.startswith(("---", "+++")):
            out.append(line + "\n", style="bold")
            continue
        if line.startswith("@@"):
            continue
        if line.startswith("-…"):
            out.append(f"- {line[1:]}\n", style="bold red")
            continue
        sign, code = line[:1], highlight_text(line[1:])
        if sign == "+":
            out.append("+ ", style="bold green")
            code.stylize("on #003a00")
        elif sign == "-":
            out.append("- ", style="bold red")
            code.stylize("on #3a0000")
        else:
            out.append("  ")
        out.append_text(code)
        out.append("\n")
    out.rstrip()
    return out


def _cut_removed_runs(diff: list[str]) -> Iterator[str]:
    """The diff with each run of over 2 * REMOVED_SHOWN removed lines cut after its first ones,
    and a `-…` line saying how many more there are."""
    for removed, group in itertools.groupby(diff, key=lambda line: line.startswith("-")):
        run = list(group)
        if removed and len(run) > 2 * REMOVED_SHOWN and not run[0].startswith("---"):
            yield from run[:REMOVED_SHOWN]
            yield f"-… {len(run) - REMOVED_SHOWN:,} more removed lines"
        else:
            yield from run


def tasks_table(rows: Iterable[tuple[str, str, str]], *, current: str | None = None) -> Table:
    """`:tasks`: id, goal kind and the goal in words (or the load error) per task."""
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold dim")
    table.add_column("id", no_wrap=True, style="bold")
    table.add_column("kind", no_wrap=True, style="cyan")
    table.add_column("goal", overflow="fold")
    for tid, kind, goal in rows:
        style = "reverse" if tid == current else ""
        table.add_row(tid, kind, goal, style=style)
    return table
