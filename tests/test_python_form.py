"""The benchmark's Python-style answer form: reading it, printing it, recognising it, its errors."""

from __future__ import annotations

import ast
import contextlib
import re
import sys
import warnings

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from xlogo_lang import ParseError, parse
from xlogo_lang.ast import BASIC, MAX_DEPTH, PEN_COLORS, Command, Program, Repeat, SetPenColor
from xlogo_lang.language import PYTHON, TEXT, render
from xlogo_lang.printer import to_text
from xlogo_lang.python_form import _dedent, looks_like_python, parse_python, to_python

# The paper's Figure 1, as BENCHMARK.md quotes it.
FIGURE_1 = """\
def Run():
  move_forward()
  turn_right()
  for i in range(3):
    move_forward()
  turn_right()
  move_forward()
"""
FIGURE_1_TEXT = "fd\nrt\nrepeat(3){\n  fd\n}\nrt\nfd\n"

blocks = st.recursive(
    st.one_of(
        st.sampled_from(BASIC).map(Command),
        st.sampled_from(PEN_COLORS).map(SetPenColor),
    ),
    lambda children: st.builds(
        Repeat, st.integers(1, 12), st.lists(children, max_size=4).map(tuple)
    ),
    max_leaves=24,
)
programs = st.lists(blocks, max_size=6).map(lambda bs: Program(tuple(bs)))


def error_of(text: str, **kw: object) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse(text, **kw)  # type: ignore[arg-type]
    return info.value


# -- reading --------------------------------------------------------------------------------------


def test_the_papers_figure_reads_as_the_same_program_as_its_text_form():
    assert parse(FIGURE_1) == parse(FIGURE_1_TEXT)


def test_the_def_run_header_is_optional():
    assert parse("move_forward()\nfor i in range(3):\n  turn_left()\n") == parse("fd repeat(3){lt}")


@pytest.mark.parametrize("unit", ["  ", "   ", "    ", "\t"])
def test_any_consistent_indent_width_reads_the_same(unit):
    text = FIGURE_1.replace("    ", "\0").replace("  ", unit).replace("\0", unit * 2)
    assert parse(text) == parse(FIGURE_1_TEXT)


def test_single_and_double_quotes_name_the_same_colour():
    assert parse("def Run():\n  setpc('red')\n") == parse('def Run():\n  setpc("red")\n')


def test_pass_stands_for_an_empty_body_and_an_empty_program():
    assert parse("def Run():\n  for i in range(2):\n    pass\n") == Program((Repeat(2, ()),))
    assert parse("def Run():\n  pass\n") == Program(())


def test_a_snippet_indented_as_a_whole_reads_as_if_it_were_not():
    assert parse("    move_forward()\n    turn_left()\n") == parse("fd lt")


def read(text: str) -> Program | str:
    """The program, or the message of the error."""
    try:
        return parse(text)
    except ParseError as exc:
        return exc.message


@pytest.mark.parametrize(
    ("wide", "narrow"),
    [
        (" " * 900_000 + "# go up\nmove_forward()\n", "  # go up\nmove_forward()\n"),
        (
            " " * 900_000 + "move_forward()\n\tmove_forward()\n",
            "  move_forward()\n\tmove_forward()\n",
        ),
    ],
)
def test_a_margin_of_hundreds_of_thousands_of_blanks_reads_like_a_narrow_one(wide, narrow):
    """Finding the margin the lines share was quadratic in its width (about 10 s for these;
    benchmarks/bench_extract.py)."""
    assert read(wide) == read(narrow)


def test_finding_the_shared_margin_takes_as_many_calls_however_wide_it_is():
    """It was trimmed a character at a time until every line started with it, each step a call:
    its work is counted here rather than timed."""

    def calls(width: int) -> int:
        count = 0

        def profile(frame, event, arg):
            nonlocal count
            count += event == "c_call"

        before = sys.getprofile()
        sys.setprofile(profile)
        try:
            _dedent(" " * width + "move_forward()\n\tmove_forward()\n")
        finally:
            sys.setprofile(before)
        return count

    assert calls(10) == calls(10_000)


def test_comments_a_docstring_and_a_final_call_of_run_are_harmless():
    text = 'def Run():\n  """Reach the star."""\n  move_forward()  # go\n\nRun()\n'
    assert parse(text) == parse("fd")


def test_one_line_bodies_and_semicolons_read_as_python_reads_them():
    assert parse("for i in range(2): move_forward(); turn_left()\n") == parse("repeat(2){fd lt}")


def test_the_text_forms_names_are_accepted_as_calls():
    assert parse("for i in range(2):\n  fd()\n  rt()\n") == parse("repeat(2){fd rt}")


def test_nodes_carry_spans_pointing_at_their_source():
    prog = parse(FIGURE_1)
    first, loop = prog.body[0], prog.body[2]
    assert (first.span.line, first.span.column, first.span.end_column) == (2, 3, 17)
    assert (loop.span.line, loop.span.column, loop.span.end_line) == (4, 3, 5)
    assert (loop.times_span.line, loop.times_span.column) == (4, 18)


def test_spans_count_characters_not_bytes():
    prog = parse("def Run():\n  setpc('é'); move_forward()\n", strict=False)
    assert prog.body[1].span.column == 15


def test_spans_count_characters_along_a_long_line_of_many_statements():
    prog = parse("def Run():\n  " + "setpc('é'); move_forward(); " * 1000 + "\n", strict=False)
    assert [b.span.column for b in prog.body[-2:]] == [3 + 28 * 999, 15 + 28 * 999]


# -- range errors are the checker's, as in the text form ------------------------------------------


def test_range_13_is_an_error_at_the_count():
    err = error_of("def Run():\n  for i in range(13):\n    move_forward()\n")
    assert (err.line, err.column) == (2, 18)
    assert "13" in err.message


def test_non_strict_parsing_returns_range_13_for_the_checker():
    assert parse("for i in range(13):\n  move_forward()\n", strict=False) == Program(
        (Repeat(13, (Command("fd"),)),)
    )


def test_a_count_too_long_for_python_to_convert_is_a_range_error_at_the_count():
    err = error_of(f"def Run():\n  for i in range({'1' * 4301}):\n    move_forward()\n")
    assert err.message == "repeat count 11111111111111111111… (4,301 digits) is outside 1..12"
    assert (err.line, err.column) == (2, 18)


def test_a_long_count_is_shown_short():
    err = error_of(f"for i in range({'1' * 50}):\n  move_forward()\n")
    assert err.message == "repeat count 11111111111111111111… (50 digits) is outside 1..12"


def test_an_unknown_colour_is_an_error_at_the_colour():
    err = error_of("def Run():\n  setpc('purple')\n")
    assert (err.line, err.column) == (2, 9)
    assert "purple" in err.message


# -- syntax errors carry line, column, excerpt and hint -------------------------------------------


def test_inconsistent_indentation_is_named_with_its_line():
    err = error_of("def Run():\n    move_forward()\n  turn_left()\n")
    assert "inconsistent indentation" in err.message
    assert (err.line, err.column) == (3, 3)
    assert err.excerpt and err.hint


def test_a_missing_colon_is_named_at_the_end_of_its_line():
    err = error_of("def Run():\n  for i in range(3)\n    move_forward()\n")
    assert "missing colon" in err.message
    assert (err.line, err.column) == (2, 20)


def test_an_unknown_function_is_named_with_a_suggestion():
    err = error_of("def Run():\n  move_foward()\n")
    assert err.message == "unknown function 'move_foward'"
    assert (err.line, err.column) == (2, 3)
    assert "move_forward()" in (err.hint or "")


def test_a_long_unknown_function_name_is_quoted_short():
    err = error_of("def Run():\n  " + "x" * 100_000 + "()\n")
    assert err.message == f"unknown function '{'x' * 39}…'"
    assert len(str(err)) < 600


def test_a_loop_without_a_body_is_named():
    err = error_of("def Run():\n  for i in range(3):\n  turn_left()\n")
    assert "missing indented body" in err.message
    assert err.line == 3


def test_a_statement_outside_run_is_named():
    err = error_of("def Run():\n  move_forward()\nturn_left()\n")
    assert "outside" in err.message
    assert err.line == 3


def test_a_second_call_of_run_is_an_error_at_that_call():
    assert parse("def Run():\n  move_forward()\nRun()\n") == parse("fd")
    err = error_of("def Run():\n  move_forward()\nRun()\nRun()\n")
    assert err.message == "Run() is called a second time; the program is its body, run once"
    assert (err.line, err.column) == (4, 1)
    assert "once" in (err.hint or "")


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 99, 100, 150])
def test_loops_nested_past_the_limit_are_an_error_at_the_first_loop_past_it(levels):
    text = "def Run():\n" + "".join("  " * (k + 1) + "for i in range(2):\n" for k in range(levels))
    text += "  " * (levels + 1) + "move_forward()\n"
    err = error_of(text)
    assert err.message == f"repeats nested more than {MAX_DEPTH} deep"
    line = MAX_DEPTH + 2  # the def line, then one loop a line
    assert (err.line, err.column) == (line, 2 * (MAX_DEPTH + 1) + 1)


def test_the_first_problem_in_the_text_is_the_one_reported():
    err = error_of("def Run():\n  x = 1\n  move_forward(\n")
    assert (err.line, err.column) == (2, 3)
    assert err.message == "an assignment is not part of the form"


def test_cpython_reads_only_the_statements_outside_the_usual_shapes(monkeypatch):
    seen: list[str] = []
    parse_ast = ast.parse

    def spy(source, *args, **kwargs):
        seen.append(source)
        return parse_ast(source, *args, **kwargs)

    monkeypatch.setattr(ast, "parse", spy)
    assert parse("def Run():\n  " + "fd(); " * 1000 + "\n") == Program((Command("fd"),) * 1000)
    assert seen == []
    err = error_of("def Run():\n  move_forward()\n" + "x\n" * 100_000)
    assert (err.line, err.column, err.message) == (3, 1, "a statement outside `def Run():`")
    assert seen == ["x"]


def test_a_statement_with_a_huge_number_of_items_is_named_by_its_shape():
    err = error_of("def Run():\n  move_forward(" + "1," * 200_000 + ")\n")
    assert (err.line, err.column, err.message) == (2, 3, "move_forward() takes no arguments")
    err = error_of("def Run():\n  x = " + "1+" * 200_000 + "1\n")
    assert (err.line, err.column) == (2, 3)
    assert err.message == "a statement of 400,005 characters is not part of the form"


def test_an_action_with_an_argument_is_an_error():
    err = error_of("move_forward(2)\n")
    assert err.message == "move_forward() takes no arguments"


def test_a_count_that_is_not_a_number_is_an_error():
    err = error_of("for i in range(n):\n  move_forward()\n")
    assert (err.line, err.column) == (1, 16)


@pytest.mark.parametrize(
    "text",
    [
        "def Run():\n  while True:\n    move_forward()\n",
        "def Run():\n  x = 3\n",
        "def Run(n):\n  move_forward()\n",
        "def Run():\n  move_forward(\n",
        "def Run():\n  fd\n",
        "def Run():\n\tmove_forward()\n        turn_left()\n",
        "for i in range(1, 4):\n  move_forward()\n",
        "for i in [1, 2]:\n  move_forward()\n",
        "def Run():\n  move_forward()\ndef Go():\n  turn_left()\n",
    ],
)
def test_constructs_outside_the_form_are_parse_errors_with_a_position(text):
    err = error_of(text)
    assert err.line is not None and err.column is not None
    assert err.excerpt


PYTHONISH = [*"():'\\#\t\n", "é", "  ", "    ", "def Run():", "for i in range(3):", "pass"]
PYTHONISH += ["move_forward()", "turn_left(", "setpc('red')", "range(13)", "Run()", "x = 1"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PYTHONISH), max_size=14).map("".join))
def test_python_like_garbage_never_raises_anything_but_parse_error(text):
    with contextlib.suppress(ParseError):
        parse_python(text)


# -- backslash continuations, as CPython's tokenizer joins lines -----------------------------------


def test_a_continuation_after_a_semicolon_joins_the_next_line_whatever_its_indent():
    assert parse("def Run():\n    fd(); \\\n    rt()\n") == parse("fd rt")
    assert parse("def Run():\n    fd(); \\\nrt()\n") == parse("fd rt")


def test_statements_after_a_continuation_keep_their_physical_line_and_column():
    prog = parse("def Run():\n    fd(); \\\n      rt()\n")
    span = prog.body[1].span
    assert (span.line, span.column, span.end_column) == (3, 7, 11)


def test_a_line_of_only_a_continuation_joins_the_line_after_it():
    assert parse("for _ in range(2):\n\\\n    fd()\n") == parse("repeat(2){fd}")
    assert parse("def Run():\n\\\n  fd()\n\\\n  rt()\n") == parse("fd rt")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("for _ in range(2):\n  \\\nfd()\n  rt()\n", "repeat(2){fd rt}"),  # indented at the `\`
        ("for _ in range(2):\n\\\n  \\\n    fd()\n  rt()\n", "repeat(2){fd rt}"),  # the first `\`
        ("for _ in range(2):\n\\\n    fd()\nrt()\n", "repeat(2){fd} rt"),  # `\` at 0: the line
    ],
)
def test_a_continuation_at_the_start_of_a_line_sets_its_indent_as_cpython_does(text, expected):
    assert parse(text) == parse(expected)


def test_blanks_before_a_continuation_indent_the_line_it_joins():
    err = error_of("def Run():\n  fd()\nRun()\n  \\\nRun()\n")
    assert err.message == "unexpected indent: this line is indented deeper than its block"
    assert (err.line, err.column) == (5, 1)


def test_an_indentation_error_after_a_continuation_is_named_at_the_statements_line():
    err = error_of("def Run():\n    fd()\n  \\\n    rt()\n")
    assert "inconsistent indentation" in err.message
    assert (err.line, err.column) == (4, 5)


def test_tabs_before_a_continuation_at_the_start_of_a_line_compare_as_spaces():
    assert parse("for _ in range(2):\n\t\\\n  fd()\n        rt()\n") == parse("repeat(2){fd rt}")
    err = error_of("for _ in range(2):\n\t\\\n  fd()\n\trt()\n")
    assert err.message == "inconsistent indentation: tabs and spaces are mixed"
    assert err.line == 4


def test_a_continuation_after_a_for_lines_colon_makes_a_one_line_body():
    assert parse("for _ in range(2): \\\nfd()\nrt()\n") == parse("repeat(2){fd} rt")
    assert parse("for _ in range(2): \\\n  fd(); \\\n  rt()\n") == parse("repeat(2){fd rt}")


def test_a_continuation_into_a_blank_or_comment_line_ends_the_logical_line():
    assert parse("def Run():\n    fd()\n \\\n# c") == parse("fd")  # the text's last line
    assert parse("for _ in range(2): \\\n  # c\n  fd()\n") == parse("repeat(2){fd}")
    assert parse("def Run():\n  fd(); \\\n\n  rt()\n") == parse("fd rt")


def test_a_continuation_that_ends_the_text_is_an_unexpected_end_of_file_at_its_backslash():
    err = error_of("def Run():\n  fd()\n    \\\n")
    assert err.message == "not a Python-style program: unexpected EOF while parsing"
    assert (err.line, err.column) == (3, 6)
    assert error_of("def Run():\n  fd(); \\\n").column == 10
    assert parse("def Run():\r\n  fd(); \\\r\n") == parse("fd")  # CPython reads on after \r\n


def test_a_crlf_line_break_after_a_continuation_is_one_line_break():
    assert parse("for _ in range(3):\r\n    rt();\\\r\nrt()\r\n") == parse("repeat(3){rt rt}")


def test_a_statement_cut_off_by_a_continuation_is_named_on_the_line_cpython_names():
    err = error_of("def Run():\n  for _ in range(2) \\\n\n    fd()\n")
    assert err.message == "missing colon at the end of this line"
    assert err.line == 3


def test_a_snippet_indented_as_a_whole_keeps_its_crlf_line_breaks():
    assert parse("  def Run():\r\n    fd() \\\r\n") == parse("fd")


def test_a_statement_continued_over_many_lines_is_one_statement():
    """Its time is in benchmarks/bench_parse_sizes.py (it was quadratic in the line count)."""
    text = "def Run():\n  fd(1) " + " \\\n" * 20_000 + " + 1\n"
    assert error_of(text).message == "a bare value is not part of the form"


def _calls(blocks):
    for b in blocks:
        if isinstance(b, Repeat):
            for _ in range(b.times):
                yield from _calls(b.body)
        else:
            yield b.kind


def _outside_the_form(node):
    """A node of something continuations made of the form's statements: `f d()`, `range (2)()`."""
    if isinstance(node, ast.Name):
        return node.id not in ("fd", "rt", "range", "_")
    if isinstance(node, ast.Call):
        return bool(node.args) and getattr(node.func, "id", None) != "range"
    return not isinstance(
        node, ast.Module | ast.FunctionDef | ast.arguments | ast.For | ast.Expr | ast.Pass
        | ast.Constant | ast.Load | ast.Store
    )  # fmt: skip


def _cpython_calls(text):
    """The calls CPython makes running `text` (and Run(), if it defines it), None if it does not
    compile, or "skip" when it compiles to more than the form (a statement outside Run)."""
    try:
        code = compile(text, "<program>", "exec")
    except SyntaxError:
        return None
    tree = ast.parse(text)
    defs = sum(isinstance(s, ast.FunctionDef) for s in tree.body)
    if (defs and len(tree.body) > 1) or any(_outside_the_form(node) for node in ast.walk(tree)):
        return "skip"
    calls: list[str] = []
    names = {"fd": lambda: calls.append("fd"), "rt": lambda: calls.append("rt")}
    exec(code, names)  # fd(), rt(), for and pass only
    if "Run" in names:
        names["Run"]()
    return calls


CONTINUATIONS = [
    "\\\n",
    " \\\n",
    "\\\n  ",
    " \\\n    ",
    "\\\n\t",
    "\\\n\\\n ",
    "\\\n# c\n",
    "\\\n\n",
]


@st.composite
def continued_programs(draw):
    """Small programs of the form with `\\` continuations inserted anywhere, valid or not."""
    statements = ["fd()", "rt()", "pass", "fd(); rt()", "for _ in range(2):", "for _ in range(3):"]
    lines = draw(
        st.lists(
            st.tuples(st.integers(0, 2), st.sampled_from([*statements, "# c", ""])),
            min_size=1,
            max_size=7,
        )
    )
    unit = draw(st.sampled_from(["  ", "    ", "\t"]))
    header = draw(st.booleans())
    text = ("def Run():\n" if header else "") + "".join(
        unit * (level + header) + line + "\n" for level, line in lines
    )
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(CONTINUATIONS)) + text[at:]
    return text.replace("\n", draw(st.sampled_from(["\n", "\n", "\r\n", "\r"])))


@settings(max_examples=400, deadline=None)
@given(continued_programs())
def test_continued_programs_read_as_cpython_reads_them(text):
    lines = [line for line in re.split(r"\r\n|\r|\n", text) if line.strip()]
    assume({line[0] for line in lines} not in ({" "}, {"\t"}))  # indented as a whole: dedented
    expected = _cpython_calls(text)
    assume(expected != "skip")
    if expected is None:
        with pytest.raises(ParseError):
            parse_python(text)
    else:
        assert list(_calls(parse_python(text).body)) == expected


# -- printing -------------------------------------------------------------------------------------


def test_to_python_prints_the_papers_figure():
    assert to_python(parse(FIGURE_1_TEXT)) == FIGURE_1


def test_to_python_writes_colours_in_double_quotes_and_empty_bodies_as_pass():
    prog = Program((SetPenColor("red"), Repeat(2, ())))
    assert to_python(prog) == 'def Run():\n  setpc("red")\n  for i in range(2):\n    pass\n'


@pytest.mark.parametrize("colour", ['a"b', "back\\slash", "two\nlines", "nul\0", "\ud800"])
def test_to_python_writes_any_colour_a_lenient_parse_keeps_so_that_it_reads_back(colour):
    """A colour outside the six is printed as written (for `check` to report); written between
    bare double quotes, one holding a quote, a backslash or a newline made a print that is no
    Python at all."""
    prog = Program((SetPenColor(colour), Command("fd")))
    assert parse(to_python(prog), strict=False) == prog


def test_to_python_of_the_empty_program_is_a_run_that_passes():
    assert to_python(Program(())) == "def Run():\n  pass\n"


def test_every_oracle_program_reads_back_from_its_python_print(oracle_cases):
    for case in oracle_cases:
        prog = parse(case["program"])
        assert parse(to_python(prog)) == prog, case["case"]


def test_the_language_description_reproduces_the_canonical_text_printer(oracle_cases):
    for case in oracle_cases:
        prog = parse(case["program"])
        assert render(prog, TEXT) == case["program"] == to_text(prog)


@settings(max_examples=300, deadline=None)
@given(programs)
def test_the_python_print_of_any_program_reads_back_as_the_same_program(prog):
    assert parse(to_python(prog)) == parse(to_text(prog)) == prog


@settings(max_examples=150, deadline=None)
@given(programs, st.sampled_from(["    ", "\t", "   "]), st.booleans())
def test_reindented_requoted_and_headerless_prints_read_the_same(prog, unit, header):
    text = to_python(prog).replace('"', "'")
    lines = text.splitlines()[0 if header else 1 :]
    redone = []
    for line in lines:
        body = line.lstrip(" ")
        level = (len(line) - len(body)) // len(PYTHON.indent)
        redone.append(unit * (level - (0 if header else 1)) + body)
    assert parse("\n".join(redone) + "\n") == prog


# -- recognising the form -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        FIGURE_1,
        "move_forward()\n",
        "  turn_left()\n",
        "for _ in range(4):\n  move_back()\n",
        "def solve():\n  pass\n",
    ],
)
def test_python_style_programs_are_recognised(text):
    assert looks_like_python(text)


@pytest.mark.parametrize(
    "text",
    [
        "fd\nrt\nfd\n",
        "fd()\nrt()\n",
        "repeat 3 [fd rt]",
        "repeat(3){\n  fd\n}\n",
        'setpc("red")\nfd\n',
        "# def Run(): is the paper's form\nfd\n",
        "I would move forward twice, then turn right and move forward again.",
        "The turtle should turn_left after reaching the wall.",
        "",
    ],
)
def test_text_forms_and_prose_are_not_taken_for_python(text):
    assert not looks_like_python(text)


@settings(max_examples=200, deadline=None)
@given(programs)
def test_recognition_tells_the_two_prints_of_any_program_apart(prog):
    assert looks_like_python(to_python(prog))
    assert not looks_like_python(to_text(prog))


def test_a_bad_string_escape_in_a_reply_is_an_error_not_a_python_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ParseError, match="takes no arguments"):
            parse_python("for i in range(2):\n    fd('\\R')\n")
    assert not caught


@pytest.mark.parametrize(
    ("char", "message"),
    [
        ("\0", "invisible character '\\x00' (U+0000)"),
        ("\ud800", "lone surrogate '\\ud800' (U+D800), which is no character of any text"),
    ],
)
def test_a_character_cpython_cannot_read_is_named_at_its_line_and_column(char, message):
    """CPython refuses a NUL byte (at line 1, column 1, wherever it is) and a lone surrogate (a
    codec error with no position at all); the error names the character where it is, as the
    text form does, and can be printed."""
    with pytest.raises(ParseError) as info:
        parse(f"def Run():\n  move_forward(){char}\n")
    err = info.value
    assert err.message == message
    assert (err.line, err.column) == (2, 17)
    assert err.excerpt == "  move_forward()\ufffd\n                ^"
    str(err).encode("utf-8")


def test_an_error_after_a_final_crlf_is_placed_on_the_last_line_with_its_excerpt():
    """CPython puts it on the empty line it reads after a final CRLF, which no editor shows."""
    err = error_of("def Run():\r\n")
    assert (err.line, err.column) == (1, 11)
    assert err.excerpt == "def Run():\n          ^"


def test_error_column_does_not_depend_on_a_file_named_like_the_program(tmp_path):
    """CPython reads the error line from a file of the given name on disk; the position must
    be the same whether or not such a file exists (and whatever it holds)."""
    from xlogo_lang import parse
    from xlogo_lang.errors import ParseError

    src = "def Run():\n  for i in range(3)\n    move_forward()\n"
    answer = tmp_path / "answer.py"
    answer.write_text(src, encoding="utf-8")
    other = tmp_path / "other.txt"
    other.write_text("x\n" + "é" * 40 + "\n", encoding="utf-8")
    columns = set()
    for name in (None, "<stdin>", str(answer), str(other)):
        with pytest.raises(ParseError) as info:
            parse(src, filename=name)
        assert info.value.message == "missing colon at the end of this line"
        columns.add((info.value.line, info.value.column))
    assert columns == {(2, 20)}  # the end of `  for i in range(3)`, as the README shows
