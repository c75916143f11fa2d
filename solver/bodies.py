"""Repeat bodies: their signatures, their effects from a pose, and the per-pose menus of repeats.

A *signature* is what a body does in the turtle's own frame (the entry pose taken as the origin,
heading north): the set of directed moves it makes, the last colour it leaves on each segment
(or "the pen at entry"), its exit pose and its exit pen; in concat tasks also the order of the
cells entered. Every crash check depends on one move only (the wall of the tile being left, the
cell entered, the segment drawn), visited cells are the targets of the moves, and the picture
keeps the last colour of each segment: so two bodies with the same signature do the same thing
from every pose with every pen. Only the smallest body of each signature (and tracked
constraint counts) is kept, which removes every redundant form at once: `lt rt`, `rt lt`, four
turns, `setpc(a) setpc(b)`, `fd bk fd bk` after `fd bk`, a segment drawn twice in one body...

A `Menu` lists, for one entry pose, the canonical bodies whose first iteration does not die from
that pose, level by size, and the repeat blocks built from them with their effects. Menus grow
lazily, one size at a time, only as far as the search needs. Bodies are kept as ops (basic
codes and (count, body) pairs) and the AST is built only for the programs a search returns
(`MenuSet.ast`): menus are the search's memory, and a search stops after `max_bodies` of them.

This module never decides search order and never looks at constraints beyond the counts it is
given; it never imports z3 or the CLI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from xlogo_lang.ast import Block, Repeat

from .search_space import FD, LT, RT, SETPC0, Effect, Space, type_of

SIG_CAP = 64  # concat: longer cell sequences are not compared (such bodies are simply kept)

# One op of a body: a basic block's code, or a repeat as (times, body)
Op = int | tuple[int, "Body"]


class Body:
    """A body (a sequence of blocks) in compiled form, with memoised effects per pose."""

    __slots__ = (
        "counts",
        "memo",
        "nmax",
        "ops",
        "parent",
        "powers",
        "reps",
        "sig",
        "size",
        "turns",
    )

    def __init__(
        self,
        ops: tuple[Op, ...],
        sig: tuple,
        counts: tuple[int, ...],
        size: int,
        nmax: int,
    ) -> None:
        self.ops = ops  # int basic code, or (times, Body); the AST is built only for results
        self.parent: Body | None = None  # the body ops[:-1] is (its derivation, with ops[-1])
        self.sig = sig
        self.counts = counts
        self.size = size
        self.nmax = nmax
        self.memo: dict[int, Effect | None] = {}
        self.reps: dict[int, list[Effect | None]] = {}
        self.powers: dict[int, tuple] = {}
        self.turns: dict[tuple[int, int], tuple | None] = {}

    def effect(self, space: Space, pose: int) -> Effect | None:
        e = self.memo.get(pose, False)
        if e is not False:
            return e  # type: ignore[return-value]
        cur: Effect | None = (pose, 0, (), 0, 0, 0, 0, 0)
        for op in self.ops:
            x = cur[0]  # type: ignore[index]
            if isinstance(op, int):
                step = space.basic_effects[op][x]
            else:
                times, body = op
                step = body.repeat_effect(space, x, times)
            cur = space.compose(cur, step)
            if cur is None:
                break
        self.memo[pose] = cur
        return cur

    def repeat_effect(self, space: Space, pose: int, times: int) -> Effect | None:
        """The effect of `repeat(times){body}` from `pose` (iterations computed once, lazily)."""
        chain = self.reps.get(pose)
        if chain is None:
            chain = self.reps[pose] = [self.effect(space, pose)]
        while len(chain) < times:
            last = chain[-1]
            if last is None:
                return None
            nxt = space.compose(last, self.effect(space, last[0]))
            if nxt is not None and not space.calls_ok(nxt[7]):
                nxt = None
            chain.append(nxt)
        return chain[times - 1]

    def power(self, canvas: Canvas, times: int) -> tuple:
        """The signature of `repeat(times){body}`."""
        p = self.powers.get(times)
        if p is None:
            p = self.powers[times] = canvas.power(self.sig, times)
        return p

    def turned_power(self, canvas: Canvas, times: int, turn: int) -> tuple | None:
        """That signature's bitsets turned `turn` quarter turns (None if it is not comparable)."""
        key = (times, turn)
        t = self.turns.get(key, False)
        if t is False:
            base = self.power(canvas, times)
            t = self.turns[key] = None if base[0] is None else canvas.turned(base, turn)
        return t  # type: ignore[return-value]


# Relative coordinates: the entry pose is cell (0, 0) heading "north" (0). Signatures are bitsets
# on a canvas of (2M+1)^2 relative cells, M the grid's longest side: a body that survives a run
# in the grid never leaves it. A directed move (x, y, step) is bit cell*4 + step; a segment is the
# move east (bit cell*2) or south (bit cell*2 + 1) that draws it.
_DXY = ((0, -1), (1, 0), (0, 1), (-1, 0))


def _rot(x: int, y: int, k: int) -> tuple[int, int]:
    if k == 0:
        return x, y
    if k == 1:
        return -y, x
    if k == 2:
        return -x, -y
    return y, -x


def _permute(mask: int, table: dict[int, int], compute: Callable[[int], int]) -> int:
    """`mask` with every set bit i moved to bit table[i] (missing entries computed, kept)."""
    out = 0
    while mask:
        low = mask & -mask
        i = low.bit_length() - 1
        j = table.get(i)
        if j is None:
            j = table[i] = compute(i)
        out |= 1 << j
        mask ^= low
    return out


class Canvas:
    """Signatures of bodies (see the module docstring), as tuples of ints:

    (moves, ex, ey, ed, drawn, pen, seq): the set of directed relative moves; the exit pose
    relative to the entry; per colour tag (0 = the pen at entry, else a pen code) the segments
    whose last drawing has that tag (draw tasks, else None); the pen at exit (0: unchanged); the
    cells entered in order (concat tasks, else None)."""

    def __init__(self, reach: int, draw: bool, concat: bool) -> None:
        self.m = reach
        self.w = 2 * reach + 1
        self.draw = draw
        self.empty = (0, 0, 0, 0, (0,) * 8 if draw else None, 0, () if concat else None)
        # bit index -> the bit index turned k quarter turns, filled lazily
        self._move_turns: list[dict[int, int]] = [{} for _ in range(4)]
        self._edge_turns: list[dict[int, int]] = [{} for _ in range(4)]

    def cell(self, x: int, y: int) -> int:
        return (y + self.m) * self.w + (x + self.m)

    def xy(self, c: int) -> tuple[int, int]:
        return c % self.w - self.m, c // self.w - self.m

    def edge(self, x: int, y: int, s: int) -> int:
        if s == 0:
            return self.cell(x, y - 1) * 2 + 1
        if s == 3:
            return self.cell(x - 1, y) * 2
        return self.cell(x, y) * 2 + (s == 2)

    def extend(self, a: tuple, code: int) -> tuple:
        """Signature of body a followed by one basic block (the hot path)."""
        if a[0] is None:
            return a
        moves, x, y, d, drawn, pen, seq = a
        if code == LT:
            return (moves, x, y, (d + 3) & 3, drawn, pen, seq)
        if code == RT:
            return (moves, x, y, (d + 1) & 3, drawn, pen, seq)
        if code >= SETPC0:
            return (moves, x, y, d, drawn, code - SETPC0, seq)
        step = d if code == FD else (d + 2) & 3
        moves |= 1 << (self.cell(x, y) * 4 + step)
        if drawn is not None:
            bit = 1 << self.edge(x, y, step)
            drawn = tuple(
                ((v & ~bit) | bit) if t == pen else (v & ~bit) for t, v in enumerate(drawn)
            )
        dx, dy = _DXY[step]
        x, y = x + dx, y + dy
        if seq is not None:
            seq = (*seq, self.cell(x, y))
            if len(seq) > SIG_CAP:
                return (None, object(), 0, 0, None, 0, None)
        return (moves, x, y, d, drawn, pen, seq)

    def concat(self, a: tuple, b: tuple, turned: tuple | None = None) -> tuple:
        """Signature of body a followed by body b (any body): b turned by a's exit heading,
        then moved to a's exit cell, which on the canvas is a shift of every bitset."""
        if a[0] is None or b[0] is None:
            return (None, object(), 0, 0, None, 0, None)  # unique: never equal to another
        ma, ax, ay, ad, da, pa, qa = a
        mb, pairs, every, seq_b, rx, ry = turned if turned is not None else self.turned(b, ad)
        off = ay * self.w + ax
        moves = ma | (mb << 4 * off if off >= 0 else mb >> -4 * off)
        drawn = da
        if pairs:
            sh = 2 * off
            if sh >= 0:
                out = [v & ~(every << sh) for v in da]
                for tag, v in pairs:
                    out[tag or pa] |= v << sh
            else:
                out = [v & ~(every >> -sh) for v in da]
                for tag, v in pairs:
                    out[tag or pa] |= v >> -sh
            drawn = tuple(out)
        seq = qa
        if seq_b:
            seq = (*qa, *(c + off for c in seq_b))
            if len(seq) > SIG_CAP:
                return (None, object(), 0, 0, None, 0, None)
        return (moves, ax + rx, ay + ry, (ad + b[3]) & 3, drawn, b[5] or pa, seq)

    def turned(self, b: tuple, k: int) -> tuple:
        """b's bitsets turned k quarter turns about the entry cell: (moves, the nonzero
        (colour tag, segments) pairs, their union, cells in order, exit x, exit y)."""
        mb, bx, by, _, db, _, qb = b
        moves = _permute(mb, self._move_turns[k], lambda i: self._turn_move(i, k))
        pairs: list[tuple[int, int]] = []
        every = 0
        if db is not None:
            etable = self._edge_turns[k]
            for tag, mask in enumerate(db):
                v = _permute(mask, etable, lambda e: self._turn_edge(e, k))
                if v:
                    pairs.append((tag, v))
                    every |= v
        seq = None
        if qb:
            seq = tuple(self.cell(*_rot(*self.xy(c), k)) for c in qb)
        rx, ry = _rot(bx, by, k)
        return (moves, tuple(pairs), every, seq, rx, ry)

    def _turn_move(self, i: int, k: int) -> int:
        x, y = _rot(*self.xy(i >> 2), k)
        return self.cell(x, y) * 4 + (((i & 3) + k) & 3)

    def _turn_edge(self, e: int, k: int) -> int:
        x, y = _rot(*self.xy(e >> 1), k)
        return self.edge(x, y, ((2 if e & 1 else 1) + k) & 3)

    def power(self, s: tuple, n: int) -> tuple:
        out = self.empty
        for _ in range(n):
            out = self.concat(out, s)
        return out


def period_limit(sig: tuple, max_times: int) -> int:
    """The largest repeat count worth trying for a body (the period lemma, see README).

    After P iterations the pose is back where it started (P = 1 for a body that ends where it
    began, 2 for a half turn, 4 for a quarter turn), so counts n and n+P give the same result
    for n > P: counts up to 2P cover every outcome. A body that moves without turning has no
    period; the grid stops it (max_times)."""
    if sig[0] is None:
        return max_times
    return period_bound(sig[1], sig[2], sig[3], max_times)


def period_bound(ex: int, ey: int, ed: int, max_times: int) -> int:
    """`period_limit` of a body whose exit pose, relative to its entry, is (ex, ey) heading ed."""
    if ed == 2:
        return 4
    if ed & 1:
        return 8
    return 2 if ex == 0 and ey == 0 else max_times


def within_period(blocks: tuple[Block, ...], max_times: int) -> bool:
    """Every repeat count in `blocks`, at any depth, is one the period lemma keeps (at most
    `period_limit` of its body). The enumerative engine builds no other count, so a search
    that lists shortest programs by other means (the Z3 engine's models) keeps to these too:
    each count past the bound has a same-size twin with a lower count that does the same."""
    return _relative_exit(blocks, max_times) is not None


def _relative_exit(blocks: tuple[Block, ...], max_times: int) -> tuple[int, int, int] | None:
    """The exit pose of `blocks` relative to their entry (as in signatures: north is 0), or
    None when some repeat count in them is past the period lemma's bound."""
    x = y = d = 0
    for block in blocks:
        if isinstance(block, Repeat):
            body = _relative_exit(block.body, max_times)
            if body is None or block.times > period_bound(*body, max_times):
                return None
            bx, by, bd = body
            for _ in range(block.times):
                rx, ry = _rot(bx, by, d)
                x, y, d = x + rx, y + ry, (d + bd) & 3
        elif block.type in ("lt", "rt"):
            d = (d + (3 if block.type == "lt" else 1)) & 3
        elif block.type in ("fd", "bk"):
            dx, dy = _DXY[d if block.type == "fd" else (d + 2) & 3]
            x, y = x + dx, y + dy
    return x, y, d


class MenuSet:
    """The menus of one search: one per pose, sharing interned bodies and their effects."""

    def __init__(
        self, space: Space, colourless: bool = False, max_twins: int | None = None
    ) -> None:
        self.space = space
        # With `max_twins` (a search for every shortest solution), the other derivations of a
        # kept body's key at its own size, (prefix body, last op): bodies that the signature rule
        # drops because an equal one is kept, yet are programs of the same size (`fd rt fd lt`
        # and `fd lt bk rt` make the same moves). `programs` expands them; the search never sees
        # them. Twins are a tenth of a body's size, but as many as the bodies: at most
        # `max_twins` are kept (the search gives its body budget), and `twins_dropped` says a
        # list may be short.
        self.twins: dict[object, list[tuple[Body, Op]]] | None = None if max_twins is None else {}
        self.twin_room = max_twins or 0
        self.twins_dropped = False
        # colourless: bodies hold no setpc (the probe's smaller language, see enumerative.py)
        self.body_codes = tuple(c for c in space.basic_codes if not (colourless and c >= SETPC0))
        b = space.bounds
        self.tracked = b.tracked
        self.exact_all = b.exact_all
        self.padding = b.padding
        self.allow_repeat = "repeat" in b.allowed
        self.menus: dict[int, Menu] = {}
        self.interned: dict[object, Body] = {}
        self.code_counts = {code: self._counts_of(type_of(code)) for code in space.basic_codes}
        self.repeat_counts = self._counts_of("repeat")
        world = space.task.world
        self.canvas = Canvas(max(world.rows, world.cols), space.draw, space.kind == "concat")
        self.bodies_built = 0
        self.tick: object = None  # called now and then while menus grow (the search's deadline)

    def _counts_of(self, t: str) -> tuple[int, ...]:
        return tuple(1 if x == t else 0 for x in self.tracked)

    def ast(self, ops: tuple[Op, ...]) -> tuple[Block, ...]:
        """The AST blocks of a body's ops (built only for the programs a search returns)."""
        return tuple(
            self.space.blocks[op] if isinstance(op, int) else Repeat(op[0], self.ast(op[1].ops))
            for op in ops
        )

    def programs(self, ops: tuple[Op, ...]) -> Iterator[tuple[Block, ...]]:
        """Every block sequence these ops stand for: each repeat's body in every form of its
        size that the signature rule merged into it (`twins`), the kept form first. Lazy: the
        product can be large, and a search wants `limit` of them."""
        if not ops:
            yield ()
            return
        for head in self.programs(ops[:-1]):
            for last in self._forms(ops[-1]):
                yield (*head, last)

    def _forms(self, op: Op) -> Iterator[Block]:
        if isinstance(op, int):
            yield self.space.blocks[op]
            return
        times, body = op
        for blocks in self._bodies(body):
            yield Repeat(times, blocks)

    def _bodies(self, body: Body) -> Iterator[tuple[Block, ...]]:
        """Every form of a body, each once: its own derivation, then its twins, each with every
        form of its prefix (a prefix has twins of its own: `repeat(2){fd} rt` is `fd fd rt`).

        Different derivations can spell the same blocks, and unchecked that repeats at every
        level of nesting: on an open 20x20 grid one program came out 300,000 times before the
        next, so a list of 20 took a minute. Each level passes on only forms it has not yet
        given."""
        if body.parent is None:  # the empty body, or one never merged (`unique`)
            yield from self.programs(body.ops)
            return
        forms = [(body.parent, body.ops[-1])]
        if self.twins is not None:
            key = self.key(body.sig, body.counts, body.size)
            forms += sorted(self.twins.get(key, ()), key=_twin_order)
        given: set[tuple[Block, ...]] = set()
        for prefix, op in forms:
            for head in self._bodies(prefix):
                for last in self._forms(op):
                    blocks = (*head, last)
                    if blocks not in given:
                        given.add(blocks)
                        yield blocks

    def menu(self, pose: int) -> Menu:
        m = self.menus.get(pose)
        if m is None:
            m = self.menus[pose] = Menu(self, pose)
        return m

    def key(self, sig: tuple, counts: tuple[int, ...], size: int) -> object:
        if self.exact_all:
            return (sig, counts, size)
        return (sig, counts) if counts else sig


class Menu:
    """Canonical bodies that survive their first iteration from `pose`, and their repeats."""

    def __init__(self, owner: MenuSet, pose: int) -> None:
        self.owner = owner
        self.pose = pose
        root = Body((), owner.canvas.empty, tuple(0 for _ in owner.tracked), 0, 2)
        root.memo[pose] = (pose, 0, (), 0, 0, 0, 0, 0)
        self.levels: list[list[Body]] = [[root]]
        self.seen: set[object] = {owner.key(root.sig, root.counts, 0)}
        self.reps: list[list[tuple[Effect, Body, int]]] = [[]]
        if owner.padding and owner.allow_repeat:
            # repeat(1){} does nothing but count as a block: only useful to meet a lower bound;
            # repeat(2){} does the same (counts 1..2P, P = 1), a program of its own for --all
            nothing = root.memo[pose]
            self.reps[0] = [(nothing, root, 1), (nothing, root, 2)]  # type: ignore[list-item]

    def repeats(self, size: int) -> list[tuple[Effect, Body, int]]:
        """Repeat blocks whose body has exactly `size` blocks: (effect from the pose, body,
        count)."""
        while len(self.reps) <= size:
            self._grow()
        return self.reps[size]

    def _grow(self) -> None:
        owner = self.owner
        space = owner.space
        s = len(self.levels)
        level: list[Body] = []
        seen = self.seen
        pose = self.pose
        tick = owner.tick
        twins = owner.twins is not None  # (the hot loop's test)
        # extend bodies of size s-1 by one basic block
        for n, node in enumerate(self.levels[s - 1]):
            if tick is not None and n & 255 == 0:
                tick()  # type: ignore[operator]
            e0 = node.memo[pose]
            x = e0[0]  # type: ignore[index]
            for code in owner.body_codes:
                e = space.compose(e0, space.basic_effects[code][x])
                if e is None:
                    continue
                counts = _add(node.counts, owner.code_counts[code])
                sig = owner.canvas.extend(node.sig, code)
                key = owner.key(sig, counts, s)
                if key in seen:
                    if twins:
                        self._twin(key, node, code, s)
                    continue
                seen.add(key)
                level.append(self._child(node, code, sig, counts, s, e, key))
        # extend bodies of size s-1-k by a repeat whose body has k blocks
        if owner.allow_repeat:
            work = 0
            for k in range(0 if owner.padding else 1, s):
                for node in self.levels[s - 1 - k]:
                    e0 = node.memo[pose]
                    x = e0[0]  # type: ignore[index]
                    reps = owner.menu(x).repeats(k)
                    for step, inner, times in reps:
                        work += 1
                        if tick is not None and work > 64:  # 0.2 ms each on a 64x64 grid
                            tick()  # type: ignore[operator]
                            work = 0
                        e = space.compose(e0, step)
                        if e is None:
                            continue
                        counts = _add(_add(node.counts, inner.counts), owner.repeat_counts)
                        sig = owner.canvas.concat(
                            node.sig,
                            inner.power(owner.canvas, times),
                            inner.turned_power(owner.canvas, times, node.sig[3] or 0),
                        )
                        key = owner.key(sig, counts, s)
                        if key in seen:
                            if twins:
                                self._twin(key, node, (times, inner), s)
                            continue
                        seen.add(key)
                        level.append(self._child(node, (times, inner), sig, counts, s, e, key))
        self.levels.append(level)
        self._make_repeats(s)

    def _child(
        self,
        node: Body,
        op: Op,
        sig: tuple,
        counts: tuple[int, ...],
        size: int,
        effect: Effect,
        key: object,
    ) -> Body:
        owner = self.owner
        owner.bodies_built += 1
        unique = sig[0] is None
        body = None if unique else owner.interned.get(key)
        if body is None:
            nmax = period_limit(sig, owner.space.max_times)
            body = Body((*node.ops, op), sig, counts, size, nmax)
            body.parent = node
            if not unique:
                owner.interned[key] = body
        elif owner.twins is not None:
            self._twin(key, node, op, size)  # another menu may have kept another form of it
        body.memo[self.pose] = effect
        return body

    def _twin(self, key: object, node: Body, op: Op, size: int) -> None:
        """Remember `node` + `op` as another form of the body kept for `key`, when it has the
        kept body's size (a larger one is no shortest solution's part)."""
        owner = self.owner
        if owner.twins is None:
            return
        body = owner.interned.get(key)
        if body is None or body.size != size or (body.parent is node and body.ops[-1] == op):
            return
        forms = owner.twins.setdefault(key, [])
        if (node, op) in forms:
            return  # the same form, met again from another pose
        if owner.twin_room <= 0:
            owner.twins_dropped = True
            return
        owner.twin_room -= 1
        forms.append((node, op))

    def _make_repeats(self, s: int) -> None:
        space = self.owner.space
        out: list[tuple[Effect, Body, int]] = []
        if self.owner.allow_repeat:
            low = 1 if self.owner.padding else 2
            tick = self.owner.tick
            for n, body in enumerate(self.levels[s]):
                if tick is not None and n & 255 == 0:
                    tick()  # type: ignore[operator]
                for n in range(low, body.nmax + 1):
                    e = body.repeat_effect(space, self.pose, n)
                    if e is None:
                        break
                    out.append((e, body, n))
        self.reps.append(out)


def _twin_order(twin: tuple[Body, Op]) -> tuple:
    """A fixed order for a body's other forms, whatever order the menus met them in: by the
    prefix's ops, then the last op (a basic block before a repeat)."""
    prefix, op = twin
    return (_ops_order(prefix.ops), _ops_order((op,)))


def _ops_order(ops: tuple[Op, ...]) -> tuple:
    return tuple(
        (0, op, ()) if isinstance(op, int) else (1, op[0], _ops_order(op[1].ops)) for op in ops
    )


def _add(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    if not a:
        return a
    return tuple(x + y for x, y in zip(a, b, strict=True))
