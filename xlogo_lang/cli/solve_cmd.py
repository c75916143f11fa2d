"""`xlogo solve TASK`: a shortest solution (or a proof that none exists), for one task or a set.

    xlogo solve TASK [--id ID] [--engine enum|z3|both] [--max-size N] [--all] [--limit K]
                     [--timeout S] [--max-bodies B] [--max-states M] [--json]
    xlogo solve DIR [--workers W] [...]   every task of a directory (any layout) or a .jsonl file
    xlogo solve TASK --repair PROGRAM     the solution nearest to PROGRAM (or --repair -e 'fd rt')

Exit status: 0 solved, 1 no solution / timeout / a failed search / nothing to repair to, 2 bad
input. The solver itself lives in `xlogo_lang.solver`; this module only parses arguments and
renders. Every piece of task-supplied text (ids, descriptions, reasons, paths) is escaped before
it meets rich markup: a task id such as "[/bold]" is data, not a style.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import counted
from ..printer import to_compact, to_text
from ..workers import check_workers
from .common import (
    add_task_args,
    console,
    kept_task_warnings,
    print_json,
    program_source,
    read_program,
    task_from_args,
    with_task_warnings,
)

if TYPE_CHECKING:
    from ..solver import Solution
    from ..solver.edits import Repair
    from ..tasks import Task

# The enumerative engine ends by itself (its repeat-body budget bounds its time and memory); the
# Z3 engine has no budget but time, and on the largest real tasks it runs for hours, so a solve
# that uses it stops after this many seconds per task unless --timeout says otherwise.
Z3_DEFAULT_TIMEOUT = 60.0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "solve",
        help="find a shortest solution, prove there is none, or repair a program",
        description="Find a shortest program solving a task (fewest blocks), or prove that none "
        "exists within the size bound. With a directory and no --id, solve every task.",
    )
    add_task_args(p)
    p.add_argument(
        "--engine",
        choices=("enum", "z3", "both"),
        default=None,  # None = not given (refused with --repair), then enum
        help="search engine (default: enum)",
    )
    p.add_argument(
        "--max-size",
        type=int,
        metavar="N",
        help="largest program to consider (default: the task's 'all' bound, else 20, or the "
        "size of a longer traced picture)",
    )
    p.add_argument(
        "--all",
        dest="all_solutions",
        action="store_true",
        help="list distinct shortest solutions (at most 10, or --limit K)",
    )
    p.add_argument(
        "--limit",
        type=int,
        metavar="K",
        help="list at most K distinct shortest solutions (implies --all)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        metavar="S",
        help="give up after S seconds per task (default: none with enum, whose repeat-body "
        f"budget bounds it; {Z3_DEFAULT_TIMEOUT:g} with z3 or both; inf: no limit)",
    )
    p.add_argument(
        "--max-bodies",
        type=int,
        metavar="B",
        help="enum: stop after building B repeat bodies, like a timeout (default 1,500,000, "
        "fewer on grids larger than 9x9: about 3 GB of memory)",
    )
    p.add_argument(
        "--max-states",
        type=int,
        metavar="M",
        help="enum: stop when keeping M states, like a timeout (default: about 2 GB of them, "
        "4 million without a picture)",
    )
    p.add_argument(
        "--workers",
        type=int,
        metavar="W",
        help="with a set of tasks: solve W at once, in worker processes (default 1; each may "
        "take one search's memory)",
    )
    p.add_argument(
        "--json", action="store_true", help="print JSON (one line per task for a directory)"
    )
    p.add_argument(
        "--repair",
        nargs="?",
        const="",
        metavar="PROGRAM",
        help="find the solution nearest to PROGRAM (a file, - for stdin, or give it with -e); "
        "takes --max-distance and --timeout, not the search options",
    )
    p.add_argument(
        "-e", "--expr", help="with --repair only: the program itself, e.g. --repair -e 'fd rt fd'"
    )
    p.add_argument("--max-distance", type=int, metavar="D", help="with --repair: at most D edits")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from ..errors import UsageError

    _check_options(args)
    if args.repair is not None:
        return _repair(args)
    args.engine = args.engine or "enum"
    if args.limit is not None:
        args.all_solutions = True  # a limit on the number of solutions asks for a list of them
    else:
        args.limit = 10
    src = Path(args.task)
    if args.task_id is None and (src.is_dir() or src.suffix == ".jsonl"):
        return _solve_dir(args)  # a file of task records is a set of tasks, as a folder is
    if args.workers is not None:
        raise UsageError("--workers is for a set of tasks (a directory or a .jsonl file)")
    return _solve_one(args)


def _check_options(args: argparse.Namespace) -> None:
    """Refuse options the chosen mode would ignore, and out-of-range numbers, naming the option.

    An option that does nothing is a usage error, not something done (or not done) behind the
    user's back: -e and --max-distance belong to --repair, and the search options to a solve.
    The ranges are checked here, not left to the library, whose messages name its parameters
    (`max_size`), not the options a user typed."""
    from ..errors import UsageError

    if args.repair is None:
        for flag, value in (("-e", args.expr), ("--max-distance", args.max_distance)):
            if value is not None:
                raise UsageError(f"{flag} is for --repair: xlogo solve TASK --repair -e 'fd rt'")
    else:
        solve_only = {
            "--engine": args.engine is not None,
            "--max-size": args.max_size is not None,
            "--all": args.all_solutions,
            "--limit": args.limit is not None,
            "--max-bodies": args.max_bodies is not None,
            "--max-states": args.max_states is not None,
            "--workers": args.workers is not None,
        }
        if given := [flag for flag, on in solve_only.items() if on]:
            verb = "does" if len(given) == 1 else "do"
            raise UsageError(
                f"{', '.join(given)} {verb} not apply to --repair "
                "(a repair takes -e, --max-distance, --timeout, --id and --json)"
            )
    for flag, value, least in (
        ("--max-size", args.max_size, 0),
        ("--limit", args.limit, 1),
        ("--max-bodies", args.max_bodies, 1),
        ("--max-states", args.max_states, 1),
        ("--max-distance", args.max_distance, 0),
    ):
        if value is not None and value < least:
            raise UsageError(f"{flag} must be at least {least} (got {value})")
    if args.workers is not None:
        check_workers(args.workers, "--workers")
    if args.timeout is not None and not args.timeout >= 0:  # NaN fails every comparison
        raise UsageError(
            f"--timeout must be a number of seconds, 0 or more, or inf (got {args.timeout:g})"
        )


# -- one task ----------------------------------------------------------------------------------


def _solve_one(args: argparse.Namespace) -> int:
    from rich.markup import escape

    from ..verdict import run

    task = task_from_args(args)
    err = console(stderr=True)
    if args.json or not err.is_terminal:
        sol = _solve_with(task, args)
    else:  # a person is waiting: say which size is being refuted, and how long it has taken
        tid = escape(task.id)
        with err.status(f"solving task {tid}") as status:

            def show(p: dict[str, Any]) -> None:
                if p.get("phase") == "probe":
                    status.update(
                        f"solving task {tid} ({p['engine']}): looking for a first solution, "
                        f"{p['time_s']} s"
                    )
                    return
                more = f", {p['bodies']:,} repeat bodies" if "bodies" in p else ""
                if "nestings" in p:
                    more = f", nesting {p['nesting']:,} of {p['nestings']:,}"
                status.update(
                    f"solving task {tid} ({p['engine']}): no solution of fewer than "
                    f"{counted(p['level'], 'block')}{more}, {p['time_s']} s"
                )

            sol = _solve_with(task, args, show)
    ref = _reference(task)
    if args.json:
        print_json(with_task_warnings(args, sol.to_dict() | _reference_fields(ref)))
        return 0 if sol.solved else 1
    con = console()
    if sol.program is None:
        con.print(f"[bold]task {escape(task.id)}[/]: {escape(task.description)}")
    else:
        from ..view import GridView

        verdict = run(task, sol.program)
        con.print(GridView(task, verdict.execution))
        progs = sol.programs if args.all_solutions else [sol.program]
        for i, prog in enumerate(progs, 1):
            if len(progs) > 1:
                con.print(f"[bold]solution {i}[/] ({counted(len(prog), 'block')})")
            con.print(
                to_text(prog).rstrip("\n") or "(the empty program)", markup=False, highlight=False
            )
        mark = "[green]✓ solved[/]" if verdict.solved else f"[red]✗ {escape(verdict.reason)}[/]"
        con.print(mark)
    colour = (
        "green"
        if sol.solved and sol.proved_minimal
        else "yellow"
        if sol.status != "no_solution"
        else "red"
    )
    reason = _reason(sol.stats)
    con.print(f"[{colour}]{escape(sol.message)}[/]" + (f": {escape(reason)}" if reason else ""))
    con.print(f"[dim]{_stats_line(sol.stats)}[/]")
    if ref is not None:
        size = counted(ref.size, "block")
        con.print(
            f"the task's own solution ({size}) solves it"
            if ref.solved
            else f"[red]the task's own solution ({size}) does not solve it: {escape(ref.reason)}[/]"
        )
    return 0 if sol.solved else 1


class Reference(NamedTuple):
    """A task's own solution as `solve` reports it: a task file's `solution` is parsed, not
    run, when the task loads, so a slip in it (or in the task) shows here, and a solution that
    fails is no size to be shorter than."""

    size: int
    solved: bool
    reason: str


def _reference(task: Task) -> Reference | None:
    from ..verdict import run

    if task.solution is None:
        return None
    verdict = run(task, task.solution)
    return Reference(len(task.solution), verdict.solved, verdict.reason)


def _reference_fields(ref: Reference | None) -> dict[str, Any]:
    """The JSON keys of a task's own solution, null without one."""
    return {
        "reference_size": ref.size if ref else None,
        "reference_solved": ref.solved if ref else None,
    }


def _reason(stats: dict[str, Any]) -> str | None:
    """Why there is no solution, when the search knows (`stats.reason`: items outside the
    catalogue, a goal no run reaches, ...). With `--engine both` it is in an engine's stats."""
    for part in (stats, stats.get("enum"), stats.get("z3")):
        if isinstance(part, dict) and part.get("reason"):
            return str(part["reason"])
    return None


def _stats_line(stats: dict[str, Any]) -> str:
    if "enum" in stats:
        e, z = stats["enum"], stats["z3"]
        ratio = f", z3/enum {z['time_s'] / e['time_s']:.1f}x" if e.get("time_s") else ""
        agree = {
            True: "engines agree",
            False: "ENGINES DISAGREE",
            None: "agreement unknown (timeout)",
        }[stats["agree"]]
        if stats.get("joint_proof"):
            agree = "both stopped; what each refuted proves it together"
        if stats["agree"] is None and not z.get("solver_calls"):
            # enum used the whole budget: z3 stopped before its first check
            return f"enum {e.get('time_s')} s, z3 not run (no time left); {agree}"
        return f"enum {e.get('time_s')} s, z3 {z.get('time_s')} s{ratio}; {agree}"
    parts = [
        f"{stats.get('candidates', 0):,} candidates",
        f"{stats.get('states', 0):,} states kept",
    ]
    if "bodies" in stats:
        parts.append(f"{stats['bodies']:,} repeat bodies")
    if "solver_calls" in stats:
        parts.append(f"{stats['solver_calls']} z3 calls")
    parts.append(f"{stats.get('time_s', 0)} s")
    return ", ".join(parts)


# -- a directory -------------------------------------------------------------------------------


# id, the Solution or the TaskError of a task not loaded, the task's own solution
Row = tuple[str, Any, Reference | None]


def _solve_dir(args: argparse.Namespace) -> int:
    """Every task of a directory: one JSON line each with --json, else a table and a summary;
    a broken task is reported and skipped (exit status 2), the others are still worth solving."""
    from rich.markup import escape

    from ..errors import TaskError
    from ..solver.batch import WorkerDied
    from ..tasks import task_ids

    con = console(stderr=args.json)
    rows: list[Row] = []
    total = len(task_ids(args.task))  # the ids only, for the progress bar: no task is built
    try:
        _solve_each(args, con, total, rows)
    except (WorkerDied, TaskError, KeyboardInterrupt):
        # the answers so far are worth their table (JSON lines are printed as they come): a
        # Ctrl-C after minutes of z3 searches must not throw them away with the progress bar,
        # nor a folder that breaks while it is read (a shard of records gone unreadable)
        if not args.json and rows:
            con.print(_dir_table(args, rows))
            con.print(_dir_summary(rows, total=total))
        raise
    broken = [sol for _, sol, _ in rows if isinstance(sol, TaskError)]
    all_ok = all(sol.solved for _, sol, _ in rows if not isinstance(sol, TaskError))
    status = 2 if broken else (0 if all_ok else 1)  # a failed search is not solved: 1
    if args.json:
        return status
    con.print(_dir_table(args, rows))
    con.print(_dir_summary(rows))
    err = console(stderr=True)  # errors where a script looks for them; the table is the output
    for exc in broken:
        err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
    for tid, sol, _ in rows:
        if not isinstance(sol, TaskError) and sol.status == "failed":
            err.print(f"[red]error:[/] task {escape(tid)}: {escape(sol.message)}", highlight=False)
    return status


def _solve_each(args: argparse.Namespace, con: Any, total: int, rows: list[Row]) -> None:
    """Solve the tasks in order under a progress bar into `rows`, printing each JSON line as it
    comes (a failure part way leaves the rows so far).

    Each task is loaded as the solver reaches it (`solve_each` reads a generator), so the
    first row comes after one task's load, not the whole set's (20,000 task records took 8 s
    to load), and a broken task is a row in its place (its TaskError, naming the file), given
    as soon as the rows before it are. With --workers the solver reads ahead of the answers, so
    the rows wait in `pending`, in order, until every row before theirs is given. The workers
    start before the progress bar's thread."""
    from collections import deque

    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..errors import TaskError
    from ..solver import solve_each
    from ..tasks import iter_task_loads

    pending: deque[tuple[str, Task | TaskError]] = deque()  # read; their rows not yet given
    # made here, started (its refresh thread) after the workers: rows may come before
    bar = Progress(
        TextColumn("[bold]solving"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[current]}"),
        TimeElapsedColumn(),
        console=con,
        transient=True,
        disable=args.json and not con.is_terminal,
    )
    job = bar.add_task("solve", total=total or None, current="")

    def give(tid: str, sol: Any, ref: Reference | None) -> None:
        if args.json and isinstance(sol, TaskError):
            # where the error is, for a script: a record's id may be its `line N`
            where = {"file": sol.file, "line": sol.line}
            print_json({"task_id": tid, "status": "error", "error": str(sol), **where})
        elif args.json:
            out = sol.to_dict() | _reference_fields(ref)
            print_json({**out, "warnings": warned[tid]} if warned.get(tid) else out)
        rows.append((tid, sol, ref))
        bar.advance(job)

    def flush() -> None:
        """Give the broken tasks' rows at the head of `pending`, and show the task awaited."""
        while pending and isinstance(pending[0][1], TaskError):
            tid, exc = pending.popleft()
            give(tid, exc, None)
        if pending:
            bar.update(job, current=f"task {escape(pending[0][0])}")

    warned: dict[str, list[str]] = {}  # a task's warnings, for its JSON line

    def tasks() -> Iterator[Task]:
        loads = iter_task_loads(args.task)
        while True:
            with kept_task_warnings() as kept:
                loaded = next(loads, None)
            if loaded is None:
                break
            tid, task = loaded
            warned[tid] = kept
            pending.append((tid, task))
            flush()
            if not isinstance(task, TaskError):
                yield task

    sols = solve_each(tasks(), workers=args.workers or 1, **_solve_options(args))
    with sols, bar:
        for sol in sols:
            _, task = pending.popleft()  # the task of this answer: the rows before it are given
            assert not isinstance(task, TaskError)
            give(task.id, sol, _reference(task))
            flush()
        flush()  # the broken tasks after the last one solved (read when the source ended)


def _dir_table(args: argparse.Namespace, rows: list[Row]) -> Any:
    """id, shortest size (cyan when below the reference's), reference size (red, with a
    cross, when that solution fails), time per engine, proved, program. Ids and figures never
    wrap or get cut (they are what a reader looks up); the program folds."""
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    from ..errors import TaskError

    table = Table(
        title=f"xlogo solve {escape(args.task)} (engine {args.engine})", header_style="bold"
    )
    engines = ("enum", "z3") if args.engine == "both" else (args.engine,)
    table.add_column("id", no_wrap=True)
    for col in ("shortest", "reference", *(f"{e} s" for e in engines), "proved"):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("program", overflow="fold", ratio=1)
    for tid, sol, ref in rows:
        if isinstance(sol, TaskError):
            table.add_row(
                Text(tid), "[red]error[/]", "-", *("-" for _ in engines), "✗", "not loaded (below)"
            )
            continue
        own = {"enum": sol.engine == "enum", "z3": sol.engine == "z3"}
        times = {
            e: sol.stats.get(f"{e}_time_s", sol.stats.get("time_s") if own[e] else None)
            for e in engines
        }
        size = (
            str(sol.size)
            if sol.size is not None
            else {"no_solution": "none", "failed": "[red]failed[/]"}.get(sol.status, "?")
        )
        if _shorter(sol, ref):
            size = f"[cyan]{size}[/]"
        table.add_row(
            Text(tid),
            size,
            "-" if ref is None else str(ref.size) if ref.solved else f"[red]{ref.size} ✗[/]",
            *(_time_cell(sol, e, times[e]) for e in engines),
            "✓" if sol.proved_minimal else "✗",
            Text(to_compact(sol.program) if sol.program is not None else sol.message),
        )
    return table


def _dir_summary(rows: list[Row], total: int | None = None) -> str:
    """How the tasks ended, the tasks shorter than their reference, and the tasks not loaded;
    with `total`, of how many tasks (a run stopped part way answered only `rows`)."""
    from rich.markup import escape

    from ..errors import TaskError

    sols = [(tid, sol, ref) for tid, sol, ref in rows if not isinstance(sol, TaskError)]
    broken = len(rows) - len(sols)
    shorter = [tid for tid, sol, ref in sols if _shorter(sol, ref)]
    failing = [tid for tid, _, ref in sols if ref is not None and not ref.solved]
    # Task files may carry no reference solution (the asset layout does): "none shorter" would
    # be a claim about a comparison never made.
    compared = any(ref is not None for _, _, ref in sols)
    return (
        _summary([sol for _, sol, _ in sols], len(rows) if total is None else total)
        + "; "
        + (
            f"shorter than the reference: {escape(', '.join(shorter)) or 'none'}"
            if compared
            else "no reference solutions to compare with"
        )
        + (
            f"; [red]the reference does not solve: {escape(', '.join(failing))}[/]"
            if failing
            else ""
        )
        + (f"; [red]{broken} task(s) could not be loaded[/]" if broken else "")
        + (f"; {total - len(rows)} not reached" if total is not None and total > len(rows) else "")
    )


def _shorter(sol: Solution, ref: Reference | None) -> bool:
    """Is the solver's solution shorter than the task's own, one that solves the task?"""
    return ref is not None and ref.solved and sol.size is not None and sol.size < ref.size


def _summary(sols: list[Solution], total: int) -> str:
    """How the tasks of a directory ended, each counted once.

    A no-solution result carries `proved_minimal` (a proof, of the other kind), so counting
    that flag alone called every unsolvable task "proved minimal": the proofs of minimality
    are counted among the solved tasks only."""
    solved = [s for s in sols if s.solved]
    proved = sum(1 for s in solved if s.proved_minimal)
    none = sum(1 for s in sols if s.status == "no_solution")
    stopped = sum(1 for s in sols if s.status == "timeout")
    failed = [s.task_id for s in sols if s.status == "failed"]
    parts = [f"{len(solved)}/{total} solved ({proved} proved minimal)"]
    if none:
        parts.append(f"{none} with no solution within the size bound")
    if stopped:
        parts.append(f"{stopped} stopped before an answer (time or budget)")
    if failed:
        from rich.markup import escape

        parts.append(
            f"[red]{len(failed)} failed (a worker died under its search twice): "
            f"{escape(', '.join(failed))}[/]"
        )
    return ", ".join(parts)


# -- repair ------------------------------------------------------------------------------------


def _repair(args: argparse.Namespace) -> int:
    from ..errors import ProgramError, UsageError
    from ..solver import repair

    task = task_from_args(args)
    if args.expr is None and not args.repair:
        raise UsageError("--repair needs a program: a file, - for stdin, or -e 'fd rt fd'")
    # a file and -e together are refused there (as by `xlogo run`), not one of them dropped
    args.program = args.repair or None
    text, name = program_source(args, usage="xlogo solve TASK --repair PROGRAM")
    prog = read_program(text, name)
    try:
        rep = repair(task, prog, max_distance=args.max_distance, timeout=args.timeout)
    except ProgramError as exc:
        exc.file = exc.file or name
        raise
    if args.json:
        print_json(with_task_warnings(args, rep.to_dict()))
        return 0 if rep.program is not None else 1
    con = console()
    if rep.program is None:
        con.print(_no_repair(rep, args))
        return 1
    if rep.distance == 0:
        con.print("[green]the program already solves the task[/]")
        return 0
    proof = "nearest"
    if not rep.proved:  # what is known instead: how near no solution is, and why it stopped
        known = []
        if (bound := rep.stats.get("lower_bound", 0)) > 1:
            known.append(f"no solution within {counted(bound - 1, 'edit')}")
        if rep.stats.get("timeout"):
            known.append(_timed_out(rep, args))
        proof = "not proved nearest" + (f": {'; '.join(known)}" if known else "")
    con.print(f"[bold]{counted(len(rep.edits), 'edit')}[/] ({proof}):")
    for e in rep.edits:
        con.print(f"  • {e.text}", markup=False, highlight=False)
    con.print("[bold]repaired program[/]:")
    con.print(
        to_text(rep.program).rstrip("\n") or "(the empty program)", markup=False, highlight=False
    )
    con.print(
        f"[dim]{rep.stats.get('candidates', 0):,} candidates, {rep.stats.get('time_s', 0)} s[/]"
    )
    return 0


def _no_repair(rep: Repair, args: argparse.Namespace) -> str:
    """Why a repair returned no program, as far as `Repair` tells: it ran out of time (not a
    proof of anything), every solution is beyond --max-distance, no program solves the task at
    all, or the layers it searched held none."""
    checked = f"{rep.stats.get('candidates', 0):,} candidates checked"
    if rep.stats.get("timeout"):
        return f"[yellow]no repair found: {_timed_out(rep, args)}[/] ({checked})"
    if args.max_distance is not None:  # every layer up to it was searched: no time ran out
        return f"[red]no solution within {counted(args.max_distance, 'edit')}[/] ({checked})"
    if rep.proved:  # without a distance limit, a proof of no repair is a proof of no solution
        from rich.markup import escape

        why = f": {escape(rep.stats['reason'])}" if rep.stats.get("reason") else ""
        return f"[red]no program solves the task{why}[/] ({checked})"
    return f"[red]no solution within reach[/] ({checked})"


def _timed_out(rep: Repair, args: argparse.Namespace) -> str:
    """How long the repair ran and under which limit: a timeout is no proof of anything, and
    the reader's next step is a larger --timeout."""
    from ..solver.edits import DEFAULT_TIMEOUT

    if args.timeout is None:
        limit = f"the default limit of {DEFAULT_TIMEOUT:g} s (--timeout S to change it)"
    else:
        limit = f"the limit set by --timeout {args.timeout:g}"
    return f"timed out after {rep.stats.get('time_s', 0)} s, {limit}"


def solve_timeout(engine: str, timeout: float | None) -> float | None:
    """The time limit of a solve: the one given, else `Z3_DEFAULT_TIMEOUT` when z3 takes part;
    inf means none (the library's rule, `check_timeout`)."""
    from ..solver import check_timeout

    if timeout is None and engine != "enum":
        timeout = Z3_DEFAULT_TIMEOUT
    return check_timeout(timeout)


def _solve_with(task: Any, args: argparse.Namespace, progress: Any = None) -> Solution:
    from ..solver import solve

    return solve(task, **_solve_options(args), progress=progress)


def _solve_options(args: argparse.Namespace) -> dict[str, Any]:
    """The search options, as `solve` and `solve_each` take them."""
    return {
        "engine": args.engine,
        "max_size": args.max_size,
        "timeout": solve_timeout(args.engine, args.timeout),
        "all_solutions": args.all_solutions,
        "limit": args.limit,
        "max_bodies": args.max_bodies,
        "max_states": args.max_states,
    }


def _time_cell(sol: Solution, engine: str, seconds: float | None) -> str:
    """An engine's time; `>t` when it stopped at its time limit without a proof."""
    if seconds is None:
        return "-"
    status = sol.stats.get(f"{engine}_status", sol.status)
    return f">{seconds:.3f}" if status == "timeout" else f"{seconds:.3f}"
