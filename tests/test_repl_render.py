"""The board fits an 80x24 terminal for every real task, and shows what the run did."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from xlogo_lang.repl.render import (
    board,
    diff_text,
    editor_toolbar,
    listing,
    status_line,
    toolbar_text,
)
from xlogo_lang.repl.session import Session

from xlogo_lang import load_task, load_tasks, parse


def render(renderable, width: int = 80) -> list[str]:
    console = Console(file=io.StringIO(), width=width, record=True)
    console.print(renderable)
    return console.export_text().splitlines()


@pytest.fixture(scope="module")
def solved_sessions(assets_dir):
    sessions = []
    for task in load_tasks(assets_dir):
        if task.solution is not None:
            s = Session(task)
            s.replace(task.solution)
            sessions.append(s)
    return sessions


def test_the_board_of_every_solved_real_task_fits_80x24(solved_sessions):
    for s in solved_sessions:
        for cursor in (None, 0, len(s.steps) // 2):
            s.cursor = cursor
            lines = render(board(s, 80))
            # the prompt and the toolbar need two lines of the 24
            assert len(lines) <= 22, (s.task.id, cursor, len(lines))
            assert max(len(line) for line in lines) <= 80


def test_the_board_says_solved_for_every_reference_solution(solved_sessions):
    for s in solved_sessions:
        s.cursor = None
        assert "✓ solved" in "\n".join(render(board(s))), s.task.id


def test_the_program_goes_under_the_grid_on_a_narrow_terminal(tasks_dir):
    s = Session(load_task(tasks_dir / "63.json"))
    s.feed("setpc(green) repeat(4){fd rt}")
    wide, narrow = render(board(s, 80), 80), render(board(s, 40), 40)
    assert any("repeat(4){" in line and "·" in line for line in wide)  # beside the grid
    assert not any("repeat(4){" in line and "·" in line for line in narrow)  # under it
    assert any("repeat(4){" in line for line in narrow)


@pytest.mark.parametrize("width", [40, 60, 80])
def test_while_stepping_the_listing_is_never_cut_by_the_longer_title(tasks_dir, width):
    """`task 87  step 1/5  fd (line 1)` is wider than the grid: the listing must not take the
    width the title leaves nothing of."""
    s = Session(load_task(tasks_dir / "87.json"))
    s.feed("fd rt repeat(3){fd}")
    s.step()
    lines = render(board(s, width), width)
    assert any("repeat(3){" in line for line in lines), "\n".join(lines)
    assert all("…" not in line for line in lines if "repeat" in line)


def test_a_long_program_is_windowed_around_the_current_line(tasks_dir):
    s = Session(load_task(tasks_dir / "63.json"))
    s.feed(" ".join(["fd bk"] * 10))
    s.goto(15)
    text = "\n".join(render(listing(s, max_rows=6)))
    assert "▶ 15 fd" in text and "⋮" in text and " 1 fd" not in text


def test_the_status_line_shows_goal_state_and_budget(tasks_dir):
    s = Session(load_task(tasks_dir / "87.json"))
    s.feed("fd rt fd")
    assert status_line(s.status()).plain == "… not yet: never reached the strawberry · 3/6 commands"
    assert toolbar_text(s.status()) == "task 87 │ not yet │ 3/6 commands │ :help"


def test_the_toolbar_shows_the_step_while_walking_the_run(tasks_dir):
    s = Session(load_task(tasks_dir / "87.json"))
    s.feed("fd rt fd")
    s.goto(1)
    assert "step 1/3" in toolbar_text(s.status())


def test_a_narrow_toolbar_keeps_the_step_and_drops_what_the_prompt_says(tasks_dir):
    s = Session(load_task(tasks_dir / "87.json"))
    s.feed("fd rt fd")
    s.goto(1)
    assert toolbar_text(s.status(), 38) == "not yet │ 3/6 commands │ step 1/3"
    assert toolbar_text(s.status(), 80) == toolbar_text(s.status())  # room for everything


def test_a_narrow_toolbar_drops_the_limits_from_the_last(examples_dir):
    s = Session(load_task(examples_dir / "tasks" / "start-by-turning.json"))
    s.feed("rt fd")
    assert toolbar_text(s.status()).endswith("no backward │ start with rt fd │ :help")
    assert toolbar_text(s.status(), 40) == "not yet │ 2 commands │ no backward"


def test_the_editor_toolbar_keeps_how_to_run_and_cancel_on_a_narrow_terminal():
    assert editor_toolbar() == ":edit │ Enter: new line │ Esc Enter: run it │ Ctrl-C: cancel"
    assert editor_toolbar(38) == "Esc Enter: run it │ Ctrl-C: cancel"


def test_the_diff_marks_added_and_removed_lines():
    text = diff_text("fd\nlt\n", "fd\nrt\nfd\n").plain
    assert "  fd\n- lt\n+ rt\n+ fd" in text


def test_the_diff_of_equal_programs_says_so():
    src = str(parse("fd rt"))
    assert diff_text(src, src).plain == "(no differences)"


def test_diff_cuts_a_long_run_of_removed_lines_and_shows_every_solution_line():
    old = "fd\n" + "rt\n" * 30 + "lt\n"
    lines = diff_text(old, "fd\nbk\nlt\n").plain.splitlines()
    assert lines.count("- rt") == 10 and "- … 20 more removed lines" in lines
    assert lines[-3:] == ["- … 20 more removed lines", "+ bk", "  lt"]


def test_diff_shows_a_run_of_twenty_removed_lines_whole():
    lines = diff_text("fd\n" + "rt\n" * 20, "fd\n").plain.splitlines()
    assert lines.count("- rt") == 20 and not any("more removed" in line for line in lines)


def test_a_grid_wider_than_the_terminal_is_cut_not_wrapped():
    """A teacher's 30x30 task is 121 columns wide: at 80, each grid row stays one line."""
    from xlogo_lang.tasks import task_from_dict

    tile = {"allowed": True, "walls": {}}
    task = task_from_dict(
        {
            "turtle": {"x": 0, "y": 0, "direction": 1},
            "tiles": [{"x": x, "y": y, **tile} for y in range(30) for x in range(30)],
            "goal": [],
            "constraints": [],
        }
    )
    session = Session(task)
    session.replace(parse("fd"))
    grid_lines = [line for line in render(board(session, width=80)) if line[:1] in "·│"]
    assert len(grid_lines) == 2 * 30 + 1
