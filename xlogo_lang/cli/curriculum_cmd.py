"""`xlogo curriculum`: evaluate a model on the pool, resample the next training set towards what
it fails, and report the mix per round.

    xlogo curriculum --model my-ft --base-url http://127.0.0.1:8000/v1 \\
        --pool data/train --out rounds --rounds 1 --size 20000 --sample 500

Each run finishes the rounds 1..R that are not finished yet (a round is finished when its
`mix.json` exists), so the loop is: run with --rounds 1, train on
rounds/round-001/train/train.jsonl, serve the new checkpoint, run with --rounds 2, and so on
(see xlogo_lang/gen/README.md).
"""

from __future__ import annotations

import argparse
from typing import Any

from .common import add_prompt_args, console, print_json, unfinished_warnings, waits_told_on


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "curriculum",
        help="evaluate a model on the pool and resample training data towards its failures",
    )
    p.add_argument("--model", required=True, help="model name at the endpoint")
    p.add_argument("--base-url", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1")
    p.add_argument(
        "--api-key-env",
        metavar="VAR",
        help="variable holding the key (default OPENAI_API_KEY; one named here must be set)",
    )
    p.add_argument("--pool", required=True, help="a folder from `xlogo gen` (or a records .jsonl)")
    p.add_argument("-o", "--out", required=True, help="the rounds folder")
    p.add_argument("--rounds", type=int, default=1, help="finish rounds 1..R (default 1)")
    p.add_argument("--size", type=int, default=1000, help="training tasks per round (default 1000)")
    p.add_argument(
        "--sample", type=int, default=200, help="pool tasks evaluated per round (default 200)"
    )
    p.add_argument(
        "--floor", type=float, default=0.1, help="weight floor for solved tasks (default 0.1)"
    )
    p.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    add_prompt_args(p)
    p.add_argument(
        "--temperature", type=float, default=0.0, help="sampling temperature (default 0: greedy)"
    )
    p.add_argument(
        "--max-tokens", type=int, default=1024, help="longest reply in tokens (default 1024)"
    )
    p.add_argument(
        "--concurrency", type=int, default=8, help="requests in flight at once (default 8)"
    )
    p.add_argument("--retries", type=int, default=6, help="retries per failed request (default 6)")
    p.add_argument(
        "--no-progress", action="store_true", help="no progress bar while a round is evaluated"
    )
    p.add_argument("--json", action="store_true", help="print the round reports as JSON")
    p.set_defaults(
        func=main,
        interrupted="the finished rounds and this round's replies so far are kept; run the same "
        "command again to go on",
    )


def main(args: argparse.Namespace) -> int:
    from ..eval.client import check_base_url
    from ..gen.curriculum import CurriculumConfig, run_curriculum

    check_base_url(args.base_url)  # now, not after the pool is read and the sample drawn
    cfg = CurriculumConfig(
        model=args.model,
        base_url=args.base_url,
        api_key_env=args.api_key_env,
        pool=args.pool,
        out=args.out,
        rounds=args.rounds,
        size=args.size,
        sample=args.sample,
        floor=args.floor,
        seed=args.seed,
        mode=args.mode,
        template=args.template,
        answer_format=args.answer_format,
        temperature=args.temperature,
        max_tokens=args.max_tokens,
        concurrency=args.concurrency,
        retries=args.retries,
    )
    warnings = unfinished_warnings("curriculum", args.pool)
    err = console(stderr=True)  # the progress bar's: lines printed on it go above the bar
    on_wait = waits_told_on(err, "xlogo curriculum")
    reports = run_curriculum(
        cfg,
        progress=None if args.json else render_round,
        on_wait=on_wait,
        console=None if args.json or args.no_progress else err,
    )
    if args.json:
        print_json({"rounds": reports, "warnings": warnings})
    return 0


def render_round(rep: dict[str, Any]) -> None:
    from rich.table import Table

    con = console()
    state = " (finished earlier)" if rep.get("resumed") else ""
    rate = rep["success"]
    con.print(
        f"[bold]round {rep['round']}[/]{state}: {rep['solved']}/{rep['evaluated']} solved"
        + (f" ({100 * rate:.1f}%)" if rate is not None else "")
        + f"; next training set: {rep['train_size']} tasks ({rep['train_unique']} distinct)"
    )
    t = Table("skill", "eval solved", "pool share", "next share", box=None, header_style="bold")
    ev = rep["eval_by_skill"]
    pool, train = rep["pool_mix"]["skill"], rep["train_mix"]["skill"]
    for s in sorted(set(pool) | set(train)):
        e = ev.get(s)
        cell = f"{e['solved']}/{e['attempted']}" if e else "-"
        t.add_row(s, cell, f"{100 * pool.get(s, 0):.1f}%", f"{100 * train.get(s, 0):.1f}%")
    con.print(t)
    d = Table("difficulty", "pool share", "next share", box=None, header_style="bold")
    pool, train = rep["pool_mix"]["difficulty"], rep["train_mix"]["difficulty"]
    for lv in ("easy", "medium", "hard"):
        d.add_row(lv, f"{100 * pool.get(lv, 0):.1f}%", f"{100 * train.get(lv, 0):.1f}%")
    con.print(d)
