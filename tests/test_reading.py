"""Bounded reading of input files: only regular files are read as tasks (a FIFO is refused, not
waited on), no file is read past what its reader can use, and a path that cannot be read says
why (a loop of links, bytes that are not UTF-8)."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from core_helpers import finishes

from xlogo_lang import TaskError, load_task
from xlogo_lang.cli import main as xlogo
from xlogo_lang.eval.runner import read_run
from xlogo_lang.program_files import MAX_PROGRAM_BYTES
from xlogo_lang.reading import BOM, MAX_LINE_BYTES, MAX_TASK_FILE_BYTES, Line, capped_lines
from xlogo_lang.tasks import iter_task_loads, task_ids

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


def sparse(path: Path, size: int) -> Path:
    """A file of `size` zero bytes that takes no room on disk."""
    with path.open("wb") as f:
        f.truncate(size)
    return path


@needs_fifo
def test_a_fifo_given_as_a_task_is_refused_naming_it_without_waiting(tmp_path):
    fifo = tmp_path / "task.json"
    os.mkfifo(fifo)
    for read in (load_task, task_ids, lambda p: list(iter_task_loads(p))):
        err = finishes(lambda read=read: read(fifo))
        assert isinstance(err, TaskError)
        assert str(err) == f"{fifo}: not a regular file: a named pipe (FIFO)"


@needs_fifo
def test_a_fifo_in_a_task_folder_is_reported_and_the_others_load_by_id(tmp_path, tasks_dir):
    shutil.copy(tasks_dir / "87.json", tmp_path / "87.json")
    os.mkfifo(tmp_path / "fifo.json")
    assert finishes(lambda: load_task(tmp_path, "87")).id == "87"
    loads = dict(finishes(lambda: list(iter_task_loads(tmp_path))))
    assert "not a regular file" in str(loads["fifo"])


def test_a_task_file_over_the_cap_is_refused_without_being_read(tmp_path):
    big = sparse(tmp_path / "big.json", MAX_TASK_FILE_BYTES + 1)
    with pytest.raises(TaskError, match=f"too large for a task file: more than {64 * 2**20:,}"):
        load_task(big)


def test_the_task_file_cap_leaves_a_wide_margin_over_the_reference_data(assets_dir):
    largest = max(f.stat().st_size for f in assets_dir.glob("*.json"))
    assert largest * 100 < MAX_TASK_FILE_BYTES


def test_a_loop_of_symbolic_links_as_a_task_is_named_as_one(tmp_path):
    (tmp_path / "a.json").symlink_to("b.json")
    (tmp_path / "b.json").symlink_to("a.json")
    with pytest.raises(TaskError, match="a loop of symbolic links"):
        load_task(tmp_path / "a.json")


def test_a_task_file_that_is_not_utf8_names_the_byte_and_where(tmp_path, tasks_dir):
    f = tmp_path / "latin1.json"
    f.write_bytes(b'{"id": "caf\xe9"}')
    with pytest.raises(TaskError) as info:
        load_task(f)
    assert str(info.value) == f"{f}: cannot read: not UTF-8 text (byte 0xe9 at offset 11)"


def test_a_program_file_over_what_a_program_can_be_is_refused(tmp_path, capsys):
    """A program is at most 1,000,000 characters, 4 bytes each at the most: a longer file is
    refused having read one byte more (the file could be /dev/zero)."""
    big = sparse(tmp_path / "big.xlogo", MAX_PROGRAM_BYTES + 1)
    assert xlogo(["fmt", str(big)]) == 2
    err = capsys.readouterr().err
    assert f"{big}: more than 4,000,000 bytes; xlogo reads programs of at most 1,000,000" in err


def test_check_reports_a_program_file_too_large_to_read_as_a_problem_of_the_program(
    tmp_path, capsys
):
    """As one of 1,000,001 characters is: exit status 1 and the usual JSON shape, so a tool
    checking model outputs reads every verdict the same way."""
    big = sparse(tmp_path / "big.xlogo", MAX_PROGRAM_BYTES + 1)
    assert xlogo(["check", "--json", str(big)]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["file"] == str(big)
    (diag,) = out["diagnostics"]
    assert diag["rule"] == "syntax" and diag["message"].startswith("more than 4,000,000 bytes")


def test_a_program_of_four_bytes_a_character_at_the_limit_is_read(tmp_path, capsys):
    """1,000,000 characters of 4 bytes each reach the parser (which says what it thinks)."""
    f = tmp_path / "wide.xlogo"
    f.write_bytes("\U0001f600".encode() * (MAX_PROGRAM_BYTES // 4))
    assert xlogo(["check", str(f)]) == 1
    out, err = capsys.readouterr()
    assert "more than" not in out + err and "unexpected" in out


# -- JSON Lines: a cap per line, a byte-order mark on the first line ----------------------------


def test_capped_lines_pass_over_a_line_past_the_cap_and_go_on(tmp_path):
    f = tmp_path / "lines.jsonl"
    f.write_bytes(BOM + b"12345\n" + b"x" * 9 + b"\n\xef\xbb\xbf1\n" + b"y" * 9)
    with f.open("rb") as fh:
        lines = list(capped_lines(fh, limit=8))
    assert lines == [
        Line(b"12345", 9, True),  # the mark is left out of the first line, counted in its size
        Line(None, 10, True),
        Line(BOM + b"1", 5, True),  # only the first line may start with one
        Line(None, 9, False),
    ]


def over_the_line_cap(path: Path, after: bytes) -> Path:
    """A file whose first line is one byte past MAX_LINE_BYTES (zeros, sparse), then `after`."""
    with path.open("wb") as f:
        f.seek(MAX_LINE_BYTES + 1)
        f.write(b"\n" + after)
    return path


PREDICTION = b'{"task_id": "find-strawberry", "response": "fd"}\n'


def test_a_prediction_line_past_the_cap_is_skipped_by_its_number(tmp_path, examples_dir, capsys):
    preds = over_the_line_cap(tmp_path / "p.jsonl", PREDICTION)
    assert xlogo(["score", str(preds), "--tasks", str(examples_dir / "tasks")]) == 0
    err = capsys.readouterr().err
    assert f"line 1: a line longer than {MAX_LINE_BYTES:,} bytes" in err
    assert len(preds.with_name("p_results.jsonl").read_text().splitlines()) == 1


def test_a_predictions_file_starting_with_a_byte_order_mark_keeps_its_first_line(
    tmp_path, examples_dir, capsys
):
    preds = tmp_path / "p.jsonl"
    preds.write_bytes(BOM + PREDICTION)
    assert xlogo(["score", str(preds), "--tasks", str(examples_dir / "tasks")]) == 0
    assert "skipped" not in capsys.readouterr().err
    assert len(preds.with_name("p_results.jsonl").read_text().splitlines()) == 1


@needs_fifo
def test_predictions_from_a_pipe_are_read_as_a_stream(tmp_path, examples_dir, capsys):
    """`xlogo score /dev/stdin` or `<(cmd)`: a pipe is no regular file, but it exists."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_bytes, args=(PREDICTION,), daemon=True)
    writer.start()
    out = tmp_path / "out.jsonl"
    args = ["score", str(fifo), "--tasks", str(examples_dir / "tasks"), "--out", str(out)]
    assert finishes(lambda: xlogo(args)) == 0
    assert len(out.read_text().splitlines()) == 1


def test_a_run_line_past_the_cap_is_a_bad_line_and_a_mark_is_no_damage(tmp_path):
    rec = b'{"run_id": "r", "task_id": "87", "sample": 0}\n'
    run = read_run(over_the_line_cap(tmp_path / "run.jsonl", rec))
    assert run.bad == [
        (1, f"a line longer than {MAX_LINE_BYTES:,} bytes (the limit of a line), not read")
    ]
    assert run.lines == [2] and not run.torn
    marked = tmp_path / "marked.jsonl"
    marked.write_bytes(BOM + rec)
    assert read_run(marked).records == [json.loads(rec)]


def test_a_task_record_past_the_cap_is_that_lines_error(tmp_path, tasks_dir):
    task = json.dumps(json.loads((tasks_dir / "87.json").read_text())).encode()
    records = over_the_line_cap(tmp_path / "tasks.jsonl", task + b"\n")
    loads = list(iter_task_loads(records))
    assert [tid for tid, _ in loads] == ["line 1", "87"]
    assert str(loads[0][1]).startswith(f"{records}: line 1: a line longer than")
