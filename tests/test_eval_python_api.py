"""The eval harness as a script or a notebook calls it: every argument that is not what the
function takes is named in a TypeError, or a UsageError for a value out of range, before anything
is asked or written; and what the CLI never passes (a `Path` for a str, any iterable for a list)
works as the type hints say."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openai_server import Reply, ScriptedOpenAI, user_text

from xlogo_lang import load_tasks, parse
from xlogo_lang.cli import main as cli_main
from xlogo_lang.errors import UsageError
from xlogo_lang.eval import EvalConfig, bootstrap_ci, build_prompt, build_report, read_run, run_eval
from xlogo_lang.eval.client import ChatClient, RetryPolicy
from xlogo_lang.eval.passk import pass_at_k_table
from xlogo_lang.eval.predictions import score_predictions
from xlogo_lang.eval.render import render_png, render_svg
from xlogo_lang.eval.taskset import TaskSet, load_task_set
from xlogo_lang.printer import to_text

IDS = ["1", "87"]
FAST = RetryPolicy(max_retries=1, base_delay=0.01, max_delay=0.02, timeout=5.0)


@pytest.fixture(scope="module")
def tasks(assets_dir: Path) -> list:
    by_id = {t.id: t for t in load_tasks(assets_dir)}
    return [by_id[i] for i in IDS]


@pytest.fixture(scope="module")
def run_file(tmp_path_factory, tasks) -> Path:
    """A finished run of the two tasks, every reply the reference solution."""
    answers = {build_prompt(t).user: to_text(t.solution) for t in tasks}
    out = tmp_path_factory.mktemp("run") / "run.jsonl"
    with ScriptedOpenAI(lambda req, seen: Reply(f"```\n{answers[user_text(req)]}```")) as srv:
        cfg = EvalConfig(model="m", base_url=srv.url, retry=FAST)
        asyncio.run(run_eval(cfg, tasks, out, progress=False))
    return out


def config(**kw: Any) -> EvalConfig:
    kw.setdefault("retry", FAST)
    return EvalConfig(model=kw.pop("model", "m"), base_url=kw.pop("base_url", "http://h/v1"), **kw)


# -- EvalConfig and the client ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("temperature", "0.8", "--temperature must be a number, got str"),
        ("temperature", None, "--temperature must be a number, got NoneType"),
        ("top_p", "1", "--top-p must be a number, got str"),
        ("concurrency", 2.5, "--concurrency must be an int, got float"),
        ("concurrency", "4", "--concurrency must be an int, got str"),
        ("max_tokens", 1.5, "--max-tokens must be an int, got float"),
        ("seed", "1", "--seed must be an int, got str"),
        ("model", None, "--model must be a str, got NoneType"),
        ("base_url", 5, "--base-url must be a str, got int"),
        ("api_key_env", 5, "--api-key-env must be a str, got int"),
        ("template", 5, "--template must be a str or a path, got int"),
        ("retry", None, "retry must be a RetryPolicy, got NoneType"),
        ("retry_errors", "no", "--retry-errors must be True or False, got str"),
        ("tasks_source", 5, "tasks_source must be a str or a path, got int"),
    ],
)
def test_a_setting_of_the_wrong_type_is_a_type_error_naming_it(field, value, words):
    with pytest.raises(TypeError, match=f"^{words}$"):
        config(**{field: value})


def test_an_empty_model_name_is_refused_rather_than_sent_with_every_request():
    with pytest.raises(UsageError, match="--model must not be empty"):
        config(model="  ")


def test_a_template_and_a_task_source_given_as_paths_are_kept_as_text(tmp_path):
    template = tmp_path / "t.txt"
    template.write_text("--- user ---\n$world\n$description\n")
    cfg = config(template=template, tasks_source=tmp_path)
    assert cfg.template == str(template) and cfg.tasks_source == str(tmp_path)
    assert cfg.template_hash == config(template=str(template)).template_hash


@pytest.mark.parametrize(
    ("field", "value"), [("timeout", "5"), ("base_delay", None), ("max_delay", "inf")]
)
def test_a_retry_setting_that_is_not_a_number_is_named(field, value):
    option = {"timeout": "--timeout", "base_delay": "--backoff", "max_delay": "--max-backoff"}
    with pytest.raises(TypeError, match=f"^{option[field]} must be a number"):
        RetryPolicy(**{field: value})


def test_a_client_is_checked_when_made_not_at_its_first_request():
    with pytest.raises(TypeError, match="policy must be a RetryPolicy, got NoneType"):
        ChatClient("m", "http://h/v1", policy=None)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="--base-url must be an http:// or https:// URL"):
        ChatClient("m", "localhost:8000")


# -- run_eval and read_run -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("tasks", "got a path \\(str\\)"),
        (None, "got NoneType"),
        ({"1": None}, "got dict"),
        (["1", "87"], "got str at \\[0\\]"),
    ],
)
def test_tasks_that_are_not_a_list_of_task_are_named_before_the_file_is_made(
    tmp_path, given, words
):
    out = tmp_path / "run.jsonl"
    with pytest.raises(TypeError, match=f"run_eval takes a list of Task, {words}"):
        asyncio.run(run_eval(config(), given, out, progress=False))
    assert not out.exists()


def test_a_task_given_twice_is_refused_rather_than_asked_twice_per_sample(tmp_path, tasks):
    out = tmp_path / "run.jsonl"
    with pytest.raises(UsageError, match=r"task id '1' appears twice \(at \[0\] and \[2\]\)"):
        asyncio.run(run_eval(config(), [*tasks, tasks[0]], out, progress=False))
    assert not out.exists()


def test_a_run_takes_its_tasks_from_any_iterable_and_its_file_as_a_str(tmp_path, tasks):
    def script(req: dict, seen: int) -> Reply:
        return Reply("```\nfd\n```")

    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(script) as srv:
        cfg = config(base_url=srv.url)
        summary = asyncio.run(run_eval(cfg, (t for t in tasks), str(out), progress=False))
    assert summary.finished == 2 and len(read_run(str(out)).records) == 2


def test_a_run_planned_past_ten_million_attempts_is_refused_before_anything_is_built(
    tmp_path, tasks
):
    cfg = config(samples=10**9, temperature=1.0)
    with pytest.raises(UsageError, match="2 tasks x --samples 1,000,000,000 is 2,000,000,000"):
        asyncio.run(run_eval(cfg, tasks, tmp_path / "run.jsonl", progress=False))


def test_the_dry_run_refuses_such_a_plan_too(tmp_path, assets_dir, capsys):
    out = str(tmp_path / "r.jsonl")
    code = cli_main(["eval", "--model", "m", "--tasks", str(assets_dir), "--samples", "200000",
                     "--temperature", "1", "--out", out, "--dry-run"])  # fmt: skip
    assert code == 2 and "more than 10,000,000" in capsys.readouterr().err


def test_read_run_names_a_path_that_is_not_one():
    with pytest.raises(TypeError, match="read_run's path must be a str or a path, got NoneType"):
        read_run(None)  # type: ignore[arg-type]


# -- prompts and pictures --------------------------------------------------------------------------


def test_a_template_that_is_neither_a_name_nor_a_path_is_a_type_error(tasks):
    with pytest.raises(TypeError, match=r"^template must be a str or a path, got int$"):
        build_prompt(tasks[0], template=5)  # type: ignore[arg-type]


def test_an_empty_template_name_is_not_read_as_the_current_folder(tasks):
    with pytest.raises(UsageError, match="the template name is empty"):
        build_prompt(tasks[0], template="")


def test_a_picture_of_program_text_asks_for_a_program(tasks):
    with pytest.raises(TypeError, match="render_png expects a Program, got str"):
        render_png(tasks[0], "fd fd")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="render_svg expects a Task, got NoneType"):
        render_svg(None)  # type: ignore[arg-type]
    assert render_svg(tasks[0], parse("fd")).startswith("<svg")


# -- reports, task sets, predictions ---------------------------------------------------------------


@pytest.mark.parametrize("one", ["run.jsonl", Path("run.jsonl")])
def test_one_results_file_given_alone_is_a_type_error_not_its_characters(one, tasks):
    with pytest.raises(
        TypeError, match=r"build_report's paths takes a list of paths, got a single"
    ):
        build_report(one, tasks, solver=False)  # type: ignore[arg-type]


def test_a_report_of_no_runs_is_refused(tasks):
    with pytest.raises(UsageError, match="at least one results file"):
        build_report([], tasks, solver=False)


@pytest.mark.parametrize("given", [{"1": None}, ["1", "87"]], ids=["dict", "ids"])
def test_report_tasks_that_are_not_tasks_are_named(run_file, given):
    with pytest.raises(TypeError, match="build_report takes a list of Task"):
        build_report([run_file], given, solver=False)


def test_a_report_takes_its_runs_and_tasks_from_any_iterable(run_file, tasks):
    report = build_report((p for p in [str(run_file)]), iter(tasks), solver=False)
    assert report.runs[0].tasks_solved == 2


def test_a_baseline_limit_that_is_not_a_number_names_its_option(run_file, tasks):
    with pytest.raises(TypeError, match=r"^--baseline-timeout must be a number, got str$"):
        build_report([run_file], tasks, baseline_timeout="5")  # type: ignore[arg-type]


def test_runs_without_a_task_source_say_how_to_give_the_tasks_from_python(run_file):
    with pytest.raises(UsageError, match=r"build_report\(paths, tasks\)"):
        build_report([run_file], solver=False)


def test_predictions_are_scored_on_a_list_of_tasks_too(tmp_path, tasks):
    preds = tmp_path / "p.jsonl"
    preds.write_text(json.dumps({"task_id": "1", "response": to_text(tasks[0].solution)}) + "\n")
    summary = score_predictions(preds, tasks, tmp_path / "out.jsonl")
    assert (summary.total, summary.solved) == (1, 1)


def test_a_report_renders_on_stdout_without_a_console_given(run_file, tasks, capsys):
    build_report([run_file], tasks, solver=False).render()
    assert "pass@1" in capsys.readouterr().out


def test_a_report_of_scored_predictions_is_not_told_to_rerun_an_eval(tmp_path, tasks):
    """Scored predictions count each line as an attempt: two replies for one task and one for
    the other leave pass@2 out, and the remedy is not an `xlogo eval` the file never had."""
    preds = tmp_path / "p.jsonl"
    lines = [("1", "fd"), ("1", "rt"), ("87", "fd")]
    preds.write_text("".join(json.dumps({"task_id": t, "response": r}) + "\n" for t, r in lines))
    score_predictions(preds, tasks, tmp_path / "scored.jsonl")
    (warning,) = build_report([tmp_path / "scored.jsonl"], tasks, solver=False).warnings()
    assert "pass@2 not shown: 1 task has fewer than 2 samples: 87 (1)" in warning
    assert "the predictions file holds fewer replies for them" in warning
    assert "xlogo eval" not in warning


def test_predictions_scored_on_a_path_ask_for_the_loaded_tasks(tmp_path, assets_dir):
    with pytest.raises(TypeError, match="score_predictions takes a list of Task, got a path"):
        score_predictions(tmp_path / "p.jsonl", str(assets_dir), tmp_path / "o.jsonl")  # type: ignore[arg-type]


def test_a_task_set_of_a_path_is_a_type_error_not_its_characters(assets_dir):
    with pytest.raises(TypeError, match=r"TaskSet\.of takes a list of Task, got a path"):
        TaskSet.of(str(assets_dir))  # type: ignore[arg-type]


def test_one_id_selected_as_a_str_is_not_read_as_its_digits(assets_dir):
    task_set = load_task_set(assets_dir)
    with pytest.raises(
        TypeError, match=r"select takes a list of task ids, got a str \(write \['87'\]\)"
    ):
        task_set.select("87")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="--limit must be an int, got str"):
        task_set.select(None, "2")  # type: ignore[arg-type]


# -- pass@k ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "kw", "error", "words"),
    [
        (None, {}, TypeError, "values must be a list of numbers, got None"),
        (["a", "b"], {}, TypeError, r"values\[0\] must be a number, got 'a'"),
        ([1.0, 0.0], {"alpha": "x"}, TypeError, "alpha must be a number, got 'x'"),
        ([1.0, 0.0], {"iters": True}, ValueError, "iters must be a whole number of at least 1"),
    ],
)
def test_a_bootstrap_of_anything_but_numbers_is_named(values, kw, error, words):
    with pytest.raises(error, match=f"^bootstrap_ci: {words}"):
        bootstrap_ci(values, **kw)


@pytest.mark.parametrize(
    ("per_task", "words"),
    [
        ([(5, 2)], "per_task must map task ids to \\(n, c\\), got list"),
        ({"87": (5,)}, "per_task\\['87'\\] must be \\(n, c\\), two whole numbers, got \\(5,\\)"),
        ({"87": ("5", 2)}, "per_task\\['87'\\] must be \\(n, c\\)"),
    ],
)
def test_a_pass_at_k_table_of_anything_but_counts_per_task_is_named(per_task, words):
    with pytest.raises(TypeError, match=f"^pass_at_k_table: {words}"):
        pass_at_k_table(per_task)


# -- type hints ------------------------------------------------------------------------------------

TYPED_SCRIPT = """
import asyncio
from pathlib import Path

from xlogo_lang import load_tasks
from xlogo_lang.eval import EvalConfig, EvalSummary, Report, build_report, run_eval
from xlogo_lang.eval.predictions import score_predictions
from xlogo_lang.gen import GenPlan
from xlogo_lang.gen.curriculum import CurriculumConfig
from xlogo_lang.gen.sft import write_sft

tasks = load_tasks("tasks")
config = EvalConfig(model="m", template=Path("t.txt"), tasks_source=Path("tasks"))
summary: EvalSummary = asyncio.run(run_eval(config, tasks, "run.jsonl"))
paths = ["a.jsonl", "b.jsonl"]
report: Report = build_report(paths, tasks)
score_predictions("p.jsonl", tasks, "out.jsonl")
plan = GenPlan(n=10, like=Path("tasks"))
write_sft([], "sft.jsonl", template=Path("t.txt"))
cur = CurriculumConfig(model="m", pool=Path("data"), out=Path("rounds"), template=Path("t.txt"))
"""


def test_the_type_hints_take_what_a_script_passes(tmp_path):
    """`mypy --strict` on a script that passes what the functions take at run time: a str for
    run_eval's `out`, a `list[str]` of runs, a `Path` for the curriculum's pool and folder, a
    template or a `like` source. Each was refused by a hint narrower than the function."""
    script = tmp_path / "typed_script.py"
    script.write_text(TYPED_SCRIPT)
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [sys.executable, str(root / ".ci" / "mypy.py"), "--strict", str(script)],
        capture_output=True,
        text=True,
    )
    # the package's own modules are checked by .ci/mypy.py under its settings, not --strict
    assert [line for line in proc.stdout.splitlines() if "typed_script" in line] == []


def test_an_html_report_given_a_folder_writes_nothing_beside_it(tmp_path, run_file, tasks):
    report = build_report([run_file], tasks, solver=False)
    folder = tmp_path / "reports"
    folder.mkdir()
    with pytest.raises(UsageError, match="is a folder: give the page's file name"):
        report.write_html(folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]  # no reports_skills.png


def test_an_html_report_makes_its_folder(tmp_path, run_file, tasks):
    page = tmp_path / "new" / "report.html"
    written = build_report([run_file], tasks, solver=False).write_html(str(page))
    assert written[0] == page and all(p.exists() for p in written)
