"""Loading tasks: both layouts, validation errors that name the JSON path, documented meanings,
and the project's own example tasks, programs and predictions."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from core_helpers import lemon_behind_wall, lit, make_task, objective

from xlogo_lang import TaskError, load_task, load_tasks, parse, run
from xlogo_lang.cli import main as cli_main
from xlogo_lang.errors import TaskWarning
from xlogo_lang.extract import extract_program
from xlogo_lang.tasks import iter_task_loads, task_from_dict, task_ids

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXAMPLE_TASKS = sorted((EXAMPLES / "tasks").glob("*.json"))
EXAMPLE_PROGRAMS = sorted((EXAMPLES / "programs").glob("*.xlogo"))


def read(tasks_dir: Path, task_id: str) -> dict:
    return json.loads((tasks_dir / f"{task_id}.json").read_text())


def load_error(data: dict) -> TaskError:
    with pytest.raises(TaskError) as info:
        task_from_dict(data, file="task.json")
    return info.value


# -- the two layouts ----------------------------------------------------------------------------


def test_a_task_file_loads_with_its_id_world_goal_and_constraints(tasks_dir):
    task = load_task(tasks_dir / "87.json")
    assert task.id == "87"
    assert (task.world.rows, task.world.cols) == (3, 4)
    assert task.kind == "find"
    assert task.constraints.at_most == {"all": 6}
    assert task.source == str(tasks_dir / "87.json")


def test_a_task_of_an_asset_directory_loads_by_id_with_its_solution(assets_dir):
    task = load_task(assets_dir, "87")
    assert task.id == "87"
    assert task.solution == parse("fd rt repeat(3){fd} rt fd")


def test_an_unknown_task_id_is_quoted_short(assets_dir, tasks_dir):
    """An id of 100,000 characters (a script's mistake) made a 100 KB error message."""
    for source in (assets_dir, tasks_dir):
        with pytest.raises(TaskError) as info:
            load_task(source, "x" * 100_000)
        assert len(str(info.value)) < 300


@pytest.mark.parametrize("where", ["assets_dir", "tasks_dir"])
@pytest.mark.parametrize(
    ("task_id", "hint"),
    [("10", "did you mean 10a or 10b?"), ("10A", "did you mean 10a?"), ("87a", "did you mean 87?")],
)
def test_an_unknown_task_id_names_the_ids_it_was_likely_meant_for(request, where, task_id, hint):
    """A split task's number alone (`10` for 10a and 10b), another case or a suffix too many."""
    with pytest.raises(TaskError) as caught:
        load_task(request.getfixturevalue(where), task_id)
    assert caught.value.hint == hint


def test_an_unknown_task_id_near_other_ids_gets_no_hint(assets_dir):
    """68 is no 67 mistyped: a near number is another task, so none is offered."""
    with pytest.raises(TaskError) as caught:
        load_task(assets_dir, "68")
    assert caught.value.hint is None


def test_a_directory_without_a_task_id_is_a_task_error(tasks_dir):
    with pytest.raises(TaskError, match="needs a task id"):
        load_task(tasks_dir)


def test_an_unknown_task_id_is_a_task_error(assets_dir, tasks_dir):
    with pytest.raises(TaskError, match="no task with id '999'"):
        load_task(assets_dir, "999")
    with pytest.raises(TaskError, match="no task with id '999'"):
        load_task(tasks_dir, "999")


def test_a_missing_file_is_a_task_error(tmp_path):
    with pytest.raises(TaskError, match="no such file"):
        load_task(tmp_path / "nope.json")


def test_every_task_lister_names_a_missing_path_alike(tmp_path):
    """`task_ids` lists what `iter_task_loads` yields: for a missing path, not an empty list."""
    missing = tmp_path / "nope"
    for lister in (task_ids, load_tasks, lambda p: list(iter_task_loads(p))):
        with pytest.raises(TaskError, match="no such file or directory"):
            lister(missing)


@pytest.mark.parametrize("fn", [load_task, load_tasks, task_ids])
def test_a_task_path_that_is_not_a_path_is_a_type_error_naming_the_function(fn):
    with pytest.raises(TypeError, match=f"{fn.__name__} expects a path .* got NoneType"):
        fn(None)


def test_a_task_file_cut_short_is_an_error_at_the_end_of_its_last_line(tmp_path):
    """Python's JSON reader puts it on the empty line after the final newline, which no editor
    shows."""
    f = tmp_path / "cut.json"
    f.write_text('{\n  "tiles": [\n')
    with pytest.raises(TaskError) as info:
        load_task(f)
    assert (info.value.line, info.value.column) == (2, 13)


def test_invalid_json_is_a_task_error_with_line_and_column(tmp_path):
    f = tmp_path / "bad.json"
    f.write_text('{\n  "tiles": [,]\n}')
    with pytest.raises(TaskError) as info:
        load_task(f)
    assert (info.value.line, info.value.column) == (2, 13)
    assert str(info.value).startswith(f"{f}: line 2, column 13: not valid JSON")


def test_a_task_file_saved_with_a_byte_order_mark_loads(tmp_path, examples_dir):
    """Windows Notepad saves UTF-8 with a mark in front; json.loads alone refuses it."""
    original = examples_dir / "tasks" / "find-strawberry.json"
    f = tmp_path / "find-strawberry.json"
    f.write_bytes(b"\xef\xbb\xbf" + original.read_bytes())
    assert load_task(f).to_json() == load_task(original).to_json()


def test_a_file_nested_too_deeply_is_a_task_error(tmp_path):
    f = tmp_path / "deep.json"
    f.write_text("[" * 100_000)
    with pytest.raises(TaskError, match="nested too deeply"):
        load_task(f)


def test_task_ids_are_sorted_numerically_then_by_suffix(assets_dir):
    ids = task_ids(assets_dir)
    assert ids[:3] == ["1", "2", "4"]
    assert ids.index("9a") < ids.index("10a") < ids.index("10b") < ids.index("11")


def test_a_folder_of_task_files_loads_in_id_order(tasks_dir):
    ids = [t.id for t in load_tasks(tasks_dir)]
    assert ids == task_ids(tasks_dir)


@pytest.mark.parametrize("task_id", ["22", "64", "87", "9a"])
def test_a_task_written_back_to_json_loads_to_the_same_task(tasks_dir, task_id):
    task = load_task(tasks_dir / f"{task_id}.json")
    again = task_from_dict(json.loads(json.dumps(task.to_json())), file=task.source)
    assert (again.id, again.world, again.goal, again.constraints) == (
        task.id,
        task.world,
        task.goal,
        task.constraints,
    )


@pytest.mark.parametrize("layout", ["assets", "tasks"])
def test_every_real_task_written_back_is_the_same_task_with_the_same_verdicts(
    layout, assets_dir, tasks_dir, oracle_cases
):
    """`xlogo export` writes `Task.to_json`: read back, every real task of either layout is the
    task it was, described alike, and judges every oracle program as the reference does."""
    path = assets_dir if layout == "assets" else tasks_dir
    programs: dict[str, list[tuple[str, dict]]] = {}
    for case in oracle_cases:
        programs.setdefault(case["task_id"], []).append((case["program"], case["expect"]))
    checked = 0
    for tid, task in iter_task_loads(path):
        assert not isinstance(task, TaskError), tid  # the house tasks load as decorations
        again = task_from_dict(json.loads(json.dumps(task.to_json())), file=task.source)
        assert again == task and again.description == task.description, tid
        for text, expect in programs.get(tid, []):
            verdicts = (run(task, text).reference_dict(), run(again, text).reference_dict())
            assert verdicts[0] == verdicts[1] == {k: expect[k] for k in verdicts[0]}, (tid, text)
            checked += 1
    assert checked > 1000


def test_a_task_read_from_elsewhere_is_the_same_task_equal_and_hashing_equal(tasks_dir):
    task = load_task(tasks_dir / "1.json")
    again = task_from_dict(task.to_json())  # read from no file: its source differs
    assert again.source != task.source
    assert again == task and hash(again) == hash(task)


# -- validation ---------------------------------------------------------------------------------


def test_an_unknown_wall_side_names_the_tile_and_the_side(tasks_dir):
    data = read(tasks_dir, "22")
    data["tiles"][3]["walls"] = {"lft": True}
    assert "tiles[3].walls.lft: unknown wall side" in str(load_error(data))


def test_a_null_wall_is_no_wall_as_the_reference_writes_it_on_holes(tasks_dir):
    data = read(tasks_dir, "22")
    raw = data["tiles"][3]
    raw["walls"] = {"top": None, "left": True}
    world = task_from_dict(data).world
    (tile,) = (t for t in world.tiles if (t.x, t.y) == (raw["x"], raw["y"]))
    assert tile.walls == frozenset({"left"})


def test_an_unknown_item_names_its_path(tasks_dir):
    data = read(tasks_dir, "22")
    data["items"][2]["name"] = "banana"
    err = load_error(data)
    assert err.path == "items[2].name"
    assert "unknown item 'banana'" in err.message


def test_a_missing_key_is_named(tasks_dir):
    data = read(tasks_dir, "22")
    del data["tiles"][0]["allowed"]
    err = load_error(data)
    assert err.path == "tiles[0]"
    assert "missing key 'allowed'" in err.message


def test_a_value_of_the_wrong_type_is_named(tasks_dir):
    data = read(tasks_dir, "22")
    data["turtle"]["direction"] = "north"
    err = load_error(data)
    assert err.path == "turtle.direction"
    assert "expected an integer" in err.message


def test_a_diagonal_line_is_rejected(tasks_dir):
    data = read(tasks_dir, "64")
    data["lines"][0].update(x1=0, y1=0, x2=1, y2=1)
    err = load_error(data)
    assert err.path == "lines[0]"
    assert "horizontal or vertical" in err.message


def test_a_line_colour_outside_the_palette_is_rejected(tasks_dir):
    data = read(tasks_dir, "64")
    data["lines"][0]["color"] = "#123456"
    assert load_error(data).path == "lines[0].color"


def asset_dir_with_a_broken_wall_in_87(tmp_path: Path, assets_dir: Path) -> Path:
    for name in ("goals", "codes", "constraints"):
        f = f"xlogomini_{name}.json"
        (tmp_path / f).write_text((assets_dir / f).read_text())
    worlds = json.loads((assets_dir / "xlogomini_worlds.json").read_text())
    worlds["87"]["world_json"]["tiles"][0]["walls"] = {"up": True}
    (tmp_path / "xlogomini_worlds.json").write_text(json.dumps(worlds))
    return tmp_path


def test_errors_in_the_asset_layout_name_the_task_in_the_path(tmp_path, assets_dir):
    with pytest.raises(TaskError) as info:
        load_task(asset_dir_with_a_broken_wall_in_87(tmp_path, assets_dir), "87")
    assert info.value.path == "87.world_json.tiles[0].walls.up"


def test_a_broken_task_of_an_asset_directory_comes_as_its_error_among_the_others(
    tmp_path, assets_dir
):
    loads = dict(iter_task_loads(asset_dir_with_a_broken_wall_in_87(tmp_path, assets_dir)))
    assert isinstance(loads["87"], TaskError)
    assert loads["87"].path == "87.world_json.tiles[0].walls.up"
    assert list(loads) == task_ids(assets_dir)
    assert all(not isinstance(t, TaskError) for tid, t in loads.items() if tid != "87")


# -- documented meanings ------------------------------------------------------------------------


def test_house_items_load_as_off_catalogue_decorations(tasks_dir):
    task = load_task(tasks_dir / "110.json")
    (house,) = task.world.items.values()
    assert house.name == "house"
    assert not house.in_catalogue


@pytest.mark.parametrize("task_id", ["110", "111", "112"])
def test_house_tasks_are_solved_by_their_reference_solutions(assets_dir, real_tasks, task_id):
    solution = load_task(assets_dir, task_id).solution
    assert run(real_tasks[task_id], solution).solved


def test_an_off_catalogue_item_makes_a_non_draw_goal_false():
    task = make_task(
        items=[(1, 0, "house", "blue", 1), (2, 0, "strawberry", "red", 1)],
        goal=[objective("find", [[lit(name="strawberry")]])],
    )
    verdict = run(task, "fd fd")
    assert verdict.goal_ok is False
    assert "outside the catalogue" in verdict.reason


def test_an_off_catalogue_item_makes_even_an_empty_goal_false():
    """SEMANTICS quirk 13 (an item outside the catalogue makes every non-draw goal false) wins
    over quirk 14 (`goal: []` always holds): the reference adds the catalogue rule to every
    non-draw goal, the empty one included."""
    task = make_task(items=[(1, 0, "house", "blue", 1)], goal=[])
    verdict = run(task, "")
    assert verdict.goal_ok is False
    assert "outside the catalogue" in verdict.reason


def test_a_null_goal_means_draw(tasks_dir):
    data = read(tasks_dir, "51")
    data["goal"] = None
    task = task_from_dict(data)
    assert task.kind == "draw"
    assert run(task, "repeat(4){fd rt}").solved


def test_a_task_file_without_a_goal_key_is_an_error_naming_it(tasks_dir):
    """`null` is the documented drawing; a missing key is a slip, not an empty picture."""
    data = read(tasks_dir, "51")
    del data["goal"]
    with pytest.raises(TaskError, match="missing key 'goal'") as info:
        task_from_dict(data, file="51.json")
    assert info.value.file == "51.json"


def test_neg_1_negates_a_literal():
    # find a circle that is not red: the red one does not count, the blue one does
    goal = [objective("find", [[lit(color="red", neg=1)], [lit(name="circle")]])]
    task = make_task(
        1,
        3,
        turtle=(0, 0, 1),
        items=[(1, 0, "circle", "red", 1), (2, 0, "circle", "blue", 1)],
        goal=goal,
    )
    assert run(task, "fd").goal_ok is False
    assert run(task, "fd fd").goal_ok is True


def test_an_empty_constraint_list_means_no_constraints():
    # a list of several elements, which the reference also reads as none, is a TaskError
    # (test_task_errors.py): every rule in it would be dropped without a word
    task = make_task(constraints=[])
    assert not task.constraints
    assert run(task, "fd fd").constraints_ok is True


def test_a_constraint_list_of_one_element_stands_for_that_element():
    task = make_task(constraints=[{"at_most": {"all": 1}}])
    assert run(task, "fd fd").constraints_ok is False


def test_at_least_which_the_reference_ignores_is_a_task_error():
    with pytest.raises(TaskError) as info:
        make_task(constraints={"at_least": {"all": 5}, "at_most": {"all": 3}})
    assert info.value.path == "constraints.at_least"
    assert "use exactly" in info.value.hint


def test_a_start_by_longer_than_the_program_is_violated_not_an_exception():
    task = make_task(constraints={"start_by": ["fd", "fd", "rt"]})
    verdict = run(task, "fd fd")
    assert verdict.constraints_ok is False
    assert "only 2 top-level blocks" in verdict.reason


def test_the_grid_is_the_bounding_box_of_the_listed_tiles_and_holes_are_missing_tiles():
    task = make_task(2, 3, missing=((1, 0),))
    world = task.world
    assert (world.rows, world.cols) == (2, 3)
    hole = world.tiles[world.index(1, 0)]
    assert (hole.allowed, hole.exist) == (False, False)


# -- one-way walls: legal, loaded as written, and warned about -----------------------------------

NO_TASK_WARNING = "error::xlogo_lang.errors.TaskWarning"


@pytest.mark.filterwarnings("error")
def test_every_real_task_loads_without_a_warning(tasks_dir, assets_dir):
    assert load_tasks(tasks_dir) and load_tasks(assets_dir)


def test_a_wall_written_on_one_tile_only_warns_naming_file_tile_and_side(tmp_path):
    f = lemon_behind_wall(tmp_path, left_wall_on_1_1=False)
    with pytest.warns(TaskWarning) as caught:
        load_task(f)
    (warning,) = caught
    assert str(warning.message) == (
        f"{f}: task 'lemon-behind-wall' has a one-way wall: tile (0,1) has a wall on its right "
        "side, but its neighbour (1,1) has none on its left side, so the wall stops moves from "
        "(0,1) to (1,1) and not back\n"
        'hint: a wall between two tiles is written on both: add "left": true to the walls of '
        "(1,1), or remove this one"
    )


@pytest.mark.parametrize("loader", [load_task, lambda f: load_tasks(f.parent)])
def test_a_one_way_wall_warning_points_at_the_callers_line(tmp_path, loader):
    """Python prints a warning with the file and line it is given: the script's line that
    loaded the task, not a line inside xlogo (whose source line says nothing of the task)."""
    f = lemon_behind_wall(tmp_path, left_wall_on_1_1=False)
    with pytest.warns(TaskWarning) as caught:
        loader(f)
    assert caught[0].filename == __file__


def test_a_one_way_wall_keeps_its_meaning(tmp_path):
    with pytest.warns(TaskWarning):
        task = load_task(lemon_behind_wall(tmp_path, left_wall_on_1_1=False))
    assert run(task, parse("fd rt fd")).crash.kind == "wall"  # from (0,1): stopped
    back = run(task, parse("fd fd rt fd rt fd rt fd"))  # round to (1,1), then west: through
    assert back.crash is None and back.execution.cells[-1] == task.world.index(0, 1)


@pytest.mark.filterwarnings(NO_TASK_WARNING)
def test_the_wall_written_on_both_tiles_loads_without_a_warning(tmp_path):
    assert load_task(lemon_behind_wall(tmp_path, left_wall_on_1_1=True))


def test_a_one_way_wall_of_an_asset_record_names_the_worlds_file_and_the_record(
    tmp_path, assets_dir
):
    out = tmp_path / "assets"
    shutil.copytree(assets_dir, out)
    worlds = json.loads((out / "xlogomini_worlds.json").read_text())
    tiles = worlds["15"]["world_json"]["tiles"]
    (upper,) = (t for t in tiles if (t["x"], t["y"]) == (1, 0))
    assert upper["walls"].pop("bottom")  # (1,1) keeps its top wall
    (out / "xlogomini_worlds.json").write_text(json.dumps(worlds))
    with pytest.warns(TaskWarning) as caught:
        load_task(out, "15")
    (warning,) = caught
    assert str(warning.message).startswith(
        f"{out / 'xlogomini_worlds.json'}: 15.world_json: task '15' has a one-way wall: "
        "tile (1,1) has a wall on its top side"
    )


@pytest.mark.filterwarnings(NO_TASK_WARNING)
@pytest.mark.parametrize(
    "walls",
    [
        {(0, 1): ["right"], (1, 1): ["left"]},  # written on both tiles
        {(0, 0): ["top", "left"], (2, 2): ["right", "bottom"]},  # on the grid's edge
        {(0, 1): ["bottom"], (1, 2): ["left"]},  # facing the forbidden cell (0,2)
        {(1, 0): ["right"]},  # facing the hole (2,0)
        {(1, 1): ["top", "right", "bottom", "left"]},  # walling the turtle in: no run gets out
    ],
)
def test_a_wall_no_run_can_cross_the_other_way_does_not_warn(walls):
    task = make_task(turtle=(1, 1, 0), walls=walls, forbidden=((0, 2),), missing=((2, 0),))
    assert task.world.one_way_walls() == []


def test_a_wall_facing_the_turtles_start_warns_even_on_a_forbidden_cell():
    """The turtle stands on its start cell whatever the cell is, so it can move out that way."""
    with pytest.warns(TaskWarning, match=r"tile \(1,0\) has a wall on its left side"):
        make_task(turtle=(0, 0, 1), walls={(1, 0): ["left"]}, forbidden=((0, 0),))


def test_many_one_way_walls_make_one_warning_that_names_a_few_and_counts_the_rest():
    top_row_right = {(x, 0): ["right"] for x in range(63)}  # the bottom row leads round them
    with pytest.warns(TaskWarning) as caught:
        make_task(rows=2, cols=64, walls=top_row_right)
    (warning,) = caught
    message = str(warning.message)
    assert "has 63 one-way walls: (0,0) right, (1,0) right, " in message
    assert " and 58 more; " in message and len(message) < 500


# -- the examples -------------------------------------------------------------------------------


def test_there_are_example_tasks_and_programs():
    assert len(EXAMPLE_TASKS) >= 9
    assert (EXAMPLES / "tasks" / "find-strawberry.json").exists()
    assert (EXAMPLES / "programs" / "find-strawberry.xlogo").exists()


@pytest.mark.parametrize("path", EXAMPLE_TASKS, ids=lambda p: p.stem)
def test_each_example_task_loads_and_its_solution_solves_it(path):
    task = load_task(path)
    assert task.id == path.stem
    assert task.solution is not None
    assert run(task, task.solution).solved


@pytest.mark.parametrize("path", EXAMPLE_PROGRAMS, ids=lambda p: p.name)
def test_each_example_program_solves_its_task(path):
    task = load_task(EXAMPLES / "tasks" / f"{path.name.split('.')[0]}.json")
    verdict = run(task, parse(path.read_text(), filename=str(path)))
    assert verdict.solved, verdict.reason


def test_the_canonical_example_programs_are_the_task_solutions_in_canonical_text():
    from xlogo_lang.printer import to_text

    for path in EXAMPLE_TASKS:
        task = load_task(path)
        program = EXAMPLES / "programs" / f"{path.stem}.xlogo"
        assert program.read_text() == to_text(task.solution), path.stem


def test_the_examples_cover_every_goal_kind_and_constraint():
    tasks = [load_task(p) for p in EXAMPLE_TASKS]
    assert {"find", "findonly", "collectall", "sum", "concat", "draw"} <= {t.kind for t in tasks}
    assert any("forbid" in t.goal.kinds and t.kind == "find" for t in tasks)
    assert any(len(t.world.line_colors) > 1 for t in tasks)
    assert any(t.constraints.at_most and "repeat" in str(t.solution) for t in tasks)
    assert any(t.constraints.start_by and t.constraints.exactly for t in tasks)
    assert any(any(tile.walls for tile in t.world.tiles if tile.allowed) for t in tasks)
    assert any(not all(t.world.allowed) for t in tasks if not t.goal.is_draw)


def test_the_examples_include_an_exact_count_that_asks_for_a_block():
    """`exactly {"bk": 0}` is a ban; an exact count above zero is the other use of `exactly`."""
    tasks = [load_task(p) for p in EXAMPLE_TASKS]
    assert any(any(n > 0 for n in t.constraints.exactly.values()) for t in tasks)


def test_the_examples_include_logo_style_python_style_and_commented_programs():
    names = {p.name for p in EXAMPLE_PROGRAMS}
    assert any(".logo." in n for n in names)
    assert any(".commented." in n for n in names)
    assert any(".python." in n for n in names)


def test_the_examples_do_not_carry_the_platform_records():
    for path in [*EXAMPLE_TASKS, EXAMPLES / "predictions.jsonl"]:
        assert "xlogo" + "_json" not in path.read_text()


def test_the_example_predictions_are_model_like_replies_over_the_example_tasks():
    ids = {p.stem for p in EXAMPLE_TASKS}
    records = [
        json.loads(line) for line in (EXAMPLES / "predictions.jsonl").read_text().splitlines()
    ]
    assert len(records) >= 10
    assert all(set(r) == {"task_id", "response"} and r["task_id"] in ids for r in records)
    tasks = {p.stem: load_task(p) for p in EXAMPLE_TASKS}
    sources, outcomes = set(), set()
    for r in records:
        found = extract_program(r["response"])
        sources.add(found.source)
        outcomes.add(found.program is not None and run(tasks[r["task_id"]], found.program).solved)
    assert {"fenced", "json", "lines", "none"} <= sources
    assert outcomes == {True, False}


def test_a_mutated_example_is_still_validated(tmp_path):
    data = json.loads((EXAMPLES / "tasks" / "find-strawberry.json").read_text())
    bad = copy.deepcopy(data)
    bad["solution"] = {"run": [{"type": "repeat", "times": 20, "body": []}]}
    err = load_error(bad)
    assert err.path == "solution"
    assert "outside 1..12" in err.message


# -- which ids a directory holds, and how an id is looked up --------------------------------------


def test_an_asset_task_has_the_id_it_is_keyed_by_whatever_its_world_record_says(
    tmp_path, assets_dir
):
    """The key joins the four files, so it is the id; the reference ignores the record's own."""
    out = tmp_path / "assets"
    shutil.copytree(assets_dir, out)
    f = out / "xlogomini_worlds.json"
    f.chmod(0o644)
    worlds = json.loads(f.read_text())
    worlds["87"]["world_json"]["id"] = "eighty-seven"
    f.write_text(json.dumps(worlds))
    assert load_task(out, "87").id == "87"
    assert [tid for tid, _ in iter_task_loads(out)] == task_ids(assets_dir)


def task_folder(tmp_path: Path, tasks_dir: Path, ids: dict[str, str]) -> Path:
    """A folder of real task files: `ids` maps a file name to the id written inside it."""
    out = tmp_path / "folder"
    out.mkdir()
    for stem, inner in ids.items():
        data = read(tasks_dir, stem)
        data["id"] = inner
        (out / f"{stem}.json").write_text(json.dumps(data))
    return out


def test_a_task_file_is_listed_by_its_own_id_and_loads_by_it_or_by_its_file_name(
    tmp_path, tasks_dir
):
    folder = task_folder(tmp_path, tasks_dir, {"4": "walled", "87": "87"})
    assert [tid for tid, _ in iter_task_loads(folder)] == task_ids(folder) == ["87", "walled"]
    assert load_task(folder, "walled").id == "walled"
    assert load_task(folder, "4").id == "walled"
    assert load_task(folder / "4.json", "4").id == "walled"
    assert load_task(folder / "4.json", "walled").id == "walled"


def test_a_task_id_wins_over_another_files_name(tmp_path, tasks_dir):
    """Every id a batch lists must load that very task, so an id is looked up before a name."""
    folder = task_folder(tmp_path, tasks_dir, {"4": "walled", "87": "4"})
    assert task_ids(folder) == ["4", "walled"]
    assert load_task(folder, "4").source == str(folder / "87.json")
    assert load_task(folder, "walled").source == str(folder / "4.json")


def test_a_broken_task_file_is_listed_and_looked_up_by_its_own_id(tmp_path, tasks_dir):
    folder = task_folder(tmp_path, tasks_dir, {"4": "walled", "87": "87"})
    data = json.loads((folder / "4.json").read_text())
    data["tiles"][0]["walls"] = {"up": True}
    (folder / "4.json").write_text(json.dumps(data))
    loads = dict(iter_task_loads(folder))
    assert isinstance(loads["walled"], TaskError)
    with pytest.raises(TaskError) as info:
        load_task(folder, "walled")
    assert str(info.value) == str(loads["walled"])


# -- task records in JSON Lines ------------------------------------------------------------------


def _records_file(tmp_path: Path, lines: list[str]) -> Path:
    f = tmp_path / "tasks.jsonl"
    f.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return f


def _line(tasks_dir: Path, tid: str, **changes: object) -> str:
    return json.dumps({**read(tasks_dir, tid), **changes})


def test_a_jsonl_file_of_task_records_is_a_task_set(tasks_dir, tmp_path):
    f = _records_file(tmp_path, [_line(tasks_dir, "87"), _line(tasks_dir, "22")])
    assert task_ids(f) == ["87", "22"]
    assert [t.id for t in load_tasks(f)] == ["87", "22"]
    assert load_task(f, "22").id == "22" and run(load_task(f, "87"), "fd").crashed in (True, False)


def test_a_broken_record_is_its_own_error_naming_the_line(tasks_dir, tmp_path):
    f = _records_file(tmp_path, [_line(tasks_dir, "87"), "{not json", _line(tasks_dir, "22")])
    loads = dict(iter_task_loads(f))
    assert list(loads) == ["87", "line 2", "22"]
    err = loads["line 2"]
    assert isinstance(err, TaskError) and (err.file, err.line) == (str(f), 2)


def test_a_task_file_given_as_json_lines_is_named_for_what_it_is(tasks_dir, tmp_path):
    f = tmp_path / "tasks.jsonl"
    f.write_text(json.dumps(read(tasks_dir, "87"), indent=2), encoding="utf-8")
    with pytest.raises(TaskError) as info:
        load_task(f)
    assert (info.value.file, info.value.line) == (str(f), 1)
    assert "one JSON document over several lines" in info.value.hint


def test_several_records_need_an_id_even_when_the_first_is_broken_with_a_hint(tasks_dir, tmp_path):
    typo = _line(tasks_dir, "87", constraints={"atmost": {"all": 3}})  # "did you mean at_most?"
    f = _records_file(tmp_path, [typo, _line(tasks_dir, "22")])
    with pytest.raises(TaskError, match="needs a task id"):
        load_task(f)


def test_a_record_repeating_an_id_is_left_out_as_the_generator_leaves_it(tasks_dir, tmp_path):
    f = _records_file(tmp_path, [_line(tasks_dir, "87"), _line(tasks_dir, "22", id="87")])
    assert (
        task_ids(f) == ["87"] and load_task(f, "87").world == load_task(tasks_dir / "87.json").world
    )


def test_a_record_repeating_a_tasks_hash_is_left_out_as_the_generator_leaves_it(
    tasks_dir, tmp_path
):
    first = _line(tasks_dir, "87", id="a", hash="h1")
    f = _records_file(tmp_path, [first, _line(tasks_dir, "87", id="b", hash="h1")])
    assert task_ids(f) == ["a"]


@pytest.mark.parametrize("text", ["", "\n\n"])
def test_a_records_file_without_records_is_refused_as_a_set_too(tmp_path, text):
    """As a folder without task files is: `xlogo solve empty.jsonl` said "0/0 solved", exit 0."""
    f = tmp_path / "empty.jsonl"
    f.write_text(text)
    with pytest.raises(TaskError, match="no task records in it"):
        list(iter_task_loads(f))


def test_solve_of_a_records_file_without_records_exits_2(tmp_path, capsys):
    f = tmp_path / "empty.jsonl"
    f.write_text("")
    assert cli_main(["solve", str(f)]) == 2
    assert "no task records in it" in capsys.readouterr().err


def test_a_records_file_of_several_tasks_needs_an_id(tasks_dir, tmp_path):
    f = _records_file(tmp_path, [_line(tasks_dir, "87"), _line(tasks_dir, "22")])
    with pytest.raises(TaskError, match="needs a task id"):
        load_task(f)
    with pytest.raises(TaskError, match="no task with id 'nope'"):
        load_task(f, "nope")


def test_a_folder_written_by_gen_is_a_task_set():
    """Its three shards in order, as `xlogo gen` and the curriculum read them."""
    from test_gen_fixtures import generated_pool

    from xlogo_lang.gen.dataset import iter_records

    pool = generated_pool()
    ids = [str(r["id"]) for r in iter_records(pool)]
    assert task_ids(pool) == ids and len(ids) == 42
    assert load_task(pool, ids[-1]).id == ids[-1]


def test_a_drawing_written_out_states_its_picture_in_its_goal_as_the_reference_needs(tasks_dir):
    """The reference asserts one spec per draw objective: an empty list made every exported
    drawing unreadable there. Written out, every real drawing's goal is its file's again."""
    drawings = 0
    for f in sorted(tasks_dir.glob("*.json")):
        original = json.loads(f.read_text())
        task = load_task(f)
        if task.kind != "draw" or not original.get("goal"):
            continue
        drawings += 1
        assert task.to_json()["goal"] == original["goal"], f.name
    assert drawings >= 10


def test_a_task_copied_with_a_new_goal_and_world_is_judged_by_them(real_tasks):
    """`dataclasses.replace` must not carry over the goal compiled for the original task."""
    import dataclasses

    from xlogo_lang import run

    one, two = real_tasks["1"], real_tasks["2"]  # fd finds the item of 1, bk that of 2
    assert run(one, "fd").solved  # compiles 1's goal
    copy = dataclasses.replace(one, goal=two.goal, world=two.world)
    assert run(copy, "bk").solved and not run(copy, "fd").solved


def test_the_line_colours_are_the_pen_colours():
    """A picture is drawn with the pen: every pen colour has one line colour and no other."""
    from xlogo_lang.ast import PEN_COLORS
    from xlogo_lang.world import COLOR_TO_HEX

    assert sorted(COLOR_TO_HEX) == sorted(PEN_COLORS)


def test_an_asset_file_put_back_from_an_older_copy_is_read_again(tmp_path, assets_dir):
    """A long session (the REPL, an evaluation) reads an asset directory once per version of
    its files. Putting back a saved copy of one file, with its older time (`cp -p`), is a new
    version too, though the newest time of the four is unchanged."""
    import os

    out = tmp_path / "assets"
    shutil.copytree(assets_dir, out)
    goals = out / "xlogomini_goals.json"
    saved = goals.read_text()
    old = min(f.stat().st_mtime_ns for f in out.iterdir()) - 10**10  # older than the others
    data = json.loads(saved)
    data["5"]["goal"][0]["name"] = "findonly"  # task 5: find only the strawberry
    goals.write_text(json.dumps(data))
    os.utime(goals, ns=(old, old))
    assert load_task(out, "5").goal.kinds == ["findonly"]
    goals.write_text(saved)
    os.utime(goals, ns=(old, old))  # back, with the time it had: only the size tells
    assert load_task(out, "5").goal == load_task(assets_dir, "5").goal
