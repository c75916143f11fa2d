"""The Inspect task scores with the same prompts and verdicts, run against Inspect's mock model."""

from __future__ import annotations

from pathlib import Path

import pytest

from xlogo_lang import load_tasks
from xlogo_lang.eval.prompts import build_prompt
from xlogo_lang.printer import to_text

inspect_ai = pytest.importorskip("inspect_ai", reason="the inspect extra is not installed")


def _run(assets_dir: Path, tmp_path: Path, ids: list[str], replies: list[str], **task_args: str):
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import ModelOutput, ModelUsage, get_model

    from xlogo_lang.integrations.inspect_task import xlogo

    def output(text: str) -> ModelOutput:
        out = ModelOutput.from_content("mockllm/model", text)
        # given usage, so the mock model does not count tokens (tiktoken would go online)
        out.usage = ModelUsage(input_tokens=100, output_tokens=10, total_tokens=110)
        return out

    model = get_model("mockllm/model", custom_outputs=[output(r) for r in replies])
    task = xlogo(tasks=str(assets_dir), ids=",".join(ids), **task_args)
    [log] = inspect_eval(task, model=model, log_dir=str(tmp_path), display="none", max_samples=1)
    return log


def test_inspect_samples_carry_the_same_prompt_as_xlogo_prompt(assets_dir):
    from xlogo_lang.integrations.inspect_task import xlogo

    task = xlogo(tasks=str(assets_dir), ids="22")
    [sample] = list(task.dataset)
    t = {t.id: t for t in load_tasks(assets_dir)}["22"]
    assert sample.input[-1].content == build_prompt(t).user
    assert sample.input[0].content == build_prompt(t).system


def test_mock_model_replies_are_scored_by_the_core_verdict(assets_dir, tmp_path):
    by_id = {t.id: t for t in load_tasks(assets_dir)}
    good = f"```\n{to_text(by_id['1'].solution)}```"
    log = _run(assets_dir, tmp_path, ["1", "5"], [good, "I don't know"])
    assert log.status == "success"
    scores = {s.id: s.scores["xlogo_scorer"] for s in log.samples}
    assert (scores["1"].value, scores["5"].value) == ("C", "I")
    assert scores["1"].answer == to_text(by_id["1"].solution)
    assert scores["5"].metadata["failure"] == "no_program"
    assert log.results.scores[0].metrics["accuracy"].value == 0.5


def test_vision_samples_attach_the_picture(assets_dir):
    from xlogo_lang.integrations.inspect_task import xlogo

    [sample] = list(xlogo(tasks=str(assets_dir), ids="9a", mode="vision").dataset)
    parts = sample.input[-1].content
    assert parts[1].image.startswith("data:image/png;base64,")


def test_a_relative_tasks_path_is_read_from_where_inspect_was_run(
    assets_dir, tmp_path, monkeypatch
):
    """Inspect creates the task in its file's folder; the shell's PWD is where the user typed."""
    from xlogo_lang.integrations.inspect_task import xlogo

    monkeypatch.setenv("PWD", str(assets_dir.parent))
    monkeypatch.chdir(tmp_path)  # as Inspect does: somewhere else
    [sample] = list(xlogo(tasks=assets_dir.name, ids="22").dataset)
    assert sample.id == "22"


def test_an_unknown_id_is_an_error(assets_dir):
    from xlogo_lang.errors import UsageError
    from xlogo_lang.integrations.inspect_task import xlogo

    with pytest.raises(UsageError, match="no task with id '999'"):
        xlogo(tasks=str(assets_dir), ids="22,999")


def test_ids_may_come_as_inspect_reads_them_a_list_or_a_number(assets_dir):
    """`-T ids=87,1` arrives as a list and `-T ids=22` as an int (Inspect reads YAML)."""
    from xlogo_lang.integrations.inspect_task import xlogo

    assert [s.id for s in xlogo(tasks=str(assets_dir), ids=[87, "1"]).dataset] == ["87", "1"]
    assert [s.id for s in xlogo(tasks=str(assets_dir), ids=22).dataset] == ["22"]
