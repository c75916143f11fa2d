"""score_response: one reply in, one flat record out, with the failure named."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlogo_lang.eval.scoring import FAILURES, score_response

WORDS = ["fd", "bk", "lt", "rt", "setpc(red)", "repeat(3){", "}", "```", "hi"]
KEY_TYPES = {
    "parsed": bool, "error": (str, type(None)), "program": (str, type(None)), "solved": bool,
    "crashed": bool, "crash": (dict, type(None)), "crash_step": (int, type(None)),
    "goal_ok": (bool, type(None)), "constraints_ok": (bool, type(None)),
    "goal_failure": (str, type(None)), "violations": list, "reason": str, "extraction": dict,
    "failure": (str, type(None)), "failure_detail": (str, type(None)), "size": (int, type(None)),
}  # fmt: skip


def test_a_correct_program_in_prose_solves_the_task(real_tasks):
    r = score_response(
        real_tasks["87"],
        "Sure! Here it is:\n```\nfd\nrt\nrepeat(3){\n  fd\n}\nrt\nfd\n```\nHope it helps.",
    )
    assert r["solved"] and r["failure"] is None and r["reason"] == "solved"
    assert r["program"] == "fd\nrt\nrepeat(3){\n  fd\n}\nrt\nfd\n" and r["size"] == 6
    assert r["extraction"] == {"source": "fenced", "language": None, "start_line": 3, "end_line": 9}


def test_python_style_answers_are_scored_whatever_the_prompt_asked(real_tasks):
    body = (
        "move_forward()\n  turn_right()\n  for i in range(3):\n    move_forward()\n  turn_right()\n"
    )
    reply = f"```python\ndef Run():\n  {body}  move_forward()\n```"
    assert score_response(real_tasks["87"], reply)["solved"]


def test_a_reply_without_code_is_no_program(real_tasks):
    r = score_response(real_tasks["1"], "I am not sure how to solve this puzzle.")
    assert (r["failure"], r["parsed"], r["program"]) == ("no_program", False, None)


def test_broken_code_is_a_syntax_error_with_the_parser_message(real_tasks):
    r = score_response(real_tasks["1"], "```\nrepeat(3){\n  fd\n```")
    assert r["failure"] == "syntax_error" and "repeat" in r["error"]


def test_a_crash_names_its_kind_place_and_step(real_tasks):
    r = score_response(real_tasks["87"], "```\nfd\nfd\nfd\n```")
    assert (r["failure"], r["failure_detail"]) == ("crash", "wall")
    assert r["crash"] == {"kind": "wall", "x": 0, "y": 1} and r["crash_step"] == 2


def test_a_missed_goal_names_the_part_that_failed(real_tasks):
    assert score_response(real_tasks["60"], "fd")["failure_detail"] == "picture"
    assert score_response(real_tasks["22"], "```\nfd\n```")["failure_detail"] == "forbidden_item"
    assert score_response(real_tasks["30"], "```\nfd\n```")["failure_detail"] == "count"


def test_broken_constraints_name_the_rule(real_tasks):
    r = score_response(real_tasks["87"], "```\nfd\nrt\nfd\nfd\nfd\nrt\nfd\n```")
    assert r["goal_ok"] and (r["failure"], r["failure_detail"]) == ("constraints", "at_most")
    assert r["violations"] == ["at_most:all"]


@pytest.mark.parametrize("reply", [b"fd", None, 5])
def test_a_reply_that_is_not_a_str_is_a_type_error_as_for_extract_program(real_tasks, reply):
    # a bytes reply holding a solution would otherwise be scored "no_program", a model failure
    kind = type(reply).__name__
    with pytest.raises(TypeError, match=f"^score_response expects a str, got {kind}$"):
        score_response(real_tasks["1"], reply)


@pytest.mark.parametrize("task", [None, "1.json"])
def test_a_task_that_is_not_a_task_is_a_type_error_naming_its_type(task):
    kind = type(task).__name__
    with pytest.raises(TypeError, match=f"^score_response expects a Task, got {kind} .*load_task"):
        score_response(task, "hello")


@settings(max_examples=60, deadline=None)
@given(reply=st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(WORDS), max_size=12).map("\n".join),
))  # fmt: skip
def test_every_record_has_the_same_keys_and_types(real_tasks, reply):
    r = score_response(real_tasks["22"], reply)
    assert set(r) == set(KEY_TYPES)
    for key, types in KEY_TYPES.items():
        assert isinstance(r[key], types), key
    assert r["failure"] in (*FAILURES, None)
    assert r["solved"] == (r["failure"] is None)


@pytest.mark.parametrize("tid", ["1", "24", "56", "104"])
def test_a_reply_never_raises_even_when_huge(real_tasks, tid):
    r = score_response(real_tasks[tid], "repeat(12){" * 40 + "fd" + "}" * 40)
    assert r["failure"] in ("crash", "syntax_error")
