"""The Python examples of the documentation run as written and print what it says they print:
a tool builder copies them first."""

from __future__ import annotations

import doctest
import re
import subprocess
import sys
from pathlib import Path

import pytest

import xlogo_lang
import xlogo_lang.gen
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


EVAL_README = ROOT / "xlogo_lang" / "eval" / "README.md"
GEN_README = ROOT / "xlogo_lang" / "gen" / "README.md"


def test_the_eval_readme_python_example_runs_and_prints_what_its_comments_say(
    tmp_path, monkeypatch, capsys
):
    (block,) = _python_blocks(EVAL_README)
    (tmp_path / "examples").symlink_to(ROOT / "examples")  # run "from the checkout", write apart
    monkeypatch.chdir(tmp_path)
    exec(compile(block, str(EVAL_README), "exec"), {})
    assert capsys.readouterr().out.splitlines() == [
        "['system', 'user']",
        "False no_program None",
        "False goal item",
        "True None None",
        "11 6",
        "6 9",
        "0.9166666666666666",
        "12",
    ]


def test_the_gen_readme_python_examples_run_as_written(tmp_path, monkeypatch, capsys):
    make, read = _python_blocks(GEN_README)
    script = tmp_path / "make.py"  # a script: its workers may import it again (the guard)
    script.write_text(make)
    made = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert made.stdout.split() == ["2", "200"]
    monkeypatch.chdir(tmp_path)
    exec(compile(read, str(GEN_README), "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert out == ["syn0-00000-00000 find easy", "True", "200"]


def test_the_gen_package_docstring_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # it writes data/train
    result = doctest.testmod(xlogo_lang.gen, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_the_python_examples_type_check_as_a_script_would(tmp_path):
    """`mypy --strict` on every Python example of the READMEs against the package's own hints:
    a hint narrower than what the examples (and so users) pass, a `list[str | Path]` that a
    `list[str]` is refused by, is an error in the example's file."""
    files = []
    for n, readme in enumerate((ROOT / "README.md", EVAL_README, GEN_README)):
        for i, block in enumerate(_python_blocks(readme)):
            f = tmp_path / f"example_{n}_{i}.py"
            f.write_text(block)
            files.append(f)
    proc = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "mypy.py"), "--strict", *map(str, files)],
        capture_output=True,
        text=True,
    )
    # the package's own modules are checked by .ci/mypy.py under its settings, not --strict
    errors = [line for line in proc.stdout.splitlines() if "example_" in line]
    assert errors == []


def test_every_public_name_of_the_eval_and_gen_apis_has_a_docstring():
    """`help()` is the first thing a notebook user reads: a dataclass without a docstring
    shows only its generated signature."""
    import xlogo_lang.eval as ev
    from xlogo_lang.eval import client, predictions, runner, taskset
    from xlogo_lang.gen import curriculum, sft

    names = [(m, n) for m in (ev, xlogo_lang.gen, curriculum) for n in m.__all__]
    names += [(client, "ChatClient"), (client, "RetryPolicy"), (client, "Wait")]
    names += [(taskset, "TaskSet"), (taskset, "load_task_set"), (runner, "latest_attempts")]
    names += [(predictions, "score_predictions"), (sft, "write_sft")]
    missing = []
    for module, name in names:
        obj = getattr(module, name)
        doc = getattr(obj, "__doc__", None) or ""
        generated = isinstance(obj, type) and doc.startswith(f"{obj.__name__}(")
        if callable(obj) and (not doc.strip() or generated):
            missing.append(f"{module.__name__}.{name}")
    assert missing == []
