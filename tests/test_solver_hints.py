"""nearest_solution: the solution a hint points to, cheapest answer first."""

from __future__ import annotations

import time

import pytest
from xlogo_lang.solver import nearest_solution, solve
from xlogo_lang.solver.edits import MAX_BLOCKS, block_distance, edit_script
from xlogo_lang.solver.hints import closest
from xlogo_lang.solver.preference import preferred
from xlogo_lang.solver.search_space import OutOfTime

from xlogo_lang import load_task, parse, run
from xlogo_lang.ast import Command, Program
from xlogo_lang.errors import UsageError
from xlogo_lang.printer import to_compact

FD = Command("fd")


def _stairs(examples_dir):
    return load_task(examples_dir / "tasks" / "draw-stairs-at-most.json")


def test_a_program_that_starts_a_shortest_solution_gets_that_solution(real_tasks):
    task = real_tasks["87"]
    shortest = solve(task, all_solutions=True, limit=50)
    start = Program(shortest.program.body[:2])
    near = nearest_solution(task, start, shortest)
    assert near.found_by == "prefix" and near.edits == ()
    assert near.program.body[:2] == start.body and run(task, near.program).solved


def test_a_slip_is_repaired_with_the_edits_to_make(examples_dir):
    task = _stairs(examples_dir)
    near = nearest_solution(task, parse("repeat(3){fd rt fd rt}"), solve(task, all_solutions=True))
    assert near.found_by == "repair"
    assert [e.text for e in near.edits] == ["replace rt by lt at block 1.4"]
    assert run(task, near.program).solved


def test_a_program_too_long_to_repair_gets_the_most_similar_shortest_solution(examples_dir):
    task = _stairs(examples_dir)
    shortest = solve(task, all_solutions=True)
    program = parse("lt rt " * (MAX_BLOCKS // 2 + 1))
    near = nearest_solution(task, program, shortest)
    assert near.found_by == "shortest" and near.program in shortest.programs
    assert list(near.edits) == edit_script(program, near.program)


def test_with_no_solution_known_and_none_in_reach_there_is_nothing(examples_dir):
    task = _stairs(examples_dir)
    nothing = solve(task, timeout=0)  # a search given no time knows no solution
    near = nearest_solution(task, parse("lt rt " * (MAX_BLOCKS // 2 + 1)), nothing)
    assert (near.program, near.found_by, near.edits) == (None, "none", ())


def test_the_closest_program_shares_the_longest_start_then_the_most_blocks():
    a, b, c = parse("fd fd rt"), parse("fd lt fd"), parse("rt lt fd")
    assert closest([a, b, c], parse("fd lt")) == b
    assert closest([a, c], parse("lt fd")) == c  # nothing in front: the most blocks in common


def test_of_programs_as_like_the_program_the_closest_is_the_one_a_learner_expects():
    """Ties went to the first listed: whichever the engine met first."""
    assert closest([parse("fd lt fd"), parse("fd rt fd")], parse("")) == parse("fd rt fd")
    # each has one block in common with `lt rt lt`; the learner turns left more
    assert closest([parse("fd rt"), parse("fd lt")], parse("lt rt lt")) == parse("fd lt")


def test_solve_shows_the_solution_the_hint_points_to(real_tasks):
    """`:hint` after `fd` on task 87 said `next: rt` while `:solve` showed a solution going on
    with a repeat (fewer lines in common won it): the two must not send a learner two ways."""
    task = real_tasks["87"]
    shortest = solve(task, all_solutions=True, limit=100)
    current = parse("fd")
    near = nearest_solution(task, current, shortest)
    assert near.found_by == "prefix"
    assert closest(list(shortest.programs), current) == near.program


def test_of_programs_with_as_many_blocks_in_common_the_closest_shares_the_most_lines():
    """A block compares a repeat whole; its lines show what `:solve`'s diff would change."""
    far, near = parse("fd lt repeat(3){bk} rt bk"), parse("fd rt repeat(3){fd} rt fd")
    assert closest([far, near], parse("repeat(3){fd} fd rt")) == near


def test_a_repair_given_the_shortest_solutions_does_not_search_them_again(real_tasks):
    """A hint hands repair the solutions it has; repair's own search for them took the whole
    hint budget on a big drawing. Given none (a search stopped at once), repair has no bound."""
    from xlogo_lang.solver.edits import repair

    task = real_tasks["87"]
    rep = repair(task, parse("rt"), timeout=30, shortest=solve(task, timeout=0))
    assert rep.stats["upper_bound"] is None and rep.program is None
    assert repair(task, parse("rt"), timeout=30).stats["upper_bound"] is not None


def test_the_program_may_be_text_as_for_repair(examples_dir):
    task = _stairs(examples_dir)
    near = nearest_solution(task, "repeat(3){fd rt fd rt}", solve(task, all_solutions=True))
    assert near.found_by == "repair" and run(task, near.program).solved


def test_the_shortest_solutions_must_be_a_solution_not_a_list(examples_dir):
    task = _stairs(examples_dir)
    with pytest.raises(TypeError, match="expects the task's shortest solutions as a Solution"):
        nearest_solution(task, "fd", None)


def test_the_shortest_solutions_of_another_task_are_refused(real_tasks):
    """Task 87's solutions do not solve task 13: a hint built on them would point nowhere."""
    other = solve(real_tasks["87"], all_solutions=True)
    with pytest.raises(UsageError, match="those of task '87', not of task '13'"):
        nearest_solution(real_tasks["13"], "fd", other)


@pytest.mark.parametrize("fn", ["repair", "nearest_solution"])
def test_the_shortest_solutions_of_another_task_with_the_same_id_are_refused(examples_dir, fn):
    """An edited copy of a task keeps its id: its solutions, given as the task's, made repair
    and the hint hand back a program that does not solve the task, as proved nearest."""
    import dataclasses

    from xlogo_lang import solver

    task = load_task(examples_dir / "tasks" / "find-strawberry.json")
    lemon = load_task(examples_dir / "tasks" / "find-only-lemon.json")
    other = solve(dataclasses.replace(lemon, id=task.id), all_solutions=True)
    with pytest.raises(UsageError, match="do not solve task 'find-strawberry'"):
        getattr(solver, fn)(task, "fd", shortest=other)


def test_the_public_repair_reuses_given_shortest_solutions_and_checks_them(real_tasks):
    from xlogo_lang.solver import repair

    task = real_tasks["87"]
    assert repair(task, "rt", shortest=solve(task, timeout=0)).stats["upper_bound"] is None
    with pytest.raises(UsageError, match="not of task '87'"):
        repair(task, "rt", shortest=solve(real_tasks["13"]))


# -- of equally good answers, the one a learner expects -------------------------------------------


def test_a_start_that_goes_on_left_or_right_is_hinted_right(real_tasks):
    """Task 87 after `fd`: shortest solutions go on with lt and with rt; the hint said lt."""
    task = real_tasks["87"]
    shortest = solve(task, all_solutions=True, limit=50)
    nexts = {to_compact(Program(p.body[1:2])) for p in shortest.programs if p.body[:1] == (FD,)}
    assert {"lt", "rt"} <= nexts
    near = nearest_solution(task, "fd", shortest)
    assert near.found_by == "prefix" and near.program.body[1] == Command("rt")


def test_a_learner_who_has_turned_left_is_hinted_left(real_tasks):
    task = real_tasks["22"]
    shortest = solve(task, all_solutions=True, limit=50)
    start = parse("repeat(2){lt bk} bk")
    nexts = {
        to_compact(Program(p.body[2:3])) for p in shortest.programs if p.body[:2] == start.body
    }
    assert {"lt", "rt"} <= nexts
    near = nearest_solution(task, start, shortest)
    assert near.found_by == "prefix" and near.program.body[2] == Command("lt")


def test_of_fixes_as_near_as_each_other_the_hint_inserts_the_right_turn(real_tasks):
    """Task 60: a turn is missing at block 4, and either turn mends it; the edit search tries
    lt before rt, and the hint was always to turn left."""
    task = real_tasks["60"]
    program = parse("setpc(red) fd fd fd repeat(2){bk}")
    assert run(task, parse("setpc(red) fd fd lt fd repeat(2){bk}")).solved
    near = nearest_solution(task, program, solve(task, all_solutions=True, limit=50))
    assert near.found_by == "repair"
    assert [e.text for e in near.edits] == ["insert rt at block 4"]


def test_the_preferred_program_follows_the_learners_habits_then_a_fixed_order():
    assert preferred([parse("fd lt"), parse("fd rt")], parse("")) == parse("fd rt")
    assert preferred([parse("fd rt"), parse("fd lt")], parse("lt lt rt")) == parse("fd lt")
    assert preferred([parse("bk fd"), parse("fd bk")], parse("")) == parse("fd bk")
    assert preferred([parse("repeat(2){rt}"), parse("rt rt")], parse("")) == parse("rt rt")
    assert preferred([parse("rt rt"), parse("repeat(2){rt}")], parse("repeat(3){fd}")) == parse(
        "repeat(2){rt}"
    )  # one who writes repeats is shown one
    assert preferred([parse("repeat(3){fd}"), parse("repeat(2){fd}")], parse("")) == parse(
        "repeat(2){fd}"
    )


# -- the time limit holds for a program of any length ---------------------------------------------


def _huge() -> Program:
    """A model's runaway answer: far more blocks than repair takes, and than the table of an edit
    script fills in any small time (seconds for this one)."""
    return Program((FD, Command("rt"), Command("lt"), Command("bk")) * 50_000)


def test_a_huge_program_out_of_time_gets_the_timeout_status(examples_dir):
    task = _stairs(examples_dir)
    near = nearest_solution(task, _huge(), solve(task, all_solutions=True), timeout=0)
    assert (near.program, near.found_by, near.edits) == (None, "timeout", ())


def test_with_no_time_an_ordinary_program_still_gets_the_most_similar_solution(examples_dir):
    """Repair gets nothing, but the last step's few milliseconds are always given."""
    task = _stairs(examples_dir)
    shortest = solve(task, all_solutions=True)
    near = nearest_solution(task, "fd fd fd fd rt", shortest, timeout=0)
    assert near.found_by == "shortest" and run(task, near.program).solved
    assert list(near.edits) == edit_script(parse("fd fd fd fd rt"), near.program)


def test_the_edit_distance_notices_a_deadline_passed():
    passed = time.perf_counter()
    with pytest.raises(OutOfTime):
        block_distance(_huge(), parse("fd rt"), deadline=passed)
    with pytest.raises(OutOfTime):
        edit_script(_huge(), parse("fd rt"), deadline=passed)
    with pytest.raises(OutOfTime):
        closest([parse("fd rt")], _huge(), deadline=passed)
    assert block_distance(parse("fd lt"), parse("fd rt"), deadline=passed + 60) == 1
