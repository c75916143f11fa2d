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

from .frozen import FrozenDict, freeze

NORTH, EAST, SOUTH, WEST = 0, 1, 2, 3
DIRECTION_NAMES = ("north", "east", "south", "west")
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
        object.__setattr__(self, "items", freeze(self.items))  # validated as it will stay
        self._validate()
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

    def _validate(self) -> None:
        """A world built by hand gets the checks a task file gets, naming the field: without
        them a turtle at x = -1 would wrap round to the last column, and a missing tile would
        be an IndexError deep in a run."""
        from .ast import unknown_colour
        from .errors import TaskError, quoted

        def bad(path: str, message: str) -> TaskError:
            return TaskError(message, path=path)

        for name in ("rows", "cols"):
            v = getattr(self, name)
            if type(v) is not int or not 1 <= v <= 64:
                raise bad(name, f"must be a whole number in 1..64, not {v!r}")
        if len(self.tiles) != self.rows * self.cols:
            raise bad(
                "tiles", f"needs one tile per cell ({self.rows * self.cols}), not {len(self.tiles)}"
            )
        for i, t in enumerate(self.tiles):
            if not isinstance(t, Tile) or (t.x, t.y) != self.cell(i):
                x, y = self.cell(i)
                raise bad(f"tiles[{i}]", f"must be the Tile of cell ({x},{y}) (flat index order)")
            if not t.walls <= set(WALL_SIDES):
                raise bad(f"tiles[{i}].walls", f"wall sides are {', '.join(WALL_SIDES)}")
        tr = self.turtle
        if not isinstance(tr, Turtle):
            raise bad("turtle", "must be a Turtle")
        for name, hi in (("x", self.cols - 1), ("y", self.rows - 1), ("direction", 3)):
            v = getattr(tr, name)
            if type(v) is not int or not 0 <= v <= hi:
                raise bad(f"turtle.{name}", f"must be a whole number in 0..{hi}, not {v!r}")
        for index, item in self.items.items():
            if type(index) is not int or not 0 <= index < self.size:
                raise bad(f"items[{index!r}]", f"a flat cell index must be in 0..{self.size - 1}")
            if not isinstance(item, Item):
                raise bad(f"items[{index}]", "must be an Item")
        for i, line in enumerate(self.lines):
            if not isinstance(line, Line):
                raise bad(f"lines[{i}]", "must be a Line")
            if line.x1 != line.x2 and line.y1 != line.y2:
                raise bad(f"lines[{i}]", "a line must be horizontal or vertical")
            if line.color not in COLOR_TO_HEX:
                raise bad(f"lines[{i}].color", unknown_colour(quoted(line.color)))

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
