"""How a JSON line that cannot be read is named in messages (`errors.json_problem`), and how a
caret excerpt is cut to a narrow terminal (`errors.fit_excerpt`)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlogo_lang.errors import caret_excerpt, fit_excerpt, json_problem, load_json


def _refusal(raw: bytes | str) -> ValueError:
    with pytest.raises(ValueError) as info:
        json.loads(raw)
    return info.value


def test_a_syntax_error_is_named_with_its_column():
    assert json_problem(_refusal('{"a": }'), at_column=True) == "Expecting value at column 7"


def test_a_trailing_comma_is_named_at_the_comma():
    """`json` puts it at the bracket after the blanks: the comma is what to delete."""
    assert json_problem(_refusal('{"a": [1, 2,   ]}'), at_column=True) == (
        "a comma after the last element of a list or object (JSON has none: remove it) at column 12"
    )


def test_bytes_that_are_not_utf8_are_named_as_such():
    assert json_problem(_refusal(b'{"a": "\xff\xfe"}')).startswith("not UTF-8 text (byte 0xff")


def test_an_integer_past_pythons_limit_is_named_as_such():
    assert json_problem(_refusal("9" * 5000)) == "an integer with too many digits"


def test_json_nested_too_deeply_is_a_value_error_worded_as_the_others() -> None:
    """A RecursionError is no ValueError: a reader catching ValueError for bad JSON would let
    `[[[[…` end in a traceback, so `load_json` raises it as one that `json_problem` words."""
    with pytest.raises(ValueError) as caught:
        load_json("[" * 100_000 + "]" * 100_000)
    assert json_problem(caught.value) == "nested too deeply"
    assert load_json('{"a": [1]}') == {"a": [1]}


def test_an_excerpt_wider_than_the_room_is_cut_around_its_caret():
    excerpt = caret_excerpt("fd " * 30 + "jump fd fd", 1, 91, 4)
    assert (
        fit_excerpt(excerpt, 40) == "fd fd fd fd fd fd fd fd fd fd jump fd fd\n" + " " * 30 + "^^^^"
    )
    assert fit_excerpt(excerpt, 200) == excerpt  # it fits: as it is


def test_an_excerpt_of_wide_characters_is_cut_by_the_columns_they_take():
    excerpt = caret_excerpt("ｆｄ " * 20 + "x", 1, 61, 1)  # full-width letters: 2 columns each
    src, marks = fit_excerpt(excerpt, 40).split("\n")
    assert src.endswith("x") and 2 * len(src.replace(" ", "")) + src.count(" ") <= 40
    assert marks.index("^") == 2 * src.index("x") - src[: src.index("x")].count(" ")


def _shown_column(line: str, index: int) -> int:
    """The terminal column (tab stops every 8) at which `line[index]` starts."""
    return len(line[:index].expandtabs(8))


@given(
    st.text(alphabet="ab \t", min_size=1, max_size=40).flatmap(
        lambda s: st.tuples(st.just(s), st.integers(1, len(s)), st.integers(2, 30))
    )
)
def test_a_cut_excerpt_keeps_its_caret_under_its_character_tabs_included(case):
    """A tab under the caret on a terminal narrower than its eight columns left the caret
    pointing past the line."""
    src, column, room = case
    excerpt = caret_excerpt(src, 1, column)
    cut = fit_excerpt(excerpt, room)
    if cut == excerpt:
        return
    line, marks = cut.split("\n")
    assert len(line.expandtabs(8)) <= room
    caret = len(marks.expandtabs(8)) - 1
    under = [i for i in range(len(line)) if _shown_column(line, i) == caret]
    assert under and line[under[0]] == src[column - 1].replace("\t", " ")
