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
checking each with the core's `run`, so the first solution found is a nearest one. The first two
layers come first; past them, the shortest solutions give an upper bound U, and when every layer
below U is exhausted, the closest shortest solution is itself proved nearest. Every edit changes
the number of blocks by at most one, so a program of n blocks is at least S - n edits from every
solution when S is the proved shortest size: no layer below S - n is checked, and when U equals
that lower bound the answer is proved at once. A timeout returns the best solution known with
``proved: false``.

Never imports z3 or the CLI.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from xlogo_lang.ast import Block, Command, Program, Repeat, SetPenColor
from xlogo_lang.errors import ProgramError, UsageError
from xlogo_lang.printer import to_compact, to_text
from xlogo_lang.tasks import Task
from xlogo_lang.verdict import run

from .search_space import CODE_PEN, Infeasible, OutOfTime, Space

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
    """One block edit. `path` locates the block (for insert: where the new block goes)."""

    op: str  # "insert" | "delete" | "replace" | "times" | "colour"
    path: Path
    before: str | None
    after: str | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "path": list(self.path),
            "before": self.before,
            "after": self.after,
            "text": self.text,
        }


@dataclass
class Repair:
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
) -> Repair:
    """The solution nearest to `program` (fewest block edits), with the edits that get there.

    Most programs worth repairing are a slip or two away, so the first edit layers are searched
    before anything else (`QUICK_LAYERS`, within a share of the time): a solution there is the
    nearest, with no need for the shortest solutions, whose search can take the whole budget on
    a big drawing. Otherwise the nearest shortest solution gives an upper bound U and the layers
    go on up to U - 1.

    `timeout` None means `DEFAULT_TIMEOUT` (30 s): the edit layers grow fast with the distance,
    so an unbounded call could run for hours on a program far from every solution. A program of
    more than `MAX_BLOCKS` blocks raises `ProgramError`: its layers would not fit in memory."""
    from . import check_timeout, solve

    if isinstance(program, str):
        from xlogo_lang.parser import parse

        program = parse(program)
    check_timeout(timeout)
    if max_distance is not None and max_distance < 0:
        raise UsageError("max_distance must be at least 0")
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

    def done(prog: Program | None, edits: list[Edit] | None, proved: bool) -> Repair:
        stats["time_s"] = round(time.perf_counter() - t0, 4)
        dist = None if edits is None else len(edits)
        return Repair(task.id, program, prog, dist, edits or [], proved, stats)

    if run(task, program).solved:
        return done(program, [], True)
    try:
        space = Space.of(task, deadline)
    except Infeasible:  # a proof that nothing solves the task (what `solve` would say)
        return done(None, None, True)
    except OutOfTime:  # a large grid, compiled past the deadline
        stats["timeout"] = True
        return done(None, None, False)
    layers = _EditLayers(space, program, stats)
    quick = QUICK_LAYERS if max_distance is None else min(QUICK_LAYERS, max_distance)
    found = layers.grow(quick, t0 + timeout * QUICK_SHARE)
    if found is not None:
        return done(*found, True)
    # an upper bound: the nearest of the shortest solutions
    shortest = solve(
        task, timeout=max(0.0, deadline - time.perf_counter()), all_solutions=True, limit=20
    )
    upper: tuple[int, Program] | None = None
    for sol in shortest.programs:
        d = block_distance(program, sol)
        if upper is None or d < upper[0]:
            upper = (d, sol)
    stats["upper_bound"] = upper[0] if upper else None
    # a lower bound: an edit adds or removes at most one block, and no solution has fewer than
    # the proved shortest size, so the layers below `lower` hold none
    lower = 0
    if shortest.solved and shortest.proved_minimal and shortest.size is not None:
        lower = max(0, shortest.size - n)
        layers.min_size = shortest.size
    stats["lower_bound"] = lower
    if max_distance is not None and lower > max_distance:
        return done(None, None, True)  # every solution is more than max_distance edits away
    if upper is not None and upper[0] <= lower:  # the nearest shortest solution is nearest
        return done(upper[1], edit_script(program, upper[1]), True)
    limit = upper[0] - 1 if upper else (max_distance if max_distance is not None else 3)
    if max_distance is not None:
        limit = min(limit, max_distance)
    found = layers.grow(limit, deadline)
    if found is not None:
        return done(*found, True)
    if upper is not None and (max_distance is None or upper[0] <= max_distance):
        proved = layers.checked >= upper[0] - 1 and shortest.proved_minimal
        return done(upper[1], edit_script(program, upper[1]), proved)
    return done(None, None, False)


# -- breadth-first search over edits ------------------------------------------------------------


class _EditLayers:
    """Programs at edit distance 1, 2, ... from `program`, one layer at a time; `grow` can be
    called again with a larger limit and goes on where it stopped."""

    def __init__(self, space: Space, program: Program, stats: dict[str, Any]) -> None:
        self.task = space.task
        self.labels = _labels(space)
        self.times = range(1 if space.bounds.padding else 2, space.max_times + 1)
        self.parent: dict[Program, tuple[Program, Edit] | None] = {program: None}
        self.layer = [program]
        self.todo = 0  # index in `layer` of the next program to expand
        self.next: list[Program] = []
        self.checked = 0  # layers fully checked
        self.stats = stats
        self.min_size = 0  # no solution has fewer blocks (once the shortest size is proved)

    def grow(self, limit: int, deadline: float) -> tuple[Program, list[Edit]] | None:
        """A nearest solution within `limit` edits, or None when the layers up to `limit` hold
        none or the deadline comes first (`stats["timeout"]`).

        Of the solutions in the first layer that has any, the shortest wins (an edit that
        leaves a useless block behind is a poor fix), then the one whose first edit comes
        latest: it keeps the longest stretch of the program from its start, which for a
        learner is the part already right."""
        stats = self.stats
        found: list[tuple[Program, list[Edit]]] = []
        while self.checked < limit:
            while self.todo < len(self.layer):
                prog = self.layer[self.todo]
                for cand, edit in neighbours(prog, self.labels, self.times):
                    if cand in self.parent:
                        continue
                    if time.perf_counter() > deadline:
                        stats["timeout"] = True
                        return _best_fix(found)  # `prog` is expanded again next time
                    stats["candidates"] += 1  # counted once: a resumed layer skips it above
                    self.parent[cand] = (prog, edit)
                    if len(cand) >= self.min_size and run(self.task, cand).solved:
                        found.append((cand, self._edits(cand)))
                    else:
                        self.next.append(cand)
                self.todo += 1
            if found:
                return _best_fix(found)
            self.layer, self.next, self.todo = self.next, [], 0
            self.checked += 1
            stats.pop("timeout", None)
        return None

    def _edits(self, cand: Program) -> list[Edit]:
        edits = []
        cur = cand
        while (link := self.parent[cur]) is not None:
            cur, e = link
            edits.append(e)
        return list(reversed(edits))


def _best_fix(
    found: list[tuple[Program, list[Edit]]],
) -> tuple[Program, list[Edit]] | None:
    if not found:
        return None
    return max(found, key=lambda f: (-len(f[0]), min(e.path for e in f[1])))


def _labels(space: Space) -> list[Block]:
    out: list[Block] = [Command(k) for k in ("fd", "bk", "lt", "rt") if k in space.bounds.allowed]
    out += [SetPenColor(CODE_PEN[c]) for c in space.colors]
    return out


def neighbours(prog: Program, labels: list[Block], times: range) -> Iterator[tuple[Program, Edit]]:
    """Every program one valid block edit away from `prog`."""
    for path, body in _bodies(prog.body, ()):
        for i, block in enumerate(body):
            here = (*path, i)
            label = _label(block)
            if isinstance(block, Repeat):
                yield (
                    _replace(prog, path, body[:i] + block.body + body[i + 1 :]),
                    Edit(
                        "delete",
                        here,
                        label,
                        None,
                        f"delete {label} at {_where(here)} (keep its body)",
                    ),
                )
                for n in times:
                    if n != block.times:
                        retimed = Repeat(n, block.body)
                        yield (
                            _replace(prog, path, (*body[:i], retimed, *body[i + 1 :])),
                            Edit(
                                "times",
                                here,
                                label,
                                _label(retimed),
                                f"change {label} to repeat({n}) at {_where(here)}",
                            ),
                        )
                continue
            yield (
                _replace(prog, path, body[:i] + body[i + 1 :]),
                Edit("delete", here, label, None, f"delete {label} at {_where(here)}"),
            )
            for new in labels:
                if new == block:
                    continue
                op = (
                    "colour"
                    if isinstance(block, SetPenColor) and isinstance(new, SetPenColor)
                    else "replace"
                )
                yield (
                    _replace(prog, path, (*body[:i], new, *body[i + 1 :])),
                    Edit(
                        op,
                        here,
                        label,
                        _label(new),
                        f"replace {label} by {_label(new)} at {_where(here)}",
                    ),
                )
        for i in range(len(body) + 1):
            here = (*path, i)
            for new in labels:
                yield (
                    _replace(prog, path, (*body[:i], new, *body[i:])),
                    Edit(
                        "insert", here, None, _label(new), f"insert {_label(new)} at {_where(here)}"
                    ),
                )
            for j in range(i, len(body) + 1):
                for n in times:
                    new_r = Repeat(n, body[i:j])
                    what = f"repeat({n})" + (
                        f" around blocks {i + 1}..{j}" if j > i else " (empty)"
                    )
                    yield (
                        _replace(prog, path, (*body[:i], new_r, *body[j:])),
                        Edit(
                            "insert", here, None, f"repeat({n})", f"insert {what} at {_where(here)}"
                        ),
                    )


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
    return "block " + ".".join(str(i + 1) for i in path)


# -- ordered-forest edit distance (Zhang-Shasha) -------------------------------------------------


def block_distance(a: Program, b: Program) -> int:
    """The fewest block edits (insert, delete, replace, times, colour) turning a into b."""
    return _ted(_postorder(a.body), _postorder(b.body))


def edit_script(a: Program, b: Program) -> list[Edit]:
    """A shortest list of edits from a to b, described in words (derived from the distance's
    optimal mapping; paths refer to the original program for deletes/changes)."""
    na, nb = _postorder(a.body), _postorder(b.body)
    mapping = _ted_mapping(na, nb)
    edits: list[Edit] = []
    mapped_a = {i for i, _ in mapping}
    mapped_b = {j for _, j in mapping}
    for i, j in mapping:
        la, lb = na.labels[i], nb.labels[j]
        if la != lb:
            op = (
                "times"
                if la.startswith("repeat")
                else "colour"
                if la.startswith("setpc") and lb.startswith("setpc")
                else "replace"
            )
            edits.append(
                Edit(
                    op,
                    na.paths[i],
                    la,
                    lb,
                    f"{'change' if op != 'replace' else 'replace'} {la} "
                    f"{'to' if op != 'replace' else 'by'} {lb} at {_where(na.paths[i])}",
                )
            )
    for i in range(len(na.labels)):
        if i not in mapped_a:
            keep = " (keep its body)" if na.labels[i].startswith("repeat") else ""
            edits.append(
                Edit(
                    "delete",
                    na.paths[i],
                    na.labels[i],
                    None,
                    f"delete {na.labels[i]} at {_where(na.paths[i])}{keep}",
                )
            )
    for j in range(len(nb.labels)):
        if j not in mapped_b:
            edits.append(
                Edit(
                    "insert",
                    nb.paths[j],
                    None,
                    nb.labels[j],
                    f"insert {nb.labels[j]} at {_where(nb.paths[j])} (in the result)",
                )
            )
    return edits


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


def _ted(a: _Forest, b: _Forest) -> int:
    return _zs(a, b)[0]


def _zs(a: _Forest, b: _Forest) -> tuple[int, list[list[int]]]:
    """Zhang-Shasha over forests (a virtual root joins the top-level blocks)."""
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
            _treedist(i, j, la, lb, lma, lmb, td)
    return td[na][nb], td


def _treedist(
    i: int,
    j: int,
    la: list[str],
    lb: list[str],
    lma: list[int],
    lmb: list[int],
    td: list[list[int]],
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


def _ted_mapping(a: _Forest, b: _Forest) -> list[tuple[int, int]]:
    """An optimal node mapping, recovered by re-running the forest DP with back-pointers."""
    _, td = _zs(a, b)
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
        fd = _treedist(i, j, la, lb, lma, lmb, td)
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
