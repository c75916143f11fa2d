"""The Pygments lexer: registered as a plugin, colours what the parser reads, keeps text intact."""

from __future__ import annotations

import re

import pygments
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Comment, Error, Keyword, Name, Number, Punctuation, String

from xlogo_lang.ast import BASIC, PEN_COLORS, Command, Program, Repeat, SetPenColor
from xlogo_lang.lexer import (
    PEN_HEX,
    PEN_TOKENS,
    XlogoLexer,
    color_system_from_env,
    highlight,
    highlight_text,
    rich_style,
)
from xlogo_lang.parser import parse
from xlogo_lang.printer import to_compact, to_text

blocks = st.recursive(
    st.one_of(
        st.sampled_from(BASIC).map(Command),
        st.sampled_from(PEN_COLORS).map(SetPenColor),
    ),
    lambda kids: st.builds(Repeat, st.integers(1, 12), st.lists(kids, max_size=4).map(tuple)),
    max_leaves=20,
)
programs = st.lists(blocks, max_size=6).map(lambda bs: Program(tuple(bs)))


def tokens(text: str) -> list[tuple[object, str]]:
    return [(t, v) for t, v in XlogoLexer().get_tokens(text) if v.strip()]


# -- the plugin ---------------------------------------------------------------------------------


@pytest.mark.parametrize("alias", ["xlogo", "xlogo-mini"])
def test_documentation_tools_find_the_lexer_by_its_aliases(alias):
    assert isinstance(get_lexer_by_name(alias), XlogoLexer)


def test_documentation_tools_find_the_lexer_for_xlogo_files():
    assert isinstance(get_lexer_for_filename("square.xlogo"), XlogoLexer)


def test_pygments_renders_a_program_to_html_with_the_standard_classes():
    html = pygments.highlight("repeat(4){fd rt}", get_lexer_by_name("xlogo"), HtmlFormatter())
    assert '<span class="k">repeat</span>' in html
    assert '<span class="nb">fd</span>' in html


def test_mini_code_is_recognised_and_python_is_not():
    assert XlogoLexer.analyse_text("fd rt\nrepeat(3){fd}\nsetpc(red)") > 0
    assert XlogoLexer.analyse_text("import os\nprint(os.getcwd())") == 0


# -- tokens -------------------------------------------------------------------------------------


def test_each_kind_of_word_gets_its_own_token_type():
    assert tokens("fd repeat(3){rt} setpc(red) # go") == [
        (Name.Builtin, "fd"),
        (Keyword, "repeat"),
        (Punctuation, "("),
        (Number.Integer, "3"),
        (Punctuation, ")"),
        (Punctuation, "{"),
        (Name.Builtin, "rt"),
        (Punctuation, "}"),
        (Name.Function, "setpc"),
        (Punctuation, "("),
        (PEN_TOKENS["red"], "red"),
        (Punctuation, ")"),
        (Comment.Single, "# go"),
    ]


@pytest.mark.parametrize("colour", PEN_COLORS)
def test_each_pen_colour_has_a_token_under_name_constant(colour):
    ((_, _), (ttype, value), *_) = tokens(f"setpc {colour}")
    assert ttype is PEN_TOKENS[colour] and ttype in Name.Constant and value == colour


def test_a_quoted_colour_is_a_string_around_the_colour_token():
    quoted = [(String, '"'), (PEN_TOKENS["blue"], "blue"), (String, '"')]
    assert tokens('setpc("blue")')[2:5] == quoted


@pytest.mark.parametrize(
    "text",
    [
        "FORWARD BACK Left right",
        "forward() backward() fd()",
        "repeat 3 [fd rt]",
        "setpencolor red; setpc 'green', SETPC(Blue)",
        "fd // a comment\nrt # another",
    ],
)
def test_every_form_the_parser_accepts_lexes_without_errors(text):
    parse(text)  # the parser reads it ...
    assert not [v for t, v in tokens(text) if t in Error]  # ... and the lexer colours all of it


@pytest.mark.parametrize("word", ["fdd", "jump", "repeatx", "forwards"])
def test_a_word_the_parser_rejects_is_an_error_token(word):
    assert (Error, word) in tokens(f"fd {word} rt")


def test_a_stray_character_is_an_error_token():
    assert (Error, "@") in tokens("fd @ rt")


@given(programs)
def test_printed_programs_lex_without_errors_in_both_forms(prog):
    for text in (to_text(prog), to_compact(prog)):
        assert not [v for t, v in XlogoLexer().get_tokens(text) if t in Error]


@given(programs)
def test_the_command_words_of_a_program_are_exactly_its_basic_blocks(prog):
    from xlogo_lang.ast import walk

    words = [v for t, v in XlogoLexer().get_tokens(to_text(prog)) if t is Name.Builtin]
    assert words == [b.kind for b in walk(prog.body) if isinstance(b, Command)]


# -- highlight (for `xlogo fmt --color`) and the theme ----------------------------------------


printable = st.text(
    st.characters(blacklist_categories=("Cc",)) | st.sampled_from("\n\t"), max_size=200
)


@given(printable)
def test_highlight_keeps_any_printable_text_exactly(text):
    assert highlight_text(text).plain == text


def test_highlight_keeps_trailing_newlines_and_tabs():
    src = "repeat(2){\n\tfd\n}\n\n"
    assert highlight_text(src).plain == src


def test_a_pen_colour_is_shown_in_its_own_colour():
    text = highlight_text("setpc(red)")
    styles = [span.style for span in text.spans if text.plain[span.start : span.end] == "red"]
    assert styles and styles[0].color.triplet.hex == PEN_HEX["red"]


def test_the_theme_fills_in_sub_token_styles_from_their_parents():
    assert rich_style(Number.Integer).color == rich_style(Number).color


@pytest.mark.parametrize("system", ["standard", "256", "truecolor"])
def test_ansi_output_strips_back_to_the_source(system):
    src = "setpc(blue)\nrepeat(3){\n  fd\n}\n\n"
    ansi = highlight(src, color_system=system)
    assert "\x1b[" in ansi
    assert re.sub(r"\x1b\[[0-9;]*m", "", ansi) == src


@pytest.mark.parametrize(
    ("system", "code"),
    [("standard", "\x1b[96m"), ("256", "38;5;44"), ("truecolor", "38;2;0;215;215")],
)
def test_ansi_output_uses_the_colour_system_asked_for(system, code):
    assert code in highlight("fd", color_system=system)


@pytest.mark.parametrize(
    ("env", "system"),
    [
        ({"COLORTERM": "truecolor", "TERM": "xterm"}, "truecolor"),
        ({"TERM": "xterm-256color"}, "256"),
        ({"TERM": "xterm"}, "standard"),
        ({}, "standard"),
    ],
)
def test_the_colour_system_follows_what_the_terminal_announces(env, system):
    assert color_system_from_env(env) == system
