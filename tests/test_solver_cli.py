"""`xlogo solve`: one task, a directory of tasks, --all, --json, --repair, and bad input."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from xlogo_lang import load_task, parse, run
from xlogo_lang.cli import main


def xlogo(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_solve_prints_the_program_its_verdict_and_statistics(capsys, tasks_dir):
    code, out, _ = xlogo(capsys, "solve", str(tasks_dir / "87.json"))
    assert code == 0
    assert "repeat(3){" in out
    assert "✓ solved" in out
    assert "shortest solution: 6 blocks (proved minimal)" in out
    assert "candidates" in out and "states kept" in out


def test_solve_json_has_the_documented_fields(capsys, assets_dir):
    code, out, _ = xlogo(capsys, "solve", str(assets_dir), "--id", "13", "--json")
    assert code == 0
    d = json.loads(out)
    assert {"task_id", "status", "program", "size", "engine", "proved_minimal", "stats"} <= set(d)
    assert (d["task_id"], d["status"], d["size"], d["proved_minimal"]) == ("13", "solved", 4, True)
    assert run(load_task(assets_dir, "13"), parse(d["program"])).solved


def test_solve_all_lists_distinct_shortest_programs(capsys, tasks_dir):
    code, out, _ = xlogo(
        capsys, "solve", str(tasks_dir / "87.json"), "--all", "--limit", "3", "--json"
    )
    d = json.loads(out)
    assert code == 0 and 1 < len(d["programs"]) <= 3
    assert len(set(d["programs"])) == len(d["programs"])


def test_too_small_a_bound_says_so_and_exits_1(capsys, tasks_dir):
    code, out, _ = xlogo(capsys, "solve", str(tasks_dir / "13.json"), "--max-size", "3")
    assert code == 1
    assert "no solution within 3 blocks" in out


def test_a_walled_off_goal_ends_with_no_solution(capsys, tasks_dir, tmp_path):
    data = json.loads((tasks_dir / "1.json").read_text())
    t = data["turtle"]
    for tile in data["tiles"]:
        if (tile["x"], tile["y"]) == (t["x"], t["y"]):
            tile["walls"] = {"top": True, "right": True, "bottom": True, "left": True}
    path = tmp_path / "walled.json"
    path.write_text(json.dumps(data))
    code, out, _ = xlogo(capsys, "solve", str(path), "--json")
    assert code == 1
    assert json.loads(out)["status"] == "no_solution"
    assert json.loads(out)["message"] == "no solution within 20 blocks"


def test_a_broken_goal_is_a_task_error_not_a_traceback(capsys, tasks_dir, tmp_path):
    data = json.loads((tasks_dir / "1.json").read_text())
    data["goal"] = [{"name": "find", "specs": []}]
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data))
    code, _out, err = xlogo(capsys, "solve", str(path))
    assert code == 2
    assert "goal[0].specs" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_solve_a_directory_prints_a_table_with_reference_sizes(capsys, assets_dir, tmp_path):
    for tid in ("1", "5", "13"):
        task = load_task(assets_dir, tid)
        (tmp_path / f"{tid}.json").write_text(json.dumps(task.to_json()))
    code, out, _ = xlogo(capsys, "solve", str(tmp_path))
    assert code == 0
    assert "shortest" in out and "reference" in out
    assert "3/3 solved (3 proved minimal)" in out
    assert "shorter than the reference: 13" in out


def test_a_directory_without_reference_solutions_says_so(capsys, tasks_dir, tmp_path):
    """The task files in ../shared carry none: "none shorter" would claim a comparison."""
    for tid in ("1", "13"):
        shutil.copy(tasks_dir / f"{tid}.json", tmp_path)
    code, out, _ = xlogo(capsys, "solve", str(tmp_path))
    assert code == 0
    assert "no reference solutions to compare with" in out
    assert "shorter than the reference" not in out


def _with_solution(examples_dir: Path, folder: Path, solution: str) -> Path:
    """find-strawberry.json (solved by `fd fd rt fd`) in `folder`, with its `solution` replaced."""
    data = json.loads((examples_dir / "tasks" / "find-strawberry.json").read_text())
    data["solution"] = solution
    out = folder / "find-strawberry.json"
    out.write_text(json.dumps(data))
    return out


def test_solve_says_whether_the_tasks_own_solution_solves_it(capsys, examples_dir, tmp_path):
    """A task file's `solution` is parsed, not run, when it loads: solve is where a teacher
    learns that it fails, and why."""
    task = _with_solution(examples_dir, tmp_path, "fd rt fd fd")
    code, out, _ = xlogo(capsys, "solve", str(task))
    assert code == 0
    assert (
        "the task's own solution (4 blocks) does not solve it: never reached the strawberry"
        in " ".join(out.split())
    )
    code, out, _ = xlogo(capsys, "solve", str(examples_dir / "tasks" / "find-strawberry.json"))
    assert "the task's own solution (4 blocks) solves it" in out


def test_solve_json_has_the_size_of_the_tasks_own_solution_and_whether_it_solves(
    capsys, examples_dir, tmp_path
):
    task = _with_solution(examples_dir, tmp_path, "fd rt fd fd")
    d = json.loads(xlogo(capsys, "solve", str(task), "--json")[1])
    assert (d["reference_size"], d["reference_solved"]) == (4, False)


def test_a_directory_names_the_tasks_whose_own_solution_fails_and_compares_no_size_with_it(
    capsys, examples_dir, tmp_path
):
    """A failing reference of 8 blocks made the solver's 4 "shorter than the reference"."""
    _with_solution(examples_dir, tmp_path, "fd rt fd fd fd lt fd bk")
    code, out, _ = xlogo(capsys, "solve", str(tmp_path))
    text = " ".join(out.split())
    assert code == 0
    assert "8 ✗" in text
    assert "shorter than the reference: none" in text
    assert "the reference does not solve: find-strawberry" in text
    code, out, _ = xlogo(capsys, "solve", str(tmp_path), "--json")
    assert json.loads(out)["reference_solved"] is False


def test_solve_a_directory_as_json_lines(capsys, tasks_dir, tmp_path):
    for tid in ("1", "2"):
        shutil.copy(tasks_dir / f"{tid}.json", tmp_path)
    code, out, _ = xlogo(capsys, "solve", str(tmp_path), "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [d["task_id"] for d in lines] == ["1", "2"]


def test_solve_a_file_of_task_records_solves_each_as_a_directory_does(capsys, tasks_dir, tmp_path):
    records = tmp_path / "tasks.jsonl"
    lines = [json.dumps(json.loads((tasks_dir / f"{tid}.json").read_text())) for tid in "12"]
    records.write_text("\n".join(lines) + "\n")
    code, out, _ = xlogo(capsys, "solve", str(records), "--json")
    assert code == 0
    assert [json.loads(line)["task_id"] for line in out.splitlines()] == ["1", "2"]
    code, out, _ = xlogo(capsys, "solve", str(records), "--id", "2", "--json")
    assert (code, json.loads(out)["task_id"]) == (0, "2")


def test_workers_solve_a_directory_with_the_same_lines_in_the_same_order(
    capsys, tasks_dir, tmp_path
):
    for tid in ("1", "13", "24", "87"):
        shutil.copy(tasks_dir / f"{tid}.json", tmp_path)
    (tmp_path / "1a.json").write_text('{"turtle": ')

    def lines(*more: str) -> tuple[int, list[dict]]:
        code, out, _ = xlogo(capsys, "solve", str(tmp_path), "--json", *more)
        return code, [
            {k: v for k, v in json.loads(x).items() if k != "stats"} for x in out.split("\n") if x
        ]

    alone = lines()
    assert alone[0] == 2 and len(alone[1]) == 5  # the broken file is a line of its own
    assert lines("--workers", "2") == alone


def test_workers_with_one_task_is_a_usage_error(capsys, tasks_dir):
    code, out, err = xlogo(capsys, "solve", str(tasks_dir / "1.json"), "--workers", "2")
    assert code == 2 and out == ""
    assert "--workers is for a set of tasks" in err


def solve_under_cpu_limit(tasks_dir: Path, tmp_path: Path, *more: str):  # type: ignore[no-untyped-def]
    """`xlogo solve DIR --workers 2` on tasks 1, 13 and 64, each of its processes allowed one
    second of CPU (the run itself uses a fraction of one): task 64's search (20 s) kills its
    worker by SIGXCPU, in the pool and again alone."""
    import resource
    import subprocess

    def limit_cpu() -> None:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_CPU, (1, resource.RLIM_INFINITY))

    for tid in ("1", "13", "64"):
        shutil.copy(tasks_dir / f"{tid}.json", tmp_path)
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("xlogo")),
            "solve",
            str(tmp_path),
            "--workers",
            "2",
            *more,
        ],
        preexec_fn=limit_cpu,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_failed_search_in_a_directory_is_named_and_the_others_are_answered(tasks_dir, tmp_path):
    run = solve_under_cpu_limit(tasks_dir, tmp_path)
    assert run.returncode == 1
    out = " ".join(run.stdout.split())
    assert "│ 1 │ 1 │" in out and "│ 13 │ 4 │" in out and "│ 64 │ failed │" in out
    assert (
        "2/3 solved (2 proved minimal), 1 failed (a worker died under its search twice): 64" in out
    )
    assert " ".join(run.stderr.split()) == (
        "error: task 64: failed: the worker process died under the search twice, the second "
        "time running it alone (killed by SIGXCPU)"
    )


def test_a_failed_search_is_a_json_line_of_its_own(tasks_dir, tmp_path):
    run = solve_under_cpu_limit(tasks_dir, tmp_path, "--json")
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert run.returncode == 1
    assert [(d["task_id"], d["status"]) for d in lines] == [
        ("1", "solved"),
        ("13", "solved"),
        ("64", "failed"),
    ]
    assert lines[2]["stats"] == {"worker_exitcode": -24}  # SIGXCPU


def broken_among_good(tasks_dir: Path, tmp_path: Path) -> Path:
    for tid in ("1", "2"):
        shutil.copy(tasks_dir / f"{tid}.json", tmp_path)
    (tmp_path / "1a.json").write_text('{"turtle": ')
    return tmp_path


def test_a_broken_task_in_a_directory_is_reported_and_the_others_are_solved(
    capsys, tasks_dir, tmp_path
):
    code, out, err = xlogo(capsys, "solve", str(broken_among_good(tasks_dir, tmp_path)))
    assert code == 2
    assert "2/3 solved" in out
    assert "1a.json: line 1, column 12: not valid JSON" in err.replace("\n", "")


def test_a_broken_task_in_a_directory_is_a_json_error_line(capsys, tasks_dir, tmp_path):
    code, out, _ = xlogo(capsys, "solve", str(broken_among_good(tasks_dir, tmp_path)), "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 2
    assert [(d["task_id"], d["status"]) for d in lines] == [
        ("1", "solved"),
        ("1a", "error"),
        ("2", "solved"),
    ]
    assert "1a.json" in lines[1]["error"]
    assert lines[1]["file"].endswith("1a.json") and lines[1]["line"] == 1


@pytest.mark.parametrize("workers", ["1", "2"])
def test_broken_tasks_first_and_last_in_a_directory_keep_their_places(
    capsys, tasks_dir, tmp_path, workers
):
    """Each task is loaded as the solver reaches it: the rows of broken ones are given in
    their place, before, between and after the tasks solved."""
    for tid in ("1", "13"):
        shutil.copy(tasks_dir / f"{tid}.json", tmp_path)
    for name in ("0a", "1a", "99"):
        (tmp_path / f"{name}.json").write_text('{"goal": 3}')
    code, out, _ = xlogo(capsys, "solve", str(tmp_path), "--json", "--workers", workers)
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 2
    assert [(d["task_id"], d["status"]) for d in lines] == [
        ("0a", "error"),
        ("1", "solved"),
        ("1a", "error"),
        ("13", "solved"),
        ("99", "error"),
    ]
    assert lines[4]["file"].endswith("99.json") and "missing key" in lines[4]["error"]


def test_a_directory_of_broken_tasks_only_gives_a_row_for_each(capsys, tmp_path):
    for name in ("1", "2"):
        (tmp_path / f"{name}.json").write_text('{"turtle": ')
    code, out, err = xlogo(capsys, "solve", str(tmp_path))
    assert code == 2
    summary = " ".join(out.split())
    assert "0/2 solved" in summary and "2 task(s) could not be loaded" in summary
    assert " ".join(err.split()).count("not valid JSON") == 2


def test_repair_shows_the_edit_and_the_repaired_program(capsys, tasks_dir):
    code, out, _ = xlogo(
        capsys, "solve", str(tasks_dir / "87.json"), "--repair", "-e", "fd rt repeat(2){fd} rt fd"
    )
    assert code == 0
    assert "1 edit (nearest)" in out
    assert "change repeat(2) to repeat(3) at block 3" in out


def test_repair_lists_a_new_repeat_before_the_edit_inside_it(capsys, examples_dir):
    task = str(examples_dir / "tasks" / "draw-stairs-at-most.json")
    code, out, _ = xlogo(capsys, "solve", task, "--repair", "-e", "fd rt fd rt")
    assert code == 0
    lines = out.splitlines()
    assert lines[:3] == [
        "2 edits (nearest):",
        "  • insert repeat(3) around blocks 1..4",
        "  • replace rt by lt at block 1.4",
    ]


def test_repair_json_says_how_many_blocks_a_new_repeat_goes_around(capsys, examples_dir):
    task = str(examples_dir / "tasks" / "draw-stairs-at-most.json")
    code, out, _ = xlogo(capsys, "solve", task, "--repair", "-e", "fd rt fd rt", "--json")
    assert code == 0
    first, second = json.loads(out)["edits"]
    assert (first["op"], first["path"], first["after"], first["wraps"]) == (
        "insert",
        [0],
        "repeat(3)",
        4,
    )
    assert "wraps" not in second  # only an inserted repeat has it


def test_repair_reads_a_program_file(capsys, tasks_dir, tmp_path: Path):
    prog = tmp_path / "p.xlogo"
    prog.write_text("fd\nrt\nrepeat(2){\n  fd\n}\nrt\nfd\n")
    code, out, _ = xlogo(
        capsys, "solve", str(tasks_dir / "87.json"), "--repair", str(prog), "--json"
    )
    assert code == 0
    assert json.loads(out)["distance"] == 1


def test_repair_without_a_program_is_a_usage_error(capsys, tasks_dir):
    code, _, err = xlogo(capsys, "solve", str(tasks_dir / "87.json"), "--repair")
    assert code == 2 and "needs a program" in err


def test_repair_of_a_program_too_long_to_search_near_names_the_file(
    capsys, tasks_dir, tmp_path: Path
):
    """A megabyte of garbage from a model gets a clear refusal, not gigabytes of edit layers."""
    prog = tmp_path / "long.xlogo"
    prog.write_text("fd " * 300_000)
    code, out, err = xlogo(capsys, "solve", str(tasks_dir / "5.json"), "--repair", str(prog))
    assert code == 2 and out == ""
    assert f"{prog}: the program has 300,000 blocks; repair takes programs of at most" in err


@pytest.mark.parametrize("flag", [["-e", "fd"], ["--max-distance", "2"]])
def test_a_repair_option_without_repair_is_a_usage_error(capsys, tasks_dir, flag):
    """`-e fd` alone once ran a 30 s repair nobody asked for."""
    code, out, err = xlogo(capsys, "solve", str(tasks_dir / "87.json"), *flag)
    assert code == 2 and out == ""
    assert f"{flag[0]} is for --repair" in err


def test_a_limit_alone_lists_that_many_solutions(capsys, tasks_dir):
    code, out, _ = xlogo(capsys, "solve", str(tasks_dir / "87.json"), "--limit", "2", "--json")
    assert code == 0 and len(json.loads(out)["programs"]) == 2


def test_the_state_budget_is_set_on_the_command_line(capsys, tasks_dir):
    code, out, _ = xlogo(capsys, "solve", str(tasks_dir / "64.json"), "--max-states", "20")
    assert code == 1 and "stopped: state budget reached (max_states, --max-states)" in out


def test_a_state_budget_below_one_is_a_usage_error_on_the_command_line(capsys, tasks_dir):
    code, _, err = xlogo(capsys, "solve", str(tasks_dir / "87.json"), "--max-states", "0")
    assert code == 2 and "--max-states must be at least 1" in err


def test_a_solve_with_z3_has_a_default_time_limit_and_inf_lifts_it():
    """The enumerative engine ends by itself (its body budget); z3 has only time, and runs for
    hours on the largest tasks, so `xlogo solve DIR --engine both` must not hang on them."""
    from xlogo_lang.cli.solve_cmd import Z3_DEFAULT_TIMEOUT, solve_timeout

    assert solve_timeout("z3", None) == solve_timeout("both", None) == Z3_DEFAULT_TIMEOUT
    assert solve_timeout("enum", None) is None
    assert solve_timeout("z3", float("inf")) is None and solve_timeout("both", 5.0) == 5.0


def test_engine_both_prints_both_times(capsys, tasks_dir):
    code, out, _ = xlogo(capsys, "solve", str(tasks_dir / "5.json"), "--engine", "both")
    assert code == 0
    assert "engines agree" in out


def test_engine_both_says_when_enum_left_z3_no_time(capsys, tasks_dir):
    # task 64's proof takes the enumerative engine about 19 s: 2 s is all spent there
    code, out, _ = xlogo(
        capsys, "solve", str(tasks_dir / "64.json"), "--engine", "both", "--timeout", "2"
    )
    assert code == 1 and "z3 not run (no time left)" in out and "z3/enum" not in out


def solve_in_a_terminal(*args: str):  # type: ignore[no-untyped-def]
    """`xlogo solve ARGS` in a 120x24 pseudo-terminal, where the progress display is shown."""
    import pexpect

    return pexpect.spawn(
        str(Path(sys.executable).with_name("xlogo")),
        ["solve", *args],
        dimensions=(24, 120),
        encoding="utf-8",
        timeout=60,
        env={**os.environ, "TERM": "xterm-256color"},
    )


@pytest.mark.skipif(sys.platform == "win32", reason="pexpect needs a POSIX pty")
def test_a_person_waiting_in_a_terminal_sees_which_size_is_being_refuted(tasks_dir):
    import pexpect

    child = solve_in_a_terminal(str(tasks_dir / "64.json"), "--timeout", "4")
    try:
        child.expect(r"solving task 64 \(enum\): no solution of fewer than \d+ blocks")
        child.expect("best found has 15 blocks, not proved minimal")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 1  # a timeout is not a proof


@pytest.mark.skipif(sys.platform == "win32", reason="pexpect needs a POSIX pty")
def test_ctrl_c_on_a_directory_keeps_the_table_of_the_tasks_answered(tasks_dir, tmp_path):
    """The progress bar goes with the interruption; the answers before it stay (with z3 they
    may be minutes of searches), with how many tasks were not reached."""
    import pexpect

    for name in ("1.json", "64.json"):  # task 64 takes the enumerative engine 20 s or more
        shutil.copy(tasks_dir / name, tmp_path / name)
    child = solve_in_a_terminal(str(tmp_path))
    try:
        child.expect("task 64")  # the progress bar is at task 64: task 1 is answered
        child.sendintr()
        child.expect(r"│ 1 +│ +1 │")
        child.expect(r"1/2 solved \(1 proved minimal\)")
        child.expect("1 not reached")
        child.expect("interrupted")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 130


def test_json_output_carries_no_status_line(capsys, tasks_dir):
    code, out, err = xlogo(capsys, "solve", str(tasks_dir / "64.json"), "--timeout", "1", "--json")
    assert code == 1
    assert json.loads(out)["status"] == "timeout"
    assert "solving task" not in out + err


def test_repair_of_a_task_file_given_as_the_program_shows_the_usage(capsys, examples_dir):
    task = str(examples_dir / "tasks" / "find-strawberry.json")
    code, _, err = xlogo(capsys, "solve", task, "--repair", task)
    assert code == 2
    assert "looks like a task file, not a program (usage: xlogo solve TASK --repair" in err


# -- task-supplied text is data, not rich markup ------------------------------------------------


def strawberry_variant(examples_dir: Path, out: Path, **changes: object) -> Path:
    """examples/tasks/find-strawberry.json (solved in 4 blocks) with some keys changed."""
    data = json.loads((examples_dir / "tasks" / "find-strawberry.json").read_text())
    data.update(changes)
    out.write_text(json.dumps(data))
    return out


# an id that closes a tag never opened (a MarkupError once), and one that would paint itself red
TOO_SMALL = {"id": "[/bold]", "constraints": {"at_most": {"all": 2}}}
RED_ID = {"id": "[red]x[/red]"}


def test_a_task_id_with_markup_is_printed_as_it_is(capsys, examples_dir, tmp_path):
    task = strawberry_variant(examples_dir, tmp_path / "t.json", **TOO_SMALL)
    code, out, err = xlogo(capsys, "solve", str(task))
    assert code == 1 and err == ""
    assert "task [/bold]: Find the strawberry" in out


def test_a_directory_of_tasks_with_markup_ids_shows_them_in_the_table(
    capsys, examples_dir, tmp_path
):
    strawberry_variant(examples_dir, tmp_path / "a.json", **TOO_SMALL)
    strawberry_variant(examples_dir, tmp_path / "b.json", **RED_ID)
    code, out, _ = xlogo(capsys, "solve", str(tmp_path))
    assert code == 1
    assert "│ [/bold]      │" in out and "│ [red]x[/red] │" in out


@pytest.mark.skipif(sys.platform == "win32", reason="pexpect needs a POSIX pty")
def test_the_status_line_in_a_terminal_shows_a_markup_id_as_it_is(examples_dir, tmp_path):
    """The status line is rich markup too: in a terminal it crashed before anything was shown."""
    import pexpect

    task = strawberry_variant(examples_dir, tmp_path / "t.json", **TOO_SMALL)
    xlogo_bin = Path(sys.executable).with_name("xlogo")
    out = pexpect.run(
        f"{xlogo_bin} solve {task}",
        timeout=60,
        encoding="utf-8",
        env={**os.environ, "TERM": "xterm-256color"},
    )
    assert "Traceback" not in out and "MarkupError" not in out
    assert "no solution within 2 blocks" in out


# -- --repair takes a program and its own options, and refuses the search's --------------------


def test_repair_refuses_a_program_file_and_an_expression_together(capsys, tasks_dir, tmp_path):
    """`--repair FILE -e EXPR` once repaired EXPR and never read FILE."""
    prog = tmp_path / "p.xlogo"
    prog.write_text("fd\n")
    code, out, err = xlogo(
        capsys, "solve", str(tasks_dir / "87.json"), "--repair", str(prog), "-e", "fd rt"
    )
    assert code == 2 and out == ""
    assert f"give either a PROGRAM file ({prog}) or -e, not both" in err


@pytest.mark.parametrize(
    "option",
    [
        ["--engine", "enum"],  # the default engine, given: still not what a repair uses
        ["--max-size", "5"],
        ["--all"],
        ["--limit", "2"],
        ["--max-bodies", "10"],
        ["--max-states", "10"],
        ["--workers", "2"],
    ],
)
def test_a_search_option_with_repair_is_a_usage_error(capsys, examples_dir, option):
    task = str(examples_dir / "tasks" / "find-strawberry.json")
    code, out, err = xlogo(capsys, "solve", task, "--repair", "-e", "fd", *option)
    assert code == 2 and out == ""
    assert f"{option[0]} does not apply to --repair" in err


def test_a_repair_that_runs_out_of_time_says_so(capsys, tasks_dir):
    """It read "no solution within reach", as if something had been shown out of reach."""
    code, out, _ = xlogo(
        capsys, "solve", str(tasks_dir / "87.json"), "--repair", "-e", "fd rt fd", "--timeout", "0"
    )
    assert code == 1
    line = " ".join(out.split())
    assert "no repair found: timed out after" in line
    assert "the limit set by --timeout 0 (0 candidates checked)" in line
    assert "within reach" not in line


def test_a_repair_out_of_time_says_how_near_no_solution_is(capsys, tasks_dir):
    far = "repeat(12){fd lt fd rt setpc(red) bk bk} repeat(7){lt fd fd fd}"
    code, out, _ = xlogo(
        capsys, "solve", str(tasks_dir / "87.json"), "--repair", "-e", far, "--timeout", "3"
    )
    assert code == 0
    line = " ".join(out.split())
    assert "(not proved nearest: no solution within " in line
    assert "timed out after" in line


def test_a_repair_beyond_max_distance_names_the_distance(capsys, tasks_dir):
    code, out, _ = xlogo(
        capsys,
        "solve",
        str(tasks_dir / "87.json"),
        "--repair",
        "-e",
        "fd rt fd",
        "--max-distance",
        "1",
    )
    assert code == 1 and out.startswith("no solution within 1 edit (")


# -- what a result says --------------------------------------------------------------------------


def test_the_directory_summary_counts_no_solution_apart_from_proved_minimal(
    capsys, examples_dir, tmp_path
):
    """A no-solution result carries proved_minimal too: it was counted as a proved minimum."""
    strawberry_variant(examples_dir, tmp_path / "a.json", id="a")
    strawberry_variant(examples_dir, tmp_path / "b.json", **{**TOO_SMALL, "id": "b"})
    code, out, _ = xlogo(capsys, "solve", str(tmp_path))
    assert code == 1
    assert "1/2 solved (1 proved minimal), 1 with no solution within the size bound" in " ".join(
        out.split()
    )


def test_no_solution_says_why_when_the_search_knows(capsys, examples_dir, tmp_path):
    strawberry = {"x": 1, "y": 0, "name": "strawberry", "color": "purple", "count": 1}
    task = strawberry_variant(examples_dir, tmp_path / "t.json", items=[strawberry])
    code, out, _ = xlogo(capsys, "solve", str(task))
    assert code == 1
    assert (
        "no solution within 20 blocks: the world holds items outside the catalogue, so no goal "
        "can be met" in " ".join(out.split())
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--max-size", "-1"], "--max-size must be at least 0 (got -1)"),
        (["--workers", "0"], "--workers must be from 1 to 256 (got 0)"),
        (["--workers", "257"], "--workers must be from 1 to 256 (got 257)"),
        (["--timeout", "-1"], "--timeout must be a number of seconds, 0 or more, or inf (got -1)"),
        (
            ["--timeout", "nan"],
            "--timeout must be a number of seconds, 0 or more, or inf (got nan)",
        ),
        (["--repair", "-e", "fd", "--max-distance", "-1"], "--max-distance must be at least 0"),
        (["--repair", "-e", "fd", "--timeout", "-1"], "--timeout must be a number of seconds"),
    ],
)
def test_an_out_of_range_number_names_the_option(capsys, examples_dir, argv, message):
    """Not the library's parameter (`max_size must be at least 0`): the user typed --max-size."""
    task = str(examples_dir / "tasks" / "find-strawberry.json")
    code, out, err = xlogo(capsys, "solve", task, *argv)
    assert code == 2 and out == ""
    assert err.startswith(f"xlogo solve: {message}")
    assert "max_size" not in err and "max_distance" not in err


def test_a_one_block_solution_is_one_block(capsys, tasks_dir):
    code, out, _ = xlogo(capsys, "solve", str(tasks_dir / "1.json"))
    assert code == 0
    assert "shortest solution: 1 block (proved minimal)" in out


def test_ctrl_c_stops_a_z3_search_as_an_interruption_not_a_timeout(tasks_dir):
    """z3 takes Ctrl-C itself during a check and answers `unknown`, as for a timeout: the
    search must still end as interrupted (exit 130), not print its best program as a timeout."""
    import signal
    import subprocess
    import time

    task = str(tasks_dir / "64.json")  # z3 needs hours to prove it: still searching at 3 s
    argv = [sys.executable, "-m", "xlogo_lang", "solve", task, "--engine", "z3", "--json"]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert (proc.returncode, out) == (130, "")
    assert "interrupted" in err and "Traceback" not in err
    assert time.monotonic() - t0 < 10
