"""Hostile input: the core answers with its own errors or a verdict, never with a traceback.

Random text and token soups only ever raise ParseError; random programs always get a verdict on
every real task; huge programs stop at the call cap; malformed task JSON raises TaskError naming
the JSON path.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from core_helpers import programs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlogo_lang import ParseError, TaskError, check, parse, run
from xlogo_lang.interpreter import CALL_LIMIT, MAX_CALLS
from xlogo_lang.tasks import task_from_dict

TOKENS = [
    "fd", "bk", "lt", "rt", "forward", "back", "left", "right", "setpc", "setpencolor", "repeat",
    "(", ")", "{", "}", "[", "]", ";", ",", "\n", " ", "#", "//", '"', "'", "0", "3", "12", "13",
    "-1", "red", "white", "purple", "jump", "def", "Run", ":", "for", "i", "in", "range",
    "move_forward()", "turn_left()", "    ", "\t", "1e9", "\\", "é", "\x00",
]  # fmt: skip

soups = st.lists(st.sampled_from(TOKENS), max_size=40).map("".join)


def only_parse_errors(text: str, **kw: Any) -> None:
    try:
        parse(text, **kw)
    except ParseError as err:
        str(err)  # rendering the error must not fail either


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_random_text_raises_nothing_but_parse_error(text):
    only_parse_errors(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_raise_nothing_but_parse_error(data):
    only_parse_errors(data.decode("utf-8", errors="replace"))
    only_parse_errors(data.decode("latin-1"))


@settings(max_examples=400, deadline=None)
@given(soups)
def test_token_soups_raise_nothing_but_parse_error(text):
    only_parse_errors(text)
    only_parse_errors(text, strict=False)


@settings(max_examples=200, deadline=None)
@given(soups)
def test_the_checker_answers_every_token_soup_with_diagnostics(text):
    for d in check(text):
        assert d.severity in ("error", "warning")
        d.render(text, "soup.txt")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs, st.data())
def test_random_programs_always_get_a_verdict_on_real_tasks(real_tasks, p, data):
    task = real_tasks[data.draw(st.sampled_from(sorted(real_tasks)))]
    verdict = run(task, p)
    assert verdict.solved in (True, False)
    assert verdict.reason
    json.dumps(verdict.to_dict())


# -- the call cap --------------------------------------------------------------------------------


def nested(times: int, depth: int, body: str) -> str:
    return f"repeat({times}){{" * depth + body + "}" * depth


@pytest.mark.parametrize("task_id", ["1", "22", "56", "64", "87", "93"])
def test_repeat_12_nested_eight_deep_of_turns_stops_at_the_call_cap(real_tasks, task_id):
    verdict = run(real_tasks[task_id], nested(12, 8, "rt"))
    assert verdict.crash.kind == CALL_LIMIT
    assert verdict.reference_dict()["crash_type"] == "EXCEED_MAX_CALLS"


@pytest.mark.parametrize("task_id", ["1", "22", "56", "64", "87", "93"])
def test_repeat_12_nested_eight_deep_of_moves_stops_early(real_tasks, task_id):
    verdict = run(real_tasks[task_id], nested(12, 8, "fd rt fd"))
    assert verdict.crashed
    assert verdict.crash.step <= MAX_CALLS + 1


def test_100000_calls_are_allowed(real_tasks):
    verdict = run(real_tasks["1"], nested(10, 5, "rt"))  # 10**5 turns
    assert not verdict.crashed
    assert verdict.execution.calls == MAX_CALLS


def test_the_100001st_call_crashes(real_tasks):
    verdict = run(real_tasks["1"], nested(10, 5, "rt") + " rt")
    assert verdict.crash.kind == CALL_LIMIT
    assert verdict.execution.calls == MAX_CALLS + 1


def calls(n: int) -> str:
    """A program of exactly n harmless calls (pen colour changes), written with repeats."""
    parts = []
    for power, digit in enumerate(reversed(str(n))):
        if digit != "0":
            parts.append(f"repeat({digit}){{{nested(10, power, 'setpc(red)')}}}")
    return " ".join(parts)


def test_the_call_cap_overrides_a_crash_made_by_the_same_call(real_tasks):
    # task 1 starts at (1,1) facing north: `fd fd` leaves the grid on its second move
    task = real_tasks["1"]
    assert run(task, "fd fd").crash.kind == "out_of_world"
    at_100000 = run(task, f"fd {calls(99_998)} fd").crash
    assert (at_100000.kind, at_100000.step) == ("out_of_world", MAX_CALLS)
    at_100001 = run(task, f"fd {calls(99_999)} fd").crash
    assert (at_100001.kind, at_100001.step) == (CALL_LIMIT, MAX_CALLS + 1)


# -- malformed tasks -------------------------------------------------------------------------------


def mutate(data: dict, path: str, value: Any = None, *, delete: bool = False) -> dict:
    """A copy of `data` with the value at a dotted path (`tiles.3.walls`) replaced or deleted."""
    out = copy.deepcopy(data)
    *parents, last = path.split(".")
    node: Any = out
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    key = int(last) if isinstance(node, list) else last
    if delete:
        del node[key]
    else:
        node[key] = value
    return out


INVALID = [
    ("tiles", None, True, "$"),
    ("turtle", None, True, "$"),
    ("turtle.x", None, True, "turtle"),
    ("turtle.x", "1", False, "turtle.x"),
    ("turtle.direction", 4, False, "turtle.direction"),
    ("turtle.y", 7, False, "turtle.y"),
    ("tiles", [], False, "tiles"),
    ("tiles", {"x": 0}, False, "tiles"),
    ("tiles.3", [1, 2], False, "tiles[3]"),
    ("tiles.3.x", -1, False, "tiles[3].x"),
    ("tiles.3.allowed", "yes", False, "tiles[3].allowed"),
    ("tiles.3.walls", None, True, "tiles[3]"),
    ("tiles.3.walls", {"lft": True}, False, "tiles[3].walls.lft"),
    ("tiles.3.walls", {"left": 1}, False, "tiles[3].walls.left"),
    ("tiles.3.exist", "no", False, "tiles[3].exist"),
    ("items.0.name", "banana", False, "items[0].name"),
    ("items.0.name", None, True, "items[0]"),
    ("items.0.color", "brown", False, "items[0].color"),
    ("items.0.count", 5, False, "items[0].count"),
    ("items.0.count", True, False, "items[0].count"),
    ("items.0.x", 3, False, "items[0].x"),
    ("items", {"x": 1}, False, "items"),
    ("goal", {"name": "find"}, False, "goal"),
    ("goal.0.name", "reach", False, "goal[0].name"),
    ("goal.0.specs", [], False, "goal[0].specs"),
    ("goal.0.specs", None, True, "goal[0]"),
    ("goal.0.specs.0", [], False, "goal[0].specs[0]"),
    ("goal.0.specs.0.0", [], False, "goal[0].specs[0][0]"),
    ("goal.0.specs.0.0.0", {"name": "circle", "color": "red"}, False, "goal[0].specs[0][0][0]"),
    ("goal.0.specs.0.0.0", {"shape": "circle"}, False, "goal[0].specs[0][0][0].shape"),
    ("goal.0.specs.0.0.0.neg", 2, False, "goal[0].specs[0][0][0].neg"),
    ("goal.0.specs.0.0.0.color", "brown", False, "goal[0].specs[0][0][0].color"),
    ("goal.0.total_cnt", 3, False, "goal[0].total_cnt"),
    ("constraints", {"at_most": {"moves": 3}}, False, "constraints.at_most.moves"),
    ("constraints", {"at_most": {"all": -1}}, False, "constraints.at_most.all"),
    ("constraints", {"exactly": {"fd": 1}, "at_most": {"fd": 2}}, False, "constraints.at_most.fd"),
    ("constraints", {"start_by": ["jump"]}, False, "constraints.start_by[0]"),
    ("constraints", [{"at_most": []}], False, "constraints[0].at_most"),
    ("constraints", "none", False, "constraints"),
    ("solution", {"run": [{"type": "jump"}]}, False, "solution"),
    ("solution", "fd jump", False, "solution"),
    ("id", 1.5, False, "id"),
]


@pytest.mark.parametrize(
    ("path", "value", "delete", "where"), INVALID, ids=[f"{p}={v!r}" for p, v, *_ in INVALID]
)
def test_malformed_task_json_raises_task_error_naming_the_path(
    tasks_dir, path, value, delete, where
):
    data = json.loads((tasks_dir / "22.json").read_text())
    data["solution"] = {"run": [{"type": "rt"}]}
    with pytest.raises(TaskError) as info:
        task_from_dict(mutate(data, path, value, delete=delete), file="22.json")
    assert info.value.path == where
    assert str(info.value).startswith(f"22.json: {where}: ")


@pytest.mark.parametrize("task_id", ["64", "72"])
def test_a_diagonal_or_badly_coloured_line_names_the_line(tasks_dir, task_id):
    data = json.loads((tasks_dir / f"{task_id}.json").read_text())
    for field, value, where in [
        ("x2", 5, "lines[0]"),
        ("color", "teal", "lines[0].color"),
        ("y1", "0", "lines[0].y1"),
    ]:
        bad = mutate(data, f"lines.0.{field}", value)
        if field == "x2":
            bad["lines"][0]["y2"] = bad["lines"][0]["y1"] + 1
            bad["lines"][0]["x1"] = 0
        with pytest.raises(TaskError) as info:
            task_from_dict(bad)
        assert info.value.path == where


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("goal", None),
        ("goal.0.specs.0.0.0.neg", 1),
        ("constraints", []),
        ("items", []),
    ],
)
def test_documented_meanings_load(tasks_dir, path, value):
    data = json.loads((tasks_dir / "22.json").read_text())
    task = task_from_dict(mutate(data, path, value))
    assert run(task, "rt fd").solved in (True, False)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 70)
    | st.sampled_from(["", "x", "red", "fd", "#FFFFFF", "left"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["x", "y", "name", "neg"]), inner, max_size=3)
    ),
    max_leaves=6,
)


def paths(node: Any, prefix: str = "") -> list[str]:
    out = [prefix] if prefix else []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, child in items:
        out += paths(child, f"{prefix}.{key}" if prefix else str(key))
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["22", "24", "31", "64", "87", "17a", "110"]), st.data())
def test_any_mutation_of_a_real_task_loads_or_raises_task_error(tasks_dir, task_id, data):
    task_json = json.loads((tasks_dir / f"{task_id}.json").read_text())
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths(task_json)))
        if data.draw(st.booleans()):
            task_json = mutate(task_json, path, delete=True)
        else:
            task_json = mutate(task_json, path, data.draw(JSON_VALUES))
        if not paths(task_json):
            break
    try:
        task = task_from_dict(task_json, file="mutant.json")
    except TaskError as err:
        assert err.path
        return
    task.description  # noqa: B018 - describing and running must not fail either
    run(task, "fd rt fd")
