"""The enumerative synthesizer: shortest solutions, proofs of minimality and of impossibility.

Reference sizes come from the asset directory (the task files carry no solution). Searches are
bounded by size (`max_size`), which is deterministic; a timeout only guards the few tasks whose
proof is expensive, and then only the consistency of what was found is checked.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from core_helpers import make_task
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from xlogo_lang.solver import DEFAULT_MAX_SIZE, Solution, solve
from xlogo_lang.solver.search_space import CODE_PEN, Space

from xlogo_lang import load_task, load_tasks, run
from xlogo_lang.ast import PEN_COLORS, Command, Program, Repeat, SetPenColor
from xlogo_lang.errors import UsageError
from xlogo_lang.printer import to_compact
from xlogo_lang.tasks import task_from_dict


@pytest.fixture(scope="session")
def asset_tasks(assets_dir: Path) -> dict:
    return {t.id: t for t in load_tasks(assets_dir)}


@pytest.fixture(scope="session")
def enum_solutions(asset_tasks: dict) -> dict[str, Solution]:
    """Every real task solved once by the enumerative engine, without a time limit (about half
    a minute in all; shared by several tests)."""
    return {tid: solve(task, max_size=len(task.solution)) for tid, task in asset_tasks.items()}


# -- shortest solutions on the real tasks --------------------------------------------------------


def test_every_real_task_is_solved_and_proved_minimal(asset_tasks, enum_solutions):
    assert len(enum_solutions) >= 59
    for tid, sol in enum_solutions.items():
        assert sol.status == "solved", tid
        assert sol.proved_minimal, tid


def test_a_repeat_can_carry_a_colour_pattern_task_64_takes_11_blocks_not_15(
    asset_tasks, enum_solutions
):
    """The ring of four coloured sides: the reference needs 15 blocks, one side at a time. The
    shortest program draws three sides with one loop whose first side takes the pen set
    before it (red, then green) and whose second takes the one set inside (yellow), then
    paints the fourth side over; nothing shorter exists."""
    sol = enum_solutions["64"]
    assert (sol.size, len(asset_tasks["64"].solution)) == (11, 15)
    assert sol.proved_minimal
    assert any(isinstance(b, Repeat) for b in sol.program.body)


def test_every_solution_found_passes_the_interpreter(enum_solutions, asset_tasks):
    for tid, sol in enum_solutions.items():
        for prog in sol.programs:
            assert run(asset_tasks[tid], prog).solved, (tid, str(prog))
        assert sol.stats["rejected"] == 0


def test_no_solution_is_longer_than_the_reference(enum_solutions, asset_tasks):
    for tid, sol in enum_solutions.items():
        if sol.solved:
            assert sol.size <= len(asset_tasks[tid].solution), tid


def test_size_counts_blocks_like_the_constraints(enum_solutions):
    for sol in enum_solutions.values():
        if sol.solved:
            assert sol.size == len(sol.program)


def test_repeats_make_task_13_half_as_long(asset_tasks):
    sol = solve(asset_tasks["13"])
    assert (sol.size, len(asset_tasks["13"].solution)) == (4, 8)
    assert isinstance(sol.program.body[0], Repeat)


def test_a_timeout_is_never_reported_as_a_proof(asset_tasks):
    sol = solve(asset_tasks["64"], timeout=0.2)
    assert sol.status == "timeout"
    assert not sol.proved_minimal
    assert "timeout" in sol.message
    if sol.program is not None:
        assert run(asset_tasks["64"], sol.program).solved


def _far_lemon() -> object:
    """An open 20 x 20 world, the strawberry in the far corner: a few hundred shortest
    programs (`repeat` runs of every split), each with many derivations in the search."""
    return _open_grid(20, [(19, 19)], "find")


def test_every_shortest_program_is_listed_once_without_a_blow_up():
    """Derivations that spell the same blocks used to multiply at each level of nesting: on
    this grid one program came out 300,000 times before the next, and a minute gave 20 of the
    224 programs. Each is now given once, and the whole list comes in seconds."""
    task = _far_lemon()
    sol = solve(task, all_solutions=True, limit=1000, timeout=60)
    assert sol.status == "solved" and sol.proved_minimal and "all_found" not in sol.stats
    assert len(sol.programs) == len(set(sol.programs)) == 224
    assert all(len(p) == sol.size and run(task, p).solved for p in sol.programs)


def test_a_list_cut_short_by_the_time_limit_keeps_its_proof():
    """Exactly 6 blocks to a far corner of an open 5x5 grid: the size is proved in a fraction of
    a second, while its 17,114 programs take tens of seconds to list. A limit in between ends the
    list there: still solved and proved, and said to be incomplete. (The margins are wide both
    ways, so a busy machine does not change the outcome.)"""
    task = _open_grid(5, [(4, 4)], "find", constraints={"exactly": {"all": 6}})
    sol = solve(task, all_solutions=True, limit=100_000, timeout=3)
    assert sol.status == "solved" and sol.proved_minimal and sol.size == 6
    assert sol.stats["all_found"] is False and 1 <= len(sol.programs) < 17_114


def test_a_list_cut_short_with_both_engines_is_said_to_be_incomplete():
    """With both engines the list given is one engine's: when the time cut it short, the answer
    says so as that engine's does (`stats.all_found`, the message), not only inside its stats."""
    task = _open_grid(5, [(4, 4)], "find", constraints={"exactly": {"all": 6}})
    sol = solve(task, engine="both", all_solutions=True, limit=100_000, timeout=3)
    assert sol.status == "solved" and sol.proved_minimal and len(sol.programs) < 17_114
    assert sol.stats["all_found"] is False
    assert "the search stopped before listing all of them" in sol.message


def test_a_search_too_big_to_finish_still_answers_with_a_solution(asset_tasks):
    """Task 64 takes some twenty seconds and 440,000 repeat bodies to solve; with a budget of
    20,000 bodies it stops, but the probe has solved it in 15 blocks."""
    sol = solve(asset_tasks["64"], max_bodies=20_000)
    assert sol.status == "timeout" and not sol.proved_minimal
    assert sol.program is not None and run(asset_tasks["64"], sol.program).solved
    assert sol.size == 15
    assert "best found has 15 blocks, not proved minimal" in sol.message


def test_all_shortest_solutions_of_a_search_too_big_to_finish_still_give_one(asset_tasks):
    sol = solve(asset_tasks["64"], all_solutions=True, max_bodies=20_000)
    assert sol.status == "timeout" and not sol.proved_minimal
    assert len(sol.programs) == 1 and run(asset_tasks["64"], sol.programs[0]).solved


def test_a_long_coloured_picture_gets_a_program_with_straight_runs(examples_dir):
    """A frame of four 4-step sides: 27 blocks without repeats, 15 with `repeat(4){fd}`; the
    probe finds the latter at once, long before the search (45 s, a million bodies)."""
    task = load_task(examples_dir / "tasks" / "draw-frame.json")
    sol = solve(task, max_bodies=20_000)
    assert sol.status == "timeout" and sol.size == 15
    assert run(task, sol.program).solved
    assert str(sol.program).count("repeat(4)") == 4
    assert sol.stats["probe"]["size"] == 15


def test_a_spiral_beyond_the_probe_gets_its_picture_traced(examples_dir):
    """Eight sides in three colours taking turns: the probe finds nothing within its budget and
    the search cannot finish, so the answer is the picture traced line by line (30 blocks,
    beyond the default bound of 20, which it raises: that bound was only a default)."""
    task = load_task(examples_dir / "tasks" / "draw-spiral.json")
    sol = solve(task, max_bodies=20_000)
    assert sol.status == "timeout" and not sol.proved_minimal
    assert sol.stats["probe"]["size"] is None and sol.stats["traced"] == {"size": 30}
    assert sol.size == sol.max_size == 30 and run(task, sol.program).solved


def test_a_bound_given_below_the_traced_program_is_kept(examples_dir):
    task = load_task(examples_dir / "tasks" / "draw-spiral.json")
    sol = solve(task, max_size=25, max_bodies=20_000)
    assert sol.program is None and sol.max_size == 25
    assert "traced" not in sol.stats


def test_z3_out_of_time_on_the_spiral_answers_with_its_traced_picture(examples_dir):
    """The Z3 engine raises the default bound to the traced program too, and a search that runs
    out of time before any size is solved returns that program, not proved."""
    task = load_task(examples_dir / "tasks" / "draw-spiral.json")
    sol = solve(task, engine="z3", timeout=3)
    assert sol.status == "timeout" and not sol.proved_minimal
    assert sol.size == sol.max_size == 30 and sol.stats["traced"] == {"size": 30}
    assert run(task, sol.program).solved


def test_z3_keeps_a_bound_given_below_the_traced_program(examples_dir):
    task = load_task(examples_dir / "tasks" / "draw-spiral.json")
    sol = solve(task, engine="z3", max_size=25, timeout=2)
    assert sol.program is None and sol.max_size == 25


def test_the_probe_never_beats_a_proved_answer(asset_tasks, enum_solutions):
    probed = 0
    for tid, sol in enum_solutions.items():
        probe = sol.stats.get("probe")
        if probe is None or probe["size"] is None:
            continue
        probed += 1
        if sol.proved_minimal:
            assert probe["size"] >= sol.size, tid
    assert probed >= 5  # the coloured drawings (60, 61, 63, 64, 66, 70, ...)


def test_a_search_that_outgrows_its_body_budget_stops_like_a_timeout(asset_tasks):
    """Task 64's proof builds about 440,000 repeat bodies; a budget of 20,000 ends it cleanly."""
    sol = solve(asset_tasks["64"], max_bodies=20_000)
    assert sol.status == "timeout" and not sol.proved_minimal
    assert sol.stats["stopped"] == "bodies"
    assert sol.stats["bodies"] <= 20_000 + 5_000  # checked between batches of bodies
    assert "repeat-body budget" in sol.message
    assert f"none has fewer than {sol.stats['level']} blocks" in sol.message


def test_a_body_budget_below_one_is_a_usage_error(asset_tasks):
    with pytest.raises(UsageError):
        solve(asset_tasks["1"], max_bodies=0)


@pytest.mark.parametrize("timeout", [-1.0, float("nan")])
def test_a_negative_or_nan_time_limit_is_a_usage_error(asset_tasks, timeout):
    """NaN compares false with every deadline: it would never stop a search."""
    with pytest.raises(UsageError, match="timeout must be a number of seconds"):
        solve(asset_tasks["1"], timeout=timeout)


@pytest.mark.parametrize("engine", ["enum", "z3", "both"])
def test_an_infinite_time_limit_is_no_limit(asset_tasks, engine):
    sol = solve(asset_tasks["13"], engine=engine, timeout=float("inf"))
    assert sol.solved and sol.proved_minimal and sol.size == 4


def test_a_search_that_timed_out_still_proves_its_lower_levels(asset_tasks, enum_solutions):
    """`stats.level` is the first size not yet refuted: no solution is shorter."""
    sol = solve(asset_tasks["72"], timeout=0.5)
    if sol.status == "timeout":
        assert sol.stats["level"] <= 10  # the shortest solution of 72 has 10 blocks


# -- minimality against brute force ----------------------------------------------------------------


def _all_programs(size: int) -> list[tuple]:
    """Every block sequence of exactly `size` blocks over the whole language."""
    leaves = [Command(k) for k in ("fd", "bk", "lt", "rt")] + [SetPenColor(c) for c in PEN_COLORS]
    memo: dict[int, list[tuple]] = {0: [()]}

    def forests(n: int) -> list[tuple]:
        if n in memo:
            return memo[n]
        out = []
        for first in range(1, n + 1):
            for tree in trees(first):
                for rest in forests(n - first):
                    out.append((tree, *rest))
        memo[n] = out
        return out

    def trees(n: int) -> list:
        if n == 1:
            return [*leaves, *(Repeat(t, ()) for t in range(1, 13))]
        return [Repeat(t, body) for t in range(1, 13) for body in forests(n - 1)]

    return forests(size)


@pytest.mark.parametrize("task_id", ["13", "30", "91"])
def test_no_program_of_three_blocks_solves_a_task_whose_shortest_has_four(asset_tasks, task_id):
    task = asset_tasks[task_id]
    assert solve(task).size == 4
    for size in range(0, 4):
        for body in _all_programs(size):
            assert not run(task, Program(body)).solved, str(Program(body))


# -- the search's view of a run is the interpreter's -----------------------------------------------

_leaf = st.one_of(
    st.sampled_from([Command("fd"), Command("bk"), Command("lt"), Command("rt")]),
    st.sampled_from(PEN_COLORS).map(SetPenColor),
)
_blocks = st.recursive(
    _leaf,
    lambda inner: st.builds(Repeat, st.integers(1, 12), st.lists(inner, max_size=4).map(tuple)),
    max_leaves=10,
)
_programs = st.lists(_blocks, max_size=7).map(lambda bs: Program(tuple(bs)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), prog=_programs)
def test_goal_summaries_agree_with_run_on_any_program(data, prog, asset_tasks):
    task = asset_tasks[data.draw(st.sampled_from(sorted(asset_tasks)))]
    verdict = run(task, prog)
    expected = verdict.crash is None and bool(verdict.goal_ok)
    assert Space.of(task).goal_reached(prog.body) == expected


def _size(blocks) -> int:  # type: ignore[no-untyped-def]
    return sum(1 + (_size(b.body) if isinstance(b, Repeat) else 0) for b in blocks)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), prog=_programs)
def test_the_lower_bound_never_drops_by_more_than_a_blocks_size(data, prog, asset_tasks):
    """Consistency, which makes A* take a shortest solution first (and implies the bound never
    exceeds the size of a solution, since it is 0 on a met goal)."""
    task = asset_tasks[data.draw(st.sampled_from(sorted(asset_tasks)))]
    space = Space.of(task)
    pen, pose, summary = _start_pen(space), space.start_pose, space.initial_summary()
    for block in prog.body:
        e = space.effect_of((block,), pose)
        after = None if e is None else space.apply(summary, pen, e)
        if after is None:
            break
        before = space.lower_bound(summary, pen, pose)
        pen, pose, summary = e[6] or pen, e[0], after
        assert before <= _size((block,)) + space.lower_bound(summary, pen, pose)


def _runs(blocks, kinds: tuple[str, str]) -> int:  # type: ignore[no-untyped-def]
    """How many times a program's blocks of these kinds run (counts multiply through repeats)."""
    return sum(
        b.times * _runs(b.body, kinds)
        if isinstance(b, Repeat)
        else int(isinstance(b, Command) and b.kind in kinds)
        for b in blocks
    )


def test_no_solution_runs_fewer_moves_or_turns_than_min_moves_and_min_turns(
    asset_tasks, enum_solutions
):
    """`Space.min_moves` and `min_turns`, which the Z3 engine asserts, are lower bounds."""
    for tid, task in asset_tasks.items():
        space = Space.of(task)
        moves, turns = space.min_moves(100_000), space.min_turns(100_000)
        for prog in (task.solution, enum_solutions[tid].program):
            assert moves is None or moves <= _runs(prog.body, ("fd", "bk")), tid
            assert turns is None or turns <= _runs(prog.body, ("lt", "rt")), tid


def test_min_moves_and_min_turns_count_the_shortest_walk_to_the_goal(asset_tasks):
    space = Space.of(asset_tasks["13"])  # repeat(3){fd fd rt}
    assert (space.min_moves(100_000), space.min_turns(100_000)) == (6, 2)


def _start_pen(space: Space) -> int:
    from xlogo_lang.solver.search_space import BLACK

    return BLACK if space.draw else 0


# -- constraints -----------------------------------------------------------------------------------


def _variant(asset_tasks, task_id: str, **changes) -> object:
    data = asset_tasks[task_id].to_json()
    data.update(changes)
    return task_from_dict(data, file=f"<variant of {task_id}>")


def test_exactly_all_pads_the_program_to_the_required_size(asset_tasks):
    task = _variant(asset_tasks, "1", constraints={"exactly": {"all": 4}})
    sol = solve(task)
    assert sol.size == 4
    assert run(task, sol.program).solved


def test_exactly_all_is_searched_from_its_size_instead_of_refuting_each_size_below():
    """No program of fewer than N blocks meets `exactly all` N, so that is where the search
    starts. It used to refute every smaller size first, building their repeat bodies: here
    241,734 bodies and several seconds, and a generated task with exactly 11 blocks spent its
    20 s with a solution in hand that it could not call shortest."""
    task = _open_grid(4, [(3, 3)], "find", constraints={"exactly": {"all": 10}})
    sol = solve(task, max_bodies=10_000)
    assert sol.status == "solved" and sol.proved_minimal and sol.size == 10
    assert run(task, sol.program).solved


def test_start_by_forces_the_first_top_level_blocks(asset_tasks):
    task = asset_tasks["17a"]  # start_by fd fd rt
    sol = solve(task, all_solutions=True, limit=5)
    for prog in sol.programs:
        assert [b.type for b in prog.body[:3]] == ["fd", "fd", "rt"]


@pytest.mark.parametrize("task_id", ["87", "50"])  # a path goal; a picture all in black
@pytest.mark.parametrize("engine", ["enum", "z3"])
def test_start_by_setpc_is_honoured_where_the_pen_does_not_matter(asset_tasks, task_id, engine):
    """The pen is invisible on a path goal and needs no setpc in a black picture, so setpc is
    normally left out of the alphabet; a start_by that opens with setpc must bring it back,
    or the search would prove a solvable task impossible."""
    base = asset_tasks[task_id]
    task = _variant(asset_tasks, task_id, constraints={"start_by": ["setpc"]})
    sol = solve(task, engine=engine, timeout=120)
    assert sol.status == "solved" and sol.proved_minimal
    assert sol.program.body[0].type == "setpc" and run(task, sol.program).solved
    assert sol.size == solve(base).size + 1  # the same walk behind one setpc


@pytest.mark.parametrize("engine", ["enum", "z3"])
def test_start_by_setpc_on_an_empty_picture_is_one_setpc(asset_tasks, engine):
    """An empty picture has no colour to draw, but a forced setpc still needs one: without it
    both engines proved this task, which `setpc(red)` solves, impossible."""
    task = _variant(asset_tasks, "50", lines=[], constraints={"start_by": ["setpc"]})
    sol = solve(task, engine=engine, timeout=60)
    assert sol.status == "solved" and sol.proved_minimal and sol.size == 1
    assert sol.program.body[0].type == "setpc" and run(task, sol.program).solved


@pytest.mark.parametrize("engine", ["enum", "z3"])
def test_start_by_repeat_may_need_a_repeat_of_one(engine):
    """One step east finds the strawberry; a repeat of a move counted 2 or more would leave the
    world, so the shortest programs opening with a repeat are `repeat(1){fd}` and an empty
    repeat before `fd`, 2 blocks (a turn in a loop needs 3)."""
    tile = {"allowed": True, "walls": {}}
    task = task_from_dict(
        {
            "id": "one-step",
            "turtle": {"x": 0, "y": 0, "direction": 1},
            "tiles": [{"x": 0, "y": 0, **tile}, {"x": 1, "y": 0, **tile}],
            "items": [{"x": 1, "y": 0, "name": "strawberry", "color": "red", "count": 1}],
            "lines": [],
            "goal": [{"name": "find", "specs": [[[{"name": "strawberry", "neg": 0}]]]}],
            "constraints": [{"start_by": ["repeat"]}],
        },
        file="<one-step>",
    )
    sol = solve(task, engine=engine)
    assert sol.size == 2 and sol.proved_minimal
    assert sol.program.body[0].type == "repeat" and run(task, sol.program).solved


def test_a_forbidden_block_type_never_appears(asset_tasks):
    sol = solve(asset_tasks["54"])  # exactly fd = 0
    assert "fd" not in str(sol.program).split()


def test_at_most_all_is_the_default_bound(asset_tasks):
    assert solve(asset_tasks["87"]).max_size == 6
    assert solve(asset_tasks["1"]).max_size == DEFAULT_MAX_SIZE


# -- impossibility ---------------------------------------------------------------------------------


def _walled_in(asset_tasks) -> object:
    data = asset_tasks["1"].to_json()
    t = data["turtle"]
    for tile in data["tiles"]:
        if (tile["x"], tile["y"]) == (t["x"], t["y"]):
            tile["walls"] = {"top": True, "right": True, "bottom": True, "left": True}
    return task_from_dict(data, file="<walled in>")


def test_a_walled_off_goal_is_proved_impossible_for_any_size(asset_tasks):
    sol = solve(_walled_in(asset_tasks))
    assert sol.status == "no_solution"
    assert sol.proved_minimal
    assert sol.message == f"no solution within {DEFAULT_MAX_SIZE} blocks"


@pytest.mark.parametrize("engine", ["enum", "z3"])
def test_a_walled_off_goal_says_why_with_either_engine(asset_tasks, engine):
    """The proof is the goal-reachability pass, not the sizes searched: `stats.reason` says so
    (the CLI prints it after `no solution within 20 blocks`), with the default engine too."""
    sol = solve(_walled_in(asset_tasks), engine=engine)
    assert sol.stats["reason"] == "no run of any length reaches the goal"


def test_too_small_a_bound_is_a_proof_not_a_timeout(asset_tasks):
    sol = solve(asset_tasks["13"], max_size=3)
    assert (sol.status, sol.program) == ("no_solution", None)
    assert sol.message == "no solution within 3 blocks"


def test_an_empty_goal_is_met_by_the_empty_program(asset_tasks):
    sol = solve(_variant(asset_tasks, "1", goal=[]))
    assert (sol.status, sol.size) == ("solved", 0)


@pytest.mark.parametrize("engine", ["enum", "z3"])
def test_an_empty_goal_in_a_world_with_an_off_catalogue_item_has_no_solution(engine):
    task = make_task(items=[(1, 0, "house", "blue", 1)], goal=[])
    sol = solve(task, engine=engine)
    assert sol.status == "no_solution"
    assert "outside the catalogue" in sol.stats["reason"]


@pytest.mark.parametrize("engine", ["enum", "z3"])
@pytest.mark.parametrize(
    "goal",
    [
        [{"name": "find", "specs": [[[{"name": "lemon"}]]]}],
        [{"name": "concat", "specs": [[[{"name": "strawberry"}]], [[{"name": "lemon"}]]]}],
    ],
    ids=["find", "concat"],
)
def test_a_goal_naming_an_item_the_world_does_not_have_is_named_as_the_reason(goal, engine):
    task = make_task(items=[(1, 0, "strawberry", "red", 1)], goal=goal)
    sol = solve(task, engine=engine)
    assert (sol.status, sol.stats["reason"]) == ("no_solution", "there is no lemon on the grid")


RED_THEN_BLUE = [(0, 0, 1, 0, "red"), (1, 0, 2, 0, "blue")]


@pytest.mark.parametrize(
    ("task", "reason"),
    [
        (
            make_task(1, 3, lines=RED_THEN_BLUE, goal=None, constraints={"at_most": {"setpc": 1}}),
            "the picture has 2 colours besides black, each needs a setpc block, and the "
            "constraints allow 1",
        ),
        (
            make_task(constraints={"start_by": ["lt"], "exactly": {"lt": 0}}),
            "the program must start with 1 lt block, and the constraints allow 0",
        ),
        (
            make_task(constraints={"start_by": ["fd", "fd"], "exactly": {"fd": 1}}),
            "the program must start with 2 fd blocks, and the constraints allow 1",
        ),
        (
            make_task(constraints={"start_by": ["fd", "rt", "fd"], "at_most": {"all": 2}}),
            "the program must start with 3 blocks, and the constraints allow 2 in all",
        ),
        (
            make_task(1, 1, constraints={"start_by": ["fd"]}),
            "the program must start with fd, and that run dies",
        ),
    ],
    ids=["colours", "start_by vs exactly 0", "start_by vs exactly 1", "start_by vs all", "dies"],
)
@pytest.mark.parametrize("engine", ["enum", "z3"])
def test_constraints_the_goal_cannot_meet_are_proved_at_once_by_both_engines(task, reason, engine):
    sol = solve(task, engine=engine, timeout=30)
    assert (sol.status, sol.stats["reason"]) == ("no_solution", reason)  # a proof, no timeout


def test_one_setpc_is_enough_for_a_picture_in_black_and_one_colour():
    task = make_task(
        1, 3, lines=[(0, 0, 1, 0, "black"), (1, 0, 2, 0, "red")], goal=None,
        constraints={"at_most": {"setpc": 1}},
    )  # fmt: skip
    assert solve(task).size == 3  # fd setpc(red) fd


# -- budgets and time limits ---------------------------------------------------------------------


def _open_grid(side: int, cells: list[tuple[int, int]], goal: str, constraints=None) -> object:
    """A side x side grid without walls, the turtle in the top left corner facing east, and a
    strawberry on each of `cells`."""
    tile = {"allowed": True, "walls": {}}
    return task_from_dict(
        {
            "id": f"open-{side}",
            "turtle": {"x": 0, "y": 0, "direction": 1},
            "tiles": [{"x": x, "y": y, **tile} for y in range(side) for x in range(side)],
            "items": [
                {"x": x, "y": y, "name": "strawberry", "color": "red", "count": 1} for x, y in cells
            ],
            "lines": [],
            "goal": [{"name": goal, "specs": [[[{"name": "strawberry", "neg": 0}]]]}],
            "constraints": constraints or [],
        },
        file=f"<open {side}x{side}>",
    )


def _spread(side: int, step: int) -> list[tuple[int, int]]:
    return [(x, y) for x in range(0, side, step) for y in range(0, side, step) if (x, y) != (0, 0)]


def test_a_task_that_forbids_repeats_builds_no_repeat_bodies():
    """Menus of repeats are only worth building when a repeat may be placed: with repeats
    forbidden they once filled the whole body budget (gigabytes) for nothing."""
    task = _open_grid(8, _spread(8, 3), "collectall", [{"at_most": {"repeat": 0}}])
    sol = solve(task)
    assert sol.status == "no_solution" and sol.stats["bodies"] == 0


def test_a_search_that_outgrows_its_state_budget_stops_like_a_timeout():
    """Without repeats the states are all that grows (this search keeps about 6,000 to prove
    that no program of 20 blocks collects everything)."""
    task = _open_grid(8, _spread(8, 3), "collectall", [{"at_most": {"repeat": 0}}])
    sol = solve(task, max_states=2_000)
    assert sol.status == "timeout" and sol.stats["stopped"] == "states"
    assert sol.stats["states"] <= 2_000 + 5_000  # checked between batches of states
    assert "state budget" in sol.message


def test_a_state_budget_below_one_is_a_usage_error(asset_tasks):
    with pytest.raises(UsageError):
        solve(asset_tasks["1"], max_states=0)


def test_the_default_budgets_shrink_with_the_grid_to_stay_within_a_few_gigabytes():
    """A repeat body's signature is a bitset over a canvas of (2M+1)^2 cells: 8 KB a body at
    64x64, where 1.5 million bodies took 11-13 GB."""
    from xlogo_lang.solver.enumerative import (
        BODY_MEMORY,
        MAX_BODIES,
        STATE_MEMORY,
        body_bytes,
        default_budgets,
        state_bytes,
    )

    space = Space.of(_open_grid(64, [(63, 63)], "find"))
    bodies, states = default_budgets(space)
    assert bodies < MAX_BODIES / 3
    assert bodies * body_bytes(space) <= BODY_MEMORY
    assert states * state_bytes(space) <= STATE_MEMORY


def test_the_real_tasks_keep_the_full_default_body_budget(asset_tasks):
    from xlogo_lang.solver.enumerative import MAX_BODIES, default_budgets
    from xlogo_lang.solver.search_space import Infeasible

    for tid, task in asset_tasks.items():
        try:
            space = Space.of(task)
        except Infeasible:
            continue
        bodies, states = default_budgets(space)
        assert bodies == MAX_BODIES and states > 1_000_000, tid


@pytest.mark.parametrize("engine", ["enum", "z3", "both"])
def test_a_zero_time_limit_returns_at_once_with_timeout(asset_tasks, engine):
    """Even where the empty program solves the task: a zero budget allows no work at all."""
    sol = solve(_variant(asset_tasks, "1", goal=[]), engine=engine, timeout=0)
    assert sol.status == "timeout" and sol.program is None and not sol.proved_minimal


def test_compiling_a_task_stops_at_the_deadline():
    from xlogo_lang.solver.search_space import OutOfTime

    task = _open_grid(16, [(15, 15)], "find")
    with pytest.raises(OutOfTime):
        Space.of(task, deadline=time.perf_counter())


@pytest.mark.parametrize("engine", ["enum", "z3"])
def test_the_time_limit_of_a_large_grid_counts_its_setup(engine):
    """Compiling a 64x64 task once took 2.5-5 s (every pose against every cell), not counted
    against the time limit; the search now ends close to it (the bound is generous for a
    loaded machine)."""
    task = _open_grid(64, _spread(64, 8), "collectall")
    t0 = time.perf_counter()
    sol = solve(task, engine=engine, timeout=0.5)
    assert sol.status == "timeout"
    assert time.perf_counter() - t0 < 2


def test_with_both_engines_z3_gets_nothing_when_the_enumerative_engine_used_the_budget(
    asset_tasks,
):
    """Task 64 takes the enumerative engine some twenty seconds: with half a second in all, z3
    starts after the deadline and must not build a single encoding."""
    sol = solve(asset_tasks["64"], engine="both", timeout=0.5)
    assert sol.stats["enum_status"] == sol.stats["z3_status"] == "timeout"
    assert sol.stats["z3"]["states"] == 0 and sol.stats["z3"]["solver_calls"] == 0


# -- the API ---------------------------------------------------------------------------------------


def test_all_lists_distinct_shortest_solutions(asset_tasks):
    task = asset_tasks["87"]
    sol = solve(task, all_solutions=True, limit=4)
    assert 1 < len(sol.programs) <= 4
    assert len(set(sol.programs)) == len(sol.programs)
    assert {len(p) for p in sol.programs} == {sol.size}
    assert all(run(task, p).solved for p in sol.programs)


def test_to_dict_has_the_documented_fields(asset_tasks):
    d = solve(asset_tasks["5"]).to_dict()
    for key in ("task_id", "status", "program", "size", "engine", "proved_minimal", "stats"):
        assert key in d
    assert d["status"] == "solved" and d["engine"] == "enum"
    assert {"candidates", "states", "time_s"} <= set(d["stats"])
    json.dumps(d)


def test_an_unknown_engine_is_a_usage_error(asset_tasks):
    with pytest.raises(UsageError):
        solve(asset_tasks["1"], engine="magic")


def test_importing_the_solver_does_not_import_z3():
    code = "import sys, xlogo_lang.solver; print('z3' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_name_the_solver_exports_is_there_and_listed():
    """The loaded-when-used names (Repair, Nearest, Solutions, WorkerDied ...) included: a
    caller catching WorkerDied or completing names in a notebook finds them all."""
    import xlogo_lang.solver as solver

    for name in solver.__all__:
        assert getattr(solver, name) is not None, name
    assert set(solver.__all__) <= set(dir(solver))


def test_project_examples_are_solved_by_their_bound(examples_dir):
    files = (
        sorted((examples_dir / "tasks").glob("*.json")) if (examples_dir / "tasks").is_dir() else []
    )
    for f in files:
        task = load_task(f)
        sol = solve(task, timeout=1)
        if sol.solved:
            assert run(task, sol.program).solved, f.name


def test_a_progress_that_is_not_a_function_is_refused_before_the_search(asset_tasks):
    with pytest.raises(TypeError, match="progress must be a function or None, got int"):
        solve(asset_tasks["87"], progress=5)


def test_progress_reports_the_probe_before_the_search(asset_tasks):
    """The probe's levels are no refutation, so a status line must be able to tell them apart."""
    seen: list[dict] = []
    sol = solve(asset_tasks["63"], progress=seen.append)
    assert sol.proved_minimal
    phases = [p["phase"] for p in seen]
    assert phases[0] == "probe" and phases[-1] == "search"
    assert phases == sorted(phases, key=["probe", "search"].index)
    levels = [p["level"] for p in seen if p["phase"] == "search"]
    assert levels == sorted(levels) and levels[-1] <= sol.size


def test_all_solutions_cut_short_are_still_proved_shortest(asset_tasks):
    """A budget that runs out inside the level of the answer: every smaller size is refuted, so
    the solutions found are shortest ones; only the list may be incomplete."""
    task = asset_tasks["66"]
    full = solve(task, all_solutions=True, limit=1_000)  # all 146 of them
    cut = solve(task, all_solutions=True, limit=1_000, max_bodies=40_000)
    assert (cut.status, cut.size, cut.proved_minimal) == ("solved", full.size, True)
    assert cut.stats["all_found"] is False and "all_found" not in full.stats
    assert 0 < len(cut.programs) < len(full.programs)
    assert set(cut.programs) <= set(full.programs)
    assert "stopped before listing all of them" in cut.message


# -- --all lists every shortest solution ----------------------------------------------------------


def _net_move(blocks: tuple) -> tuple[int, int, int]:
    """Where a block sequence leaves the turtle relative to its start: (dx, dy, quarter turns)."""
    x = y = d = 0
    for b in blocks:
        if isinstance(b, Repeat):
            for _ in range(b.times):
                dx, dy, r = _net_move(b.body)
                for _ in range(d):
                    dx, dy = -dy, dx
                x, y, d = x + dx, y + dy, (d + r) % 4
        elif b.type in ("lt", "rt"):
            d = (d + (1 if b.type == "rt" else 3)) % 4
        elif b.type in ("fd", "bk"):
            step = 1 if b.type == "fd" else -1
            dx, dy = ((0, -step), (step, 0), (0, step), (-step, 0))[d]
            x, y = x + dx, y + dy
    return x, y, d


def _largest_count(body: tuple, max_times: int) -> int:
    """The period lemma's bound (solver README, rule 4): counts past it repeat an outcome."""
    x, y, turns = _net_move(body)
    if turns == 2:
        return 4
    if turns % 2:
        return 8
    return 2 if (x, y) == (0, 0) else max_times


def _every_program(size: int, max_times: int, basic: tuple, padding: bool = False):
    """Every program of exactly `size` blocks over the `basic` blocks and repeats, counts 2 up
    to the period lemma's bound (with `padding`, also count 1 and empty bodies: rule 5)."""
    if size == 0:
        yield ()
        return
    for first in range(1, size + 1):
        for block in _every_block(first, max_times, basic, padding):
            for rest in _every_program(size - first, max_times, basic, padding):
                yield (block, *rest)


def _every_block(size: int, max_times: int, basic: tuple, padding: bool):
    if size == 1:
        yield from basic
        if padding:
            yield from (Repeat(n, ()) for n in (1, 2))
        return
    for body in _every_program(size - 1, max_times, basic, padding):
        for n in range(1 if padding else 2, _largest_count(body, max_times) + 1):
            yield Repeat(n, body)


@pytest.mark.parametrize("task_id", ["13", "26", "37", "61", "84", "100", "101", "111"])
def test_all_solutions_are_every_shortest_program(asset_tasks, task_id):
    """Against brute force: every program of the shortest size that solves the task (with repeat
    counts the period lemma keeps, and pen colours of the picture) is listed, and nothing else.
    Equal programs in other forms (`repeat(2){fd} rt` for `fd fd rt`, `fd lt bk rt` for
    `fd rt fd lt`) are separate solutions, even though the search keeps one of them."""
    task = asset_tasks[task_id]
    sol = solve(task, all_solutions=True, limit=10_000)
    space = Space.of(task)
    colours = sorted({CODE_PEN[c] for c in space.edge_colors} - {"black"})
    basic = (*(Command(c) for c in ("fd", "bk", "lt", "rt")), *map(SetPenColor, colours))
    every = {
        Program(body)
        for body in _every_program(sol.size, space.max_times, basic)
        if run(task, Program(body)).solved
    }
    assert set(sol.programs) == every


def test_all_solutions_lists_both_forms_of_a_loop_that_makes_the_same_moves(examples_dir):
    task = load_task(examples_dir / "tasks" / "draw-stairs-at-most.json")
    sol = solve(task, all_solutions=True)
    listed = {to_compact(p) for p in sol.programs}
    assert {"repeat(3){fd rt fd lt}", "repeat(3){fd lt bk rt}"} <= listed


@pytest.mark.parametrize(
    ("task_id", "constraints", "pens"),
    [
        ("8", {"start_by": ["repeat"]}, ()),
        ("8", {"start_by": ["repeat", "repeat"]}, ()),
        ("13", {"exactly": {"all": 5}}, ("black",)),  # padding may be a setpc (rule 6)
        ("13", {"exactly": {"repeat": 2}}, ()),
    ],
)
def test_all_solutions_are_every_shortest_program_with_padding(
    asset_tasks, task_id, constraints, pens
):
    """With a constraint that asks for more blocks (rule 5), `repeat(1){...}` and empty repeats
    are programs of their own, `repeat(2){}` as much as `repeat(1){}`."""
    task = _variant(asset_tasks, task_id, constraints=constraints)
    sol = solve(task, all_solutions=True, limit=10_000)
    space = Space.of(task)
    moves = (Command(c) for c in ("fd", "bk", "lt", "rt"))
    basic = (*moves, *map(SetPenColor, pens))
    every = {
        Program(body)
        for body in _every_program(sol.size, space.max_times, basic, padding=True)
        if run(task, Program(body)).solved
    }
    assert set(sol.programs) == every


@pytest.mark.parametrize("task", [None, "tasks/87.json", {}])
def test_solve_names_a_task_argument_that_is_not_a_task(task):
    with pytest.raises(TypeError, match=r"solve expects a Task.*load_task"):
        solve(task)


@pytest.mark.parametrize("option", ["timeout", "max_size", "limit", "max_bodies", "max_states"])
def test_solve_names_an_option_given_as_text(asset_tasks, option):
    with pytest.raises(TypeError, match=f"{option} must be"):
        solve(asset_tasks["87"], **{option: "5"})


@pytest.mark.parametrize("value", ["false", 0, None])
def test_all_solutions_that_is_not_a_bool_is_a_type_error_naming_it(asset_tasks, value):
    """ "false" is true: the list was made (or not) without a word about the slip."""
    with pytest.raises(TypeError, match="all_solutions must be True or False"):
        solve(asset_tasks["87"], all_solutions=value)


@pytest.mark.parametrize("limit", [0, -3])
def test_a_limit_below_one_is_a_usage_error_not_one_solution(asset_tasks, limit):
    with pytest.raises(UsageError, match="limit must be at least 1"):
        solve(asset_tasks["87"], all_solutions=True, limit=limit)


def test_a_timeout_before_any_size_was_refuted_says_so(asset_tasks):
    sol = solve(asset_tasks["64"], timeout=0.0001)
    assert sol.status == "timeout" and sol.stats["level"] == 0
    assert "no size refuted" in sol.message and "fewer than 0" not in sol.message
