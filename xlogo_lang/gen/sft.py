"""Fine-tuning data: generated task records -> chat-format JSONL, one conversation per task.

Each line is `{"messages": [system, user, assistant], ...}`. The system and user turns are
exactly the prompt `xlogo eval` sends for the task (`eval.prompts.build_prompt`, same template,
mode and answer format), and the assistant turn is the task's shortest solution written the way
that prompt asks for it (one fenced code block), so a model trained on these lines is evaluated on
the distribution it was trained on. The format is read as it is by TRL's `SFTTrainer`
(conversational datasets), Axolotl (`type: chat_template`) and the OpenAI fine-tuning API.

Vision mode writes each task's picture as a PNG into `<out stem>_images/` beside the JSONL and
references it relative to the JSONL: `{"type": "image", "path": ...}` in the user content
(Axolotl) and an `images` list on the record (TRL's vision format); a task with the id of an
earlier one in the same file and another picture gets `<id>-<digest>.png`. `inline_images`
instead embeds it as a data URL `image_url` part (the OpenAI format).

This module never generates or solves tasks; it only formats what `shards.py` wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatch
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import Any

from ..codejson import from_json
from ..errors import TaskError, UsageError
from ..eval import arguments as args
from ..files import output_file, replaced_when_kept, write_whole
from ..printer import to_text
from .dataset import SHARD_FILE, record_task, shard_files


@dataclass
class SftSummary:
    out: str
    written: int = 0
    images: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    template_hash: str | None = None

    def count(self, rec: dict[str, Any], *, picture: bool) -> None:
        self.written += 1
        self.images += picture
        self.by_kind[str(rec.get("kind"))] += 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "out": self.out,
            "written": self.written,
            "images": self.images,
            "by_kind": dict(self.by_kind),
            "template_hash": self.template_hash,
        }


def answer_text(solution_json: dict[str, Any], answer_format: str = "text") -> str:
    """The assistant turn: the solution as one fenced block, as the prompt's answer format asks."""
    prog = from_json(solution_json)
    if answer_format == "python":
        from ..python_form import to_python

        return f"```python\n{to_python(prog).rstrip()}\n```"
    return f"```\n{to_text(prog)}```"


def image_dir_for(out: Path) -> Path:
    return out.with_name(out.stem + "_images")


def conversation(
    rec: dict[str, Any],
    *,
    mode: str = "text",
    template: str | Path | None = None,
    answer_format: str = "text",
    image_dir: Path | None = None,
    base: Path | None = None,
    inline_images: bool = False,
    pictures: dict[str, str] | None = None,
) -> tuple[dict[str, Any], str]:
    """One training line for a task record, and the prompt's template hash. `pictures` holds
    the picture files this write has made (name -> SHA-256 of the PNG): a task with the id of
    an earlier one and another picture gets a file of its own instead of replacing that one."""
    from ..eval.prompts import build_prompt

    task = record_task(rec)
    if "solution" not in rec:
        # named by the file and line it was read from, as record_task names its other errors
        raise TaskError(
            "the record has no solution (`xlogo sft` trains on generated records, which hold one)",
            file=getattr(rec, "file", None),
            line=getattr(rec, "line", None),
            path="solution",
        )
    prompt = build_prompt(task, mode, template, answer_format)
    messages: list[dict[str, Any]] = []
    if prompt.system:
        messages.append({"role": "system", "content": prompt.system})
    line: dict[str, Any] = {}
    if prompt.image_png is None:
        messages.append({"role": "user", "content": prompt.user})
    elif inline_images:
        messages = prompt.messages()  # the picture as a data: URL image_url part
    else:
        if image_dir is None or base is None:
            raise UsageError("vision mode needs a folder for the pictures")
        image_dir.mkdir(parents=True, exist_ok=True)
        png = image_dir / f"{_safe(task.id)}.png"
        digest = hashlib.sha256(prompt.image_png).hexdigest()
        if pictures is not None:
            # ids repeat across folders made with one seed, and one records file may hold both:
            # the earlier line would point at this task's picture
            if pictures.get(png.name, digest) != digest:
                png = image_dir / f"{_safe(task.id)}-{digest[:12]}.png"
            pictures[png.name] = digest
        # a picture left by an earlier run may be of another task with this id (ids repeat
        # across folders made with one seed): kept only when it is this task's, byte for byte
        if not png.exists() or png.read_bytes() != prompt.image_png:
            write_whole(png, prompt.image_png)
        rel = os.path.relpath(png, base)
        messages.append(
            {
                "role": "user",
                "content": [{"type": "image", "path": rel}, {"type": "text", "text": prompt.user}],
            }
        )
        line["images"] = [rel]
    messages.append({"role": "assistant", "content": answer_text(rec["solution"], answer_format)})
    out = {"messages": messages, **line}
    out["metadata"] = {
        "task_id": task.id,
        "kind": rec.get("kind"),
        "difficulty": rec.get("difficulty"),
        "skills": rec.get("skills"),
        "size": rec.get("size"),
        "hash": rec.get("hash"),
    }
    return out, prompt.template_hash


def _safe(task_id: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in task_id)


def check_out(out: Path, sources: Iterable[str | Path] = ()) -> None:
    """Refuse an `out` that would destroy or pollute what the records are read from (each of
    `sources`, a generated folder or a records file): the records file itself, a file of the
    folder or a `.json` name there (`files.output_file`), or a `tasks-*.jsonl` name there (an
    existing shard would be replaced by chat lines, a new one read as a shard by every later
    reader); and an `out` that is a folder. Here rather than in `xlogo sft` alone, so that a
    script writing `iter_records(folder)` into that folder is refused as the command is."""
    folders = []
    reads: list[Path] = []
    for source in sources:
        src = Path(source)
        reads.append(src)
        if src.is_dir():
            folders.append(src)
            reads += shard_files(src)
    output_file(out, reads=tuple(reads))
    for src in folders:
        if out.resolve().parent == src.resolve() and fnmatch(out.name, "tasks-*.jsonl"):
            raise UsageError(
                f"--out has a shard name (tasks-*.jsonl) in the folder {src} this command reads: "
                "choose another name or folder",
                file=str(out),
            )


def _read_from(rec: object) -> Path | None:
    """What a record was read from, when it says (a `dataset.Record` knows its file): the
    folder of a shard, or the records file; None for a record made in memory."""
    file = getattr(rec, "file", None)
    if not isinstance(file, str):
        return None
    f = Path(file)
    return f.parent if SHARD_FILE.fullmatch(f.name) else f


def write_sft(
    records: Iterable[dict[str, Any]],
    out: str | Path,
    *,
    mode: str = "text",
    template: str | Path | None = None,
    answer_format: str = "text",
    inline_images: bool = False,
    limit: int | None = None,
    source: str | Path | None = None,
) -> SftSummary:
    """Write one chat line per record to `out` (atomically: a temporary file renamed at the end).

    Nothing is written when there is nothing to train on: `limit`, when given, must be at least
    1, and records that run out before the first line (an empty records file, named by `source`)
    are an error, as a folder without shards is; no trainer accepts an empty training file.
    `inline_images` is for vision mode only (text prompts have no pictures to embed). Errors
    name `out`, never the temporary file. `records` is an iterable of task records
    (`dataset.iter_records(folder)`, `read_jsonl(file)`): a folder's path given instead is a
    TypeError naming them, not its characters read as records.

    `out` must not destroy or pollute what the records are read from (`check_out`): `source`
    (the folder or records file given to `xlogo sft`), and whatever the records say they were
    read from, checked with the first record before anything is written and with the first
    record of each other file as it comes (the file is replaced only at the end)."""
    if isinstance(records, (str, bytes, os.PathLike)):
        raise TypeError(
            f"write_sft takes task records, got a path ({type(records).__name__}): "
            "read a generated folder with xlogo_lang.gen.iter_records(path)"
        )
    if isinstance(records, dict):  # one record: its keys would be read as records
        raise TypeError("write_sft takes an iterable of task records, got one record (a dict)")
    if limit is not None and args.whole("limit", limit) < 1:
        raise UsageError(f"the limit must be at least 1 (got {limit})")
    if inline_images and mode != "vision":
        raise UsageError("--inline-images is for --mode vision: text prompts have no pictures")
    outp = Path(args.path_text("out", out))
    records = iter(records)
    first = list(islice(records, 1))  # says what the records are read from, for check_out
    checked = {Path(args.path_text("source", source))} if source is not None else set()
    checked.update(src for src in map(_read_from, first) if src is not None)
    check_out(outp, checked)
    summary = SftSummary(str(outp))
    images = image_dir_for(outp) if mode == "vision" and not inline_images else None
    make = partial(
        conversation,
        mode=mode,
        template=template,
        answer_format=answer_format,
        image_dir=images,
        base=outp.parent,
        inline_images=inline_images,
        pictures={},
    )
    with replaced_when_kept(outp, lambda: summary.written > 0) as f:
        for i, rec in enumerate(chain(first, records)):
            if limit is not None and summary.written >= limit:
                break
            if not isinstance(rec, dict):
                kind = type(rec).__name__
                raise TypeError(
                    f"write_sft: records[{i}] must be a task record (a dict), got {kind}"
                )
            src = _read_from(rec)
            if src is not None and src not in checked:  # records of several files
                check_out(outp, [src])
                checked.add(src)
            line, summary.template_hash = make(rec)
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
            summary.count(rec, picture=images is not None)
    if not summary.written:
        raise UsageError(
            "no task records: nothing to write (no trainer takes an empty training file)",
            file=None if source is None else str(source),
        )
    return summary
