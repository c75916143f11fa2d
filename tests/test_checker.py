"""Static diagnostics: every problem found without running, with a rule, a span and a hint."""

from __future__ import annotations

import json

import pytest

from xlogo_lang import Diagnostic, check, load_task, load_tasks, parse
from xlogo_lang.ast import Span
from xlogo_lang.errors import ProgramError


def rules(diags: list[Diagnostic]) -> list[str]:
    return [d.rule for d in diags]


def test_a_valid_program_without_a_task_has_no_diagnostics():
    assert check("fd rt repeat(3){fd}") == []


def test_a_syntax_error_is_the_one_diagnostic_with_its_position():
    (d,) = check("fd\nrt jump")
    assert (d.severity, d.rule) == ("error", "syntax")
    assert "unknown command 'jump'" in d.message
    assert (d.span.line, d.span.column) == (2, 4)
    assert d.hint


def test_every_repeat_count_out_of_range_is_reported():
    diags = check("repeat(0){fd}\nrepeat(13){rt}\nrepeat(12){lt}")
    assert rules(diags) == ["repeat-range", "repeat-range"]
    assert [d.span.line for d in diags] == [1, 2]
    assert diags[1].message == "repeat count 13 is outside 1..12"
    assert diags[1].span == Span(2, 8, 2, 10)


def test_every_unknown_pen_colour_is_reported_at_the_colour():
    diags = check("setpc(purple)\nfd\nsetpc(gren)")
    assert rules(diags) == ["pen-colour", "pen-colour"]
    assert diags[0].span == Span(1, 7, 1, 13)
    assert "did you mean 'green'" in diags[1].hint


def test_an_empty_repeat_body_is_a_warning():
    (d,) = check("fd\nrepeat(3){}")
    assert (d.severity, d.rule) == ("warning", "empty-repeat")
    assert d.span.line == 2


def test_a_task_adds_its_at_most_constraint(real_tasks):
    (d,) = check("fd\nrt\nfd\nfd\nfd\nrt\nfd\n", real_tasks["87"])
    assert d.rule == "at-most"
    assert d.message == "7 commands used; this task allows at most 6"
    assert d.span.line == 7


STAIRS_ELEVEN = "fd rt fd lt fd rt fd lt fd rt fd"


def test_at_most_all_spans_from_the_first_command_over_the_limit_to_the_end(examples_dir):
    task = load_task(examples_dir / "tasks" / "draw-stairs-at-most.json")
    (d,) = check(STAIRS_ELEVEN, task)
    assert d.message == "11 commands used; this task allows at most 5"
    assert d.span == Span(1, 16, 1, 33)  # the 6th command, rt, to the last fd


def test_at_most_all_counts_a_repeat_before_its_body(examples_dir):
    task = load_task(examples_dir / "tasks" / "draw-stairs-at-most.json")
    (d,) = check("fd rt fd\nrepeat(2){lt fd rt fd}\nlt", task)
    assert d.span == Span(2, 14, 3, 3)  # repeat is the 4th, lt the 5th, fd the 6th


def test_a_task_adds_its_exactly_constraint(real_tasks):
    diags = check("fd fd fd rt", real_tasks["11"])
    assert rules(diags) == ["exactly", "exactly"]
    assert diags[0].message == "3 'forward' used; this task asks for exactly 2"


def test_exactly_is_not_checked_for_types_that_do_not_appear(real_tasks):
    # SEMANTICS.md section 6: the reference accepts `fd fd lt` under exactly {fd:2, rt:1, all:3}
    assert check("fd fd lt", real_tasks["11"]) == []


def test_a_forbidden_command_is_an_exactly_violation(real_tasks):
    (d,) = check("rt rt fd bk", real_tasks["10b"])
    assert d.rule == "exactly"
    assert d.message == "1 'backward' used; this task forbids it"


def test_a_forbidden_command_is_reported_at_its_first_use(examples_dir):
    task = load_task(examples_dir / "tasks" / "start-by-turning.json")
    (d,) = check("rt fd bk fd bk", task)
    assert d.message == "2 'backward' used; this task forbids it"
    assert d.span == Span(1, 7, 1, 9)


def test_a_task_adds_its_start_by_constraint(real_tasks):
    (d,) = check("fd rt fd", real_tasks["17a"])
    assert d.rule == "start-by"
    assert "must start with forward, forward, right" in d.message
    assert d.span.column == 4


def test_reference_solutions_have_no_diagnostics(assets_dir):
    noisy = {t.id: check(t.solution, t) for t in load_tasks(assets_dir) if check(t.solution, t)}
    assert not noisy


def test_diagnostics_are_sorted_by_position(real_tasks):
    text = "repeat(2){}\nsetpc(pink)\nrepeat(20){fd}\nfd fd fd fd"
    diags = check(text, real_tasks["87"])
    assert rules(diags) == ["empty-repeat", "pen-colour", "repeat-range", "at-most"]
    positions = [(d.span.line, d.span.column) for d in diags]
    assert positions == sorted(positions)


def test_a_parsed_program_can_be_checked(real_tasks):
    (d,) = check(parse("fd fd fd fd fd fd fd"), real_tasks["87"])
    assert d.rule == "at-most"


def test_code_json_text_is_checked_as_code_json(real_tasks):
    code = {"run": [{"type": "fd"}] * 7}
    (d,) = check(json.dumps(code), real_tasks["87"])
    assert d.rule == "at-most"
    assert d.span is None  # code JSON has no source positions


def test_check_finds_no_problem_exactly_where_parse_and_run_read_the_code_json(real_tasks):
    from xlogo_lang import ProgramError, run

    task = real_tasks["87"]
    for text in (
        '{"run": [{"type": "fd"}]}',
        '{"run": []}',
        '{"run": [{"type": "jump"}]}',
        '{"run": [{"type": "repeat", "times": 13, "body": []}]}',
        '{"run": [',
        "{}",
    ):
        try:
            parse(text)
            run(task, text)
            ran = True
        except ProgramError:
            ran = False
        assert ran == (check(text) == []), text


def test_invalid_code_json_names_its_path():
    src = '{"run": [{"type": "repeat", "times": 13, "body": []}]}'
    (d,) = check(src)
    assert (d.rule, d.path, d.message) == (
        "repeat-range",
        "run[0]",
        "repeat count 13 is outside 1..12",
    )
    assert d.render(src, "p.json").startswith("p.json: run[0]: repeat count 13")


def test_a_code_json_range_error_has_the_hint_a_text_one_has():
    (from_json,) = check('{"run": [{"type": "repeat", "times": 13, "body": [{"type": "fd"}]}]}')
    (from_text,) = check("repeat(13){fd}")
    assert from_json.hint == from_text.hint == "use a count from 1 to 12; nest two repeats for more"


def test_an_unknown_code_json_block_is_a_syntax_error_at_its_path():
    (d,) = check('{"run": [{"type": "fd"}, {"type": "jump"}]}')
    assert (d.rule, d.path, d.message) == ("syntax", "run[1]", "unknown block type 'jump'")


def test_malformed_json_is_a_syntax_error_at_its_position():
    (d,) = check('{"run": [\n  {"type": "fd"},\n]}')
    assert d.rule == "syntax"
    assert (d.span.line, d.span.column) == (2, 17)  # the trailing comma, not the `]` after it


def test_to_dict_gives_the_fields_for_machines():
    (d,) = check("fd\nrepeat(13){fd}")
    assert d.to_dict() == {
        "severity": "error",
        "rule": "repeat-range",
        "message": "repeat count 13 is outside 1..12",
        "line": 2,
        "column": 8,
        "end_line": 2,
        "end_column": 10,
        "path": None,
        "hint": d.hint,
    }


def test_a_program_read_from_code_json_is_located_by_json_path(real_tasks):
    """Code JSON has no lines to point at: each diagnostic names the block's JSON path."""
    fd = '{"type": "fd"}'
    empty = '{"type": "repeat", "times": 2, "body": []}'
    source = '{"run": [' + ", ".join([fd] * 5 + [empty, fd]) + "]}"
    diags = check(source, real_tasks["87"])
    assert [(d.rule, d.path, d.span) for d in diags] == [
        ("empty-repeat", "run[5]", None),
        ("at-most", "run[6]", None),  # the 7th command, where the count goes over 6
    ]
    assert "<expr>: run[6]: 7 commands used" in diags[1].render(source, "<expr>")
    nested = '{"run": [{"type": "repeat", "times": 2, "body": [' + ", ".join([fd] * 7) + "]}]}"
    (d,) = check(nested, real_tasks["87"])
    assert d.path == "run[0].body[5]"  # the repeat counts first: its 6th fd is command 7


def test_a_diagnostic_of_program_text_has_a_span_and_no_path(real_tasks):
    (d,) = check("fd fd fd fd fd fd fd", real_tasks["87"])
    assert d.span is not None and d.path is None


def test_render_gives_file_line_message_then_the_source_line_and_a_caret(real_tasks):
    source = "fd\nrt\nrepeat(3){fd}\nrt fd\nfd\n"
    (d,) = check(source, real_tasks["87"], filename="prog.txt")
    lines = d.render(source, "prog.txt").splitlines()
    assert lines[0] == "prog.txt: line 5, column 1: 7 commands used; this task allows at most 6"
    assert lines[1:3] == ["fd", "^^"]
    assert lines[3].startswith("hint: ")


def test_render_underlines_the_whole_span_on_its_line():
    source = "fd setpc(purple)"
    (d,) = check(source)
    assert d.render(source).splitlines()[1:3] == [source, "         ^^^^^^"]


def test_render_underlines_the_commands_over_an_at_most_limit(examples_dir):
    task = load_task(examples_dir / "tasks" / "draw-stairs-at-most.json")
    (d,) = check(STAIRS_ELEVEN, task)
    assert d.render(STAIRS_ELEVEN).splitlines()[1:3] == [STAIRS_ELEVEN, " " * 15 + "^" * 17]


def test_render_without_source_or_span_is_just_the_message():
    d = Diagnostic("error", "at-most", "7 commands used; this task allows at most 6", None)
    assert d.render() == "7 commands used; this task allows at most 6"
    assert d.render(filename="p.json") == "p.json: 7 commands used; this task allows at most 6"


@pytest.mark.parametrize(
    ("source", "rule"),
    [
        ('{"run": [{"type": "repeat", "times": 13, "body": []}]}', "repeat-range"),
        ('{"run": [{"type": "setpc", "value": "pink"}]}', "pen-colour"),
        ("repeat(" + "9" * 5000 + "){fd}", "repeat-range"),
        ("def Run():\n  for i in range(" + "9" * 5000 + "):\n    move_forward()\n", "repeat-range"),
    ],
)
def test_a_range_error_a_reader_raises_carries_its_rule(source, rule):
    """Readers that refuse a value as they read (code JSON, counts too long to convert) put the
    rule on the error itself, which the checker reports, whatever the message's wording."""
    (d,) = check(source)
    assert d.rule == rule
    with pytest.raises(ProgramError) as info:
        parse(source)
    assert info.value.rule == rule


def test_a_diagnostic_renders_a_file_name_given_as_a_path():
    from pathlib import Path

    (diag,) = check("jump", filename=Path("a.xlogo"))
    assert diag.render("jump", filename=Path("a.xlogo")).startswith("a.xlogo: line 1, column 1: ")
