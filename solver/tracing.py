"""A program that draws a picture by tracing it, line by line: an upper bound, never a proof.

The enumerative search refutes sizes one by one, and its probe looks for a first solution in a
smaller language; on a long picture in several colours (a spiral, say) both can run out of
budget with no program at all. Tracing always has one when the picture can be drawn: walk the
picture's segments depth first from the start cell, each new segment out and back (every segment
is drawn in its own colour both ways, so whatever the order, each ends in its colour), drop the
way back after the last new segment, and write the walk as blocks: a setpc where the colour
changes, a turn where the direction does (or `bk` for a step straight back), and
`repeat(n){fd}` for a straight run. Moves may only follow the picture's segments (a move off the
picture is dead), so the walk covers exactly the picture.

The program is checked with the core's `run`, constraints included; a task whose constraints it
breaks (too many blocks of a type, `start_by` ...) gets None. This module never imports z3 or
the CLI.
"""

from __future__ import annotations

from xlogo_lang.ast import MAX_TIMES, Block, Program, Repeat
from xlogo_lang.verdict import run

from .search_space import BK, BLACK, FD, LT, RT, SETPC0, Space


def trace_program(space: Space) -> Program | None:
    """A program of the task's picture drawn by tracing it (module docstring), or None."""
    if not space.draw or not space.nedges:
        return None
    walk = _walk(space)
    if walk is None:
        return None
    prog = _blocks(space, walk)
    if prog is None or not run(space.task, prog).solved:
        return None
    return prog


def _walk(space: Space) -> list[tuple[int, int]] | None:
    """(direction, colour) of every step of a depth-first walk that draws every segment."""
    seen: set[int] = set()
    steps: list[tuple[int, int]] = []
    last_new = 0  # steps up to the last one that drew a new segment

    def legal(cell: int, d: int) -> tuple[int, int] | None:
        nxt = space.fwd[cell * 4 + d]
        if nxt < 0 or space.fwd[(nxt & ~3) | ((d + 2) & 3)] < 0:
            return None  # dead either way (the way back must be a legal move too)
        return nxt >> 2, space.fwd_edge[cell * 4 + d]

    # an explicit stack: (cell, the directions still to try from it, the step back from it)
    start = space.start_pose >> 2
    stack: list[tuple[int, list[int], tuple[int, int] | None]] = [
        (start, _order(space.start_pose & 3), None)
    ]
    while stack:
        cell, todo, back = stack[-1]
        if not todo:
            stack.pop()
            if back is not None:
                steps.append(back)
            continue
        d = todo.pop(0)
        nxt = legal(cell, d)
        if nxt is None or nxt[1] in seen:
            continue
        other, edge = nxt
        seen.add(edge)
        colour = space.edge_colors[edge]
        steps.append((d, colour))
        last_new = len(steps)
        stack.append((other, _order(d), ((d + 2) & 3, colour)))
    if len(seen) < space.nedges:
        return None  # part of the picture cannot be reached along the picture
    return steps[:last_new]


def _order(heading: int) -> list[int]:
    """Directions to try: straight on first (fewer turns, longer runs), then the others."""
    return [heading, (heading + 1) & 3, (heading + 3) & 3, (heading + 2) & 3]


def _blocks(space: Space, walk: list[tuple[int, int]]) -> Program | None:
    can = set(space.basic_codes)
    heading, pen = space.start_pose & 3, BLACK
    flat: list[int] = []
    for d, colour in walk:
        if colour != pen:
            if SETPC0 + colour not in can:
                return None
            flat.append(SETPC0 + colour)
            pen = colour
        turn = (d - heading) & 3
        if turn == 2 and BK in can:
            flat.append(BK)
            continue
        if turn:
            # right turns needed, and the same with left turns
            for code, times in ((RT, turn), (LT, 4 - turn)) if turn != 3 else ((LT, 1), (RT, 3)):
                if code in can:
                    flat += [code] * times
                    break
            else:
                return None
            heading = d
        if FD not in can:
            return None
        flat.append(FD)
    return Program(tuple(_runs(space, flat)))


def _runs(space: Space, flat: list[int]) -> list[Block]:
    """The blocks, with a run of three or more equal moves as `repeat(n){move}`."""
    use_repeat = "repeat" in space.bounds.allowed
    out: list[Block] = []
    i = 0
    while i < len(flat):
        j = i
        while j < len(flat) and flat[j] == flat[i]:
            j += 1
        n = j - i
        block = space.blocks[flat[i]]
        if use_repeat and flat[i] in (FD, BK) and n >= 3:
            while n:
                k = min(n, MAX_TIMES)
                out.append(Repeat(k, (block,)) if k >= 3 else block)
                if k < 3:
                    out += [block] * (k - 1)
                n -= k
        else:
            out += [block] * n
        i = j
    return out
