"""Which of several equally good solutions a learner expects to be shown.

A task often has shortest solutions that differ only in a turn's direction (round an obstacle
on the left or on the right) or in where a repeat starts, and a repair often has fixes as near
as each other (insert `lt` or `rt` at block 4). The solver lists them in the order its search
meets them, which favoured `lt` (the edit search tries the blocks as fd, bk, lt, rt): a hint
said "turn left" where turning right was as short, and a learner who had been turning right
all along was sent the other way. Among answers that are otherwise equal, the hint (and
`:solve`'s choice of which shortest solution to show) takes the one `preferred` picks, a
deterministic order that does not depend on either engine:

1. block by block from the top, the block of a kind the learner has used more often in the
   program so far (every fd, bk, lt, rt, setpc and repeat counts, inside repeats too): one who
   has turned right twice is hinted right again;
2. then the kinds in the order fd, rt, lt, bk, setpc, repeat: forward before back and right
   before left, as the benchmark's reference solutions use them (173 fd, 73 rt, 40 lt and 37
   bk blocks) and as Logo's textbook square turns, and a single command before a repeat, one
   small step at a time;
3. then the colour (by name), or a repeat's count (fewer first) and its body, by these rules.

Never imports z3 or the CLI.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from xlogo_lang.ast import Block, Program, Repeat, SetPenColor

KIND_ORDER = ("fd", "rt", "lt", "bk", "setpc", "repeat")


def preferred(programs: Iterable[Program], current: Program) -> Program:
    """The program a learner who wrote `current` expects first (module docstring); the
    programs are the equally good answers, at least one."""
    used = habits(current)
    return min(programs, key=lambda prog: blocks_key(prog.body, used))


def habits(program: Program) -> Counter[str]:
    """How many blocks of each kind the program has, the bodies of its repeats included."""
    used: Counter[str] = Counter()

    def walk(blocks: tuple[Block, ...]) -> None:
        for block in blocks:
            used[_kind(block)] += 1
            if isinstance(block, Repeat):
                walk(block.body)

    walk(program.body)
    return used


def blocks_key(blocks: tuple[Block, ...], used: Counter[str]) -> tuple[Any, ...]:
    """The sort key of a list of blocks: smaller is expected first."""
    return tuple(_block_key(block, used) for block in blocks)


def _block_key(block: Block, used: Counter[str]) -> tuple[Any, ...]:
    kind = _kind(block)
    detail: Any = ""
    if isinstance(block, SetPenColor):
        detail = block.color
    elif isinstance(block, Repeat):
        detail = (block.times, blocks_key(block.body, used))
    return (-used[kind], KIND_ORDER.index(kind), detail)


def _kind(block: Block) -> str:
    if isinstance(block, Repeat):
        return "repeat"
    if isinstance(block, SetPenColor):
        return "setpc"
    return block.kind
