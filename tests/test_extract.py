"""Finding the program in a model's reply: realistic replies, precedence, provenance, limits."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from core_helpers import nonempty_programs
from hypothesis import given, settings
from hypothesis import strategies as st

from xlogo_lang import extract, extract_program, parse, to_json
from xlogo_lang.extract import MAX_SPAN_LINES
from xlogo_lang.language import python_names
from xlogo_lang.printer import to_compact, to_text
from xlogo_lang.python_form import to_python

FD_FD_RT_FD = parse("fd fd rt fd")


# -- fenced code blocks -------------------------------------------------------------------------


def test_prose_then_a_fenced_block():
    reply = (
        "The turtle faces north and the strawberry is up and to the right.\n"
        "A wall blocks the middle column, so I go up first.\n\n"
        "```\nfd\nfd\nrt\nfd\n```\n\n"
        "This reaches the strawberry in four commands."
    )
    found = extract_program(reply)
    assert found.program == FD_FD_RT_FD
    assert (found.source, found.start_line, found.end_line) == ("fenced", 5, 8)
    assert found.text == "fd\nfd\nrt\nfd"
    assert found.error is None


def test_the_last_of_several_code_blocks_wins():
    reply = "First attempt:\n```xlogo\nfd rt\n```\nOn second thought:\n```xlogo\nfd fd rt fd\n```\n"
    found = extract_program(reply)
    assert found.program == FD_FD_RT_FD
    assert found.language == "xlogo"
    assert found.start_line == 7


def test_an_earlier_block_is_used_when_the_last_one_does_not_parse():
    reply = "```\nfd fd rt fd\n```\nIn words:\n```\nforward twice, then right, then forward\n```"
    found = extract_program(reply)
    assert found.program == FD_FD_RT_FD
    assert found.start_line == 2


def test_when_no_code_block_parses_the_error_of_the_last_is_reported():
    reply = "```\nfd jump\n```\nwait, better:\n```\nfd\nrepeat(3){\n  fd\n```"
    found = extract_program(reply)
    assert found.program is None
    assert found.source == "none"
    assert found.error.message.startswith("unclosed repeat")
    assert found.error.line == 8  # a line of the reply, not of the block


def test_a_broken_code_block_is_not_mined_for_fragments():
    reply = "Steps:\n1. fd\n2. rt\n```\nfd\nturn around\n```"
    found = extract_program(reply)
    assert found.program is None
    assert "unknown command 'turn'" in found.error.message


def test_tilde_fences_and_language_tags_are_read():
    found = extract_program("~~~logo\nrepeat 4 [fd rt]\n~~~")
    assert found.program == parse("repeat(4){fd rt}")
    assert found.language == "logo"


def test_an_unterminated_last_fence_runs_to_the_end():
    found = extract_program("Here it is:\n```\nfd\nfd\nrt\nfd")
    assert found.program == FD_FD_RT_FD
    assert (found.start_line, found.end_line) == (3, 6)


def test_a_fence_without_code_does_not_stop_the_line_search():
    reply = "The grid:\n```\n. . S\n. # .\n^ . .\n```\nProgram:\nfd\nfd\nrt\nfd"
    found = extract_program(reply)
    assert found.program == FD_FD_RT_FD
    assert found.source == "lines"


def test_an_empty_block_is_skipped():
    found = extract_program("```\nfd fd rt fd\n```\n```\n# nothing yet\n```")
    assert found.program == FD_FD_RT_FD


def test_the_python_style_form_in_a_fence():
    reply = (
        "```python\n"
        "def Run():\n"
        "    move_forward()\n"
        "    turn_right()\n"
        "    for i in range(3):\n"
        "        move_forward()\n"
        "```"
    )
    found = extract_program(reply)
    assert found.program == parse("fd rt repeat(3){fd}")
    assert found.language == "python"


# -- code JSON ----------------------------------------------------------------------------------


def test_code_json_in_prose():
    reply = 'My answer is {"run": [{"type": "fd"}, {"type": "rt"}]} which turns right.'
    found = extract_program(reply)
    assert found.program == parse("fd rt")
    assert found.source == "json"
    assert found.text == '{"run": [{"type": "fd"}, {"type": "rt"}]}'


def test_code_json_in_a_fence_wins_over_text_code():
    code = json.dumps(to_json(parse("repeat(3){fd}")), indent=2)
    reply = f"```\nfd rt\n```\nAs JSON:\n```json\n{code}\n```"
    found = extract_program(reply)
    assert found.program == parse("repeat(3){fd}")
    assert found.source == "json"
    assert found.start_line == 6


def test_the_innermost_run_object_is_found_inside_a_wrapper():
    reply = '{"answer": {"run": [{"type": "bk"}]}, "confidence": 0.9}'
    assert extract_program(reply).program == parse("bk")


def test_invalid_code_json_reports_its_path():
    found = extract_program('{"run": [{"type": "repeat", "times": 20, "body": [{"type": "fd"}]}]}')
    assert found.program is None
    assert found.error.path == "run[0]"
    assert "outside 1..12" in found.error.message


def test_empty_code_json_is_skipped():
    found = extract_program('{"run": []}\n\nfd fd rt fd')
    assert found.program == FD_FD_RT_FD
    assert found.source == "lines"


# -- bare lines ---------------------------------------------------------------------------------


def test_a_numbered_command_list():
    reply = "Here are the steps:\n1. fd\n2. fd\n3. rt\n4. fd\nDone!"
    found = extract_program(reply)
    assert found.program == FD_FD_RT_FD
    assert (found.source, found.start_line, found.end_line) == ("lines", 2, 5)
    assert found.text == "1. fd\n2. fd\n3. rt\n4. fd"


def test_bulleted_lists_with_notes_and_inline_code():
    reply = "- `fd` (up one)\n* fd - up again\n- rt — face east\n- `fd`"
    assert extract_program(reply).program == FD_FD_RT_FD


def test_ascii_arrows_between_commands_separate_them():
    assert extract_program("fd -> rt -> fd -> fd -> fd -> fd").program == parse("fd rt fd fd fd fd")
    assert extract_program("fd->rt->fd").program == parse("fd rt fd")


def test_unicode_arrows_between_commands_separate_them():
    assert extract_program("fd → rt → fd").program == parse("fd rt fd")


def test_fat_arrows_between_commands_separate_them():
    assert extract_program("fd => rt").program == parse("fd rt")


def test_dashes_between_commands_separate_them():
    assert extract_program("fd – rt").program == parse("fd rt")
    assert extract_program("fd - bk — lt -- rt").program == parse("fd bk lt rt")


def test_every_inline_code_span_on_a_line_is_read_in_order():
    reply = "Answer: `fd` `rt` `fd` `fd` `fd` `fd`"
    assert extract_program(reply).program == parse("fd rt fd fd fd fd")
    assert extract_program("`fd` (up) `rt`, then `bk`.").program == parse("fd rt bk")
    assert extract_program("`move_forward()` → `turn_right()`").program == parse("fd rt")


def test_a_note_after_the_last_command_is_still_dropped():
    assert extract_program("fd -> rt -> fd -- go to the lemon").program == parse("fd rt fd")
    assert extract_program("fd → rt → turn right").program == parse("fd rt")
    assert extract_program("`fd` `rt` (turn right)").program == parse("fd rt")


def test_commands_after_a_note_make_the_line_unreadable_rather_than_truncated():
    cases = [
        ("fd -- go up -> rt", 1, 16),
        ("1. fd -> rt\n2. fd -- go up -> rt\n3. fd", 2, 19),  # no part of the list is taken
    ]
    for reply, line, column in cases:
        found = extract_program(reply)
        assert found.program is None
        assert found.error.message.startswith("commands after a note")
        assert (found.error.line, found.error.column) == (line, column)  # at the `rt`


def test_an_answer_label_before_the_program():
    assert extract_program("Answer: fd fd rt fd").program == FD_FD_RT_FD


def test_a_logo_style_program_on_its_own_line():
    reply = "A square is four sides:\nrepeat 4 [fd rt]\nThat's all."
    assert extract_program(reply).program == parse("repeat(4){fd rt}")


def test_forward_in_a_sentence_is_not_a_program():
    reply = "The turtle should move forward twice and then turn right.\nForward is north here."
    found = extract_program(reply)
    assert found.program is None
    assert found.source == "none"


def test_prose_around_a_command_list_is_left_out():
    reply = "I will move forward and then turn right.\nfd\nfd\nrt\nfd\nRight, that should do it."
    found = extract_program(reply)
    assert found.program == FD_FD_RT_FD
    assert (found.start_line, found.end_line) == (2, 5)


def test_blank_lines_inside_a_command_list_join_it():
    assert extract_program("fd\n\nfd\n\nrt\nfd").program == FD_FD_RT_FD


_TEXT_WITH_A_COMMENT = "repeat(3){\n  # one side\n  fd\n  rt\n}"
_PYTHON_WITH_COMMENTS = (
    "def Run():\n    # up twice\n    move_forward()\n    move_forward()\n"
    "    # then turn\n    turn_right()\n    move_forward()"
)


@pytest.mark.parametrize(
    ("code", "program"),
    [
        (_TEXT_WITH_A_COMMENT, "repeat(3){fd rt}"),
        ("fd\nfd\n// now turn\nrt\nfd", "fd fd rt fd"),
        (_PYTHON_WITH_COMMENTS, "fd fd rt fd"),
    ],
)
def test_comment_lines_inside_a_command_list_join_it(code, program):
    """As blank lines do: the parser reads comments in every form, and a program cut at its
    comment lines was scored in pieces (the commands after the last comment, a repeat's body)."""
    found = extract_program(f"Solution:\n\n{code}\n\nThis works.")
    assert found.program == parse(program)
    assert found.text == code


@pytest.mark.parametrize(
    "code", ["repeat(4)\n{\n  fd\n  rt\n}", "repeat 4\n[\n  fd rt\n]", "repeat(4)\n{ fd\n  rt }"]
)
def test_a_repeat_whose_opening_bracket_is_on_its_own_line_is_read_whole(code):
    """The line of the bracket is part of the program: it broke the span, and the body alone
    (`fd rt`) was scored as the answer."""
    found = extract_program(f"My answer:\nbk\n{code}\nlt\n\nThat draws it.")
    assert found.program == parse("bk repeat(4){fd rt} lt")


@pytest.mark.parametrize(
    ("reply", "line"),
    [
        ("My answer:\nfd\nrt\nrepeat(20){fd}\n", 4),
        ("- fd\n- setpc(purple)\n- fd", 2),
        ("def Run():\n    move_forward()\n    for i in range(13):\n        turn_left()\n", 3),
    ],
)
def test_an_unfenced_answer_with_a_value_out_of_range_is_an_error_not_its_rest(reply, line):
    """Programs are parsed strictly: the line with the bad count or colour parsed as code, so
    it is no prose to leave out, and the lines around it (`fd rt`) are no answer."""
    found = extract_program(reply)
    assert found.program is None
    assert found.error is not None and found.error.line == line
    assert found.error.rule in ("repeat-range", "pen-colour")


@pytest.mark.parametrize(
    "reply",
    [
        "Answer:\nrepeat(3){\n  fd\n  rt\n",
        "fd\nrepeat 3 [\n  fd\n  rt\n\nThat is it.",
        "Answer:\nrepeat(3){\n  fd\n  jump\n}\n",  # the `jump` line is no command line
    ],
)
def test_an_unfenced_repeat_left_open_is_an_error_not_its_body(reply):
    """Without its first line, the span was the repeat's body (`fd rt`), scored as the answer."""
    found = extract_program(reply)
    assert found.program is None
    assert found.error is not None and found.error.message.startswith("unclosed repeat")


def test_the_longest_span_wins_and_ties_go_to_the_later_one():
    assert extract_program("fd\nSo far so good.\nfd fd\nrt\nfd").program == parse("fd fd rt fd")
    assert extract_program("fd rt\nor maybe\nbk lt").program == parse("bk lt")


def test_a_reply_without_a_program():
    found = extract_program("I am not sure how to solve this. The strawberry looks unreachable.")
    assert (found.program, found.text, found.source, found.error) == (None, None, "none", None)


def test_the_python_style_form_as_bare_lines():
    reply = "My solution:\n\ndef Run():\n    move_forward()\n    turn_left()\n\nDone."
    assert extract_program(reply).program == parse("fd lt")


def test_windows_line_endings_are_read():
    assert extract_program("```\r\nfd\r\nfd\r\nrt\r\nfd\r\n```\r\n").program == FD_FD_RT_FD


@pytest.mark.parametrize(
    ("reply", "program"),
    [("\ufeffrepeat(2){\nfd\n}\n", "repeat(2){fd}"), ("\ufefffd\nrt\n", "fd rt")],
)
def test_a_byte_order_mark_before_the_reply_is_not_part_of_its_first_line(reply, program):
    """As `parse` ignores it: the first line is not left out of the span (which once gave `fd`)."""
    found = extract_program(reply)
    assert found.program == parse(program)
    assert (found.start_line, found.text) == (1, reply.strip("\ufeff\n"))


def test_a_byte_order_mark_before_an_opening_fence_leaves_it_a_fence():
    found = extract_program("\ufeff```python\ndef Run():\n  move_forward()\n```\n")
    assert found.program == parse("fd")
    assert (found.source, found.language) == ("fenced", "python")


def test_a_byte_order_mark_at_the_start_of_a_fenced_block_is_not_part_of_it():
    found = extract_program("Here:\n```\n\ufeffrepeat(2){fd}\n```\nThe grid is 3 by 3.")
    assert found.program == parse("repeat(2){fd}")
    assert (found.source, found.text, found.start_line) == ("fenced", "repeat(2){fd}", 3)


@pytest.mark.parametrize(
    ("reply", "program"),
    [
        ("fd" + " " * 90_000 + "rt", "fd rt"),
        ("fd" + "\t" * 90_000 + "rt -> fd", "fd rt fd"),
        ("1. fd -> rt" + " \t" * 45_000 + "bk -- go back", "fd rt bk"),
    ],
)
def test_long_runs_of_blanks_on_a_command_line_are_read_in_one_pass(reply, program):
    """Their separators were searched for from every blank of a run: quadratic in its length
    (0.6 s for 5,000 blanks, minutes for these). Times in benchmarks/bench_extract.py."""
    assert extract_program(reply).program == parse(program)


# -- provenance and limits ------------------------------------------------------------------------


def test_to_dict_gives_the_canonical_program_and_where_it_came_from():
    d = extract_program("Sure:\n```\nfd fd rt fd\n```").to_dict()
    assert d == {
        "program": "fd\nfd\nrt\nfd\n",
        "text": "fd fd rt fd",
        "source": "fenced",
        "start_line": 3,
        "end_line": 3,
        "language": None,
        "error": None,
    }


def test_to_dict_of_a_failure_carries_the_error():
    d = extract_program("```\nfd jump\n```").to_dict()
    assert d["program"] is None
    assert d["error"]["error"] == "ParseError"
    assert d["error"]["line"] == 2


def test_a_ten_megabyte_reply_is_handled():
    garbage = ("lorem ipsum { [ fd } ``` repeat 3 \n" * 300_000)[:10_000_000]
    found = extract_program(garbage + "\nFinal answer:\n```\nfd fd rt fd\n```\n")
    assert found.program is None or found.program == FD_FD_RT_FD


def test_a_ten_megabyte_command_list_is_too_long_to_read():
    found = extract_program("fd\n" * 3_000_000)
    assert found.program is None
    assert f"longer than the {MAX_SPAN_LINES}" in found.error.message


@pytest.mark.parametrize(
    ("reply", "chars", "line"),
    [
        ("fd " * 40_000, "120,000", 1),
        ("Here it is:\n" + ("fd " * 700 + "\n") * 50, "105,049", 2),  # its pieces would parse
        ("fd " * 200_000, "600,000", 1),  # one line longer than the line search reads
        ("fd\nrt\n" + "fd " * 200_000, "600,000", 3),
    ],
    ids=["one_line", "lines", "one_line_past_the_search", "last_line_past_the_search"],
)
def test_an_unfenced_program_longer_than_extraction_reads_is_refused_as_too_long(
    reply, chars, line
):
    """As a fenced one is: not "no program" (a last line longer than the line search's window
    was not read at all), and not a piece of it that fits (scored as the model's answer)."""
    found = extract_program(reply)
    assert found.program is None
    assert found.error is not None
    assert (found.error.message, found.error.line) == (
        f"{chars} characters: longer than the 100,000 extraction reads",
        line,
    )


def test_the_line_search_parses_at_most_its_budget_of_characters():
    """A span whose error is on its first line splits into two pieces of nearly its size: the
    200 attempts once parsed 200 spans of nearly 100 KB here (5 s; benchmarks/bench_extract.py)."""
    reply = "\n".join(["fd " * 66 + "x"] * 499)
    found = extract_program(reply)
    assert found.program is None
    assert (found.error.message, found.error.line) == ("unknown command 'x'", 1)
    assert len(reply) <= found.parsed_chars <= extract.MAX_PARSE_CHARS  # the whole span first


def test_fenced_blocks_are_parsed_within_the_same_budget_of_characters():
    """64 blocks of 80 KB were all parsed (4 s; benchmarks/bench_extract.py)."""
    found = extract_program(("```\n" + "fd " * 26_000 + "x\n```\n") * 64)
    assert found.program is None
    assert found.error.line == 3 * 63 + 2  # the error of the last block, as before
    assert found.parsed_chars <= extract.MAX_PARSE_CHARS


def test_a_reply_read_without_the_parser_costs_nothing():
    found = extract_program(f"Answer: {json.dumps(to_json(parse('fd')))}")
    assert found.source == "json" and found.parsed_chars == 0


def test_the_cost_of_reading_is_no_part_of_the_result():
    found = extract_program("```\nfd\n```")
    assert found.parsed_chars == len("fd")
    assert found == replace(found, parsed_chars=0)


def test_a_long_reply_with_the_answer_at_the_end():
    reply = "Thinking about the grid.\n" * 100_000 + "```\nfd fd rt fd\n```"
    found = extract_program(reply)
    assert found.program == FD_FD_RT_FD
    assert found.start_line == 100_002


@settings(max_examples=150, deadline=None)
@given(nonempty_programs, st.sampled_from(["", "xlogo", "text", "logo"]))
def test_any_program_in_a_fence_is_found(p, language):
    reply = f"Here is my program.\n```{language}\n{to_text(p)}```\nIt should work."
    found = extract_program(reply)
    assert found.program == p


@settings(max_examples=150, deadline=None)
@given(nonempty_programs)
def test_any_program_as_json_in_prose_is_found(p):
    assert extract_program(f"Answer: {json.dumps(to_json(p))}. Done.").program == p


@settings(max_examples=150, deadline=None)
@given(nonempty_programs)
def test_any_program_on_its_own_line_is_found(p):
    assert extract_program(f"My answer:\n{to_compact(p)}\n").program == p


@settings(max_examples=150, deadline=None)
@given(nonempty_programs)
def test_any_program_in_the_python_form_without_a_fence_is_found(p):
    """As a grammar-constrained model writes it: no fence, and `pass` for an empty body."""
    assert extract_program(to_python(p)).program == p


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_extraction_never_raises(reply):
    found = extract_program(reply)
    assert found.source in ("fenced", "json", "lines", "none")
    assert (found.program is None) == (found.source == "none")


@pytest.mark.parametrize("reply", ["fd rt fd.", "Answer: fd -> rt -> fd.", "1. fd\n2. rt\n3. fd."])
def test_a_full_stop_after_the_last_command_is_punctuation(reply):
    assert extract_program(reply).program == parse("fd rt fd")


def test_code_json_longer_than_extraction_reads_is_refused_naming_its_line():
    reply = "Here it is:\n" + '{"run": [' + '{"type": "fd"}, ' * 10_000 + '{"type": "rt"}]}'
    result = extract_program(reply)
    assert result.program is None
    assert result.error is not None and result.error.line == 2
    assert "not complete within 100,000 characters" in result.error.message


def test_openings_nested_in_a_huge_reply_decode_a_window_each_not_the_reply():
    """64 `{"run": [` openings around 9 MB of numbers: each is refused after its window, so
    the reply costs 64 windows (benchmarks/bench_extract.py times it)."""
    reply = '{"run": [' * 64 + "1, " * 3_000_000
    result = extract_program(reply)
    assert result.program is None
    assert "not complete within 100,000 characters" in str(result.error)


@pytest.mark.parametrize("name", sorted(python_names()))
def test_every_function_name_the_parser_reads_starts_a_command_line(name):
    # the extractor's command words come from the parser's own, so no alias is lost
    call = f'{name}("red")' if python_names()[name] == "setpc" else f"{name}()"
    reply = f"My answer:\n{call}\n{call}\nturn_left()\n"
    assert extract_program(reply).program == parse(f"{call}\n{call}\nturn_left()\n")


def test_two_extractions_of_one_failing_reply_are_equal():
    """The error they carry is an exception (compared by identity): it follows from the text."""
    reply = "```\nfd jump\n```"
    assert extract_program(reply) == extract_program(reply)
    assert extract_program(reply) != extract_program("```\nfd fly\n```")
