"""The task set of `eval`, `score` and `report`: a broken task file is skipped and named, the
others are used, and only a set with nothing usable left is an error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from xlogo_lang.errors import TaskError, UsageError
from xlogo_lang.eval.taskset import load_task_set

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "tasks"
BROKEN_FIELD = "items[0].name: unknown item 'banana'"


def folder_with_a_broken_task(tmp_path: Path) -> Path:
    """A copy of examples/tasks plus k5.json, whose only item is named 'banana'."""
    folder = tmp_path / "tf"
    shutil.copytree(EXAMPLES, folder)
    task = json.loads((EXAMPLES / "find-strawberry.json").read_text(encoding="utf-8"))
    task["id"] = "k5"
    task["items"][0]["name"] = "banana"
    (folder / "k5.json").write_text(json.dumps(task), encoding="utf-8")
    return folder


def test_a_broken_task_file_is_kept_apart_and_the_others_load(tmp_path):
    ts = load_task_set(folder_with_a_broken_task(tmp_path))
    assert len(ts.tasks) == len(list(EXAMPLES.glob("*.json")))
    assert list(ts.broken) == ["k5"]


def test_the_warning_names_the_broken_file_and_field_once(tmp_path):
    folder = folder_with_a_broken_task(tmp_path)
    [warning] = load_task_set(folder).warnings()
    assert f"{folder / 'k5.json'}: {BROKEN_FIELD}" in warning and "\n" not in warning


def test_an_id_of_a_broken_task_is_named_as_broken_not_unknown(tmp_path):
    ts = load_task_set(folder_with_a_broken_task(tmp_path))
    assert ts.unusable("k5") == f"task 'k5' cannot be loaded ({ts.source}/k5.json)"
    assert ts.unusable("nope") == "unknown task id 'nope'"


def test_selecting_a_good_task_beside_a_broken_one_works(tmp_path):
    ts = load_task_set(folder_with_a_broken_task(tmp_path))
    assert [t.id for t in ts.select(["k5", "find-strawberry"])] == ["find-strawberry"]


def test_selecting_only_broken_tasks_is_an_error_naming_them(tmp_path):
    ts = load_task_set(folder_with_a_broken_task(tmp_path))
    with pytest.raises(UsageError, match="nothing to run: task 'k5' cannot be loaded"):
        ts.select(["k5"])


def test_a_source_whose_only_task_is_broken_is_that_task_error(tmp_path):
    folder = folder_with_a_broken_task(tmp_path)
    with pytest.raises(TaskError, match=r"items\[0\]\.name: unknown item 'banana'"):
        load_task_set(folder / "k5.json")
