"""`xlogo eval --model NAME --tasks TASKS --out RUN.jsonl`: run a model on tasks, resumably."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import UsageError, counted
from .common import add_prompt_args, console, output_file, print_json, waits_told_on, warn


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="run a model (any OpenAI-compatible endpoint) on tasks")
    p.add_argument("--model", required=True, help="model name as the endpoint knows it")
    p.add_argument(
        "--base-url", help="endpoint base URL, e.g. http://localhost:8000/v1 (default: OpenAI)"
    )
    p.add_argument(
        "--api-key-env",
        metavar="VAR",
        help="environment variable holding the key (default OPENAI_API_KEY; a variable named "
        "here must be set, even with --base-url)",
    )
    p.add_argument(
        "--tasks",
        required=True,
        help="an asset directory, a folder of task files, a task file, or task records (a "
        ".jsonl file or an `xlogo gen` folder)",
    )
    p.add_argument("--ids", action="append", help="task ids to run (comma-separated; may repeat)")
    p.add_argument("--limit", type=int, help="run only the first N tasks")
    add_prompt_args(p)
    p.add_argument(
        "--samples",
        type=int,
        default=1,
        metavar="K",
        help="samples per task (default 1; for pass@k, with a --temperature above 0)",
    )
    p.add_argument(
        "--temperature", type=float, default=0.0, help="sampling temperature (default 0: greedy)"
    )
    p.add_argument("--top-p", type=float, help="nucleus sampling (default: not sent)")
    p.add_argument(
        "--max-tokens", type=int, default=2048, help="longest reply in tokens (default 2048)"
    )
    p.add_argument("--seed", type=int, help="sampling seed sent to the endpoint")
    p.add_argument(
        "--concurrency",
        type=int,
        default=8,
        metavar="C",
        help="requests in flight at once (default 8)",
    )
    p.add_argument(
        "--constrain",
        choices=("grammar", "json"),
        help="constrained decoding: a grammar or a JSON schema",
    )
    p.add_argument(
        "--grammar-format",
        choices=("gbnf", "lark"),
        help="grammar notation for --constrain grammar (default gbnf)",
    )
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per request (default 120)")
    p.add_argument(
        "--retries", type=int, default=6, help="retries per request on 429/5xx/timeouts (default 6)"
    )
    p.add_argument(
        "--backoff",
        type=float,
        default=1.0,
        help="first retry delay in seconds, doubling each time (default 1)",
    )
    p.add_argument(
        "--max-backoff",
        type=float,
        default=60.0,
        help="longest retry delay in seconds (default 60)",
    )
    p.add_argument(
        "--retry-errors",
        action="store_true",
        help="on resume, retry attempts recorded as request errors",
    )
    p.add_argument(
        "-o",
        "--out",
        required=True,
        metavar="RUN.jsonl",
        help="results file (appended to; resumes)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="print the prompts and the request count, call nothing",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(
        func=main,
        interrupted="every reply received so far is in --out; run the same command again to "
        "ask only the rest",
    )


def select_tasks(args: argparse.Namespace) -> list:
    """The tasks of --tasks picked by --ids and --limit; a broken task file is warned about
    (once, on stderr) and skipped, as `xlogo solve DIR` does."""
    from ..eval.taskset import load_task_set

    task_set = load_task_set(args.tasks)
    _warn_all(task_set.warnings())
    wanted = [i.strip() for chunk in args.ids or [] for i in chunk.split(",") if i.strip()]
    return task_set.select(wanted, args.limit)


def _warn_all(lines: list[str]) -> None:
    """Warnings go to stderr, so that --json and --dry-run output stay clean."""
    for line in lines:
        warn("eval", line)


def config_from_args(args: argparse.Namespace):
    from ..eval.client import RetryPolicy
    from ..eval.runner import EvalConfig

    return EvalConfig(
        model=args.model,
        base_url=args.base_url,
        api_key_env=args.api_key_env,
        mode=args.mode,
        template=args.template,
        answer_format=args.answer_format,
        samples=args.samples,
        temperature=args.temperature,
        top_p=args.top_p,
        max_tokens=args.max_tokens,
        seed=args.seed,
        concurrency=args.concurrency,
        constrain=args.constrain,
        grammar_format=args.grammar_format,
        retry=RetryPolicy(  # checks --timeout, --retries, --backoff and --max-backoff
            max_retries=args.retries,
            base_delay=args.backoff,
            max_delay=args.max_backoff,
            timeout=args.timeout,
        ),
        retry_errors=args.retry_errors,
        tasks_source=str(Path(args.tasks).resolve()),
    )


def main(args: argparse.Namespace) -> int:
    from ..eval.runner import plan, run_eval

    tasks = select_tasks(args)
    config = config_from_args(args)
    _warn_all(config.warnings())  # in a dry run too: that is where a plan gets checked
    if args.dry_run and Path(args.out).is_dir():  # it only reads --out: a run's message
        raise UsageError("--out is a folder, not a file", file=args.out)
    out = Path(args.out) if args.dry_run else output_file(args.out, reads=(Path(args.tasks),))
    if args.dry_run:
        # the prompts are built for --json too: a bad template fails a dry run as it fails a run
        todo, _, built = plan(config, tasks, out)
        config.request_params()  # fails now, not later, if --constrain cannot be honoured
        prompts = {t.id: built[t.id] for t, _ in todo}  # the ones still to ask, in order
        if args.json:
            print_json(
                {
                    "requests": len(todo),
                    "tasks": len(tasks),
                    "samples": config.samples,
                    "run_id": config.run_id,
                    "template_hash": config.template_hash,
                }
            )
            return 0
        con = console()
        for tid, p in prompts.items():
            sys.stdout.write(f"=== task {tid} (template {p.template_hash}) ===\n")
            sys.stdout.write(f"--- system ---\n{p.system}\n--- user ---\n{p.user}\n")
            if p.image_png is not None:
                sys.stdout.write(f"--- image: PNG, {len(p.image_png)} bytes ---\n")
        done = len(tasks) * config.samples - len(todo)
        con.print(
            f"{counted(len(todo), 'request')} to make ({counted(len(tasks), 'task')} x "
            f"{counted(config.samples, 'sample')}, {done:,} already in {out})",
            markup=False,  # the path as given: `run[1].jsonl` is no markup
            soft_wrap=True,  # one line in a pipe too, the path unbroken
        )
        return 0
    import asyncio

    err = console(stderr=True)  # the progress bar's: lines printed on it go above the bar
    summary = asyncio.run(
        run_eval(
            config,
            tasks,
            out,
            progress=not args.no_progress and not args.json,
            on_wait=waits_told_on(err, "xlogo eval"),
            console=err,
        )
    )
    if args.json:
        print_json(summary.to_dict())
    else:
        con = console()
        rate = f"{100 * summary.success_rate:.1f}%" if summary.attempts else "-"
        con.print(
            f"{counted(summary.finished, 'new attempt')}, {summary.resumed} resumed; "
            f"solved {summary.solved}/{summary.attempts} ({rate}); "
            f"{counted(summary.errors, 'request error')}; "
            f"tokens {summary.prompt_tokens}+{summary.completion_tokens}; results in {out}",
            markup=False,
            soft_wrap=True,
        )
    for why in summary.error_lines():  # on stderr, so --json stays one document
        print(f"xlogo eval: {why}", file=sys.stderr)
    # the state of the results, as the README says: 1 while an attempt of the run has no reply,
    # whether this call's request failed or an earlier run's error was not asked again
    return 1 if summary.errors else 0
