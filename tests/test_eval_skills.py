"""Skill labels follow the documented rules and agree with the paper's five tags."""

from __future__ import annotations

import pytest

from xlogo_lang import load_tasks, parse
from xlogo_lang.eval.skills import SKILLS, skills

PAPER = {
    "28": {"logic", "basic_actions"},
    "38": {"math", "basic_actions"},
    "65": {"draw", "variables", "basic_actions"},
    "73": {"draw", "variables", "loops"},
    "87": {"code_constraints", "loops"},
}


@pytest.fixture(scope="module")
def with_solutions(assets_dir):
    return {t.id: t for t in load_tasks(assets_dir)}


def test_the_papers_tags_are_included(with_solutions):
    present = [tid for tid in PAPER if tid in with_solutions]  # the data may be a subset
    assert len(present) >= 4
    for tid in present:
        got = set(skills(with_solutions[tid]))
        assert PAPER[tid] <= got, tid
        assert not ({"basic_actions", "loops"} - PAPER[tid]) & got, tid  # never the wrong one


def test_every_task_gets_exactly_one_of_basic_actions_and_loops(with_solutions):
    for t in with_solutions.values():
        s = skills(t)
        assert ("basic_actions" in s) != ("loops" in s), t.id
        assert s == [k for k in SKILLS if k in s]


def test_the_solution_given_decides_loops_and_variables(with_solutions):
    t = with_solutions["87"]
    assert "loops" in skills(t, parse("fd rt repeat(3){fd} rt fd"))
    assert "basic_actions" in skills(t, parse("fd rt fd fd fd rt fd"))
    assert "loops_and_variables" in skills(with_solutions["73"])


def test_a_task_that_is_not_a_task_is_a_type_error_naming_its_type():
    with pytest.raises(TypeError, match=r"^skills expects a Task, got str .*load_task"):
        skills("x.json")


def test_a_solution_given_as_text_is_a_type_error_naming_its_type(with_solutions):
    expected = "^skills expects a Program or None as the solution, got str"
    with pytest.raises(TypeError, match=expected):
        skills(with_solutions["1"], "fd")


def test_goal_rules_logic_math_draw_and_constraints(with_solutions):
    assert "logic" in skills(with_solutions["22"])  # find the green circle: two literals, forbids
    assert "logic" in skills(with_solutions["24"])  # concat
    assert "math" in skills(with_solutions["30"])  # sum
    assert "draw" in skills(with_solutions["51"]) and "logic" not in skills(with_solutions["51"])
    assert "code_constraints" in skills(with_solutions["10a"])
    assert "code_constraints" not in skills(with_solutions["1"])
