"""The task world: grid, tiles with walls, items, target lines and the turtle's start.

A `World` is immutable. Besides the records it was built from, it holds flat per-cell arrays
(wall bits, allowed, exist) and the target picture as a dict of unit segments, which is what the
interpreter and the goal checker read on their hot paths. Its mappings (`items`, `picture`) are
read-only `FrozenDict`s, `items` copied from the mapping it was given: a world is validated once,
when it is built, and a task caches what it derives from it, so it must never change after.

Coordinates follow the reference: `x` is the column (east +1), `y` the row (south +1), `(0,0)` is
the top-left cell, the flat index is `y*cols + x`, directions are 0 north, 1 east, 2 south, 3 west.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .ast import unknown_colour
from .errors import TaskError, bool_problem, did_you_mean, int_problem, quoted, within
from .frozen import FrozenDict, freeze

DIRECTION_NAMES = ("north", "east", "south", "west")  # indexed by direction: 0 is north
DX = (0, 1, 0, -1)
DY = (-1, 0, 1, 0)
WALL_SIDES = ("top", "right", "bottom", "left")  # indexed by the direction a step goes through

ITEM_COLORS = ("red", "blue", "yellow", "green", "black", "orange", "purple", "pink")
SHAPES = ("triangle", "rectangle", "cross", "circle")
LETTERS = tuple(chr(c) for c in range(ord("A"), ord("Z") + 1))
ITEM_NAMES = ("strawberry", "lemon", *SHAPES, *LETTERS)
# Platform items the reference refuses to load; xlogo keeps them as decorations outside the
# catalogue (they make every non-draw goal false, as any off-catalogue item does).
DECORATIONS = ("house", "movablebox", "destinationbox")

# Line colours are stored as hex codes; pen colours are names.
HEX_TO_COLOR = {
    "#009624": "green",
    "#0D47A1": "blue",
    "#D60000": "red",
    "#000000": "black",
    "#FFD600": "yellow",
    "#FFFFFF": "white",
}
COLOR_TO_HEX = {v: k for k, v in HEX_TO_COLOR.items()}

# Tiles and lines: a coordinate is in 0..MAX_COORD (a line may reach past the grid, README).
MAX_COORD = 63

# What a step from a cell in a direction leads to (`World.moves`): the flat index of the cell
# entered, or one of these crash codes, checked in the reference's order.
MOVE_WALL, MOVE_OUT, MOVE_FORBIDDEN, MOVE_NO_TILE = -1, -2, -3, -4

# A unit segment between two cells, as a key: the pair of flat indices, smaller first. Lines that
# leave the grid get a coordinate key instead, which no move can ever produce.
SegmentKey = tuple[int, int] | tuple[tuple[int, int], tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Item:
    name: str
    color: str | None
    count: int | None

    @property
    def in_catalogue(self) -> bool:
        """Whether the reference goal checker knows this combination (section 2 of SEMANTICS)."""
        n, c, k = self.name, self.color, self.count
        if n == "strawberry":
            return c == "red" and k in (1, 2, 3, 4)
        if k != 1:
            return False
        if n == "lemon":
            return c == "yellow"
        if n in ("triangle", "rectangle", "cross"):
            return c in ("red", "green", "blue")
        if n == "circle":
            return c in ITEM_COLORS
        if n in LETTERS:
            return c == "black"
        return False

    def phrase(self) -> str:
        """How the item is named in messages: `strawberry`, `3 strawberries`, `red circle`."""
        if self.name == "strawberry":
            return "strawberry" if (self.count or 1) == 1 else f"{self.count} strawberries"
        if self.name == "lemon" or self.name in DECORATIONS:
            return self.name
        if self.name in LETTERS:
            return f"letter {self.name}"
        return f"{self.color} {self.name}" if self.color else self.name


@dataclass(frozen=True, slots=True)
class Tile:
    x: int
    y: int
    allowed: bool
    exist: bool = True
    walls: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Line:
    x1: int
    y1: int
    x2: int
    y2: int
    color: str  # a pen colour name

    def unit_segments(self) -> list[tuple[tuple[int, int], tuple[int, int]]]:
        if self.x1 == self.x2:
            lo, hi = sorted((self.y1, self.y2))
            return [((self.x1, y), (self.x1, y + 1)) for y in range(lo, hi)]
        lo, hi = sorted((self.x1, self.x2))
        return [((x, self.y1), (x + 1, self.y1)) for x in range(lo, hi)]


@dataclass(frozen=True, slots=True)
class Turtle:
    x: int
    y: int
    direction: int


# -- the checks of a world's parts, shared with the task reader (task_format) ----------------------
# A TaskError raised here names the field relative to the part; the caller puts the part's path
# in front (`errors.within`), so a task file and a hand-built world are refused in the same words.


ITEM_NAMES_TEXT = "strawberry, lemon, triangle, rectangle, cross, circle and the letters A-Z"


def item_word_hint(value: object, options: tuple[str, ...]) -> str | None:
    """The name or colour an unknown one was likely meant to be: the task format writes names
    and colours in lower case and letters in upper case (`Lemon`, `Green`, `a`), so a teacher's
    capital is a slip, as is a letter off (`lemn`)."""
    if not isinstance(value, str):
        return None
    if value.upper() in LETTERS and value.upper() in options:
        return f"did you mean {value.upper()}? (letters are in upper case)"
    return did_you_mean(value, options)


def check_item(item: Item) -> None:
    """An item a task file can hold: a catalogue name or a decoration, an item colour or none, a
    count 1..4 or none. (Whether the combination is in the catalogue is the goal's business.)"""
    if item.name not in ITEM_NAMES and item.name not in DECORATIONS:
        raise TaskError(
            f"unknown item {item.name!r} (items are {ITEM_NAMES_TEXT})",
            path="name",
            hint=item_word_hint(item.name, ITEM_NAMES),
        )
    if item.color is not None and item.color not in ITEM_COLORS:
        raise TaskError(
            f"unknown item colour {item.color!r} (the colours are {', '.join(ITEM_COLORS)})",
            path="color",
            hint=item_word_hint(item.color, ITEM_COLORS),
        )
    problem = None if item.count is None else int_problem(item.count, 1, 4)
    if problem:
        raise TaskError(problem, path="count")


def _check_tile(tile: Tile) -> None:
    """Walls as a frozenset of known sides (hashable, read as bits), flags as true or false."""
    if type(tile.walls) is not frozenset:
        raise TaskError(
            f"must be a frozenset of wall sides ({', '.join(WALL_SIDES)}), "
            f"not {type(tile.walls).__name__}",
            path="walls",
        )
    if not tile.walls <= set(WALL_SIDES):
        raise TaskError(f"wall sides are {', '.join(WALL_SIDES)}", path="walls")
    for name in ("allowed", "exist"):
        problem = bool_problem(getattr(tile, name))
        if problem:
            raise TaskError(problem, path=name)


def _check_line(line: Line) -> None:
    """Whole-number ends in the task format's range, on one row or column, in a pen colour."""
    for name in ("x1", "y1", "x2", "y2"):
        problem = int_problem(getattr(line, name), 0, MAX_COORD)
        if problem:
            raise TaskError(problem, path=name)
    if line.x1 != line.x2 and line.y1 != line.y2:
        raise diagonal_line(line.x1, line.y1, line.x2, line.y2)
    if line.color not in COLOR_TO_HEX:
        raise TaskError(unknown_colour(quoted(line.color)), path="color")


def diagonal_line(x1: int, y1: int, x2: int, y2: int) -> TaskError:
    """The error of a diagonal line, with the corner path that draws the same ends: a pen moves
    along rows and columns only, so a teacher's diagonal is most likely two lines meant."""
    return TaskError(
        f"a line must be horizontal or vertical, and ({x1},{y1})-({x2},{y2}) is diagonal",
        path="",
        hint=f"draw it as two lines, ({x1},{y1})-({x2},{y1}) and ({x2},{y1})-({x2},{y2}), "
        "or correct the end mistyped",
    )


def _check_whole(path: str, value: object, lo: int, hi: int) -> None:
    if type(value) is not int or not lo <= value <= hi:
        raise TaskError(f"must be a whole number in {lo}..{hi}, not {value!r}", path=path)


@dataclass(frozen=True)
class World:
    rows: int
    cols: int
    tiles: tuple[Tile, ...]  # one per cell, flat index order (missing cells filled in)
    items: Mapping[int, Item]  # flat index -> item (kept as a read-only copy)
    lines: tuple[Line, ...]
    turtle: Turtle
    # derived, for the hot paths
    wall_bits: tuple[int, ...] = field(init=False, repr=False, compare=False)
    allowed: tuple[bool, ...] = field(init=False, repr=False, compare=False)
    exist: tuple[bool, ...] = field(init=False, repr=False, compare=False)
    picture: FrozenDict[SegmentKey, str] = field(init=False, repr=False, compare=False)
    # moves[4*i + d]: where a step from cell i in direction d leads (a cell or a MOVE_* code);
    # segments[4*i + d]: the key of the unit segment that step draws
    moves: tuple[int, ...] = field(init=False, repr=False, compare=False)
    segments: tuple[SegmentKey | None, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._check_containers()
        object.__setattr__(self, "items", freeze(self.items))  # checked as it will stay
        self._validate()
        # A line from a cell to itself draws nothing; left out, it does not colour the
        # description either, and a world written out and read back is the same world.
        drawn = tuple(ln for ln in self.lines if (ln.x1, ln.y1) != (ln.x2, ln.y2))
        object.__setattr__(self, "lines", drawn)
        bits = []
        for tile in self.tiles:
            mask = 0
            for d, side in enumerate(WALL_SIDES):
                if side in tile.walls:
                    mask |= 1 << d
            bits.append(mask)
        object.__setattr__(self, "wall_bits", tuple(bits))
        object.__setattr__(self, "allowed", tuple(t.allowed for t in self.tiles))
        object.__setattr__(self, "exist", tuple(t.exist for t in self.tiles))
        picture: dict[SegmentKey, str] = {}
        for line in self.lines:
            for a, b in line.unit_segments():
                picture[self.segment_key(a, b)] = line.color
        object.__setattr__(self, "picture", FrozenDict(picture))
        self._tabulate_moves()

    def _check_containers(self) -> None:
        """The fields that hold many values, before anything reads them: tuples (a world is
        hashed, and a list could change after the checks) and a mapping of items (copied)."""
        for name, what in (("tiles", "Tiles"), ("lines", "Lines")):
            value = getattr(self, name)
            if type(value) is not tuple:
                raise TaskError(f"must be a tuple of {what}, not {type(value).__name__}", path=name)
        if not isinstance(self.items, Mapping):
            raise TaskError(
                f"must be a mapping of flat cell index to Item, not {type(self.items).__name__}",
                path="items",
            )

    def _validate(self) -> None:
        """A world built by hand gets the checks a task file gets, naming the field: without
        them a turtle at x = -1 would wrap round to the last column, and a missing tile would
        be an IndexError deep in a run."""
        _check_whole("rows", self.rows, 1, 64)
        _check_whole("cols", self.cols, 1, 64)
        self._check_tiles()
        tr = self.turtle
        if not isinstance(tr, Turtle):
            raise TaskError("must be a Turtle", path="turtle")
        _check_whole("turtle.x", tr.x, 0, self.cols - 1)
        _check_whole("turtle.y", tr.y, 0, self.rows - 1)
        _check_whole("turtle.direction", tr.direction, 0, 3)
        self._check_items()
        for i, line in enumerate(self.lines):
            if not isinstance(line, Line):
                raise TaskError("must be a Line", path=f"lines[{i}]")
            with within(f"lines[{i}]"):
                _check_line(line)

    def _check_tiles(self) -> None:
        if len(self.tiles) != self.size:
            raise TaskError(
                f"needs one tile per cell ({self.size}), not {len(self.tiles)}", path="tiles"
            )
        for i, t in enumerate(self.tiles):
            x, y = self.cell(i)
            whole = isinstance(t, Tile) and type(t.x) is int and type(t.y) is int
            if not whole or (t.x, t.y) != (x, y):
                raise TaskError(
                    f"must be the Tile of cell ({x},{y}) (flat index order)", path=f"tiles[{i}]"
                )
            with within(f"tiles[{i}]"):
                _check_tile(t)

    def _check_items(self) -> None:
        for index, item in self.items.items():
            if type(index) is not int or not 0 <= index < self.size:
                raise TaskError(
                    f"a flat cell index must be in 0..{self.size - 1}", path=f"items[{index!r}]"
                )
            if not isinstance(item, Item):
                raise TaskError("must be an Item", path=f"items[{index}]")
            with within(f"items[{index}]"):
                check_item(item)

    def _tabulate_moves(self) -> None:
        """Every step's outcome, decided once per world instead of once per step."""
        moves: list[int] = []
        segments: list[SegmentKey | None] = []
        for i in range(self.size):
            x, y = i % self.cols, i // self.cols
            for d in range(4):
                nx, ny = x + DX[d], y + DY[d]
                j = ny * self.cols + nx
                if self.wall_bits[i] >> d & 1:
                    moves.append(MOVE_WALL)
                elif not self.inside(nx, ny):
                    moves.append(MOVE_OUT)
                elif not self.allowed[j]:
                    moves.append(MOVE_FORBIDDEN)
                elif not self.exist[j]:
                    moves.append(MOVE_NO_TILE)
                else:
                    moves.append(j)
                if moves[-1] < 0:
                    segments.append(None)
                else:
                    segments.append((i, j) if i < j else (j, i))
        object.__setattr__(self, "moves", tuple(moves))
        object.__setattr__(self, "segments", tuple(segments))

    def one_way_walls(self) -> list[tuple[int, int, str]]:
        """(x, y, side) of every wall a run can cross the other way: only the wall of the tile
        being left is checked (`moves`), so a wall whose neighbour has none on the facing side
        stops the moves out of (x, y) and lets a turtle on the neighbour step in. That needs a
        run to reach the neighbour and the step to succeed: a wall on the grid's edge, facing a
        forbidden cell or a hole, or between cells no run reaches (a turtle walled in on its
        own tile) stops every move a run can make, and is not listed."""
        crossable = []  # (x, y, side, the neighbour's cell): a step from it back succeeds
        for i, bits in enumerate(self.wall_bits):
            for d, side in enumerate(WALL_SIDES):
                if not bits >> d & 1:
                    continue
                x, y = self.cell(i)
                nx, ny = x + DX[d], y + DY[d]
                if not self.inside(nx, ny):
                    continue
                j = self.index(nx, ny)
                if self.moves[4 * j + (d + 2) % 4] == i:
                    crossable.append((x, y, side, j))
        if not crossable:  # every task loaded asks: the walk over the grid only when it can tell
            return []
        reached = self._reachable()
        return [(x, y, side) for x, y, side, j in crossable if reached[j]]

    def _reachable(self) -> list[bool]:
        """Which cells some run reaches from the start (a turtle turns freely, so a cell leads
        to every cell a step from it enters)."""
        start = self.index(self.turtle.x, self.turtle.y)
        reached = [False] * self.size
        reached[start] = True
        todo = [start]
        while todo:
            i = todo.pop()
            for j in self.moves[4 * i : 4 * i + 4]:
                if j >= 0 and not reached[j]:
                    reached[j] = True
                    todo.append(j)
        return reached

    @property
    def size(self) -> int:
        return self.rows * self.cols

    def index(self, x: int, y: int) -> int:
        return y * self.cols + x

    def cell(self, index: int) -> tuple[int, int]:
        return index % self.cols, index // self.cols

    def inside(self, x: int, y: int) -> bool:
        return 0 <= x < self.cols and 0 <= y < self.rows

    def segment_key(self, a: tuple[int, int], b: tuple[int, int]) -> SegmentKey:
        if self.inside(*a) and self.inside(*b):
            i, j = self.index(*a), self.index(*b)
            return (i, j) if i < j else (j, i)
        return (a, b) if a < b else (b, a)

    def segment_cells(self, key: SegmentKey) -> tuple[tuple[int, int], tuple[int, int]]:
        a, b = key
        if isinstance(a, int) and isinstance(b, int):
            return self.cell(a), self.cell(b)
        return a, b  # type: ignore[return-value]

    @property
    def line_colors(self) -> list[str]:
        return sorted({line.color for line in self.lines})

    @property
    def catalogue_ok(self) -> bool:
        return all(item.in_catalogue for item in self.items.values())
