"""The emulator-driven curriculum, end to end against a local OpenAI-compatible server that
solves some skills and answers garbage for others: the next training mix must move towards the
skills the model fails, keep a floor of the ones it solves, and report the mix per round."""

from __future__ import annotations

import asyncio
import json
import random
import threading
import zlib
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from openai_server import Fail, Reply, ScriptedOpenAI, user_text
from test_gen_fixtures import generated_pool

from xlogo_lang.cli import main as xlogo
from xlogo_lang.errors import XlogoError
from xlogo_lang.eval import client as eval_client
from xlogo_lang.eval.prompts import build_prompt
from xlogo_lang.gen.curriculum import (
    CurriculumConfig,
    Pool,
    run_curriculum,
    weighted_sample,
    weights,
)
from xlogo_lang.gen.dataset import iter_records, record_task

FAILING = "draw"  # the scripted model fails every drawing and solves everything else


@pytest.fixture(scope="module")
def pool() -> Path:
    return generated_pool()


@pytest.fixture(scope="module")
def answers(pool: Path) -> dict[str, dict]:
    """Prompt text -> record, so the server knows which task it is asked about."""
    return {build_prompt(record_task(r)).user: r for r in iter_records(pool)}


def _script(answers: dict[str, dict]):  # type: ignore[no-untyped-def]
    def script(request: dict, seen: int) -> Reply:
        rec = answers[user_text(request)]
        if FAILING in rec["skills"]:
            return Reply("I would rather draw something else.")
        return Reply("```\n" + rec["solution_text"] + "```")

    return script


def _curriculum(server: ScriptedOpenAI, pool: Path, out: Path, rounds: int, *extra: str) -> int:
    return xlogo(
        [
            "curriculum",
            "--model",
            "scripted",
            "--base-url",
            server.url,
            "--pool",
            str(pool),
            "--out",
            str(out),
            "--rounds",
            str(rounds),
            "--size",
            "120",
            "--sample",
            "24",
            "--json",
            *extra,
        ]
    )


def test_the_next_round_moves_towards_the_failing_skill(
    pool: Path, answers: dict, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "rounds"
    with ScriptedOpenAI(_script(answers)) as server:
        assert _curriculum(server, pool, out, 1) == 0
        asked = len(server.requests)
    report = json.loads(capsys.readouterr().out)["rounds"][0]
    assert asked == report["evaluated"] == 24
    ev = report["eval_by_skill"]
    assert ev[FAILING]["solved"] == 0 and ev[FAILING]["attempted"] > 0
    for skill in ("logic", "math"):  # never tagged on drawings: the model solves all of them
        assert ev.get(skill, {"success": 1.0})["success"] == 1.0

    pool_share = report["pool_mix"]["skill"][FAILING]
    next_share = report["train_mix"]["skill"][FAILING]
    assert next_share > pool_share + 0.2  # e.g. 14% of the pool -> about half of the next set
    assert report["train_mix"]["skill"]["math"] < report["pool_mix"]["skill"]["math"]
    assert report["train_mix"]["skill"]["math"] > 0  # the floor keeps solved skills in the mix


def test_the_python_api_runs_inside_a_running_event_loop(
    pool: Path, answers: dict, tmp_path: Path, monkeypatch
) -> None:
    """A notebook runs its cells in an event loop, where `asyncio.run` refuses to start."""
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    with ScriptedOpenAI(_script(answers)) as server:
        cfg = CurriculumConfig(
            model="scripted", pool=str(pool), out=str(tmp_path / "rounds"), base_url=server.url
        )
        cfg = replace(cfg, size=20, sample=6)

        async def cell() -> list[dict]:
            return run_curriculum(cfg)

        reports = asyncio.run(cell())
        asked = len(server.requests)
    assert asked == reports[0]["evaluated"] == 6


def test_a_round_writes_its_run_tasks_training_set_and_mix(
    pool: Path, answers: dict, tmp_path: Path
) -> None:
    out = tmp_path / "rounds"
    with ScriptedOpenAI(_script(answers)) as server:
        assert _curriculum(server, pool, out, 1) == 0
    rd = out / "round-001"
    runs = [json.loads(x) for x in (rd / "RUN.jsonl").read_text().splitlines()]
    tasks = [json.loads(x) for x in (rd / "tasks.jsonl").read_text().splitlines()]
    train = [json.loads(x) for x in (rd / "train" / "train.jsonl").read_text().splitlines()]
    mix = json.loads((rd / "mix.json").read_text())
    assert len(runs) == 24 and {r["solved"] for r in runs} == {True, False}
    assert len(tasks) == len(train) == mix["train_size"] == 120
    assert [t["id"] for t in tasks] == [line["metadata"]["task_id"] for line in train]
    assert sum(FAILING in t["skills"] for t in tasks) / len(tasks) == pytest.approx(
        mix["train_mix"]["skill"][FAILING]
    )
    summary = json.loads((out / "curriculum.json").read_text())
    assert [r["round"] for r in summary["rounds"]] == [1]


def test_a_rounds_run_is_reported_on_its_pool_from_any_directory(
    pool: Path, answers: dict, tmp_path: Path, capsys, monkeypatch
) -> None:
    """The run records the pool's absolute path, and a folder `xlogo gen` wrote is a task set,
    so `xlogo report` needs no `--tasks` and no particular working directory."""
    out = tmp_path / "rounds"
    monkeypatch.chdir(pool.parent)  # the pool given relative to where the command runs
    with ScriptedOpenAI(_script(answers)) as server:
        assert _curriculum(server, Path(pool.name), out, 1) == 0
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)
    run = out / "round-001" / "RUN.jsonl"
    assert xlogo(["report", str(run), "--no-solver", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["runs"][0]["attempts"] == 24 and rep["warnings"] == []


def test_rounds_resume_and_only_new_rounds_ask_the_model(
    pool: Path, answers: dict, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "rounds"
    with ScriptedOpenAI(_script(answers)) as server:
        assert _curriculum(server, pool, out, 1) == 0
        first = len(server.requests)
        capsys.readouterr()
        assert _curriculum(server, pool, out, 2) == 0
        second = len(server.requests) - first
    reports = json.loads(capsys.readouterr().out)["rounds"]
    assert [r["round"] for r in reports] == [1, 2]
    assert reports[0].get("resumed") is True and not reports[1].get("resumed")
    assert second == 24
    assert (out / "round-002" / "train" / "train.jsonl").exists()


def test_the_rich_view_reports_the_mix(pool: Path, answers: dict, tmp_path: Path, capsys) -> None:
    out = tmp_path / "rounds"
    with ScriptedOpenAI(_script(answers)) as server:
        args = ["curriculum", "--model", "m", "--base-url", server.url, "--pool", str(pool)]
        assert xlogo([*args, "--out", str(out), "--size", "30", "--sample", "10"]) == 0
    text = capsys.readouterr().out
    assert "round 1" in text and "next share" in text and FAILING in text


def test_a_round_shows_its_evaluation_progress_unless_asked_not_to(
    pool: Path, answers: dict, tmp_path: Path, capsys
) -> None:
    """A round of 500 requests takes minutes: it draws the bar `xlogo eval` draws, on stderr."""
    with ScriptedOpenAI(_script(answers)) as server:
        args = ["curriculum", "--model", "m", "--base-url", server.url, "--pool", str(pool)]
        args += ["--size", "30", "--sample", "10"]
        assert xlogo([*args, "--out", str(tmp_path / "a")]) == 0
        assert "eval" in (err := capsys.readouterr().err) and "10/10" in err
        assert xlogo([*args, "--out", str(tmp_path / "b"), "--no-progress"]) == 0
        assert "10/10" not in capsys.readouterr().err


def test_weights_follow_the_documented_rule(pool: Path) -> None:
    p = Pool.load(pool)
    evaluated = [(e, FAILING not in e.skills) for e in p.entries[:10]]
    w = weights(p, evaluated, 0.1)
    for (_, solved), wi in zip(evaluated, w, strict=False):
        assert wi == pytest.approx(0.1 if solved else 1.0)  # own outcome: floor, or full weight
    assert all(0.1 <= wi <= 1.0 for wi in w)


def test_weighted_sampling_without_replacement_prefers_heavy_items() -> None:
    rng = random.Random(0)
    w = [1.0] * 10 + [0.01] * 90
    picks = weighted_sample(rng, w, 10)
    assert len(set(picks)) == 10
    assert sum(i < 10 for i in picks) >= 8
    assert len(weighted_sample(rng, [1.0, 1.0], 5)) == 5  # more than the pool: with replacement


def test_a_pool_of_weights_all_zero_is_drawn_uniformly_not_refused() -> None:
    # --floor 0, and the model solved every task of a pool small enough to be evaluated whole
    rng = random.Random(0)
    picks = weighted_sample(rng, [0.0] * 4, 400)  # more than the pool: with replacement
    assert len(picks) == 400 and set(picks) == {0, 1, 2, 3}
    assert sorted(weighted_sample(rng, [0.0] * 4, 4)) == [0, 1, 2, 3]


def test_tasks_of_weight_zero_that_fill_a_draw_are_drawn_uniformly_not_the_pools_last() -> None:
    # --floor 0: the evaluated tasks the model solved weigh 0; a draw larger than the tasks of
    # positive weight takes all of these and fills up with tasks of weight 0, chosen at random
    w = [1.0] * 10 + [0.0] * 10
    filled: Counter[int] = Counter()
    for seed in range(200):
        picks = weighted_sample(random.Random(seed), w, 15)
        assert set(range(10)) <= set(picks)
        filled.update(i for i in picks if i >= 10)
    assert set(filled) == set(range(10, 20))


def test_a_negative_sample_size_is_refused() -> None:
    with pytest.raises(ValueError, match="k must be at least 0"):
        weighted_sample(random.Random(0), [1.0, 1.0, 1.0], -1)


def test_an_endpoint_that_cannot_be_reached_stops_the_round_with_one_line_naming_it(
    pool: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "rounds"
    args = [
        "curriculum",
        "--model",
        "m",
        "--base-url",
        "http://127.0.0.1:9/v1",
        "--pool",
        str(pool),
    ]
    code = xlogo([*args, "--out", str(out), "--size", "5", "--sample", "2", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1  # the endpoint failed, as in `xlogo eval`: not the user's input
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "cannot reach http://127.0.0.1:9/v1" in err
    assert not (out / "round-001" / "mix.json").exists()  # the round is not finished


def pool_file(tmp_path: Path, text: str) -> Path:
    """A pool of task records written by hand, as `pool.jsonl`."""
    f = tmp_path / "pool.jsonl"
    f.write_text(text, encoding="utf-8")
    return f


def test_a_broken_pool_line_is_named_by_file_line_and_column(tmp_path: Path) -> None:
    f = pool_file(tmp_path, '{"id": "a", "hash": "x"}\n{oops\n')
    with pytest.raises(XlogoError, match=r"pool\.jsonl: line 2, column 2: not valid JSON"):
        Pool.load(f)


def test_a_pool_line_with_an_integer_too_long_to_read_is_named(tmp_path: Path) -> None:
    f = pool_file(tmp_path, '{"id": "a", "hash": "x"}\n{"id": ' + "1" * 5000 + "}\n")
    with pytest.raises(XlogoError, match=r"pool\.jsonl: line 2: not valid JSON: an integer with"):
        Pool.load(f)


def test_pool_entries_remember_where_their_line_starts(tmp_path: Path) -> None:
    f = pool_file(tmp_path, '{"id": "a", "hash": "x"}\n\n{"id": "b", "hash": "y"}\n')
    entries = Pool.load(f).entries
    assert [e.id for e in entries] == ["a", "b"]
    assert f.read_bytes()[entries[1].offset :].startswith(b'{"id": "b"')


def test_a_pool_with_two_tasks_of_one_id_is_refused_when_loaded(tmp_path: Path) -> None:
    """Records of two folders made with one --seed share ids: a round that drew both tasks was
    refused by the evaluation, after the rounds before it, and only on some seeds."""
    f = pool_file(tmp_path, '{"id": "a", "hash": "x"}\n{"id": "a", "hash": "y"}\n')
    with pytest.raises(XlogoError, match=r"pool\.jsonl: line 2: two tasks have the id 'a'"):
        Pool.load(f)


def test_a_task_found_twice_in_a_pool_is_kept_once_not_refused(tmp_path: Path) -> None:
    f = pool_file(tmp_path, '{"id": "a", "hash": "x"}\n{"id": "a", "hash": "x"}\n')
    assert [e.id for e in Pool.load(f).entries] == ["a"]


def test_a_round_with_failed_requests_is_not_finished_until_a_rerun_answers_them(
    pool: Path, answers: dict, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "rounds"
    answer = _script(answers)
    flaky = {"on": True}

    def script(request: dict, seen: int):  # type: ignore[no-untyped-def]
        # while flaky, the first request about each of a third of the tasks fails
        if flaky["on"] and zlib.crc32(user_text(request).encode()) % 3 == 0:
            return Fail(500)
        return answer(request, seen)

    with ScriptedOpenAI(script) as server:
        assert _curriculum(server, pool, out, 1, "--retries", "0") == 1
        err = capsys.readouterr().err
        assert "of 24 requests" in err and "not finished" in err
        assert not (out / "round-001" / "mix.json").exists()
        asked = len(server.requests)
        flaky["on"] = False
        assert _curriculum(server, pool, out, 1, "--retries", "0") == 0
        again = len(server.requests) - asked
    report = json.loads(capsys.readouterr().out)["rounds"][0]
    assert 0 < again < 24  # only the failed requests are asked again
    assert report["evaluated"] == 24


def test_a_round_whose_requests_failed_exits_1_as_eval_does(pool: Path, tmp_path: Path, capsys):
    """The endpoint failed, not the user's input (README: eval's exit status)."""
    with ScriptedOpenAI(lambda request, seen: Fail(500)) as server:
        code = _curriculum(server, pool, tmp_path / "rounds", 1, "--retries", "0")
    assert code == 1
    assert "the endpoint answered none of 24 requests" in capsys.readouterr().err


def test_a_long_wait_for_a_rate_limit_is_said_once_on_stderr(
    pool: Path, answers: dict, tmp_path: Path, capsys, monkeypatch
) -> None:
    """As in `xlogo eval`: a round waiting out a Retry-After says so instead of looking hung
    (notice_after lowered from 5 s, so the test waits 1 s), once for the 4 requests in flight
    that the rate limit stopped together; stdout stays one JSON document."""
    monkeypatch.setattr(eval_client, "NOTICE_AFTER", 0.5)
    answer = _script(answers)
    lock, asked = threading.Lock(), [0]

    def first_4_rate_limited(request: dict, seen: int):  # type: ignore[no-untyped-def]
        with lock:
            asked[0] += 1
            n = asked[0]
        return Fail(429, {"Retry-After": "1"}) if n <= 4 else answer(request, seen)

    with ScriptedOpenAI(first_4_rate_limited) as server:
        rounds = tmp_path / "rounds"
        assert _curriculum(server, pool, rounds, 1, "--concurrency", "4") == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"xlogo curriculum: rate limited by {server.url}: waiting 1.0 s (Retry-After) "
        "before retry 1 of 6"
    ]
    assert json.loads(out)["rounds"][0]["evaluated"] == 24


def test_rounds_of_another_model_are_not_taken_as_this_ones(
    pool: Path, answers: dict, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "rounds"
    with ScriptedOpenAI(_script(answers)) as server:
        assert _curriculum(server, pool, out, 1) == 0
        capsys.readouterr()
        args = ["curriculum", "--model", "other", "--base-url", server.url, "--pool", str(pool)]
        assert xlogo([*args, "--out", str(out), "--size", "120", "--sample", "24"]) == 2
    assert "round 1 was made with model 'scripted'" in capsys.readouterr().err


def test_a_base_url_that_is_not_an_http_url_is_refused_before_any_round(
    pool: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "rounds"
    args = ["curriculum", "--model", "m", "--base-url", "not-a-url", "--pool", str(pool)]
    assert xlogo([*args, "--out", str(out)]) == 2
    assert "--base-url must be an http:// or https:// URL" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(("option", "value"), [("--floor", "nan"), ("--retries", "-1")])
def test_a_floor_or_retries_out_of_range_is_refused_before_any_round(
    option: str, value: str, pool: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "rounds"
    args = ["curriculum", "--model", "m", "--base-url", "http://127.0.0.1:9/v1"]
    assert xlogo([*args, "--pool", str(pool), "--out", str(out), option, value]) == 2
    assert f"{option} must be" in capsys.readouterr().err
    assert not out.exists()


def test_an_out_that_is_a_file_is_named_as_a_json_error(pool: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "p.jsonl"
    out.write_text("")
    args = ["curriculum", "--model", "m", "--base-url", "http://127.0.0.1:9", "--pool", str(pool)]
    assert xlogo([*args, "--out", str(out), "--json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["file"] == str(out / "round-001") and "round folder" in doc["message"]


@pytest.mark.parametrize(
    ("more", "said"),
    [
        ([], "no API key: set XLOGO_TEST_NO_KEY"),
        # a local endpoint may need no key, but one named and unset is a slip
        (["--base-url", "http://127.0.0.1:9/v1"], "set XLOGO_TEST_NO_KEY (named by --api-key-env"),
    ],
)
def test_a_key_variable_named_but_unset_is_refused_before_a_round_folder_is_made(
    pool: Path, tmp_path: Path, capsys, monkeypatch, more: list[str], said: str
) -> None:
    monkeypatch.delenv("XLOGO_TEST_NO_KEY", raising=False)
    out = tmp_path / "rounds"
    args = ["curriculum", "--model", "m", "--api-key-env", "XLOGO_TEST_NO_KEY", "--pool", str(pool)]
    assert xlogo([*args, *more, "--out", str(out)]) == 2
    assert said in capsys.readouterr().err
    assert not out.exists()


def test_a_rounds_report_nested_too_deeply_is_named_before_any_request(
    pool: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "rounds"
    mix = out / "round-001" / "mix.json"
    mix.parent.mkdir(parents=True)
    mix.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with ScriptedOpenAI(lambda request, seen: Reply("fd")) as server:
        assert _curriculum(server, pool, out, 1) == 2
        assert server.requests == []
    err = capsys.readouterr().err
    assert f"{mix}: not valid JSON (nested too deeply)" in err and "Traceback" not in err
