"""`xlogo score`: a run that scores nothing leaves earlier results alone, inputs that are not a
predictions file are named for what they are, and a broken task file is skipped, not fatal."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from test_eval_taskset import BROKEN_FIELD, folder_with_a_broken_task

from xlogo_lang.cli import main as cli_main
from xlogo_lang.printer import to_text

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def score(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli_main(["score", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def predictions(tmp_path: Path) -> Path:
    """The example predictions (for examples/tasks), with results already scored beside them."""
    preds = tmp_path / "p.jsonl"
    preds.write_bytes((EXAMPLES / "predictions.jsonl").read_bytes())
    assert cli_main(["score", str(preds), "--tasks", str(EXAMPLES / "tasks")]) == 0
    return preds


def test_scoring_on_the_wrong_task_set_leaves_the_earlier_results_alone(
    predictions, assets_dir, capsys
):
    results = predictions.with_name("p_results.jsonl")
    before = results.read_bytes()
    code, _, err = score(capsys, str(predictions), "--tasks", str(assets_dir))
    assert code == 2 and "all 11 were skipped (11 with a task id not in the task set)" in err
    assert results.read_bytes() == before
    assert sorted(p.name for p in predictions.parent.iterdir()) == ["p.jsonl", "p_results.jsonl"]


def test_an_empty_predictions_file_leaves_the_earlier_results_alone(predictions, capsys):
    results = predictions.with_name("p_results.jsonl")
    before = results.read_bytes()
    predictions.write_text("", encoding="utf-8")
    code, _, err = score(capsys, str(predictions), "--tasks", str(EXAMPLES / "tasks"))
    assert code == 2 and "no prediction scored: the file holds none" in err
    assert f"{results} was left as it was" in err
    assert results.read_bytes() == before


def test_an_empty_predictions_file_prints_the_error_alone_and_writes_nothing(tmp_path, capsys):
    predictions = tmp_path / "p.jsonl"
    predictions.write_text("", encoding="utf-8")
    code, out, err = score(capsys, str(predictions), "--tasks", str(EXAMPLES / "tasks"))
    assert (code, out) == (2, "")
    assert err.strip() == (
        f"xlogo score: {predictions}: no prediction scored: the file holds none; "
        "no results were written"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["p.jsonl"]


def test_a_folder_given_as_predictions_is_named_a_folder(tmp_path, capsys):
    code, _, err = score(capsys, str(tmp_path), "--tasks", str(EXAMPLES / "tasks"))
    assert code == 2 and f"{tmp_path}: is a folder, not a predictions file" in err


def test_a_missing_predictions_file_is_named_as_one(tmp_path, capsys):
    missing = tmp_path / "replies.jsonl"
    code, _, err = score(capsys, str(missing), "--tasks", str(EXAMPLES / "tasks"))
    assert code == 2 and f"{missing}: no such predictions file" in err


def test_a_broken_task_file_is_warned_about_once_and_the_others_are_scored(
    predictions, tmp_path, capsys
):
    folder = folder_with_a_broken_task(tmp_path)
    code, _, err = score(capsys, str(predictions), "--tasks", str(folder), "--json")
    assert code == 0 and err.count("warning:") == 1
    assert f"{folder / 'k5.json'}: {BROKEN_FIELD}" in err
    assert len(predictions.with_name("p_results.jsonl").read_text().splitlines()) == 11


def test_a_prediction_for_a_broken_task_is_named_as_such_not_as_unknown(
    predictions, tmp_path, capsys
):
    folder = folder_with_a_broken_task(tmp_path)
    with predictions.open("a", encoding="utf-8") as f:
        f.write(json.dumps({"task_id": "k5", "response": "fd"}) + "\n")
    code, out, err = score(capsys, str(predictions), "--tasks", str(folder), "--json")
    assert code == 0 and "line 12: task 'k5' cannot be loaded" in err
    assert "unknown task" not in err
    assert json.loads(out)["broken_task_ids"] == 1


def test_an_attempt_failing_goal_and_constraints_counts_once_as_a_goal_failure(
    tmp_path, tasks_dir, capsys
):
    """As its record's `failure` says (README): the summary's rows add up to the attempts."""
    preds = tmp_path / "p.jsonl"
    preds.write_text(json.dumps({"task_id": "87", "response": "rt lt rt lt rt lt rt"}) + "\n")
    code, out, _ = score(capsys, str(preds), "--tasks", str(tasks_dir), "--json")
    summary = json.loads(out)
    assert code == 0  # scored: the verdict is in the results, not the exit status
    assert (summary["total"], summary["goal_failures"], summary["constraint_failures"]) == (1, 1, 0)
    (result,) = (json.loads(line) for line in Path(summary["out"]).read_text().splitlines())
    assert result["failure"] == "goal"


def test_the_summary_counts_the_skipped_lines_by_why(predictions, capsys):
    with predictions.open("a", encoding="utf-8") as f:
        f.write("not json\n" + json.dumps({"task_id": "nope", "response": "fd"}) + "\n")
    code, out, _ = score(capsys, str(predictions), "--tasks", str(EXAMPLES / "tasks"), "--json")
    summary = json.loads(out)
    assert code == 0 and summary["total"] == 11
    assert (summary["skipped_lines"], summary["unreadable_lines"]) == (2, 1)
    assert (summary["unknown_task_ids"], summary["broken_task_ids"]) == (1, 0)


# -- what --out may be: a score results file is replaced, nothing else is ------------------------


def _eval_run(path: Path) -> bytes:
    """An `xlogo eval` results file of two attempts on the example tasks, made over HTTP."""
    import asyncio

    from openai_server import Reply, ScriptedOpenAI

    from xlogo_lang import load_tasks
    from xlogo_lang.eval.client import RetryPolicy
    from xlogo_lang.eval.runner import EvalConfig, run_eval

    tasks = load_tasks(EXAMPLES / "tasks")[:2]
    with ScriptedOpenAI(lambda req, seen: Reply("fd")) as srv:
        cfg = EvalConfig(model="m", base_url=srv.url, retry=RetryPolicy(max_retries=0))
        asyncio.run(run_eval(cfg, tasks, path, progress=False))
    return path.read_bytes()


def test_an_eval_run_given_as_out_is_refused_and_left_byte_for_byte(predictions, capsys):
    run = predictions.with_name("victim.jsonl")
    before = _eval_run(run)
    code, out, err = score(
        capsys, str(predictions), "--tasks", str(EXAMPLES / "tasks"), "--out", str(run)
    )
    assert (code, out) == (2, "")
    assert f"{run}: " in err and "holds run records" in err and "an xlogo eval run" in err
    assert run.read_bytes() == before
    assert not [p for p in run.parent.iterdir() if ".tmp" in p.name]


def test_scoring_a_run_again_says_its_own_results_are_refused_and_why(tmp_path, capsys):
    """The first `xlogo score RUN.jsonl` writes results that keep the run's keys; the second is
    refused, and must not call the file it wrote itself an `xlogo eval` run alone."""
    run = tmp_path / "run.jsonl"
    _eval_run(run)
    tasks = str(EXAMPLES / "tasks")
    assert score(capsys, str(run), "--tasks", tasks)[0] == 0
    results = tmp_path / "run_results.jsonl"
    before = results.read_bytes()
    code, _, err = score(capsys, str(run), "--tasks", tasks)
    assert code == 2 and f"{results}: " in err
    assert "the results of one scored by xlogo score" in err and "remove it first" in err
    assert results.read_bytes() == before


def test_a_runs_attempts_without_a_reply_stay_failed_attempts_in_its_scored_results(
    tmp_path, capsys
):
    """A report counts an attempt that got no reply as a failed one; scoring the run skipped
    it ('"response" must be a string'), so a report of the results gave the run 100% for 50%."""
    import asyncio

    from openai_server import Fail, Reply, ScriptedOpenAI, user_text

    from xlogo_lang import load_tasks
    from xlogo_lang.eval.client import RetryPolicy
    from xlogo_lang.eval.prompts import build_prompt
    from xlogo_lang.eval.report import build_report
    from xlogo_lang.eval.runner import EvalConfig, run_eval

    tasks = [t for t in load_tasks(EXAMPLES / "tasks") if t.solution is not None][:2]
    answer = f"```\n{to_text(tasks[0].solution)}\n```"
    run = tmp_path / "run.jsonl"
    first = build_prompt(tasks[0]).user
    with ScriptedOpenAI(
        lambda req, seen: Reply(answer) if user_text(req) == first else Fail(400)
    ) as srv:
        cfg = EvalConfig(
            model="m", base_url=srv.url, retry=RetryPolicy(max_retries=0), concurrency=1
        )
        asyncio.run(run_eval(cfg, tasks, run, progress=False))
    code, out, err = score(capsys, str(run), "--tasks", str(EXAMPLES / "tasks"), "--json")
    summary = json.loads(out)
    assert code == 0 and err == ""
    assert (summary["total"], summary["solved"], summary["request_errors"]) == (2, 1, 1)
    reports = [build_report([p], tasks, solver=False).runs[0] for p in (run, summary["out"])]
    assert [(r.attempts, r.errors, r.success()) for r in reports] == [(2, 1, 0.5)] * 2


def test_an_attempt_a_run_asked_again_is_counted_once_by_its_last_line(tmp_path, capsys):
    """`--retry-errors` appends the new reply after the error it replaces: the summary counts
    the attempt once, by its last line, as `xlogo report` does (not an error and a solve)."""
    import asyncio

    from openai_server import Fail, Reply, ScriptedOpenAI

    from xlogo_lang import load_tasks
    from xlogo_lang.eval.client import RetryPolicy
    from xlogo_lang.eval.runner import EvalConfig, run_eval

    task = next(t for t in load_tasks(EXAMPLES / "tasks") if t.solution is not None)
    answer = f"```\n{to_text(task.solution)}\n```"
    run = tmp_path / "run.jsonl"
    with ScriptedOpenAI(lambda req, seen: Reply(answer) if seen == 2 else Fail(400)) as srv:
        cfg = EvalConfig(model="m", base_url=srv.url, retry=RetryPolicy(max_retries=0))
        asyncio.run(run_eval(cfg, [task], run, progress=False))
        again = dataclasses.replace(cfg, retry_errors=True)
        asyncio.run(run_eval(again, [task], run, progress=False))
    assert len(run.read_text().splitlines()) == 2
    code, out, _ = score(capsys, str(run), "--tasks", str(EXAMPLES / "tasks"), "--json")
    summary = json.loads(out)
    assert code == 0
    assert (summary["total"], summary["solved"], summary["request_errors"]) == (1, 1, 0)


def test_a_file_that_is_no_score_results_given_as_out_is_refused_untouched(predictions, capsys):
    notes = predictions.with_name("notes.jsonl")
    notes.write_text("my notes\n", encoding="utf-8")
    code, _, err = score(
        capsys, str(predictions), "--tasks", str(EXAMPLES / "tasks"), "--out", str(notes)
    )
    assert code == 2 and f"{notes}: " in err and "not a results file of xlogo score" in err
    assert notes.read_text(encoding="utf-8") == "my notes\n"


def test_a_prediction_line_nested_too_deeply_is_skipped_as_unreadable(tmp_path, capsys):
    preds = tmp_path / "p.jsonl"
    good = (EXAMPLES / "predictions.jsonl").read_text(encoding="utf-8").splitlines()[0]
    preds.write_text(f"{good}\n{'[' * 100_000}{']' * 100_000}\n{good}\n", encoding="utf-8")
    code, _, err = score(capsys, str(preds), "--tasks", str(EXAMPLES / "tasks"))
    assert code == 0 and "line 2" in err and "nested too deeply" in err
    assert "Traceback" not in err
    assert len(preds.with_name("p_results.jsonl").read_text().splitlines()) == 2


def test_a_task_file_given_as_the_predictions_is_named_a_task_file(capsys):
    """A task file is one JSON document over many lines: every line of it was skipped as
    unreadable, and nothing said why."""
    task = EXAMPLES / "tasks" / "find-strawberry.json"
    code, _, err = score(capsys, str(task), "--tasks", str(EXAMPLES / "tasks"))
    assert code == 2 and "no prediction scored" in err
    assert "hint: the file is one JSON document over several lines (a task file?)" in err


def test_predictions_given_as_the_tasks_are_named_model_replies(capsys):
    """The two files swapped: the tasks' loader could only say a record lacks 'tiles'."""
    preds, task = EXAMPLES / "predictions.jsonl", EXAMPLES / "tasks" / "find-strawberry.json"
    code, _, err = score(capsys, str(task), "--tasks", str(preds))
    assert code == 2 and "its lines are model replies" in err and "after --tasks" in err
