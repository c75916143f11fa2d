"""The Python examples of the documentation run as written and print what it says they print:
a tool builder copies them first."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

import xlogo_lang
from xlogo_lang import solver

ROOT = Path(__file__).resolve().parent.parent


def _python_blocks(markdown: Path) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", markdown.read_text(), re.S | re.M)


@pytest.mark.parametrize("module", [xlogo_lang, solver], ids=lambda m: m.__name__)
def test_the_package_docstrings_run_as_written(module, monkeypatch):
    monkeypatch.chdir(ROOT)  # their paths are the checkout's examples/
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_the_readme_python_api_example_runs_and_prints_what_its_comments_say(monkeypatch, capsys):
    (block,) = _python_blocks(ROOT / "README.md")
    monkeypatch.chdir(ROOT)
    exec(compile(block, "README.md", "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "True False None True True"  # solved, and so no crash
    assert out[1] == "solved"
    assert out[2] == "1 fd 0 1 0 black ((0, 2), (0, 1))"  # the first step of the trace
    assert "fenced fd" in out  # the last fenced block of the reply
    assert "line 1, column 8: repeat count 13 is outside 1..12" in out


def test_the_solver_readme_python_example_runs_as_written(monkeypatch):
    (block,) = _python_blocks(ROOT / "solver" / "README.md")
    monkeypatch.chdir(ROOT)
    names: dict[str, object] = {}
    exec(compile(block, "solver/README.md", "exec"), names)
    assert names["sol"].status == "solved"  # the last of the set, solved by z3
    assert names["near"].found_by in ("prefix", "repair", "shortest", "none")
