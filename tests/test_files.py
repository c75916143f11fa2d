"""Output files are written whole or not at all, and every error names the file the user asked
for, never the temporary file beside it."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from xlogo_lang.errors import UsageError
from xlogo_lang.files import make_folder, replaced_when_kept, write_whole


def test_a_read_only_file_system_names_the_output_not_the_temporary_file(tmp_path, monkeypatch):
    """On a read-only file system even removing the temporary file that was never made fails;
    that second error must not replace the one naming the output."""

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(Path, "open", read_only)
    monkeypatch.setattr(Path, "unlink", read_only)
    out = tmp_path / "train.jsonl"
    with pytest.raises(UsageError) as caught, replaced_when_kept(out, lambda: True) as f:
        f.write("{}\n")
    assert caught.value.file == str(out)
    assert "Read-only file system" in str(caught.value) and ".tmp" not in str(caught.value)


def test_an_output_not_worth_keeping_leaves_the_earlier_file(tmp_path):
    out = tmp_path / "results.jsonl"
    out.write_text("earlier\n", encoding="utf-8")
    with replaced_when_kept(out, lambda: False) as f:
        f.write("new\n")
    assert out.read_text(encoding="utf-8") == "earlier\n"
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind


def test_an_output_worth_keeping_replaces_the_file_whole(tmp_path):
    out = tmp_path / "new" / "results.jsonl"  # its folder is made
    with replaced_when_kept(out, lambda: True) as f:
        f.write("new\n")
    assert out.read_text(encoding="utf-8") == "new\n"
    assert list(out.parent.iterdir()) == [out]


def test_a_whole_write_that_fails_names_the_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    def disk_full(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", disk_full)
    out = tmp_path / "manifest.json"
    with pytest.raises(UsageError) as caught:
        write_whole(out, b"{}\n")
    assert caught.value.file == str(out) and "No space left" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_made_names_what_the_user_asked_for(tmp_path):
    """Under a file no folder can be made: the error names the output and says which folder."""
    (tmp_path / "notes.txt").write_text("")
    out = tmp_path / "notes.txt" / "run" / "scores.json"
    with pytest.raises(UsageError) as caught:
        make_folder(out.parent, out, "the folder for --out")
    assert caught.value.file == str(out)
    blocker = tmp_path / "notes.txt"
    assert str(caught.value) == f"{out}: cannot make the folder for --out: {blocker} is a file"


def test_a_command_output_under_a_file_is_a_usage_error_naming_it(tmp_path, capsys):
    from xlogo_lang.cli import main

    (tmp_path / "notes.txt").write_text("")
    out = tmp_path / "notes.txt" / "one.json"
    task = Path(__file__).resolve().parent.parent / "examples" / "tasks" / "find-strawberry.json"
    assert main(["render", str(task), "--out", str(out)]) == 2
    blocker = tmp_path / "notes.txt"
    assert f"{out}: cannot make the folder for -o: {blocker} is a file" in capsys.readouterr().err
