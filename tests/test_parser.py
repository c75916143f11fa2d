"""The parser: every accepted form of the language, and errors that say what went wrong where."""

from __future__ import annotations

from pathlib import Path

import pytest
from core_helpers import programs
from hypothesis import given, settings
from hypothesis import strategies as st
from lark.exceptions import UnexpectedInput

from xlogo_lang import ParseError, check, parse
from xlogo_lang.ast import (
    COUNT_RANGE_HINT,
    MAX_DEPTH,
    Command,
    Program,
    Repeat,
    SetPenColor,
    Span,
    walk,
)
from xlogo_lang.parser import _fast_parse, _lark, _parse_error, _parse_text
from xlogo_lang.printer import to_compact, to_text

FD, BK, LT, RT = Command("fd"), Command("bk"), Command("lt"), Command("rt")


def prog(*blocks):
    return Program(tuple(blocks))


# -- accepted forms --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["fd;rt;bk", "fd,rt,bk", "fd rt bk", "fd\nrt\nbk\n", "fd; rt,\n bk;"]
)
def test_commands_may_be_separated_by_semicolons_commas_spaces_or_newlines(text):
    assert parse(text) == prog(FD, RT, BK)


def test_blank_lines_tabs_and_indentation_are_ignored():
    assert parse("\n\n\tfd   \n\n      rt\t\n") == prog(FD, RT)


def test_a_repeat_may_be_written_on_one_line():
    assert parse("repeat(3){fd rt}") == prog(Repeat(3, (FD, RT)))


def test_the_canonical_multi_line_repeat():
    assert parse("repeat(3){\n  fd\n  rt\n}\n") == prog(Repeat(3, (FD, RT)))


@pytest.mark.parametrize(
    "text", ["repeat 3 [fd rt]", "repeat 3 [ fd rt ]", "repeat(3)[fd rt]", "repeat 3 {fd rt}"]
)
def test_logo_style_repeat_is_accepted(text):
    assert parse(text) == prog(Repeat(3, (FD, RT)))


def test_repeats_nest():
    assert parse("repeat(2){repeat 3 [fd] rt}") == prog(Repeat(2, (Repeat(3, (FD,)), RT)))


@pytest.mark.parametrize(
    ("word", "kind"),
    [("forward", "fd"), ("back", "bk"), ("backward", "bk"), ("left", "lt"), ("right", "rt")],
)
def test_long_command_names_mean_the_short_ones(word, kind):
    assert parse(word) == prog(Command(kind))


@pytest.mark.parametrize(
    "text",
    [
        "setpc(red)",
        "setpc red",
        'setpc("red")',
        "setpc('red')",
        "setpencolor(red)",
        "setpencolour red",
    ],
)
def test_every_pen_colour_form_means_setpc(text):
    assert parse(text) == prog(SetPenColor("red"))


@pytest.mark.parametrize("text", ["setpc(\"'red'\")", "setpc('\"red\"')", 'setpc("red\'")'])
def test_quotes_inside_a_colour_string_are_part_of_the_word(text):
    """One pair of quotes is the string's, as in the Python form: `"'red'"` is no colour."""
    with pytest.raises(ParseError, match="unknown pen colour"):
        parse(text)


def test_keywords_and_colours_are_case_insensitive():
    assert parse("FD Rt REPEAT(2){Lt} SetPC(RED) Forward") == prog(
        FD, RT, Repeat(2, (LT,)), SetPenColor("red"), FD
    )


def test_empty_call_parentheses_are_allowed():
    assert parse("fd() rt( )") == prog(FD, RT)


def test_hash_and_slash_comments_are_ignored():
    text = "# a comment\nfd  # go up\n// another\nrt // turn\n"
    assert parse(text) == prog(FD, RT)


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n", ";;,"])
def test_a_text_without_commands_is_the_empty_program(text):
    assert parse(text) == Program(())


def test_an_empty_repeat_body_is_allowed():
    assert parse("repeat(3){}") == prog(Repeat(3, ()))


def test_nodes_carry_spans_that_do_not_affect_equality():
    p = parse("fd\n  rt\nrepeat(2){\n  fd\n}")
    assert p.body[1].span == Span(2, 3, 2, 5)
    assert p.body[2].span == Span(3, 1, 5, 2)
    assert p.body[2].times_span == Span(3, 8, 3, 9)
    assert p == parse("fd rt repeat(2){fd}")


def test_the_colour_span_points_at_the_colour():
    assert parse("setpc(blue)").body[0].color_span == Span(1, 7, 1, 11)


# -- errors -----------------------------------------------------------------------------------


def parse_error(text: str, **kw) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse(text, **kw)
    return info.value


@pytest.mark.parametrize("text", ["jump", "def Run():\n  jump()", '{"run": 5}'])
def test_a_path_given_as_the_file_name_is_named_in_the_error(text):
    """`load_task` takes a Path, and so the caller's `parse(text, filename=path)`: its error's
    own `str()` failed (`": ".join` of a PosixPath), in every form."""
    err = parse_error(text, filename=Path("answers") / "a.xlogo")
    assert err.file == str(Path("answers") / "a.xlogo")
    assert str(err).startswith(f"{Path('answers') / 'a.xlogo'}: ")


def test_a_file_name_that_is_no_path_is_a_type_error_naming_the_argument():
    with pytest.raises(TypeError, match="filename must be a str or a path, got int"):
        parse("fd", filename=5)


def test_an_unknown_command_is_named_with_its_position():
    err = parse_error("fd\nrt jump fd")
    assert "unknown command 'jump'" in err.message
    assert (err.line, err.column) == (2, 4)


def test_a_parse_error_lists_the_tokens_that_could_come_next():
    err = parse_error("fd jump")
    assert {"fd", "bk", "lt", "rt", "repeat", "setpc"} <= set(err.expected)


def test_a_parse_error_shows_the_line_with_a_caret_under_the_column():
    err = parse_error("fd\nrt jump fd")
    assert err.excerpt == "rt jump fd\n   ^"
    assert str(err).startswith("line 2, column 4: unknown command 'jump'\nrt jump fd\n   ^")


def test_a_parse_error_carries_a_hint():
    assert parse_error("fd jump").hint


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("foward", "forward"), ("rigth", "right"), ("repet", "repeat"), ("stepc", "setpc")],
)
def test_a_command_with_a_letter_wrong_is_named_in_the_hint(typo, meant):
    assert parse_error(f"fd {typo}").hint.startswith(f"did you mean '{meant}'? (commands are fd")


@pytest.mark.parametrize(
    ("typo", "meant"), [("move_foward()", "move_forward()"), ("turn_rihgt()", "turn_right()")]
)
def test_a_python_function_misspelt_alone_is_named_in_the_hint(typo, meant):
    """No correct call beside it, the line is read as the text form, which knows no such word:
    the hint still names the function meant, as the Python form's own reader does."""
    assert parse_error(typo).hint.startswith(f"did you mean {meant}? (the Python form's")


@pytest.mark.parametrize("word", ["fw", "reset", "jump"])
def test_a_word_merely_like_a_command_gets_the_list_alone(word):
    assert parse_error(word).hint == "commands are fd, bk, lt, rt, setpc(colour), repeat(n){...}"


def test_the_file_name_is_part_of_the_message():
    err = parse_error("jump", filename="prog.txt")
    assert str(err).startswith("prog.txt: line 1, column 1:")


def test_an_unclosed_repeat_is_reported_at_the_end_of_the_input():
    err = parse_error("fd\nrepeat(3){\n  fd\n")
    assert err.message.startswith("unclosed repeat")
    assert err.line == 3


def test_a_missing_repeat_count_is_named():
    assert parse_error("repeat {fd}").message.startswith("missing repeat count")


def test_a_missing_repeat_body_is_named():
    err = parse_error("repeat 3 fd")
    assert err.message.startswith("missing repeat body")
    assert (err.line, err.column) == (1, 10)


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("repeat(3{fd}", "missing ')' before '{'", 9),
        ("setpc(red fd", "missing ')' before 'fd'", 11),
        ("setpc(red", "missing ')': the input ends before it", 10),
    ],
)
def test_a_missing_closing_parenthesis_is_named(text, message, column):
    """Not "a body needs 'repeat N'" nor "unknown command 'fd'": the word found is fine."""
    err = parse_error(text)
    assert (err.message, err.column) == (message, column)


@pytest.mark.parametrize("text", ["fd 100", "rt 90", "repeat 4 [forward 50 right 90]"])
def test_a_number_after_a_move_or_turn_says_they_take_none(text):
    """Classic Logo's `fd 100`: the hint says what one fd does."""
    err = parse_error(text)
    assert "fd, bk, lt and rt take no number" in err.message
    assert "each fd or bk moves one square" in err.hint


def test_a_stray_number_elsewhere_is_just_unexpected():
    assert parse_error("repeat(3){fd} 3").message == "unexpected '3'"


def test_an_unmatched_closing_bracket_is_named():
    err = parse_error("fd }")
    assert err.message.startswith("unmatched '}'")
    assert err.column == 4


def test_a_closing_bracket_of_the_wrong_kind_is_unmatched():
    assert parse_error("repeat(3){fd]").message.startswith("unmatched ']'")


def test_a_body_without_repeat_is_named():
    assert "needs 'repeat N'" in parse_error("{fd}").message


# -- code JSON ---------------------------------------------------------------------------------


def test_parse_reads_code_json_text():
    text = '{"run": [{"type": "repeat", "times": 3, "body": [{"type": "fd"}]}]}'
    assert parse(text) == prog(Repeat(3, (FD,)))
    assert parse('\n  {\n  "run": []}\n') == prog()


def test_invalid_code_json_text_is_a_parse_error_naming_the_path():
    err = parse_error('{"run": [{"type": "fd"}, {"type": "jump"}]}', filename="a.json")
    assert (err.file, err.path, err.message) == ("a.json", "run[1]", "unknown block type 'jump'")


def test_code_json_range_errors_are_errors_without_strict_too():
    text = '{"run": [{"type": "repeat", "times": 13, "body": []}]}'
    assert parse_error(text, strict=False).message == "repeat count 13 is outside 1..12"


def test_malformed_code_json_is_a_parse_error_with_line_column_and_caret():
    err = parse_error('{"run": [\n  {"type": "fd"}\n}')
    assert (err.line, err.column) == (3, 1)
    assert err.message.startswith("not valid JSON")
    assert err.excerpt == "}\n^"


def test_a_trailing_comma_in_code_json_is_shown_at_the_comma():
    """`json` puts the error at the bracket on the next line; the comma is what to delete."""
    err = parse_error('{"run": [\n  {"type": "fd"},\n]}')
    assert (err.line, err.column) == (2, 17)
    assert err.excerpt == '  {"type": "fd"},\n                ^'


def test_a_missing_pen_colour_is_named():
    assert parse_error("setpc()").message.startswith("missing pen colour")


@pytest.mark.parametrize("times", [0, 13, 100])
def test_a_repeat_count_outside_1_to_12_is_an_error_naming_the_range(times):
    err = parse_error(f"fd\nrepeat({times}){{fd}}")
    assert err.message == f"repeat count {times} is outside 1..12"
    assert (err.line, err.column) == (2, 8)


@pytest.mark.parametrize(
    "text",
    [
        "repeat(13){fd}",
        "def Run():\n  for i in range(13):\n    move_forward()",
        '{"run": [{"type": "repeat", "times": 13, "body": []}]}',
    ],
)
def test_a_count_out_of_range_gets_the_same_hint_in_every_form(text):
    """Code JSON's error and `check`'s diagnostic said how to count past 12; the text and
    Python-style forms' errors said nothing."""
    assert parse_error(text).hint == COUNT_RANGE_HINT


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        ("repeat(-1){fd}", "repeat count -1 is outside 1..12", 8),
        ("fd repeat -12 [fd]", "repeat count -12 is outside 1..12", 11),
        ("repeat(+0){fd}", "repeat count 0 is outside 1..12", 8),
        ("repeat(2.5){fd}", "the repeat count must be a whole number", 8),
        ("repeat(+3){fd}", "repeat count '+3' has a sign", 8),
    ],
)
def test_a_count_with_a_sign_or_a_fraction_is_named_as_such_not_as_missing(text, message, column):
    """The grammar reads no count there, and said "missing repeat count before '-'" (or "missing
    ')' before '.'") of a count that is plainly there; the Python-style form and code JSON name
    the same counts as out of range or not whole."""
    err = parse_error(text)
    assert err.message == message
    assert (err.line, err.column) == (1, column)


def test_a_negative_count_is_a_range_diagnostic_for_check():
    (diag,) = check("repeat(-1){fd}")
    assert diag.rule == "repeat-range"


def test_an_unknown_pen_colour_is_an_error_naming_the_colours():
    err = parse_error("setpc(purple)")
    assert "unknown pen colour 'purple'" in err.message
    assert "red" in err.message
    assert err.column == 7


def test_without_strict_range_errors_are_left_for_the_checker():
    assert parse("repeat(13){fd} setpc(purple)", strict=False) == prog(
        Repeat(13, (FD,)), SetPenColor("purple")
    )


def test_repeats_may_nest_up_to_the_depth_limit():
    text = "repeat(1){" * MAX_DEPTH + "fd" + "}" * MAX_DEPTH
    assert len(parse(text)) == MAX_DEPTH + 1


def test_deeper_nesting_is_a_parse_error_not_a_crash():
    depth = 5000
    err = parse_error("repeat(1){" * depth + "fd" + "}" * depth)
    assert f"nested more than {MAX_DEPTH} deep" in err.message


# -- round trips ------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(programs)
def test_parsing_the_canonical_text_gives_the_program_back(p):
    assert parse(to_text(p)) == p


@settings(max_examples=300, deadline=None)
@given(programs)
def test_parsing_the_compact_form_gives_the_program_back(p):
    assert parse(to_compact(p)) == p


@settings(max_examples=200, deadline=None)
@given(programs)
def test_printing_is_idempotent(p):
    text = to_text(p)
    assert to_text(parse(text)) == text


def test_case_insensitive_matching_of_exotic_letters_gives_the_command_not_a_crash():
    # Python's case-insensitive regexes match "ı" (dotless i) as "i" and "K" (Kelvin) as "k"
    assert parse("r\u0131ght b\u212a") == prog(RT, BK)


# -- the fast reader and the grammar agree ------------------------------------------------------

PIECES = [
    "fd", "BK", "lt", "Right", "forward", "back", "setpc", "SetPenColour", "repeat", "red", "Blue",
    "fd()", "( )", "(", ")", "{", "}", "[", "]", ";", ",", " ", "\n", "\t", "\r", "# c\n", "// c",
    '"red"', "'white'", "0", "3", "12", "13", "x", "_y", "fd2", "\u212a", "\u0131", "é", "\x0b",
]  # fmt: skip
soups = st.lists(st.sampled_from(PIECES), max_size=30).map(" ".join) | st.lists(
    st.sampled_from(PIECES), max_size=30
).map("".join)


def layout(p: Program) -> list[tuple]:
    """Every node with its spans, which equality of programs ignores."""
    return [
        (b, b.span, getattr(b, "times_span", None), getattr(b, "color_span", None))
        for b in walk(p.body)
    ]


@settings(max_examples=500, deadline=None)
@given(soups)
def test_the_fast_reader_and_the_grammar_build_the_same_ast_with_the_same_spans(text):
    fast = _fast_parse(text)
    try:
        slow = _lark().parse(text)
    except UnexpectedInput:
        assert fast is None
        return
    if fast is None:
        assert not text.isascii()  # only exotic letters are left to the grammar alone
        return
    assert fast == slow
    assert layout(fast) == layout(slow)


NESTED_PIECES = [*PIECES, "repeat(3){", "repeat 2 [", "fd rt ", "setpc(red) ", "jump"]
nested_soups = st.lists(st.sampled_from(NESTED_PIECES), max_size=40).map(" ".join) | st.lists(
    st.sampled_from(NESTED_PIECES), max_size=40
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(nested_soups)
def test_a_syntax_error_is_reported_exactly_as_the_grammar_reports_it_on_the_whole_text(text):
    # the text reader hands Lark only the open repeats, the last item and the rest (parser.py)
    try:
        _lark().parse(text)
    except UnexpectedInput as exc:
        expected = _parse_error(exc, text, "f")
    else:
        return
    with pytest.raises(ParseError) as info:
        _parse_text(text, "f")
    err = info.value
    assert (err.message, err.line, err.column, err.expected, err.hint, err.excerpt) == (
        expected.message,
        expected.line,
        expected.column,
        expected.expected,
        expected.hint,
        expected.excerpt,
    )


def test_a_colour_word_with_an_exotic_letter_is_read_as_the_grammar_reads_it():
    # "redſetpc" is the colour "red" then the keyword "ſetpc" (long s) for the grammar
    text = "setpc redſetpc blue fd"
    assert _fast_parse(text) is None
    assert parse(text) == _lark().parse(text) == prog(SetPenColor("red"), SetPenColor("blue"), FD)


@settings(max_examples=200, deadline=None)
@given(programs)
def test_the_fast_reader_reads_every_canonical_and_compact_text(p):
    assert _fast_parse(to_text(p)) == p
    assert _fast_parse(to_compact(p)) == p


def test_a_byte_order_mark_before_the_program_is_no_error():
    """Windows Notepad saves UTF-8 text with one; it is invisible, so columns ignore it."""
    assert parse("\ufefffd rt") == parse("fd rt")
    assert parse('\ufeff{"run": [{"type": "fd"}]}') == parse("fd")
    with pytest.raises(ParseError) as info:
        parse("\ufefffd jump")
    assert (info.value.line, info.value.column) == (1, 4)


@pytest.mark.parametrize(
    ("text", "word", "hint"),
    [
        ("setpc(r\u0435d)", "'r\u0435d'", "did you mean 'red'?"),  # Cyrillic е
        ("r\u0435peat(3){fd}", "'r\u0435peat'", "did you mean 'repeat'?"),
        ("fd setpc(r\u00e9d)", "'r\u00e9d'", "did you mean 'red'?"),  # é
        ("fd caf\u00e9", "'caf\u00e9'", "the language's words are ASCII letters"),
    ],
)
def test_a_word_with_a_letter_outside_ascii_is_named_whole_with_the_letter(text, word, hint):
    """The grammar's words stop at the letter, so the plain message would name a fragment."""
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.message.startswith(f"{word} has a letter that is not ASCII")
    assert info.value.hint == hint


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("repeat(\uff13){fd}", "write it with ASCII digits: 3"),
        ("repeat(\u0663){fd}", "write it with ASCII digits: 3"),
    ],
)
def test_a_count_with_a_digit_outside_ascii_says_which_digits_to_write(text, hint):
    with pytest.raises(ParseError) as info:
        parse(text)
    assert "has a digit that is not ASCII" in info.value.message
    assert info.value.hint == hint


@pytest.mark.parametrize("char", ["\u200b", "\u202e", "\u2060"])
def test_an_invisible_character_is_named_and_shown_as_a_replacement_mark(char):
    """A zero-width space cannot be seen, and a right-to-left override printed as it is turns the
    rest of the excerpt around."""
    with pytest.raises(ParseError) as info:
        parse(f"fd rt{char}fd")
    err = info.value
    assert err.message.startswith(f"invisible character {char!r} (U+{ord(char):04X} ")
    assert err.excerpt == "fd rt\ufffdfd\n     ^"


def test_a_nul_byte_is_named_by_its_code_point_once():
    """A control character has no name in Unicode: its code point is not repeated for one."""
    with pytest.raises(ParseError) as info:
        parse("fd\0rt")
    assert info.value.message == "invisible character '\\x00' (U+0000)"
    assert (info.value.line, info.value.column) == (1, 3)


def test_a_lone_surrogate_is_named_where_it_is_and_its_error_can_be_printed():
    """JSON's `\\ud800` escape puts one in a model's reply; shown as it is in the excerpt, it
    made `print(err)` raise UnicodeEncodeError, as no UTF-8 writer takes it."""
    with pytest.raises(ParseError) as info:
        parse("fd \ud800 rt")
    err = info.value
    assert err.message.startswith("lone surrogate '\\ud800' (U+D800)")
    assert (err.line, err.column) == (1, 4)
    assert err.excerpt == "fd \ufffd rt\n   ^"
    str(err).encode("utf-8")


def test_typographic_quotes_around_a_colour_are_named_with_the_straight_ones():
    with pytest.raises(ParseError) as info:
        parse("setpc(\u201cred\u201d) fd")
    assert info.value.message == "typographic quote '\u201c' (LEFT DOUBLE QUOTATION MARK)"
    assert info.value.hint == 'write straight quotes, setpc("red"), or none, setpc(red)'


def test_the_caret_stays_under_its_place_after_wide_characters():
    """Full-width letters take two columns on a terminal (here in a code JSON note)."""
    with pytest.raises(ParseError) as info:
        parse('{"note": "\uff46\uff44", "run": [1,]}')
    src, caret = info.value.excerpt.split("\n")
    assert caret == " " * (len(src[: info.value.column - 1]) + 2) + "^"


@pytest.mark.parametrize(
    ("text", "line"), [("fd\rrt\rjump", 3), ("fd\r\nrt\r\njump", 3), ("fd\x0cfd\njump", 2)]
)
def test_errors_are_placed_on_the_line_an_editor_shows(text, line):
    """A lone \\r ends a line (old Mac files); a form feed is a space, as the grammar reads it."""
    with pytest.raises(ParseError) as info:
        parse(text)
    err = info.value
    assert (err.line, err.column) == (line, 1)
    assert err.excerpt.splitlines()[0] == "jump"


@pytest.mark.parametrize(
    ("text", "end_column"),
    [("setpc(red)", 11), ("setpc ( red )", 14), ('setpc("red")', 13), ("setpc red", 10),
     ("fd()", 5), ("fd ( )", 7), ("fd", 3)],
)  # fmt: skip
def test_a_block_span_takes_its_closing_bracket_in_both_readers(text, end_column):
    """As a repeat's span takes its `}` and the Python form's `move_forward()` its `)`."""
    (fast,) = parse(text).body
    (slow,) = _lark().parse(text).body
    assert fast.span == slow.span
    assert (fast.span.column, fast.span.end_column) == (1, end_column)
