"""The REPL session: appending code, undo, the trace cursor and the status, on real tasks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xlogo_lang.repl.session import Session, needs_more, playground

from xlogo_lang import load_task, parse
from xlogo_lang.ast import BASIC, PEN_COLORS, Command, Program, Repeat, SetPenColor
from xlogo_lang.errors import ParseError
from xlogo_lang.printer import to_compact, to_text

blocks = st.recursive(
    st.one_of(
        st.sampled_from(BASIC).map(Command),
        st.sampled_from(PEN_COLORS).map(SetPenColor),
    ),
    lambda kids: st.builds(Repeat, st.integers(1, 12), st.lists(kids, max_size=3).map(tuple)),
    max_leaves=12,
)


@pytest.fixture
def task87(tasks_dir):
    return load_task(tasks_dir / "87.json")


# -- typing code --------------------------------------------------------------------------------


def test_typed_commands_are_appended_to_the_program(task87):
    s = Session(task87)
    s.feed("fd rt")
    s.feed("repeat 3 [fd]")
    assert s.compact == "fd rt repeat(3){fd}"


def test_the_program_is_kept_in_canonical_text(task87):
    s = Session(task87)
    s.feed("FORWARD; right()")
    assert s.source == "fd\nrt\n"


def test_a_parse_error_changes_nothing(task87):
    s = Session(task87)
    s.feed("fd")
    with pytest.raises(ParseError) as info:
        s.feed("rt fdd")
    assert (info.value.line, info.value.column) == (1, 4)
    assert s.compact == "fd" and s.undo_depth == 1


def test_an_input_that_makes_the_program_too_long_to_read_back_changes_nothing(task87):
    """The listing, `:save` and the step lines use the program's canonical text, where a block
    nested ten deep takes twenty spaces: a paste of 450,000 characters is 3.4 million there.
    It is refused as a whole; the refusal left an undo step that went back to nothing and
    pointed at a line of text the learner never saw."""
    s = Session(task87)
    s.feed("fd")
    with pytest.raises(ParseError) as info:
        s.feed("repeat(2){" * 10 + "lt " * 150_000 + "}" * 10)
    assert info.value.line is None and "3,450,313 characters" in info.value.message
    assert s.compact == "fd" and s.undo_depth == 1


def test_an_empty_input_changes_nothing(task87):
    s = Session(task87)
    s.feed("  # just a comment\n")
    assert s.program == Program() and s.undo_depth == 0


@given(st.lists(blocks, min_size=1, max_size=6))
@settings(max_examples=50, deadline=None)
def test_feeding_blocks_one_by_one_builds_the_same_program_as_parsing_them_whole(bs):
    s = Session(playground())
    for b in bs:
        s.feed(to_compact(Program((b,))))
    assert s.program == Program(tuple(bs))


# -- undo ---------------------------------------------------------------------------------------


def test_undo_takes_back_one_input_at_a_time(task87):
    s = Session(task87)
    s.feed("fd rt")
    s.feed("fd")
    assert s.undo() and s.compact == "fd rt"
    assert s.undo() and s.compact == ""
    assert not s.undo()


def test_reset_and_replace_can_be_undone(task87):
    s = Session(task87)
    s.feed("fd rt")
    s.reset()
    assert s.compact == ""
    s.undo()
    s.replace(parse("bk"))
    assert s.compact == "bk"
    s.undo()
    assert s.compact == "fd rt"


def test_resetting_an_empty_program_leaves_nothing_to_undo(task87):
    s = Session(task87)
    s.feed("fd fd")
    s.reset()
    s.reset()
    s.undo()
    assert s.compact == "fd fd"  # one undo: the second reset changed nothing


def test_loading_a_task_starts_empty_and_undo_goes_back_to_the_old_task(tasks_dir, task87):
    s = Session(task87)
    s.feed("fd")
    s.load(load_task(tasks_dir / "63.json"))
    assert s.task.id == "63" and s.compact == ""
    s.undo()
    assert s.task.id == "87" and s.compact == "fd"


# -- the trace cursor ---------------------------------------------------------------------------


def test_step_starts_at_the_first_command_and_stops_at_the_last(task87):
    s = Session(task87)
    s.feed("fd rt fd")
    assert s.cursor is None and s.position == 3
    assert [s.step(), s.step(), s.step(), s.step()] == [1, 2, 3, 3]


def test_back_from_the_end_shows_the_state_before_the_last_command(task87):
    s = Session(task87)
    s.feed("fd rt fd")
    assert [s.back(), s.back(), s.back(), s.back()] == [2, 1, 0, 0]


def test_goto_is_clamped_to_the_run(task87):
    s = Session(task87)
    s.feed("fd rt")
    assert (s.goto(99), s.goto(-3)) == (2, 0)


def test_a_change_shows_the_whole_run_again(task87):
    s = Session(task87)
    s.feed("fd rt")
    s.goto(1)
    s.feed("fd")
    assert s.cursor is None and s.position == 3


def test_the_cursor_points_at_the_line_of_the_command_inside_a_repeat(task87):
    s = Session(task87)
    s.feed("fd rt repeat(3){fd} rt fd")
    s.goto(4)  # the second fd of the loop
    assert s.current_line == 4 and s.source.splitlines()[3].strip() == "fd"


def test_every_step_of_every_reference_solution_points_at_its_own_line(assets_dir):
    from xlogo_lang import load_tasks

    for task in load_tasks(assets_dir):
        if task.solution is None:
            continue
        s = Session(task)
        s.replace(task.solution)
        lines = s.source.splitlines()
        for n, step in enumerate(s.steps, start=1):
            s.goto(n)
            word = to_compact(Program((step.block,)))
            assert lines[s.current_line - 1].strip() == word, (task.id, n)


# -- status -------------------------------------------------------------------------------------


def test_the_status_counts_commands_against_the_budget(task87):
    s = Session(task87)
    s.feed("fd rt repeat(3){fd}")
    st_ = s.status()
    assert st_.budget == "4/6 commands" and st_.verdict_word == "not yet"
    assert st_.reason == "never reached the strawberry"


def test_the_status_says_solved_when_the_core_says_so(task87):
    s = Session(task87)
    s.feed("fd rt repeat(3){fd} rt fd")
    assert s.status().verdict_word == "solved" and s.verdict.solved


def test_the_status_says_goal_met_when_only_the_constraints_fail(task87):
    s = Session(task87)
    s.feed("fd rt fd fd fd rt fd")
    st_ = s.status()
    assert st_.verdict_word == "goal met" and st_.budget == "7/6 commands"


def test_the_status_reports_a_crash(task87):
    s = Session(task87)
    s.feed("fd fd")
    assert s.status().verdict_word == "crashed" and "wall" in s.status().reason


def test_forbidden_command_types_are_listed_as_limits(tasks_dir):
    s = Session(load_task(tasks_dir / "10b.json"))  # exactly bk=0
    assert "no backward" in s.status().limits


def test_an_exact_count_of_an_unused_type_says_it_is_not_checked_yet(tasks_dir):
    """Task 11 asks for exactly 2 fd and 1 rt; as the benchmark checks, a program with neither
    solves it, and "solved · fd 0/2" alone would look like a slip of the checker."""
    s = Session(load_task(tasks_dir / "11.json"))
    s.feed("lt repeat(2){bk}")
    st = s.status()
    assert st.solved and "fd 0/2 (checked once fd is used)" in st.limits
    s.feed("fd")
    assert "fd 1/2" in s.status().limits


def test_a_task_without_limits_counts_commands_only(tasks_dir):
    s = Session(load_task(tasks_dir / "63.json"))
    s.feed("fd")
    assert s.status().budget == "1 command"


# -- the playground -----------------------------------------------------------------------------


def test_without_a_task_the_session_is_an_empty_five_by_five_playground():
    s = Session()
    w = s.task.world
    assert s.playground and (w.rows, w.cols) == (5, 5) and all(w.allowed)
    assert (w.turtle.x, w.turtle.y) == (2, 2)
    s.feed("repeat(2){fd}")
    assert s.status().verdict_word == "playground"


def test_the_playground_still_reports_crashes():
    s = Session()
    s.feed("fd fd fd")
    assert s.status().verdict_word == "crashed"


def test_a_task_remembers_the_directory_it_came_from(tasks_dir, task87):
    assert Session(task87).tasks_dir == tasks_dir
    assert Session(task87, tasks_dir="/elsewhere").tasks_dir.as_posix() == "/elsewhere"


def test_opening_the_directory_already_in_use_leaves_nothing_to_undo(tasks_dir, task87):
    """As `:reset` of an empty program: an undo step that changes nothing made the next
    `:undo` look broken (`xlogo repl DIR`, then `:load DIR`)."""
    s = Session(task87, tasks_dir=tasks_dir)
    s.feed("fd")
    s.pin_dir(tasks_dir)
    s.undo()
    assert s.compact == ""


# -- continuation lines -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "repeat(3){",
        "repeat(3){\nfd",
        "repeat 2 [fd",
        "repeat(2){ repeat(3){ fd }",
        "fd repeat(3)",
        "repeat 4",
    ],
)
def test_an_open_block_continues_on_the_next_line(text):
    assert needs_more(text)


@pytest.mark.parametrize(
    "text",
    ["fd", "repeat(3){fd}", "repeat 2 [fd]\n", "fd }", "fd # {", "fd // [", ":load {", "setpc red"],
)
def test_a_complete_input_runs_at_once(text):
    assert not needs_more(text)


@pytest.mark.parametrize(
    "text", ["repeat(3){fd)", "repeat(3){fd jump", "repeat(3){\nfd 100", "repeat 2 [fd ) rt"]
)
def test_an_open_block_with_a_mistake_before_its_end_runs_at_once(text):
    """No more lines can mend it: waiting for them looked stuck (Enter only added `...`)."""
    assert not needs_more(text)


@pytest.mark.parametrize(
    ("text", "more"),
    [
        ("def Run():", True),
        ("def Run():\n    move_forward()", True),  # Enter after a body line: more may come
        ("def Run():\n    move_forward()\n", False),  # Enter on an empty line ends it
        ("def Run():\n    for i in range(3):\n        turn_left()\n    ", False),
        ("for i in range(3):", True),
        ("move_forward()", False),
    ],
)
def test_a_python_style_block_continues_until_an_empty_line(text, more):
    assert needs_more(text) is more


@given(blocks)
def test_printed_programs_never_need_more(block):
    assert not needs_more(to_text(Program((block,))))
