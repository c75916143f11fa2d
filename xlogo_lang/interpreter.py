"""Running a program on a world, with exactly the reference semantics (SEMANTICS.md section 3).

Two paths give the same answers:

* Programs of at most `MAX_CALLS` basic actions (all real ones) are unrolled into a flat list of
  opcodes and run in one tight loop over the world's precomputed move table (`World.moves`),
  recording the visited cells and the drawn segments. The step-by-step trace (`steps`) is not
  recorded there: it is made on demand by running the program again with recording on, since
  scoring and search never look at it.
* Larger programs must crash, either into the grid or at the call cap. They are run on
  *summaries*: the effect of a repeat body from a pose (position + heading) is computed once and
  memoised, so `repeat(12)` nested eight deep (4e8 actions) is decided in milliseconds without
  unrolling. The pen colour cannot cause a crash, so poses suffice. No trace is recorded on this
  path (`Execution.truncated` says so).

The interpreter never looks at goals or constraints; `verdict.py` combines them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from .ast import Block, Command, Program, Repeat, SetPenColor, call_count
from .world import DX, DY, MOVE_FORBIDDEN, MOVE_NO_TILE, MOVE_OUT, MOVE_WALL, SegmentKey, World

MAX_CALLS = 100_000

WALL, OUT_OF_WORLD, FORBIDDEN, NO_TILE, CALL_LIMIT = (
    "wall",
    "out_of_world",
    "forbidden",
    "no_tile",
    "call_limit",
)
_MOVE_CRASH = {
    MOVE_WALL: WALL,
    MOVE_OUT: OUT_OF_WORLD,
    MOVE_FORBIDDEN: FORBIDDEN,
    MOVE_NO_TILE: NO_TILE,
}
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

    @property
    def label(self) -> str:
        """The command as a trace shows it: `fd`, `setpc(red)`."""
        block = self.block
        return f"setpc({block.color})" if isinstance(block, SetPenColor) else block.type

    def to_dict(self) -> dict[str, object]:
        span = self.block.span
        return {
            "step": self.index,
            "command": self.label,
            "span": span.to_dict() if span else None,
            "x": self.x,
            "y": self.y,
            "direction": self.direction,
            "pen": self.pen,
            "cell": list(self.cell) if self.cell else None,
            "segment": [list(self.segment[0]), list(self.segment[1])] if self.segment else None,
            "crashed": self.crashed,
        }


@dataclass
class Execution:
    """What happened: the crash (if any), the visited cells, the picture drawn, the steps."""

    world: World
    crash: Crash | None
    cells: list[int]  # start cell + cell after each successful move
    drawn: dict[SegmentKey, str]
    calls: int
    program: Program | None = field(default=None, repr=False)
    truncated: bool = False
    _recorded: list[tuple[Block, int, int, int, str, int]] | None = field(default=None, repr=False)

    @property
    def crashed(self) -> bool:
        return self.crash is not None

    @property
    def _raw(self) -> list[tuple[Block, int, int, int, str, int]]:
        """(block, x, y, direction, pen, cell left or -1) per step, recorded on first use."""
        if self._recorded is None:
            if self.truncated or self.program is None:
                self._recorded = []
            else:
                self._recorded = _execute_flat(self.world, self.program, record=True)._recorded
        return self._recorded  # type: ignore[return-value]

    @property
    def steps(self) -> list[Step]:
        """The step trace, built on demand from the raw records of a recorded re-run."""
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
    return _execute_flat(world, prog)


_OPCODES = {"fd": 0, "bk": 1, "lt": 2, "rt": 3}


def _opcodes(blocks: tuple[Block, ...]) -> list[int | str]:
    """The unrolled actions as opcodes: 0 fd, 1 bk, 2 lt, 3 rt, or a pen colour for setpc."""
    out: list[int | str] = []
    for block in blocks:
        if type(block) is Command:
            out.append(_OPCODES[block.kind])
        elif type(block) is SetPenColor:
            out.append(block.color)
        else:
            out.extend(_opcodes(block.body) * block.times)  # type: ignore[union-attr]
    return out


def _execute_flat(world: World, prog: Program, *, record: bool = False) -> Execution:
    """Run every action in order; with `record`, also keep the raw step records."""
    cols = world.cols
    moves = world.moves
    # segments[k] is None only where moves[k] < 0, and such a move breaks out before it is read
    segments = cast(tuple[SegmentKey, ...], world.segments)
    here = world.turtle.y * cols + world.turtle.x
    d = world.turtle.direction
    pen = "black"
    cells = [here]
    drawn: dict[SegmentKey, str] = {}
    raw: list[tuple[Block, int, int, int, str, int]] = []
    blocks = flatten(prog.body) if record else []
    crash = None
    n = 0
    for op in _opcodes(prog.body):
        n += 1
        if op == 0 or op == 1:
            step = d if op == 0 else (d + 2) & 3
            k = 4 * here + step
            nxt = moves[k]
            if nxt < 0:
                crash = _move_crash(nxt, here % cols, here // cols, step, n)
                if record:
                    x, y = here % cols + DX[step], here // cols + DY[step]
                    raw.append((blocks[n - 1], x, y, d, pen, -1))
                break
            drawn[segments[k]] = pen
            if record:
                raw.append((blocks[n - 1], nxt % cols, nxt // cols, d, pen, here))
            here = nxt
            cells.append(here)
            continue
        if op == 3:
            d = (d + 1) & 3
        elif op == 2:
            d = (d - 1) & 3
        else:
            pen = op  # type: ignore[assignment]
        if record:
            raw.append((blocks[n - 1], here % cols, here // cols, d, pen, -1))
    return Execution(world, crash, cells, drawn, n, prog, _recorded=raw if record else None)


def _move_crash(code: int, x: int, y: int, step: int, n: int) -> Crash:
    """The crash of a move from (x, y): a wall is reported where the turtle was, the rest where
    it arrived (possibly outside the grid)."""
    if code == MOVE_WALL:
        return Crash(WALL, x, y, n)
    return Crash(_MOVE_CRASH[code], x + DX[step], y + DY[step], n)


# -- the summarised path, for programs of more than MAX_CALLS actions ---------------------------

# (x, y, direction, calls made, crash or None); a crash carries its step number within the blocks
_Summary = tuple[int, int, int, int, "Crash | None"]


def _execute_summarised(world: World, prog: Program) -> Execution:
    memo: dict[tuple[int, int, int, int], _Summary] = {}
    t = world.turtle
    *_, calls, crash = _summarise(world, prog.body, t.x, t.y, t.direction, memo)
    if crash is None or crash.step > MAX_CALLS:
        # The 100001st call crashes; its message overwrites a crash made by that same call.
        crash = Crash(CALL_LIMIT, None, None, MAX_CALLS + 1)
        calls = MAX_CALLS + 1
    else:
        calls = crash.step
    return Execution(world, crash, [], {}, calls, prog, truncated=True, _recorded=[])


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
                    total = calls + crash.step
                    return x, y, d, calls + n, Crash(crash.kind, crash.x, crash.y, total)
                calls += n
                if calls > MAX_CALLS:  # no need to go on: the cap is reached either way
                    return x, y, d, calls, None
            continue
        calls += 1
        if isinstance(block, Command):
            if block.kind in ("fd", "bk"):
                step = d if block.kind == "fd" else (d + 2) & 3
                nxt = world.moves[4 * (y * world.cols + x) + step]
                if nxt < 0:
                    return x + DX[step], y + DY[step], d, calls, _move_crash(nxt, x, y, step, calls)
                x, y = nxt % world.cols, nxt // world.cols
            elif block.kind == "rt":
                d = (d + 1) & 3
            else:
                d = (d - 1) & 3
    return x, y, d, calls, None
