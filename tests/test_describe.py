"""Generated task descriptions, word for word as the reference generates them (SEMANTICS.md 5-6)."""

from __future__ import annotations

import pytest
from core_helpers import lit, make_task, objective

from xlogo_lang.constraints import Constraints
from xlogo_lang.describe import colour_phrase, describe
from xlogo_lang.goals import Literal, Objective, spec_text

RED, BLUE, CIRCLE, LEMON = (
    Literal("color", "red"),
    Literal("color", "blue"),
    Literal("name", "circle"),
    Literal("name", "lemon"),
)


@pytest.mark.parametrize(
    ("task_id", "text"),
    [
        ("22", "Find the green circle without standing on a red circle and purple circle."),
        ("87", "Find the strawberry. Use at most 6 commands."),
        ("11", "Find the strawberry. Use exactly 2 'forward', 1 'right' and 3 commands."),
        ("10b", "Find the strawberry. Don't use 'backward'."),
        ("12a", "Find the strawberry. Start by using'forward'."),
        ("17a", "Find the strawberry. Start by using'forward', 'forward', 'right'."),
        ("9a", "Find only the strawberry."),
        ("24", "First find the orange circle, then the black circle, finally the green circle."),
        ("26", "Collect all blue objects."),
        ("27", "Find the blue triangle without standing on a red."),
        ("28", "Collect all red objects without standing on a green."),
        ("30", "Collect exactly 1 strawberry."),
        ("31", "Collect exactly 4 strawberries."),
        ("50", "Draw the picture."),
        ("54", "Draw the picture. Don't use 'forward'."),
        ("60", "Draw the picture in red."),
        ("64", "Draw the picture using the colors blue, green, red and yellow."),
        ("66", "Draw the picture using the colors red and yellow."),
        ("70", "Draw the picture in blue."),
        ("104", "Draw the picture in red. Use at most 6 commands."),
    ],
)
def test_real_tasks_are_described_as_the_reference_describes_them(real_tasks, task_id, text):
    assert describe(real_tasks[task_id]) == text
    assert real_tasks[task_id].description == text


def test_the_goal_text_of_task_11_comes_from_its_json(tasks_dir):
    import json

    data = json.loads((tasks_dir / "11.json").read_text())
    assert data["goal"] == [{"name": "find", "specs": [[[{"name": "strawberry", "neg": 0}]]]}]
    assert data["constraints"] == [{"exactly": {"fd": 2, "rt": 1, "all": 3}}]


# -- spec text ----------------------------------------------------------------------------------


def test_a_single_name_clause_goes_last():
    assert spec_text(((RED,), (CIRCLE,))) == "red circle"
    assert spec_text(((CIRCLE,), (RED,))) == "red circle"


def test_other_clauses_are_inserted_at_the_front_so_they_end_up_reversed():
    assert spec_text(((RED,), (BLUE,), (CIRCLE,))) == "blue red circle"


def test_name_clauses_keep_their_order():
    assert spec_text(((CIRCLE,), (LEMON,))) == "circle lemon"


def test_the_literals_of_a_clause_are_joined_with_or():
    assert spec_text(((RED, BLUE), (CIRCLE,))) == "red or blue circle"


# -- objective and goal text ----------------------------------------------------------------------


def text_of(*objectives, **kw):
    return describe(make_task(goal=list(objectives), **kw))


def test_find_only():
    assert text_of(objective("findonly", [[lit(name="lemon")]])) == "Find only the lemon."


def test_collect_all_of_a_non_colour_spec_has_no_objects_word():
    assert text_of(objective("collectall", [[lit(name="strawberry")]])) == "Collect all strawberry."


def test_collect_all_of_one_colour_word_says_objects():
    assert text_of(objective("collectall", [[lit(color="red")]])) == "Collect all red objects."


def test_collect_all_nocolor_has_no_objects_word():
    """ "objects" follows one of the eight colour words only, and nocolor is not one."""
    assert text_of(objective("collectall", [[lit(color="nocolor")]])) == "Collect all nocolor."


def test_sum_pluralises_strawberry_and_lemon_above_one():
    assert text_of(objective("sum", [[lit(name="lemon")]], total=3)) == "Collect exactly 3 lemons."
    assert text_of(objective("sum", [[lit(name="lemon")]], total=1)) == "Collect exactly 1 lemon."


def test_concat_of_two_specs_names_each_item_once():
    """The reference says `..., then the B, finally the B`, asking for B twice (README)."""
    a, b = [[lit(name="A")]], [[lit(name="B")]]
    assert text_of(objective("concat", a, b)) == "First find the A, then the B."


def test_concat_of_four_specs_lists_the_middle_ones_as_the_reference_does():
    """SEMANTICS section 5: each middle spec is written `Si,`, with no space after the comma."""
    specs = [[[lit(name=n)]] for n in "ABCD"]
    assert text_of(objective("concat", *specs)) == "First find the A, then the B, C,finally the D."


def test_every_forbid_after_the_first_is_joined_with_and():
    red, green, blue = ([[lit(color=c)]] for c in ("red", "green", "blue"))
    text = text_of(
        objective("find", [[lit(name="lemon")]]),
        objective("forbid", red),
        objective("forbid", green),
        objective("forbid", blue),
    )
    assert text == "Find the lemon without standing on a red and green and blue."


def test_objectives_are_described_in_processing_order():
    text = text_of(
        objective("forbid", [[lit(color="red")]]),
        objective("find", [[lit(name="lemon")]]),
        objective("forbid", [[lit(color="blue")]]),
    )
    assert text == "without standing on a red and blue Find the lemon."


def test_an_objective_text_stands_alone():
    from xlogo_lang.describe import objective_text

    assert objective_text(Objective("draw", ())) == "Draw the picture"


# -- colour phrase and constraints ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("colours", "phrase"),
    [
        ([], ""),
        (["black"], ""),
        (["white"], ""),
        (["red"], "in red"),
        (["white", "red"], "in red"),
        (["red", "black"], "using the colors black and red"),
        (["yellow", "blue", "red"], "using the colors blue, red and yellow"),
    ],
)
def test_the_colour_phrase_lists_line_colours_without_white_sorted(colours, phrase):
    assert colour_phrase(colours) == phrase


def test_draw_tasks_name_their_colours():
    task = make_task(1, 3, lines=[(0, 0, 1, 0, "green"), (1, 0, 2, 0, "white")], goal=None)
    assert describe(task) == "Draw the picture in green."


def test_several_constraint_rules_are_lettered():
    text = Constraints(exactly={"fd": 0, "rt": 0}).text()
    assert text == "Follow these rules: (a) Don't use 'forward'. (b) Don't use 'right'."
    task = make_task(
        goal=[objective("find", [[lit(name="strawberry")]])],
        constraints={"exactly": {"fd": 0, "rt": 0}},
    )
    assert describe(task) == "Find the strawberry. " + text


def test_a_description_ends_with_exactly_one_full_stop():
    task = make_task(
        goal=[objective("find", [[lit(name="strawberry")]])],
        constraints={"exactly": {"fd": 0, "rt": 0}},
    )
    assert describe(task).endswith("'right'.")
    assert not describe(task).endswith("..")


def test_the_platform_text_is_kept_apart_from_the_generated_one(real_tasks):
    task = real_tasks["22"]
    assert (
        task.platform_description
        == "Find the green circle without crossing the red and the purple circle."
    )
    assert task.description != task.platform_description


def test_an_empty_goal_is_described_as_the_reference_loader_reads_it_a_drawing():
    """`goal: []` always holds, but the reference's task loader turns it into a drawing, and
    its description is that drawing's (SEMANTICS section 5)."""
    task = make_task(goal=[], lines=[(0, 0, 1, 0, "blue")])
    assert describe(task) == "Draw the picture in blue."
    assert describe(make_task(goal=[])) == "Draw the picture."
