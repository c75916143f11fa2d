"""The enumerative engine: best-first search over program prefixes, in order of size.

A *state* is what the future of a run can depend on after a prefix of top-level blocks: the pose,
the pen (draw tasks), the goal summary (`Space.apply`), the counts of constrained block types,
how many `start_by` blocks are placed, and the calls made so far. Two prefixes that reach the
same state are interchangeable, so only the cheapest is kept (observational equivalence).

Top-level moves are the basic blocks and repeat blocks from the per-pose menus (`bodies.py`).
Search is A* on size with a consistent lower bound (`Space.lower_bound`), by increasing f-level.
Repeats of body size k from a state with g blocks have f >= g + k + 1, so they are generated only
when the level reaches that value (a sweep over the closed states at each level): menus never
grow beyond what the answer needs. The first goal state taken from the queue is a shortest
solution; exhausting every level up to N proves that none of at most N blocks exists.

Every program found is checked with the core's `run` before it is returned. This module never
imports the CLI or z3.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from xlogo_lang.ast import Program
from xlogo_lang.verdict import judge

from .bodies import MenuSet
from .search_space import UNREACHABLE, Effect, Space, type_of
from .solution import Status
from .tracing import trace_program

# Called with {"engine", "level", "time_s", ...} while a search runs (a CLI status line, say).
Progress = Callable[[dict[str, object]], None]
PRECHECK_CAP = 50_000  # states explored by the goal-reachability pre-check before giving up on it
# The search stops like a timeout when it has built `max_bodies` repeat bodies or keeps
# `max_states` states (`default_budgets`): what it holds is those two, and their size grows with
# the grid. The defaults give the bodies BODY_MEMORY and the states STATE_MEMORY (estimated from
# `body_bytes` and `state_bytes`), and at most MAX_BODIES bodies: 1.5-3.5 KB each on the small
# grids of the real tasks, whose largest proof (64) builds 437,000, and the frame of
# examples/tasks/draw-frame.json 1.05 million (2 GB).
MAX_BODIES = 1_500_000
BODY_MEMORY = 3 * 2**30
STATE_MEMORY = 2 * 2**30
# The probe's share of a time limit (and of the body budget): it is a bound, not the answer.
PROBE_SHARE = 0.5
PROBE_BODY = 2  # the probe's repeat bodies have at most this many blocks...
PROBE_STATES = 10_000  # ...and it gives up after this many states (a few tenths of a second)


@dataclass
class SearchResult:
    status: Status
    programs: list[Program]
    size: int | None
    proved_minimal: bool
    stats: dict[str, object] = field(default_factory=dict)
    max_size: int | None = None  # the bound searched, when the search raised it (`grow`)


def body_bytes(space: Space) -> int:
    """The memory of a repeat body (with its effects, repeats and signature), measured: about
    2 KB plus 0.4 byte per cell of the signature canvas, (2M+1)^2 for a grid whose longest side
    is M (`bodies.Canvas`): 2 KB on the real tasks' grids (5x5 at most), 2.4 KB at 16x16,
    3.6 KB at 32x32, 8.1 KB at 64x64."""
    m = max(space.task.world.rows, space.task.world.cols)
    return 2000 + (2 * m + 1) ** 2 * 2 // 5


def state_bytes(space: Space) -> int:
    """The memory of a kept state (its key, g, calls, parents and queue entries), measured:
    450-520 bytes on open grids from 8x8 to 64x64 (a `collectall` summary over 256 targets
    included), plus a drawing's summary, 3 bits per segment of the picture."""
    return 520 + 3 * space.nedges // 8


def default_budgets(space: Space) -> tuple[int, int]:
    """(max_bodies, max_states) when the caller gives none: BODY_MEMORY worth of bodies (at most
    MAX_BODIES, which every grid up to 9x9 gets) and STATE_MEMORY worth of states (4 million on
    a grid without a picture); a 64x64 grid gets 372,000 bodies."""
    bodies = min(MAX_BODIES, BODY_MEMORY // body_bytes(space))
    return bodies, STATE_MEMORY // state_bytes(space)


class _Deadline(Exception):
    """The search stops: `reason` is "time", "bodies" (the budget of repeat bodies) or "states"
    (the budget of states kept)."""

    def __init__(self, reason: str = "time") -> None:
        super().__init__(reason)
        self.reason = reason


def enumerate_search(
    space: Space,
    max_size: int,
    *,
    timeout: float | None = None,
    all_solutions: bool = False,
    limit: int = 10,
    max_bodies: int | None = None,
    max_states: int | None = None,
    progress: Progress | None = None,
    grow: bool = False,
) -> SearchResult:
    """Find a shortest solution of at most `max_size` blocks (all of them with `all_solutions`).

    In a drawing with pen colours, a *probe* first runs the same search in a smaller language:
    repeat bodies of at most PROBE_BODY blocks and without setpc (setpc stays at the top level),
    for at most PROBE_STATES states. Colours inside repeats are what make drawings expensive
    (most repeat bodies are colour patterns), while straight runs like `repeat(5){fd}` are what
    long pictures need, so the probe is quick and its program, of size U, bounds the answer:
    the complete search then only has to refute the sizes below U. If it does, the probe's
    program is proved minimal; if it runs out of time, the probe's program is still returned
    (not proved), so a search too big to finish still answers with a solution. With
    `all_solutions` the search runs up to U itself, since the probe's size may be the answer.

    When the probe finds nothing (a long picture in several colours), the picture traced line by
    line (`tracing.py`) plays its part. With `grow` (`max_size` is only the default bound, not
    the task's or the caller's), a traced program longer than `max_size` raises the bound to
    its size: a program of U blocks exists, so U - 1 is the bound that can prove it minimal.

    `max_bodies` and `max_states` default to `default_budgets(space)`."""
    t0 = time.perf_counter()
    default_bodies, default_states = default_budgets(space)
    max_bodies = default_bodies if max_bodies is None else max_bodies
    max_states = default_states if max_states is None else max_states
    best: list[Program] = []
    grown: int | None = None
    traced: Program | None = None
    probe: SearchResult | None = None
    alive: tuple[bool, set | None] | None = None
    if space.draw and space.colors:
        budget = None if timeout is None else timeout * PROBE_SHARE
        bodies = int(max_bodies * PROBE_SHARE)
        finder = _Search(
            space,
            max_size,
            budget,
            False,
            1,
            max_bodies=bodies,
            progress=progress,
            colourless=True,
        )
        probe = finder.run()
        alive = finder.precheck
        if probe.programs and probe.size is not None:
            best = probe.programs[:1]
    if space.draw and not best:
        traced = trace_program(space)
        if traced is not None and (grow or len(traced) <= max_size):
            best = [traced]
            if len(traced) > max_size:
                max_size = grown = len(traced)
    if best:
        # all shortest solutions: the known size may be the answer, so it stays in range
        max_size = min(max_size, len(best[0]) if all_solutions else len(best[0]) - 1)
    left = None if timeout is None else max(0.0, timeout - (time.perf_counter() - t0))
    search = _Search(
        space,
        max_size,
        left,
        all_solutions,
        limit,
        max_bodies=max_bodies,
        max_states=max_states,
        progress=progress,
        precheck=alive,
    )
    res = search.run()
    if probe is not None:
        res.stats["probe"] = {
            "status": probe.status,
            "size": probe.size,
            "time_s": probe.stats["time_s"],
        }
    if best and best[0] is traced:
        res.stats["traced"] = {"size": len(traced)}
    out = _with_known(res, best, all_solutions)
    out.max_size = grown
    return out


def _with_known(res: SearchResult, best: list[Program], all_solutions: bool) -> SearchResult:
    """The search's result, given a solution known before it (the probe's or a traced one) that
    bounded it."""
    if not best or res.status == "solved":
        return res
    if res.status == "no_solution" and not all_solutions:  # nothing shorter than the known one
        return SearchResult("solved", best, len(best[0]), True, res.stats)
    if res.programs and len(res.programs[0]) < len(best[0]):
        return res
    return SearchResult("timeout", best, len(best[0]), False, res.stats)


class _Search:
    def __init__(
        self,
        space: Space,
        max_size: int,
        timeout: float | None,
        all_solutions: bool,
        limit: int,
        *,
        max_bodies: int = MAX_BODIES,
        max_states: int | None = None,
        progress: Progress | None = None,
        colourless: bool = False,
        precheck: tuple[bool, set | None] | None = None,
    ) -> None:
        self.space = space
        self.N = max_size
        self.t0 = time.perf_counter()
        self.deadline = self.t0 + timeout if timeout is not None else None
        self.all = all_solutions
        self.limit = max(1, limit)
        self.menus = MenuSet(space, colourless, max_twins=max_bodies if all_solutions else None)
        self.phase = "probe" if colourless else "search"
        self.max_body = PROBE_BODY if colourless else max_size
        if "repeat" not in space.bounds.allowed:
            self.max_body = 0  # no repeat may be placed: its menus would be built for nothing
        self.max_states = PROBE_STATES if colourless else max_states
        self.precheck = precheck  # (start alive, alive states): computed once, shared by both
        self.menus.tick = self._tick
        b = space.bounds
        self.bounds = b
        self.L = len(b.start_by)
        self.code_counts = self.menus.code_counts
        self.repeat_counts = self.menus.repeat_counts
        self.candidates = 0
        self.rejected = 0
        self.alive: set[tuple[int, int, object]] | None = None
        # per state key: best g, calls, parents [(prev key, op)]; an op is a basic code or
        # (times, Body), as in bodies.py: the AST is built only for the programs returned
        self.g: dict[tuple, int] = {}
        self.calls: dict[tuple, int] = {}
        self.parents: dict[tuple, list[tuple[tuple | None, object]]] = {}
        self.closed: set[tuple] = set()
        self.closed_by_g: dict[int, list[tuple]] = defaultdict(list)
        self.buckets: dict[int, list[tuple]] = defaultdict(list)
        self.best_unproved: tuple | None = None
        self.found: list[tuple] = []
        self.listing_cut = False  # the list of programs ended at the deadline (`_programs`)
        self.level = 0
        self.max_bodies = max_bodies
        self.stopped: str | None = None
        self.progress = progress
        self.reported = 0.0

    # -- the main loop -------------------------------------------------------------------------

    def run(self) -> SearchResult:
        space = self.space
        try:
            if not self._precheck():
                # the proof is the reachability pass, not the levels (none was searched): say
                # so, as the Z3 engine and repair do (`stats.reason`, printed after the message)
                res = self._result("no_solution", [], None, True)
                res.stats["reason"] = UNREACHABLE
                return res
            start = self._key(
                space.start_pose, _start_pen(space), space.initial_summary(), self._zero(), 0, 0
            )
            self.g[start] = 0
            self.calls[start] = 0
            self.parents[start] = [(None, None)]
            f0 = self._h(start)
            if f0 <= self.N:
                self.buckets[f0].append(start)
            for level in range(0, self.N + 1):
                self.level = level
                self._report()
                found = self._process(level)
                if found:
                    programs = self._programs(found)
                    if programs:
                        res = self._result("solved", programs, level, True)
                        if self.listing_cut or (
                            self.menus.twins_dropped and len(programs) < self.limit
                        ):  # out of time while listing, or forms past the twin budget
                            res.stats["all_found"] = False
                        return res
            return self._result("no_solution", [], None, True)
        except _Deadline as stop:
            self.stopped = stop.reason
            goals = self.found + ([self.best_unproved] if self.best_unproved else [])
            progs = self._programs(goals) if goals else []
            shortest = [p for p in progs if len(p) == self.level]
            if shortest:
                # every size below this level is refuted, so these are shortest solutions; only
                # the list of them (--all) may be incomplete
                res = self._result("solved", shortest, self.level, True)
                if self.all:
                    res.stats["all_found"] = False
                else:
                    del res.stats["stopped"]
                return res
            return self._result("timeout", progs, len(progs[0]) if progs else None, False)

    def _process(self, level: int) -> list[tuple]:
        """Every state with f = level, and every repeat whose successors have f = level.

        The order inside a level is free (with a consistent bound, a state's g is final once
        its f is reached), so the cheap work comes first: basic blocks, then repeats by body
        size, smallest first, going back to the states they reach before the next one. A
        solution found along the way ends the level before the largest repeat bodies are
        built, which is what most of a level's time and memory go to."""
        bucket = self.buckets.pop(level, [])
        found = self.found = []  # goal states of this level (kept on self for a deadline)
        # (key, g) whose repeats of body size k can reach this level, by k
        pending: dict[int, list[tuple[tuple, int]]] = defaultdict(list)
        for g, keys in self.closed_by_g.items():
            k = level - g - 1
            if 1 <= k <= self.max_body:
                pending[k].extend((key, g) for key in keys)
        pops = 0
        while True:
            while bucket:
                key = bucket.pop()
                if key in self.closed:
                    continue
                g = self.g[key]
                if g + self._h(key) != level:
                    continue
                pops += 1
                if pops & 63 == 0:
                    self._tick()
                self.closed.add(key)
                self.closed_by_g[g].append(key)
                if self._accepts(key, g):
                    if not self.all:
                        if self._programs([key]):
                            return [key]
                        continue
                    found.append(key)
                    continue  # a shortest solution: its extensions are longer
                self._expand_basic(key, g, bucket, level)
                for k in range(1, min(level - g, self.max_body + 1)):
                    pending[k].append((key, g))
                if self.space.bounds.padding:
                    self._expand_repeats(key, g, 0, bucket, level)
            sizes = [k for k, items in pending.items() if items]
            if not sizes:
                return found
            k = min(sizes)
            key, g = pending[k].pop()
            self._tick()
            self._expand_repeats(key, g, k, bucket, level)

    # -- expansion -------------------------------------------------------------------------------

    def _expand_basic(self, key: tuple, g: int, bucket: list, level: int) -> None:
        space = self.space
        pose = key[0]
        topidx = key[4]
        forced = self.bounds.start_by[topidx] if topidx < self.L else None
        for code in space.basic_codes:
            if forced is not None and forced != type_of(code):
                continue
            e = space.basic_effects[code][pose]
            if e is None:
                continue
            self._push(key, g, e, 1, self.code_counts[code], code, bucket, level)

    def _expand_repeats(self, key: tuple, g: int, k: int, bucket: list, level: int) -> None:
        if g + k + 1 > self.N:
            return
        topidx = key[4]
        if topidx < self.L and self.bounds.start_by[topidx] != "repeat":
            return
        menu = self.menus.menu(key[0])
        rc = self.repeat_counts
        for i, (e, body, n) in enumerate(menu.repeats(k)):
            if i & 4095 == 4095:
                self._tick()
            counts = _add(body.counts, rc)
            self._push(key, g, e, k + 1, counts, (n, body), bucket, level)

    def _push(
        self,
        key: tuple,
        g: int,
        e: Effect,
        size: int,
        dcounts: tuple[int, ...],
        op: object,
        bucket: list,
        level: int,
    ) -> None:
        self.candidates += 1
        space = self.space
        _pose, pen, summary, counts, topidx = key[:5]
        calls = self.calls[key] + e[7]
        if calls > 100_000:
            return
        new_summary = space.apply(summary, pen, e)
        if new_summary is None:
            return
        new_pen = e[6] or pen
        if self.alive is not None and (e[0], new_pen, new_summary) not in self.alive:
            return
        if dcounts:
            counts = _add(counts, dcounts)
            if self.bounds.over(counts):
                return
        g2 = g + size
        nkey = self._key(e[0], new_pen, new_summary, counts, min(topidx + 1, self.L), g2)
        f2 = g2 + self._h(nkey)
        if f2 > self.N:
            return
        old = self.g.get(nkey)
        if (
            old is None
            or g2 < old
            or (g2 == old and calls < self.calls[nkey] and nkey not in self.closed)
        ):
            # a path of the same size with fewer calls goes first; with --all the others stay
            same = g2 == old and self.all
            self.parents[nkey] = [(key, op), *(self.parents[nkey] if same else ())]
            self.g[nkey] = g2
            self.calls[nkey] = calls
            if f2 == level:  # the level being processed: into its working list
                bucket.append(nkey)
            else:
                self.buckets[f2].append(nkey)
            if (
                self.best_unproved is None
                and space.goal_met(new_summary)
                and self._accepts(nkey, g2)
            ):
                self.best_unproved = nkey
        elif g2 == old and self.all:
            self.parents[nkey].append((key, op))

    # -- states ------------------------------------------------------------------------------------

    def _key(
        self, pose: int, pen: int, summary: object, counts: tuple, topidx: int, g: int
    ) -> tuple:
        if self.bounds.exact_all:
            return (pose, pen, summary, counts, topidx, g)
        return (pose, pen, summary, counts, topidx)

    def _zero(self) -> tuple[int, ...]:
        return tuple(0 for _ in self.bounds.tracked)

    def _h(self, key: tuple) -> int:
        h = self.space.lower_bound(key[2], key[1], key[0])
        rest = self.L - key[4]
        if self.bounds.exact_all:
            # `exactly all` (whose size is key[5]) needs that many blocks: refuting the sizes
            # below it one level at a time proved nothing a constraint does not say
            rest = max(rest, self.bounds.lo_all - key[5])
        return h if h >= rest else rest

    def _accepts(self, key: tuple, g: int) -> bool:
        b = self.bounds
        return (
            self.space.goal_met(key[2])
            and key[4] >= self.L
            and b.lo_all <= g <= b.hi_all
            and b.counts_ok(key[3])
        )

    def _tick(self) -> None:
        now = time.perf_counter()
        if self.deadline is not None and now > self.deadline:
            raise _Deadline("time")
        if self.menus.bodies_built > self.max_bodies:
            raise _Deadline("bodies")
        if self.max_states is not None and len(self.g) > self.max_states:
            raise _Deadline("states")
        if self.progress is not None and now - self.reported > 0.5:
            self._report()

    def _report(self) -> None:
        """Tell the caller where the search is (at each level, and every half second)."""
        if self.progress is None:
            return
        self.reported = time.perf_counter()
        self.progress(
            {
                "engine": "enum",
                "phase": self.phase,
                "level": self.level,
                "states": len(self.g),
                "bodies": self.menus.bodies_built,
                "time_s": round(self.reported - self.t0, 1),
            }
        )

    # -- the goal-reachability pre-check -------------------------------------------------------

    def _precheck(self) -> bool:
        """Prune states that cannot reach the goal; False when the start itself cannot."""
        if self.precheck is None:
            self.precheck = self.space.alive_states(PRECHECK_CAP, self._tick)
        start_alive, self.alive = self.precheck
        return start_alive

    # -- results -----------------------------------------------------------------------------------

    def _programs(self, goals: list[tuple]) -> list[Program]:
        """The programs leading to these goal states: first the kept form of every path, then
        (with --all) the other forms of their repeat bodies (`MenuSet.programs`), so that the
        list shows different paths before variants of one.

        The listing keeps to the time limit too: a long list on a large drawing expands many
        forms that turn out to be the same program. Past the deadline it ends at the programs
        it has (at least one), and `listing_cut` says the list may be incomplete."""
        out: list[Program] = []
        seen: set[Program] = set()
        want = self.limit if self.all else 1
        for every_form in (False, True) if self.all else (False,):
            for goal in goals:
                for ops in self._paths(goal):
                    kept = (self.menus.ast(tuple(ops)),)
                    for blocks in self.menus.programs(tuple(ops)) if every_form else kept:
                        if (
                            out
                            and self.deadline is not None
                            and time.perf_counter() > self.deadline
                        ):
                            self.listing_cut = True
                            self.stopped = "time"  # the list is the clock's, as a cut search
                            return out
                        prog = Program(blocks)
                        if prog in seen:
                            continue
                        seen.add(prog)
                        if not judge(self.space.task, prog).solved:
                            self.rejected += 1
                            continue
                        out.append(prog)
                        if len(out) >= want:
                            return out
        return out

    def _paths(self, key: tuple):
        """Programs leading to `key`, following recorded parents (all of them with --all)."""
        stack: list[tuple[tuple | None, list[object]]] = [(key, [])]
        while stack:
            k, suffix = stack.pop()
            if k is None:
                yield list(reversed(suffix))
                continue
            for prev, op in self.parents[k]:
                if prev is None:
                    yield list(reversed(suffix))
                else:
                    stack.append((prev, [*suffix, op]))
                if not self.all:
                    break

    def _result(
        self, status: Status, programs: list[Program], size: int | None, proved: bool
    ) -> SearchResult:
        return SearchResult(
            status=status,
            programs=programs,
            size=size,
            proved_minimal=proved and status != "timeout",
            stats={
                "candidates": self.candidates,
                "states": len(self.g),
                "bodies": self.menus.bodies_built,
                "rejected": self.rejected,
                "level": self.level,
                **({"stopped": self.stopped} if self.stopped else {}),
                "time_s": round(time.perf_counter() - self.t0, 4),
            },
        )


def _start_pen(space: Space) -> int:
    from .search_space import BLACK

    return BLACK if space.draw else 0


def _add(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    if not a:
        return a
    return tuple(x + y for x, y in zip(a, b, strict=True))
