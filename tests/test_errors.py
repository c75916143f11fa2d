"""How a JSON line that cannot be read is named in messages (`errors.json_problem`)."""

from __future__ import annotations

import json

import pytest

from xlogo_lang.errors import json_problem, load_json


def _refusal(raw: bytes | str) -> ValueError:
    with pytest.raises(ValueError) as info:
        json.loads(raw)
    return info.value


def test_a_syntax_error_is_named_with_its_column():
    assert json_problem(_refusal('{"a": }'), at_column=True) == "Expecting value at column 7"


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
