"""Core throughput: verdicts per second over the oracle corpus and every reference solution.

    python benchmarks/bench_core.py            # best of 5 rounds
    python benchmarks/bench_core.py --quick    # one round, baseline on a sample

Two workloads, single process, over all 2,734 oracle cases plus every reference solution:
(a) from parsed programs: `run(task, program)` only; (b) from program text: `run(task, text)`,
which parses first. The targets from the issue are 20,000 verdicts/s for (a) and 5,000 for (b).

The baseline is measured in the same run: a naive, straightforward interpreter written below
(a recursive AST walk that re-derives everything per call: grid size from the tile list, the tile
under the turtle by scanning the tiles, spec matches by scanning the items for every trace
cell), fed for (b) by the Lark grammar alone. It must agree with xlogo on every verdict, which is
checked before anything is timed. The reference executor's figure (about 95 verdicts/s, z3 per
check) is quoted from the issue and is not measured here.

The benchmark needs the real data (../shared/xlogomini, or XLOGO_SHARED, or --data).
It never writes anything.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout, installed or not
    sys.path.insert(0, str(ROOT))

from shared_data import SHARED  # noqa: E402

from xlogo_lang import Program, Task, load_tasks, parse, run  # noqa: E402
from xlogo_lang.ast import Command, Repeat, SetPenColor  # noqa: E402
from xlogo_lang.parser import _lark  # noqa: E402
from xlogo_lang.printer import to_text  # noqa: E402

REFERENCE_VERDICTS_PER_SECOND = 95  # quoted from the issue; NOT measured here
TARGET_PARSED, TARGET_TEXT = 20_000, 5_000
DEFAULT_DATA = SHARED


# -- the naive baseline ----------------------------------------------------------------------------

MAX_CALLS = 100_000
SIDES = ("top", "right", "bottom", "left")
STEP = ((0, -1), (1, 0), (0, 1), (-1, 0))


class _Stop(Exception):
    """Raised by the naive walk when the world has crashed."""


class NaiveRun:
    """The reference semantics read literally, with no precomputation at all."""

    def __init__(self, task: Task) -> None:
        self.world = task.world
        t = task.world.turtle
        self.x, self.y, self.d, self.pen, self.calls = t.x, t.y, t.direction, "black", 0
        self.trace = [(t.x, t.y)]
        self.drawn: dict[frozenset[tuple[int, int]], str] = {}
        self.crash: tuple[str, tuple[int, int] | None] | None = None

    def tile(self, x: int, y: int) -> Any:
        for tile in self.world.tiles:
            if tile.x == x and tile.y == y:
                return tile
        return None

    def walk(self, blocks: tuple[Any, ...]) -> None:
        for block in blocks:
            if isinstance(block, Repeat):
                for _ in range(block.times):
                    self.walk(block.body)
                continue
            if isinstance(block, Command) and block.kind in ("fd", "bk"):
                self.move(self.d if block.kind == "fd" else (self.d + 2) % 4)
            elif isinstance(block, Command):
                self.d = (self.d + (1 if block.kind == "rt" else 3)) % 4
            elif isinstance(block, SetPenColor):
                self.pen = block.color
            self.calls += 1
            if self.calls > MAX_CALLS:
                self.crash = ("EXCEED_MAX_CALLS", None)
            if self.crash is not None:
                raise _Stop

    def move(self, step: int) -> None:
        x, y = self.x, self.y
        dx, dy = STEP[step]
        nx, ny = x + dx, y + dy
        rows = 1 + max(t.y for t in self.world.tiles)
        cols = 1 + max(t.x for t in self.world.tiles)
        if SIDES[step] in self.tile(x, y).walls:
            self.crash = ("WALL", (x, y))
        elif not (0 <= nx < cols and 0 <= ny < rows):
            self.crash = ("OUT_OF_WORLD", (nx, ny))
        elif not self.tile(nx, ny).allowed:
            self.crash = ("FORBIDDEN_AREA", (nx, ny))
        elif not self.tile(nx, ny).exist:
            self.crash = ("GRID_NOT_EXIST", (nx, ny))
        self.x, self.y = nx, ny
        if self.crash is None:
            self.drawn[frozenset({(x, y), (nx, ny)})] = self.pen
            self.trace.append((nx, ny))


def naive_item(world: Any, x: int, y: int) -> Any:
    for index, item in world.items.items():
        if index == y * world.cols + x:
            return item
    return None


def naive_matches(world: Any, spec: Any, cell: tuple[int, int]) -> bool:
    item = naive_item(world, *cell)
    for clause in spec:
        ok = False
        for lit in clause:
            if lit.value in ("noname", "nocolor"):
                holds = item is None
            else:
                holds = item is not None and getattr(item, lit.kind) == lit.value
            ok = ok or holds != lit.neg
        if not ok:
            return False
    return True


def naive_goal(task: Task, trace: list[tuple[int, int]], drawn: dict[Any, str]) -> bool:
    world, objectives = task.world, task.goal.objectives
    if any(o.name == "draw" for o in objectives):
        picture = {}
        for line in world.lines:
            for a, b in line.unit_segments():
                picture[frozenset({a, b})] = line.color
        return drawn == picture
    if not objectives:
        return True
    if not all(item.in_catalogue for item in world.items.values()):
        return False
    names = list(dict.fromkeys(o.name for o in objectives))
    target, forbids = None, []
    for o in (o for name in names for o in objectives if o.name == name):
        if o.name == "forbid":
            forbids.append(lambda c, s=o.specs[0]: naive_matches(world, s, c))
        elif o.name == "findonly":
            target = o
            with_noname = tuple((*cl, type(cl[0])("name", "noname")) for cl in o.specs[0])
            forbids = [lambda c, s=with_noname: not naive_matches(world, s, c)]
        else:
            target = o
    if any(f(c) for f in forbids for c in trace):
        return False
    if target is None:
        return True
    specs = target.specs
    if target.name in ("find", "findonly"):
        return any(naive_matches(world, specs[0], c) for c in trace)
    if target.name == "collectall":
        cells = [(x, y) for y in range(world.rows) for x in range(world.cols)]
        hits = [c for c in cells if naive_matches(world, specs[0], c)]
        return bool(hits) and all(c in trace for c in hits)
    if target.name == "sum":
        hits = [c for c in dict.fromkeys(trace) if naive_matches(world, specs[0], c)]
        return sum(naive_item(world, *c).count or 0 for c in hits) == target.total
    # concat: each spec at exactly one trace position, and the pairwise order rules
    hits = [[p for p, c in enumerate(trace) if naive_matches(world, s, c)] for s in specs]
    if any(len(h) != 1 for h in hits):
        return False
    for j in range(len(specs) - 1):
        for p in range(1, len(trace)):
            if p in hits[j + 1] and not any(q < p for q in hits[j]):
                return False
            if p in hits[j] and any(q < p for q in hits[j + 1]):
                return False
    return True


def naive_counts(blocks: tuple[Any, ...], counts: dict[str, int]) -> dict[str, int]:
    for block in blocks:
        counts[block.type] = counts.get(block.type, 0) + 1
        counts["all"] = counts.get("all", 0) + 1
        if isinstance(block, Repeat):
            naive_counts(block.body, counts)
    return counts


def naive_constraints(task: Task, prog: Program) -> bool:
    c = task.constraints
    counts = naive_counts(prog.body, {"all": 0})
    for key, n in counts.items():
        if key == "all":
            continue
        hi = c.exactly.get(key, c.at_most.get(key, float("inf")))
        if n > hi or n < c.exactly.get(key, 0):
            return False
    total, most = counts["all"], c.exactly.get("all", c.at_most.get("all", float("inf")))
    if total > most or total < c.exactly.get("all", 0):
        return False
    return all(i < len(prog.body) and prog.body[i].type == t for i, t in enumerate(c.start_by))


def naive_verdict(task: Task, prog: Program) -> dict[str, Any]:
    state = NaiveRun(task)
    with contextlib.suppress(_Stop):
        state.walk(prog.body)
    if state.crash is not None:
        kind, pos = state.crash
        return {"crashed": True, "crash_type": kind, "crash_pos": list(pos) if pos else None,
                "goal_ok": None, "cons_ok": None}  # fmt: skip
    return {
        "crashed": False,
        "crash_type": None,
        "crash_pos": None,
        "goal_ok": naive_goal(task, state.trace, state.drawn),
        "cons_ok": naive_constraints(task, prog),
    }


# -- measuring -------------------------------------------------------------------------------------


def workload(data: Path) -> list[tuple[Task, str]]:
    """(task, program text) for every oracle case and every reference solution."""
    tasks = {t.id: t for t in load_tasks(data / "tasks")}
    pairs = []
    with (data / "oracle_cases.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                case = json.loads(line)
                pairs.append((tasks[case["task_id"]], case["program"]))
    for t in load_tasks(data / "assets"):
        if t.solution is not None:
            pairs.append((t, to_text(t.solution)))
    return pairs


def rate(items: list[Any], once: Callable[[list[Any]], None], rounds: int) -> float:
    """Verdicts per second: the best of `rounds` passes over `items`."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        once(items)
        best = min(best, time.perf_counter() - start)
    return len(items) / best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="one round, baseline on every 4th case")
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the benchmark data directory")
    args = ap.parse_args(argv)
    if not (args.data / "oracle_cases.jsonl").exists():
        print(f"bench_core: benchmark data not found at {args.data} (use --data)", file=sys.stderr)
        return 2

    from rich.console import Console
    from rich.table import Table

    rounds = 1 if args.quick else 5
    pairs = workload(args.data)
    parsed = [(task, parse(text)) for task, text in pairs]
    for task, _ in pairs:
        task.compiled_goal  # noqa: B018 - per-task setup, done once by any real caller too
    sample = parsed[::4] if args.quick else parsed
    text_sample = pairs[::4] if args.quick else pairs

    disagree = [t.id for t, p in sample if naive_verdict(t, p) != run(t, p).reference_dict()]
    if disagree:
        print(f"bench_core: the baseline disagrees on {len(disagree)} verdicts", file=sys.stderr)
        return 1

    def xlogo_parsed(items: list[tuple[Task, Program]]) -> None:
        for task, prog in items:
            run(task, prog)

    def xlogo_text(items: list[tuple[Task, str]]) -> None:
        for task, text in items:
            run(task, text)

    def naive_parsed(items: list[tuple[Task, Program]]) -> None:
        for task, prog in items:
            naive_verdict(task, prog)

    def naive_text(items: list[tuple[Task, str]]) -> None:
        lark = _lark()
        for task, text in items:
            naive_verdict(task, lark.parse(text))

    rows = [
        ("(a) parsed: run", len(parsed), rate(parsed, xlogo_parsed, rounds),
         rate(sample, naive_parsed, max(1, rounds // 2)), TARGET_PARSED),
        ("(b) text: parse + run", len(pairs), rate(pairs, xlogo_text, rounds),
         rate(text_sample, naive_text, max(1, rounds // 2)), TARGET_TEXT),
    ]  # fmt: skip

    table = Table(title="xlogo core throughput, verdicts per second (single process)")
    table.add_column("workload", no_wrap=True)
    table.add_column("verdicts", justify="right")
    table.add_column("xlogo/s", justify="right")
    table.add_column("naive/s", justify="right")
    table.add_column("ratio", justify="right")
    table.add_column("target", justify="right")
    table.add_column("met")
    ok = True
    for name, n, fast, naive, target in rows:
        meets = fast >= target
        ok &= meets
        table.add_row(
            name, f"{n:,}", f"{fast:,.0f}", f"{naive:,.0f}", f"{fast / naive:,.1f}×", f"{target:,}",
            "[green]yes[/]" if meets else "[red]NO[/]",
        )  # fmt: skip
    con = Console()
    con.print(table)
    con.print(
        f"Baseline: naive interpreter defined in this file, agreeing with xlogo on all "
        f"{len(sample):,} verdicts it ran{' (every 4th, --quick)' if args.quick else ''}; "
        f"best of {rounds} round(s) for xlogo, {max(1, rounds // 2)} for the baseline."
    )
    con.print(
        f"Reference executor (z3): ~{REFERENCE_VERDICTS_PER_SECOND} verdicts/s, quoted from the "
        f"issue, NOT measured here; (a) is {rows[0][2] / REFERENCE_VERDICTS_PER_SECOND:,.0f}× that."
    )
    con.print(f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
