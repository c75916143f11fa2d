"""Meta-commands and inputs through `Shell.handle`: what each does to the session and shows."""

from __future__ import annotations

import io
import json
import os
import shutil

import pytest
from core_helpers import finishes, lemon_behind_wall
from rich.console import Console
from xlogo_lang.repl.commands import META, Shell, edit_hint, lookup, next_command
from xlogo_lang.repl.session import Session

from xlogo_lang import load_task, parse
from xlogo_lang.cli import main as xlogo
from xlogo_lang.errors import TaskWarning


def shown(reply) -> str:
    """What a reply shows people, as plain text at 80 columns."""
    console = Console(file=io.StringIO(), width=80, record=True)
    for item in reply.out:
        console.print(item)
    return console.export_text()


def said(reply) -> str:
    """What a reply shows, with line wrapping undone (for messages naming long paths)."""
    return " ".join(shown(reply).split())


@pytest.fixture
def shell(tasks_dir):
    return Shell(Session(load_task(tasks_dir / "87.json")))


# -- code ---------------------------------------------------------------------------------------


def test_code_runs_at_once_and_the_board_shows_the_new_state(shell):
    reply = shell.handle("fd rt")
    assert reply.ok and reply.data["added"] == "fd rt"
    text = shown(reply)
    assert "task 87" in text and "2/6 commands" in text and "never reached the strawberry" in text


def test_a_parse_error_shows_the_caret_excerpt_and_changes_nothing(shell):
    shell.handle("fd")
    reply = shell.handle("rt jump")
    assert not reply.ok and shell.session.compact == "fd"
    assert "line 1, column 4: unknown command 'jump'\nrt jump\n   ^" in shown(reply)
    assert reply.data["error"]["line"] == 1 and reply.data["error"]["column"] == 4


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("help", ":help"),
        ("quit", ":quit"),
        ("exit()", ":exit"),  # Python's REPL
        ("Undo", ":Undo"),
        ("load 63", ":load 63"),
        ("?", ":?"),
    ],
)
def test_a_meta_command_typed_without_its_colon_says_how_to_type_it(shell, typed, meant):
    """`help` or `exit()` is what one types in another REPL: the hint listed fd, bk, lt ..."""
    reply = shell.handle(typed)
    assert not reply.ok
    assert reply.data["error"]["hint"] == f"meta-commands start with a colon: type {meant}"
    assert shell.session.compact == "" and shell.session.task.id == "87"


def test_a_mistake_in_code_keeps_the_parsers_hint(shell):
    assert shell.handle("fd help").data["error"]["hint"].startswith("commands are fd, bk")


def test_on_a_narrow_terminal_the_caret_stays_under_the_mistake(tasks_dir):
    """A line longer than the terminal wrapped, and the caret went under the wrong word."""
    narrow = Shell(Session(load_task(tasks_dir / "87.json")), width=lambda: 40)
    reply = narrow.handle("repeat(4){fd fd rt fd fd rt fd fd} setpc(purple) fd")
    console = Console(file=io.StringIO(), width=40, record=True)
    for item in reply.out:
        console.print(item)
    lines = console.export_text().splitlines()
    src = next(i for i, line in enumerate(lines) if "setpc(purple)" in line)
    assert lines[src + 1].index("^") == lines[src].index("purple")
    assert reply.data["error"]["column"] == 42  # machines get the whole line's column


def test_every_reply_carries_the_state_for_machines(shell):
    data = shell.handle("fd rt").data
    json.dumps(data)  # JSON-able
    assert data["state"]["compact"] == "fd rt" and data["state"]["verdict"]["solved"] is False


# -- naming meta-commands -----------------------------------------------------------------------


def test_a_unique_prefix_names_a_meta_command():
    assert lookup("u").name == "undo" and lookup("pro").name == "program"


def test_an_ambiguous_prefix_lists_the_candidates(shell):
    reply = shell.handle(":r")
    assert not reply.ok and "':r' is ambiguous: :reset, :run" in shown(reply)


def test_an_unknown_meta_command_suggests_the_nearest(shell):
    reply = shell.handle(":stpe")
    assert not reply.ok and "did you mean :step?" in shown(reply)


def test_help_lists_every_meta_command(shell):
    text = shown(shell.handle(":help"))
    for name in META:
        assert f":{name}" in text


def test_help_names_the_short_names_that_come_before_prefixes(shell):
    """`:s` steps although `:save`, `:show` and `:solve` start with s too: help must say so."""
    text = " ".join(shown(shell.handle(":help")).split())
    assert ":s = :step" in text and ":h = :help" in text and ":b = :back" in text


def test_help_names_the_keys_of_the_front_end_it_runs_in(shell):
    """The plain loop (--plain) reads lines: it has no F8, Tab or history to offer."""
    plain = " ".join(shown(shell.handle(":help")).split())
    assert "F8" not in plain and "Tab" not in plain and "Ctrl-D quits" in plain
    shell.editor = lambda text: None  # what the line editor's front end sets
    full = " ".join(shown(shell.handle(":help")).split())
    assert "F8/F7 step the run forward/back" in full and "Tab completes" in full


def test_help_in_the_plain_loop_says_edit_is_not_there(shell):
    """The plain loop listed :edit like any command, which then answered that it needs the
    line editor: the list says so up front."""
    plain = " ".join(shown(shell.handle(":help")).split())
    assert "Not here: it needs the line editor" in plain
    shell.editor = lambda text: None
    assert "Not here" not in " ".join(shown(shell.handle(":help")).split())


# -- walking the run ----------------------------------------------------------------------------


def test_step_marks_the_source_line_of_the_command(shell):
    shell.handle("fd rt repeat(3){fd}")
    shell.handle(":step")
    shell.handle(":step")
    text = shown(shell.handle(":step"))
    assert "step 3/5" in text and "▶ 4   fd" in text


def test_goto_needs_a_number(shell):
    shell.handle("fd")
    reply = shell.handle(":goto two")
    assert not reply.ok and "usage: :goto N" in shown(reply)


def test_goto_end_is_read_in_any_case(shell):
    shell.handle("fd rt")
    shell.handle(":goto 1")
    assert shell.handle(":goto END").ok and shell.session.cursor is None


@pytest.mark.parametrize("command", [":undo now", ":reset all", ":quit now", ":step 3"])
def test_a_command_without_arguments_refuses_one_instead_of_ignoring_it(shell, command):
    shell.handle("fd rt")
    reply = shell.handle(command)
    assert not reply.ok and "takes no argument" in shown(reply) and not reply.quit
    assert shell.session.compact == "fd rt"


def test_a_tab_separates_a_command_from_its_argument(shell, tasks_dir):
    shell.handle(f":load\t{tasks_dir / '51.json'}")
    assert shell.session.task.id == "51"


@pytest.mark.parametrize("n", ["99", "-5"])
def test_goto_a_step_outside_the_run_is_the_same_error_as_no_number(shell, n):
    """It was silently clamped to the run (and reported ok)."""
    shell.handle("fd rt")
    reply = shell.handle(f":goto {n}")
    assert not reply.ok and "usage: :goto N|end, with N a step number (0..2)" in shown(reply)
    assert shell.session.cursor is None


def test_goto_end_shows_the_whole_run(shell):
    shell.handle("fd rt")
    shell.handle(":goto 1")
    shell.handle(":goto end")
    assert shell.session.cursor is None


def test_stepping_an_empty_program_says_what_to_do(shell):
    assert "type some commands" in shown(shell.handle(":step"))


def test_a_crash_is_marked_on_the_grid(shell):
    text = shown(shell.handle("fd fd"))
    assert "✗" in text and "crashed into a wall at (0,1)" in text


# -- programs in files --------------------------------------------------------------------------


def test_save_writes_canonical_text_and_run_reads_it_back(shell, tmp_path):
    shell.handle("FORWARD RIGHT repeat 3 [fd]")
    path = tmp_path / "prog.xlogo"
    assert shell.handle(f":save {path}").ok
    assert path.read_text() == "fd\nrt\nrepeat(3){\n  fd\n}\n"
    shell.handle(":reset")
    shell.handle(f":run {path}")
    assert shell.session.compact == "fd rt repeat(3){fd}"


def test_save_says_how_many_blocks_it_wrote_in_words_that_agree(shell, tmp_path):
    shell.handle("fd")
    assert f"saved 1 block to {tmp_path / 'one.xlogo'}" in said(
        shell.handle(f":save {tmp_path}/one.xlogo")
    )
    shell.handle("repeat(2){rt}")
    assert "saved 3 blocks" in said(shell.handle(f":save {tmp_path}/three.xlogo"))


def test_save_as_json_writes_code_json(shell, tmp_path):
    shell.handle("fd setpc(red)")
    path = tmp_path / "prog.json"
    shell.handle(f":save {path}")
    code = {"run": [{"type": "fd"}, {"type": "setpc", "value": "red"}]}
    assert json.loads(path.read_text()) == code
    shell.handle(":reset")
    shell.handle(f":run {path}")
    assert shell.session.compact == "fd setpc(red)"


def test_save_refuses_to_replace_another_file_until_asked_again(shell, tmp_path):
    path = tmp_path / "mine.xlogo"
    path.write_text("lt\n")
    shell.handle("fd")
    reply = shell.handle(f":save {path}")
    assert not reply.ok and path.read_text() == "lt\n"
    assert f"type :save {path} again to replace it" in said(reply)
    assert shell.handle(f":save {path}").ok
    assert path.read_text() == "fd\n"


def test_save_asks_again_when_the_confirmation_is_not_the_next_input(shell, tmp_path):
    path = tmp_path / "mine.xlogo"
    path.write_text("lt\n")
    shell.handle(f":save {path}")
    shell.handle("fd")
    assert not shell.handle(f":save {path}").ok
    assert path.read_text() == "lt\n"


def test_save_replaces_the_file_it_saved_or_ran_without_asking(shell, tmp_path):
    saved, ran = tmp_path / "saved.xlogo", tmp_path / "ran.xlogo"
    shell.handle("fd")
    shell.handle(f":save {saved}")
    shell.handle("rt")
    assert shell.handle(f":save {saved}").ok and saved.read_text() == "fd\nrt\n"
    ran.write_text("bk\n")
    shell.handle(f":run {ran}")
    shell.handle("lt")
    assert shell.handle(f":save {ran}").ok and ran.read_text() == "bk\nlt\n"


def test_after_loading_another_task_save_asks_before_replacing_the_old_tasks_file(shell, tmp_path):
    """The program saved to a file was the old task's: `:run sol87.xlogo`, `:load 90`, `fd`,
    `:save sol87.xlogo` (a slip for sol90) replaced the solution of 87 without a word."""
    path = tmp_path / "sol87.xlogo"
    path.write_text("fd rt repeat(3){fd} rt fd\n")
    shell.handle(f":run {path}")
    shell.handle(":load 90")
    shell.handle("fd")
    reply = shell.handle(f":save {path}")
    assert not reply.ok and path.read_text() == "fd rt repeat(3){fd} rt fd\n"


def test_run_of_a_bad_file_names_the_file_and_changes_nothing(shell, tmp_path):
    path = tmp_path / "bad.xlogo"
    path.write_text("fd\nrepeat(13){fd}\n")
    shell.handle("rt")
    reply = shell.handle(f":run {path}")
    assert not reply.ok and shell.session.compact == "rt"
    assert f"{path}: line 2, column 8: repeat count 13 is outside 1..12" in said(reply)
    assert "repeat(13){fd}\n       ^^" in shown(reply)


def test_run_of_a_missing_file_is_a_clear_error(shell, tmp_path):
    reply = shell.handle(f":run {tmp_path / 'nope.xlogo'}")
    assert not reply.ok and f"{tmp_path / 'nope.xlogo'}: no such file or directory" in said(reply)


def test_run_of_a_file_that_is_not_utf8_names_the_byte(shell, tmp_path):
    bad = tmp_path / "bad.xlogo"
    bad.write_bytes(b"fd\xff\n")
    reply = shell.handle(f":run {bad}")
    assert not reply.ok and "not UTF-8 text (byte 0xff at offset 2)" in said(reply)


def test_run_of_a_task_file_says_it_is_a_task_and_that_load_opens_it(shell, tasks_dir):
    """A teacher's slip (`:run` for `:load`) was "code JSON must have exactly one key"."""
    shell.handle("fd")
    reply = shell.handle(f":run {tasks_dir / '63.json'}")
    assert not reply.ok and shell.session.compact == "fd" and shell.session.task.id == "87"
    text = said(reply)
    assert f"{tasks_dir / '63.json'}: this looks like a task file, not a program" in text
    assert f"hint: :load {tasks_dir / '63.json'} opens it" in text


def test_run_of_a_folder_is_worded_as_the_command_line_words_it(shell, tmp_path, capsys):
    reply = shell.handle(f":run {tmp_path}")
    assert not reply.ok and f"{tmp_path}: not a regular file: a folder" in said(reply)
    xlogo(["run", shell.session.task.source, str(tmp_path)])
    assert f"{tmp_path}: not a regular file: a folder" in capsys.readouterr().err


def test_run_of_a_file_longer_than_any_program_is_refused_unread(shell, tmp_path):
    """`:run` read a file whole: /dev/zero was a MemoryError after filling the memory."""
    big = tmp_path / "big.xlogo"
    with big.open("wb") as f:
        f.truncate(4_000_001)  # sparse: no room on disk
    reply = shell.handle(f":run {big}")
    assert not reply.ok and "more than 4,000,000 bytes" in said(reply)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_run_of_a_named_pipe_is_refused_not_waited_on(shell, tmp_path):
    fifo = tmp_path / "prog.xlogo"
    os.mkfifo(fifo)
    reply = finishes(lambda: shell.handle(f":run {fifo}"))  # the open waited for a writer
    assert not reply.ok and "not a regular file: a named pipe (FIFO)" in said(reply)


def test_run_of_code_json_reads_it_as_every_other_command_does(shell, tmp_path):
    # one reader for code JSON: a 5,000-digit count is a range error at its path, not a traceback
    path = tmp_path / "huge.json"
    path.write_text('{"run": [{"type": "repeat", "times": ' + "1" * 5000 + ', "body": []}]}')
    reply = shell.handle(f":run {path}")
    assert not reply.ok
    assert f"{path}: run[0]: repeat count 11111111111111111111… (5,000 digits)" in said(reply)


# -- tasks --------------------------------------------------------------------------------------


def test_show_draws_a_one_way_wall_dashed_with_its_legend(tmp_path):
    with pytest.warns(TaskWarning):
        task = load_task(lemon_behind_wall(tmp_path, left_wall_on_1_1=False))
    board = shown(Shell(Session(task)).handle(":show"))
    assert "╏ l" in board and "╍╏ one-way wall" in board


def test_load_id_uses_the_directory_the_task_came_from(shell):
    shell.handle(":load 63")
    assert shell.session.task.id == "63"
    assert "target" in shown(shell.handle(":show"))  # a draw task shows its picture


def test_load_a_file_by_path(shell, tasks_dir):
    shell.handle(f":load {tasks_dir / '51.json'}")
    assert shell.session.task.id == "51"


def test_load_a_directory_and_then_an_id_from_it(tasks_dir):
    sh = Shell(Session())
    reply = sh.handle(f":load {tasks_dir}")
    assert "tasks in" in shown(reply)
    sh.handle(":load 22")
    assert sh.session.task.id == "22"


def test_load_of_a_directory_and_an_id_is_undone_in_one_step(tasks_dir):
    sh = Shell(Session())
    sh.handle(f":load {tasks_dir} 87")
    assert sh.session.task.id == "87" and sh.session.pinned_dir == tasks_dir
    sh.handle(":undo")
    assert sh.session.playground and sh.session.pinned_dir is None
    assert sh.session.undo_depth == 0


def test_load_of_a_broken_task_file_names_file_and_field_and_keeps_the_session(
    shell, tasks_dir, tmp_path
):
    data = json.loads((tasks_dir / "87.json").read_text())
    data["tiles"][0]["walls"] = {"lft": True}
    bad = tmp_path / "broken.json"
    bad.write_text(json.dumps(data))
    shell.handle("fd")
    reply = shell.handle(f":load {bad}")
    assert not reply.ok
    assert f"{bad}: tiles[0].walls.lft: unknown wall side" in said(reply)
    assert shell.session.task.id == "87" and shell.session.compact == "fd"
    assert shell.handle("rt").ok


def test_load_of_invalid_json_gives_line_and_column(shell, tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"tiles": [\n  {"x": 0,,}\n]}')
    assert "line 2, column 11: not valid JSON" in said(shell.handle(f":load {bad}"))


def test_load_of_an_unknown_id_says_so(shell):
    reply = shell.handle(":load 999")
    assert not reply.ok and "no task with id '999'" in shown(reply)


def test_load_id_without_a_directory_explains_how(tmp_path):
    reply = Shell(Session()).handle(":load 87")
    assert not reply.ok and "--tasks DIR" in shown(reply)


def test_tasks_lists_ids_kinds_and_goals_and_survives_a_broken_file(tasks_dir, tmp_path):
    for tid in ("87", "63"):
        shutil.copy(tasks_dir / f"{tid}.json", tmp_path)
    (tmp_path / "99.json").write_text("{not json")
    sh = Shell(Session(load_task(tmp_path / "87.json")))
    reply = sh.handle(":tasks")
    rows = {r["id"]: r for r in reply.data["tasks"]}
    assert rows["63"]["kind"] == "draw" and rows["87"]["goal"].startswith("Find the strawberry")
    assert rows["99"]["kind"] == "error" and "not valid JSON" in rows["99"]["goal"]


# -- program views and editing --------------------------------------------------------------------


def test_program_shows_the_canonical_text_with_line_numbers(shell):
    shell.handle("fd repeat 2 [rt]")
    text = shown(shell.handle(":program"))
    assert "1 fd\n2 repeat(2){\n3   rt\n4 }" in text


def test_edit_runs_the_accepted_text(shell):
    shell.handle("fd")
    shell.editor = lambda text: text + "\nrt\nrepeat(3){fd}"
    shell.handle(":edit")
    assert shell.session.compact == "fd rt repeat(3){fd}"


def test_a_failed_edit_keeps_the_draft_for_the_next_edit(shell):
    seen = []
    drafts = iter(["fd rt jump", "fd rt"])

    def editor(text):
        seen.append(text)
        return next(drafts)

    shell.editor = editor
    shell.handle("bk")
    reply = shell.handle(":edit")
    assert not reply.ok and shell.session.compact == "bk" and "<edit>: line 1" in shown(reply)
    shell.handle(":edit")
    assert seen == ["bk\n", "fd rt jump"] and shell.session.compact == "fd rt"


def test_a_draft_goes_stale_once_the_program_changes(shell):
    """Commands typed after a failed edit are part of the program the next edit opens: the old
    draft would drop them without a word."""
    seen = []
    drafts = iter(["bk jump", None])

    def editor(text):
        seen.append(text)
        return next(drafts)

    shell.editor = editor
    shell.handle("bk")
    shell.handle(":edit")
    shell.handle("rt")
    shell.handle(":edit")
    assert seen == ["bk\n", "bk\nrt\n"] and shell.session.compact == "bk rt"


def test_a_cancelled_edit_changes_nothing(shell):
    shell.handle("fd")
    shell.editor = lambda text: None
    assert "cancelled" in shown(shell.handle(":edit")) and shell.session.compact == "fd"


def test_edit_without_a_terminal_explains_the_alternatives(shell):
    reply = shell.handle(":edit")
    assert not reply.ok and ":run FILE" in shown(reply)
    # the plain loop has no editor on a terminal too (--plain): "needs a terminal" was wrong
    assert "needs the line editor, which runs on a terminal without --plain or --json" in said(
        reply
    )


def test_undo_with_nothing_to_undo_says_so(shell):
    assert "nothing to undo" in shown(shell.handle(":undo"))


def test_check_reports_the_constraint_the_program_breaks(shell):
    shell.handle("fd rt fd fd fd rt fd")
    reply = shell.handle(":check")
    assert not reply.ok and [d["rule"] for d in reply.data["diagnostics"]] == ["at-most"]
    assert "line 7, column 1: 7 commands used; this task allows at most 6" in said(reply)


def test_check_labels_each_diagnostic_with_its_severity_and_rule_as_xlogo_check_does(shell):
    shell.handle("fd fd fd fd fd fd fd bk")
    shell.handle("repeat(2){}")
    text = shown(shell.handle(":check"))
    assert "error [at-most] <session>: line" in text
    assert "warning [empty-repeat] <session>: line" in text


def test_check_of_a_fine_program_says_so(shell):
    shell.handle("fd rt")
    assert "no problems" in shown(shell.handle(":check"))


def test_quit_ends_the_session(shell):
    assert shell.handle(":quit").quit and shell.handle(":q").quit


# -- hints (the edit towards the nearest solution) -------------------------------------------------


def test_the_hint_after_a_prefix_is_the_next_command():
    text, data = next_command(parse("fd rt"), parse("fd rt repeat(3){fd} rt fd"))
    assert data["next"] == "repeat(3){fd}" and text.plain == "next: repeat(3){fd}"


def _first_repair_edit(a: str, b: str):
    from xlogo_lang.solver.edits import edit_script

    return edit_hint(parse(a), edit_script(parse(a), parse(b))[0])[1]["hint"]


def test_a_repair_hint_can_point_inside_a_repeat():
    hint = _first_repair_edit("repeat(3){fd rt fd rt}", "repeat(3){fd rt fd lt}")
    assert hint == "line 5: change rt to lt"  # repeat 1, fd 2, rt 3, fd 4, rt 5


def test_a_repair_hint_can_ask_to_put_lines_in_a_repeat():
    assert _first_repair_edit("fd rt fd lt", "repeat(3){fd rt fd lt}") == (
        "put lines 1-4 in repeat(3){...}"
    )
    assert _first_repair_edit("fd rt fd rt fd", "fd rt repeat(2){fd} rt fd") == (
        "put line 3 in repeat(2){...}"
    )


def test_a_repair_hint_removes_from_the_end_first():
    assert _first_repair_edit("fd rt fd lt fd rt", "fd rt fd lt") == "remove line 6: rt"


def test_a_repair_hint_removing_a_repeat_keeps_its_body():
    hint = _first_repair_edit("fd repeat(2){rt fd}", "fd rt fd")
    assert hint == "remove line 2: repeat(2) (keep its body)"


def test_a_repair_hint_changes_a_repeat_count_on_its_head_line():
    assert _first_repair_edit("fd repeat(2){fd} rt", "fd repeat(3){fd} rt") == (
        "line 2: change repeat(2) to repeat(3)"
    )


@pytest.mark.parametrize(
    ("a", "b", "hint"),
    [
        ("fd fd", "rt fd fd", "start with: rt"),
        ("fd fd", "fd rt fd", "before line 2, add: rt"),
        ("fd repeat(2){fd} ", "fd repeat(2){fd} rt", "after line 4, add: rt"),
        ("repeat(2){fd}", "repeat(2){fd rt}", "after line 2, add: rt"),
        (
            "fd repeat(2){fd}",
            "fd repeat(2){rt fd}",
            "at the start of the repeat on line 2, add: rt",
        ),
    ],
)
def test_a_repair_hint_says_where_to_add_a_block(a, b, hint):
    assert _first_repair_edit(a, b) == hint


def test_hint_from_repair_points_inside_the_repeat(examples_dir):
    sh = Shell(Session(load_task(examples_dir / "tasks" / "draw-stairs-at-most.json")))
    sh.handle("repeat(3){fd rt fd rt}")
    reply = sh.handle(":hint")
    assert reply.data["found_by"] == "repair" and reply.data["hint"] == "line 5: change rt to lt"


# -- the solver: :solve and :hint ------------------------------------------------------------------


def test_solve_shows_a_shortest_solution_as_a_diff_against_the_program(shell):
    from xlogo_lang import run

    shell.handle("setpc(red)")  # no solution of at most 6 blocks has room for it
    reply = shell.handle(":solve")
    solution = parse(reply.data["solution"])
    assert reply.ok and run(shell.session.task, solution).solved
    assert reply.data["size"] == len(solution) <= 6
    text = shown(reply)
    assert f"shortest solution: {len(solution)} blocks" in text
    assert "- setpc(red)" in text and "+ " in text
    assert shell.session.compact == "setpc(red)"  # :solve shows, it does not change the program


def test_hint_gives_the_next_command_of_a_solution_that_starts_like_the_program(shell):
    from xlogo_lang import run

    shell.handle("fd rt")
    reply = shell.handle(":hint")
    solution = parse(reply.data["solution"])
    assert run(shell.session.task, solution).solved
    assert solution.body[:3] == parse("fd rt " + reply.data["next"]).body
    assert shown(reply).startswith("next: ")


def test_following_the_hints_solves_the_task(shell):
    for _ in range(10):
        reply = shell.handle(":hint")
        if reply.data.get("next") is None:
            break
        shell.handle(reply.data["next"])
    assert shell.session.verdict.solved
    assert "already solved" in shown(shell.handle(":hint"))


def test_the_shortest_solutions_are_searched_once_per_task(shell, tasks_dir):
    """`:solve` and every `:hint` need them, and on a big drawing a search takes seconds."""
    first = shell.shortest()
    shell.handle("fd rt")
    shell.handle(":hint")
    assert shell.shortest() is first
    shell.handle(f":load {tasks_dir / '51.json'}")
    assert shell.shortest() is not first and shell.shortest().task_id == "51"


def test_a_hint_on_a_big_drawing_stops_its_search_at_the_hint_budget(tasks_dir):
    """Task 64 takes about 30 s to prove its 11 blocks: a hint uses the best program found in
    its budget (the probe's 15 blocks, unproved), and `:solve` still searches in full."""
    sh = Shell(Session(load_task(tasks_dir / "64.json")), solve_timeout=60, hint_timeout=1)
    reply = sh.handle(":hint")
    assert reply.ok and reply.data["found_by"] == "prefix"
    quick = sh.shortest(budget=1)
    assert quick.status == "timeout" and quick.size == len(parse(reply.data["solution"])) > 11
    assert sh.shortest(budget=1) is quick  # the next hint asks no new search


def test_solve_after_a_cut_hint_searches_again_in_full(tasks_dir):
    sh = Shell(Session(load_task(tasks_dir / "64.json")), solve_timeout=3, hint_timeout=1)
    quick = sh.shortest(budget=1)
    full = sh.shortest()
    assert full is not quick
    assert sh.shortest() is full and sh.shortest(budget=1) is full


def test_hint_names_the_line_of_a_wrong_command(shell):
    shell.handle("fd rt repeat(3){fd} lt fd")  # one edit away from fd rt repeat(3){fd} lt bk
    reply = shell.handle(":hint")
    assert reply.data["next"] is None and reply.data["found_by"] == "repair"
    assert reply.data["hint"] == "line 7: change fd to bk"  # the repeat takes lines 3-5


def test_a_hint_to_change_a_line_says_how_to_change_it(shell):
    """Typed code is appended: a learner told "start with: fd" who types fd makes it worse."""
    shell.editor = lambda text: None  # the line editor's front end
    shell.handle("rt rt")
    reply = shell.handle(":hint")
    assert reply.data["hint"].startswith("start with")
    assert "(:edit changes the program; what you type is added at its end)" in shown(reply)


def test_a_hint_to_change_a_line_without_the_editor_names_what_there_is(shell):
    shell.handle("rt rt")
    text = said(shell.handle(":hint"))
    assert ":edit" not in text and "added at the end: :reset, then type" in text


def test_a_hint_of_the_next_command_needs_no_word_on_editing(shell):
    shell.handle("fd")
    assert "(:edit" not in shown(shell.handle(":hint"))


def test_a_hint_for_a_program_far_from_any_solution_still_comes_in_time(tasks_dir):
    from xlogo_lang import run

    task = load_task(tasks_dir / "87.json")
    sh = Shell(Session(task), hint_timeout=0.05)
    sh.handle("rt rt rt")
    reply = sh.handle(":hint")
    assert reply.data["found_by"] in ("repair", "shortest")
    assert run(task, parse(reply.data["solution"])).solved and reply.data["hint"]


def test_a_hint_for_a_program_longer_than_repair_takes_comes_from_the_shortest(shell):
    from xlogo_lang.solver.edits import MAX_BLOCKS

    shell.handle("lt rt " * (MAX_BLOCKS // 2 + 1))
    reply = shell.handle(":hint")
    assert reply.ok and reply.data["found_by"] == "shortest"
    assert reply.data["hint"] == f"remove line {MAX_BLOCKS + 2}: rt"  # its first edit, in words


def test_a_hint_for_a_program_too_long_to_compare_in_time_says_so(tasks_dir):
    """100,000 blocks: the edit script to a solution takes seconds, past the hint's time."""
    sh = Shell(Session(load_task(tasks_dir / "87.json")), hint_timeout=0)
    sh.handle(":solve")  # the shortest solutions, searched in full once
    sh.handle("fd rt " * 50_000)
    reply = sh.handle(":hint")
    assert not reply.ok and reply.data["found_by"] == "timeout" and reply.data["hint"] is None
    assert "no hint within 0 s: your program has 100,000 blocks" in said(reply)


def test_solve_after_a_huge_program_shows_the_whole_solution_and_a_cut_diff(tasks_dir):
    """Choosing the solution nearest to 100,000 blocks takes seconds: past the hint's time
    limit `:solve` shows the solver's first shortest solution."""
    sh = Shell(Session(load_task(tasks_dir / "87.json")), hint_timeout=0)
    sh.handle("fd rt " * 50_000)
    reply = sh.handle(":solve")
    text = shown(reply)
    assert "more removed lines" in text and len(text.splitlines()) < 100
    for line in reply.data["solution"].splitlines():
        assert f"+ {line}" in text or f"  {line}" in text


def test_solve_shows_the_shortest_solution_closest_to_the_program(shell):
    shell.handle("fd lt")
    reply = shell.handle(":solve")
    assert parse(reply.data["solution"]).body[:2] == parse("fd lt").body
    assert "  fd\n  lt\n" in shown(reply)  # kept lines, not removed and re-added
