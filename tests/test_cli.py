"""The `xlogo` command line: run, check, fmt, show, score, export, exit statuses and --json."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from core_helpers import lemon_behind_wall

from xlogo_lang.cli import main


def xlogo(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_prints_solved_and_exits_0(capsys, tasks_dir):
    code, out, _ = xlogo(
        capsys, "run", str(tasks_dir / "87.json"), "-e", "fd rt repeat(3){fd} rt fd"
    )
    assert code == 0
    assert "solved" in out


def test_run_reports_a_wall_crash_with_cell_and_line(capsys, tasks_dir):
    code, out, _ = xlogo(capsys, "run", str(tasks_dir / "87.json"), "-e", "fd\nfd")
    assert code == 1
    assert "crashed into a wall at (0,1) on step 2 (line 2)" in out


def test_run_reads_a_task_from_an_asset_directory_by_id(capsys, assets_dir):
    code, out, _ = xlogo(
        capsys, "run", str(assets_dir), "--id", "87", "-e", "fd rt repeat(3){fd} rt fd", "--json"
    )
    assert code == 0
    verdict = json.loads(out)
    assert verdict["task_id"] == "87"
    assert verdict["solved"] is True
    assert verdict["program"] == "fd\nrt\nrepeat(3){\n  fd\n}\nrt\nfd\n"


def test_run_json_trace_has_one_step_per_command(capsys, tasks_dir):
    _code, out, _ = xlogo(
        capsys, "run", str(tasks_dir / "1.json"), "-e", "lt rt fd", "--json", "--trace"
    )
    trace = json.loads(out)["trace"]
    assert [s["command"] for s in trace] == ["lt", "rt", "fd"]
    assert trace[2]["segment"] == [[1, 1], [1, 0]]
    assert trace[2]["span"]["column"] == 7


def test_run_reads_the_program_from_stdin(capsys, monkeypatch, tasks_dir):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("fd\n"))
    code, _, _ = xlogo(capsys, "run", str(tasks_dir / "1.json"), "-")
    assert code == 0


def test_run_reads_code_json_files(capsys, tmp_path, tasks_dir):
    prog = tmp_path / "p.json"
    prog.write_text('{"run": [{"type": "fd"}]}')
    code, _, _ = xlogo(capsys, "run", str(tasks_dir / "1.json"), str(prog))
    assert code == 0


def test_unknown_task_id_is_a_one_line_usage_error(capsys, assets_dir):
    code, _, err = xlogo(capsys, "run", str(assets_dir), "--id", "999", "-e", "fd")
    assert code == 2
    assert "no task with id '999'" in err
    assert "Traceback" not in err


def test_a_syntax_error_exits_2_with_the_caret_excerpt(capsys, tasks_dir):
    code, _, err = xlogo(capsys, "run", str(tasks_dir / "1.json"), "-e", "fd jump")
    assert code == 2
    assert "unknown command 'jump'" in err
    assert "   ^" in err


def test_broken_task_file_names_the_json_path(capsys, tmp_path, tasks_dir):
    data = json.loads((tasks_dir / "87.json").read_text())
    data["tiles"][3]["walls"] = {"lft": True}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    code, _, err = xlogo(capsys, "run", str(bad), "-e", "fd")
    assert code == 2
    assert "tiles[3].walls.lft: unknown wall side" in err


ONE_WAY = (
    "warning: {file}: task 'lemon-behind-wall' has a one-way wall: tile (0,1) has a wall on its "
    "right side, but its neighbour (1,1) has none on its left side"
)


@pytest.mark.parametrize(
    "command",
    [["show"], ["run", "-e", "fd rt fd"], ["check", "-e", "fd"], ["solve"], ["prompt"]],
    ids=lambda c: c[0],
)
def test_a_task_with_a_one_way_wall_is_warned_about_once_on_stderr(capsys, tmp_path, command):
    """The command's own warning line (Python's `file.py:LINE: TaskWarning:` form would point
    into xlogo), and the JSON on stdout unharmed."""
    f = lemon_behind_wall(tmp_path, left_wall_on_1_1=False)
    name, *rest = command
    args = [name, str(f), *rest, "--json"] if name != "check" else [name, "--json", str(f), *rest]
    _, out, err = xlogo(capsys, *args)
    assert err.startswith(f"xlogo {name}: " + ONE_WAY.format(file=f))
    assert err.count("one-way wall") == 1 and "TaskWarning" not in err and ".py:" not in err
    lines = out.splitlines()
    assert lines and all(json.loads(line) for line in lines)


@pytest.mark.parametrize(
    "command",
    [
        ["show"],
        ["run", "-e", "fd rt fd"],
        ["check", "-e", "fd"],
        ["solve"],
        ["solve", "--repair", "-e", "fd"],
        ["prompt"],
        ["export"],
        ["render", "-o", "{dir}/p.png"],
    ],
    ids=lambda c: " ".join(c[:2]).replace(" -", " ").strip(),
)
def test_json_output_carries_the_task_warning_too(capsys, tmp_path, command):
    """A machine reading stdout alone learns of the one-way wall, as it learns of an error."""
    f = lemon_behind_wall(tmp_path, left_wall_on_1_1=False)
    name, *rest = [a.format(dir=tmp_path) for a in command]
    args = [name, str(f), *rest, "--json"] if name != "check" else [name, "--json", str(f), *rest]
    _, out, _ = xlogo(capsys, *args)
    (warned,) = json.loads(out)["warnings"]
    assert warned.startswith(ONE_WAY.removeprefix("warning: ").format(file=f))


@pytest.mark.parametrize("workers", ["1", "2"])
def test_solving_a_folder_gives_each_task_its_own_warnings(capsys, tmp_path, tasks_dir, workers):
    lemon_behind_wall(tmp_path, left_wall_on_1_1=False)
    shutil.copy(tasks_dir / "87.json", tmp_path / "87.json")
    _, out, _ = xlogo(capsys, "solve", str(tmp_path), "--json", "--workers", workers)
    rows = {row["task_id"]: row for row in map(json.loads, out.splitlines())}
    assert "one-way wall" in rows["lemon-behind-wall"]["warnings"][0]
    assert "warnings" not in rows["87"]


def test_json_output_of_a_sound_task_has_no_warnings_key(capsys, tmp_path):
    f = lemon_behind_wall(tmp_path, left_wall_on_1_1=True)
    _, out, _ = xlogo(capsys, "run", str(f), "-e", "fd", "--json")
    assert "warnings" not in json.loads(out)


def test_a_task_with_its_walls_on_both_tiles_loads_in_silence(capsys, tmp_path):
    f = lemon_behind_wall(tmp_path, left_wall_on_1_1=True)
    code, _, err = xlogo(capsys, "show", str(f))
    assert code == 0 and err == ""


def test_show_draws_a_one_way_wall_dashed_and_names_it_in_the_legend(capsys, tmp_path):
    """The wall on (0,1)'s right side only: a teacher must see that the turtle can still pass
    it from (1,1), which a solid wall hides."""
    _, out, _ = xlogo(capsys, "show", str(lemon_behind_wall(tmp_path, left_wall_on_1_1=False)))
    assert _lemon_row(out) == "│   ╏ l │"
    assert "╍╏ one-way wall" in out


def test_show_draws_a_wall_both_tiles_hold_solid_with_no_one_way_legend(capsys, tmp_path):
    _, out, _ = xlogo(capsys, "show", str(lemon_behind_wall(tmp_path, left_wall_on_1_1=True)))
    assert _lemon_row(out) == "│   ┃ l │"
    assert "one-way" not in out


def _lemon_row(shown: str) -> str:
    """The grid's row of the lemon's cell (1,1), beside (0,1) and the wall between them."""
    return next(line for line in shown.splitlines() if line.startswith("│") and " l " in line)


def test_a_one_way_wall_is_warned_about_once_however_often_the_task_is_loaded(tmp_path):
    """The REPL loads a task to list it (`:tasks`) and again at each `:load`."""
    lemon_behind_wall(tmp_path, left_wall_on_1_1=False)
    session = ":tasks\n:load lemon-behind-wall\n:load lemon-behind-wall\n"
    cmd = [sys.executable, "-m", "xlogo_lang", "repl", "--tasks", str(tmp_path)]
    done = subprocess.run(cmd, input=session, capture_output=True, text=True, check=True)
    assert done.stderr.count("one-way wall") == 1
    assert done.stderr.startswith("xlogo repl: warning: ")


def test_fmt_prints_the_canonical_text_form(capsys, tmp_path):
    src = tmp_path / "p.xlogo"
    src.write_text("FORWARD; right, repeat 3 [fd] setpc red")
    code, out, _ = xlogo(capsys, "fmt", str(src))
    assert code == 0
    assert out == "fd\nrt\nrepeat(3){\n  fd\n}\nsetpc(red)\n"


def test_fmt_to_json_prints_the_reference_code_json(capsys):
    _code, out, _ = xlogo(capsys, "fmt", "-e", "repeat(2){fd} setpc(blue)", "--to", "json")
    assert json.loads(out) == {
        "run": [
            {"type": "repeat", "times": 2, "body": [{"type": "fd"}]},
            {"type": "setpc", "value": "blue"},
        ]
    }


def test_fmt_reads_json_back_to_text(capsys, tmp_path):
    src = tmp_path / "p.json"
    src.write_text('{"run": [{"type": "repeat", "times": 2, "body": [{"type": "fd"}]}]}')
    _code, out, _ = xlogo(capsys, "fmt", str(src), "--to", "text")
    assert out == "repeat(2){\n  fd\n}\n"


def test_fmt_check_fails_on_non_canonical_input(capsys, tmp_path):
    src = tmp_path / "p.xlogo"
    src.write_text("fd rt")
    assert xlogo(capsys, "fmt", str(src), "--check")[0] == 1
    src.write_text("fd\nrt\n")
    assert xlogo(capsys, "fmt", str(src), "--check")[0] == 0


def test_fmt_check_accepts_a_canonical_expression_without_a_final_newline(capsys):
    assert xlogo(capsys, "fmt", "-e", "fd\nrt", "--check")[0] == 0
    assert xlogo(capsys, "fmt", "-e", "fd rt", "--check")[0] == 1


def test_fmt_check_accepts_the_empty_expression_whose_canonical_text_is_empty(capsys):
    assert xlogo(capsys, "fmt", "-e", "", "--check")[0] == 0


def test_show_draws_the_grid_and_the_description(capsys, tasks_dir):
    code, out, _ = xlogo(capsys, "show", str(tasks_dir / "87.json"))
    assert code == 0
    assert "Find the strawberry. Use at most 6 commands." in out
    assert "━" in out  # walls
    assert "░" in out  # forbidden cells


def test_show_shades_a_missing_tile_as_a_cell_the_turtle_cannot_enter(capsys, tasks_dir):
    """Task 64 has no tile in its middle: drawn blank, it looked like any free cell, and a run
    into it said "entered a forbidden cell" about a cell the picture did not mark."""
    _code, out, _ = xlogo(capsys, "show", str(tasks_dir / "64.json"))
    rows = out.splitlines()
    middle = rows[rows.index(next(r for r in rows if r.startswith("·───"))) + 3]
    assert middle.startswith("│    ░░░    │")  # (1,1) shaded, (0,1) and (2,1) free


def test_show_of_a_draw_task_shows_the_target_beside(capsys, tasks_dir):
    _code, out, _ = xlogo(capsys, "show", str(tasks_dir / "64.json"), "-e", "setpc(blue) fd")
    assert "target" in out and "now" in out


def test_show_json_includes_the_run(capsys, tasks_dir):
    _code, out, _ = xlogo(capsys, "show", str(tasks_dir / "1.json"), "-e", "fd", "--json")
    data = json.loads(out)
    assert data["kind"] == "find"
    assert data["verdict"]["solved"] is True


def test_check_reports_constraint_violations_by_line(capsys, tmp_path, tasks_dir):
    prog = tmp_path / "p.xlogo"
    prog.write_text("fd\nrt\nfd\nfd\nfd\nrt\nfd\n")
    code, out, _ = xlogo(capsys, "check", str(tasks_dir / "87.json"), str(prog))
    assert code == 1
    assert "7 commands used; this task allows at most 6" in out


def test_check_without_problems_exits_0(capsys, tasks_dir):
    code, _out, _ = xlogo(
        capsys, "check", str(tasks_dir / "87.json"), "-e", "fd rt repeat(3){fd} rt fd"
    )
    assert code == 0


def test_check_notes_an_exactly_type_the_program_does_not_use(capsys, examples_dir):
    """The benchmark checks only the types a program uses: "Use exactly 1 'repeat'" holds for a
    program without one, which a teacher took for a slip of the checker."""
    task = str(examples_dir / "tasks" / "exactly-one-repeat.json")
    code, out, _ = xlogo(capsys, "check", task, "-e", "fd fd")
    assert code == 0 and "no problems found" in out
    assert 'note: "exactly 1 repeat" holds because the program uses no repeat' in out
    code, out, _ = xlogo(capsys, "check", task, "-e", "fd fd", "--json")
    assert code == 0 and json.loads(out)["notes"][0].startswith('"exactly 1 repeat" holds')


def test_check_json_has_no_notes_for_a_program_that_uses_every_exactly_type(capsys, examples_dir):
    task = str(examples_dir / "tasks" / "exactly-one-repeat.json")
    code, out, _ = xlogo(capsys, "check", task, "-e", "repeat(2){fd}", "--json")
    assert code == 0 and "notes" not in json.loads(out)


def test_check_json_lists_range_errors_with_positions(capsys):
    code, out, _ = xlogo(capsys, "check", "-e", "repeat(13){fd}\nsetpc(purple)", "--json")
    diags = json.loads(out)["diagnostics"]
    assert code == 1
    assert {d["rule"] for d in diags} >= {"repeat-range", "pen-colour"}
    assert [d["line"] for d in diags] == sorted(d["line"] for d in diags)


def test_check_json_gives_the_span_from_the_first_command_over_the_limit(capsys, examples_dir):
    task = str(examples_dir / "tasks" / "draw-stairs-at-most.json")
    code, out, _ = xlogo(capsys, "check", task, "-e", "fd rt fd lt fd rt fd lt fd rt fd", "--json")
    (d,) = json.loads(out)["diagnostics"]
    assert code == 1
    assert (d["line"], d["column"], d["end_line"], d["end_column"]) == (1, 16, 1, 33)


def test_export_writes_a_task_file_that_loads_back_equal(capsys, tmp_path, assets_dir):
    from xlogo_lang import load_task

    out = tmp_path / "87.json"
    code, _, _ = xlogo(capsys, "export", str(assets_dir), "--id", "87", "-o", str(out))
    assert code == 0
    exported = load_task(out)
    original = load_task(assets_dir, "87")
    assert exported.world == original.world
    assert exported.goal == original.goal
    assert exported.constraints == original.constraints
    assert exported.solution == original.solution


def _write_predictions(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n")


def test_score_names_the_first_skipped_lines_and_counts_the_rest(capsys, tmp_path, tasks_dir):
    """A binary or wrong file: a warning for each of its lines said nothing the first ones do
    not, in kilobytes of stderr."""
    preds = tmp_path / "preds.jsonl"
    good = json.dumps({"task_id": "87", "response": "fd"})
    _write_predictions(preds, ["not json"] * 100 + [good])
    code, _, err = xlogo(capsys, "score", str(preds), "--tasks", str(tasks_dir))
    assert code == 0
    assert err.count("; skipped") == 20 and "line 20: not valid JSON" in err
    assert f"{preds}: 80 more lines skipped" in err


def test_score_writes_one_result_per_valid_line_and_skips_malformed_ones(
    capsys, tmp_path, tasks_dir
):
    preds = tmp_path / "preds.jsonl"
    _write_predictions(
        preds,
        [
            json.dumps({"task_id": "1", "response": "Sure!\n```\nfd\n```", "model": "m"}),
            "{not json",
            json.dumps({"task_id": "1", "response": "rt fd"}),
            json.dumps({"task_id": "87", "response": "fd fd"}),
            json.dumps({"task_id": "nope", "response": "fd"}),
            json.dumps({"task_id": "1", "response": "I cannot help with that."}),
        ],
    )
    code, out, err = xlogo(capsys, "score", str(preds), "--tasks", str(tasks_dir), "--json")
    assert code == 0
    assert "line 2" in err and "line 5" in err
    summary = json.loads(out)
    assert summary["total"] == 4
    assert summary["solved"] == 1
    assert summary["crashes"] == {"wall": 1}
    results = [json.loads(x) for x in (tmp_path / "preds_results.jsonl").read_text().splitlines()]
    assert [r["task_id"] for r in results] == ["1", "1", "87", "1"]
    first = results[0]
    assert first["model"] == "m"  # input keys are kept
    assert first["program"] == "fd\n" and first["solved"] is True and first["error"] is None
    assert results[2]["crash"] == {"kind": "wall", "x": 0, "y": 1}
    assert results[3]["parsed"] is False


def test_version_through_the_console_script():
    exe = shutil.which("xlogo") or str(Path(sys.executable).with_name("xlogo"))
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("xlogo ")


def test_python_dash_m_runs_the_cli():
    out = subprocess.run(
        [sys.executable, "-m", "xlogo_lang", "fmt", "-e", "fd rt"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert out.stdout == "fd\nrt\n"


def test_an_input_error_under_json_is_also_a_json_object_on_stdout(capsys, tasks_dir):
    code, out, err = xlogo(capsys, "run", str(tasks_dir / "87.json"), "-e", "fd jump", "--json")
    assert code == 2 and "unknown command 'jump'" in err
    assert json.loads(out) == {
        "error": "ParseError",
        "message": "unknown command 'jump'",
        "file": "<expr>",
        "line": 1,
        "column": 4,
        "path": None,
        "hint": "commands are fd, bk, lt, rt, setpc(colour), repeat(n){...}",
    }


def _xlogo_strict_utf8(*argv: str | bytes, stdin: bytes = b"") -> subprocess.CompletedProcess:
    """The CLI in a process whose standard streams are strict UTF-8, as under en_US.UTF-8."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8"}
    cmd = [sys.executable, "-m", "xlogo_lang", *argv]
    return subprocess.run(cmd, input=stdin, capture_output=True, env=env)


def test_a_program_on_stdin_that_is_not_utf8_is_an_error_naming_stdin():
    out = _xlogo_strict_utf8("check", "-", stdin=b"fd\xff\n")
    assert out.returncode == 2
    assert out.stderr.decode().startswith(
        "xlogo check: cannot read <stdin>: not UTF-8 text (byte 0xff at offset 2)"
    )


def test_an_argument_that_is_not_utf8_is_quoted_escaped_not_a_traceback():
    out = _xlogo_strict_utf8("check", "-e", b"fd\xff")
    assert out.returncode == 1
    assert b"lone surrogate '\\udcff'" in out.stdout and b"Traceback" not in out.stderr


def test_a_json_file_too_long_to_be_a_program_is_refused_by_size_not_decoded(tmp_path, capsys):
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"tiles": [{"x": 1}] * 200_000}), encoding="utf-8")
    code, out, _ = xlogo(capsys, "check", str(big))
    assert code == 1
    assert "xlogo reads programs of at most 1,000,000" in out


def test_score_with_no_line_to_score_is_an_input_error(capsys, tmp_path, tasks_dir):
    preds = tmp_path / "preds.jsonl"
    _write_predictions(preds, ["{not json", json.dumps({"task_id": "nope", "response": "fd"})])
    code, _, err = xlogo(capsys, "score", str(preds), "--tasks", str(tasks_dir))
    assert code == 2
    assert "no prediction scored: all 2 were skipped" in err and "Traceback" not in err


def test_score_skips_a_line_with_an_integer_too_long_to_read(capsys, tmp_path, tasks_dir):
    # Python's json raises a plain ValueError past 4,300 digits, not a JSONDecodeError
    preds = tmp_path / "preds.jsonl"
    long_line = '{"task_id": "87", "response": "fd", "n": ' + "1" * 5000 + "}"
    _write_predictions(preds, [long_line, json.dumps({"task_id": "87", "response": "fd"})])
    code, _, err = xlogo(capsys, "score", str(preds), "--tasks", str(tasks_dir))
    assert code == 0 and "Traceback" not in err
    assert "line 1: not valid JSON (an integer with too many digits); skipped" in err


def test_score_names_a_line_cut_inside_a_string(capsys, tmp_path, tasks_dir):
    preds = tmp_path / "preds.jsonl"
    good = json.dumps({"task_id": "87", "response": "fd"})
    _write_predictions(preds, ['{"task_id": "87", "response": "fd', good])
    code, _, err = xlogo(capsys, "score", str(preds), "--tasks", str(tasks_dir))
    assert code == 0
    assert "line 1: not valid JSON (a string not closed before the end of the line)" in err


def test_score_writes_a_response_with_a_lone_surrogate(capsys, tmp_path, tasks_dir):
    preds = tmp_path / "preds.jsonl"
    _write_predictions(preds, [json.dumps({"task_id": "87", "response": "fd \ud800"})])
    out = tmp_path / "scored.jsonl"
    code, _, err = xlogo(capsys, "score", str(preds), "--tasks", str(tasks_dir), "--out", str(out))
    assert code == 0 and "Traceback" not in err
    assert json.loads(out.read_bytes().decode("utf-8"))["response"] == "fd \ud800"


def test_score_refuses_to_write_its_results_over_its_predictions(capsys, tmp_path, tasks_dir):
    preds = tmp_path / "preds.jsonl"
    line = json.dumps({"task_id": "1", "response": "fd"})
    _write_predictions(preds, [line])
    code, _, err = xlogo(
        capsys, "score", str(preds), "--tasks", str(tasks_dir), "--out", str(preds)
    )
    assert code == 2 and "is the input file" in err
    assert preds.read_text() == line + "\n"


@pytest.mark.parametrize("where", ["folder", "under_a_file"])
def test_an_output_path_that_cannot_be_written_is_one_line_and_exit_2(
    capsys, tmp_path, tasks_dir, where
):
    preds = tmp_path / "preds.jsonl"
    _write_predictions(preds, [json.dumps({"task_id": "1", "response": "fd"})])
    out = tmp_path if where == "folder" else preds / "results.jsonl"
    code, _, err = xlogo(capsys, "score", str(preds), "--tasks", str(tasks_dir), "--out", str(out))
    assert code == 2 and str(out) in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_an_output_file_in_a_missing_folder_gets_its_folder(capsys, tmp_path, tasks_dir):
    out = tmp_path / "new" / "deeper" / "task.json"
    code, _, _ = xlogo(capsys, "export", str(tasks_dir), "--id", "1", "-o", str(out))
    assert code == 0 and json.loads(out.read_text())["id"] == "1"


@pytest.mark.parametrize("command", ["run", "show", "fmt"])
def test_a_program_file_and_an_expression_together_are_a_usage_error(capsys, tasks_dir, command):
    task = [str(tasks_dir / "1.json")] if command != "fmt" else []
    code, _, err = xlogo(
        capsys, command, *task, "examples/programs/find-strawberry.xlogo", "-e", "bk"
    )
    assert code == 2 and "not both" in err


def test_check_with_an_id_but_no_task_is_a_usage_error(capsys):
    code, _, err = xlogo(capsys, "check", "--id", "87", "-e", "fd")
    assert code == 2 and "no TASK was given" in err


def test_fmt_color_of_the_python_form_highlights_python_and_strips_back(capsys):
    import re

    code, out, _ = xlogo(capsys, "fmt", "-e", "repeat(2){fd rt}", "--to", "python", "--color")
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert code == 0 and plain.startswith("def Run():\n") and "for i in range(2):" in plain
    assert "\x1b[" in out and "\x1b[04m" not in out  # coloured, nothing underlined as an error


def test_the_trace_of_a_long_run_shows_its_first_and_last_steps(capsys):
    task = "examples/tasks/find-strawberry.json"
    prog = "repeat(12){repeat(12){repeat(12){fd bk}}}"  # 3,456 steps
    _, out, _ = xlogo(capsys, "run", task, "-e", prog, "--trace")
    assert "… 2,356 steps not shown (--json has them all)" in out
    assert " 1000 " in out and " 3456 " in out and " 1001 " not in out and " 3356 " not in out
    _, out, _ = xlogo(capsys, "run", task, "-e", prog, "--trace", "--json")
    assert len(json.loads(out)["trace"]) == 3456


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_full_disk_names_the_file_it_could_not_write(capsys, tasks_dir):
    code, _, err = xlogo(capsys, "export", str(tasks_dir), "--id", "1", "-o", "/dev/full")
    assert code == 2 and "/dev/full" in err and "No space left" in err


def test_score_refuses_to_write_its_results_over_the_task_file(capsys, tmp_path, tasks_dir):
    task = tmp_path / "1.json"
    task.write_text((tasks_dir / "1.json").read_text())
    preds = tmp_path / "preds.jsonl"
    _write_predictions(preds, [json.dumps({"task_id": "1", "response": "fd"})])
    before = task.read_text()
    code, _, err = xlogo(capsys, "score", str(preds), "--tasks", str(task), "--out", str(task))
    assert code == 2 and "is the input file" in err and task.read_text() == before


def test_score_refuses_a_task_file_name_in_the_task_folder(capsys, tmp_path, tasks_dir):
    folder = tmp_path / "tasks"
    folder.mkdir()
    (folder / "1.json").write_text((tasks_dir / "1.json").read_text())
    preds = tmp_path / "preds.jsonl"
    _write_predictions(preds, [json.dumps({"task_id": "1", "response": "fd"})])
    out = folder / "results.json"  # the next run would read it as a task
    code, _, err = xlogo(capsys, "score", str(preds), "--tasks", str(folder), "--out", str(out))
    assert code == 2 and "in the folder" in err and not out.exists()


def _written_in_brackets(tmp: Path, examples: Path, pool: Path) -> list[tuple[list[str], str]]:
    """Each command that names a file it wrote, given a name rich would read as markup."""
    task, tasks = str(examples / "tasks" / "find-strawberry.json"), str(examples / "tasks")
    (tmp / "p[red].xlogo").write_text("fd\n")
    scored = f"{tmp}/s[bold].jsonl"
    return [
        (["render", task, "-o", f"{tmp}/t[bold].png"], f"wrote {tmp}/t[bold].png"),
        (["export", task, "-o", f"{tmp}/t[bold].json"],
         f"wrote task find-strawberry to {tmp}/t[bold].json (with its reference solution)"),
        (["check", f"{tmp}/p[red].xlogo"], f"{tmp}/p[red].xlogo: no problems found"),
        (["score", str(examples / "predictions.jsonl"), "--tasks", tasks, "-o", scored],
         f"results: {scored}"),
        (["report", scored, "--tasks", tasks, "--no-solver", "--html", f"{tmp}/h[b].html"],
         f"wrote {tmp}/h[b].html"),
        (["sft", str(pool), "-o", f"{tmp}/sft[bold].jsonl"],
         f"wrote 42 conversations to {tmp}/sft[bold].jsonl"),
        (["gen", "export", str(pool), "-o", f"{tmp}/x[bold]"],
         f"wrote 42 task files to {tmp}/x[bold]"),
    ]  # fmt: skip


def test_a_file_named_with_brackets_is_named_as_it_is_written(capsys, tmp_path, examples_dir):
    """Rich read `[bold]` in a path as markup, so the file written was `t[bold].png` and the
    line said `wrote t.png`, naming a file that does not exist."""
    from test_gen_fixtures import generated_pool

    for argv, said in _written_in_brackets(tmp_path, examples_dir, generated_pool()):
        code, out, _ = xlogo(capsys, *argv)
        assert code in (0, 1), argv
        assert said in out.splitlines(), (argv, out)


def test_run_trace_of_a_run_past_the_call_limit_shows_the_note_not_an_empty_table(
    capsys, examples_dir
):
    """Such a run records no steps: the table printed its header alone above the note."""
    deep = "repeat(12){" * 5 + "lt" + "}" * 5
    task = str(examples_dir / "tasks" / "find-strawberry.json")
    code, out, _ = xlogo(capsys, "run", task, "-e", deep, "--trace")
    assert code == 1 and "decided without recording the trace" in out
    assert "heading" not in out
