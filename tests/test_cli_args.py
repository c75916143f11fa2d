"""How the `xlogo` command line reads its arguments: options between positionals, options that
would have no effect, and a task file given where a program goes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xlogo_lang.cli import build_parser, main

SOLVES_87 = "fd rt repeat(3){fd} rt fd\n"


def xlogo(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def parsed(*argv: str) -> dict[str, object]:
    """The namespace the CLI's parser makes of `argv`, without running the command."""
    args = vars(build_parser().parse_args(list(argv)))
    args.pop("func")
    return args


@pytest.fixture
def program_87(tmp_path: Path) -> Path:
    path = tmp_path / "p87.xlogo"
    path.write_text(SOLVES_87)
    return path


@pytest.fixture
def strawberry(examples_dir: Path) -> tuple[str, str]:
    """An example task and the program that solves it."""
    return (
        str(examples_dir / "tasks" / "find-strawberry.json"),
        str(examples_dir / "programs" / "find-strawberry.xlogo"),
    )


# -- options may come anywhere between the positionals --------------------------------------------


def test_run_takes_the_id_between_the_task_and_the_program(capsys, assets_dir, program_87):
    code, out, _ = xlogo(capsys, "run", str(assets_dir), "--id", "87", str(program_87), "--json")
    assert code == 0
    assert json.loads(out)["solved"] is True


def test_show_takes_the_id_between_the_task_and_the_program(capsys, assets_dir, program_87):
    code, out, _ = xlogo(capsys, "show", str(assets_dir), "--id", "87", str(program_87), "--json")
    assert code == 0
    assert json.loads(out)["verdict"]["solved"] is True


def test_check_takes_the_id_between_the_task_and_the_program(capsys, assets_dir, program_87):
    code, out, _ = xlogo(capsys, "check", str(assets_dir), "--id", "87", str(program_87), "--json")
    assert code == 0
    assert json.loads(out)["diagnostics"] == []


def test_render_takes_the_id_between_the_task_and_the_program(
    capsys, tmp_path, assets_dir, program_87
):
    picture = tmp_path / "87.svg"
    code, _, _ = xlogo(
        capsys, "render", str(assets_dir), "--id", "87", str(program_87), "-o", str(picture)
    )
    assert code == 0
    assert picture.read_text().startswith("<svg")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "--json", "T", "--trace", "P"], {"task": "T", "program": "P", "trace": True}),
        (["show", "T", "--json", "P"], {"task": "T", "program": "P", "json": True}),
        (["check", "T", "--json", "P"], {"paths": ["T", "P"], "json": True}),
        (["render", "T", "-o", "x.png", "P"], {"task": "T", "program": "P", "out": "x.png"}),
        (["gen", "stats", "--json", "D"], {"action": ["stats", "D"], "json": True}),
        (["gen", "export", "D", "--out", "F"], {"action": ["export", "D"], "out": "F"}),
        (["report", "a.jsonl", "--no-solver", "b.jsonl"], {"runs": ["a.jsonl", "b.jsonl"]}),
    ],
)
def test_every_command_takes_options_between_its_positionals(argv, expected):
    args = parsed(*argv)
    assert {key: args[key] for key in expected} == expected


def test_every_command_that_writes_takes_o_for_out():
    """`-o` is short for `--out` wherever a command writes a file or a folder, so one spelling
    works across eval, score, gen, sft, curriculum, export, render and grammar."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    writers = {
        name: action
        for name, command in sub.choices.items()
        for action in command._actions
        if "--out" in action.option_strings
    }
    assert len(writers) >= 8
    assert {name: action.option_strings[:2] for name, action in writers.items()} == {
        name: ["-o", "--out"] for name in writers
    }


def test_every_option_with_a_default_says_it_in_the_help():
    """`xlogo eval --help` showed `--temperature TEMPERATURE` and `--max-tokens MAX_TOKENS`
    with no word of their values (0 and 2048; curriculum's 1024), which a user comparing runs
    needs to know. An empty list (a repeatable option given none) is no default to tell."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    silent = [
        f"{name} {action.option_strings[-1]}"
        for name, command in sub.choices.items()
        for action in command._actions
        if action.option_strings
        and action.default is not None
        and action.default is not False  # a flag (0 == False: compare by identity)
        and action.default != []
        and action.dest != "help"
        and "default" not in (action.help or "")
    ]
    assert silent == []


def test_o_is_out_for_a_run_file_and_a_folder():
    assert parsed("eval", "--tasks", "T", "--model", "m", "-o", "run.jsonl")["out"] == "run.jsonl"
    assert parsed("gen", "--n", "5", "-o", "pool")["out"] == "pool"


def test_a_double_dash_still_ends_the_options():
    assert parsed("check", "T", "--", "-odd-name.xlogo")["paths"] == ["T", "-odd-name.xlogo"]


def test_a_missing_option_value_is_still_argparses_own_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "T", "--id"])
    assert exc.value.code == 2
    assert "xlogo run: error: argument --id: expected one argument" in capsys.readouterr().err


def test_an_extra_positional_is_reported_with_the_commands_usage(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "T", "--id", "87", "P", "Q"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "xlogo run: error: unrecognized arguments: Q" in err
    assert "usage: xlogo run " in err


@pytest.mark.parametrize("command", ["run", "solve", "fmt", "check", "show"])
def test_a_mistyped_option_names_the_command_and_the_option_it_resembles(capsys, command):
    with pytest.raises(SystemExit) as exc:
        main([command, "X", "--jsn"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"usage: xlogo {command} " in err
    assert f"xlogo {command}: error: unrecognized arguments: --jsn (did you mean --json?)" in err


# -- options that would have no effect are refused ------------------------------------------------


def test_prompt_image_without_vision_mode_is_a_usage_error(capsys, tmp_path, tasks_dir):
    picture = tmp_path / "t.png"
    code, _, err = xlogo(capsys, "prompt", str(tasks_dir / "22.json"), "--image", str(picture))
    assert code == 2
    assert "add --mode vision" in err
    assert not picture.exists()


def test_prompt_image_refuses_a_name_that_is_not_png(capsys, tmp_path, tasks_dir):
    picture = tmp_path / "t.svg"
    code, _, err = xlogo(
        capsys, "prompt", str(tasks_dir / "22.json"), "--mode", "vision", "--image", str(picture)
    )
    assert code == 2
    assert "name the file .png" in err
    assert not picture.exists()


@pytest.mark.parametrize("form", [["--answer", "text"], [], ["--format", "json-schema"]])
def test_grammar_max_depth_outside_the_python_form_is_a_usage_error(capsys, form):
    code, out, err = xlogo(capsys, "grammar", *form, "--max-depth", "3")
    assert code == 2 and out == ""
    assert "--max-depth bounds the python form's nesting only" in err


def test_grammar_json_with_an_output_file_writes_the_file_too(capsys, tmp_path):
    path = tmp_path / "xlogo.gbnf"
    code, out, _ = xlogo(capsys, "grammar", "-o", str(path), "--json")
    assert code == 0
    summary = json.loads(out)
    assert summary["out"] == str(path)
    assert path.read_text(encoding="utf-8") == summary["grammar"]


def test_grammar_json_of_the_schema_names_its_answer_form_code_json(capsys):
    # the schema admits the code JSON whatever --answer says; "text" named a form it refuses
    code, out, _ = xlogo(capsys, "grammar", "--format", "json-schema", "--json")
    assert code == 0
    assert json.loads(out)["answer"] == "json"


def test_export_json_without_an_output_file_prints_a_summary_with_the_task(capsys, assets_dir):
    _, plain, _ = xlogo(capsys, "export", str(assets_dir), "--id", "87")
    code, out, _ = xlogo(capsys, "export", str(assets_dir), "--id", "87", "--json")
    assert code == 0
    summary = json.loads(out)
    assert (summary["task_id"], summary["out"], summary["solution"]) == ("87", None, True)
    assert summary["task"] == json.loads(plain)


# -- a task file where the program goes -----------------------------------------------------------


def test_check_of_a_task_file_alone_says_it_is_a_task_and_shows_the_usage(capsys, strawberry):
    task, _ = strawberry
    code, out, err = xlogo(capsys, "check", task)
    assert code == 2 and out == ""
    assert f"{task}: this looks like a task file, not a program" in err
    assert "usage: xlogo check [TASK] PROGRAM" in err


def test_run_with_task_and_program_swapped_names_the_task_file(capsys, strawberry):
    task, program = strawberry
    code, _, err = xlogo(capsys, "run", program, task)
    assert code == 2
    assert f"{task}: this looks like a task file, not a program" in err
    assert "usage: xlogo run TASK PROGRAM" in err


def test_show_of_a_task_file_as_its_program_shows_the_usage(capsys, strawberry):
    task, _ = strawberry
    code, _, err = xlogo(capsys, "show", task, task)
    assert code == 2
    assert "usage: xlogo show TASK [PROGRAM]" in err


def test_render_of_a_task_file_as_its_program_writes_nothing(capsys, tmp_path, strawberry):
    task, _ = strawberry
    picture = tmp_path / "t.png"
    code, _, err = xlogo(capsys, "render", task, task, "-o", str(picture))
    assert code == 2 and "usage: xlogo render TASK [PROGRAM] -o FILE" in err
    assert not picture.exists()


def test_json_that_is_not_a_task_is_still_read_as_a_malformed_program(capsys, tmp_path):
    program = tmp_path / "p.json"
    program.write_text('{"program": [{"type": "fd"}]}')
    code, out, _ = xlogo(capsys, "check", str(program))
    assert code == 1
    assert 'code JSON must have exactly one key, "run"' in out


def test_a_program_where_the_task_goes_is_named_a_program(capsys, strawberry):
    _, program = strawberry
    code, _, err = xlogo(capsys, "show", program)
    assert code == 2
    assert "hint: this file holds a Mini program, not a task" in err


def test_a_program_in_code_json_where_the_task_goes_is_named_a_program(capsys, tmp_path):
    """As a task it only lacked 'tiles'; the slip is the order, or :load for :run."""
    program = tmp_path / "p.json"
    program.write_text('{"run": [{"type": "fd"}]}')
    code, _, err = xlogo(capsys, "show", str(program))
    assert code == 2
    assert "hint: this file holds a Mini program (code JSON), not a task" in err


def test_sft_of_a_task_file_says_it_is_one_json_document_not_json_lines(
    capsys, tmp_path, strawberry
):
    task, _ = strawberry
    code, _, err = xlogo(capsys, "sft", task, "--out", str(tmp_path / "sft.jsonl"))
    assert code == 2
    assert "one JSON document over several lines (a task file?), not JSON Lines" in err


def test_export_refuses_to_write_over_the_files_it_reads(capsys, tmp_path, assets_dir):
    """-o naming the worlds file of the asset directory read would replace 62 tasks by one."""
    import shutil

    assets = tmp_path / "assets"
    shutil.copytree(assets_dir, assets)
    worlds = assets / "xlogomini_worlds.json"
    before = worlds.read_bytes()
    code, _, err = xlogo(capsys, "export", str(assets), "--id", "87", "-o", str(worlds))
    assert code == 2 and "-o is in the folder" in err and worlds.read_bytes() == before
    single = tmp_path / "87.json"
    assert xlogo(capsys, "export", str(assets), "--id", "87", "-o", str(single))[0] == 0
    code, _, err = xlogo(capsys, "export", str(single), "-o", str(single))
    assert code == 2 and "-o is the input file" in err


# -- with --json, stdout holds exactly one JSON document, valid UTF-8, for every error ---------


def _one_json_document(out: str) -> dict:
    out.encode("utf-8")  # lone surrogates (raw bytes written back) would not encode
    return json.loads(out)  # one document: "Extra data" on a second one


@pytest.mark.parametrize(
    "argv",
    [
        ("solve", "TASK", "--timeout", "abc", "--json"),  # a bad value
        ("run", "--json"),  # a missing positional
        ("run", "TASK", "-e", "fd", "--bogus", "--json"),  # an unknown option
        ("bogus", "--json"),  # an unknown command
    ],
)
def test_a_usage_error_of_argparse_is_json_on_stdout_too(capsys, examples_dir, argv):
    task = str(examples_dir / "tasks" / "find-strawberry.json")
    with pytest.raises(SystemExit) as info:
        main([task if a == "TASK" else a for a in argv])
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert _one_json_document(out)["error"] == "UsageError"
    assert "usage:" in err and "error:" in err


def test_a_usage_error_under_an_abbreviated_json_is_json_on_stdout_too(capsys):
    # argparse takes `--js` for --json, as a run that succeeds shows by printing JSON
    with pytest.raises(SystemExit):
        main(["grammar", "--format", "bogus", "--js"])
    assert _one_json_document(capsys.readouterr().out)["error"] == "UsageError"


def test_a_usage_error_of_argparse_without_json_leaves_stdout_empty(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--bogus"])
    out, err = capsys.readouterr()
    assert out == "" and "xlogo run: error: the following arguments are required: TASK" in err


def test_score_with_nothing_to_score_prints_one_json_document(capsys, tmp_path, examples_dir):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    code, out, _ = xlogo(
        capsys, "score", str(empty), "--tasks", str(examples_dir / "tasks"), "--json"
    )
    assert code == 2
    assert _one_json_document(out)["error"] == "UsageError"


def test_an_error_naming_a_non_utf8_path_is_valid_utf8_json(examples_dir):
    """A file name that is not UTF-8 (lone surrogates in Python) is quoted in the error; a
    stdout that writes it back as the raw byte (`surrogateescape`, the usual setting) must
    still get valid UTF-8 JSON."""
    import os
    import subprocess
    import sys

    task = os.fsencode(examples_dir / "tasks" / "find-strawberry.json")
    env = {**os.environ, "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8:surrogateescape"}
    argv = [os.fsencode(sys.executable), b"-m", b"xlogo_lang", b"run", task]
    proc = subprocess.run(
        [*argv, b"/nonexistent/\xffprog.xlogo", b"--json"], capture_output=True, env=env, timeout=60
    )
    assert proc.returncode == 2
    doc = json.loads(proc.stdout.decode("utf-8"))  # strict: a raw 0xff would fail here
    assert "prog.xlogo" in doc["file"]


def test_a_program_file_that_cannot_be_read_is_named_in_the_file_field(
    capsys, tmp_path, examples_dir
):
    task = str(examples_dir / "tasks" / "find-strawberry.json")
    bad = tmp_path / "bad.xlogo"
    bad.write_bytes(b"fd\xff\n")
    for path, why in ((tmp_path / "none.xlogo", "no such file"), (bad, "not UTF-8 text")):
        code, out, _ = xlogo(capsys, "run", task, str(path), "--json")
        doc = _one_json_document(out)
        assert code == 2 and doc["file"] == str(path) and why in doc["message"]


def test_fmt_check_sees_crlf_line_ends_as_not_canonical(capsys, tmp_path):
    crlf = tmp_path / "crlf.xlogo"
    crlf.write_bytes(b"fd\r\nrt\r\n")
    code, out, _ = xlogo(capsys, "fmt", str(crlf), "--check", "--json")
    assert code == 1 and json.loads(out)["canonical"] is False


@pytest.mark.parametrize("argv", [("grammar",), ("export", "TASK")])
def test_dash_as_the_output_of_a_command_that_prints_by_default_is_stdout(
    capsys, tmp_path, monkeypatch, examples_dir, argv
):
    monkeypatch.chdir(tmp_path)
    task = str(examples_dir / "tasks" / "find-strawberry.json")
    code, out, _ = xlogo(capsys, *[task if a == "TASK" else a for a in argv], "-o", "-", "--json")
    assert code == 0 and json.loads(out)["out"] is None
    assert not (tmp_path / "-").exists()


def test_dash_as_an_output_file_elsewhere_is_refused(capsys, tmp_path, monkeypatch, examples_dir):
    monkeypatch.chdir(tmp_path)
    task = str(examples_dir / "tasks" / "find-strawberry.json")
    code, _, err = xlogo(capsys, "render", task, "-o", "-")
    assert code == 2 and "-o - is not supported here" in err
    assert not (tmp_path / "-").exists()


def test_check_with_an_id_and_one_path_says_the_program_is_missing(capsys, tasks_dir):
    code, _, err = xlogo(capsys, "check", str(tasks_dir / "87.json"), "--id", "87")
    assert code == 2 and "no program given" in err and "no TASK was given" not in err


def test_a_task_given_as_dash_says_tasks_are_not_read_from_stdin(capsys):
    code, _, err = xlogo(capsys, "run", "-", "-e", "fd")
    assert code == 2 and "not from stdin (-)" in err


def test_eval_names_an_out_folder_alike_in_a_dry_run_and_a_run(capsys, tmp_path, examples_dir):
    base = ["eval", "--model", "m", "--tasks", str(examples_dir / "tasks"), "--out", str(tmp_path)]
    for extra in (["--dry-run"], ["--base-url", "http://127.0.0.1:9"]):
        code, _, err = xlogo(capsys, *base, *extra)
        assert code == 2 and "--out is a folder, not a file" in err


@pytest.mark.parametrize("command", ["run", "show", "check"])
def test_a_task_id_after_a_folder_without_id_is_told_to_use_id(capsys, assets_dir, command):
    """`xlogo run DIR 87` read 87 as the program file and said only that there is no such file."""
    code, _, err = xlogo(capsys, command, str(assets_dir), "87")
    assert code == 2 and "87: no such file or directory" in err and "--id 87" in err


def test_a_task_id_after_a_folder_next_to_e_is_told_to_use_id(capsys, assets_dir):
    code, _, err = xlogo(capsys, "run", str(assets_dir), "87", "-e", "fd")
    assert code == 2 and "not both" in err and "--id 87" in err


@pytest.mark.parametrize("command", ["solve", "prompt", "export"])
def test_a_task_id_a_command_does_not_take_is_told_to_use_id(capsys, assets_dir, command):
    """Commands without a PROGRAM refuse the word as argparse does, and say where it goes."""
    with pytest.raises(SystemExit) as exc:
        main([command, str(assets_dir), "87"])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "unrecognized arguments: 87" in err and "--id 87" in err


def test_a_missing_program_after_a_task_file_gets_no_id_hint(capsys, strawberry):
    code, _, err = xlogo(capsys, "run", strawberry[0], "87")
    assert code == 2 and "no such file or directory" in err and "--id" not in err
