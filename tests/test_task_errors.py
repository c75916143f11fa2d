"""Broken task files: every defect is a TaskError that names the file, the JSON path (and the
line and column where the JSON text itself is the problem), never a bare Python exception; and
what the project's own files hold keeps loading."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from xlogo_lang import TaskError, load_task, load_tasks, run
from xlogo_lang.gen.generate import generate_one
from xlogo_lang.tasks import iter_task_loads, task_ids


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


@pytest.mark.parametrize("load", [load_task, load_tasks])
def test_an_empty_path_is_a_task_error_not_the_working_directory(load):
    """`Path("")` is ".": `load_tasks(os.environ.get("TASKS", ""))` read the working directory
    as a folder of tasks, and `load_task("")` asked for a task id."""
    with pytest.raises(TaskError, match="the task path is empty"):
        load("")


def test_a_null_where_an_object_belongs_is_named_once():
    from xlogo_lang.tasks import task_from_dict

    with pytest.raises(TaskError) as info:
        task_from_dict(None)
    assert info.value.message == "expected an object, found null"


def test_an_empty_id_is_a_task_error_naming_it(tmp_path, tasks_dir):
    """It loaded as the task '', which no command can name and every table shows blank."""
    data = task_json(tasks_dir)
    data["id"] = ""
    err = load_error(write(tmp_path, data))
    assert (err.path, err.message) == ("id", "an empty id names no task")


def test_a_record_with_an_empty_id_is_listed_by_its_line(tmp_path, tasks_dir):
    (tmp_path / "t.jsonl").write_text(json.dumps({**task_json(tasks_dir), "id": ""}) + "\n")
    ((tid, err),) = iter_task_loads(tmp_path / "t.jsonl")
    assert tid == "line 1" and isinstance(err, TaskError)


# -- integers too long to convert ---------------------------------------------------------------

LONG = "1" + "7" * 5000  # more digits than Python converts from text (4,300 by default)
LONG_SHOWN = "17777777777777777777… (5,001 digits)"


def with_long(path: Path, digits: str = LONG) -> Path:
    """`path` with the placeholder string "LONG" replaced by the integer `digits` (json.dumps
    cannot write an integer that long)."""
    text = path.read_text()
    assert text.count('"LONG"') == 1
    path.write_text(text.replace('"LONG"', digits))
    return path


def test_a_long_integer_is_a_task_error_naming_the_file_and_the_field(tmp_path, tasks_dir):
    data = task_json(tasks_dir)
    data["turtle"]["direction"] = "LONG"
    f = with_long(write(tmp_path, data))
    err = load_error(f)
    assert (err.file, err.path, err.line, err.column) == (str(f), "turtle.direction", None, None)
    assert err.message == f"the integer {LONG_SHOWN} is too long (at most 640 digits)"


# Where a long integer goes in task 87, by the path the error names.
LONG_PLACES = {
    "tiles[3].x": lambda d: d["tiles"][3].update(x="LONG"),
    "items[0].count": lambda d: d["items"][0].update(count="LONG"),
    "goal[0].specs[0][0][0].count": lambda d: d["goal"][0]["specs"][0][0][0].update(count="LONG"),
    "goal[1].total_cnt": lambda d: d["goal"].append(
        {"name": "sum", "specs": [], "total_cnt": "LONG"}
    ),
    "constraints[0].at_most.all": lambda d: d["constraints"][0]["at_most"].update(all="LONG"),
    "solution.run[0].times": lambda d: d.update(
        solution={"run": [{"type": "repeat", "times": "LONG", "body": []}]}
    ),
    "code.run[0].value": lambda d: d.update(code={"run": [{"type": "setpc", "value": "LONG"}]}),
    "id": lambda d: d.update(id="LONG"),
    "description": lambda d: d.update(description="LONG"),
    "hash": lambda d: d.update(hash="LONG"),  # an annotation, which the task does not read
    "xlogo_json.size[0]": lambda d: d.update(xlogo_json={"size": ["LONG"]}),
}


@pytest.mark.parametrize("path", list(LONG_PLACES))
def test_a_long_integer_anywhere_in_a_task_file_is_an_error_at_its_path(tmp_path, tasks_dir, path):
    data = task_json(tasks_dir)
    LONG_PLACES[path](data)
    err = load_error(with_long(write(tmp_path, data)))
    assert err.path == path
    assert "is too long (at most 640 digits)" in err.message


def test_a_long_negative_integer_is_an_error_at_its_path(tmp_path, tasks_dir):
    data = task_json(tasks_dir)
    data["items"][0]["y"] = "LONG"
    err = load_error(with_long(write(tmp_path, data), "-" + LONG))
    assert err.path == "items[0].y"
    assert err.message.startswith("the integer -1777777777777777777… (5,001 digits) is too")


def test_the_limit_is_xlogos_own_not_pythons(tmp_path, tasks_dir):
    # 641 digits convert in Python, but xlogo reads no integer that long, as in code JSON
    data = task_json(tasks_dir)
    data["constraints"][0]["at_most"]["all"] = "LONG"
    err = load_error(with_long(write(tmp_path, data), "9" * 641))
    assert err.path == "constraints[0].at_most.all"
    assert "(641 digits) is too long" in err.message


def test_the_first_long_integer_in_the_file_is_the_one_reported(tmp_path, tasks_dir):
    data = task_json(tasks_dir)
    data["turtle"]["x"] = "LONG"
    data["constraints"][0]["at_most"]["all"] = "LATER"
    f = with_long(write(tmp_path, data))
    f.write_text(f.read_text().replace('"LATER"', "9" * 700))
    assert load_error(f).path == "turtle.x"


def test_digits_in_a_string_are_not_a_long_integer(tmp_path, tasks_dir):
    data = task_json(tasks_dir)
    data["description"] = "9" * 5000
    assert load_task(write(tmp_path, data)).platform_description == "9" * 5000


def test_a_number_too_large_for_a_float_is_still_not_an_integer(tmp_path, tasks_dir):
    data = task_json(tasks_dir)
    data["turtle"]["direction"] = "LONG"
    err = load_error(with_long(write(tmp_path, data), "1e999"))
    assert err.path == "turtle.direction"
    assert err.message == "expected an integer, found a number too large to read"


def test_nan_is_named_as_nan(tmp_path, tasks_dir):
    data = task_json(tasks_dir)
    data["turtle"]["direction"] = "LONG"
    err = load_error(with_long(write(tmp_path, data), "NaN"))
    assert err.message == "expected an integer, found NaN"


@pytest.mark.parametrize(
    ("kind", "task_id", "record", "path"),
    [
        ("worlds", "87", None, "87.world_json.turtle.direction"),
        (
            "goals",
            "10a",
            {"goal": [{"name": "find", "specs": [[[{"count": "LONG"}]]]}]},
            "10a.goal[0].specs[0][0][0].count",
        ),
        (
            "codes",
            "87",
            {"code_json": {"run": [{"type": "repeat", "times": "LONG", "body": []}]}},
            "87.code_json.run[0].times",
        ),
        (
            "constraints",
            "10a",
            {"constraints": [{"exactly": {"fd": "LONG"}}]},
            "10a.constraints[0].exactly.fd",
        ),
    ],
    ids=["worlds", "goals", "codes", "constraints"],
)
def test_a_long_integer_in_an_asset_record_names_its_file_and_path(
    tmp_path, assets_dir, kind, task_id, record, path
):
    if record is None:
        record = json.loads((assets_dir / "xlogomini_worlds.json").read_text())[task_id]
        record["world_json"]["turtle"]["direction"] = "LONG"
    assets = asset_copy(tmp_path, assets_dir, kind, task_id, record)
    with_long(assets / f"xlogomini_{kind}.json")
    err = load_error(assets, task_id)
    assert (err.file, err.path) == (str(assets / f"xlogomini_{kind}.json"), path)
    assert err.message == f"the integer {LONG_SHOWN} is too long (at most 640 digits)"


def test_a_long_integer_in_a_key_of_an_asset_record_the_task_does_not_read_is_an_error(
    tmp_path, assets_dir
):
    record = json.loads((assets_dir / "xlogomini_worlds.json").read_text())["87"]
    record["xlogo_json"] = {"rows": "LONG"}
    assets = asset_copy(tmp_path, assets_dir, "worlds", "87", record)
    with_long(assets / "xlogomini_worlds.json")
    assert load_error(assets, "87").path == "87.xlogo_json.rows"


def test_a_long_integer_in_one_asset_record_leaves_the_other_tasks_loading(tmp_path, assets_dir):
    record = {"constraints": [{"at_most": {"all": "LONG"}}]}
    assets = asset_copy(tmp_path, assets_dir, "constraints", "10a", record)
    with_long(assets / "xlogomini_constraints.json")
    loads = dict(iter_task_loads(assets))
    assert isinstance(loads.pop("10a"), TaskError)
    assert loads and not any(isinstance(t, TaskError) for t in loads.values())


@pytest.mark.parametrize("value", [5, ["Find the lemon."], {"en": "Find the lemon."}])
def test_a_description_that_is_not_text_is_a_task_error_naming_it(tmp_path, tasks_dir, value):
    """It was dropped without a word (the task loaded with no description), and so lost when
    the task was written back."""
    data = task_json(tasks_dir)
    data["description"] = value
    err = load_error(write(tmp_path, data))
    assert err.path == "description"
    assert err.message.startswith("expected a string, found ")


def test_a_null_description_is_no_description(tmp_path, tasks_dir):
    data = task_json(tasks_dir)
    data["description"] = None
    assert load_task(write(tmp_path, data)).platform_description == ""


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


def test_an_abbreviated_key_gets_the_key_it_abbreviates_as_its_hint(tmp_path, tasks_dir):
    data = task_json(tasks_dir, "22")
    data["turtle"]["dir"] = data["turtle"].pop("direction")
    assert load_error(write(tmp_path, data)).hint == "did you mean direction?"


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


# -- misspelt values -----------------------------------------------------------------------------


def example_json(examples_dir: Path, name: str = "find-strawberry") -> dict:
    return json.loads((examples_dir / "tasks" / f"{name}.json").read_text())


def test_a_misspelt_objective_gets_a_hint(tmp_path, examples_dir):
    data = example_json(examples_dir)
    data["goal"][0]["name"] = "fnd"
    err = load_error(write(tmp_path, data))
    assert (err.path, err.hint) == ("goal[0].name", "did you mean find?")


def test_a_long_command_name_in_start_by_gets_its_block_type_as_hint(tmp_path, examples_dir):
    data = example_json(examples_dir)
    data["constraints"] = {"start_by": ["right", "forward"]}
    err = load_error(write(tmp_path, data))
    assert err.path == "constraints.start_by[0]"
    assert err.message == "unknown block type 'right' (use fd, bk, lt, rt, setpc, repeat)"
    assert err.hint == "did you mean rt?"


def test_an_item_colour_in_capitals_gets_its_lower_case_as_hint(tmp_path, examples_dir):
    data = example_json(examples_dir)
    data["items"][0]["color"] = "Red"
    err = load_error(write(tmp_path, data))
    assert (err.path, err.hint) == ("items[0].color", "did you mean red?")


def test_a_letter_in_lower_case_gets_its_capital_as_hint(tmp_path, examples_dir):
    data = example_json(examples_dir)
    data["items"][0] = {"x": 1, "y": 0, "name": "a", "color": "black", "count": 1}
    err = load_error(write(tmp_path, data))
    assert err.path == "items[0].name"
    assert err.hint == "did you mean A? (letters are in upper case)"


def test_an_unknown_name_in_a_goal_lists_the_names_a_goal_can_use(tmp_path, examples_dir):
    data = example_json(examples_dir)
    data["goal"][0]["specs"] = [[[{"name": "strawbery"}]]]
    err = load_error(write(tmp_path, data))
    assert err.path == "goal[0].specs[0][0][0].name"
    assert err.message == (
        "unknown item name 'strawbery' (items are strawberry, lemon, triangle, rectangle, "
        "cross, circle and the letters A-Z; noname is an empty cell)"
    )
    assert err.hint == "did you mean strawberry?"


def test_a_direction_written_as_a_word_is_answered_with_the_numbers(tmp_path, examples_dir):
    data = example_json(examples_dir)
    data["turtle"]["direction"] = "north"
    err = load_error(write(tmp_path, data))
    assert err.path == "turtle.direction"
    assert err.hint == "a direction is 0 north (up), 1 east, 2 south or 3 west"


def test_a_diagonal_line_is_named_by_its_ends_with_the_two_lines_that_draw_them(
    tmp_path, examples_dir
):
    data = example_json(examples_dir, "draw-flag")
    data["lines"][0].update(x1=0, y1=0, x2=2, y2=1)
    err = load_error(write(tmp_path, data))
    assert err.path == "lines[0]"
    assert err.message == "a line must be horizontal or vertical, and (0,0)-(2,1) is diagonal"
    assert err.hint == (
        "draw it as two lines, (0,0)-(2,0) and (2,0)-(2,1), or correct the end mistyped"
    )


def test_an_item_off_the_grid_is_answered_with_the_grid_the_tiles_make(tmp_path, examples_dir):
    """find-strawberry is 3 x 3: a teacher's x of 3 is a tile forgotten or a slip of the key."""
    data = example_json(examples_dir)
    data["items"][0]["x"] = 3
    err = load_error(write(tmp_path, data))
    assert (err.path, err.message) == ("items[0].x", "3 is out of range (0..2)")
    assert err.hint == (
        "the grid, the bounding box of the tiles, is 3 x 3 (x 0..2, y 0..2): "
        "add the tiles, or put it on one"
    )


def test_a_turtle_off_the_grid_is_answered_with_the_grid_the_tiles_make(tmp_path, examples_dir):
    data = example_json(examples_dir)
    data["turtle"]["y"] = 3
    err = load_error(write(tmp_path, data))
    assert err.path == "turtle.y"
    assert err.hint is not None and err.hint.startswith("the grid, the bounding box of the tiles")


def test_a_tile_without_walls_says_how_to_write_none(tmp_path, examples_dir):
    data = example_json(examples_dir)
    del data["tiles"][0]["walls"]
    err = load_error(write(tmp_path, data))
    assert (err.path, err.message) == ("tiles[0]", "missing key 'walls'")
    assert err.hint == 'write "walls": {} for a tile without walls'


# -- a directory missing a file, a record or a unique id ------------------------------------------


def test_an_asset_directory_without_its_worlds_file_is_named_so_not_read_as_task_files(
    tmp_path, assets_dir
):
    assets = tmp_path / "assets"
    shutil.copytree(assets_dir, assets)
    (assets / "xlogomini_worlds.json").unlink()
    for load in (lambda: load_task(assets, "87"), lambda: list(iter_task_loads(assets))):
        with pytest.raises(TaskError) as info:
            load()
        assert (info.value.file, info.value.path) == (str(assets), None)
        assert info.value.message == "the asset directory has no xlogomini_worlds.json"
        assert "it has xlogomini_codes.json, xlogomini_constraints.json" in info.value.hint


def asset_copy_without(tmp_path: Path, assets_dir: Path, kind: str, task_id: str) -> Path:
    """A copy of the asset directory whose `kind` file has no record for `task_id`."""
    out = tmp_path / "assets"
    shutil.copytree(assets_dir, out)
    f = out / f"xlogomini_{kind}.json"
    f.chmod(0o644)
    data = json.loads(f.read_text())
    del data[task_id]
    f.write_text(json.dumps(data))
    return out


@pytest.mark.parametrize(
    ("kind", "record"), [("worlds", "world"), ("goals", "goal"), ("constraints", "constraints")]
)
def test_a_task_missing_a_required_record_is_the_same_error_in_a_batch_and_by_id(
    tmp_path, assets_dir, kind, record
):
    """A dropped task would change every figure of a batch, so it comes as its error."""
    assets = asset_copy_without(tmp_path, assets_dir, kind, "8")
    loads = dict(iter_task_loads(assets))
    assert list(loads) == list(dict(iter_task_loads(assets_dir)))
    err = loads["8"]
    assert isinstance(err, TaskError)
    assert (err.file, err.message) == (
        str(assets / f"xlogomini_{kind}.json"),
        f"task '8' has no {record} record",
    )
    assert str(load_error(assets, "8")) == str(err)
    with pytest.raises(TaskError, match=f"task '8' has no {record} record"):
        load_tasks(assets)


def test_a_task_without_a_code_record_loads_without_a_solution_everywhere(tmp_path, assets_dir):
    """The code is the reference solution, which the reference's task loader does not read and
    a task file may leave out too: its absence leaves the task a task."""
    assets = asset_copy_without(tmp_path, assets_dir, "codes", "8")
    by_id = {t.id: t for t in load_tasks(assets)}
    assert list(by_id) == task_ids(assets_dir)
    assert by_id["8"].solution is None
    assert load_task(assets, "8").world == by_id["8"].world


def test_complete_only_leaves_out_the_ids_without_all_four_records(tmp_path, assets_dir):
    """The reference's full data has worlds without goals (40b, 120a ...): asked for, they are
    left out, as the reference's own task list leaves them out."""
    assets = asset_copy_without(tmp_path, assets_dir, "goals", "8")
    ids = [t.id for t in load_tasks(assets, complete_only=True)]
    assert "8" not in ids
    assert (
        ids == task_ids(assets, complete_only=True) == [t for t in task_ids(assets_dir) if t != "8"]
    )


def test_two_task_files_with_one_id_are_an_error_naming_both(tmp_path, tasks_dir):
    folder = tmp_path / "folder"
    folder.mkdir()
    for stem in ("4", "87"):
        data = task_json(tasks_dir, stem)
        data["id"] = "same"
        write(folder, data, f"{stem}.json")
    loads = list(iter_task_loads(folder))
    assert [tid for tid, _ in loads] == ["same"]
    err = loads[0][1]
    assert isinstance(err, TaskError)
    assert (err.file, err.message) == (
        str(folder),
        "2 task files hold the id 'same': 4.json, 87.json",
    )
    assert str(load_error(folder, "same")) == str(err)


# -- JSON syntax ----------------------------------------------------------------------------------


def test_a_tab_typed_inside_a_string_is_named_with_how_json_writes_it(tmp_path, tasks_dir):
    """`json` says only "Invalid control character at", and a tab cannot be seen."""
    f = tmp_path / "task.json"
    f.write_text((tasks_dir / "87.json").read_text().replace('"87"', '"8\t7"', 1))
    err = load_error(f)
    assert err.message == "not valid JSON: a tab inside a string, which JSON writes as \\t"
    assert err.line is not None and err.column is not None


def test_a_trailing_comma_is_named_at_the_comma_not_at_the_bracket_lines_below(
    tmp_path, examples_dir
):
    """Python's reader says "Expecting value" at the `]`, on the line after the comma."""
    text = (examples_dir / "tasks" / "find-strawberry.json").read_text()
    f = tmp_path / "task.json"
    f.write_text(text.replace('"count": 1\n  }\n ],', '"count": 1\n  },\n ],', 1))
    err = load_error(f)
    assert err.message == (
        "not valid JSON: a comma after the last element of a list or object "
        "(JSON has none: remove it)"
    )
    line = f.read_text().splitlines()[err.line - 1]
    assert line == "  }," and err.column == 4
    assert err.excerpt == "  },\n   ^"


def test_a_comment_in_a_task_file_is_named_as_one(tmp_path, examples_dir):
    text = (examples_dir / "tasks" / "find-strawberry.json").read_text()
    f = tmp_path / "task.json"
    f.write_text(text.replace("{\n", "{\n // my first task\n", 1))
    err = load_error(f)
    assert (err.line, err.column) == (2, 2)
    assert err.message == "not valid JSON: a comment (JSON has none: remove it)"


def test_a_key_in_single_quotes_is_named_with_the_quotes_json_takes(tmp_path):
    f = tmp_path / "task.json"
    f.write_text("{'turtle': {}}")
    assert load_error(f).message == (
        "not valid JSON: a string in single quotes; JSON writes strings in double quotes"
    )


def test_an_empty_task_file_is_named_as_empty(tmp_path):
    f = tmp_path / "task.json"
    f.write_text("\n")
    assert load_error(f).message == "not valid JSON: no JSON value: the text is empty"


def test_a_task_file_saved_as_utf16_says_to_save_it_as_utf8(tmp_path, examples_dir):
    """Notepad's "Unicode" encoding: every other byte is a NUL."""
    f = tmp_path / "task.json"
    f.write_text((examples_dir / "tasks" / "find-strawberry.json").read_text(), encoding="utf-16")
    assert str(load_error(f)) == (
        f"{f}: cannot read: UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8"
    )


def test_a_task_file_saved_with_windows_line_endings_loads(tmp_path, examples_dir):
    original = examples_dir / "tasks" / "find-strawberry.json"
    f = tmp_path / "find-strawberry.json"
    f.write_bytes(original.read_bytes().replace(b"\n", b"\r\n"))
    assert load_task(f).to_json() == load_task(original).to_json()


# -- one tile and one item per cell --------------------------------------------------------------


def test_a_second_item_on_a_cell_is_an_error_naming_both_entries(tmp_path, examples_dir):
    # the reference keeps the later item, so the strawberry the task asks for would vanish
    data = json.loads((examples_dir / "tasks" / "find-strawberry.json").read_text())
    data["items"].append({"x": 1, "y": 0, "name": "lemon", "color": "yellow", "count": 1})
    err = load_error(write(tmp_path, data))
    assert (err.file, err.path) == (str(tmp_path / "task.json"), "items[1]")
    assert "a second item on cell (1,0), where items[0] is already" in err.message


def test_a_second_tile_on_a_cell_is_an_error_naming_both_entries(tmp_path, examples_dir):
    data = json.loads((examples_dir / "tasks" / "find-strawberry.json").read_text())
    data["tiles"].append({"x": 1, "y": 1, "allowed": True, "walls": {}})  # its walls would vanish
    err = load_error(write(tmp_path, data))
    assert err.path == "tiles[9]"
    assert "a second tile on cell (1,1), where tiles[4] is already" in err.message


def test_a_constraints_list_of_two_objects_is_an_error_not_a_task_without_rules(
    tmp_path, examples_dir
):
    # the reference reads any list but a one-element one as "no constraints"
    data = json.loads((examples_dir / "tasks" / "start-by-turning.json").read_text())
    data["constraints"] = [{"start_by": ["rt", "fd"]}, {"exactly": {"bk": 0}}]
    err = load_error(write(tmp_path, data))
    assert (err.file, err.path) == (str(tmp_path / "task.json"), "constraints[1]")
    assert "holds at most one object, found 2" in err.message


def test_an_unknown_line_colour_lists_the_pen_colours_by_name_and_hex_code(tmp_path, examples_dir):
    # a name is accepted too (README), so the message offers both forms
    data = json.loads((examples_dir / "tasks" / "draw-flag.json").read_text())
    data["lines"][0]["color"] = "purple"
    err = load_error(write(tmp_path, data))
    assert err.path == "lines[0].color"
    assert "red #D60000" in err.message and "white #FFFFFF" in err.message


def test_a_mistake_in_a_solution_written_as_text_is_named_at_its_line_in_the_solution(
    tmp_path, examples_dir
):
    """The JSON path of a mistake in a code-JSON solution is named (`run[0]`); one in program
    text must be found as easily, by the line and column of the solution's text."""
    data = json.loads((examples_dir / "tasks" / "find-strawberry.json").read_text())
    data["solution"] = "fd\nrt\nfd jump"
    err = load_error(write(tmp_path, data))
    assert err.path == "solution"
    assert "line 3, column 4: unknown command 'jump'" in err.message


def test_a_task_with_two_different_reference_solutions_is_an_error_at_code(tmp_path, examples_dir):
    """`solution` (xlogo's key) and `code` (the asset layout's) both name the reference solution:
    reading one and dropping the other would score against a program nobody chose."""
    data = json.loads((examples_dir / "tasks" / "find-strawberry.json").read_text())
    data["code"] = "fd rt fd"
    err = load_error(write(tmp_path, data))
    assert err.path == "code"
    assert "both 'solution' and 'code'" in err.message


def test_a_task_with_one_reference_solution_in_two_forms_loads(tmp_path, examples_dir):
    data = json.loads((examples_dir / "tasks" / "find-strawberry.json").read_text())
    data["code"] = "fd fd\nrt fd"  # the text form of its code-JSON solution
    task = load_task(write(tmp_path, data))
    assert task.solution is not None and run(task, task.solution).solved


def test_a_null_solution_beside_a_code_reads_the_code(tmp_path, examples_dir):
    data = json.loads((examples_dir / "tasks" / "find-strawberry.json").read_text())
    data["code"], data["solution"] = data["solution"], None
    task = load_task(write(tmp_path, data))
    assert task.solution is not None and run(task, task.solution).solved
