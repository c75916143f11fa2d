"""`xlogo gen`: generate solver-verified synthetic tasks into sharded JSONL; `xlogo gen stats DIR`.

    xlogo gen --n 80000 --out data/train --workers 2
    xlogo gen --n 80000 --out data/train --shard 3/16          # one of 16 independent jobs
    xlogo gen --eval 1000 --out data/eval --exclude data/train # held out, disjoint by hash
    xlogo gen --n 5000 --out data/like --like ../shared/xlogomini/assets
    xlogo gen stats data/train
    xlogo gen export data/eval --out data/eval-tasks          # one <id>.json per task

Exit status: 0 when every task of this process's share was made, 1 when some slots gave up;
`gen stats` exits 1 when a shard is damaged (a rerun of `xlogo gen` makes it again).
"""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import UsageError
from ..workers import check_workers
from .common import console, print_json, unfinished_warnings


def _csv(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(",") if p.strip())


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "gen",
        help="generate solver-verified synthetic tasks (sharded JSONL); `gen stats|export DIR`",
        description="Generate solver-verified synthetic tasks; `xlogo gen stats DIR` prints a "
        "folder's distribution; `xlogo gen export DIR --out FOLDER` writes its tasks as files.",
    )
    p.add_argument(
        "action",
        nargs="*",
        metavar="stats DIR | export DIR",
        help="print the distribution of DIR, or export its tasks as task files (with --out)",
    )
    p.add_argument("--n", type=int, help="number of training tasks to generate")
    p.add_argument("--eval", type=int, metavar="N", help="make N held-out evaluation tasks instead")
    p.add_argument("-o", "--out", help="output folder (resumable: finished shards are skipped)")
    p.add_argument("--seed", type=int, default=0, help="run seed (default 0)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--shard", help="K/M: make only shards i with i %% M == K (0 <= K < M)")
    p.add_argument("--shard-size", type=int, default=1000, help="tasks per shard (default 1000)")
    p.add_argument("--kinds", type=_csv, help="goal kinds, e.g. find,forbid,draw (default all)")
    p.add_argument("--difficulty", type=_csv, help="levels: easy,medium,hard (default all)")
    p.add_argument("--like", metavar="TASKS", help="make variants of these tasks (file or folder)")
    p.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="DIR",
        help="never make a task of this folder (generated or real; repeatable)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="solver seconds per call, a safety net (default 60; far above what a task needs)",
    )
    p.add_argument("--json", action="store_true", help="print the manifest as JSON")
    p.set_defaults(
        func=main,
        interrupted="the finished shards are kept; run the same command again to make the rest",
    )


def main(args: argparse.Namespace) -> int:
    if args.action:
        args.interrupted = None  # stats and export resume nothing: they simply run again
        if args.action[0] not in ("stats", "export") or len(args.action) != 2:
            raise UsageError(
                "use `xlogo gen --n N --out DIR`, `xlogo gen stats DIR` "
                "or `xlogo gen export DIR --out FOLDER`"
            )
        if args.action[0] == "stats":
            return _stats(args.action[1], args.json)
        return _export(args.action[1], args.out, args.json)
    from ..gen.difficulty import LEVELS
    from ..gen.generate import SOLVER_TIMEOUT
    from ..gen.goals import KINDS
    from ..gen.plan import GenPlan, parse_shard
    from ..gen.shards import idle_workers, run

    if args.out is None:
        raise UsageError("--out DIR is required")
    if (args.n is None) == (args.eval is None):
        raise UsageError("give either --n N (training tasks) or --eval N (held-out tasks)")
    check_workers(args.workers, "--workers")
    for option, given in (("--kinds", args.kinds), ("--difficulty", args.difficulty)):
        if given is not None and not given:  # `--kinds ,`: not the default "all" it would read as
            raise UsageError(f"{option}: expected a comma-separated list, got none")
    plan = GenPlan(
        n=args.n if args.n is not None else args.eval,
        seed=args.seed,
        shard_size=args.shard_size,
        kinds=args.kinds or KINDS,
        levels=args.difficulty or LEVELS,
        like=args.like,
        split="eval" if args.eval is not None else "train",
        timeout=args.timeout if args.timeout is not None else SOLVER_TIMEOUT,
    )
    shard = parse_shard(args.shard) if args.shard else None
    err = console(stderr=True)
    idle = idle_workers(plan, args.workers, shard)
    if idle is not None:
        err.print(f"xlogo gen: warning: {idle}", markup=False, soft_wrap=True)

    def progress(res: dict[str, Any]) -> None:
        rate = res["tasks"] / res["wall"] if res["wall"] else 0.0
        again = f"; made again, the file was damaged: {res['damaged']}" if "damaged" in res else ""
        err.print(
            f"shard {res['shard']:5d}: {res['tasks']} tasks from {res['attempts']} attempts "
            f"in {res['wall']:.1f} s ({rate:.2f} tasks/s){again}"
        )

    manifest = run(
        args.out,
        plan,
        workers=args.workers,
        shard=shard,
        exclude_dirs=args.exclude,
        progress=None if args.json else progress,
    )
    if args.json:
        print_json(manifest)
    else:
        render_manifest(manifest)
    share = manifest["this_run"]["share"]
    made, wanted = share["tasks_made"], share["tasks_wanted"]
    if made < wanted:
        err.print(
            f"made {made} of {wanted} tasks: some slots found no new task in "
            f"{plan.max_attempts} attempts (see the rejection reasons)"
        )
        return 1
    return 0


def _stats(out: str, as_json: bool) -> int:
    from ..gen.dataset import build_manifest, require_shards

    require_shards(out)
    warnings = unfinished_warnings("gen", out)
    manifest = build_manifest(out)
    if as_json:
        print_json({**manifest, "warnings": warnings})
    else:
        render_manifest(manifest)
    return 1 if manifest["shards"]["damaged"] else 0


def _export(src: str, dest: str | None, as_json: bool) -> int:
    from ..gen.dataset import export_tasks, require_shards

    if dest is None:
        raise UsageError("export needs --out FOLDER")
    require_shards(src)
    warnings = unfinished_warnings("gen", src)
    n = export_tasks(src, dest)
    if as_json:
        print_json({"exported": n, "out": dest, "warnings": warnings})
    else:
        console().print(f"wrote {n} task files to {dest}", markup=False, soft_wrap=True)
    return 0


def render_manifest(m: dict[str, Any]) -> None:
    from rich.table import Table

    con = console()
    plan = m.get("plan") or {}
    total = m["tasks"] or 1
    head = (
        f"[bold]{m['tasks']}[/] unique tasks in {m['shards']['finished']}/{m['shards']['total']} "
        f"shards ({plan.get('split', '?')} split, seed {plan.get('seed', '?')})"
    )
    if m["cross_shard_duplicates"]:
        head += f"; {m['cross_shard_duplicates']} cross-shard duplicates skipped"
    con.print(head)
    for bad in m["shards"].get("damaged", []):
        con.print(
            f"[bold red]damaged[/] {bad['file']} ({bad['why']}): not counted; "
            "a rerun of `xlogo gen` makes it again"
        )
    for key in ("kind", "difficulty", "skill", "grid"):
        t = Table(key, "tasks", "share", box=None, header_style="bold")
        for name, n in m["counts"][key].items():
            t.add_row(name, str(n), f"{100 * n / total:.1f}%")
        con.print(t)
    if m["attempts"]:
        rej = Table("rejected because", "attempts", box=None, header_style="bold")
        for name, n in m["rejects"].items():
            rej.add_row(name, str(n))
        con.print(rej)
        secs = m["seconds"]
        spent = sum(secs.values()) or 1.0
        where = ", ".join(f"{k} {100 * v / spent:.0f}%" for k, v in secs.items())
        rate = m.get("tasks_per_worker_second")
        cpu = m.get("tasks_per_cpu_second")
        con.print(
            f"{m['records']} tasks from {m['attempts']} attempts; {rate} tasks per worker-second "
            f"({cpu} per CPU second); time: {where}"
        )
