"""Tool builders and generators build ASTs by hand: the core refuses what the parser never builds,
naming the node, instead of running it silently wrong or failing with a Python traceback."""

from __future__ import annotations

import pytest

from xlogo_lang import ProgramError, check, load_task, parse, run, to_json
from xlogo_lang.ast import Command, Program, Repeat, SetPenColor
from xlogo_lang.printer import to_compact, to_text
from xlogo_lang.python_form import to_python


@pytest.fixture(scope="module")
def strawberry(examples_dir):
    return load_task(examples_dir / "tasks" / "find-strawberry.json")


SOLUTION = parse("fd fd rt fd").body


@pytest.mark.parametrize(
    ("prog", "path", "words"),
    [
        (Program((Repeat(0, (Command("bk"),)), *SOLUTION)), "body[0].times", "repeat count 0"),
        (Program((Repeat(13, (Command("bk"),)), *SOLUTION)), "body[0].times", "outside 1..12"),
        (Program((SetPenColor("purple"), *SOLUTION)), "body[0].color", "unknown pen colour"),
        (Program((Command("jump"),)), "body[0].kind", "unknown command 'jump'"),  # type: ignore[arg-type]
        (Program((Repeat(2, None),)), "body[0].body", "tuple of blocks"),  # type: ignore[arg-type]
        (Program(("fd",)), "body[0]", "not a block"),  # type: ignore[arg-type]
        (Program((Repeat(2.5, (Command("fd"),)),)), "body[0].times", "integer"),  # type: ignore[arg-type]
    ],
)
def test_run_refuses_a_node_the_parser_never_builds(strawberry, prog, path, words):
    with pytest.raises(ProgramError, match=words) as info:
        run(strawberry, prog)
    assert info.value.path == path


def _nested(levels: int) -> Program:
    body: tuple = (Command("fd"),)
    for _ in range(levels):
        body = (Repeat(2, body),)
    return Program(body)


@pytest.mark.parametrize("use", ["print", "to_json", "to_python", "run"])
def test_a_tree_nested_thousands_deep_is_a_program_error_not_a_recursion_error(strawberry, use):
    prog = _nested(3000)
    act = {
        "print": str,
        "to_json": to_json,
        "to_python": to_python,
        "run": lambda p: run(strawberry, p),
    }[use]
    with pytest.raises(ProgramError, match="nested more than 64 deep"):
        act(prog)


@pytest.mark.parametrize(
    ("prog", "words"),
    [
        (Program((Command("jump"),)), "unknown command 'jump'"),  # type: ignore[arg-type]
        (Program(("fd",)), "not a block"),  # type: ignore[arg-type]
        (Program([Command("fd")]), "tuple of blocks"),  # type: ignore[arg-type]
        (Program((Repeat(10**5000, (Command("fd"),)),)), r"outside 1\.\.12"),
    ],
    ids=["unknown command", "not a block", "list body", "huge count"],
)
def test_the_python_printer_refuses_what_the_other_printers_refuse(prog, words):
    with pytest.raises(ProgramError, match=words):
        to_python(prog)
    with pytest.raises(ProgramError, match=words):
        str(prog)


def test_check_reports_an_unknown_command_of_a_hand_built_tree(strawberry):
    (diag,) = check(Program((Command("jump"),)), strawberry)  # type: ignore[arg-type]
    assert diag.severity == "error" and "unknown command 'jump'" in diag.message


def test_check_still_reports_range_problems_of_a_hand_built_tree_as_diagnostics():
    diags = check(Program((Repeat(13, (Command("fd"),)), SetPenColor("purple"))))
    assert {d.rule for d in diags} == {"repeat-range", "pen-colour"}


def test_printing_a_count_too_long_for_python_is_a_program_error():
    with pytest.raises(ProgramError, match=r"outside 1\.\.12"):
        str(Program((Repeat(10**5000, (Command("fd"),)),)))


def test_a_valid_hand_built_program_runs_as_its_text_does(strawberry):
    built = Program((Command("fd"), Command("fd"), Command("rt"), Command("fd")))
    assert run(strawberry, built).solved == run(strawberry, "fd fd rt fd").solved


def test_check_names_a_task_argument_that_is_not_a_task():
    with pytest.raises(TypeError, match="check expects a Task or None, got dict"):
        check("fd", {})  # type: ignore[arg-type]


def test_load_task_names_a_path_that_is_not_one():
    with pytest.raises(TypeError, match="load_task expects a path"):
        load_task(None)  # type: ignore[arg-type]


def test_run_names_a_task_argument_that_is_not_a_task(examples_dir):
    with pytest.raises(TypeError, match="run expects a Task, got str"):
        run(str(examples_dir / "tasks" / "find-strawberry.json"), "fd")  # type: ignore[arg-type]


@pytest.mark.parametrize("use", [str, to_python, to_json])
def test_a_pen_colour_that_is_not_text_is_a_program_error_naming_it(use):
    with pytest.raises(ProgramError, match="a pen colour must be a string") as info:
        use(Program((SetPenColor(None),)))  # type: ignore[arg-type]
    assert info.value.path == "body[0].color"


def test_check_reports_a_pen_colour_that_is_not_text_as_a_diagnostic():
    (diag,) = check(Program((SetPenColor(None),)))  # type: ignore[arg-type]
    assert diag.severity == "error" and "a pen colour must be a string" in diag.message


@pytest.mark.parametrize(
    "prog",
    [Program((Repeat(13, (Command("fd"),)),)), Program((SetPenColor("RED"),))],
    ids=["count 13", "colour RED"],
)
def test_to_json_writes_nothing_from_json_would_refuse(prog):
    """The text printers show such a program as written; code JSON is the reference's format."""
    with pytest.raises(ProgramError):
        to_json(prog)
    assert str(prog)  # printed as written, for check and fmt to show


@pytest.mark.parametrize("value", [None, "fd", [Command("fd")]], ids=["None", "str", "list"])
@pytest.mark.parametrize(
    "printer", [to_text, to_compact, to_python, to_json], ids=lambda p: p.__name__
)
def test_a_printer_given_no_program_is_a_type_error_naming_the_printer(printer, value):
    with pytest.raises(TypeError, match=f"^{printer.__name__} expects a Program"):
        printer(value)
