"""Repair: the nearest solution in block edits, the edits themselves, and the edit distance."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xlogo_lang.solver import repair, solve
from xlogo_lang.solver.edits import (
    MAX_BLOCKS,
    _EditLayers,
    _script_along,
    block_distance,
    edit_script,
    neighbours,
    reached_before_death,
)
from xlogo_lang.solver.search_space import Space

from xlogo_lang import load_task, parse, run
from xlogo_lang.ast import Command, Program, Repeat, SetPenColor
from xlogo_lang.constraints import Constraints
from xlogo_lang.errors import ProgramError, UsageError
from xlogo_lang.tasks import task_from_dict

LABELS = [Command("fd"), Command("bk"), Command("lt"), Command("rt"), SetPenColor("red")]

_leaf = st.sampled_from(LABELS)
_blocks = st.recursive(
    _leaf,
    lambda inner: st.builds(Repeat, st.integers(2, 5), st.lists(inner, max_size=3).map(tuple)),
    max_leaves=6,
)
_programs = st.lists(_blocks, max_size=5).map(lambda bs: Program(tuple(bs)))


def test_a_program_one_count_away_is_repaired_with_one_edit(real_tasks):
    task = real_tasks["87"]
    rep = repair(task, parse("fd rt repeat(2){fd} rt fd"))
    assert rep.distance == 1 and rep.proved
    assert [e.op for e in rep.edits] == ["times"]
    assert run(task, rep.program).solved


def test_a_missing_turn_is_inserted(real_tasks):
    task = real_tasks["5"]  # shortest: rt fd
    rep = repair(task, parse("fd"))
    assert rep.distance == 1
    assert rep.edits[0].op == "insert"
    assert run(task, rep.program).solved


def test_a_wrong_block_is_replaced_or_the_nearest_is_found(real_tasks):
    task = real_tasks["19"]  # reference: fd fd rt fd
    rep = repair(task, parse("fd fd lt fd"))
    assert rep.distance == 1
    assert run(task, rep.program).solved


def test_a_slip_in_a_drawing_too_big_to_prove_is_repaired_without_the_shortest_solutions(
    real_tasks,
):
    """Task 64's shortest solutions take minutes to search; a program one colour away from a
    solution is repaired from the first edit layer alone, and that is a proof (layer 0 was the
    program itself)."""
    task = real_tasks["64"]
    slip = "setpc(blue) fd fd rt setpc(green) fd fd rt setpc(red) fd fd rt setpc(red) fd fd"
    rep = repair(task, slip)
    assert rep.distance == 1 and rep.proved
    assert rep.edits[0].op == "colour" and rep.edits[0].after == "setpc(yellow)"
    assert "upper_bound" not in rep.stats  # the shortest solutions were never needed


def test_a_layer_resumed_after_its_deadline_counts_each_candidate_once(real_tasks):
    """`grow` stops inside a layer when its deadline passes and goes on from there next time;
    the candidate it was looking at when it stopped is counted when it is checked, once."""
    task = real_tasks["64"]
    stats: dict = {"candidates": 0}
    layers = _EditLayers(Space.of(task), parse("fd fd rt fd fd rt fd fd"), stats)
    assert layers.grow(2, deadline=0.0) is None and stats["timeout"]
    layers.grow(2, deadline=float("inf"))
    assert stats["candidates"] == len(layers.parent) - 1  # every program but the original


def test_a_program_of_more_blocks_than_repair_takes_is_refused(real_tasks):
    with pytest.raises(ProgramError, match="the program has 2,001 blocks"):
        repair(real_tasks["5"], Program((Command("fd"),) * (MAX_BLOCKS + 1)))


def test_the_deadline_is_checked_before_every_candidate(real_tasks):
    """A candidate of a long program is a long copy, so the layers stop at the first candidate
    past the deadline, however long the program (within MAX_BLOCKS)."""
    stats: dict = {"candidates": 0}
    layers = _EditLayers(Space.of(real_tasks["5"]), Program((Command("fd"),) * MAX_BLOCKS), stats)
    assert layers.grow(1, deadline=0.0) is None
    assert stats == {"candidates": 0, "timeout": True}


def test_compiling_a_large_grid_counts_against_the_time_limit():
    """A 64x64 grid takes a third of a second to compile (once several seconds, before the
    first deadline check)."""
    tile = {"allowed": True, "walls": {}}
    task = task_from_dict(
        {
            "id": "open-64",
            "turtle": {"x": 0, "y": 0, "direction": 1},
            "tiles": [{"x": x, "y": y, **tile} for y in range(64) for x in range(64)],
            "items": [{"x": 63, "y": 63, "name": "strawberry", "color": "red", "count": 1}],
            "lines": [],
            "goal": [{"name": "find", "specs": [[[{"name": "strawberry", "neg": 0}]]]}],
            "constraints": [],
        }
    )
    rep = repair(task, "fd", timeout=0)
    assert rep.program is None and not rep.proved and rep.stats["timeout"]
    assert rep.stats["time_s"] < 1  # it compiles nothing past the deadline


def test_a_negative_distance_or_time_limit_is_a_usage_error(real_tasks):
    with pytest.raises(UsageError, match="max_distance"):
        repair(real_tasks["5"], "fd", max_distance=-1)
    with pytest.raises(UsageError, match="timeout"):
        repair(real_tasks["5"], "fd", timeout=float("nan"))


def test_a_task_nothing_solves_has_no_repair_and_that_is_proved(examples_dir):
    """A picture with a segment no walk along it reaches: no program is near a solution."""
    data = json.loads((examples_dir / "tasks" / "draw-frame.json").read_text())
    data["lines"].append({"x1": 2, "y1": 2, "x2": 2, "y2": 3, "color": "#0D47A1"})
    rep = repair(task_from_dict(data), "fd fd")
    assert rep.program is None and rep.distance is None and rep.proved


def test_a_solving_program_needs_no_edit(real_tasks):
    rep = repair(real_tasks["87"], parse("fd rt repeat(3){fd} rt fd"))
    assert (rep.distance, rep.edits) == (0, [])


def test_repair_distance_is_never_more_than_to_the_shortest_solution(real_tasks):
    task = real_tasks["13"]
    prog = parse("lt lt lt lt lt lt")
    rep = repair(task, prog, timeout=20)
    assert rep.program is not None and run(task, rep.program).solved
    assert rep.distance == block_distance(prog, rep.program)
    assert rep.distance <= rep.stats["upper_bound"]


def test_the_empty_program_is_proved_as_far_from_a_solution_as_the_shortest_is_long(real_tasks):
    """Task 87's shortest solutions have 6 blocks and an edit adds at most one: the empty
    program is at least 6 edits from every solution, and 6 inserts reach a shortest one (the
    search once spent its 30 s on the layers below and called the answer unproved)."""
    rep = repair(real_tasks["87"], Program())
    assert rep.distance == 6 and rep.proved
    assert rep.stats["lower_bound"] == 6 and "timeout" not in rep.stats


def test_a_program_short_of_the_shortest_size_is_repaired_at_the_lower_bound(real_tasks):
    rep = repair(real_tasks["87"], parse("fd"))
    assert rep.distance == 5 and rep.proved and run(real_tasks["87"], rep.program).solved
    assert rep.stats["lower_bound"] == 5


def test_the_layers_below_an_unproved_shortest_solution_prove_it_nearest(real_tasks):
    """The shortest solutions given may be unproved (a search stopped by its body budget, here
    with the probe's `repeat(3){bk} rt fd`): the nearest of them is still a solution, so once
    every layer below its distance is searched and holds none, it is proved nearest. The
    report said "not proved nearest: no solution within 2 edits" of a repair of 3 edits."""
    task = real_tasks["91"]
    shortest = solve(task, all_solutions=True, max_bodies=1)
    assert shortest.status == "timeout" and shortest.programs
    rep = repair(task, parse("setpc(red) fd"), timeout=30, shortest=shortest)
    assert rep.distance == rep.stats["lower_bound"] == 3 and "timeout" not in rep.stats
    assert rep.proved


FAR_FROM_87 = "repeat(12){fd lt fd rt setpc(red) bk bk} repeat(7){lt fd fd fd}"


def test_a_repair_out_of_time_counts_the_layers_it_exhausted_in_its_lower_bound(real_tasks):
    """Thirteen blocks far from task 87's six-block solutions: the size argument proves
    nothing (a lower bound of 0), but the first layer (a few hundred programs) was searched,
    so no solution is within 1 edit; the report said lower_bound 0 after 30 s of layers."""
    rep = repair(real_tasks["87"], parse(FAR_FROM_87), timeout=3)
    assert rep.program is not None and not rep.proved and rep.stats.get("timeout")
    assert rep.stats["lower_bound"] >= 2
    assert rep.distance is not None and rep.distance >= rep.stats["lower_bound"]


def test_a_distance_limit_below_the_lower_bound_is_a_proof_that_nothing_is_that_near(real_tasks):
    rep = repair(real_tasks["87"], Program(), max_distance=4)
    assert rep.program is None and rep.proved


def test_to_dict_lists_the_edits(real_tasks):
    d = repair(real_tasks["87"], "fd rt repeat(2){fd} rt fd").to_dict()
    assert d["distance"] == 1 and d["edits"][0]["op"] == "times"
    assert d["program"] == "fd\nrt\nrepeat(3){\n  fd\n}\nrt\nfd\n"


def test_a_new_repeat_is_listed_before_the_edit_inside_it(examples_dir):
    """The nearest fix of a half-drawn stair wraps it in a repeat and turns its last turn
    around: the repeat comes first, and the turn is named where it is once the repeat is in."""
    task = load_task(examples_dir / "tasks" / "draw-stairs-at-most.json")
    rep = repair(task, "fd rt fd rt")
    assert [(e.op, e.path) for e in rep.edits] == [("insert", (0,)), ("replace", (0, 3))]
    assert [e.text for e in rep.edits] == [
        "insert repeat(3) around blocks 1..4",
        "replace rt by lt at block 1.4",
    ]


def test_a_solution_built_from_nothing_is_inserted_from_the_top_down(examples_dir):
    task = load_task(examples_dir / "tasks" / "draw-stairs-at-most.json")
    rep = repair(task, "")
    assert str(rep.program).startswith("repeat(3){") and len(rep.program) == 5
    assert [e.path for e in rep.edits] == [(0,), (0, 0), (0, 1), (0, 2), (0, 3)]


# -- the edit distance -----------------------------------------------------------------------------


def test_distance_counts_count_and_colour_changes_as_one_edit():
    assert block_distance(parse("repeat(3){fd}"), parse("repeat(4){fd}")) == 1
    assert block_distance(parse("setpc(red) fd"), parse("setpc(blue) fd")) == 1


def test_deleting_a_repeat_keeps_its_body():
    assert block_distance(parse("repeat(3){fd rt}"), parse("fd rt")) == 1
    assert block_distance(parse("fd rt"), parse("repeat(3){fd rt}")) == 1


def test_a_repeat_never_turns_into_a_basic_block():
    assert block_distance(parse("repeat(3){}"), parse("fd")) == 2


@settings(max_examples=150, deadline=None)
@given(_programs)
def test_every_neighbour_is_one_edit_away(prog):
    times = range(2, 6)
    for i, (cand, edit) in enumerate(neighbours(prog, LABELS, times)):
        if i > 60:
            break
        assert block_distance(prog, cand) == 1, (str(prog), str(cand), edit.text)


@settings(max_examples=150, deadline=None)
@given(_programs, _programs)
def test_distance_is_a_metric_on_programs(a, b):
    assert block_distance(a, a) == 0
    assert block_distance(a, b) == block_distance(b, a)
    assert (block_distance(a, b) == 0) == (a == b)
    assert block_distance(a, b) <= len(a) + len(b)


@settings(max_examples=100, deadline=None)
@given(_programs, _programs)
def test_the_edit_script_has_as_many_edits_as_the_distance(a, b):
    assert len(edit_script(a, b)) == block_distance(a, b)


def test_deletes_come_from_the_end_back_at_their_places_in_the_program():
    script = edit_script(parse("fd bk rt bk fd"), parse("fd rt fd"))
    assert [(e.op, e.path) for e in script] == [("delete", (3,)), ("delete", (1,))]


@settings(max_examples=100, deadline=None)
@given(_programs, _programs)
def test_the_edit_script_applied_top_to_bottom_turns_a_into_b(a, b):
    """Each edit is a single edit of the program the edits above it leave (the very edit the
    search makes there, in its words), and the last one leaves b."""
    prog = a
    for edit in edit_script(a, b):
        made = {e: cand for cand, e in neighbours(prog, LABELS, range(2, 6))}
        assert edit in made, (str(a), str(b), str(prog), edit.text)
        prog = made[edit]
    assert prog == b


@settings(max_examples=100, deadline=None)
@given(_programs, st.data())
def test_the_edits_of_a_search_path_listed_top_to_bottom_lead_where_the_path_does(a, data):
    """A repair lists the edits its search made, reordered: they still end at the program the
    search reached, each a single edit of the program the edits above it leave, and none is
    added."""
    steps, prog = [], a
    for _ in range(data.draw(st.integers(1, 4))):
        options = list(neighbours(prog, LABELS, range(2, 6)))
        prog, edit = options[data.draw(st.integers(0, len(options) - 1))]
        steps.append((edit, prog))
    script, cur = _script_along(a, steps), a
    for edit in script:
        made = {e: cand for cand, e in neighbours(cur, LABELS, range(2, 6))}
        assert edit in made, (str(a), str(prog), str(cur), edit.text)
        cur = made[edit]
    assert cur == prog and len(script) <= len(steps)


def test_the_upper_bound_comes_from_every_shortest_solution(examples_dir):
    """`fd rt fd lt` three times over, on a task that allows 5 blocks: the nearest shortest
    solution wraps the first four blocks in `repeat(3)` and deletes the rest (9 edits). It is
    `repeat(3){fd rt fd lt}`, a form of the loop the search merges into `fd lt bk rt` (10 edits
    away): the upper bound needs every form, not only the one the search keeps."""
    task = load_task(examples_dir / "tasks" / "draw-stairs-at-most.json")
    rep = repair(task, parse("fd rt fd lt fd rt fd lt fd rt fd lt"), timeout=3)
    assert rep.distance == 9
    assert rep.program == parse("repeat(3){fd rt fd lt}")


def test_a_walled_off_goal_is_proved_beyond_repair_before_any_edit(real_tasks):
    """The goal-reachability pass proves no program of any length solves the task; the edit
    layers would have spent their whole share of the time (10 s here) to find nothing."""
    data = real_tasks["1"].to_json()
    t = data["turtle"]
    for tile in data["tiles"]:
        if (tile["x"], tile["y"]) == (t["x"], t["y"]):
            tile["walls"] = {"top": True, "right": True, "bottom": True, "left": True}
    rep = repair(task_from_dict(data, file="<walled in>"), parse("fd rt fd"))
    assert rep.program is None and rep.proved
    assert rep.stats["candidates"] == 0
    assert rep.stats["reason"] == "no run of any length reaches the goal"


def test_no_solution_within_max_distance_after_every_layer_is_a_proof(real_tasks):
    """Five nested repeats are far from task 87's answer: every program within two edits was
    checked, so "none within 2" is proved, not a timeout."""
    far = "repeat(12){repeat(12){repeat(12){repeat(12){repeat(12){fd}}}}}"
    rep = repair(real_tasks["87"], far, timeout=float("inf"), max_distance=2)
    assert rep.program is None and rep.proved and "timeout" not in rep.stats


@pytest.mark.parametrize(
    ("program", "words"), [(None, "NoneType"), (b"fd", "bytes"), (["fd"], "list")]
)
def test_repair_names_a_program_of_the_wrong_type(real_tasks, program, words):
    with pytest.raises(TypeError, match=f"repair expects a Program or a str, got {words}"):
        repair(real_tasks["87"], program)


def test_repair_refuses_a_hand_built_program_the_parser_never_builds(real_tasks):
    with pytest.raises(ProgramError, match="repeat count 0"):
        repair(real_tasks["87"], Program((Repeat(0, (Command("fd"),)),)))


@pytest.mark.parametrize(
    ("task_id", "program"),
    [("5", "setpc(red) setpc(blue) rt fd"), ("50", "setpc(black) setpc(black) fd fd")],
)
def test_a_setpc_short_of_exactly_setpc_is_inserted(real_tasks, task_id, program):
    """With `exactly {setpc: 3}`, a program with two setpc is one insert from a solution (a
    do-nothing setpc), not two deletes, though no shortest solution has a setpc."""
    task = dataclasses.replace(real_tasks[task_id], constraints=Constraints(exactly={"setpc": 3}))
    rep = repair(task, program)
    assert rep.distance == 1 and rep.proved
    assert rep.edits[0].op == "insert" and rep.edits[0].after.startswith("setpc")
    assert run(task, rep.program).solved


# -- the layers grow only where a dying program can be mended -----------------------------------

_walled = st.lists(
    st.sampled_from(
        [*LABELS[:4], Repeat(2, (Command("fd"),)), Repeat(3, (Command("fd"), Command("rt")))]
    ),
    min_size=1,
    max_size=5,
).map(lambda bs: Program(tuple(bs)))


@settings(max_examples=80, deadline=None)
@given(_walled)
def test_an_edit_past_a_dead_move_leaves_the_program_dead(examples_dir, prog):
    task = load_task(examples_dir / "tasks" / "find-circle-avoid-red.json")
    space = Space.of(task)
    reach = reached_before_death(space, prog)
    if reach is None:
        return
    assert not run(task, prog).solved
    for cand, edit in neighbours(prog, LABELS[:4], range(2, 5)):
        if edit.path not in reach:
            assert reached_before_death(space, cand) is not None, (str(prog), edit.text)
            assert not run(task, cand).solved


@pytest.mark.parametrize(
    ("where", "seed"),
    [*(("find-circle-avoid-red", seed) for seed in range(6)), ("24", 0), ("24", 1), ("30", 0)],
)
def test_the_pruned_layers_find_the_solutions_the_full_layers_find(
    examples_dir, real_tasks, where, seed
):
    """Completeness of the pruning (`reached_before_death`): a shortest solution with three
    random edits made to it is repaired at the same distance with or without it (a find task
    with walls; a concat and a sum task, whose goals die of what the run visits too)."""
    import random

    if where in real_tasks:
        task = real_tasks[where]
    else:
        task = load_task(examples_dir / "tasks" / f"{where}.json")
    space = Space.of(task)
    rng = random.Random(seed)
    prog = rng.choice(solve(task, all_solutions=True).programs)
    for _ in range(3):
        prog = rng.choice([cand for cand, _ in neighbours(prog, LABELS[:4], range(2, 5))])
    found = []
    for prune in (True, False):
        stats: dict = {"candidates": 0}
        fix = _EditLayers(space, prog, stats, prune=prune).grow(3, float("inf"))
        found.append((None if fix is None else len(fix[1]), stats["candidates"]))
    (d_pruned, n_pruned), (d_full, n_full) = found
    assert d_pruned == d_full is not None and n_pruned <= n_full


def test_a_program_that_crashes_at_once_grows_only_at_its_start(examples_dir):
    task = load_task(examples_dir / "tasks" / "find-circle-avoid-red.json")
    reach = reached_before_death(Space.of(task), parse("bk fd fd rt fd"))
    assert reach == {(0,)}  # bk runs into the wall: only an edit before or at it can help
