"""Fine-tuning data: one chat conversation per generated task, with the evaluation's own prompt
and the shortest solution as the answer, in the format TRL, Axolotl and OpenAI read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_gen_fixtures import generated_pool

from xlogo_lang.cli import main as xlogo
from xlogo_lang.eval.prompts import build_prompt
from xlogo_lang.eval.scoring import score_response
from xlogo_lang.gen.dataset import iter_records, record_task


@pytest.fixture(scope="module")
def pool() -> Path:
    return generated_pool()


def _lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_every_task_becomes_one_system_user_assistant_conversation(
    pool: Path, tmp_path: Path
) -> None:
    out = tmp_path / "train.jsonl"
    assert xlogo(["sft", str(pool), "--out", str(out)]) == 0
    lines = _lines(out)
    records = list(iter_records(pool))
    assert len(lines) == len(records)
    for line in lines:
        assert [m["role"] for m in line["messages"]] == ["system", "user", "assistant"]
        assert all(isinstance(m["content"], str) for m in line["messages"])


def test_the_prompt_is_the_one_eval_sends(pool: Path, tmp_path: Path) -> None:
    out = tmp_path / "train.jsonl"
    assert xlogo(["sft", str(pool), "--out", str(out), "--limit", "5"]) == 0
    for line, rec in zip(_lines(out), iter_records(pool), strict=False):
        prompt = build_prompt(record_task(rec))
        assert line["messages"][0]["content"] == prompt.system
        assert line["messages"][1]["content"] == prompt.user
        assert line["metadata"]["task_id"] == rec["id"]


@pytest.mark.parametrize("answer_format", ["text", "python"])
def test_the_answer_scores_as_solved_by_the_eval_scorer(
    pool: Path, tmp_path: Path, answer_format: str
) -> None:
    out = tmp_path / "train.jsonl"
    assert xlogo(["sft", str(pool), "--out", str(out), "--answer-format", answer_format]) == 0
    for line, rec in zip(_lines(out), iter_records(pool), strict=True):
        scored = score_response(record_task(rec), line["messages"][-1]["content"])
        assert scored["solved"], (rec["id"], scored["reason"])
        assert scored["size"] == rec["size"]


def test_vision_mode_writes_pictures_beside_the_file_and_references_them(
    pool: Path, tmp_path: Path
) -> None:
    out = tmp_path / "sft" / "train.jsonl"
    assert xlogo(["sft", str(pool), "--out", str(out), "--mode", "vision", "--limit", "3"]) == 0
    lines = _lines(out)
    assert len(lines) == 3
    for line in lines:
        (rel,) = line["images"]
        png = out.parent / rel
        assert png.read_bytes().startswith(b"\x89PNG")
        parts = line["messages"][1]["content"]
        assert {"type": "image", "path": rel} in parts
        assert any(p["type"] == "text" for p in parts)


def test_a_picture_left_by_an_earlier_run_for_another_task_is_replaced(
    pool: Path, tmp_path: Path
) -> None:
    """Ids repeat across folders made with one seed: a stale picture would pair a task with
    another task's grid."""
    from xlogo_lang.eval.prompts import build_prompt

    out = tmp_path / "sft" / "train.jsonl"
    first = next(iter_records(pool))
    png = out.parent / "train_images" / f"{first['id']}.png"
    png.parent.mkdir(parents=True)
    png.write_bytes(b"\x89PNG not this task's picture")
    assert xlogo(["sft", str(pool), "--out", str(out), "--mode", "vision", "--limit", "1"]) == 0
    (rel,) = _lines(out)[0]["images"]
    assert out.parent / rel == png
    expected = build_prompt(record_task(first), mode="vision").image_png
    assert (out.parent / rel).read_bytes() == expected


def test_two_tasks_with_one_id_in_one_file_each_keep_their_own_picture(
    pool: Path, tmp_path: Path
) -> None:
    """Folders made with one seed share ids (`xlogo gen --kinds draw` beside the training set),
    and a records file may hold both: the second picture must not replace the first's."""
    from xlogo_lang.gen.sft import write_sft

    first, other = list(iter_records(pool))[:2]
    records = [first, {**other, "id": first["id"]}]
    out = tmp_path / "train.jsonl"
    write_sft(records, out, mode="vision")
    for line, rec in zip(_lines(out), records, strict=True):
        (rel,) = line["images"]
        expected = build_prompt(record_task(rec), mode="vision").image_png
        assert (out.parent / rel).read_bytes() == expected


def test_inline_images_use_openai_data_urls(pool: Path, tmp_path: Path) -> None:
    out = tmp_path / "train.jsonl"
    args = [
        "sft",
        str(pool),
        "--out",
        str(out),
        "--mode",
        "vision",
        "--inline-images",
        "--limit",
        "1",
    ]
    assert xlogo(args) == 0
    (line,) = _lines(out)
    url = next(p for p in line["messages"][1]["content"] if p["type"] == "image_url")["image_url"][
        "url"
    ]
    assert url.startswith("data:image/png;base64,")
    assert not (tmp_path / "train_images").exists()


def test_a_records_file_works_as_well_as_a_folder(pool: Path, tmp_path: Path, capsys) -> None:
    records = tmp_path / "tasks.jsonl"
    records.write_text("".join(json.dumps(r) + "\n" for r in list(iter_records(pool))[:4]))
    out = tmp_path / "train.jsonl"
    assert xlogo(["sft", str(records), "--out", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["written"] == 4


def test_a_missing_source_is_a_one_line_error(tmp_path: Path, capsys) -> None:
    assert xlogo(["sft", str(tmp_path / "nowhere"), "--out", str(tmp_path / "t.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "not a folder of generated tasks" in err and "Traceback" not in err


def test_an_empty_records_file_is_an_error_and_writes_nothing(tmp_path: Path, capsys) -> None:
    records = tmp_path / "tasks.jsonl"
    records.write_text("", encoding="utf-8")
    out = tmp_path / "train.jsonl"
    assert xlogo(["sft", str(records), "--out", str(out)]) == 2
    assert f"{records}: no task records: nothing to write" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs /proc (Linux)")
def test_an_out_that_cannot_be_written_is_named_not_its_temporary_file(
    pool: Path, tmp_path: Path, capsys
) -> None:
    assert xlogo(["sft", str(pool), "--out", "/proc/x.jsonl", "--limit", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("xlogo sft: /proc/x.jsonl: cannot write") and ".tmp" not in err


def test_inline_images_in_text_mode_is_a_usage_error(pool: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "train.jsonl"
    assert xlogo(["sft", str(pool), "--out", str(out), "--inline-images"]) == 2
    assert "--inline-images is for --mode vision" in capsys.readouterr().err
    assert not out.exists()


def test_a_broken_record_line_is_named_and_no_training_file_is_written(
    pool: Path, tmp_path: Path, capsys
) -> None:
    first, second = [json.dumps(r) for r, _ in zip(iter_records(pool), range(2), strict=False)]
    records = tmp_path / "records.jsonl"
    records.write_text(first + '\n{"id": "broken"\n' + second + "\n")
    out = tmp_path / "train.jsonl"
    assert xlogo(["sft", str(records), "--out", str(out)]) == 2
    assert f"{records}: line 2" in capsys.readouterr().err
    assert not out.exists()


def test_a_record_without_a_solution_is_named_by_file_and_line(
    pool: Path, tmp_path: Path, capsys
) -> None:
    # the message was "1.solution: the record has no solution", with no file or line
    first, second = [r for r, _ in zip(iter_records(pool), range(2), strict=False)]
    second = {k: v for k, v in second.items() if k != "solution"}
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps(first) + "\n" + json.dumps(second) + "\n")
    out = tmp_path / "train.jsonl"
    assert xlogo(["sft", str(records), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{records}: line 2" in err and "the record has no solution" in err
    assert not out.exists()
