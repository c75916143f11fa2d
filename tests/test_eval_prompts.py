"""Prompts: what a model is shown, in text and vision mode, with shipped or custom templates."""

from __future__ import annotations

import json

import pytest
from core_helpers import lit, make_task, objective

from xlogo_lang.cli import main as cli_main
from xlogo_lang.errors import UsageError
from xlogo_lang.eval.prompts import build_prompt, grid_map, picture_map


def test_text_prompt_holds_rules_world_goal_and_answer_format(real_tasks):
    t = real_tasks["87"]
    p = build_prompt(t)
    for rule in (
        "`fd`",
        "`bk`",
        "`lt`",
        "`rt`",
        "`setpc(c)`",
        "`repeat(n){ ... }`",
        "crashes",
        "pen",
    ):
        assert rule in p.user
    assert "Grid: 3 rows and 4 columns" in p.user
    assert "Turtle: starts at (0, 2), facing north (up)." in p.user
    assert "Forbidden cells: (0, 0)" in p.user and "between (0, 0) and (0, 1)" in p.user
    assert "- a: red strawberry at (3, 2)" in p.user
    assert t.description in p.user  # goal and constraints as the core words them
    assert "exactly one fenced code block" in p.user
    assert p.image_png is None and p.system


def test_the_text_map_marks_turtle_items_forbidden_cells_and_walls(real_tasks):
    m = grid_map(real_tasks["9a"].world)
    rows = m.splitlines()
    assert rows[1].split() == ["0", "a", ".", "b"]
    assert "T^" in rows[-1] and "#" in rows[-1] and "|" in rows[-1]
    assert "---" in m


def test_letter_items_are_labelled_by_their_letter_and_the_others_from_a():
    """By grid position, the letter C read `b: black letter C` and stood as `b` on the map."""
    items = [(0, 1, "C", "black", 1), (1, 1, "strawberry", "red", 1), (2, 1, "A", "black", 1)]
    p = build_prompt(make_task(items=items, goal=[objective("find", [[lit(name="C")]])]))
    assert "- C: black letter C at (0, 1)" in p.user and "- A: black letter A at (2, 1)" in p.user
    assert "- a: red strawberry at (1, 1)" in p.user
    assert "  1   C   a   A" in p.user
    assert "T = turtle (the arrow shows its heading)" in p.user


def test_a_letter_t_item_is_told_apart_from_the_turtle():
    task = make_task(items=[(2, 2, "T", "black", 1)], goal=[objective("find", [[lit(name="T")]])])
    p = build_prompt(task)
    assert "T with an arrow = turtle (the arrow shows its heading), T alone = letter T" in p.user


def test_draw_tasks_list_the_target_picture_and_draw_it_as_a_map(real_tasks):
    p = build_prompt(real_tasks["73"])
    assert "- a green line from (0, 1) to (0, 2)" in p.user
    assert "G = green, W = white" in p.user
    pm = picture_map(real_tasks["73"].world)
    assert pm.splitlines()[1] == "  0  oWWWoGGGoWWWo"


def test_items_with_counts_and_missing_cells_are_named(real_tasks):
    strawberries = [
        t for t in real_tasks.values() if any((i.count or 1) > 1 for i in t.world.items.values())
    ]
    assert "(count " in build_prompt(strawberries[0]).user
    assert "Missing cells (no tile)" in build_prompt(real_tasks["73"]).user


def test_vision_prompt_attaches_a_png_and_leaves_the_grid_listing_out(real_tasks):
    p = build_prompt(real_tasks["22"], mode="vision")
    assert p.image_png is not None and p.image_png.startswith(b"\x89PNG")
    assert "Items:" not in p.user and "Map (" not in p.user
    assert "attached picture" in p.user and "Find the green circle" in p.user
    content = p.messages()[-1]["content"]
    assert content[1]["image_url"]["url"].startswith("data:image/png;base64,")


def test_python_answer_format_asks_for_def_run(real_tasks):
    p = build_prompt(real_tasks["1"], answer_format="python")
    assert "def Run():" in p.user and "move_forward()" in p.user
    assert p.template_hash != build_prompt(real_tasks["1"]).template_hash


def test_template_hash_names_template_mode_and_answer_format_not_the_task(real_tasks):
    a, b = build_prompt(real_tasks["1"]), build_prompt(real_tasks["22"])
    assert a.template_hash == b.template_hash
    assert build_prompt(real_tasks["1"], mode="vision").template_hash != a.template_hash


def test_a_custom_template_file_replaces_the_shipped_one(real_tasks, tmp_path):
    tpl = tmp_path / "mine.txt"
    tpl.write_text(
        "--- system ---\nBe brief.\n--- user ---\nTask $task_id: $description\n$answer_format\n"
    )
    p = build_prompt(real_tasks["87"], template=tpl)
    assert p.system == "Be brief."
    assert p.user.startswith("Task 87: Find the strawberry. Use at most 6 commands.")


def test_a_template_with_an_unknown_placeholder_is_a_usage_error(real_tasks, tmp_path):
    tpl = tmp_path / "bad.txt"
    tpl.write_text("--- user ---\n$wrld\n")
    with pytest.raises(UsageError, match=r"unknown placeholder \$wrld"):
        build_prompt(real_tasks["1"], template=tpl)


@pytest.mark.parametrize(
    "text",
    [
        "--- system ---\nhi\n--- user ---\nno placeholders {nope} {{\n",
        "--- user ---\nTask $task_id, ${rows}x$cols. Price $$world.\n$answer_format\n",
    ],
)
def test_a_template_that_names_neither_world_nor_description_is_refused_naming_it(
    real_tasks, tasks_dir, tmp_path, text, capsys
):
    # accepted before: every task got the same prompt, and eval exited 0
    tpl = tmp_path / "fixed.txt"
    tpl.write_text(text)
    with pytest.raises(UsageError, match=r"names neither \$world nor \$description") as err:
        build_prompt(real_tasks["87"], template=tpl)
    assert err.value.file == str(tpl)
    assert cli_main(["prompt", str(tasks_dir / "1.json"), "--template", str(tpl)]) == 2
    assert str(tpl) in capsys.readouterr().err


def test_an_unknown_constraint_mode_is_a_usage_error_naming_the_parameter(real_tasks):
    words = r"\(use grammar or json, or None\)"
    with pytest.raises(UsageError, match=f"unknown constrain 'regex' {words}"):
        build_prompt(real_tasks["1"], constrain="regex")


def test_an_unknown_answer_format_is_a_usage_error_naming_the_parameter(real_tasks):
    with pytest.raises(UsageError, match=r"unknown answer_format 'yaml' \(use text or python\)"):
        build_prompt(real_tasks["1"], answer_format="yaml")


@pytest.mark.parametrize("task", ["x.json", None, {"id": "1"}])
def test_a_task_that_is_not_a_task_is_a_type_error_naming_its_type(task):
    kind = type(task).__name__
    with pytest.raises(TypeError, match=f"^build_prompt expects a Task, got {kind} .*load_task"):
        build_prompt(task)


def test_a_missing_template_file_is_a_usage_error_naming_the_shipped_ones(real_tasks, tmp_path):
    """It said "[Errno 2] No such file or directory: '.../nope.txt'", Python's own words."""
    with pytest.raises(UsageError) as caught:
        build_prompt(real_tasks["1"], template=tmp_path / "nope.txt")
    assert caught.value.message == "cannot read the template: no such file or directory"
    assert caught.value.hint == "a template file, or the shipped template's name: default"


def test_cli_prompt_prints_the_exact_prompt(tasks_dir, capsys):
    assert cli_main(["prompt", str(tasks_dir / "87.json")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("--- system ---\n") and "Use at most 6 commands." in out


def test_cli_prompt_json_names_where_the_picture_was_written(tasks_dir, tmp_path, capsys):
    png = tmp_path / "p.png"
    argv = ["prompt", str(tasks_dir / "22.json"), "--mode", "vision", "--image", str(png)]
    assert cli_main([*argv, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["image"] == str(png) and png.is_file()


def test_cli_prompt_json_gives_chat_messages_and_writes_the_picture(tasks_dir, tmp_path, capsys):
    png = tmp_path / "p.png"
    assert (
        cli_main(
            [
                "prompt",
                str(tasks_dir / "22.json"),
                "--mode",
                "vision",
                "--image",
                str(png),
                "--json",
            ]
        )
        == 0
    )
    msg = json.loads(capsys.readouterr().out)["messages"]
    assert [m["role"] for m in msg] == ["system", "user"]
    assert png.read_bytes().startswith(b"\x89PNG")


def test_cli_prompt_with_a_bad_mode_is_a_usage_error(tasks_dir, capsys):
    with pytest.raises(SystemExit) as exc:
        cli_main(["prompt", str(tasks_dir / "1.json"), "--mode", "audio"])
    assert exc.value.code == 2


EMPTY_TEMPLATES = {
    "empty_file": "",
    "blank_file": "\n  \n",
    "empty_user": "--- system ---\nYou solve tasks.\n--- user ---\n\n",
    "empty_system": "--- system ---\n--- user ---\n$world\n",
}


@pytest.mark.parametrize("kind", EMPTY_TEMPLATES)
def test_a_template_that_would_send_an_empty_prompt_or_system_message_is_a_usage_error(
    real_tasks, tmp_path, kind
):
    tpl = tmp_path / "empty.txt"
    tpl.write_text(EMPTY_TEMPLATES[kind], encoding="utf-8")
    with pytest.raises(UsageError, match="empty") as err:
        build_prompt(real_tasks["87"], template=str(tpl))
    assert err.value.file == str(tpl)


def test_eval_refuses_an_empty_template_before_any_request(tasks_dir, tmp_path, capsys):
    tpl = tmp_path / "empty.txt"
    tpl.write_text("", encoding="utf-8")
    argv = ["eval", "--model", "m", "--tasks", str(tasks_dir), "--template", str(tpl)]
    assert cli_main([*argv, "--out", str(tmp_path / "r.jsonl"), "--dry-run"]) == 2
    assert f"{tpl}: the template is empty" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("answer_format", "constrain", "example"),
    [
        ("text", "grammar", "repeat(3){"),
        ("python", "grammar", "def Run():"),
        ("text", "json", '{"run": [{"type": "fd"}'),
        ("python", "json", '{"run": [{"type": "fd"}'),
    ],
)
def test_under_constrained_decoding_the_prompt_asks_for_the_program_alone(
    real_tasks, answer_format, constrain, example
):
    """The grammar or schema allows the program and nothing else: no reasoning, no fence."""
    user = build_prompt(real_tasks["87"], answer_format=answer_format, constrain=constrain).user
    answer = user.split("# Your answer", 1)[1]
    assert "Give only your final program" in answer and example in answer
    assert "```" not in answer and "step by step" not in answer


def test_constrained_prompts_have_a_template_hash_of_their_own(real_tasks):
    task = real_tasks["87"]
    plain = build_prompt(task).template_hash
    assert build_prompt(task, constrain="grammar").template_hash != plain
    assert build_prompt(task, constrain=None).template_hash == plain


def test_a_bad_dollar_is_placed_on_the_template_files_own_line(real_tasks, tmp_path):
    template = tmp_path / "t.txt"
    template.write_text("--- system ---\nline2\nline3\n--- user ---\nline5\nprice $5\n")
    with pytest.raises(UsageError) as info:
        build_prompt(real_tasks["87"], template=template)
    assert (info.value.line, info.value.column) == (6, 7)
