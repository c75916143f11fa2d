"""`xlogo report`: numbers of one and several runs, failure types, partial runs, HTML and charts."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path

import pytest
from openai_server import Reply, ScriptedOpenAI, user_text

from xlogo_lang import load_tasks
from xlogo_lang.cli import main as cli_main
from xlogo_lang.eval.client import RetryPolicy
from xlogo_lang.eval.prompts import build_prompt
from xlogo_lang.eval.report import build_report
from xlogo_lang.eval.runner import EvalConfig, run_eval
from xlogo_lang.printer import to_text

IDS = ["1", "22", "30", "51", "60", "87"]
WRONG = {"22": "```\nfd fd fd fd\n```", "60": "```\nfd\n```", "87": "no idea"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, assets_dir: Path) -> dict:
    """Two runs made over HTTP: a perfect model and one that fails three tasks on sample 1."""
    by_id = {t.id: t for t in load_tasks(assets_dir)}
    tasks = [by_id[i] for i in IDS]
    ids_by_prompt = {build_prompt(t).user: t.id for t in tasks}
    tmp = tmp_path_factory.mktemp("runs")
    out = {}
    for name, wrong in (("perfect", {}), ("flaky", WRONG)):

        def script(req, seen, wrong=wrong):
            tid = ids_by_prompt[user_text(req)]
            sample = seen - 1
            if sample == 1 and tid in wrong:
                return Reply(wrong[tid])
            return Reply(f"```\n{to_text(by_id[tid].solution)}```")

        path = tmp / f"{name}.jsonl"
        cfg = EvalConfig(
            model=name,
            base_url="",
            samples=2,
            temperature=0.7,
            concurrency=1,
            retry=RetryPolicy(max_retries=0),
            tasks_source=str(assets_dir),
        )
        with ScriptedOpenAI(script) as srv:
            cfg = dataclasses.replace(cfg, base_url=srv.url)
            asyncio.run(run_eval(cfg, tasks, path, progress=False))
        out[name] = path
    return {"tasks": tasks, **out}


def test_success_is_pass_at_1_averaged_over_tasks(runs):
    rep = build_report([runs["perfect"], runs["flaky"]], runs["tasks"], solver=False).to_dict()
    perfect, flaky = rep["runs"]
    assert perfect["success"] == 1.0 and perfect["tasks_solved"] == 6
    assert flaky["success"] == pytest.approx((3 * 1.0 + 3 * 0.5) / 6)
    assert flaky["pass_at_k"]["1"]["value"] == pytest.approx(0.75)
    assert flaky["tasks_solved"] == 6 and flaky["solved_attempts"] == 9
    lo, hi = flaky["success_ci"]
    assert lo <= 0.75 <= hi


def test_failure_types_name_the_part_that_failed(runs):
    flaky = build_report([runs["flaky"]], runs["tasks"], solver=False).to_dict()["runs"][0]
    assert flaky["failures"] == {"goal:picture": 1, "no_program": 1, "crash:out_of_world": 1}
    assert flaky["failure_categories"]["crash"] == 1
    assert flaky["mean_crash_step"] == 3  # task 22: the third fd leaves the grid


def test_per_skill_success_uses_the_tasks_with_that_skill(runs):
    rep = build_report([runs["flaky"]], runs["tasks"], solver=False).to_dict()
    assert rep["skills"]["math"] == 1  # task 30
    assert rep["runs"][0]["per_skill"]["math"] == 1.0
    assert rep["runs"][0]["per_skill"]["code_constraints"] == pytest.approx(0.5)  # task 87 only


def test_the_same_run_reported_twice_gives_the_same_report(runs):
    a = build_report([runs["flaky"]], runs["tasks"], solver=False).to_dict()
    b = build_report([runs["flaky"]], runs["tasks"], solver=False).to_dict()
    assert a == b


def test_rescoring_agrees_with_the_verdicts_stored_at_eval_time(runs):
    a = build_report([runs["flaky"]], runs["tasks"], solver=False).to_dict()
    b = build_report([runs["flaky"]], runs["tasks"], solver=False, rescore=False).to_dict()
    assert a == b


def test_a_partial_run_is_reported_over_the_tasks_it_attempted(runs, tmp_path):
    part = tmp_path / "part.jsonl"
    part.write_text(
        "".join(runs["flaky"].read_text().splitlines(keepends=True)[:5]) + '{"task_id": "8'
    )
    rep = build_report([part], runs["tasks"], solver=False).to_dict()["runs"][0]
    assert rep["attempts"] == 5 and rep["tasks_attempted"] <= 5


def test_cli_report_prints_tables_and_writes_html_with_charts(runs, tmp_path, capsys):
    html = tmp_path / "report.html"
    code = cli_main(
        ["report", str(runs["perfect"]), str(runs["flaky"]), "--no-solver", "--html", str(html)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "perfect" in out and "flaky" in out and "solver (baseline)" in out
    page = html.read_text()
    assert page.count("data:image/png;base64,") == 2
    for chart in ("report_skills.png", "report_failures.png"):
        assert (tmp_path / chart).read_bytes().startswith(b"\x89PNG")


def test_cli_report_json_finds_the_tasks_recorded_in_the_run(runs, capsys, assets_dir):
    assert cli_main(["report", str(runs["flaky"]), "--no-solver", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["tasks"] == len(load_tasks(assets_dir))  # the whole task set the run names
    assert rep["runs"][0]["attempts"] == 12


def test_a_missing_results_file_is_a_usage_error(tmp_path, capsys):
    assert cli_main(["report", str(tmp_path / "nope.jsonl"), "--no-solver"]) == 2
    assert "nope.jsonl" in capsys.readouterr().err


def test_the_solver_baseline_solves_every_task_with_solutions_no_longer_than_the_reference(runs):
    rep = build_report([runs["flaky"]], runs["tasks"], solver_timeout=20).to_dict()
    solver = rep["solver"]
    assert solver["available"] and solver["tasks_solved"] == len(runs["tasks"])
    for t in runs["tasks"]:
        assert solver["sizes"][t.id] <= len(t.solution)
    assert solver["per_skill"]["draw"] == 1.0


def test_repair_gives_the_edit_distance_of_failed_programs(runs):
    rep = build_report([runs["flaky"]], runs["tasks"], solver=False, repair=True, solver_timeout=2)
    rep = rep.to_dict()
    assert rep["runs"][0]["mean_edit_distance"] is not None
