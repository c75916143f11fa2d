"""Grammar exports for constrained decoding, loaded by the libraries that consume them.

GBNF and Lark go through llguidance (the engine behind vLLM's guidance backend and llama.cpp's
llguidance support) with a byte-level vocabulary, so "the matcher accepts these tokens" means
"the grammar admits this string", independent of any model's tokenizer. The Lark export is also
loaded by the `lark` library itself, and the JSON Schema by `jsonschema`.
"""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import llguidance as llg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lark import Lark
from lark.exceptions import LarkError

from xlogo_lang import ParseError, parse, to_json
from xlogo_lang.ast import BASIC, PEN_COLORS, Command, Program, Repeat, SetPenColor, depth
from xlogo_lang.cli import main
from xlogo_lang.errors import UsageError
from xlogo_lang.grammar_export import build, export_grammar, json_schema
from xlogo_lang.language import PYTHON_MAX_DEPTH
from xlogo_lang.printer import to_text
from xlogo_lang.python_form import to_python

ENGINES = [
    ("llguidance", "gbnf"),
    ("llguidance", "lark"),
    ("lark-lalr", "lark"),
    ("lark-earley", "lark"),
]

blocks = st.recursive(
    st.one_of(st.sampled_from(BASIC).map(Command), st.sampled_from(PEN_COLORS).map(SetPenColor)),
    lambda children: st.builds(
        Repeat, st.integers(1, 12), st.lists(children, max_size=4).map(tuple)
    ),
    max_leaves=24,
)
programs = st.lists(blocks, max_size=6).map(lambda bs: Program(tuple(bs)))


class _ByteVocabulary:
    """A tokenizer whose tokens are the 256 bytes (plus an end token)."""

    eos_token_id = 256
    bos_token_id = None
    tokens = (*(bytes([i]) for i in range(256)), b"</s>")
    special_token_ids = (256,)

    def __call__(self, text: str | bytes) -> list[int]:
        return list(text.encode() if isinstance(text, str) else text)


_TOKENIZER = llg.LLTokenizer(llg.TokenizerWrapper(_ByteVocabulary()))
_ACCEPTORS: dict[tuple[str, str, str], Any] = {}


def acceptor(engine: str, fmt: str, answer: str):
    """A function str -> bool: does this engine, given this export, admit the string?"""
    key = (engine, fmt, answer)
    if key not in _ACCEPTORS:
        text = export_grammar(fmt, answer)
        if engine == "llguidance":
            grammar = llg.grammar_from(fmt, text)  # type: ignore[arg-type]
            is_error, messages = llg.LLMatcher.validate_grammar_with_warnings(grammar, _TOKENIZER)
            assert not is_error and not messages, messages
            start = llg.LLMatcher(_TOKENIZER, grammar, log_level=0)

            def accepts(s: str) -> bool:
                m = start.deep_copy()
                return m.consume_tokens(_TOKENIZER.tokenize_str(s)) and m.is_accepting()

        else:
            parser = Lark(text, parser=engine.removeprefix("lark-"))

            def accepts(s: str) -> bool:
                try:
                    parser.parse(s)
                except LarkError:
                    return False
                return True

        _ACCEPTORS[key] = accepts
    return _ACCEPTORS[key]


def printed(prog: Program, answer: str) -> str:
    return to_text(prog) if answer == "text" else to_python(prog)


@pytest.fixture(scope="module")
def corpus(oracle_cases) -> list[Program]:
    """Every distinct program of the oracle corpus."""
    return [parse(p) for p in sorted({c["program"] for c in oracle_cases})]


# -- every valid program is admitted --------------------------------------------------------------


@pytest.mark.parametrize("answer", ["text", "python"])
@pytest.mark.parametrize(("engine", "fmt"), [e for e in ENGINES if e[0] != "lark-earley"])
def test_every_oracle_program_is_admitted(corpus, engine, fmt, answer):
    accepts = acceptor(engine, fmt, answer)
    rejected = [printed(p, answer) for p in corpus if not accepts(printed(p, answer))]
    assert rejected == []


@pytest.mark.parametrize("answer", ["text", "python"])
def test_the_earley_parser_admits_every_reference_solution(oracle_cases, answer):
    accepts = acceptor("lark-earley", "lark", answer)
    for case in oracle_cases:
        if case["kind"] == "reference":
            assert accepts(printed(parse(case["program"]), answer)), case["case"]


def test_the_json_schema_admits_the_code_json_of_every_oracle_program(corpus):
    validator = jsonschema.Draft202012Validator(json_schema())
    for prog in corpus:
        validator.validate(to_json(prog))


def test_the_json_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(json_schema())


def test_the_json_schema_export_is_the_schema_as_json():
    assert json.loads(export_grammar("json-schema")) == json_schema()


@settings(max_examples=60, deadline=None)
@given(programs)
def test_any_program_is_admitted_in_both_forms_by_every_engine(prog):
    for engine, fmt in ENGINES:
        assert acceptor(engine, fmt, "text")(to_text(prog))
        if depth(prog.body) <= PYTHON_MAX_DEPTH:
            assert acceptor(engine, fmt, "python")(to_python(prog))


# -- invalid programs are rejected ----------------------------------------------------------------

TEXT_INVALID = {
    "repeat 13": "repeat(13){\n  fd\n}\n",
    "repeat 0": "repeat(0){\n  fd\n}\n",
    "purple": "setpc(purple)\n",
    "unclosed brace": "repeat(3){\n  fd\n",
    "unopened brace": "fd\n}\n",
    "unknown command": "jump\n",
    "unknown command in a loop": "repeat(2){\n  jump\n}\n",
}
PYTHON_INVALID = {
    "range 13": "def Run():\n  for i in range(13):\n    move_forward()\n",
    "purple": 'def Run():\n  setpc("purple")\n',
    "unbalanced parenthesis": "def Run():\n  move_forward(\n",
    "unknown function": "def Run():\n  jump()\n",
    "body not indented": "def Run():\n  for i in range(2):\n  move_forward()\n",
    "inconsistent indentation": "def Run():\n    move_forward()\n",
    "missing colon": "def Run():\n  for i in range(2)\n    move_forward()\n",
    "empty body without pass": "def Run():\n  for i in range(2):\n",
    "no header": "move_forward()\n",
    "text form": "fd\n",
}


@pytest.mark.parametrize(("engine", "fmt"), ENGINES)
@pytest.mark.parametrize("case", sorted(TEXT_INVALID))
def test_invalid_text_programs_are_rejected(engine, fmt, case):
    assert not acceptor(engine, fmt, "text")(TEXT_INVALID[case])


@pytest.mark.parametrize(("engine", "fmt"), ENGINES)
@pytest.mark.parametrize("case", sorted(PYTHON_INVALID))
def test_invalid_python_programs_are_rejected(engine, fmt, case):
    assert not acceptor(engine, fmt, "python")(PYTHON_INVALID[case])


@pytest.mark.parametrize(
    "code",
    [
        {"run": [{"type": "repeat", "times": 13, "body": []}]},
        {"run": [{"type": "setpc", "value": "purple"}]},
        {"run": [{"type": "jump"}]},
        {"run": [{"type": "repeat", "times": 2}]},
        {"run": [{"type": "fd", "steps": 2}]},
        {"run": [], "extra": 1},
        {},
    ],
)
def test_the_json_schema_rejects_invalid_code_json(code):
    assert not jsonschema.Draft202012Validator(json_schema()).is_valid(code)


@pytest.mark.parametrize(("engine", "fmt"), ENGINES)
def test_the_python_grammar_admits_nesting_up_to_its_bound_and_no_deeper(engine, fmt):
    def nested(levels: int) -> Program:
        body: tuple = (Command("fd"),)
        for _ in range(levels):
            body = (Repeat(2, body),)
        return Program(body)

    accepts = acceptor(engine, fmt, "python")
    assert accepts(to_python(nested(PYTHON_MAX_DEPTH)))
    assert not accepts(to_python(nested(PYTHON_MAX_DEPTH + 1)))


def test_the_nesting_bound_is_a_parameter():
    text = export_grammar("lark", "python", max_depth=12)
    deep = Program((Repeat(1, (Repeat(1, (Command("fd"),)),)),))
    for _ in range(10):
        deep = Program((Repeat(1, deep.body),))
    Lark(text, parser="lalr").parse(to_python(deep))


# -- exactly the canonical prints: near misses of real prints --------------------------------------


def canonical_python(s: str) -> bool:
    """Whether `s` is the canonical Python-style print of a valid program within the bound."""
    try:
        prog = parse(s)
    except ParseError:
        return False
    return depth(prog.body) <= PYTHON_MAX_DEPTH and to_python(prog) == s


def canonical_text(s: str) -> bool:
    """Whether `s` is the canonical text print of a valid program, up to even indentation."""
    try:
        prog = parse(s)
    except ParseError:
        return False
    lines = s.split("\n")
    if lines[-1] != "" or any((len(ln) - len(ln.lstrip(" "))) % 2 for ln in lines):
        return False
    return [ln.lstrip(" ") for ln in lines] == [ln.lstrip(" ") for ln in to_text(prog).split("\n")]


PY_LINES = ["move_forward()", "turn_left()", 'setpc("red")', 'setpc("purple")', "setpc('red')"]
PY_LINES += ["for i in range(3):", "for i in range(13):", "for j in range(2):", "pass", "jump()"]
TEXT_LINES = ["fd", "rt", "setpc(red)", "setpc(purple)", "repeat(3){", "repeat(13){", "}", "jump"]
TEXT_LINES += ["repeat(2){}", "setpc(red) fd"]


@st.composite
def near_prints(draw: st.DrawFn, answer: str, pool: list[str]) -> str:
    """A canonical print, often with one line dropped, duplicated, re-indented or replaced."""
    lines = printed(draw(programs), answer).splitlines() or [""]
    i = draw(st.integers(0, len(lines) - 1))
    op = draw(st.sampled_from(["keep", "drop", "dup", "indent", "dedent", "replace"]))
    pad = lines[i][: len(lines[i]) - len(lines[i].lstrip(" "))]
    if op == "drop":
        del lines[i]
    elif op == "dup":
        lines.insert(i, lines[i])
    elif op == "indent":
        lines[i] = " " * draw(st.integers(1, 2)) + lines[i]
    elif op == "dedent":
        lines[i] = lines[i][draw(st.integers(1, 2)) :]
    elif op == "replace":
        lines[i] = pad + draw(st.sampled_from(pool))
    return "".join(line + "\n" for line in lines)


@settings(max_examples=300, deadline=None)
@given(near_prints("python", PY_LINES))
def test_the_python_grammars_admit_exactly_the_canonical_prints(s):
    expected = canonical_python(s)
    for engine, fmt in ENGINES[:3]:
        assert acceptor(engine, fmt, "python")(s) == expected, (engine, fmt, s)


@settings(max_examples=300, deadline=None)
@given(near_prints("text", TEXT_LINES))
def test_the_text_grammars_admit_exactly_the_canonical_prints(s):
    expected = canonical_text(s)
    for engine, fmt in ENGINES[:3]:
        assert acceptor(engine, fmt, "text")(s) == expected, (engine, fmt, s)


# -- one description, several notations -----------------------------------------------------------


@pytest.mark.parametrize("answer", ["text", "python"])
def test_gbnf_and_lark_are_renderings_of_the_same_rules(answer):
    gbnf = export_grammar("gbnf", answer).splitlines()[2:]
    lark = export_grammar("lark", answer).splitlines()[2:]
    assert [line.replace(" ::= ", ": ").replace("root", "start") for line in gbnf] == lark
    assert len(lark) == len(build(answer).rules)


@pytest.mark.parametrize("answer", ["text", "python"])
def test_gbnf_rule_names_are_ones_llama_cpp_reads(answer):
    names = re.findall(r"^(\S+) ::= ", export_grammar("gbnf", answer), re.MULTILINE)
    assert names[0] == "root"
    assert all(re.fullmatch(r"[a-zA-Z0-9-]+", name) for name in names)


def test_the_exports_name_the_languages_colours_and_counts():
    for text in (
        export_grammar("gbnf"),
        export_grammar("lark", "python"),
        export_grammar("json-schema"),
    ):
        assert all(f'"{c}"' in text for c in PEN_COLORS)
        assert "12" in text and "13" not in text


@pytest.mark.parametrize("depth", [True, "3", 2.0])
def test_a_nesting_bound_that_is_not_an_int_is_a_type_error(depth):
    """`True` would print "nested at most True deep"; "3" failed inside a comparison."""
    with pytest.raises(TypeError, match="max_depth must be an int"):
        export_grammar("gbnf", answer="python", max_depth=depth)


def test_unknown_formats_and_answer_forms_are_usage_errors():
    with pytest.raises(UsageError):
        export_grammar("yacc")
    with pytest.raises(UsageError):
        export_grammar("gbnf", answer="logo")


@pytest.mark.parametrize("depth", [-1, 65, 99_999_999_999])
def test_a_nesting_bound_outside_what_the_parser_reads_is_a_usage_error(depth):
    # a bound past the parser's 64 levels only admits programs it refuses, at great cost
    with pytest.raises(UsageError, match="0 to 64"):
        export_grammar("gbnf", "python", max_depth=depth)


# -- the command ----------------------------------------------------------------------------------


def test_xlogo_grammar_prints_the_export(capsys):
    assert main(["grammar", "--format", "gbnf", "--answer", "python"]) == 0
    assert capsys.readouterr().out == export_grammar("gbnf", "python")


def test_xlogo_grammar_json_carries_the_schema_as_an_object(capsys):
    assert main(["grammar", "--format", "json-schema", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["format"] == "json-schema"
    assert out["grammar"] == json_schema()


def test_xlogo_grammar_writes_a_file_that_llguidance_loads(tmp_path, capsys):
    path = tmp_path / "xlogo.lark"
    assert main(["grammar", "--format", "lark", "--answer", "python", "-o", str(path)]) == 0
    assert str(path) in capsys.readouterr().err
    grammar = llg.grammar_from("lark", path.read_text(encoding="utf-8"))
    assert llg.LLMatcher.validate_grammar(grammar, _TOKENIZER) == ""


def test_xlogo_grammar_refuses_the_python_answer_for_the_json_schema(capsys):
    assert main(["grammar", "--format", "json-schema", "--answer", "python"]) == 2
    assert "code JSON" in capsys.readouterr().err
