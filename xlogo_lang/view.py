"""Terminal pictures of tasks and runs: the `GridView` rich renderable.

One renderable serves `xlogo show`, `xlogo run --trace` and the REPL, and prints well in a
recording console for tests. Each cell is three characters wide; walls are thick lines on cell
edges; drawn segments are lines through cell centres in their pen colours; forbidden and missing
cells are shaded; visited cells are marked; the turtle is an arrow pointing where it faces.

This module renders only: it never runs programs itself (it is handed an `Execution`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.columns import Columns
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.style import Style
from rich.text import Text

from .interpreter import Execution
from .tasks import Task
from .world import SegmentKey, World

ARROWS = "▲▶▼◀"
ITEM_GLYPH = {
    "strawberry": "s",
    "lemon": "l",
    "triangle": "△",
    "rectangle": "□",
    "cross": "✕",
    "circle": "○",
    "house": "⌂",
    "movablebox": "▣",
    "destinationbox": "◫",
}
# Terminal colours for item and pen colours (rich colour names)
TERM_COLOR = {
    "red": "red1",
    "blue": "dodger_blue1",
    "yellow": "yellow1",
    "green": "green3",
    "black": "grey70",  # black on a dark terminal would vanish
    "orange": "dark_orange",
    "purple": "medium_purple1",
    "pink": "hot_pink",
    "white": "bright_white",
    None: "default",
}
WALL = Style(color="bright_yellow", bold=True)
GRID = Style(color="grey35")
FORBIDDEN = Style(color="red3", dim=True)
MISSING = Style(color="grey35")  # no tile at all: the grid's own colour
TURTLE = Style(color="bright_green", bold=True)
VISITED = Style(color="cyan")
CRASH = Style(color="bright_red", bold=True, reverse=True)


@dataclass
class _Canvas:
    width: int
    height: int

    def __post_init__(self) -> None:
        self.chars = [[" "] * self.width for _ in range(self.height)]
        self.styles: list[list[Style | None]] = [[None] * self.width for _ in range(self.height)]

    def put(self, row: int, col: int, ch: str, style: Style | None = None) -> None:
        if 0 <= row < self.height and 0 <= col < self.width:
            self.chars[row][col] = ch
            self.styles[row][col] = style

    def text(self) -> Text:
        out = Text()
        for r in range(self.height):
            for c in range(self.width):
                out.append(self.chars[r][c], self.styles[r][c] or "")
            if r < self.height - 1:
                out.append("\n")
        return out


def _put_wall(cv: _Canvas, x: int, y: int, side: str, glyphs: str) -> None:
    """A wall on one side of cell (x, y): `glyphs` is its horizontal and vertical sign."""
    r, c = 2 * y + 1, 4 * x + 2
    if side in ("top", "bottom"):
        row = r - 1 if side == "top" else r + 1
        for k in (-1, 0, 1):
            cv.put(row, c + k, glyphs[0], WALL)
    else:
        cv.put(r, c - 2 if side == "left" else c + 2, glyphs[1], WALL)


def grid_text(
    world: World,
    *,
    drawn: dict[SegmentKey, str] | None = None,
    cells: Iterable[int] = (),
    turtle: tuple[int, int, int] | None = None,
    show_items: bool = True,
    show_turtle: bool = True,
    crash: tuple[tuple[int, int], tuple[int, int]] | None = None,
) -> Text:
    """The grid as rich Text: 4 columns and 2 rows per cell, plus the border.

    `crash` is the move that failed, (from cell, to cell): the edge it tried to cross is marked
    with a ✗ (a wall, the border, or the side of a forbidden or missing cell).
    """
    cv = _Canvas(world.cols * 4 + 1, world.rows * 2 + 1)
    # corners and border
    for y in range(world.rows + 1):
        for x in range(world.cols + 1):
            cv.put(2 * y, 4 * x, "·", GRID)
    for x in range(world.cols):
        for c in range(1, 4):
            cv.put(0, 4 * x + c, "─", GRID)
            cv.put(2 * world.rows, 4 * x + c, "─", GRID)
    for y in range(world.rows):
        cv.put(2 * y + 1, 0, "│", GRID)
        cv.put(2 * y + 1, 4 * world.cols, "│", GRID)
    # tiles: forbidden / missing, walls
    for t in world.tiles:
        r, c = 2 * t.y + 1, 4 * t.x + 2
        if not t.allowed or not t.exist:
            # a missing tile (a hole in a draw task's floor) is shaded as a forbidden one: the
            # turtle cannot enter it either, and a run that tries says "entered a forbidden
            # cell"; left blank, it looked like any free cell
            for k in (-1, 0, 1):
                cv.put(r, c + k, "░", FORBIDDEN if t.exist else MISSING)
        for side in t.walls:
            _put_wall(cv, t.x, t.y, side, "━┃")
    # a wall written on one tile only stops moves one way (`World.one_way_walls`): dashed, so
    # that a teacher sees which walls a turtle can still pass from the other side
    for x, y, side in world.one_way_walls():
        _put_wall(cv, x, y, side, "╍╏")
    # visited cells
    for i in set(cells):
        x, y = world.cell(i)
        cv.put(2 * y + 1, 4 * x + 2, "•", VISITED)
    # drawn segments
    for key, color in (drawn or {}).items():
        (x1, y1), (x2, y2) = world.segment_cells(key)
        style = Style(color=TERM_COLOR.get(color, "default"), bold=True)
        if y1 == y2:
            x = min(x1, x2)
            for c in range(4 * x + 3, 4 * x + 6):
                cv.put(2 * y1 + 1, c, "─", style)
        else:
            y = min(y1, y2)
            cv.put(2 * y + 2, 4 * x1 + 2, "│", style)
    # items
    if show_items:
        for i, item in world.items.items():
            x, y = world.cell(i)
            glyph = ITEM_GLYPH.get(item.name, item.name[:1])
            style = Style(color=TERM_COLOR.get(item.color, "default"), bold=True)
            cv.put(2 * y + 1, 4 * x + 2, glyph, style)
            if item.count and item.count > 1:
                cv.put(2 * y + 1, 4 * x + 3, str(item.count), style)
    # the turtle
    if show_turtle:
        start = world.turtle
        tx, ty, td = turtle if turtle is not None else (start.x, start.y, start.direction)
        if world.inside(tx, ty):
            on_item = show_items and world.index(tx, ty) in world.items
            cv.put(2 * ty + 1, 4 * tx + (1 if on_item else 2), ARROWS[td], TURTLE)
    if crash is not None:
        (x1, y1), (x2, y2) = crash
        if y1 == y2 and abs(x1 - x2) == 1:
            cv.put(2 * y1 + 1, 4 * max(x1, x2), "✗", CRASH)
        elif x1 == x2 and abs(y1 - y2) == 1:
            cv.put(2 * max(y1, y2), 4 * x1 + 2, "✗", CRASH)
    return cv.text()


class GridView:
    """A task (and optionally a run on it) as a terminal picture, with the target beside it."""

    def __init__(
        self,
        task: Task,
        execution: Execution | None = None,
        *,
        upto: int | None = None,
        title: str | Text | None = None,
        caption: bool = True,
    ) -> None:
        self.task = task
        self.execution = execution
        self.upto = upto  # show the state after this many steps (None: the whole run)
        self.title = title
        self.caption = caption  # print the task description under the grid

    def _state(
        self,
    ) -> tuple[
        dict[SegmentKey, str],
        list[int],
        tuple[int, int, int] | None,
        tuple[tuple[int, int], tuple[int, int]] | None,
    ]:
        """Drawn segments, visited cells, the turtle's pose and the failed move (if any) after
        `upto` steps (or all)."""
        ex = self.execution
        w = self.task.world
        drawn: dict[SegmentKey, str] = {}
        cells = [w.index(w.turtle.x, w.turtle.y)]
        turtle = None
        crash = None
        if ex is None:
            return drawn, cells, turtle, crash
        for step in ex.steps[: self.upto]:
            if step.crashed:
                x, y, _ = turtle or (w.turtle.x, w.turtle.y, w.turtle.direction)
                if step.cell is not None:
                    crash = ((x, y), step.cell)
                break
            turtle = (step.x, step.y, step.direction)
            if step.segment is not None and step.cell is not None:
                drawn[w.segment_key(*step.segment)] = step.pen
                cells.append(w.index(*step.cell))
        return drawn, cells, turtle, crash

    def width(self) -> int:
        """Columns the grid(s) take: one grid, or the current and the target side by side."""
        one = self.task.world.cols * 4 + 1
        return 2 * max(one, len("target")) + 4 if self.task.world.lines else one

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        title = self.title.cell_len if isinstance(self.title, Text) else len(self.title or "")
        width = max(self.width(), title)
        return Measurement(width, width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        w = self.task.world
        drawn, cells, turtle, crash = self._state()
        current = grid_text(w, drawn=drawn, cells=cells, turtle=turtle, crash=crash)
        # a grid wider than the terminal is cut at its right edge: wrapped, its rows would
        # interleave into something unreadable
        current.no_wrap, current.overflow = True, "crop"
        if isinstance(self.title, Text):
            head = self.title
        else:
            head = Text(self.title or f"task {self.task.id}", style="bold")
        if w.lines:
            target = grid_text(w, drawn=w.picture, show_items=False, show_turtle=False)
            target.no_wrap, target.overflow = True, "crop"
            label_now = Text("now\n", style="dim") + current
            label_target = Text("target\n", style="dim") + target
            yield head
            yield Columns([label_now, label_target], padding=(0, 4))
        else:
            yield head
            yield current
        description = self.task.description
        if self.caption and description.strip(" ."):
            yield Text(description, style="italic")


def legend(one_way: bool = False) -> Text:
    """The key to the grid's signs; `one_way` adds the dashed wall of a world that has one."""
    return Text.assemble(
        (ARROWS[0], TURTLE), " turtle  ",
        ("━┃", WALL), " wall  ",
        *((("╍╏", WALL), " one-way wall  ") if one_way else ()),
        ("░", FORBIDDEN), " forbidden  ",
        ("•", VISITED), " visited  ",
        "s strawberry  l lemon  △□✕○ shapes",
    )  # fmt: skip
