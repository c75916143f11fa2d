"""Hostile program text: absurd numbers, nesting and sizes give a short ParseError, never a crash.

What a model or a broken file can send: a repeat count of thousands of digits, code JSON nested
deeper than Python's JSON decoder recurses, a program of many megabytes, a single huge word, or
no text at all. Each is a ParseError (or, for a value that is not text, a TypeError naming what
was given) with a position and a one-line message, from the library and from the command line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xlogo_lang import ParseError, check, extract_program, load_task, parse, run
from xlogo_lang.ast import MAX_DEPTH, Repeat
from xlogo_lang.cli import main
from xlogo_lang.parser import MAX_PROGRAM_CHARS, _fast_read

HUGE = "1" * 4301  # more digits than Python converts from text
TASK = str(Path(__file__).resolve().parent.parent / "examples" / "tasks" / "find-strawberry.json")


def parse_error(text: str, **kw) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse(text, **kw)
    return info.value


def deep_code_json(depth: int) -> str:
    block = '{"type": "fd"}'
    for _ in range(depth):
        block = f'{{"type": "repeat", "times": 2, "body": [{block}]}}'
    return f'{{"run": [{block}]}}'


# -- counts too long to convert ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "column"),
    [(f"repeat({HUGE}){{fd}}", 8), (f"repeat {HUGE} [fd]", 8), (f"fd\nrepeat({HUGE}){{fd}}", 8)],
)
@pytest.mark.parametrize("strict", [True, False])
def test_a_count_too_long_to_convert_is_a_range_error_at_the_count(text, column, strict):
    err = parse_error(text, strict=strict)
    assert err.message == "repeat count 11111111111111111111… (4,301 digits) is outside 1..12"
    assert (err.line, err.column) == (text.count("\n") + 1, column)
    assert err.excerpt


@pytest.mark.parametrize(
    "template", ["repeat({}){{fd}}", "repeat {} [fd]", "repeat({}){{fd}} rt"], ids=str
)
@pytest.mark.parametrize("strict", [True, False])
def test_a_count_with_thousands_of_leading_zeros_is_its_value(template, strict):
    """Python's conversion limit counts leading zeros too; the count is the value written."""
    prog = parse(template.format("0" * 4301 + "3"), strict=strict)
    assert isinstance(prog.body[0], Repeat) and prog.body[0].times == 3


def test_a_zero_count_written_with_thousands_of_zeros_is_a_range_error():
    assert "repeat count 0 is outside 1..12" in str(parse_error("repeat(" + "0" * 5000 + "){fd}"))


def test_the_checker_reports_a_count_too_long_to_convert_as_a_repeat_range_error():
    (d,) = check(f"repeat({HUGE}){{fd}}")
    assert d.rule == "repeat-range"
    assert (d.span.line, d.span.column) == (1, 8)


def test_code_json_with_a_count_too_long_to_convert_is_a_range_error_naming_its_path():
    text = f'{{"run": [{{"type": "repeat", "times": {"1" * 5000}, "body": [{{"type": "fd"}}]}}]}}'
    err = parse_error(text, filename="big.json")
    assert err.message == "repeat count 11111111111111111111… (5,000 digits) is outside 1..12"
    assert (err.file, err.path) == ("big.json", "run[0]")
    assert check(text)[0].rule == "repeat-range"


def test_extraction_reports_a_count_too_long_to_convert_in_text_and_in_code_json():
    for reply in (
        f"Here:\n```\nrepeat({HUGE}){{fd}}\n```",
        f'Answer: {{"run": [{{"type": "repeat", "times": {HUGE}, "body": []}}]}}',
    ):
        found = extract_program(reply)
        assert found.program is None
        assert "outside 1..12" in found.error.message


def test_run_and_check_on_a_task_refuse_a_count_too_long_to_convert():
    task = load_task(TASK)
    with pytest.raises(ParseError, match=r"outside 1\.\.12"):
        run(task, f"repeat({HUGE}){{fd}}")
    assert check(f"repeat({HUGE}){{fd}}", task)[0].rule == "repeat-range"


# -- nesting -------------------------------------------------------------------------------------


def test_code_json_nested_deeper_than_the_json_decoder_recurses_is_the_nesting_error():
    err = parse_error(deep_code_json(900), filename="deep.json")
    assert err.message == f"repeats nested more than {MAX_DEPTH} deep"
    assert err.file == "deep.json"
    # the path, 64 repeats deep, keeps its start and its end in one short line
    assert err.path.startswith("run[0].body[0]") and err.path.endswith(".body[0]")
    assert "…" in err.path and len(err.path) <= 100


def test_code_json_of_deeply_nested_lists_is_named_as_any_bad_block():
    err = parse_error('{"run": ' + "[" * 5000 + "]" * 5000 + "}")
    assert (err.path, err.message) == ("run[0]", 'a block must be an object with a "type"')


def test_the_checker_reports_deep_code_json_as_the_nesting_error():
    (d,) = check(deep_code_json(900))
    assert d.message.endswith(f"repeats nested more than {MAX_DEPTH} deep")


def test_text_nested_too_deep_is_refused_at_the_first_repeat_past_the_limit_even_unclosed():
    err = parse_error("repeat(2){" * 100_000)
    assert err.message == f"repeats nested more than {MAX_DEPTH} deep"
    assert (err.line, err.column) == (1, MAX_DEPTH * len("repeat(2){") + 1)


def test_walk_gives_every_block_depth_first_in_source_order():
    from xlogo_lang.ast import walk

    prog = parse("fd repeat(2){lt repeat(3){} setpc(red) repeat(2){repeat(2){bk}}} rt")
    kinds = [b.type for b in walk(prog.body)]
    assert kinds == ["fd", "repeat", "lt", "repeat", "setpc", "repeat", "repeat", "bk", "rt"]
    deep = parse("repeat(2){" * MAX_DEPTH + "fd" + "}" * MAX_DEPTH)
    assert sum(isinstance(b, Repeat) for b in walk(deep.body)) == MAX_DEPTH


# -- size ----------------------------------------------------------------------------------------


def test_a_program_longer_than_the_limit_is_refused_naming_its_size_and_the_limit():
    text = "fd rt\n" * (MAX_PROGRAM_CHARS // 6 + 10)
    err = parse_error(text, filename="huge.xlogo")
    assert err.message == (
        f"the program is {len(text):,} characters long; "
        f"xlogo reads programs of at most {MAX_PROGRAM_CHARS:,}"
    )
    assert (err.file, err.line, err.column) == ("huge.xlogo", MAX_PROGRAM_CHARS // 6 + 1, 5)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_the_refusal_points_at_the_first_character_past_the_limit_whatever_the_line_ends(newline):
    line = "fd rt" + newline
    text = line * (MAX_PROGRAM_CHARS // len(line) + 10)
    err = parse_error(text)
    full, rest = divmod(MAX_PROGRAM_CHARS, len(line))
    assert (err.line, err.column) == (full + 1, rest + 1)
    assert err.excerpt is not None and err.excerpt.splitlines()[0] == "fd rt"


@pytest.mark.parametrize(
    "form", ["fd rt ", "move_forward()\n", '{"run": [' + '{"type": "fd"}, ' * 10]
)
def test_the_size_limit_holds_for_every_form(form):
    assert "characters long" in parse_error(form * (MAX_PROGRAM_CHARS // len(form) + 1)).message


def test_a_program_at_the_limit_is_read():
    text = "fd " * (MAX_PROGRAM_CHARS // 3) + " " * (MAX_PROGRAM_CHARS % 3)
    assert len(text) == MAX_PROGRAM_CHARS
    assert len(parse(text)) == MAX_PROGRAM_CHARS // 3


def test_an_error_at_the_end_of_a_long_program_is_left_to_the_grammar_with_the_rest_blanked():
    # Lark reads the last complete item and what follows, not the whole text again
    text = "fd rt\n" * 10_000 + "repeat(3){fd lt} jump"
    stop = _fast_read(text)
    rest = stop.rest_for_lark(text)
    assert rest.split() == ["repeat(3){", "}", "jump"]
    assert len(rest) == len(text)
    assert rest.count("\n") == text.count("\n")


def test_an_error_at_the_end_of_a_long_program_is_reported_where_it_is():
    err = parse_error("fd rt\n" * 10_000 + "repeat(3){fd lt} jump")
    assert (err.message, err.line, err.column) == ("unknown command 'jump'", 10_001, 18)


# -- long tokens in messages ---------------------------------------------------------------------


def test_an_unknown_word_is_quoted_short():
    err = parse_error("f" * 100_000)
    assert err.message == f"unknown command '{'f' * 39}…'"
    assert len(str(err)) < 600


def test_an_unknown_pen_colour_is_quoted_short_by_the_parser_and_the_checker():
    text = "setpc(" + "x" * 100_000 + ")"
    assert len(parse_error(text).message) < 120
    (d,) = check(text)
    assert len(d.message) < 120
    assert len(d.render(text)) < 400


def test_code_json_values_are_shown_short_whatever_they_are():
    assert parse_error('{"run": [{"type": "' + "x" * 100_000 + '"}]}').message == (
        f"unknown block type '{'x' * 39}…'"
    )
    nested = "[" * 500 + "]" * 500
    err = parse_error('{"run": [{"type": "setpc", "value": ' + nested + "}]}")
    assert err.message.startswith("unknown pen colour a list;")


def test_a_huge_word_gives_a_one_line_error_and_short_json_on_the_command_line(tmp_path, capsys):
    program = tmp_path / "word.xlogo"
    program.write_text("f" * 900_000)
    assert main(["run", TASK, str(program)]) == 2
    assert len(capsys.readouterr().err) < 600
    assert main(["check", "--json", str(program)]) == 1
    assert len(capsys.readouterr().out) < 600


def test_deep_code_json_files_are_a_one_line_error_on_the_command_line(tmp_path, capsys):
    program = tmp_path / "deep.json"
    program.write_text(deep_code_json(900))
    for args in (["fmt", str(program)], ["run", TASK, str(program)], ["show", TASK, str(program)]):
        assert main(args) == 2
        assert f"repeats nested more than {MAX_DEPTH} deep" in capsys.readouterr().err


# -- values that are not text --------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, b"fd", {"run": []}])
def test_a_value_that_is_not_text_is_a_type_error_naming_its_type(value):
    kind = type(value).__name__
    with pytest.raises(TypeError, match=f"^parse expects a str, got {kind}"):
        parse(value)
    with pytest.raises(TypeError, match=f"^check expects a str or a Program, got {kind}$"):
        check(value)
    with pytest.raises(TypeError, match=f"^extract_program expects a str, got {kind}$"):
        extract_program(value)
    with pytest.raises(TypeError, match=f"^run expects a Program or a str, got {kind}$"):
        run(load_task(TASK), value)


def test_a_diagnostic_about_a_huge_word_is_short_as_json():
    (d,) = check("f" * 100_000)
    assert len(json.dumps(d.to_dict())) < 400


def test_code_json_cut_short_is_an_error_at_the_end_of_its_last_line_with_an_excerpt():
    err = parse_error('{\n "run": [\n')
    assert (err.line, err.column) == (2, 10)
    assert err.excerpt == ' "run": [\n         ^'
