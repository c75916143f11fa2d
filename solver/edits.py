"""Repair: the solution nearest to a given program, in block edits, and the edits themselves.

Edits are the valid tree edits on blocks, each costing 1:

* ``insert`` a basic block anywhere, or a repeat that wraps a run of consecutive siblings
  (possibly none);
* ``delete`` a block (deleting a repeat keeps its body in its place);
* ``replace`` a basic block by another basic block (fd/bk/lt/rt/setpc);
* ``times``: change a repeat count; ``colour``: change a setpc colour.

`block_distance(a, b)` is the ordered-forest edit distance under exactly these costs (a small
Zhang-Shasha implementation; a repeat only maps to a repeat, so every mapping is a valid script).

`repair` searches breadth-first over programs at edit distance 0, 1, 2, ... from the given one,
checking each with the core's verdict, so the first solution found is a nearest one (a program
that dies grows only where its death can still be mended: `reached_before_death`). The first two
layers come first; past them, the shortest solutions give an upper bound U, and when every layer
below U is exhausted, the closest shortest solution is itself proved nearest. Every edit changes
the number of blocks by at most one, so a program of n blocks is at least S - n edits from every
solution when S is the proved shortest size: no layer below S - n is checked, and when U equals
that lower bound the answer is proved at once. A timeout returns the best solution known with
``proved: false``. A repair lists its edits (those the search made, or for a shortest solution
`edit_script`'s) in an order a reader applies top to bottom: the deletes from the end of the
program back, then the solution built from the top down, each position right when the edits
above it are made.

Never imports z3 or the CLI.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from xlogo_lang.ast import Block, Command, Program, Repeat, SetPenColor
from xlogo_lang.errors import ProgramError
from xlogo_lang.interpreter import MAX_CALLS
from xlogo_lang.printer import to_compact, to_text
from xlogo_lang.tasks import Task
from xlogo_lang.verdict import judge, solves

from .enumerative import PRECHECK_CAP
from .preference import preferred
from .search_space import (
    BLACK,
    CODE_PEN,
    UNREACHABLE,
    Infeasible,
    OutOfTime,
    Space,
    check_deadline,
    code_of,
)
from .solution import Solution

DEFAULT_TIMEOUT = 30.0
# Every candidate at edit distance d is a copy of the program, so a layer costs its size times
# its width in memory: past a few thousand blocks one layer alone takes gigabytes. No program a
# learner or a model meant to write is that long, so a longer one is refused with a clear error.
MAX_BLOCKS = 2000
QUICK_LAYERS = 2  # edit layers searched before the shortest solutions (one or two slips)...
QUICK_SHARE = 0.25  # ...within this share of the time
Path = tuple[int, ...]  # indices into nested bodies: (2, 0) = block 0 of the body of block 2


@dataclass(frozen=True)
class Edit:
    """One block edit. `path` locates the block in the program the edit applies to (for insert:
    where the new block goes; a new repeat goes around the `wraps` blocks from there on, so a
    tool can apply the edit without reading `text`)."""

    op: str  # "insert" | "delete" | "replace" | "times" | "colour"
    path: Path
    before: str | None
    after: str | None
    text: str
    wraps: int | None = None  # an inserted repeat: how many blocks it goes around (0: empty)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "op": self.op,
            "path": list(self.path),
            "before": self.before,
            "after": self.after,
            "text": self.text,
        }
        if self.wraps is not None:
            out["wraps"] = self.wraps
        return out


Step = tuple[Edit, Program]  # an edit as the search made it, and the program it leaves


@dataclass
class Repair:
    """The solution nearest to a given program, the block edits that lead to it, and the proof."""

    task_id: str
    original: Program
    program: Program | None  # the nearest solution
    distance: int | None  # number of block edits
    edits: list[Edit]
    proved: bool = False  # no solution is nearer (all closer programs were checked)
    stats: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "original": to_text(self.original),
            "program": to_text(self.program) if self.program is not None else None,
            "compact": to_compact(self.program) if self.program is not None else None,
            "distance": self.distance,
            "proved": self.proved,
            "edits": [e.to_dict() for e in self.edits],
            "stats": self.stats,
        }


def repair(
    task: Task,
    program: Program | str,
    max_distance: int | None = None,
    timeout: float | None = None,
    *,
    shortest: Solution | None = None,
    prune: bool = True,
) -> Repair:
    """The solution nearest to `program` (fewest block edits), with the edits that get there.

    Most programs worth repairing are a slip or two away, so the first edit layers are searched
    before anything else (`QUICK_LAYERS`, within a share of the time): a solution there is the
    nearest, with no need for the shortest solutions, whose search can take the whole budget on
    a big drawing. Otherwise the nearest shortest solution gives an upper bound U and the layers
    go on up to U - 1.

    `timeout` None means `DEFAULT_TIMEOUT` (30 s): the edit layers grow fast with the distance,
    so an unbounded call could run for hours on a program far from every solution. A program of
    more than `MAX_BLOCKS` blocks raises `ProgramError`: its layers would not fit in memory.
    `shortest` is the task's shortest solutions when the caller has them already (a hint does):
    they are not searched again. `prune=False` grows the full edit layers, with no pruning of
    dying programs (`reached_before_death`): the benchmark's baseline."""
    from xlogo_lang.task_format import check_task

    from . import check_count, check_shortest, check_timeout, solve

    check_task(task, "repair")
    if shortest is not None:
        check_shortest(task, shortest, "repair")

    from xlogo_lang.parser import as_program

    program = as_program(program, "repair")
    check_timeout(timeout)
    check_count("max_distance", max_distance, 0)
    if (n := len(program)) > MAX_BLOCKS:
        raise ProgramError(
            f"the program has {n:,} blocks; repair takes programs of at most {MAX_BLOCKS:,}",
            hint="every program one edit away is a copy of it, so a search near a program this"
            " long would not fit in memory",
        )
    t0 = time.perf_counter()
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    deadline = t0 + timeout
    stats: dict[str, Any] = {"candidates": 0}

    def done(prog: Program | None, proved: bool, steps: list[Step] | None = None) -> Repair:
        edits: list[Edit] = []  # listed in an order to apply them, top to bottom
        if prog is not None:
            edits = edit_script(program, prog) if steps is None else _script_along(program, steps)
        stats["time_s"] = round(time.perf_counter() - t0, 4)
        dist = None if prog is None else len(edits)
        return Repair(task.id, program, prog, dist, edits, proved, stats)

    if judge(task, program).solved:  # checked above (parse or check_tree)
        return done(program, True, [])
    try:
        space = Space.of(task, deadline)
    except Infeasible as exc:  # a proof that nothing solves the task (what `solve` would say)
        stats["reason"] = str(exc)
        return done(None, True)
    except OutOfTime:  # a large grid, compiled past the deadline
        stats["timeout"] = True
        return done(None, False)
    try:  # cheap next to an edit layer, and a proof the layers would spend the time to miss
        start_alive, _ = space.alive_states(PRECHECK_CAP, lambda: check_deadline(deadline))
    except OutOfTime:
        stats["timeout"] = True
        return done(None, False)
    if not start_alive:
        stats["reason"] = UNREACHABLE
        return done(None, True)
    layers = _EditLayers(space, program, stats, prune=prune)
    quick = QUICK_LAYERS if max_distance is None else min(QUICK_LAYERS, max_distance)
    found = layers.grow(quick, t0 + timeout * QUICK_SHARE)
    if found is not None:
        return done(found[0], True, found[1])
    # an upper bound: the nearest of the shortest solutions
    if shortest is None:
        shortest = solve(
            task, timeout=max(0.0, deadline - time.perf_counter()), all_solutions=True, limit=20
        )
    measured: list[tuple[int, Program]] = []
    try:  # 50 solutions from a program of 2,000 blocks: a second and more
        for sol in shortest.programs:
            measured.append((block_distance(program, sol, deadline), sol))
    except OutOfTime:  # the nearest of those measured (else the first), as a timeout returns
        stats["timeout"] = True
    upper = _nearest(measured, program)
    stats["upper_bound"] = upper[0] if upper else None
    if len(measured) < len(shortest.programs):  # out of time
        if max_distance is not None and (upper is None or upper[0] > max_distance):
            return done(None, False)  # none known within max_distance
        return done(upper[1] if upper else preferred(shortest.programs, program), False)
    # a lower bound: an edit adds or removes at most one block, and no solution has fewer than
    # the proved shortest size, so the layers below `lower` hold none
    lower = 0
    if shortest.solved and shortest.proved_minimal and shortest.size is not None:
        lower = max(0, shortest.size - n)
        layers.min_size = shortest.size
    stats["lower_bound"] = lower
    if max_distance is not None and lower > max_distance:
        return done(None, True)  # every solution is more than max_distance edits away
    if upper is not None and upper[0] <= lower:  # the nearest shortest solution is nearest
        return done(upper[1], True)
    limit = upper[0] - 1 if upper else (max_distance if max_distance is not None else 3)
    if max_distance is not None:
        limit = min(limit, max_distance)
    found = layers.grow(limit, deadline)
    # what the layers checked proves too: none of them holds a solution (found or not, the
    # timed-out report of a far program then says how near none is)
    stats["lower_bound"] = max(lower, layers.checked + 1)
    if found is not None:
        return done(found[0], True, found[1])
    if upper is not None and (max_distance is None or upper[0] <= max_distance):
        # a solution, proved or not the shortest: with no solution in the layers below it,
        # none is nearer (the layers skip small candidates only below a proved shortest size)
        return done(upper[1], layers.checked >= upper[0] - 1)
    # every layer up to max_distance checked, none holds a solution: a proof there is none
    # within that many edits (short of it, the time ran out)
    return done(None, max_distance is not None and layers.checked >= max_distance)


# -- breadth-first search over edits ------------------------------------------------------------


class _EditLayers:
    """Programs at edit distance 1, 2, ... from `program`, one layer at a time; `grow` can be
    called again with a larger limit and goes on where it stopped."""

    def __init__(
        self, space: Space, program: Program, stats: dict[str, Any], *, prune: bool = True
    ) -> None:
        self.task = space.task
        self.space = space
        # edits only where a dying program can still be mended (`reached_before_death`); off,
        # the layers hold every program (the tests check both find the same solutions)
        self.prune = prune
        self.padding = space.bounds.padding  # an empty repeat can matter (module docstring)
        self.labels = _labels(space)
        self.times = range(1 if space.bounds.padding else 2, space.max_times + 1)
        self.original = program
        self.parent: dict[Program, tuple[Program, Edit] | None] = {program: None}
        self.layer = [program]
        self.todo = 0  # index in `layer` of the next program to expand
        self.next: list[Program] = []
        self.checked = 0  # layers fully checked
        self.stats = stats
        self.min_size = 0  # no solution has fewer blocks (once the shortest size is proved)

    def grow(self, limit: int, deadline: float) -> tuple[Program, list[Step]] | None:
        """A nearest solution within `limit` edits, or None when the layers up to `limit` hold
        none or the deadline comes first (`stats["timeout"]`).

        Of the solutions in the first layer that has any, the shortest wins (an edit that
        leaves a useless block behind is a poor fix), then the one whose first edit comes
        latest: it keeps the longest stretch of the program from its start, which for a
        learner is the part already right."""
        stats = self.stats
        found: list[tuple[Program, list[Step]]] = []
        while self.checked < limit:
            while self.todo < len(self.layer):
                prog = self.layer[self.todo]
                reach = reached_before_death(self.space, prog) if self.prune else None
                for cand, how in _neighbours(
                    prog, self.labels, self.times, reach=reach, empty_repeats=self.padding
                ):
                    if cand in self.parent:
                        continue
                    if time.perf_counter() > deadline:
                        stats["timeout"] = True
                        return _best_fix(found, self.original)  # `prog` is expanded again next time
                    stats["candidates"] += 1  # counted once: a resumed layer skips it above
                    self.parent[cand] = (prog, _edit(*how))
                    if len(cand) >= self.min_size and solves(self.task, cand):
                        found.append((cand, self._steps(cand)))
                    else:
                        self.next.append(cand)
                self.todo += 1
            if found:
                return _best_fix(found, self.original)
            self.layer, self.next, self.todo = self.next, [], 0
            self.checked += 1
            stats.pop("timeout", None)
        return None

    def _steps(self, cand: Program) -> list[Step]:
        """The edits that lead to `cand`, in the order the search made them."""
        steps = []
        cur = cand
        while (link := self.parent[cur]) is not None:
            prev, e = link
            steps.append((e, cur))
            cur = prev
        return list(reversed(steps))


def _nearest(measured: list[tuple[int, Program]], original: Program) -> tuple[int, Program] | None:
    """The nearest of the programs measured (distance, program), the one a learner expects
    (`preference.preferred`) of those as near."""
    if not measured:
        return None
    least = min(d for d, _ in measured)
    return least, preferred([prog for d, prog in measured if d == least], original)


def _best_fix(
    found: list[tuple[Program, list[Step]]], original: Program
) -> tuple[Program, list[Step]] | None:
    """The shortest of the solutions found, then the one whose first edit (as the search made
    the edits) comes latest, then the one a learner expects (`preference.preferred`: insert
    `rt` rather than `lt` when both mend the program, not the first the search tried)."""
    if not found:
        return None

    def rank(f: tuple[Program, list[Step]]) -> tuple[int, Path]:
        return -len(f[0]), min(e.path for e, _ in f[1])

    top = max(map(rank, found))
    best = [f for f in found if rank(f) == top]
    chosen = preferred([prog for prog, _ in best], original)
    return next(f for f in best if f[0] == chosen)


def _labels(space: Space) -> list[Block]:
    out: list[Block] = [Command(k) for k in ("fd", "bk", "lt", "rt") if k in space.bounds.allowed]
    colors = list(space.colors)
    b = space.bounds
    if not colors and "setpc" in b.allowed and b.lo["setpc"] > 0:
        # `exactly {setpc: n}`: a shortest solution never needs a setpc (a type that does not
        # appear is not checked), but a program that already has some may be nearest to one
        # with one more: a do-nothing setpc, any colour (the picture is black or there is none)
        colors = [BLACK]
    out += [SetPenColor(CODE_PEN[c]) for c in colors]
    return out


def neighbours(
    prog: Program,
    labels: list[Block],
    times: range,
    *,
    reach: set[Path] | None = None,
    empty_repeats: bool = True,
) -> Iterator[tuple[Program, Edit]]:
    """Every program one valid block edit away from `prog`; with `reach`, only the edits at
    those points (`reached_before_death`), and without `empty_repeats`, no new repeat around
    no block."""
    for cand, how in _neighbours(prog, labels, times, reach=reach, empty_repeats=empty_repeats):
        yield cand, _edit(*how)


def _neighbours(
    prog: Program,
    labels: list[Block],
    times: range,
    *,
    reach: set[Path] | None = None,
    empty_repeats: bool = True,
) -> Iterator[tuple[Program, tuple[Any, ...]]]:
    """`neighbours`, each with the arguments of its `_edit`: the search makes the Edit (and
    its words) only for a program it has not seen, a fifth of them."""
    named = [(new, _label(new)) for new in labels]
    for path, body in _bodies(prog.body, ()):
        for i, block in enumerate(body):
            here = (*path, i)
            if reach is not None and here not in reach:
                continue
            label = _label(block)
            if isinstance(block, Repeat):
                yield (
                    _replace(prog, path, body[:i] + block.body + body[i + 1 :]),
                    ("delete", here, label, None),
                )
                for n in times:
                    if n != block.times:
                        retimed = Repeat(n, block.body)
                        yield (
                            _replace(prog, path, (*body[:i], retimed, *body[i + 1 :])),
                            ("times", here, label, _label(retimed)),
                        )
                continue
            yield (
                _replace(prog, path, body[:i] + body[i + 1 :]),
                ("delete", here, label, None),
            )
            for new, name in named:
                if new == block:
                    continue
                yield (
                    _replace(prog, path, (*body[:i], new, *body[i + 1 :])),
                    (_change(label, name), here, label, name),
                )
        for i in range(len(body) + 1):
            here = (*path, i)
            if reach is not None and here not in reach:
                continue
            for new, name in named:
                yield (
                    _replace(prog, path, (*body[:i], new, *body[i:])),
                    ("insert", here, None, name),
                )
            for j in range(i if empty_repeats else i + 1, len(body) + 1):
                for n in times:
                    yield (
                        _replace(prog, path, (*body[:i], Repeat(n, body[i:j]), *body[j:])),
                        ("insert", here, None, f"repeat({n})", j - i),
                    )


def reached_before_death(space: Space, prog: Program) -> set[Path] | None:
    """The edit points (a list's path and an index in it, as `Edit.path` names them) a run of
    `prog` reaches before a dead move, one that crashes or enters a cell or draws a segment the
    goal rules out (or, for sum and concat goals, visits what they rule out), or None when its
    run has none.

    A dead move is never undone (rule 1 of the README), and an edit at a point the run first
    reaches after the move leaves the run up to it, so the death, as it is: every program
    that edit makes dies too. And none is needed on the way to a solution: make the edits of a
    shortest script in the order the *solution's* run first reaches their points; each
    program on the way runs as the solution does until the point of its next edit, so it
    reaches that point before any death. (A new repeat whose body is all new blocks, which that
    order would insert empty first, comes after its blocks instead: they are inserted at its
    point and run as the solution's first iteration, then wrapped, so the search needs no empty
    repeat unless the constraints pad.) So the layers keep every solution at its distance while
    a program that crashes early grows only where its crash can still be mended."""
    reach: set[Path] = set()
    steps = 0
    # sum and concat goals also die of what the run visits (a total passed, a spec hit twice
    # or out of order: `Space.apply` says None); their summaries do not depend on the pen
    summary = space.initial_summary() if space.kind in ("sum", "concat") else None

    def run_list(blocks: tuple[Block, ...], path: Path, pose: int) -> int | None:
        nonlocal steps, summary
        for i, block in enumerate(blocks):
            reach.add((*path, i))
            steps += 1
            if steps > MAX_CALLS:
                raise _NoDeath
            if isinstance(block, Repeat):
                for _ in range(block.times):
                    after = run_list(block.body, (*path, i), pose)
                    if after is None:
                        return None
                    pose = after
                continue
            e = space.basic_effects[code_of(block)][pose]
            if e is None:
                return None
            if summary is not None:
                summary = space.apply(summary, 0, e)
                if summary is None:
                    return None
            pose = e[0]
        reach.add((*path, len(blocks)))
        return pose

    try:
        died = run_list(prog.body, (), space.start_pose) is None
    except _NoDeath:  # a run this long hits the call cap, which no edit point explains
        return None
    return reach if died else None


class _NoDeath(Exception):
    pass


def _bodies(blocks: tuple[Block, ...], path: Path) -> Iterator[tuple[Path, tuple[Block, ...]]]:
    yield path, blocks
    for i, b in enumerate(blocks):
        if isinstance(b, Repeat):
            yield from _bodies(b.body, (*path, i))


def _replace(prog: Program, path: Path, new_body: tuple[Block, ...]) -> Program:
    return Program(_set(prog.body, path, new_body))


def _set(blocks: tuple[Block, ...], path: Path, new_body: tuple[Block, ...]) -> tuple[Block, ...]:
    if not path:
        return new_body
    i, rest = path[0], path[1:]
    rep = blocks[i]
    assert isinstance(rep, Repeat)
    return (*blocks[:i], Repeat(rep.times, _set(rep.body, rest, new_body)), *blocks[i + 1 :])


def _label(block: Block) -> str:
    if isinstance(block, Repeat):
        return f"repeat({block.times})"
    if isinstance(block, SetPenColor):
        return f"setpc({block.color})"
    return block.kind


def _where(path: Path) -> str:
    return f"block {_number(path)}"


def _number(path: Path) -> str:
    return ".".join(str(i + 1) for i in path)


# -- ordered-forest edit distance (Zhang-Shasha) -------------------------------------------------


def block_distance(a: Program, b: Program, deadline: float | None = None) -> int:
    """The fewest block edits (insert, delete, replace, times, colour) turning a into b.

    The table takes time in the product of the two sizes: seconds for a program of 300,000
    blocks against a solution of ten. With a `deadline` (a `time.perf_counter()` value) it
    raises `OutOfTime` once the deadline has passed, within a few milliseconds of it."""
    return _ted(_postorder(a.body), _postorder(b.body), deadline)


def edit_script(a: Program, b: Program, deadline: float | None = None) -> list[Edit]:
    """A shortest list of edits from a to b (from the distance's optimal mapping), in an order a
    reader applies top to bottom, each position right at its turn (`_in_reading_order`).
    `deadline` as for `block_distance`: `OutOfTime` once it has passed."""
    na, nb = _postorder(a.body), _postorder(b.body)
    return _in_reading_order(na, nb, {j: i for i, j in _ted_mapping(na, nb, deadline)}, b)


def _script_along(a: Program, steps: list[Step]) -> list[Edit]:
    """The edits of a search path from a (the blocks it keeps, changes, deletes and inserts),
    listed in reading order as `edit_script` lists them, without its quadratic distance table.

    The path is replayed on a shadow of a that follows each block of a (by its postorder index)
    through the edits, so the blocks of a still there at the end are those the path keeps."""
    if not steps:
        return []
    counter = count()

    def shadow(blocks: tuple[Block, ...]) -> list[_Node]:
        out = []
        for block in blocks:
            body = shadow(block.body) if isinstance(block, Repeat) else None
            out.append(_Node(next(counter), body))  # after its body: postorder, as _postorder
        return out

    root = shadow(a.body)
    for edit, after in steps:
        siblings = root
        for k in edit.path[:-1]:
            body = siblings[k].body
            assert body is not None
            siblings = body
        k = edit.path[-1]
        if edit.op == "delete":
            siblings[k : k + 1] = siblings[k].body or []
        elif edit.op == "insert":
            new = _block_at(after, edit.path)
            if isinstance(new, Repeat):
                end = k + len(new.body)
                siblings[k:end] = [_Node(None, siblings[k:end])]
            else:
                siblings.insert(k, _Node(None, None))
    mapping: dict[int, int] = {}
    counter = count()

    def match(nodes: list[_Node]) -> None:
        for node in nodes:
            if node.body is not None:
                match(node.body)
            j = next(counter)
            if node.source is not None:
                mapping[j] = node.source

    match(root)
    b = steps[-1][1]
    return _in_reading_order(_postorder(a.body), _postorder(b.body), mapping, b)


@dataclass
class _Node:
    """A block of the program being edited, in `_script_along`'s shadow of it."""

    source: int | None  # its postorder index in the program repaired (None: inserted)
    body: list[_Node] | None  # None for a basic block


def _block_at(prog: Program, path: Path) -> Block:
    blocks = prog.body
    for k in path[:-1]:
        rep = blocks[k]
        assert isinstance(rep, Repeat)
        blocks = rep.body
    return blocks[path[-1]]


def _in_reading_order(na: _Forest, nb: _Forest, mapping: dict[int, int], b: Program) -> list[Edit]:
    """The edits from a to b that keep the blocks `mapping` pairs (b's postorder index to a's),
    in an order a reader applies top to bottom, each position right at its turn.

    The deletes come first, from the end of the program back, so each is at its place in a.
    Then b is built from the top down: each new block is inserted (a new repeat around the
    blocks it holds, before any edit inside it) and each changed block changed, at its place
    in b (everything before it is already as in b). Each edit is one of `neighbours` of the
    program it applies to, described in the same words."""
    kept = set(mapping.values())
    edits = [
        _edit("delete", na.paths[i], na.labels[i], None)
        for i in sorted(set(range(len(na.labels))) - kept, key=lambda i: na.paths[i], reverse=True)
    ]
    index_b = {path: j for j, path in enumerate(nb.paths)}

    def held(body: tuple[Block, ...], path: Path) -> int:
        """How many blocks a new repeat wraps: the kept blocks in it, not in a kept repeat."""
        n = 0
        for k, block in enumerate(body):
            if index_b[(*path, k)] in mapping:
                n += 1
            elif isinstance(block, Repeat):
                n += held(block.body, (*path, k))
        return n

    def build(body: tuple[Block, ...], path: Path) -> None:
        for k, block in enumerate(body):
            here = (*path, k)
            j = index_b[here]
            label = nb.labels[j]
            if j not in mapping:
                wraps = held(block.body, here) if isinstance(block, Repeat) else 0
                edits.append(_edit("insert", here, None, label, wraps))
            elif na.labels[mapping[j]] != label:
                before = na.labels[mapping[j]]
                op = "times" if label.startswith("repeat") else _change(before, label)
                edits.append(_edit(op, here, before, label))
            if isinstance(block, Repeat):
                build(block.body, here)

    build(b.body, ())
    return edits


def _change(before: str, after: str) -> str:
    """The op of a basic block changed into another: a colour change or a replace."""
    return "colour" if before.startswith("setpc") and after.startswith("setpc") else "replace"


def _edit(op: str, path: Path, before: str | None, after: str | None, wraps: int = 0) -> Edit:
    """An edit with its words; `wraps`: how many blocks an inserted repeat goes around."""
    where = _where(path)
    if op == "delete":
        keep = " (keep its body)" if before and before.startswith("repeat") else ""
        text = f"delete {before} at {where}{keep}"
    elif op == "insert" and after and after.startswith("repeat"):
        if wraps == 0:
            text = f"insert {after} (empty) at {where}"
        elif wraps == 1:
            text = f"insert {after} around {where}"
        else:
            last = (*path[:-1], path[-1] + wraps - 1)
            text = f"insert {after} around blocks {_number(path)}..{_number(last)}"
    elif op == "insert":
        text = f"insert {after} at {where}"
    elif op == "replace":
        text = f"replace {before} by {after} at {where}"
    else:
        text = f"change {before} to {after} at {where}"
    new_repeat = op == "insert" and after is not None and after.startswith("repeat")
    return Edit(op, path, before, after, text, wraps if new_repeat else None)


@dataclass
class _Forest:
    labels: list[str]  # postorder
    lmd: list[int]  # leftmost leaf descendant of each node (postorder index)
    keyroots: list[int]
    paths: list[Path]


def _postorder(blocks: tuple[Block, ...]) -> _Forest:
    labels: list[str] = []
    lmd: list[int] = []
    paths: list[Path] = []

    def visit(bs: tuple[Block, ...], path: Path) -> None:
        for i, b in enumerate(bs):
            first = len(labels)
            if isinstance(b, Repeat):
                visit(b.body, (*path, i))
            labels.append(_label(b))
            lmd.append(first)
            paths.append((*path, i))

    visit(blocks, ())
    seen: dict[int, int] = {}
    for i, left in enumerate(lmd):
        seen[left] = i  # the highest node with this leftmost leaf
    keyroots = sorted(seen.values())
    return _Forest(labels, lmd, keyroots, paths)


def _cost(a: str, b: str) -> int:
    if a == b:
        return 0
    if a.startswith("repeat") != b.startswith("repeat"):
        return 2  # a repeat never becomes a basic block: that is a delete plus an insert
    return 1


def _ted(a: _Forest, b: _Forest, deadline: float | None = None) -> int:
    return _zs(a, b, deadline)[0]


def _zs(a: _Forest, b: _Forest, deadline: float | None = None) -> tuple[int, list[list[int]]]:
    """Zhang-Shasha over forests (a virtual root joins the top-level blocks). The deadline is
    checked before each keyroot pair and in each table every `_ROWS` rows: a pair's table is
    small unless a root of a long list is in it, and then its rows are checked."""
    na, nb = len(a.labels), len(b.labels)
    # add the virtual roots
    la = [*a.labels, "<root>"]
    lb = [*b.labels, "<root>"]
    lma = [*a.lmd, 0]
    lmb = [*b.lmd, 0]
    kra = sorted({*a.keyroots, na})
    krb = sorted({*b.keyroots, nb})
    td = [[0] * (nb + 1) for _ in range(na + 1)]
    for i in kra:
        for j in krb:
            check_deadline(deadline)
            _treedist(i, j, la, lb, lma, lmb, td, deadline)
    return td[na][nb], td


_ROWS = 64  # rows of a distance table between two looks at the clock


def _treedist(
    i: int,
    j: int,
    la: list[str],
    lb: list[str],
    lma: list[int],
    lmb: list[int],
    td: list[list[int]],
    deadline: float | None = None,
) -> list[list[int]]:
    """The forest-distance table of the keyroot pair (i, j); fills in `td` as it goes."""
    li, lj = lma[i], lmb[j]
    m, n = i - li + 2, j - lj + 2
    fd = [[0] * n for _ in range(m)]
    for x in range(1, m):
        fd[x][0] = fd[x - 1][0] + 1
    for y in range(1, n):
        fd[0][y] = fd[0][y - 1] + 1
    for x in range(1, m):
        if deadline is not None and not x % _ROWS:
            check_deadline(deadline)
        for y in range(1, n):
            i1, j1 = li + x - 1, lj + y - 1
            if lma[i1] == li and lmb[j1] == lj:
                fd[x][y] = min(
                    fd[x - 1][y] + 1,
                    fd[x][y - 1] + 1,
                    fd[x - 1][y - 1] + _cost(la[i1], lb[j1]),
                )
                td[i1][j1] = fd[x][y]
            else:
                p, q = lma[i1] - li, lmb[j1] - lj
                fd[x][y] = min(fd[x - 1][y] + 1, fd[x][y - 1] + 1, fd[p][q] + td[i1][j1])
    return fd


def _ted_mapping(a: _Forest, b: _Forest, deadline: float | None = None) -> list[tuple[int, int]]:
    """An optimal node mapping, recovered by re-running the forest DP with back-pointers."""
    _, td = _zs(a, b, deadline)
    la = [*a.labels, "<root>"]
    lb = [*b.labels, "<root>"]
    lma = [*a.lmd, 0]
    lmb = [*b.lmd, 0]
    out: list[tuple[int, int]] = []
    stack = [(len(a.labels), len(b.labels))]
    while stack:
        i, j = stack.pop()
        li, lj = lma[i], lmb[j]
        # td is final, so re-running the table rewrites the same values
        check_deadline(deadline)
        fd = _treedist(i, j, la, lb, lma, lmb, td, deadline)
        m, n = len(fd), len(fd[0])
        x, y = m - 1, n - 1
        while x > 0 or y > 0:
            if x > 0 and fd[x][y] == fd[x - 1][y] + 1:
                x -= 1
                continue
            if y > 0 and fd[x][y] == fd[x][y - 1] + 1:
                y -= 1
                continue
            i1, j1 = li + x - 1, lj + y - 1
            if lma[i1] == li and lmb[j1] == lj:
                if i1 < len(a.labels) and j1 < len(b.labels):
                    out.append((i1, j1))
                x, y = x - 1, y - 1
            else:
                stack.append((i1, j1))
                x, y = lma[i1] - li, lmb[j1] - lj
    return [(i, j) for i, j in out if i < len(a.labels) and j < len(b.labels)]
