"""Goals (SEMANTICS.md section 5) and code constraints (section 6), each rule on a small world."""

from __future__ import annotations

import pickle

import pytest
from core_helpers import lit, make_task, objective

from xlogo_lang import TaskError, load_task, parse, run
from xlogo_lang.ast import Span
from xlogo_lang.constraints import Constraints, count_blocks
from xlogo_lang.goals import Goal, Literal, Objective

STRAWBERRY = [[lit(name="strawberry")]]
LEMON = [[lit(name="lemon")]]


def row(*items, goal, **kw):
    """A 1x4 corridor, turtle on the left facing east, items placed by column."""
    placed = [(x, 0, *item) for x, item in items]
    return make_task(1, 4, turtle=(0, 0, 1), items=placed, goal=goal, **kw)


def goal_ok(task, text):
    verdict = run(task, text)
    assert not verdict.crashed
    return verdict.goal_ok


# -- find, forbid, collectall, sum ----------------------------------------------------------------


def test_find_does_not_require_ending_on_the_item():
    task = row((1, ("strawberry", "red", 1)), goal=[objective("find", STRAWBERRY)])
    assert goal_ok(task, "fd fd")


def test_find_fails_when_the_item_is_never_reached():
    task = row((2, ("strawberry", "red", 1)), goal=[objective("find", STRAWBERRY)])
    verdict = run(task, "fd")
    assert verdict.goal_ok is False
    assert verdict.goal_result.reason == "never reached the strawberry"


def test_a_find_of_an_item_the_world_does_not_have_says_so():
    """A teacher's goal naming an item left out of `items`: "visited the strawberry but the goal
    asks for the lemon" sent them looking at the program."""
    task = row((1, ("strawberry", "red", 1)), goal=[objective("find", LEMON)])
    verdict = run(task, "fd")
    assert verdict.goal_ok is False
    assert verdict.goal_result.reason == "there is no lemon on the grid"


def test_the_start_cell_counts_for_find():
    task = row((0, ("strawberry", "red", 1)), goal=[objective("find", STRAWBERRY)])
    assert goal_ok(task, "")


def test_a_spec_matches_a_cell_when_every_clause_has_a_true_literal():
    red_circle = [[lit(color="red")], [lit(name="circle")]]
    task = row(
        (1, ("circle", "blue", 1)), (2, ("triangle", "red", 1)), (3, ("circle", "red", 1)),
        goal=[objective("find", red_circle)],
    )  # fmt: skip
    assert not goal_ok(task, "fd fd")
    assert goal_ok(task, "fd fd fd")


def test_a_clause_is_a_disjunction():
    task = row(
        (1, ("lemon", "yellow", 1)),
        goal=[objective("find", [[lit(name="strawberry"), lit(name="lemon")]])],
    )
    assert goal_ok(task, "fd")


def test_noname_matches_empty_cells():
    task = row((1, ("lemon", "yellow", 1)), goal=[objective("find", [[lit(name="noname")]])])
    assert goal_ok(task, "")  # the start cell is empty


def test_forbid_fails_when_the_trace_touches_a_forbidden_item():
    goal = [objective("find", LEMON), objective("forbid", STRAWBERRY)]
    task = row((1, ("strawberry", "red", 1)), (2, ("lemon", "yellow", 1)), goal=goal)
    verdict = run(task, "fd fd")
    assert verdict.goal_ok is False
    assert verdict.goal_result.kind == "forbidden_item"


def test_collectall_needs_every_matching_item_on_the_trace():
    goal = [objective("collectall", [[lit(color="green")]])]
    task = row((1, ("triangle", "green", 1)), (3, ("cross", "green", 1)), goal=goal)
    assert not goal_ok(task, "fd fd")
    assert goal_ok(task, "fd fd fd")


def test_collectall_is_false_when_there_is_nothing_to_collect():
    task = row((1, ("lemon", "yellow", 1)), goal=[objective("collectall", STRAWBERRY)])
    assert not goal_ok(task, "fd fd fd")


def test_sum_adds_the_counts_of_distinct_visited_cells():
    goal = [objective("sum", STRAWBERRY, total=5)]
    task = row((1, ("strawberry", "red", 2)), (2, ("strawberry", "red", 3)), goal=goal)
    assert goal_ok(task, "fd fd")
    assert goal_ok(task, "fd fd bk fd")  # passing a cell again adds nothing
    assert goal_ok(task, "fd fd fd")  # moving on past the items changes nothing
    assert not goal_ok(task, "fd")


# -- concat ---------------------------------------------------------------------------------------


def concat_task():
    goal = [objective("concat", [[lit(name="A")]], [[lit(name="B")]])]
    return row((1, ("A", "black", 1)), (2, ("B", "black", 1)), goal=goal)


def test_concat_needs_the_items_in_order():
    assert goal_ok(concat_task(), "fd fd")


def test_concat_fails_when_an_item_is_visited_twice():
    assert not goal_ok(concat_task(), "fd fd bk")


def test_a_visit_in_order_of_an_item_the_world_does_not_have_says_which():
    goal = [objective("concat", [[lit(name="A")]], [[lit(name="C")]])]
    task = row((1, ("A", "black", 1)), (2, ("B", "black", 1)), goal=goal)
    assert run(task, "fd fd").goal_result.reason == "there is no C on the grid (item 2 of 2)"


def test_concat_fails_in_the_wrong_order():
    goal = [objective("concat", [[lit(name="B")]], [[lit(name="A")]])]
    task = row((1, ("A", "black", 1)), (2, ("B", "black", 1)), goal=goal)
    verdict = run(task, "fd fd")
    assert verdict.goal_ok is False
    assert verdict.goal_result.kind == "order"


def test_concat_may_start_on_the_start_cell_and_move_on_past_the_last_item():
    goal = [objective("concat", [[lit(name="A")]], [[lit(name="B")]])]
    task = row((0, ("A", "black", 1)), (1, ("B", "black", 1)), goal=goal)
    assert goal_ok(task, "fd fd fd")


def test_concat_later_items_may_not_be_on_the_start_cell():
    goal = [objective("concat", [[lit(name="A")]], [[lit(name="B")]])]
    task = row((0, ("B", "black", 1)), (1, ("A", "black", 1)), goal=goal)
    assert not goal_ok(task, "fd")


def test_a_visit_in_order_whose_two_items_one_cell_matches_says_so_not_wrong_order():
    """A red circle is both "the red" and "the circle", and one visit cannot count for both
    (after the start cell): no order of visits helps, so "the wrong order" would mislead."""
    goal = [objective("concat", [[lit(color="red")]], [[lit(name="circle")]])]
    task = row((1, ("circle", "red", 1)), goal=goal)
    assert run(task, "fd").goal_result.reason == (
        "the red circle at (1,0) is both the red and the circle; "
        "each item of the order must be visited on a cell of its own"
    )


# -- findonly and combining objectives ------------------------------------------------------------


def test_findonly_forbids_every_other_item_on_the_way():
    goal = [objective("findonly", LEMON)]
    task = row((1, ("strawberry", "red", 1)), (2, ("lemon", "yellow", 1)), goal=goal)
    assert not goal_ok(task, "fd fd")
    task = row((2, ("lemon", "yellow", 1)), (3, ("strawberry", "red", 1)), goal=goal)
    assert goal_ok(task, "fd fd")


def test_only_the_last_target_objective_counts():
    goal = [objective("find", STRAWBERRY), objective("find", LEMON)]
    task = row((1, ("lemon", "yellow", 1)), (3, ("strawberry", "red", 1)), goal=goal)
    assert goal_ok(task, "fd")


def test_a_forbid_before_a_findonly_is_dropped():
    goal = [objective("forbid", [[lit(name="circle")]]), objective("findonly", LEMON)]
    task = row((1, ("lemon", "yellow", 1)), goal=goal)
    # findonly replaces the forbid list, and "only lemons" is what the run does
    assert goal_ok(task, "fd")
    goal = [objective("findonly", LEMON), objective("forbid", [[lit(name="noname")]])]
    assert not goal_ok(row((1, ("lemon", "yellow", 1)), goal=goal), "fd")


def test_objectives_are_grouped_by_name_in_order_of_first_appearance():
    goal = [
        objective("find", STRAWBERRY),
        objective("forbid", LEMON),
        objective("find", [[lit(name="circle")]]),
    ]
    task = row((1, ("circle", "red", 1)), goal=goal)
    assert goal_ok(task, "fd")


def test_an_empty_goal_always_holds():
    assert goal_ok(row(goal=[]), "fd")


# -- draw -----------------------------------------------------------------------------------------


def draw_task(**kw):
    # the draw spec is ignored by the check: only the world's lines count
    spec = [[{"x1": 0, "y1": 0, "x2": 0, "y2": 0, "color": "#000000"}]]
    lines = [(0, 1, 0, 0, "red"), (0, 0, 1, 0, "blue")]
    return make_task(2, 2, turtle=(0, 1, 0), lines=lines, goal=[objective("draw", spec)], **kw)


def test_draw_compares_the_picture_segment_by_segment_with_colours():
    assert goal_ok(draw_task(), "setpc(red) fd rt setpc(blue) fd")


def test_draw_ignores_direction_and_redrawing_and_the_last_colour_wins():
    # the red edge is first drawn blue, then redrawn red in the other direction
    assert goal_ok(draw_task(), "setpc(blue) fd rt fd bk rt setpc(red) fd")


def test_draw_fails_on_a_wrong_colour_and_says_which():
    verdict = run(draw_task(), "setpc(red) fd rt fd")
    assert verdict.goal_ok is False
    assert "wrong colour" in verdict.reason


def test_the_wrong_colour_reason_counts_segments_and_names_cells_as_other_reasons_do():
    verdict = run(draw_task(), "setpc(red) fd rt fd")
    assert "1 segment in the wrong colour (e.g. (0,0)-(1,0) is red, should be blue)" in (
        verdict.reason
    )


def test_a_sum_reason_gives_its_total_in_the_plural_as_the_description_does(examples_dir):
    task = load_task(examples_dir / "tasks" / "collect-five-strawberries.json")
    verdict = run(task, "fd")  # onto the strawberry worth 3
    assert verdict.reason == "collected 3 strawberries in total; the goal asks for exactly 5"


def test_draw_fails_on_an_extra_segment():
    verdict = run(draw_task(), "setpc(red) fd rt setpc(blue) fd rt fd")
    assert verdict.goal_ok is False
    assert "1 extra segment" in verdict.reason


def test_draw_overrides_every_other_objective():
    task = make_task(
        1, 2, turtle=(0, 0, 1), lines=[(0, 0, 1, 0, "black")],
        goal=[objective("find", STRAWBERRY), objective("draw", [])],
    )  # fmt: skip
    assert goal_ok(task, "fd")


def test_draw_with_no_lines_fails_on_any_move():
    task = make_task(goal=[objective("draw", [])])
    assert goal_ok(task, "rt")
    assert not goal_ok(task, "fd")


# -- constraints: counting ----------------------------------------------------------------------


def test_blocks_are_counted_statically_with_repeats_and_their_bodies():
    counts = count_blocks(parse("repeat(4){repeat(3){fd} rt}"))
    assert dict(counts) == {"repeat": 2, "fd": 1, "rt": 1, "all": 4}


def test_setpc_counts_as_a_block():
    assert count_blocks(parse("setpc(red) fd"))["all"] == 2


# -- constraints: checking ------------------------------------------------------------------------


def violated(constraints: Constraints, text: str) -> list[str]:
    return [v.rule for v in constraints.check(parse(text))]


def test_at_most_all_bounds_the_block_count():
    c = Constraints(at_most={"all": 3})
    assert violated(c, "fd repeat(2){fd}") == []
    assert violated(c, "fd fd rt fd") == ["at_most"]


def test_exactly_is_only_checked_for_types_that_appear():
    c = Constraints(exactly={"fd": 2, "rt": 1, "all": 3})
    assert violated(c, "fd fd lt") == []  # no rt at all: not checked
    assert violated(c, "fd fd rt") == []
    assert violated(c, "fd rt rt") == ["exactly", "exactly"]


def test_the_exactly_types_a_program_does_not_use_are_named_as_unchecked():
    c = Constraints(exactly={"fd": 2, "rt": 1, "bk": 0, "all": 3})
    # bk 0 is a ban, and all is always checked
    assert c.unchecked(count_blocks(parse("fd fd lt"))) == ["rt"]
    assert c.unchecked(count_blocks(parse("repeat(2){fd} rt"))) == []


def test_exactly_zero_means_do_not_use():
    c = Constraints(exactly={"bk": 0})
    assert violated(c, "fd fd") == []
    (v,) = c.check(parse("fd bk"))
    assert v.message == "1 'backward' used; this task forbids it"


def test_start_by_looks_at_the_top_level_only():
    c = Constraints(start_by=("repeat", "rt"))
    assert violated(c, "repeat(2){fd} rt fd") == []
    assert violated(c, "fd repeat(2){fd} rt") == ["start_by"]


def test_a_wrong_start_is_reported_beside_a_count_violation():
    # the reference stops at the first failed rule (only the boolean matters to it); a learner
    # told only "2 commands used" would fix that and then meet the start rule
    c = Constraints(at_most={"all": 1}, start_by=("fd",))
    assert violated(c, "rt rt") == ["at_most", "start_by"]


def test_a_violation_points_at_the_code():
    (v,) = Constraints(at_most={"fd": 1}).check(parse("fd\nrt\nfd"))
    assert (v.span.line, v.span.column) == (3, 1)


def test_a_per_type_at_most_points_at_the_first_block_over_its_bound():
    (v,) = Constraints(at_most={"fd": 2}).check(parse("fd rt fd lt fd rt fd"))
    assert v.span == Span(1, 13, 1, 15)  # the third fd, not the last


def test_constraint_results_appear_in_the_verdict(real_tasks):
    verdict = run(real_tasks["87"], "fd rt fd fd fd rt fd")
    assert verdict.goal_ok is True
    assert verdict.constraints_ok is False
    assert verdict.reason == "7 commands used; this task allows at most 6"


# -- constraints: a built one cannot change -------------------------------------------------------


def test_constraints_cannot_be_changed_through_their_bounds(tasks_dir):
    task = load_task(tasks_dir / "87.json")  # its own copy: a shared one must not be changed
    with pytest.raises(TypeError, match="read-only"):
        task.constraints.at_most["all"] = 3


def test_constraints_keep_a_copy_of_the_bounds_they_are_given():
    bounds = {"all": 6}
    c = Constraints(at_most=bounds)
    bounds["all"] = 3
    assert c.at_most == {"all": 6}


def test_constraints_survive_pickling_equal_hashing_equal_and_read_only():
    c = Constraints(exactly={"fd": 2}, at_most={"all": 6}, start_by=("fd",))
    again = pickle.loads(pickle.dumps(c))
    assert again == c and hash(again) == hash(c)
    with pytest.raises(TypeError, match="read-only"):
        again.exactly.clear()


# -- constraints and goals built by hand ----------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "path", "words"),
    [
        ({"start_by": ("jump",)}, "start_by[0]", "unknown block type 'jump'"),
        ({"start_by": ["fd"]}, "start_by", "a tuple of block types, not list"),
        ({"at_most": {"all": -1}}, "at_most.all", r"-1 is out of range \(>= 0\)"),
        ({"at_most": {"jump": 1}}, "at_most.jump", "unknown command type"),
        ({"exactly": {"fd": True}}, "exactly.fd", "expected an integer, found a boolean"),
        ({"exactly": {"fd": 1}, "at_most": {"fd": 2}}, "at_most.fd", "bounded both"),
        ({"exactly": [("fd", 1)]}, "exactly", "a mapping of command type to count"),
    ],
)
def test_hand_built_constraints_refuse_what_no_task_file_describes(fields, path, words):
    with pytest.raises(TaskError, match=words) as info:
        Constraints(**fields)
    assert info.value.path == path


def test_a_hand_built_constraint_gets_the_hint_a_task_file_gets():
    with pytest.raises(TaskError) as info:
        Constraints(at_most={"forward": 2})
    assert info.value.hint == "did you mean fd?"


def test_a_hand_built_constraint_is_refused_in_the_words_a_task_file_gets():
    with pytest.raises(TaskError) as from_file:
        row(goal=[], constraints={"at_most": {"all": -1}})
    with pytest.raises(TaskError) as by_hand:
        Constraints(at_most={"all": -1})
    assert by_hand.value.message == from_file.value.message
    assert from_file.value.path == "constraints.at_most.all"


A_SPEC = ((Literal("name", "strawberry"),),)


@pytest.mark.parametrize(
    ("objective", "path", "words"),
    [
        (Objective("fly", ()), "objectives[0].name", "unknown objective 'fly'"),
        (Objective("find", ()), "objectives[0].specs", "find takes exactly one spec, found 0"),
        (Objective("concat", (A_SPEC,)), "objectives[0].specs", "concat needs at least two"),
        (Objective("find", [A_SPEC]), "objectives[0].specs", "a tuple of specs, not list"),  # type: ignore[arg-type]
        (Objective("draw", (A_SPEC,)), "objectives[0].specs", "a draw objective holds no specs"),
        (Objective("sum", (A_SPEC,)), "objectives[0].total_cnt", "needs total_cnt"),
        (Objective("find", (A_SPEC,), 3), "objectives[0].total_cnt", "sum objectives only"),
        (Objective("sum", (A_SPEC,), -1), "objectives[0].total_cnt", "out of range"),
        (Objective("find", ((),)), "objectives[0].specs[0]", "at least one clause"),
        (Objective("find", (((),),)), "objectives[0].specs[0][0]", "at least one literal"),
        (Objective("find", ((("strawberry",),),)), "objectives[0].specs[0][0][0]", "a Literal"),
        (
            Objective("find", (((Literal("name", "jump"),),),)),
            "objectives[0].specs[0][0][0].name",
            "unknown item name 'jump'",
        ),
        (
            Objective("find", (((Literal("colour", "red"),),),)),
            "objectives[0].specs[0][0][0].colour",
            "unknown literal key 'colour'",
        ),
        (
            Objective("find", (((Literal("count", 9),),),)),
            "objectives[0].specs[0][0][0].count",
            r"9 is out of range \(1\.\.4\)",
        ),
        (
            Objective("find", (((Literal("name", "lemon", 1),),),)),  # type: ignore[arg-type]
            "objectives[0].specs[0][0][0].neg",
            "true or false",
        ),
    ],
)
def test_a_hand_built_goal_refuses_what_no_task_file_describes(objective, path, words):
    with pytest.raises(TaskError, match=words) as info:
        Goal((objective,))
    assert info.value.path == path


def test_a_hand_built_goal_holds_a_tuple_of_objectives():
    with pytest.raises(TaskError, match="a tuple of Objectives, not list") as info:
        Goal([Objective("draw", ())])  # type: ignore[arg-type]
    assert info.value.path == "objectives"


def test_a_hand_built_goal_is_refused_in_the_words_a_task_file_gets():
    with pytest.raises(TaskError) as from_file:
        row(goal=[objective("find", [[lit(name="jump")]])])
    with pytest.raises(TaskError) as by_hand:
        Goal((Objective("find", (((Literal("name", "jump"),),),)),))
    assert by_hand.value.message == from_file.value.message
    assert from_file.value.path == "goal[0].specs[0][0][0].name"


@pytest.mark.parametrize(
    ("constraints", "text"),
    [
        (Constraints(at_most={"all": 6}), "Use at most 6 commands"),
        (
            Constraints(exactly={"fd": 2, "rt": 1, "all": 3}),
            "Use exactly 2 'forward', 1 'right' and 3 commands",
        ),
        (Constraints(exactly={"all": 3, "fd": 2}), "Use exactly 2 'forward' and 3 commands"),
        (Constraints(exactly={"bk": 0}), "Don't use 'backward'"),
        (Constraints(start_by=("fd", "fd", "rt")), "Start by using'forward', 'forward', 'right'"),
        (
            Constraints(exactly={"fd": 0, "rt": 0}),
            "Follow these rules: (a) Don't use 'forward'. (b) Don't use 'right'.",
        ),
        (
            Constraints(exactly={"lt": 0}, at_most={"all": 5, "repeat": 1}, start_by=("setpc",)),
            "Follow these rules: (a) Start by using'set pen color'."
            " (b) Use at most 1 'repeat' and 5 commands. (c) Don't use 'left'.",
        ),
        (Constraints(), ""),
    ],
)
def test_constraint_text_is_the_reference_sentence(constraints, text):
    assert constraints.text() == text
