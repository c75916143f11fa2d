"""The Z3 engine: a bounded SMT encoding of program structure and execution, solved size by size.

For a size k the program is k *slots* in preorder. Slot i has an operation `op[i]` (fd, bk, lt,
rt, setpc(c) or repeat), a count `times[i]` and `end[i]`, the last slot of its subtree (i for a
basic block, > i for a repeat, whose body is slots i+1..end[i]). The slots must nest properly:
every slot's subtree ends inside its enclosing list.

Execution is encoded by *effect functions* instead of unrolling loops. For each slot i there are
uninterpreted functions of the entry pose q describing the run of "the list that starts at slot i
and goes on to the end of its enclosing body": the exit pose, whether the run dies (crash, a
forbidden cell, a segment outside the picture), and what the goal can observe (found, the visited
target cells, concat hit counts and ranks, the drawn segments per pen colour with "the pen at
entry" kept symbolic). They are defined for every concrete pose q by composing the slot's own
block with the rest of the list; a repeat composes its body's functions `times` times (at most
8 in normal form, the period lemma), so nested loops cost no more than flat ones. The goal and
the constraints are asserted on slot 0 from the start pose.

Sizes k = 0, 1, 2, ... are tried in turn: UNSAT at k proves no program of k blocks solves the
task, so the first SAT is a shortest solution. Each size is split by *nesting* (the `end` of
every slot, `_shapes`): every properly nested forest of k slots gets its own encoding, in which
the slot structure is constant (`end`, the enclosing list, which slot follows which), so a list's
tail is one application instead of a multiplexer over k slots and every structural condition is
a constant. Size k is refuted when every nesting is UNSAT; the nestings together cover all
programs of k blocks that can solve the task and are in normal form (`_shapes`). With padding
(a lower bound that may ask for blocks doing nothing) a slot without a body may also be an empty
repeat, and a repeat's count may be 1. Every model is
decoded to a program and checked with the core's `run`; a model that fails (the encoding relaxes
the 100,000-call cap) is blocked and the search goes on. z3 is imported here only, lazily, by
`solve(engine="z3")`.

This module never imports the CLI.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

from xlogo_lang.ast import Block, Program, Repeat
from xlogo_lang.verdict import run

from .bodies import within_period
from .enumerative import PRECHECK_CAP, Progress, SearchResult
from .search_space import (
    BK,
    FD,
    LT,
    RT,
    SETPC0,
    UNREACHABLE,
    OutOfTime,
    Space,
    check_deadline,
    type_of,
)
from .solution import Status
from .tracing import trace_program
from .z3_interrupts import Z3Interrupts

REP = 15  # the op code of a repeat slot (basic codes are 0..10)
MIN_RUNS_CAP = 100_000  # states `Space.min_moves` and `min_turns` may explore (under a second)


def z3_search(
    space: Space,
    max_size: int,
    *,
    timeout: float | None = None,
    all_solutions: bool = False,
    limit: int = 10,
    progress: Progress | None = None,
    grow: bool = False,
) -> SearchResult:
    """Sizes 0..max_size in turn (module docstring). A drawing's picture traced line by line
    (`tracing.py`) is a solution known from the start: with `grow` (`max_size` is only the
    default bound) a longer one raises the bound to its size, as in the enumerative engine, and
    a search that runs out of time before it finds a solution returns it, not proved."""
    known = trace_program(space)
    grown: int | None = None
    if known is not None and len(known) > max_size:
        if grow:
            max_size = grown = len(known)
        else:
            known = None  # beyond the caller's bound: it answers nothing asked
    import z3

    # a context of the search's own: Ctrl-C interrupts z3 calls in it, and whatever state an
    # interrupted call leaves (an interrupt landing as the search ends is pending for the next
    # call) must not reach the next search, where it canceled constraints as they were added,
    # and models broke them
    ctx = z3.Context()
    with Z3Interrupts(ctx) as interrupts:
        res = _search(
            space, max_size, timeout, all_solutions, limit, progress, interrupts, _InContext(ctx)
        )
    if res.status == "timeout" and not res.programs and known is not None:
        res = SearchResult("timeout", [known], len(known), False, res.stats)
        res.stats["traced"] = {"size": len(known)}
    res.max_size = grown
    return res


def _search(
    space: Space,
    max_size: int,
    timeout: float | None,
    all_solutions: bool,
    limit: int,
    progress: Progress | None,
    interrupts: Z3Interrupts,
    z3: _InContext,
) -> SearchResult:
    t0 = time.perf_counter()
    deadline = t0 + timeout if timeout is not None else None
    stats: dict[str, Any] = {
        "candidates": 0,
        "states": 0,
        "solver_calls": 0,
        "rejected": 0,
        "per_size_s": {},
        "level": 0,
    }
    task = space.task
    found: list[Program] = []
    try:
        # the setup passes count against the time limit too (seconds on a large grid)
        check_deadline(deadline)

        def tick() -> None:
            interrupts.check()
            check_deadline(deadline)

        start_alive, _ = space.alive_states(PRECHECK_CAP, tick)
        if not start_alive:
            stats["reason"] = UNREACHABLE
            return _result("no_solution", [], None, True, stats, t0)
        moves = space.min_moves(MIN_RUNS_CAP, tick)
        if moves is None and space.kind == "draw":
            moves = space.nedges  # every segment is drawn at least once
        runs = {FD: moves, LT: space.min_turns(MIN_RUNS_CAP, tick)}
        # the poses a run can reach, for every encoding (`_closure`)
        shared: dict[str, Any] = {"closure": _closure(space, tick)}
    except OutOfTime:
        return _result("timeout", [], None, False, stats, t0)
    for k in range(0, max_size + 1):
        stats["level"] = k
        tk = time.perf_counter()
        if progress is not None:
            progress({"engine": "z3", "level": k, "time_s": round(tk - t0, 1)})
        if k == 0:
            stats["candidates"] += 1
            if run(task, Program()).solved:
                return _result("solved", [Program()], 0, True, stats, t0)
            continue
        shapes = _shapes(space, k)
        stats.setdefault("shapes", {})[k] = len(shapes)
        reported = tk
        for n, shape in enumerate(shapes):
            interrupts.check()
            if deadline is not None and time.perf_counter() >= deadline:
                return _out_of_time(found, k, stats, t0)
            if progress is not None and time.perf_counter() - reported > 0.5:
                # a size can take minutes: say how far through its nestings the search is
                reported = time.perf_counter()
                progress(
                    {
                        "engine": "z3",
                        "level": k,
                        "time_s": round(reported - t0, 1),
                        "nesting": n + 1,
                        "nestings": len(shapes),
                    }
                )
            enc = _Encoding(space, k, z3, shape, runs, shared)
            stats["states"] += enc.terms
            if _solve_shape(enc, stats, found, deadline, all_solutions, limit, interrupts):
                return _out_of_time(found, k, stats, t0)
            if found and (not all_solutions or len(found) >= limit):
                break
        stats["per_size_s"][k] = round(time.perf_counter() - tk, 3)
        if found:
            return _result("solved", found, k, True, stats, t0)
    return _result("no_solution", [], None, True, stats, t0)


def _solve_shape(
    enc: _Encoding,
    stats: dict[str, Any],
    found: list[Program],
    deadline: float | None,
    all_solutions: bool,
    limit: int,
    interrupts: Z3Interrupts,
) -> bool:
    """The refinement loop for the programs of one encoding (a size and a nesting); True when
    the time is up."""
    z3, task = enc.z3, enc.space.task
    enc.solver.set("ctrl_c", not interrupts.installed)  # Ctrl-C is the search's (`Z3Interrupts`)
    while True:
        interrupts.check()
        if deadline is not None:
            left = deadline - time.perf_counter()
            if left <= 0:
                return True
            enc.solver.set("timeout", max(1, int(left * 1000)))
        stats["solver_calls"] += 1
        res = enc.solver.check()
        if res == z3.unknown:
            interrupts.check(deadline, canceled=True)
            return True
        if res == z3.unsat:
            break
        model = enc.solver.model()
        prog = enc.decode(model)
        stats["candidates"] += 1
        if not run(task, prog).solved:
            fresh = [pair for pair in enc.used_pairs(model) if enc.activate(*pair)]
            if fresh:
                stats["refinements"] = stats.get("refinements", 0) + 1
                continue  # the model relied on undefined effects: define them and retry
        enc.block(model)
        if not run(task, prog).solved:
            stats["rejected"] += 1
        elif not within_period(prog.body, enc.max_times):
            # a count past the period lemma's bound: its twin with a lower count, same size
            # and same nesting, is a model of this encoding too, and the one listed, as in the
            # enumerative engine (whose list holds no other counts)
            stats["beyond_period"] = stats.get("beyond_period", 0) + 1
        else:
            if prog not in found:
                found.append(prog)
            if not all_solutions or len(found) >= limit:
                break
    return False


def _shapes(space: Space, k: int) -> list[tuple[int, ...]]:
    """Every nesting of k slots (the `end` of each slot), each solved on its own: a fixed
    nesting makes slot structure constant in the encoding. Left out: nestings with too few basic
    slots for the blocks every solution holds (`_needed_blocks`), those where a repeat's whole
    body is one repeat (a normal form), and in a picture of one colour those that start with a
    repeat (`_first_setpc`). None at all for a size the constraints rule out. With padding, a
    slot without a body may be an empty repeat (`_Encoding._structure`), so nestings stand for
    those too."""
    b = space.bounds
    allow_repeat = "repeat" in b.allowed
    hi_rep = b.hi["repeat"]
    w = space.task.world
    no_sole_rep = (
        not (b.padding or b.start_by or any(b.lo[t] > 0 for t in b.lo))
        and max(w.rows, w.cols) <= 13
        and hi_rep == float("inf")
    )

    def forest(i: int, stop: int, ends: list[int], reps: int) -> Iterator[int]:
        # fill ends[i..stop-1] as a list of trees, yielding the repeats used so far each time
        if i == stop:
            yield reps
            return
        # a basic block at i
        ends[i] = i
        yield from forest(i + 1, stop, ends, reps)
        if allow_repeat and reps + 1 <= hi_rep:
            for e in range(i + 1, stop):
                ends[i] = e
                for r1 in forest(i + 1, e + 1, ends, reps + 1):
                    if no_sole_rep and e > i + 1 and ends[i + 1] == e:
                        continue  # its whole body is one repeat (normal form)
                    yield from forest(e + 1, stop, ends, r1)
            ends[i] = i

    if not b.lo_all <= k <= b.hi_all:
        return []  # the constraints' size bounds (`exactly all`, `at_most all`) rule k out
    ends = [0] * k
    # a nesting needs a basic slot for every group of blocks a solution holds, and a drawing
    # as many moves or repeats as it has colours besides the setpc and turn slots
    basic = len(_needed_blocks(space))
    if space.kind == "draw" and space.nedges and k < basic - 1 + len(set(space.edge_colors)):
        return []
    out = [
        tuple(ends)
        for _ in forest(0, k, ends, 0)
        if sum(1 for i, e in enumerate(ends) if e == i) >= basic
    ]
    if _mono_colour(space) is not None and _normal_forms_apply(b):
        out = [e for e in out if e[0] == 0]  # slot 0 is the setpc (`_first_setpc`)
    out.sort(key=lambda e: sum(1 for i, x in enumerate(e) if x > i))  # fewest repeats first
    return out


def _out_of_time(found: list[Program], k: int, stats: dict, t0: float) -> SearchResult:
    """The time ran out at size k. Every smaller size is refuted, so programs already found at
    k are shortest, proved (only the list of them, with --all, may be incomplete); with none,
    it is a timeout."""
    if not found:
        return _result("timeout", [], None, False, stats, t0)
    stats["all_found"] = False
    return _result("solved", found, k, True, stats, t0)


def _result(
    status: Status, progs: list[Program], size: int | None, proved: bool, stats: dict, t0: float
) -> SearchResult:
    stats["time_s"] = round(time.perf_counter() - t0, 4)
    return SearchResult(status, progs, size, proved and status != "timeout", stats)


class _InContext:
    """The z3 module as the encodings use it, its constructors bound to one context (those that
    would take z3's main context when given none: constants, sorts, solvers, and `And`/`Or` of
    an empty list). Everything else is the module's own."""

    def __init__(self, ctx: Any) -> None:
        import z3

        self._z3 = z3
        self.ctx = ctx

    def __getattr__(self, name: str) -> Any:
        return getattr(self._z3, name)

    def BitVec(self, name: str, bits: int) -> Any:
        return self._z3.BitVec(name, bits, self.ctx)

    def BitVecVal(self, value: int, bits: int) -> Any:
        return self._z3.BitVecVal(value, bits, self.ctx)

    def BoolVal(self, value: bool) -> Any:
        return self._z3.BoolVal(value, self.ctx)

    def BitVecSort(self, bits: int) -> Any:
        return self._z3.BitVecSort(bits, self.ctx)

    def BoolSort(self) -> Any:
        return self._z3.BoolSort(self.ctx)

    def SolverFor(self, logic: str) -> Any:
        return self._z3.SolverFor(logic, ctx=self.ctx)

    def And(self, *args: Any) -> Any:
        return self._z3.And(*_flat(args), self.ctx)

    def Or(self, *args: Any) -> Any:
        return self._z3.Or(*_flat(args), self.ctx)


def _flat(args: tuple[Any, ...]) -> list[Any]:
    """`And`'s and `Or`'s arguments, given one by one or as one list."""
    return list(args[0]) if len(args) == 1 and isinstance(args[0], (list, tuple)) else list(args)


class _Encoding:
    """The SMT encoding for programs of exactly k blocks (see the module docstring).

    Everything ranges over small finite domains, so every value is a bit-vector (ops, counts,
    slot indices, poses, cell and segment sets, concat counts): the logic is QF_UFBV, which z3
    solves by Ackermann reduction and bit-blasting."""

    def __init__(
        self,
        space: Space,
        k: int,
        z3: Any,
        shape: tuple[int, ...],
        runs: dict[int, int | None] | None = None,
        shared: dict[str, Any] | None = None,
    ) -> None:
        self.z3 = z3
        # terms the encodings of one search share (`_definition_key`, basic effects, clauses
        # on some slot)
        shared = shared if shared is not None else {}
        self._defs: dict[tuple[int, ...], list[Any]] = shared.setdefault("defs", {})
        self._some: dict[tuple[int, ...], Any] = shared.setdefault("some", {})
        self._bcache: dict[tuple[int, int], dict[str, Any]] = shared.setdefault("basic", {})
        # the fewest runs of moves (FD) and of turns (LT) in a solution, when known
        self.runs = runs or {}
        self.shape = shape
        self.space = space
        self.k = k
        self.terms = 0
        b = space.bounds
        self.padding = b.padding
        self.allow_repeat = "repeat" in b.allowed
        self.ops = list(space.basic_codes) + ([REP] if self.allow_repeat else [])
        self.max_times = space.max_times
        self.poses = shared.get("closure") or _closure(space)
        self.pbits = max(self.poses).bit_length() + 1  # pose bit-vectors
        self.nbits = (k + 1).bit_length() + 2  # counts of slots, 0..k, with room to spare
        self._pconst: dict[int, Any] = {}
        self.solver = z3.SolverFor("QF_UFBV")
        self._vars()
        self._structure()
        self._static()
        self._effects()
        self._goal()
        self._constraints()
        self._necessary_blocks()
        self._normal_forms()

    # -- helpers ---------------------------------------------------------------------------------

    def _pose(self, q: int) -> Any:
        v = self._pconst.get(q)
        if v is None:
            v = self._pconst[q] = self.z3.BitVecVal(q, self.pbits)
        return v

    # -- variables and structure ---------------------------------------------------------------

    def _vars(self) -> None:
        z3, k = self.z3, self.k
        self.op = [z3.BitVec(f"op{i}", 4) for i in range(k)]
        self.times = [z3.BitVec(f"times{i}", 4) for i in range(k)]

    def _structure(self) -> None:
        """The nesting is fixed: a slot with a body is a repeat, the others are basic blocks (or,
        with padding, empty repeats). pe_int[j] is the last slot of the list holding j (k for the
        top level)."""
        z3, k, s, shape = self.z3, self.k, self.solver, self.shape
        self.pe_int = [
            min((shape[r] for r in range(j) if shape[r] >= j), default=k) for j in range(k)
        ]
        low = 1 if self.padding else 2
        for i in range(k):
            if shape[i] > i:
                s.add(self.op[i] == REP)
                s.add(z3.UGE(self.times[i], low), z3.ULE(self.times[i], self.max_times))
            elif self.padding and self.allow_repeat:
                # a basic block or an empty repeat, which does nothing whatever its count: 1
                # and 2 stand for the others, as in the enumerative engine's padding menus
                s.add(z3.Or([self.op[i] == c for c in self.ops]))
                s.add(
                    z3.If(
                        self.op[i] == REP,
                        z3.And(z3.UGE(self.times[i], 1), z3.ULE(self.times[i], 2)),
                        self.times[i] == 0,
                    )
                )
            else:
                s.add(z3.Or([self.op[i] == c for c in self.ops if c != REP]))
                s.add(self.times[i] == 0)

    # -- static facts: exit pen and net turn of each list ---------------------------------------

    def _static(self) -> None:
        z3, k, s = self.z3, self.k, self.solver
        self.pen = [
            z3.BitVec(f"pen{i}", 4) for i in range(k)
        ]  # pen after the list from i (0: unchanged)
        self.rot = [
            z3.BitVec(f"rot{i}", 2) for i in range(k)
        ]  # net quarter turns of the list from i
        for i in range(k):
            block_pen = self._block_pen(i)
            block_rot: Any = (
                z3.BitVecVal(0, 2)
                if self._is_repeat(i)
                else z3.If(
                    self.op[i] == LT,
                    z3.BitVecVal(3, 2),
                    z3.If(self.op[i] == RT, z3.BitVecVal(1, 2), z3.BitVecVal(0, 2)),
                )
            )
            if self._is_repeat(i):
                # (r * t) mod 4 in 2-bit arithmetic
                block_rot = self.rot[i + 1] * z3.Extract(1, 0, self.times[i])
            nxt = self._next_in_list(i)
            if nxt is None:
                s.add(self.pen[i] == block_pen)
                s.add(self.rot[i] == block_rot)
            else:
                tail_pen = self.pen[nxt]
                s.add(self.pen[i] == z3.If(tail_pen != 0, tail_pen, block_pen))
                s.add(self.rot[i] == block_rot + self.rot[nxt])  # 2-bit arithmetic is mod 4
            # the period lemma: counts above 2P repeat an outcome (README); a body that ends
            # where it began (P = 1) is bounded when its program is read (`within_period`)
            if self._is_repeat(i):
                s.add(z3.Implies(self.rot[i + 1] == 2, z3.ULE(self.times[i], 4)))
                if self.max_times > 8:
                    quarter = z3.Extract(0, 0, self.rot[i + 1]) == 1
                    s.add(z3.Implies(quarter, z3.ULE(self.times[i], 8)))
                # no net turn: the body ends where it began (2 iterations say it all) or it
                # drifts in a line, and the grid stops it within its length
                w = self.space.task.world
                drift = max(2, max(w.rows, w.cols) - 1)
                if drift < self.max_times:
                    s.add(z3.Implies(self.rot[i + 1] == 0, z3.ULE(self.times[i], drift)))

    def _next_in_list(self, i: int) -> int | None:
        """The slot after slot i's subtree in the same list, if any."""
        nxt = self.shape[i] + 1
        return nxt if nxt < self.k and nxt <= self.pe_int[i] else None

    def _is_repeat(self, i: int) -> bool:
        """Slot i is a repeat with a body in this encoding's nesting."""
        return self.shape[i] > i

    def _block_pen(self, i: int) -> Any:
        z3 = self.z3
        if self._is_repeat(i):
            return self.pen[i + 1]
        pen: Any = z3.BitVecVal(0, 4)
        for c in self.space.colors:
            pen = z3.If(self.op[i] == SETPC0 + c, z3.BitVecVal(c, 4), pen)
        return pen

    # -- effects ------------------------------------------------------------------------------

    def _effects(self) -> None:
        z3, k, sp = self.z3, self.k, self.space
        kind = sp.kind
        self.fields = ["X", "D"]
        self.cbits = 2
        if kind == "find":
            self.fields.append("F")
        elif kind in ("collectall", "sum"):
            self.cells = [c for c in range(sp.task.world.size) if sp.tmask >> c & 1]
            self.width = max(1, len(self.cells))
            self.fields.append("V")
        elif kind == "concat":
            self.cbits = (sp.nspecs + 2).bit_length() + 1
            self.fields += (
                [f"H{j}" for j in range(sp.nspecs)] + [f"R{j}" for j in range(sp.nspecs)] + ["E"]
            )
        elif kind == "draw":
            self.width = max(1, sp.nedges)
            self.tags = [0, *sorted(set(sp.colors) | {_black()})]
            self.fields += [f"M{t}" for t in self.tags]
        self.funcs: list[dict[str, Any]] = []
        for i in range(k):
            self.funcs.append(
                {
                    name: z3.Function(f"{name}_{i}", z3.BitVecSort(self.pbits), self._sort(name))
                    for name in self.fields
                }
            )
        self.active: set[tuple[int, int]] = set()
        self.activate(0, sp.start_pose)

    def activate(self, i: int, q: int) -> bool:
        """Define slot i's effect functions at pose q (lazily: only where runs go)."""
        if (i, q) in self.active:
            return False
        self.active.add((i, q))
        key = self._definition_key(i, q)
        eqs = self._defs.get(key)
        if eqs is None:
            blk = self._block(i, q)
            tail = self._tail(i, blk["X"])
            full = self._compose(blk, tail, self._block_pen(i))
            eqs = self._defs[key] = [
                self.funcs[i][name](self._pose(q)) == full[name] for name in self.fields
            ]
        for eq in eqs:
            self.solver.add(eq)
        self.terms += len(eqs)
        return True

    def _definition_key(self, i: int, q: int) -> tuple[int, ...]:
        """What slot i's definition at pose q depends on: whether the slot is a repeat and
        which slot follows its subtree in its list (every other symbol is named by its slot, so
        encodings of other nestings of the same size build the same terms, and share them)."""
        nxt = self._next_in_list(i)
        return (self.k, i, q, self.shape[i] > i, -1 if nxt is None else nxt)

    def _sort(self, name: str) -> Any:
        z3 = self.z3
        if name in ("D", "F"):
            return z3.BoolSort()
        if name == "X":
            return z3.BitVecSort(self.pbits)
        if name == "V" or name.startswith("M"):
            return z3.BitVecSort(self.width)
        return z3.BitVecSort(self.cbits)

    def _apply(self, i: int, x: Any) -> dict[str, Any]:
        return {name: fn(x) for name, fn in self.funcs[i].items()}

    def _identity(self, x: Any) -> dict[str, Any]:
        z3 = self.z3
        out: dict[str, Any] = {"X": x, "D": z3.BoolVal(False)}
        for name in self.fields[2:]:
            if name == "F":
                out[name] = z3.BoolVal(False)
            elif name == "V" or name.startswith("M"):
                out[name] = z3.BitVecVal(0, self.width)
            else:
                out[name] = z3.BitVecVal(0, self.cbits)
        return out

    def _basic(self, code: int, q: int) -> dict[str, Any]:
        """The effect of one basic block from the concrete pose q (concrete values)."""
        out = self._bcache.get((code, q))
        if out is None:
            out = self._bcache[(code, q)] = self._basic1(code, q)
        return out

    def _basic1(self, code: int, q: int) -> dict[str, Any]:
        z3, sp = self.z3, self.space
        out = self._identity(self._pose(q))
        e = sp.basic_effects[code][q]
        if e is None:
            out["D"] = z3.BoolVal(True)
            return out
        out["X"] = self._pose(e[0])
        if code in (FD, BK):
            cell = e[0] >> 2
            if "F" in out:
                out["F"] = z3.BoolVal(bool(sp.tmask >> cell & 1))
            if "V" in out and cell in self.cells:
                out["V"] = z3.BitVecVal(1 << self.cells.index(cell), self.width)
            if sp.kind == "concat" and sp.cellspec[cell]:
                for j in range(sp.nspecs):
                    if sp.cellspec[cell] >> j & 1:
                        out[f"H{j}"] = z3.BitVecVal(1, self.cbits)
                out["E"] = z3.BitVecVal(1, self.cbits)
            if sp.kind == "draw":
                edge = (sp.fwd_edge if code == FD else sp.back_edge)[q]
                out["M0"] = z3.BitVecVal(1 << edge, self.width)
        return out

    def _block(self, i: int, q: int) -> dict[str, Any]:
        """The effect of slot i's whole subtree from pose q."""
        return self._repeat(i, q) if self._is_repeat(i) else self._basic_mux(i, q)

    def _basic_mux(self, i: int, q: int) -> dict[str, Any]:
        """Slot i's basic block from pose q, field by field, with the codes that give one value
        grouped under one condition."""
        z3 = self.z3
        effs = [(code, self._basic(code, q)) for code in self.space.basic_codes]
        if self.padding and self.allow_repeat:
            effs.append((REP, self._identity(self._pose(q))))  # an empty repeat (padding)
        out: dict[str, Any] = {}
        for name in self.fields:
            groups: dict[int, tuple[Any, list[int]]] = {}
            for code, eff in effs:
                v = eff[name]
                groups.setdefault(v.get_id(), (v, []))[1].append(code)
            vals = sorted(groups.values(), key=lambda g: len(g[1]))
            term = vals[-1][0]
            for v, codes in vals[:-1]:
                cond = (
                    z3.Or([self.op[i] == c for c in codes])
                    if len(codes) > 1
                    else self.op[i] == codes[0]
                )
                term = z3.If(cond, v, term)
            out[name] = term
        return out

    def _repeat(self, i: int, q: int) -> dict[str, Any]:
        body_pen = self.pen[i + 1]
        acc = self._apply(i + 1, self._pose(q))
        chosen = acc
        for t in range(2, self.max_times + 1):
            acc = self._compose(acc, self._apply(i + 1, acc["X"]), body_pen)
            chosen = self._ite(self.times[i] == t, acc, chosen)
        return chosen

    def _tail(self, i: int, x: Any) -> dict[str, Any]:
        """The rest of slot i's list after its subtree, from pose x."""
        nxt = self._next_in_list(i)
        return self._identity(x) if nxt is None else self._apply(nxt, x)

    def _ite(self, cond: Any, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
        z3 = self.z3
        return {
            name: b[name] if a[name].eq(b[name]) else z3.If(cond, a[name], b[name]) for name in a
        }

    def _or(self, a: Any, b: Any) -> Any:
        z3 = self.z3
        if z3.is_false(a):
            return b
        if z3.is_false(b):
            return a
        return z3.Or(a, b)

    def _sat_add(self, a: Any, b: Any) -> Any:
        """Addition that sticks at the largest value (counts only matter up to a small cap)."""
        z3 = self.z3
        top = (1 << self.cbits) - 1
        s = z3.ZeroExt(1, a) + z3.ZeroExt(1, b)
        return z3.If(
            z3.UGT(s, top), z3.BitVecVal(top, self.cbits), z3.Extract(self.cbits - 1, 0, s)
        )

    def _compose(self, a: dict[str, Any], b: dict[str, Any], pen_a: Any) -> dict[str, Any]:
        """a then b (b computed from a's exit), where pen_a is the pen a leaves (0: unchanged)."""
        z3 = self.z3
        out = {"X": b["X"], "D": self._or(a["D"], b["D"])}
        if "F" in a:
            out["F"] = self._or(a["F"], b["F"])
        if "V" in a:
            out["V"] = a["V"] | b["V"]
        if "E" in a:
            for j in range(self.space.nspecs):
                h, r = f"H{j}", f"R{j}"
                out[h] = self._sat_add(a[h], b[h])
                out[r] = z3.If(a[h] != 0, a[r], self._sat_add(a["E"], b[r]))
            out["E"] = self._sat_add(a["E"], b["E"])
        if "M0" in a:
            drawn_b = b["M0"]
            for t in self.tags[1:]:
                drawn_b = drawn_b | b[f"M{t}"]
            keep = ~drawn_b
            zero = z3.BitVecVal(0, self.width)
            for t in self.tags[1:]:
                out[f"M{t}"] = (a[f"M{t}"] & keep) | b[f"M{t}"] | z3.If(pen_a == t, b["M0"], zero)
            out["M0"] = (a["M0"] & keep) | z3.If(pen_a == 0, b["M0"], zero)
        return out

    # -- goal and constraints --------------------------------------------------------------------

    def _goal(self) -> None:
        z3, sp, s = self.z3, self.space, self.solver
        run0 = self._apply(0, self._pose(sp.start_pose))
        s.add(z3.Not(run0["D"]))
        start_cell = sp.start_pose >> 2
        kind = sp.kind
        if kind == "find":
            if not sp.tmask >> start_cell & 1:
                s.add(run0["F"])
        elif kind in ("collectall", "sum"):
            bits = run0["V"]
            if start_cell in self.cells:
                bits = bits | z3.BitVecVal(1 << self.cells.index(start_cell), self.width)
            if kind == "collectall":
                s.add(bits == z3.BitVecVal((1 << len(self.cells)) - 1, self.width))
            else:
                w = 12
                terms = [
                    z3.If(
                        z3.Extract(b, b, bits) == 1,
                        z3.BitVecVal(sp.counts[c], w),
                        z3.BitVecVal(0, w),
                    )
                    for b, c in enumerate(self.cells)
                ]
                total: Any = z3.BitVecVal(0, w)
                for t in terms:
                    total = total + t
                s.add(total == sp.total)
        elif kind == "concat":
            # the ranks R are 0-based among the hit events after the start; position 0 is the start
            pos: list[Any] = []
            for j in range(sp.nspecs):
                at_start = bool(sp.cellspec[start_cell] >> j & 1)
                s.add(run0[f"H{j}"] == (0 if at_start else 1))
                pos.append(
                    z3.BitVecVal(0, self.cbits + 1)
                    if at_start
                    else z3.ZeroExt(1, run0[f"R{j}"]) + 1
                )
            for a, b in itertools.pairwise(pos):
                s.add(z3.Not(z3.And(z3.UGE(b, 1), z3.Not(z3.ULT(a, b)))))
                s.add(z3.Not(z3.And(z3.UGE(a, 1), z3.ULT(b, a))))
        elif kind == "draw":
            black = _black()
            for t in self.tags[1:]:
                got = run0[f"M{t}"] | (run0["M0"] if t == black else z3.BitVecVal(0, self.width))
                want = sum(1 << e for e, c in enumerate(sp.edge_colors) if c == t)
                s.add(got == z3.BitVecVal(want, self.width))

    def _constraints(self) -> None:
        # (a size outside the bounds on the block count has no nestings: `_shapes`)
        z3, s, b, k = self.z3, self.solver, self.space.bounds, self.k
        w = self.nbits
        for t in ("fd", "bk", "lt", "rt", "setpc", "repeat"):
            lo, hi = b.lo[t], b.hi[t]
            if lo == 0 and hi == float("inf"):
                continue
            codes = _codes_of(t, self.space)
            count: Any = z3.BitVecVal(0, w)
            for i in range(k):
                if codes:
                    count = count + z3.If(
                        z3.Or([self.op[i] == c for c in codes]),
                        z3.BitVecVal(1, w),
                        z3.BitVecVal(0, w),
                    )
            if hi < float("inf"):
                s.add(z3.ULE(count, min(int(hi), (1 << w) - 1)))
            if lo > 0:
                s.add(
                    z3.Or(
                        count == 0,
                        z3.UGE(count, min(lo, (1 << w) - 1))
                        if lo < (1 << w)
                        else z3.BoolVal(False),
                    )
                )
        # start_by: the m-th top-level block is of the m-th type
        tops = [j for j in range(k) if self.pe_int[j] == k]
        for m, want in enumerate(b.start_by):
            codes = _codes_of(want, self.space) if m < len(tops) else []
            s.add(z3.Or([self.op[tops[m]] == c for c in codes]) if codes else z3.BoolVal(False))

    def _some_slot(self, codes: list[int]) -> Any:
        """Some slot holds one of these basic blocks (false for none); the same term for every
        nesting of a size."""
        key = (self.k, *codes)
        term = self._some.get(key)
        if term is None:
            z3 = self.z3
            term = self._some[key] = z3.Or([self.op[i] == c for i in range(self.k) for c in codes])
        return term

    def _necessary_blocks(self) -> None:
        """Blocks every solution holds (`_needed_blocks`), as clauses on the operations: z3
        would find them only deep inside the composed effects. A drawing also needs as many
        moves or repeats as it has colours (README, rule 9)."""
        z3, sp, s = self.z3, self.space, self.solver
        for group in _needed_blocks(sp):
            s.add(self._some_slot(group))
        if sp.kind == "draw" and sp.nedges:
            w = self.nbits
            one, zero = z3.BitVecVal(1, w), z3.BitVecVal(0, w)
            drawing: Any = zero
            for i in range(self.k):  # (an empty repeat draws nothing)
                moves = z3.Or(self.op[i] == FD, self.op[i] == BK)
                drawing = drawing + (one if self._is_repeat(i) else z3.If(moves, one, zero))
            s.add(z3.UGE(drawing, len(set(sp.edge_colors))))
        self._enough_runs((FD, BK), self.runs.get(FD))
        self._enough_runs((LT, RT), self.runs.get(LT))

    def _enough_runs(self, codes: tuple[int, int], need: int | None) -> None:
        """The blocks of these codes (moves, or turns) run at least `need` times in all
        (`Space.min_moves`, `min_turns`): under a fixed nesting a slot runs the product of the
        counts of the repeats around it, so the sum over the slots is a bit-vector term of the
        counts."""
        z3, k = self.z3, self.k
        if need is None or need <= 1:
            return  # a single one is the clause that some slot holds one
        # a slot's runs are clamped at `need` after every factor (more makes no difference), so
        # no product or sum overflows: at most 15 * need, and k * need in all
        w = (16 * k * need).bit_length() + 1
        zero, cap = z3.BitVecVal(0, w), z3.BitVecVal(need, w)
        total: Any = zero
        for i in range(k):
            if self.shape[i] > i:
                continue
            runs: Any = z3.BitVecVal(1, w)
            for r in range(i):
                if self.shape[r] >= i:
                    runs = runs * z3.ZeroExt(w - 4, self.times[r])
                    runs = z3.If(z3.UGT(runs, cap), cap, runs)
            total = total + z3.If(z3.Or([self.op[i] == c for c in codes]), runs, zero)
        self.solver.add(z3.UGE(total, need))

    def _normal_forms(self) -> None:
        """Forms a shorter program always beats (sound because smaller sizes were refuted
        first): only used when no lower bound and no start_by could make them necessary, hence
        never with padding. The nesting is fixed: only the operations and counts are
        constrained."""
        z3, s, b, k, op = self.z3, self.solver, self.space.bounds, self.k, self.op
        if not _normal_forms_apply(b):
            return
        shape = self.shape
        self._first_setpc()
        turns_free = all(b.hi[t] == float("inf") for t in ("lt", "rt"))
        pcs = [SETPC0 + c for c in self.space.colors]
        # basic blocks whose type no constraint bounds (repeat(2){x} may become `x x`)
        free = [c for c in self.ops if c != REP and b.hi[type_of(c)] == float("inf")]

        def then(i: int) -> bool:  # slot i is a basic block and slot i + 1 follows it in its list
            return i + 1 < k and shape[i] == i and i + 1 <= self.pe_int[i]

        for i in range(k - 1):
            if then(i):
                for x, y in ((LT, RT), (RT, LT)):
                    s.add(z3.Not(z3.And(op[i] == x, op[i + 1] == y)))
                if turns_free:
                    # `lt lt` is `rt rt` (same size, kept); three same turns are one opposite turn
                    s.add(z3.Not(z3.And(op[i] == LT, op[i + 1] == LT)))
                    if then(i + 1):
                        s.add(z3.Not(z3.And(op[i] == RT, op[i + 1] == RT, op[i + 2] == RT)))
                if pcs:
                    s.add(z3.Not(z3.And(self._is_setpc(i), self._is_setpc(i + 1))))
                    # a turn then a setpc is the setpc then the turn (same size, kept)
                    s.add(z3.Not(z3.And(z3.Or(op[i] == LT, op[i] == RT), self._is_setpc(i + 1))))
            if shape[i] == i + 1 and free:
                # repeat(2){x} for one basic block x is `x x` (same size, one repeat fewer, kept)
                s.add(z3.Not(z3.And(self.times[i] == 2, z3.Or([op[i + 1] == c for c in free]))))
            if shape[i] == i + 1:
                # repeat(n){x} for one turn x: n = 4 and 8 do nothing, 5 is x, 6 and 7 are
                # repeat(2){x} and repeat(3){x}; repeat(n){setpc(c)} is setpc(c)
                s.add(z3.Implies(z3.Or(op[i + 1] == LT, op[i + 1] == RT), z3.ULE(self.times[i], 3)))
                if pcs:
                    s.add(z3.Not(self._is_setpc(i + 1)))
            if shape[i] > i and turns_free:
                # a repeat whose body never moves is a turn and a pen change: at most 3 blocks
                s.add(z3.Or([z3.Or(op[j] == FD, op[j] == BK) for j in range(i + 1, shape[i] + 1)]))
        # (a repeat whose whole body is one repeat, which one repeat does, is not among the
        # nestings: `_shapes`)
        # the last top-level block moves (a trailing turn or setpc changes nothing observable)
        last = k - 1
        if self.pe_int[last] == k:
            s.add(z3.Or(op[last] == FD, op[last] == BK))

    def _first_setpc(self) -> None:
        """In a picture without black, whatever a move draws before the first setpc is black and
        drawn over later, so that setpc may come first instead: when it is a top-level block,
        moving it to the front keeps the size and the picture (the moves before it now draw in
        its colour, over segments drawn over later anyway). In one colour c every setpc is
        setpc(c), and a program with all its setpc blocks replaced by one setpc(c) in front is no
        larger and draws the same segments in c: the program starts with it and has no other."""
        z3, sp, s, k = self.z3, self.space, self.solver, self.k
        if sp.kind != "draw" or not sp.colors or _black() in sp.edge_colors:
            return
        mono = _mono_colour(sp)
        if mono is not None:
            s.add(self.op[0] == SETPC0 + mono)
            for i in range(1, k):
                s.add(self.op[i] != SETPC0 + mono)
            return
        is_pc = [self._is_setpc(i) for i in range(k)]
        for j in range(1, k):
            if self.pe_int[j] == k:  # a top-level slot
                s.add(z3.Implies(is_pc[j], z3.Or(is_pc[:j])))

    def _is_setpc(self, i: int) -> Any:
        """Slot i holds a setpc (of any colour the search uses)."""
        return self.z3.Or([self.op[i] == SETPC0 + c for c in self.space.colors])

    # -- models ----------------------------------------------------------------------------------

    def decode(self, model: Any) -> Program:
        ops = [model.eval(self.op[i], model_completion=True).as_long() for i in range(self.k)]
        times = [model.eval(self.times[i], model_completion=True).as_long() for i in range(self.k)]
        ends = self.shape
        space = self.space

        def build(i: int, stop: int) -> tuple[list[Block], int]:
            out: list[Block] = []
            while i <= stop:
                if ops[i] == REP:
                    body, _ = build(i + 1, ends[i])
                    out.append(Repeat(times[i], tuple(body)))
                    i = ends[i] + 1
                else:
                    out.append(space.blocks[ops[i]])
                    i += 1
            return out, i

        blocks, _ = build(0, self.k - 1)
        return Program(tuple(blocks))

    def used_pairs(self, model: Any) -> set[tuple[int, int]]:
        """The (slot, entry pose) pairs the real run of the model's program evaluates."""
        ops = [model.eval(self.op[i], model_completion=True).as_long() for i in range(self.k)]
        times = [model.eval(self.times[i], model_completion=True).as_long() for i in range(self.k)]
        ends = self.shape
        pe = [self.k - 1] * self.k
        for r in range(self.k):
            if ops[r] == REP:
                for j in range(r + 1, ends[r] + 1):
                    pe[j] = min(pe[j], ends[r])
        space = self.space
        used: set[tuple[int, int]] = set()
        budget = [200_000]

        def run_list(i: int, q: int) -> int | None:
            while True:
                used.add((i, q))
                budget[0] -= 1
                if budget[0] < 0:
                    return None
                if ops[i] == REP:
                    x: int | None = q
                    if ends[i] > i:
                        for _ in range(times[i]):
                            x = run_list(i + 1, x)  # type: ignore[arg-type]
                            if x is None:
                                return None
                else:
                    e = space.basic_effects[ops[i]][q]
                    if e is None:
                        return None
                    x = e[0]
                if ends[i] >= pe[i]:
                    return x
                i, q = ends[i] + 1, x  # type: ignore[assignment]

        if self.k:
            run_list(0, space.start_pose)
        return used

    def block(self, model: Any) -> None:
        """Exclude this program (its structure, counts and operations) from later models."""
        z3 = self.z3
        diff = []
        for i in range(self.k):
            for v in (self.op[i], self.times[i]):
                diff.append(v != model.eval(v, model_completion=True))
        self.solver.add(z3.Or(diff))


def _needed_blocks(space: Space) -> list[list[int]]:
    """Groups of basic blocks every solution holds one of, each in a slot of its own (the
    groups are disjoint), for the reasons of the enumerative engine's lower bound (README,
    rule 9): a move when the goal is not met at the start; in a drawing a setpc(c) for each of
    its colours but black (the pen starts black and only setpc changes it); a turn when a target
    lies off the line the turtle starts on. An empty group (its blocks are not allowed) means no
    program solves the task. They hold under any constraint, padding included: each names what
    the run itself must do."""
    summary = space.initial_summary()
    if space.kind in ("none", "always") or space.goal_met(summary):
        return []
    codes = set(space.basic_codes)
    groups = [[c for c in (FD, BK) if c in codes]]
    line = space.on_line[space.start_pose]
    if space.kind == "draw":
        for c in sorted(set(space.edge_colors) - {_black()}):
            groups.append([SETPC0 + c] if SETPC0 + c in codes else [])
        off = space.field_ones & ~line
    elif space.kind == "find":
        off = 0 if space.tmask & line else 1
    elif space.kind == "collectall":
        off = space.tmask & ~summary & ~line  # type: ignore[operator]
    else:
        off = 0
    if off:
        groups.append([c for c in (LT, RT) if c in codes])
    return groups


def _normal_forms_apply(b: Any) -> bool:
    """No lower bound and no start_by can make a form a shorter program beats necessary."""
    return not (b.padding or b.start_by or any(b.lo[t] > 0 for t in b.lo))


def _mono_colour(space: Space) -> int | None:
    """The colour of a picture in one colour other than black, if it is one."""
    colours = set(space.edge_colors)
    if space.kind != "draw" or len(colours) != 1 or _black() in colours or not space.colors:
        return None
    return next(iter(colours))


def _black() -> int:
    from .search_space import BLACK

    return BLACK


def _codes_of(t: str, space: Space) -> list[int]:
    if t == "repeat":
        return [REP] if "repeat" in space.bounds.allowed else []
    if t == "setpc":
        return [SETPC0 + c for c in space.colors]
    code = {"fd": FD, "bk": BK, "lt": LT, "rt": RT}[t]
    return [code] if code in space.basic_codes else []


def _closure(space: Space, tick: Any = None) -> list[int]:
    """The poses a run can reach from the start (dead moves stay put)."""
    seen = {space.start_pose}
    stack = [space.start_pose]
    popped = 0
    while stack:
        popped += 1
        if tick is not None and popped & 1023 == 0:
            tick()
        p = stack.pop()
        for code in (FD, BK, LT, RT):
            e = space.basic_effects[code][p]
            if e is not None and e[0] not in seen:
                seen.add(e[0])
                stack.append(e[0])
    return sorted(seen)
