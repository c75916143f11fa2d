"""The canonical printer and the reference code JSON, both ways."""

from __future__ import annotations

import json

import pytest
from core_helpers import programs
from hypothesis import given, settings

from xlogo_lang import ProgramError, from_json, parse, to_json
from xlogo_lang.ast import Command, Program, Repeat, SetPenColor
from xlogo_lang.printer import to_compact, to_text


def test_a_tuple_of_blocks_is_written_as_its_program_is():
    """As the printers take one: `to_text(blocks)` and `to_json(blocks)` agree."""
    blocks = (Command("fd"), Repeat(3, (Command("rt"),)))
    assert to_json(blocks) == to_json(Program(blocks))


def test_the_canonical_form_is_the_reference_text_form():
    # SEMANTICS.md section 4, the reference solution of task 87
    assert to_text(parse("fd rt repeat(3){fd} rt fd")) == "fd\nrt\nrepeat(3){\n  fd\n}\nrt\nfd\n"


def test_nested_repeats_indent_two_spaces_per_level():
    text = to_text(parse("repeat(4){repeat(3){fd} setpc(red) rt}"))
    assert text == "repeat(4){\n  repeat(3){\n    fd\n  }\n  setpc(red)\n  rt\n}\n"


def test_the_empty_program_prints_as_the_empty_string():
    assert to_text(Program(())) == ""


def test_an_empty_repeat_prints_with_nothing_between_its_brackets():
    assert to_text(Program((Repeat(2, ()),))) == "repeat(2){\n}\n"


def test_the_compact_form_is_one_line():
    assert (
        to_compact(parse("fd\nrepeat(3){\n  fd\n  rt\n}\nsetpc(red)"))
        == "fd repeat(3){fd rt} setpc(red)"
    )


@pytest.mark.parametrize("colour", ["x) repeat(3){fd} setpc(y", "pink", 'say "hi"'])
@pytest.mark.parametrize("printer", [to_text, to_compact])
def test_an_unknown_colour_a_lenient_parse_kept_prints_back_as_one_setpc(colour, printer):
    prog = Program((SetPenColor(colour), Command("fd")))
    assert parse(printer(prog), strict=False) == prog


def test_str_of_a_program_is_its_canonical_text():
    p = parse("fd rt")
    assert str(p) == to_text(p)


def test_every_oracle_program_is_printed_exactly_as_the_reference_prints_it(oracle_cases):
    differ = [c["case"] for c in oracle_cases if to_text(parse(c["program"])) != c["program"]]
    assert not differ, differ[:20]


def test_code_json_has_the_reference_shape():
    p = parse("setpc(white) repeat(2){fd} lt")
    assert to_json(p) == {
        "run": [
            {"type": "setpc", "value": "white"},
            {"type": "repeat", "times": 2, "body": [{"type": "fd"}]},
            {"type": "lt"},
        ]
    }


def test_code_json_with_a_null_pen_colour_reads_as_black():
    assert from_json({"run": [{"type": "setpc", "value": None}]}) == Program(
        (SetPenColor("black"),)
    )


@pytest.mark.parametrize(
    ("code", "path", "words"),
    [
        ({}, "$", "exactly one key"),
        ({"run": [], "extra": 1}, "$", "exactly one key"),
        ({"run": {"type": "fd"}}, "run", "list of blocks"),
        ({"run": [{"type": "fd", "x": 1}]}, "run[0]", "unexpected keys"),
        ({"run": ["fd"]}, "run[0]", '"type"'),
        ({"run": [{"type": "jump"}]}, "run[0]", "unknown block type"),
        ({"run": [{"type": "cursor"}]}, "run[0]", "unknown block type"),
        ({"run": [{"type": "setpc", "value": "purple"}]}, "run[0]", "unknown pen colour"),
        ({"run": [{"type": "setpc"}]}, "run[0]", '"value"'),
        ({"run": [{"type": "repeat", "times": 13, "body": []}]}, "run[0]", "outside 1..12"),
        ({"run": [{"type": "repeat", "times": "3", "body": []}]}, "run[0]", "integer"),
        ({"run": [{"type": "repeat", "times": True, "body": []}]}, "run[0]", "integer"),
        ({"run": [{"type": "repeat", "times": 3.0, "body": []}]}, "run[0]", "integer"),
        (
            {"run": [{"type": "fd"}, {"type": "repeat", "times": 2, "body": [{"t": 1}]}]},
            "run[1].body[0]",
            '"type"',
        ),
    ],
)
def test_invalid_code_json_names_the_path_of_the_problem(code, path, words):
    with pytest.raises(ProgramError) as info:
        from_json(code)
    assert info.value.path == path
    assert words in info.value.message


def test_code_json_that_is_not_an_object_is_rejected():
    with pytest.raises(ProgramError):
        from_json([{"type": "fd"}])


def test_deeply_nested_code_json_is_an_error_not_a_crash():
    body = [{"type": "fd"}]
    for _ in range(2000):
        body = [{"type": "repeat", "times": 1, "body": body}]
    with pytest.raises(ProgramError, match="nested more than"):
        from_json({"run": body})


@settings(max_examples=300, deadline=None)
@given(programs)
def test_code_json_round_trips(p):
    assert from_json(to_json(p)) == p


@settings(max_examples=100, deadline=None)
@given(programs)
def test_code_json_survives_serialisation(p):
    assert from_json(json.loads(json.dumps(to_json(p)))) == p


def test_commands_print_as_their_short_names():
    assert (
        to_text(Program(tuple(Command(k) for k in ("fd", "bk", "lt", "rt")))) == "fd\nbk\nlt\nrt\n"
    )


def test_a_decoded_count_too_long_for_python_is_a_program_error():
    """A count that is a Python int already (json.loads of a dict built in code), not text."""
    with pytest.raises(ProgramError, match=r"repeat count .*digits.* is outside 1\.\.12"):
        from_json({"run": [{"type": "repeat", "times": 10**5000, "body": []}]})


def test_from_json_names_a_file_given_as_a_path():
    from pathlib import Path

    with pytest.raises(ProgramError) as info:
        from_json({"run": 5}, file=Path("a.json"))
    assert str(info.value) == "a.json: run: expected a list of blocks"
