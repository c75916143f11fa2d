"""`xlogo repl` on the command line: which session the arguments open, and bad arguments."""

from __future__ import annotations

import io
import json

import pytest

from xlogo_lang.cli import main
from xlogo_lang.cli.repl_cmd import start_session
from xlogo_lang.errors import TaskError, UsageError


def test_a_task_file_opens_that_task(tasks_dir):
    s = start_session(str(tasks_dir / "87.json"), None, None)
    assert s.task.id == "87" and s.tasks_dir == tasks_dir


def test_a_directory_and_an_id_open_that_task(assets_dir):
    s = start_session(str(assets_dir), "87", None)
    assert s.task.id == "87" and s.task.solution is not None and s.tasks_dir == assets_dir


def test_no_task_opens_the_playground():
    assert start_session(None, None, None).playground


def test_a_directory_alone_opens_the_playground_with_its_tasks_at_hand(tasks_dir):
    s = start_session(str(tasks_dir), None, None)
    assert s.playground and s.tasks_dir == tasks_dir


def test_an_id_with_tasks_dir_opens_that_task(tasks_dir):
    assert start_session("63", None, str(tasks_dir)).task.id == "63"
    assert start_session(None, "63", str(tasks_dir)).task.id == "63"


def test_an_id_without_a_directory_is_a_usage_error():
    with pytest.raises(UsageError):
        start_session(None, "63", None)


def test_a_missing_task_file_is_a_task_error(tmp_path):
    with pytest.raises(TaskError):
        start_session(str(tmp_path / "nope.json"), None, None)


def test_a_bare_id_without_a_directory_says_how_to_name_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TaskError) as caught:
        start_session("87", None, None)
    assert (
        caught.value.hint
        == "for task 87 of a folder: xlogo repl 87 --tasks DIR (or xlogo repl DIR --id 87)"
    )


def test_a_missing_task_file_named_without_a_folder_is_not_taken_for_an_id(tmp_path, monkeypatch):
    """`xlogo repl task.json` was told to try `xlogo repl DIR --id task.json`, which no folder
    answers: an id is given without `.json`."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TaskError) as caught:
        start_session("task.json", None, None)
    assert caught.value.hint is None and "no such file or directory" in str(caught.value)


def test_a_broken_task_file_exits_2_with_one_line_naming_the_field(tasks_dir, tmp_path, capsys):
    data = json.loads((tasks_dir / "87.json").read_text())
    data["items"][0]["count"] = 9
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    assert main(["repl", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("xlogo repl: ") and "items[0].count: 9 is out of range" in err


@pytest.mark.parametrize("seconds", ["-1", "nan"])
def test_a_bad_solve_timeout_exits_2_at_startup(tasks_dir, capsys, seconds):
    """It used to start, and every later :solve and :hint failed."""
    assert main(["repl", str(tasks_dir / "87.json"), "--solve-timeout", seconds]) == 2
    err = capsys.readouterr().err
    assert err.startswith("xlogo repl: --solve-timeout must be a number of seconds, 0 or more")


def test_json_mode_reads_stdin_and_answers_one_line_per_input(tasks_dir, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("fd rt\nrepeat(3){\nfd\n}\nrt fd\n"))
    assert main(["repl", str(tasks_dir / "87.json"), "--json"]) == 0
    replies = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    budgets = [r["state"]["budget"] for r in replies]
    assert budgets == ["2/6 commands", "4/6 commands", "6/6 commands"]
    assert replies[-1]["state"]["verdict"]["solved"] is True


def test_piped_input_gets_the_plain_text_view(tasks_dir, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("fd\n"))
    assert main(["repl", str(tasks_dir / "87.json")]) == 0
    out = capsys.readouterr().out
    assert "task 87" in out and "1/6 commands" in out and "\x1b[" not in out
