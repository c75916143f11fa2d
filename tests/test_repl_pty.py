"""`xlogo repl` in a real pseudo-terminal (80x24), as a new user meets it.

A new user has no history and no settings: HOME and XDG_STATE_HOME point into tmp_path, so the
history file is created in the (temporary) user state directory, never the real one.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import pexpect
import pytest

XLOGO = Path(sys.executable).with_name("xlogo")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r")


def screen_text(raw: str) -> str:
    return ANSI.sub("", raw)


def repl_in_a_terminal(env: dict[str, str], *args: str) -> pexpect.spawn:
    """`xlogo repl ARGS` in an 80x24 pseudo-terminal."""
    return pexpect.spawn(
        str(XLOGO), ["repl", *args], env=env, dimensions=(24, 80), encoding="utf-8", timeout=20
    )


@pytest.fixture
def new_user(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "XLOGO_HISTORY"}
    env.update(HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"), TERM="xterm-256color")
    # pexpect is not a terminal emulator: it would leave prompt_toolkit's cursor position
    # requests unanswered, and prompt_toolkit would wait a second for each answer.
    env["PROMPT_TOOLKIT_NO_CPR"] = "1"
    env.pop("NO_COLOR", None)
    return env


@pytest.mark.skipif(sys.platform == "win32", reason="pexpect needs a POSIX pty")
def test_a_new_user_solves_a_task_in_a_terminal(tasks_dir, new_user, tmp_path):
    child = repl_in_a_terminal(new_user, str(tasks_dir / "87.json"))
    try:
        child.expect("87> ")
        first = screen_text(child.before)
        assert "task 87" in first
        assert "Find the strawberry. Use at most 6 commands." in first
        assert "0/6 commands" in first and ":help" in first
        assert "\x1b[" in child.before  # a terminal gets colours

        child.send("fd\rrt\rrepeat(3){\r")
        child.expect(r"\.\.\. ")  # the continuation prompt: the block is still open
        child.send("fd\r}\r")
        child.expect("4/6 commands")
        child.send("rt fd\r")
        child.expect("solved")
        child.expect("87> ")
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    history = tmp_path / "state" / "xlogo" / "repl_history"
    assert "rt fd" in history.read_text()


@pytest.mark.skipif(sys.platform == "win32", reason="pexpect needs a POSIX pty")
def test_plain_mode_on_a_terminal_prints_no_colours_and_ctrl_c_drops_the_line(tasks_dir, new_user):
    """repl/README.md: with --plain the REPL prints plain text, even on a terminal; Ctrl-C at
    its prompt drops the line being typed, as in the full REPL, and the session goes on."""
    child = repl_in_a_terminal(new_user, str(tasks_dir / "87.json"), "--plain")
    try:
        child.expect("> ")
        assert "task 87" in child.before and "\x1b[" not in child.before
        child.send("fd\r")
        child.expect("1/6 commands")
        child.expect("> ")
        child.send("rep")
        child.sendintr()
        child.expect("> ")
        child.send(":program\r")
        child.expect("1 fd")
        child.expect("> ")
        child.send("repeat(3){\r")
        child.expect(r"\.\.\. ")  # the block is open
        child.sendintr()  # ... and Ctrl-C drops all of it, not only the line
        child.expect("> ")
        child.send(":program\r")
        child.expect("1 fd")
        child.expect("> ")
        assert "repeat" not in child.before
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


@pytest.mark.skipif(sys.platform == "win32", reason="pexpect needs a POSIX pty")
def test_edit_on_a_dumb_terminal_says_it_cannot_and_keeps_the_program(tasks_dir, new_user):
    """TERM=dumb shows no default text, so the learner would type after an unseen program."""
    child = repl_in_a_terminal({**new_user, "TERM": "dumb"}, str(tasks_dir / "87.json"))
    try:
        child.expect("87> ")
        child.send("fd\r")
        child.expect("87> ")
        child.send(":edit\r")
        child.expect("needs a terminal that can redraw")
        child.expect("87> ")
        child.send(":program\r")
        child.expect("1 fd")
        child.send(":quit\r")
        child.expect(pexpect.EOF)
    finally:
        child.close()


@pytest.mark.skipif(sys.platform == "win32", reason="pexpect needs a POSIX pty")
def test_plain_mode_ctrl_c_stops_a_long_solve_and_keeps_the_session(tasks_dir, new_user):
    """z3 needs hours to prove task 64: Ctrl-C stops the search, says so, and the session goes
    on (it used to end the plain session, and z3 took the signal as a timeout)."""
    child = repl_in_a_terminal(new_user, str(tasks_dir / "64.json"), "--plain")
    try:
        child.expect("> ")
        child.send("fd\r")
        child.expect("> ")
        child.send(":solve z3\r")
        time.sleep(3)
        child.sendintr()
        child.expect("interrupted")
        child.expect("> ")
        assert "timeout" not in child.before
        child.send(":program\r")
        child.expect("1 fd")
        child.expect("> ")
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


@pytest.mark.skipif(sys.platform == "win32", reason="pexpect needs a POSIX pty")
def test_ctrl_d_ends_the_session_on_a_dumb_terminal(tasks_dir, new_user):
    """The welcome text says Ctrl-D quits; prompt_toolkit's dumb-terminal prompt must honour it."""
    child = repl_in_a_terminal({**new_user, "TERM": "dumb"}, str(tasks_dir / "87.json"))
    try:
        child.expect("87> ")
        child.send("fd\r")
        child.expect("87> ")
        # The dumb prompt is written before the terminal is put in raw mode, so a Ctrl-D sent
        # the instant it shows can reach the cooked terminal and be lost, which no typist can
        # do; try a few times, as a person pressing it again would.
        for _ in range(5):
            child.sendcontrol("d")
            if child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=2) == 0:
                break
        else:
            pytest.fail("Ctrl-D did not end the session")
    finally:
        child.close()
    assert child.exitstatus == 0


@pytest.mark.skipif(sys.platform == "win32", reason="pexpect needs a POSIX pty")
def test_a_pasted_program_shows_its_tabs_as_indentation(tasks_dir, new_user):
    """A program pasted from a file indented with tabs showed each tab as `^I`."""
    child = repl_in_a_terminal(new_user, str(tasks_dir / "87.json"))
    try:
        child.expect("87> ")
        child.send("\x1b[200~repeat(3){\r\n\tfd\r\n}\x1b[201~")  # a bracketed paste
        child.expect(r"\}")
        assert "^I" not in child.before
        child.send("\r")
        child.expect("2/6 commands")  # it ran as typed
        child.expect("87> ")
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    finally:
        child.close()
