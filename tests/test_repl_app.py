"""The REPL driven like a person at the keyboard: prompt_toolkit pipe input, recorded output.

Keys go in through `create_pipe_input` ("\\r" is Enter, "\\x1b\\r" is Esc Enter, "\\x03" is
Ctrl-C, "\\x04" is Ctrl-D); what the user would see is recorded by a rich `Console(record=True)`;
prompt_toolkit's own drawing goes to a `DummyOutput`. History lives in tmp_path.
"""

from __future__ import annotations

import io
import json
import os
import sys

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from pygments.token import Keyword
from rich.console import Console
from xlogo_lang.repl.app import (
    CHECKED_CHARS,
    WELCOME,
    ReplLexer,
    history_path,
    indent_after,
    make_history,
    read_inputs,
    run_interactive,
    run_plain,
    welcome,
)
from xlogo_lang.repl.commands import Shell
from xlogo_lang.repl.completion import ReplCompleter
from xlogo_lang.repl.session import Session

from xlogo_lang import load_task

ENTER, ACCEPT, CTRL_C, CTRL_D, F7, F8 = "\r", "\x1b\r", "\x03", "\x04", "\x1b[18~", "\x1b[19~"


def drive(shell: Shell, keys: str, history=None) -> str:
    """Type `keys` into the REPL until they run out; return what the screen showed."""
    console = Console(file=io.StringIO(), record=True, width=80)
    with create_pipe_input() as inp:
        inp.send_text(keys)
        inp.close()  # no more keys: the prompt gets end-of-file, as after Ctrl-D
        status = run_interactive(shell, console, input=inp, output=DummyOutput(), history=history)
    assert status == 0
    return console.export_text()


@pytest.fixture
def shell(tasks_dir):
    return Shell(Session(load_task(tasks_dir / "87.json")))


def test_a_full_session_solves_a_real_task_stepping_back_and_forth(shell):
    keys = (
        ENTER.join(
            [
                "fd",
                "rt",
                "repeat(3){",  # Enter here continues the input ...
                "fd",
                "}",  # ... until the block is closed
                ":step",
                ":step",
                ":back",
                "lt",  # a wrong turn ...
                ":undo",  # ... taken back
                "rt fd",
                ":quit",
            ]
        )
        + ENTER
    )
    screen = drive(shell, keys)
    assert shell.session.compact == "fd rt repeat(3){fd} rt fd"
    assert shell.session.verdict.solved
    assert "4/6 commands" in screen  # after the multi-line repeat, a single input
    assert "step 1/5  fd (line 1)" in screen and "step 2/5  rt (line 2)" in screen
    assert screen.count("step 1/5") == 2  # :back returned to step 1
    assert "✓ solved · 6/6 commands" in screen


def test_a_multi_line_repeat_is_one_input(shell):
    drive(shell, "repeat 3 [" + ENTER + "fd" + ENTER + "]" + ENTER)
    assert shell.session.compact == "repeat(3){fd}" and shell.session.undo_depth == 1


def test_a_closing_bracket_lines_up_with_the_head_of_its_block(shell):
    """Enter indents the next line of an open block; the `}` typed there took that indent."""
    history = InMemoryHistory()
    keys = "repeat(2){" + ENTER + "repeat 2 [" + ENTER + "fd" + ENTER + "]" + ENTER + "}" + ENTER
    drive(shell, keys, history=history)
    assert list(history.get_strings()) == ["repeat(2){\n  repeat 2 [\n    fd\n  ]\n}"]


def test_a_closing_bracket_in_the_editor_lines_up_too(shell):
    edit = ENTER + "repeat(3){" + ENTER + "fd" + ENTER + "}" + " jump" + ACCEPT  # kept: a mistake
    drive(shell, "fd" + ENTER + ":edit" + ENTER + edit)
    assert shell.session.draft is not None
    assert shell.session.draft[1] == "fd\nrepeat(3){\n  fd\n} jump"


def test_a_parse_error_shows_the_caret_and_the_session_goes_on(shell):
    screen = drive(shell, "fd" + ENTER + "rt setpc(pink)" + ENTER + "rt" + ENTER)
    assert "unknown pen colour 'pink'" in screen
    assert "rt setpc(pink)\n         ^^^^" in screen
    assert shell.session.compact == "fd rt"


def test_ctrl_c_cancels_the_input_being_typed(shell):
    drive(shell, "fd rt fd" + CTRL_C + "bk" + ENTER)
    assert shell.session.compact == "bk"


def test_ctrl_d_leaves(shell):
    drive(shell, "fd" + ENTER + CTRL_D + "rt" + ENTER)
    assert shell.session.compact == "fd"


class InterruptedWhileShowing(io.StringIO):
    """A terminal where the user presses Ctrl-C while the first output holding `marker` is
    printed (a long listing on a slow terminal)."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker, self.fired = marker, False

    def write(self, s: str) -> int:
        if self.marker in s and not self.fired:
            self.fired = True
            raise KeyboardInterrupt
        return super().write(s)


def test_ctrl_c_while_output_is_printed_stops_it_and_keeps_the_session(shell):
    screen = InterruptedWhileShowing("1/6 commands")
    console = Console(file=screen, width=80, force_terminal=False)
    with create_pipe_input() as inp:
        inp.send_text("fd" + ENTER + "rt" + ENTER)
        inp.close()
        try:
            status = run_interactive(shell, console, input=inp, output=DummyOutput())
        except KeyboardInterrupt:  # escaping, it would stop pytest itself
            pytest.fail("Ctrl-C while output was printed ended the session")
    assert status == 0 and screen.fired
    assert "interrupted" in screen.getvalue()
    assert shell.session.compact == "fd rt"  # the input after the interruption still ran


def test_f8_and_f7_step_through_the_run(shell):
    screen = drive(shell, "fd rt fd" + ENTER + F8 + F8 + F7)
    assert "step 2/3" in screen and shell.session.position == 1


def test_edit_opens_the_program_and_runs_it_on_esc_enter(shell):
    # The editor opens with the program and the cursor at its end; Enter adds lines.
    edit = ENTER + "repeat(3){" + ENTER + "fd" + ENTER + "}" + ACCEPT
    drive(shell, "fd rt" + ENTER + ":edit" + ENTER + edit)
    assert shell.session.compact == "fd rt repeat(3){fd}"


def test_ctrl_c_in_the_editor_cancels_the_edit(shell):
    screen = drive(shell, "fd" + ENTER + ":edit" + ENTER + "rt rt" + CTRL_C + "bk" + ENTER)
    assert "edit cancelled" in screen and shell.session.compact == "fd bk"


def test_loading_a_broken_task_file_keeps_the_session_alive(shell, tmp_path):
    bad = tmp_path / "broken.json"
    tile = {"x": 0, "y": 0, "allowed": True, "walls": {}}
    bad.write_text(json.dumps({"turtle": {"x": 0, "y": 0, "direction": 7}, "tiles": [tile]}))
    screen = drive(shell, f":load {bad}" + ENTER + "fd" + ENTER)
    assert "turtle.direction: 7 is out of range (0..3)" in " ".join(screen.split())
    assert shell.session.task.id == "87" and shell.session.compact == "fd"


def test_load_by_id_switches_task_and_shows_the_target_picture(shell):
    screen = drive(shell, ":load 51" + ENTER + "repeat(4){fd rt}" + ENTER)
    assert "target" in screen and "✓ solved" in screen
    assert shell.session.task.id == "51"


def test_history_is_kept_across_sessions(tasks_dir, tmp_path):
    path = tmp_path / "state" / "repl_history"
    first = Shell(Session(load_task(tasks_dir / "87.json")))
    drive(first, "fd rt" + ENTER, history=make_history(path))
    assert "fd rt" in path.read_text()
    # Up arrow in a new session brings the old input back.
    sh = Shell(Session(load_task(tasks_dir / "87.json")))
    drive(sh, "\x1b[A" + ENTER, history=make_history(path))
    assert sh.session.compact == "fd rt"


def test_the_history_location_comes_from_the_option_then_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("XLOGO_HISTORY", str(tmp_path / "env_history"))
    assert history_path(str(tmp_path / "opt")) == tmp_path / "opt"
    assert history_path() == tmp_path / "env_history"
    monkeypatch.setenv("XLOGO_HISTORY", "-")
    assert history_path() is None and isinstance(make_history(None), InMemoryHistory)


def test_by_default_history_goes_to_the_users_state_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("XLOGO_HISTORY", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    if sys.platform.startswith("linux"):
        assert history_path() == tmp_path / "xlogo" / "repl_history"
    assert isinstance(make_history(history_path()), FileHistory)


def test_an_unwritable_history_location_falls_back_to_memory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert isinstance(make_history(blocker / "sub" / "history"), InMemoryHistory)


def test_a_history_path_that_is_a_folder_falls_back_to_memory(tmp_path):
    """prompt_toolkit would open it inside its event loop, where it is a traceback."""
    assert isinstance(make_history(tmp_path), InMemoryHistory)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_history_path_that_is_a_named_pipe_falls_back_to_memory(tmp_path):
    """Opening a FIFO blocks until a reader comes: the REPL never drew its first prompt."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert isinstance(make_history(fifo), InMemoryHistory)


# -- completion and input highlighting --------------------------------------------------------


def completions(shell: Shell, text: str) -> list[str]:
    doc = Document(text, len(text))
    event = CompleteEvent(completion_requested=True)
    return [c.text for c in ReplCompleter(shell).get_completions(doc, event)]


def test_tab_completes_commands(shell):
    assert completions(shell, "fd s") == ["setpc("]
    assert completions(shell, "re") == ["repeat("]


def test_tab_completes_pen_colours_after_setpc(shell):
    assert completions(shell, "setpc(b") == ["black)", "blue)"]  # what it opened, closed
    assert completions(shell, 'setpc("g') == ['green")']
    assert completions(shell, "setpc ") == ["red", "black", "blue", "green", "yellow", "white"]


def test_tab_completes_meta_commands(shell):
    assert completions(shell, ":s") == ["step", "save", "solve", "show"]


def test_tab_completes_task_ids_after_load(shell):
    assert completions(shell, ":load 8")[:5] == ["8", "80", "81", "82", "84"]


def test_tab_completes_the_argument_of_a_command_named_by_a_prefix(shell):
    """`:l 87` runs `:load 87` (README: `:l` for `:load`), so Tab completes it as it would."""
    assert completions(shell, ":l 8")[:5] == ["8", "80", "81", "82", "84"]
    assert completions(shell, ":so ") == ["enum", "z3", "both"]
    assert "solve" in completions(shell, ":h so")


def test_tab_completes_a_folder_with_its_slash(shell, tmp_path):
    """Without it the next name typed ran into the folder's (`../work` + `p1.xlogo`)."""
    (tmp_path / "programs").mkdir()
    assert completions(shell, f":run {tmp_path}/prog") == ["rams/"]


def test_tab_completes_file_paths_after_run_and_save(shell, tmp_path):
    (tmp_path / "square.xlogo").write_text("fd\n")
    assert completions(shell, f":run {tmp_path}/sq") == ["uare.xlogo"]
    assert completions(shell, f":save {tmp_path}/sq") == ["uare.xlogo"]


def test_tab_completes_solver_engines_after_solve(shell):
    assert completions(shell, ":solve ") == ["enum", "z3", "both"]


def test_the_input_lexer_marks_meta_commands():
    assert (Keyword.Pseudo, ":load") in list(ReplLexer().get_tokens(":load 87"))


# -- without a terminal ---------------------------------------------------------------------------


def test_plain_mode_joins_open_blocks_across_lines():
    assert list(read_inputs(["fd\n", "repeat(2){\n", "fd\n", "}\n", "rt\n"])) == [
        "fd\n",
        "repeat(2){\nfd\n}\n",
        "rt\n",
    ]


def test_plain_mode_reads_a_python_style_program_up_to_an_empty_line():
    lines = ["def Run():\n", "    move_forward()\n", "    turn_left()\n", "\n", "fd\n"]
    assert list(read_inputs(lines)) == [
        "def Run():\n    move_forward()\n    turn_left()\n\n",
        "fd\n",
    ]


def test_the_next_line_of_a_python_style_block_is_indented_for_it():
    assert indent_after("def Run():") == "    "
    assert indent_after("def Run():\n    for i in range(3):") == "        "
    assert indent_after("def Run():\n    move_forward()") == "    "
    assert indent_after("repeat(3){") == "  "


def test_plain_mode_reads_a_pasted_block_longer_than_anyone_types_to_its_end():
    """The plain loop asks at every line whether the block goes on, and looking for a mistake
    parses the whole block: a pasted block of 4,000 lines took half a minute to read. Past
    `CHECKED_CHARS` it is read to its end, and the parser says what is wrong once."""
    body = ["fd\n"] * (CHECKED_CHARS // 3)
    lines = ["repeat(2){\n", *body, "fd)\n", "fd\n", "}\n", "rt\n"]
    assert list(read_inputs(lines)) == ["".join(lines[:-1]), "rt\n"]


def test_plain_mode_ctrl_c_drops_an_open_block_not_only_the_line():
    """Ctrl-C at the prompt reaches `read_inputs` as None: what is typed after it is new input."""
    assert list(read_inputs(["repeat(3){\n", "fd\n", None, "rt\n"])) == ["rt\n"]


def test_plain_mode_a_meta_command_ends_an_open_block_for_the_parser_to_report():
    """A piped `:quit` after an unclosed brace is still a command, not more of the block."""
    lines = ["repeat(3){fd\n", ":quit\n", "fd\n"]
    assert list(read_inputs(lines)) == ["repeat(3){fd\n", ":quit\n", "fd\n"]


def test_plain_mode_prints_text_without_escape_codes(shell):
    out = io.StringIO()
    console = Console(file=out, width=80)  # not a terminal: rich prints plain text
    run_plain(shell, console, io.StringIO("fd\nrt\nrepeat(3){\nfd\n}\nrt fd\n"))
    text = out.getvalue()
    assert "\x1b[" not in text and "✓ solved · 6/6 commands" in text


def test_json_mode_prints_one_object_per_input(shell):
    out = io.StringIO()
    inputs = io.StringIO("fd\nfdd\n:goto 0\n")
    run_plain(shell, Console(file=io.StringIO()), inputs, json_mode=True, out=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [d["ok"] for d in lines] == [True, False, True]
    assert lines[1]["error"]["message"] == "unknown command 'fdd'"
    assert lines[2]["state"]["position"] == 0


def test_hint_and_solve_in_a_session(shell):
    screen = drive(shell, "fd rt" + ENTER + ":hint" + ENTER + ":solve" + ENTER)
    assert "next: " in screen and "shortest solution: " in screen
    assert "--- current" in screen and "+++ solution" in screen


def test_a_colour_completion_adds_no_bracket_already_there(shell):
    doc = Document("setpc(g)", len("setpc(g"))
    event = CompleteEvent(completion_requested=True)
    assert [c.text for c in ReplCompleter(shell).get_completions(doc, event)] == ["green"]


def test_f8_and_f7_stay_out_of_the_history(shell):
    history = InMemoryHistory()
    drive(shell, "fd rt fd" + ENTER + F8 + F7, history=history)
    assert list(history.get_strings()) == ["fd rt fd"]


def test_a_playground_opened_on_a_directory_says_how_to_open_a_task(assets_dir):
    """`xlogo repl DIR` without --id: an empty grid alone would look like a mistake."""
    text = welcome(Session(tasks_dir=assets_dir))
    assert text.startswith(f"No task is open: :tasks lists the tasks of {assets_dir}")
    assert welcome(Session()) == WELCOME
    assert welcome(Session(load_task(assets_dir, "87"))) == WELCOME
