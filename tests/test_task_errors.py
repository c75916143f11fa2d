"""Broken task files: every defect is a TaskError that names the file, the JSON path (and the
line and column where the JSON text itself is the problem), never a bare Python exception; and
what the project's own files hold keeps loading."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from xlogo_lang import TaskError, load_task, run
from xlogo_lang.gen.generate import generate_one


def task_json(tasks_dir: Path, task_id: str = "87") -> dict:
    return json.loads((tasks_dir / f"{task_id}.json").read_text())


def write(tmp_path: Path, data: dict, name: str = "task.json") -> Path:
    f = tmp_path / name
    f.write_text(json.dumps(data, indent=1))
    return f


def load_error(path: Path, task_id: str | None = None) -> TaskError:
    with pytest.raises(TaskError) as info:
        load_task(path, task_id)
    return info.value


def asset_copy(tmp_path: Path, assets_dir: Path, kind: str, task_id: str, record: dict) -> Path:
    """A copy of the asset directory whose `kind` file holds `record` for `task_id`."""
    out = tmp_path / "assets"
    shutil.copytree(assets_dir, out)
    f = out / f"xlogomini_{kind}.json"
    data = json.loads(f.read_text())
    data[task_id] = record
    f.write_text(json.dumps(data))
    return out


# -- integers too long for Python ----------------------------------------------------------------


def test_an_integer_too_long_to_convert_is_a_task_error_at_its_line_and_column(tmp_path, tasks_dir):
    f = write(tmp_path, task_json(tasks_dir))
    text = f.read_text().replace('"direction": 0', '"direction": ' + "7" * 5000)
    f.write_text(text)
    err = load_error(f)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if '"direction"' in s)
    assert (err.file, err.line, err.column) == (str(f), line, len('  "direction": ') + 1)
    assert "an integer of 5000 digits is too long" in err.message


def test_digits_inside_a_string_are_not_taken_for_the_long_integer(tmp_path, tasks_dir):
    data = task_json(tasks_dir)
    data["description"] = "9" * 5000
    f = write(tmp_path, data)
    text = f.read_text().replace('"direction": 0', '"direction": ' + "7" * 5000)
    f.write_text(text)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if '"direction"' in s)
    assert load_error(f).line == line


# -- text that is not Unicode --------------------------------------------------------------------


@pytest.mark.parametrize("field", ["id", "description"])
def test_a_lone_surrogate_in_a_string_is_rejected_at_load_naming_the_field(
    tmp_path, tasks_dir, field
):
    data = task_json(tasks_dir)
    data[field] = "\ud800x"  # json.dumps writes the escape \ud800, as a hand-written file would
    err = load_error(write(tmp_path, data))
    assert err.path == field
    assert "not valid Unicode text" in err.message
    str(err).encode("utf-8")  # the error itself can be printed


def test_a_lone_surrogate_in_a_key_is_rejected_and_the_error_can_be_printed(tmp_path, tasks_dir):
    data = task_json(tasks_dir)
    data["turtle"]["\udfff"] = 1
    err = load_error(write(tmp_path, data))
    assert err.path == "turtle"
    assert "a key is not valid Unicode text" in str(err).encode("utf-8").decode("utf-8")


# -- the asset layout names the file each record comes from --------------------------------------


def test_a_broken_goal_record_names_the_goals_file_and_its_path(tmp_path, assets_dir):
    assets = asset_copy(tmp_path, assets_dir, "goals", "10a", {"goal": "x"})
    err = load_error(assets, "10a")
    assert (err.file, err.path) == (str(assets / "xlogomini_goals.json"), "10a.goal")
    assert "expected a list" in err.message


def test_a_broken_code_record_names_the_codes_file_and_its_path(tmp_path, assets_dir):
    code = {"code_json": {"run": [{"type": "repeat", "times": 40, "body": []}]}}
    assets = asset_copy(tmp_path, assets_dir, "codes", "87", code)
    err = load_error(assets, "87")
    assert (err.file, err.path) == (str(assets / "xlogomini_codes.json"), "87.code_json")
    assert "run[0]: repeat count 40 is outside 1..12" in err.message


def test_a_broken_constraints_record_names_the_constraints_file_and_its_path(tmp_path, assets_dir):
    record = {"constraints": [{"at_most": {"moves": 2}}]}
    assets = asset_copy(tmp_path, assets_dir, "constraints", "10a", record)
    err = load_error(assets, "10a")
    assert err.file == str(assets / "xlogomini_constraints.json")
    assert err.path == "10a.constraints[0].at_most.moves"


# -- unknown keys --------------------------------------------------------------------------------


def test_a_misspelt_constraint_is_an_error_with_a_did_you_mean_hint(tmp_path, tasks_dir):
    data = task_json(tasks_dir)
    data["constraints"] = {"atmost": {"all": 1}}
    err = load_error(write(tmp_path, data))
    assert err.path == "constraints.atmost"
    assert "unknown key 'atmost'" in err.message
    assert err.hint == "did you mean at_most?"


@pytest.mark.parametrize(
    ("where", "key", "path"),
    [
        ("turtle", "dir", "turtle.dir"),
        ("tiles.0", "exsit", "tiles[0].exsit"),
        ("items.0", "colour", "items[0].colour"),
        ("goal.0", "total", "goal[0].total"),
    ],
)
def test_an_unknown_key_in_an_object_of_the_task_format_is_named_by_its_path(
    tmp_path, tasks_dir, where, key, path
):
    data = task_json(tasks_dir, "22")
    node = data
    for part in where.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[key] = 1
    err = load_error(write(tmp_path, data))
    assert err.path == path
    assert f"unknown key {key!r}" in err.message


def test_an_unknown_key_in_a_line_is_an_error(tmp_path, tasks_dir):
    data = task_json(tasks_dir, "64")
    data["lines"][0]["width"] = 2
    assert load_error(write(tmp_path, data)).path == "lines[0].width"


def test_a_misspelt_literal_key_gets_a_hint(tmp_path, tasks_dir):
    data = task_json(tasks_dir, "22")
    data["goal"][0]["specs"][0][0][0] = {"colour": "green", "neg": 0}
    err = load_error(write(tmp_path, data))
    assert err.path == "goal[0].specs[0][0][0].colour"
    assert err.hint == "did you mean color?"


def test_a_command_written_as_its_long_name_in_a_constraint_gets_its_short_name_as_hint(
    tmp_path, tasks_dir
):
    data = task_json(tasks_dir)
    data["constraints"] = {"exactly": {"forward": 2}}
    err = load_error(write(tmp_path, data))
    assert err.path == "constraints.exactly.forward"
    assert err.hint == "did you mean fd?"


def test_a_near_miss_of_an_absent_task_key_is_an_error_not_an_annotation(tmp_path, tasks_dir):
    data = task_json(tasks_dir)
    data["goals"] = data.pop("goal")  # read as a missing goal, it would make this a draw task
    err = load_error(write(tmp_path, data))
    assert err.path == "goals"
    assert err.hint == "did you mean goal?"


def test_a_near_miss_of_a_world_key_in_the_asset_layout_names_the_worlds_file(tmp_path, assets_dir):
    worlds = json.loads((assets_dir / "xlogomini_worlds.json").read_text())
    record = worlds["22"]
    record["world_json"]["item"] = record["world_json"].pop("items")
    assets = asset_copy(tmp_path, assets_dir, "worlds", "22", record)
    err = load_error(assets, "22")
    assert (err.file, err.path) == (str(assets / "xlogomini_worlds.json"), "22.world_json.item")


def test_a_generated_record_loads_as_a_task_file_with_its_annotations(tmp_path):
    record = next(
        out.record
        for seed in range(50)
        if (out := generate_one(seed, "find", "easy", task_id="g")).record is not None
    )
    assert {"kind", "hash", "skills", "difficulty", "solution_text", "like"} <= set(record)
    task = load_task(write(tmp_path, record))
    assert run(task, task.solution).solved


def test_platform_fields_beside_the_task_keys_are_accepted(tmp_path, tasks_dir):
    data = task_json(tasks_dir)
    data.update(rows=3, cols=4, xlogo_json={"platform": "own format"}, title="Find it")
    assert load_task(write(tmp_path, data)).id == "87"
