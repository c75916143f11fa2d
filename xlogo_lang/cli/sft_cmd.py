"""`xlogo sft DIR --out train.jsonl`: generated tasks -> chat-format fine-tuning data.

    xlogo sft data/train --out data/sft/train.jsonl
    xlogo sft data/train --out data/sft/train-vision.jsonl --mode vision
    xlogo sft rounds/round-001/tasks.jsonl --out rounds/round-001/train.jsonl

DIR is a folder made by `xlogo gen` (its shards, duplicates across shards skipped) or a JSONL file
of task records (the curriculum's `tasks.jsonl`). The arguments are checked before anything is
written: a folder without shards, a `--limit` below 1, `--inline-images` without `--mode vision`,
and an `--out` that this command reads (or that would become a shard of DIR) are usage errors;
a records file with no record is one too (no training file is written). The library's
`write_sft` refuses such an `--out` (given DIR as its `source`), as it does for a script.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .common import add_prompt_args, console, print_json, unfinished_warnings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sft", help="write chat-format fine-tuning data for generated tasks")
    p.add_argument("source", metavar="DIR", help="a folder from `xlogo gen`, or a records .jsonl")
    p.add_argument("-o", "--out", required=True, help="the JSONL file to write")
    add_prompt_args(p, "the answer form of the assistant turn and the prompt")
    p.add_argument(
        "--inline-images",
        action="store_true",
        help="vision: embed pictures as data URLs (OpenAI format) instead of PNG files",
    )
    p.add_argument("--limit", type=int, help="write at most this many lines (1 or more)")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from ..gen.sft import write_sft

    if args.limit is not None and args.limit < 1:
        raise UsageError(f"--limit must be at least 1 (got {args.limit})")
    records = read_records(args.source)
    warnings = unfinished_warnings("sft", args.source)
    summary = write_sft(
        records,
        args.out,
        mode=args.mode,
        template=args.template,
        answer_format=args.answer_format,
        inline_images=args.inline_images,
        limit=args.limit,
        source=args.source,
    )
    if args.json:
        print_json({**summary.to_dict(), "warnings": warnings})
    else:
        con = console()
        pics = f" and {summary.images} pictures" if summary.images else ""
        con.print(
            f"wrote {summary.written} conversations{pics} to {summary.out}",
            markup=False,
            soft_wrap=True,
        )
        con.print(
            ", ".join(f"{k} {v}" for k, v in sorted(summary.by_kind.items())), highlight=False
        )
    return 0


def read_records(source: str) -> Iterator[dict[str, Any]]:
    """Records of a generated folder (which must hold shards) or of a JSONL file."""
    from ..gen.dataset import iter_records, read_jsonl, require_shards

    p = Path(source)
    if p.is_file():
        return read_jsonl(p)
    require_shards(p)
    return iter_records(p)
