"""Tool builders and generators build worlds and tasks by hand: a `World` refuses what no task
file can describe, naming the field, instead of running on it silently wrong (a turtle at
x = -1 would wrap round to the last column), and a `Task` names a field of the wrong type."""

from __future__ import annotations

import dataclasses
import json
import pickle

import pytest

from xlogo_lang import TaskError, load_task, parse, run
from xlogo_lang.task_format import task_from_dict
from xlogo_lang.world import Item, Line, Tile, Turtle, World


@pytest.fixture(scope="module")
def world(examples_dir):
    return load_task(examples_dir / "tasks" / "find-strawberry.json").world


def test_a_world_rebuilt_from_its_own_fields_is_the_same_world(world):
    assert dataclasses.replace(world) == world


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        ({"turtle": Turtle(-1, 0, 0)}, "turtle.x", "0.."),
        ({"turtle": Turtle(0, 99, 0)}, "turtle.y", "0.."),
        ({"turtle": Turtle(0, 0, 4)}, "turtle.direction", "0..3"),
        ({"turtle": Turtle(0.5, 0, 0)}, "turtle.x", "whole number"),  # type: ignore[arg-type]
        ({"rows": 0}, "rows", "1..64"),
        ({"items": {-1: Item("strawberry", "red", 1)}}, "items[-1]", "flat cell index"),
        ({"items": {0: "strawberry"}}, "items[0]", "must be an Item"),
        ({"lines": (Line(0, 0, 1, 1, "red"),)}, "lines[0]", "horizontal or vertical"),
        ({"lines": (Line(0, 0, 1, 0, "#D60000"),)}, "lines[0].color", "unknown pen colour"),
        ({"items": [Item("strawberry", "red", 1)]}, "items", "a mapping of flat cell index"),
        ({"items": None}, "items", "a mapping of flat cell index"),
        ({"items": {0: Item("jump", None, None)}}, "items[0].name", "unknown item 'jump'"),
        ({"items": {0: Item("circle", "teal", 1)}}, "items[0].color", "unknown item colour"),
        ({"items": {0: Item("strawberry", "red", 9)}}, "items[0].count", r"9 is out of range"),
        ({"lines": [Line(0, 0, 1, 0, "red")]}, "lines", "a tuple of Lines, not list"),
        ({"lines": (Line(0, 0, 1.5, 0, "red"),)}, "lines[0].x2", "expected an integer"),  # type: ignore[arg-type]
        ({"lines": (Line(0, 0, 64, 0, "red"),)}, "lines[0].x2", r"64 is out of range \(0\.\.63\)"),
    ],
)
def test_a_world_refuses_what_no_task_file_describes(world, change, path, words):
    with pytest.raises(TaskError, match=words) as info:
        dataclasses.replace(world, **change)
    assert info.value.path == path


def test_a_world_needs_one_tile_per_cell_in_order(world):
    with pytest.raises(TaskError, match="one tile per cell") as info:
        dataclasses.replace(world, tiles=world.tiles[:-1])
    assert info.value.path == "tiles"
    swapped = (world.tiles[1], world.tiles[0], *world.tiles[2:])
    with pytest.raises(TaskError, match=r"Tile of cell \(0,0\)") as info:
        dataclasses.replace(world, tiles=swapped)
    assert info.value.path == "tiles[0]"


def test_a_wall_side_must_be_one_the_interpreter_knows(world):
    tiles = (Tile(0, 0, True, walls=frozenset({"up"})), *world.tiles[1:])
    with pytest.raises(TaskError, match="wall sides") as info:
        dataclasses.replace(world, tiles=tiles)
    assert info.value.path == "tiles[0].walls"


def test_a_wall_list_is_refused_naming_the_walls(world):
    tiles = (Tile(0, 0, True, walls=["top"]), *world.tiles[1:])  # type: ignore[arg-type]
    with pytest.raises(TaskError, match="a frozenset of wall sides") as info:
        dataclasses.replace(world, tiles=tiles)
    assert info.value.path == "tiles[0].walls"


def test_a_tile_flag_must_be_true_or_false(world):
    tiles = (Tile(0, 0, allowed="no"), *world.tiles[1:])  # type: ignore[arg-type]
    with pytest.raises(TaskError, match="expected true or false") as info:
        dataclasses.replace(world, tiles=tiles)
    assert info.value.path == "tiles[0].allowed"


def test_the_tiles_must_be_a_tuple(world):
    with pytest.raises(TaskError, match="a tuple of Tiles, not list") as info:
        dataclasses.replace(world, tiles=list(world.tiles))
    assert info.value.path == "tiles"


def test_a_hand_built_item_is_refused_in_the_words_a_task_file_gets(world, examples_dir):
    data = json.loads((examples_dir / "tasks" / "find-strawberry.json").read_text())
    data["items"][0]["count"] = 9
    with pytest.raises(TaskError) as from_file:
        task_from_dict(data)
    with pytest.raises(TaskError) as by_hand:
        dataclasses.replace(world, items={0: Item("strawberry", "red", 9)})
    assert by_hand.value.message == from_file.value.message


def test_a_hand_built_world_runs_from_its_own_start(examples_dir):
    task = load_task(examples_dir / "tasks" / "find-strawberry.json")
    moved = dataclasses.replace(task.world, turtle=Turtle(0, 0, 2))  # top-left, facing south
    verdict = run(dataclasses.replace(task, world=moved), parse("fd"))
    assert not verdict.crashed and (verdict.trace[-1].x, verdict.trace[-1].y) == (0, 1)


def test_a_one_cell_world_is_a_world():
    assert World(1, 1, (Tile(0, 0, True),), {}, (), Turtle(0, 0, 0)).size == 1


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"id": 64}, "Task.id must be a str, not int"),
        ({"world": None}, "Task.world must be a World, not NoneType"),
        ({"goal": []}, "Task.goal must be a Goal, not list"),
        ({"solution": "fd"}, "Task.solution must be a Program or None, not str"),
        # written out as null and read back as "": another task
        ({"platform_description": None}, "Task.platform_description must be a str, not NoneType"),
    ],
)
def test_a_hand_built_task_names_a_field_of_the_wrong_type(examples_dir, change, words):
    task = load_task(examples_dir / "tasks" / "find-strawberry.json")
    with pytest.raises(TypeError, match=words):
        dataclasses.replace(task, **change)


# -- a built world cannot change ------------------------------------------------------------------


def test_a_worlds_items_cannot_be_changed_after_it_is_built(world):
    with pytest.raises(TypeError, match="read-only"):
        world.items[0] = Item("strawberry", "red", 1)


def test_a_world_keeps_a_copy_of_the_items_it_is_given(world):
    items = dict(world.items)
    built = dataclasses.replace(world, items=items)
    items[99] = Item("strawberry", "red", 1)  # off the grid: would have skipped the checks
    assert 99 not in built.items


def test_a_worlds_picture_cannot_be_changed(tasks_dir):
    picture = load_task(tasks_dir / "64.json").world.picture  # a drawing
    with pytest.raises(TypeError, match="read-only"):
        picture.clear()


def test_a_judged_task_cannot_lose_its_items_behind_its_cached_goal(examples_dir):
    task = load_task(examples_dir / "tasks" / "find-strawberry.json")
    run(task, "fd")  # compiles and caches the goal
    with pytest.raises(TypeError, match="read-only"):
        task.world.items.clear()


def test_an_unpickled_task_is_equal_hashes_equal_and_is_still_read_only(real_tasks):
    task = real_tasks["87"]
    again = pickle.loads(pickle.dumps(task))
    assert again == task and hash(again) == hash(task)
    with pytest.raises(TypeError, match="read-only"):
        again.constraints.at_most["all"] = 3


def test_a_hand_built_task_with_a_zero_length_line_reads_back_as_the_same_task(examples_dir):
    """A line from a cell to itself draws nothing; a task file's is left out when it is read,
    so a hand-built world's must be too: written out and read back, the task would otherwise be
    another task, whose description no longer names the line's colour."""
    task = load_task(examples_dir / "tasks" / "find-strawberry.json")
    dot = dataclasses.replace(task.world, lines=(Line(1, 1, 1, 1, "red"),))
    built = dataclasses.replace(task, world=dot)
    again = task_from_dict(json.loads(json.dumps(built.to_json())))
    assert again == built and again.description == built.description


def test_a_hand_built_task_needs_an_id_a_task_file_can_hold(examples_dir):
    """A task file with `"id": ""` is refused (no command could name it), so a task built with
    one could be written out but never read back."""
    task = load_task(examples_dir / "tasks" / "find-strawberry.json")
    with pytest.raises(ValueError, match=r"Task\.id must be non-empty"):
        dataclasses.replace(task, id="")
