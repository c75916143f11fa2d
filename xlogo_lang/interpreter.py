"""Running a program on a world, with exactly the reference semantics (SEMANTICS.md section 3).

Two paths give the same answers:

* Programs of at most `MAX_CALLS` basic actions (all real ones) are unrolled into a flat list of
  leaf blocks and run in one tight loop that records the trace.
* Larger programs must crash, either into the grid or at the call cap. They are run on
  *summaries*: the effect of a repeat body from a pose (position + heading) is computed once and
  memoised, so `repeat(12)` nested eight deep (4e8 actions) is decided in milliseconds without
  unrolling. The pen colour cannot cause a crash, so poses suffice. No trace is recorded on this
  path (`Execution.truncated` says so).

The interpreter never looks at goals or constraints; `verdict.py` combines them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .ast import Block, Command, Program, Repeat, SetPenColor, call_count
from .world import DX, DY, World

MAX_CALLS = 100_000

WALL, OUT_OF_WORLD, FORBIDDEN, NO_TILE, CALL_LIMIT = (
    "wall",
    "out_of_world",
    "forbidden",
    "no_tile",
    "call_limit",
)
# The reference's names for the same crash kinds.
REFERENCE_CRASH_NAMES = {
    WALL: "WALL",
    OUT_OF_WORLD: "OUT_OF_WORLD",
    FORBIDDEN: "FORBIDDEN_AREA",
    NO_TILE: "GRID_NOT_EXIST",
    CALL_LIMIT: "EXCEED_MAX_CALLS",
}


@dataclass(frozen=True, slots=True)
class Crash:
    kind: str
    x: int | None
    y: int | None
    step: int  # 1-based number of the basic action that crashed

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "x": self.x, "y": self.y}


@dataclass(frozen=True, slots=True)
class Step:
    """One executed basic action, with the state after it."""

    index: int  # 1-based
    block: Block
    x: int
    y: int
    direction: int
    pen: str
    cell: tuple[int, int] | None  # the cell entered, for fd/bk
    segment: tuple[tuple[int, int], tuple[int, int]] | None  # the unit segment drawn
    crashed: bool = False

    def to_dict(self) -> dict[str, object]:
        span = self.block.span
        return {
            "step": self.index,
            "command": _block_label(self.block),
            "span": span.to_dict() if span else None,
            "x": self.x,
            "y": self.y,
            "direction": self.direction,
            "pen": self.pen,
            "cell": list(self.cell) if self.cell else None,
            "segment": [list(self.segment[0]), list(self.segment[1])] if self.segment else None,
            "crashed": self.crashed,
        }


def _block_label(block: Block) -> str:
    return f"setpc({block.color})" if isinstance(block, SetPenColor) else block.type


@dataclass
class Execution:
    """What happened: the crash (if any), the visited cells, the picture drawn, the steps."""

    world: World
    crash: Crash | None
    cells: list[int]  # start cell + cell after each successful move
    drawn: dict[object, str]
    calls: int
    _raw: list[tuple[Block, int, int, int, str, int]]
    truncated: bool = False

    @property
    def crashed(self) -> bool:
        return self.crash is not None

    @property
    def steps(self) -> list[Step]:
        """The step trace, built on demand (the hot path only records raw tuples)."""
        out = []
        cols = self.world.cols
        last = len(self._raw)
        for n, (block, x, y, d, pen, frm) in enumerate(self._raw, start=1):
            crashed = self.crash is not None and n == last and self.crash.kind != CALL_LIMIT
            cell = (x, y) if frm >= 0 or (crashed and block.type in ("fd", "bk")) else None
            seg = None
            if frm >= 0 and not crashed:
                seg = ((frm % cols, frm // cols), (x, y))
            out.append(Step(n, block, x, y, d, pen, cell, seg, crashed))
        return out


def flatten(blocks: tuple[Block, ...], out: list[Block] | None = None) -> list[Block]:
    """Unroll repeats into the sequence of basic actions they perform."""
    if out is None:
        out = []
    for block in blocks:
        if isinstance(block, Repeat):
            body = flatten(block.body)
            for _ in range(block.times):
                out.extend(body)
        else:
            out.append(block)
    return out


def execute(world: World, prog: Program) -> Execution:
    if call_count(prog.body) > MAX_CALLS:
        return _execute_summarised(world, prog)
    return _execute_flat(world, flatten(prog.body))


def _execute_flat(world: World, actions: list[Block]) -> Execution:
    t = world.turtle
    x, y, d = t.x, t.y, t.direction
    cols, rows = world.cols, world.rows
    walls, allowed, exist = world.wall_bits, world.allowed, world.exist
    pen = "black"
    here = y * cols + x
    cells = [here]
    drawn: dict[object, str] = {}
    raw: list[tuple[Block, int, int, int, str, int]] = []
    crash = None
    n = 0
    for block in actions:
        n += 1
        kind = block.type
        if kind == "fd" or kind == "bk":
            step = d if kind == "fd" else (d + 2) & 3
            nx, ny = x + DX[step], y + DY[step]
            if walls[here] >> step & 1:
                crash = Crash(WALL, x, y, n)
                x, y = nx, ny
                raw.append((block, x, y, d, pen, -1))
                break
            x, y = nx, ny
            if not (0 <= x < cols and 0 <= y < rows):
                crash = Crash(OUT_OF_WORLD, x, y, n)
                raw.append((block, x, y, d, pen, -1))
                break
            nxt = y * cols + x
            if not allowed[nxt]:
                crash = Crash(FORBIDDEN, x, y, n)
            elif not exist[nxt]:
                crash = Crash(NO_TILE, x, y, n)
            if crash is not None:
                raw.append((block, x, y, d, pen, -1))
                break
            drawn[(here, nxt) if here < nxt else (nxt, here)] = pen
            raw.append((block, x, y, d, pen, here))
            here = nxt
            cells.append(here)
        elif kind == "rt":
            d = (d + 1) & 3
            raw.append((block, x, y, d, pen, -1))
        elif kind == "lt":
            d = (d - 1) & 3
            raw.append((block, x, y, d, pen, -1))
        else:
            pen = block.color  # type: ignore[union-attr]
            raw.append((block, x, y, d, pen, -1))
    return Execution(world, crash, cells, drawn, n, raw)


# -- the summarised path, for programs of more than MAX_CALLS actions ---------------------------

# (x, y, direction, calls made, crash or None); a crash carries its step number within the blocks
_Summary = tuple[int, int, int, int, "Crash | None"]


def _execute_summarised(world: World, prog: Program) -> Execution:
    memo: dict[tuple[int, int, int, int], _Summary] = {}
    t = world.turtle
    x, y, d, calls, crash = _summarise(world, prog.body, t.x, t.y, t.direction, memo)
    if crash is None or crash.step > MAX_CALLS:
        # The 100001st call crashes; its message overwrites a crash made by that same call.
        crash = Crash(CALL_LIMIT, None, None, MAX_CALLS + 1)
        calls = MAX_CALLS + 1
    else:
        calls = crash.step
    return Execution(world, crash, [], {}, calls, [], truncated=True)


def _summarise(
    world: World,
    blocks: tuple[Block, ...],
    x: int,
    y: int,
    d: int,
    memo: dict[tuple[int, int, int, int], _Summary],
) -> _Summary:
    calls = 0
    for block in blocks:
        if isinstance(block, Repeat):
            for _ in range(block.times):
                key = (id(block.body), x, y, d)
                s = memo.get(key)
                if s is None:
                    s = memo[key] = _summarise(world, block.body, x, y, d, memo)
                x, y, d, n, crash = s
                if crash is not None:
                    return x, y, d, calls + n, Crash(crash.kind, crash.x, crash.y, calls + crash.step)
                calls += n
                if calls > MAX_CALLS:  # no need to go on: the cap is reached either way
                    return x, y, d, calls, None
            continue
        calls += 1
        if isinstance(block, Command):
            if block.kind in ("fd", "bk"):
                step = d if block.kind == "fd" else (d + 2) & 3
                here = y * world.cols + x
                nx, ny = x + DX[step], y + DY[step]
                if world.wall_bits[here] >> step & 1:
                    return nx, ny, d, calls, Crash(WALL, x, y, calls)
                x, y = nx, ny
                if not world.inside(x, y):
                    return x, y, d, calls, Crash(OUT_OF_WORLD, x, y, calls)
                nxt = y * world.cols + x
                if not world.allowed[nxt]:
                    return x, y, d, calls, Crash(FORBIDDEN, x, y, calls)
                if not world.exist[nxt]:
                    return x, y, d, calls, Crash(NO_TILE, x, y, calls)
            elif block.kind == "rt":
                d = (d + 1) & 3
            else:
                d = (d - 1) & 3
    return x, y, d, calls, None
