"""`xlogo eval` against a real local HTTP server: results, retries, errors, resume, constraints."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from openai_server import Drop, Fail, NotJson, RawJson, Reply, ScriptedOpenAI, user_text
from test_eval_taskset import BROKEN_FIELD, folder_with_a_broken_task

from xlogo_lang import load_tasks
from xlogo_lang.cli import main as cli_main
from xlogo_lang.errors import UsageError
from xlogo_lang.eval import client as eval_client
from xlogo_lang.eval.client import (
    ChatClient,
    Completion,
    EndpointError,
    RetryPolicy,
    Unreachable,
    retry_after_seconds,
)
from xlogo_lang.eval.prompts import build_prompt
from xlogo_lang.eval.runner import EvalConfig, read_run, run_eval
from xlogo_lang.printer import to_text
from xlogo_lang.python_form import to_python

IDS = ["1", "5", "22", "51", "60", "87"]
FAST = RetryPolicy(max_retries=3, base_delay=0.01, max_delay=0.02, timeout=5.0)


@pytest.fixture(scope="module")
def tasks(assets_dir: Path) -> list:
    by_id = {t.id: t for t in load_tasks(assets_dir)}
    return [by_id[i] for i in IDS]


@pytest.fixture(scope="module")
def solutions(tasks: list) -> dict[str, str]:
    """user prompt text -> the task's reference solution in canonical text."""
    return {build_prompt(t).user: to_text(t.solution) for t in tasks}


def config(url: str, **kw: object) -> EvalConfig:
    kw.setdefault("retry", FAST)
    kw.setdefault("concurrency", 3)
    return EvalConfig(model="scripted", base_url=url, **kw)  # type: ignore[arg-type]


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_every_attempt_is_written_with_prompt_reply_usage_and_verdict(tmp_path, tasks, solutions):
    def script(req, seen):
        return Reply(f"Here is my program:\n```\n{solutions[user_text(req)]}```\nDone.")

    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(script) as srv:
        summary = asyncio.run(run_eval(config(srv.url), tasks, out, progress=False))
    recs = lines(out)
    assert summary.solved == len(tasks) == len(recs)
    assert {r["task_id"] for r in recs} == set(IDS)
    r = recs[0]
    assert r["status"] == "ok" and r["solved"] and r["failure"] is None
    assert r["prompt_user"] == build_prompt(tasks[IDS.index(r["task_id"])]).user
    assert "Here is my program" in r["response"]
    assert (r["prompt_tokens"], r["completion_tokens"], r["total_tokens"]) == (100, 20, 120)
    assert r["extraction"]["source"] == "fenced"
    assert r["latency_s"] is not None and r["template_hash"] == summary_hash(tasks[0])


def summary_hash(task) -> str:
    return build_prompt(task).template_hash


def test_a_reply_with_lone_surrogates_is_recorded_as_it_came(tmp_path, tasks, solutions):
    """A JSON `\\ud800` escape in a reply gives Python a lone surrogate, which UTF-8 cannot
    write: the run stopped at it, and every resume asked for the same reply and stopped again."""

    def script(req, seen):
        return Reply(f"```\n{solutions[user_text(req)]}```\n\ud800 \udcff")

    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(script) as srv:
        summary = asyncio.run(run_eval(config(srv.url), tasks[:2], out, progress=False))
    assert summary.solved == 2
    out.read_bytes().decode("utf-8")  # strict UTF-8 throughout
    assert all(r["response"].endswith("\ud800 \udcff") for r in lines(out))


def test_garbage_and_prose_replies_are_scored_not_fatal(tmp_path, tasks):
    replies = {
        0: "I cannot do this.",
        1: "fd fd rt fd fd rt fd fd rt fd fd rt fd fd",
        2: "```\nrepeat(3){fd\n```",
    }

    def script(req, seen):
        n = len(srv.requests) % 3
        return Reply(replies[n])

    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(script) as srv:
        asyncio.run(run_eval(config(srv.url, concurrency=1), tasks[:3], out, progress=False))
    fails = {r["failure"] for r in lines(out)}
    assert "no_program" in fails and "syntax_error" in fails
    assert fails <= {"no_program", "syntax_error", "crash", "goal", "constraints"}


def test_rate_limits_and_server_errors_are_retried_until_an_answer(tmp_path, tasks, solutions):
    def script(req, seen):
        if seen == 1:
            return Fail(429, {"Retry-After": "0"})
        if seen == 2:
            return Fail(503)
        return Reply(f"```\n{solutions[user_text(req)]}```")

    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(script) as srv:
        summary = asyncio.run(run_eval(config(srv.url), tasks[:2], out, progress=False))
        assert len(srv.requests) == 6
    assert summary.solved == 2 and summary.errors == 0
    assert [r["retries"] for r in lines(out)] == [2, 2]


def test_slow_replies_past_the_timeout_and_dropped_connections_are_retried(
    tmp_path, tasks, solutions
):
    def script(req, seen):
        if seen == 1:
            return Reply("too late", delay=1.5)
        if seen == 2:
            return Drop()
        return Reply(f"```\n{solutions[user_text(req)]}```")

    out = tmp_path / "run.jsonl"
    policy = RetryPolicy(max_retries=3, base_delay=0.01, max_delay=0.02, timeout=0.5)
    with ScriptedOpenAI(script) as srv:
        summary = asyncio.run(
            run_eval(config(srv.url, retry=policy), tasks[:1], out, progress=False)
        )
    assert summary.solved == 1
    assert lines(out)[0]["retries"] == 2


def test_a_task_whose_requests_keep_failing_is_recorded_as_an_error(tmp_path, tasks, solutions):
    bad = build_prompt(tasks[0]).user

    def script(req, seen):
        if user_text(req) == bad:
            return Fail(500)
        return Reply(f"```\n{solutions[user_text(req)]}```")

    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(script) as srv:
        summary = asyncio.run(run_eval(config(srv.url), tasks[:3], out, progress=False))
    recs = {r["task_id"]: r for r in lines(out)}
    assert summary.errors == 1 and summary.solved == 2
    err = recs[tasks[0].id]
    assert (
        err["status"] == "error" and err["failure"] == "request_error" and err["response"] is None
    )
    assert "500" in err["request_error"] and err["retries"] == FAST.max_retries


def test_client_errors_are_not_retried(tmp_path, tasks):
    with ScriptedOpenAI(lambda req, seen: Fail(400, message="bad model")) as srv:
        asyncio.run(run_eval(config(srv.url), tasks[:1], tmp_path / "r.jsonl", progress=False))
        assert len(srv.requests) == 1
    assert "bad model" in lines(tmp_path / "r.jsonl")[0]["request_error"]


def test_retry_after_header_in_seconds_milliseconds_and_dates():
    assert retry_after_seconds({"retry-after": "7"}) == 7.0
    assert retry_after_seconds({"retry-after-ms": "250"}) == 0.25
    assert 0 <= retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert retry_after_seconds({}) is None


def test_backoff_doubles_with_jitter_and_is_capped():
    import random

    p = RetryPolicy(base_delay=1.0, max_delay=5.0, jitter=0.5)
    rng = random.Random(0)
    delays = [p.backoff(n, rng) for n in range(6)]
    assert all(0.5 * min(5.0, 2**n) <= d <= min(5.0, 2**n) for n, d in enumerate(delays))


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--timeout", "nan"),
        ("--timeout", "inf"),
        ("--timeout", "0"),
        ("--backoff", "nan"),
        ("--backoff", "inf"),
        ("--backoff", "-1"),
        ("--max-backoff", "nan"),
        ("--max-backoff", "-1"),
        ("--retries", "-1"),
    ],
)
def test_a_retry_setting_that_is_no_number_of_seconds_is_refused_naming_it(
    option, value, tmp_path, assets_dir, capsys
):
    # NaN passed `x <= 0`: with --timeout nan every request failed and was recorded as an error
    out = tmp_path / "r.jsonl"
    code = cli_main(["eval", "--model", "m", "--tasks", str(assets_dir), "--limit", "1",
                     "--base-url", "http://127.0.0.1:9/v1", "--out", str(out),
                     option, value])  # fmt: skip
    assert code == 2 and f"{option} must be" in capsys.readouterr().err
    assert not out.exists()


def test_an_infinite_backoff_cap_is_no_cap_and_many_retries_do_not_overflow():
    import random

    p = RetryPolicy(base_delay=1.0, max_delay=float("inf"), jitter=0.0)
    assert p.backoff(3, random.Random(0)) == 8.0
    assert RetryPolicy(max_delay=5.0, jitter=0.0).backoff(5000, random.Random(0)) == 5.0


def test_resume_skips_finished_attempts_and_adds_more_samples(tmp_path, tasks, solutions):
    def script(req, seen):
        return Reply(f"```\n{solutions[user_text(req)]}```")

    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(script) as srv:
        asyncio.run(run_eval(config(srv.url), tasks[:2], out, progress=False))
        asyncio.run(run_eval(config(srv.url), tasks, out, progress=False))
        assert len(srv.requests) == len(tasks)
        s = asyncio.run(
            run_eval(config(srv.url, samples=2, temperature=0.0), tasks, out, progress=False)
        )
        assert len(srv.requests) == 2 * len(tasks)
    keys = [(r["task_id"], r["sample"]) for r in lines(out)]
    assert len(keys) == len(set(keys)) == 2 * len(tasks)
    assert s.resumed == len(tasks) and s.finished == len(tasks)


def test_a_torn_last_line_is_cut_off_and_redone(tmp_path, tasks, solutions):
    def script(req, seen):
        return Reply(f"```\n{solutions[user_text(req)]}```")

    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(script) as srv:
        asyncio.run(run_eval(config(srv.url), tasks[:2], out, progress=False))
        data = out.read_bytes()
        last = data[:-1].rfind(b"\n") + 1
        out.write_bytes(data[: last + 40])  # the process died while writing the second line
        asyncio.run(run_eval(config(srv.url), tasks[:2], out, progress=False))
    recs = lines(out)
    assert sorted(r["task_id"] for r in recs) == sorted(t.id for t in tasks[:2])
    assert read_run(out).bad_lines == []


def test_another_configuration_in_the_same_file_is_refused(tmp_path, tasks, assets_dir, capsys):
    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(lambda req, seen: Reply("fd")) as srv:
        asyncio.run(run_eval(config(srv.url), tasks[:1], out, progress=False))
        argv = ["eval", "--model", "other", "--base-url", srv.url, "--tasks", str(assets_dir)]
        code = cli_main([*argv, "--ids", tasks[0].id, "--out", str(out), "--no-progress"])
        assert len(srv.requests) == 1
    assert code == 2
    assert "another configuration" in capsys.readouterr().err


def test_a_run_of_an_older_prompt_wording_is_refused_saying_what_the_hash_covers(
    tmp_path, tasks, capsys
):
    """The same arguments give another template hash once xlogo words prompts otherwise."""
    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(lambda req, seen: Reply("fd")) as srv:
        asyncio.run(run_eval(config(srv.url), tasks[:1], out, progress=False))
        old = {"template_hash": "0123456789ab", "run_id": "0123456789ab"}  # made by version 1
        recs = [{**r, **old} for r in lines(out)]
        out.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
        with pytest.raises(UsageError) as err:
            asyncio.run(run_eval(config(srv.url), tasks[:1], out, progress=False))
    assert "template hash '0123456789ab' in the file" in str(err.value)
    from xlogo_lang.eval.prompts import PROMPT_VERSION

    covers = f"a hash of the template and of xlogo's prompt wording, version {PROMPT_VERSION}"
    assert covers in str(err.value)


def test_vision_mode_sends_the_picture_as_a_data_url(tmp_path, tasks):
    got = []

    def script(req, seen):
        got.append(req["messages"][-1]["content"])
        return Reply("fd")

    with ScriptedOpenAI(script) as srv:
        asyncio.run(
            run_eval(
                config(srv.url, mode="vision"), tasks[:1], tmp_path / "r.jsonl", progress=False
            )
        )
    parts = {p["type"]: p for p in got[0]}
    assert parts["image_url"]["image_url"]["url"].startswith("data:image/png;base64,")
    assert "Map (" not in parts["text"]["text"]
    assert lines(tmp_path / "r.jsonl")[0]["image_sha256"]


def test_a_vision_run_drawn_by_another_pillow_build_still_resumes(tmp_path, tasks):
    """The picture's bytes depend on the Pillow, FreeType and zlib that drew it: resuming
    compares the prompt's text, never the hash of the picture."""
    out = tmp_path / "r.jsonl"
    with ScriptedOpenAI(lambda req, seen: Reply("fd")) as srv:
        cfg = config(srv.url, mode="vision", samples=1)
        asyncio.run(run_eval(cfg, tasks[:1], out, progress=False))
        rec = lines(out)[0]
        rec["image_sha256"] = "0" * 64  # as another build would have drawn it
        out.write_text(json.dumps(rec) + "\n")
        more = replace(cfg, samples=2)
        asyncio.run(run_eval(more, tasks[:1], out, progress=False))
    assert [r["sample"] for r in lines(out)] == [0, 1]


def test_grammar_constraint_is_sent_and_python_answers_score(tmp_path, tasks):
    prog = {
        build_prompt(t, answer_format="python", constrain="grammar").user: t.solution for t in tasks
    }

    def script(req, seen):
        body_grammar = req.get("guided_grammar") or req.get("structured_outputs", {}).get("grammar")
        if not body_grammar or "root" not in body_grammar:
            return Fail(400, message="expected a grammar")
        return Reply(to_python(prog[user_text(req)]))

    out = tmp_path / "r.jsonl"
    with ScriptedOpenAI(script) as srv:
        s = asyncio.run(
            run_eval(
                config(srv.url, constrain="grammar", answer_format="python"),
                tasks,
                out,
                progress=False,
            )
        )
    assert s.solved == len(tasks)


def test_json_schema_constraint_is_sent_and_code_json_answers_score(tmp_path, tasks):
    from xlogo_lang.codejson import to_json

    prog = {build_prompt(t, constrain="json").user: t.solution for t in tasks}

    def script(req, seen):
        fmt = req.get("response_format") or {}
        if fmt.get("type") != "json_schema" or "schema" not in fmt.get("json_schema", {}):
            return Fail(400, message="expected a JSON schema")
        return Reply(json.dumps(to_json(prog[user_text(req)])))

    out = tmp_path / "r.jsonl"
    with ScriptedOpenAI(script) as srv:
        s = asyncio.run(run_eval(config(srv.url, constrain="json"), tasks, out, progress=False))
    assert s.solved == len(tasks)
    assert {r["extraction"]["source"] for r in lines(out)} == {"json"}


def test_dry_run_prints_prompts_and_the_request_count(tmp_path, assets_dir, capsys):
    src = str(assets_dir)
    code = cli_main(["eval", "--model", "m", "--tasks", src, "--limit", "2", "--samples", "3",
                     "--out", str(tmp_path / "r.jsonl"), "--dry-run"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert out.count("--- user ---") == 2 and "6 requests" in out
    assert not (tmp_path / "r.jsonl").exists()


def test_dry_run_counts_one_request_of_one_task_in_the_singular(tmp_path, assets_dir, capsys):
    """`1 requests to make (1 tasks x 1 samples, ...)` read as a slip; and the line is one, in a
    pipe too, naming the file as given."""
    out = tmp_path / "r.jsonl"
    code = cli_main(["eval", "--model", "m", "--tasks", str(assets_dir), "--ids", "87",
                     "--out", str(out), "--dry-run"])  # fmt: skip
    assert code == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == f"1 request to make (1 task x 1 sample, 0 already in {out})"


def test_the_summary_of_a_run_of_one_attempt_is_one_line_in_the_singular(
    tmp_path, assets_dir, capsys
):
    """In a pipe it was cut at 80 columns, and a path in brackets was read as markup:
    `results in r.jsonl` for `r[bold].jsonl`."""
    out = tmp_path / "r[bold].jsonl"
    with ScriptedOpenAI(lambda req, seen: Reply("fd")) as srv:
        code = cli_main(["eval", "--model", "m", "--base-url", srv.url, "--tasks",
                         str(assets_dir), "--ids", "87", "--out", str(out),
                         "--no-progress"])  # fmt: skip
    assert code == 0
    assert capsys.readouterr().out.splitlines() == [
        "1 new attempt, 0 resumed; solved 0/1 (0.0%); 0 request errors; tokens 100+20; "
        f"results in {out}"
    ]


def test_dry_run_as_json_refuses_a_bad_template_as_a_run_does(tmp_path, assets_dir, capsys):
    template = tmp_path / "t.txt"
    template.write_text("Solve this: $nosuch\n")
    code = cli_main(["eval", "--model", "m", "--tasks", str(assets_dir), "--limit", "1",
                     "--template", str(template), "--out", str(tmp_path / "r.jsonl"),
                     "--dry-run", "--json"])  # fmt: skip
    assert code == 2 and "nosuch" in capsys.readouterr().err


def test_several_greedy_samples_are_warned_about_not_refused(tmp_path, assets_dir, capsys):
    argv = ["eval", "--model", "m", "--tasks", str(assets_dir), "--limit", "1", "--samples", "5"]
    code = cli_main([*argv, "--out", str(tmp_path / "r.jsonl"), "--dry-run", "--json"])
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out)["requests"] == 5
    assert err.startswith("xlogo eval: warning: --samples 5 with --temperature 0")
    assert "identical" in err and "--temperature" in err


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -1.0])
def test_a_temperature_that_is_no_sampling_setting_is_refused(value):
    with pytest.raises(UsageError, match="--temperature must be"):
        config("http://localhost:1", temperature=value)


def test_a_temperature_of_minus_zero_is_the_run_of_zero():
    zero, minus_zero = config("http://h", temperature=0.0), config("http://h", temperature=-0.0)
    assert minus_zero.run_id == zero.run_id


def test_a_max_tokens_below_one_is_refused():
    with pytest.raises(UsageError, match="--max-tokens must be at least 1, not 0"):
        config("http://h", max_tokens=0)


def test_a_json_constrained_run_refuses_the_python_answer_format():
    # the schema admits code JSON only and the prompt asks for it: python would go unused
    with pytest.raises(UsageError, match="--answer-format python does not go with it"):
        config("http://h", constrain="json", answer_format="python")
    assert config("http://h", constrain="grammar", answer_format="python").constrain == "grammar"


def test_an_unknown_mode_is_refused_when_the_config_is_made():
    with pytest.raises(UsageError, match=r"unknown --mode 'audio' \(use text or vision\)"):
        config("http://h", mode="audio")


def test_an_unknown_answer_format_is_refused_when_the_config_is_made():
    with pytest.raises(UsageError, match=r"unknown --answer-format 'yaml' \(use text or python\)"):
        config("http://h", answer_format="yaml")


def test_an_unknown_constraint_mode_is_refused_with_the_words_build_prompt_takes():
    words = r"\(use grammar or json, or None\)"
    with pytest.raises(UsageError, match=f"unknown --constrain 'regex' {words}"):
        config("http://h", constrain="regex")


@pytest.mark.parametrize("samples", [2.5, 2.0, "3", True])
def test_a_number_of_samples_that_is_not_an_int_is_a_type_error(samples):
    kind = type(samples).__name__
    with pytest.raises(TypeError, match=f"^--samples must be an int, got {kind}$"):
        config("http://h", samples=samples)


def test_a_limit_of_zero_tasks_is_refused(tmp_path, assets_dir, capsys):
    code = cli_main(["eval", "--model", "m", "--tasks", str(assets_dir), "--limit", "0",
                     "--out", str(tmp_path / "r.jsonl"), "--dry-run"])  # fmt: skip
    assert code == 2 and "--limit must be at least 1, not 0" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")
def test_a_second_run_on_a_file_another_run_is_writing_is_refused(tmp_path, tasks):
    import fcntl

    out = tmp_path / "run.jsonl"
    with out.open("a") as other:  # the first `xlogo eval`, still running
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(UsageError, match="another xlogo eval is writing this file"):
            asyncio.run(run_eval(config("http://localhost:1"), tasks, out, progress=False))
    assert out.read_text() == ""  # nothing asked, nothing written


def test_a_run_that_fails_before_writing_leaves_no_file(tmp_path, tasks):
    template = tmp_path / "t.txt"
    template.write_text("Solve this: $nosuch\n")
    out = tmp_path / "run.jsonl"
    with pytest.raises(UsageError, match="nosuch"):
        cfg = config("http://localhost:1", template=str(template))
        asyncio.run(run_eval(cfg, tasks, out, progress=False))
    assert not out.exists()


def test_killed_run_resumes_without_losing_or_repeating_attempts(
    tmp_path, tasks, solutions, assets_dir
):
    def script(req, seen):
        return Reply(f"```\n{solutions[user_text(req)]}```", delay=0.25)

    out = tmp_path / "run.jsonl"
    src = str(assets_dir)
    with ScriptedOpenAI(script) as srv:
        args = [sys.executable, "-m", "xlogo_lang", "eval", "--model", "scripted"]
        args += ["--base-url", srv.url, "--tasks", src, "--ids", ",".join(IDS)]
        args += ["--concurrency", "1", "--out", str(out), "--no-progress", "--backoff", "0.01"]
        env = {**os.environ, "OPENAI_API_KEY": "test"}
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not out.exists() or out.read_text().count("\n") < 2):
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        before = lines(out)
        assert 2 <= len(before) < len(IDS)
        assert subprocess.run(args, env=env, capture_output=True, timeout=120).returncode == 0
        asked = [user_text(r) for r in srv.requests]
    after = lines(out)
    assert after[: len(before)] == before
    assert sorted(r["task_id"] for r in after) == sorted(IDS)
    assert all(r["solved"] for r in after)
    done_first = {build_prompt(t).user for t in tasks if t.id in {r["task_id"] for r in before}}
    assert all(asked.count(u) == 1 for u in done_first)


def test_ctrl_c_says_what_was_kept_and_how_to_resume(tmp_path, tasks, solutions, assets_dir):
    """A bare "interrupted" left the user to guess whether the replies were lost."""

    def script(req, seen):
        return Reply(f"```\n{solutions[user_text(req)]}```", delay=0.25)

    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(script) as srv:
        args = [sys.executable, "-m", "xlogo_lang", "eval", "--model", "scripted"]
        args += ["--base-url", srv.url, "--tasks", str(assets_dir), "--ids", ",".join(IDS)]
        args += ["--concurrency", "1", "--out", str(out), "--no-progress"]
        env = {**os.environ, "OPENAI_API_KEY": "test"}
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not out.exists() or not out.read_text()):
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "interrupted: every reply received so far is in --out; run the same command again" in (
        err.decode()
    )
    assert "Traceback" not in err.decode()


# `python -m xlogo_lang ARGS` where writes past 3,000 bytes fail with EFBIG (no privilege needed)
SMALL_FILES = (
    "import resource, runpy, signal, sys\n"
    "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (3000, 3000))\n"
    "sys.argv[0] = 'xlogo'\n"
    "runpy.run_module('xlogo_lang', run_name='__main__')\n"
)


def test_a_results_file_that_cannot_grow_stops_the_run_naming_it(tmp_path, solutions, assets_dir):
    """A full disk (here a file-size limit) ends the run with an error naming the file, the
    other workers stopped with it; the same command resumes once there is room."""

    def script(req, seen):
        return Reply(f"```\n{solutions[user_text(req)]}```", delay=0.05)

    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(script) as srv:
        argv = ["eval", "--model", "scripted", "--base-url", srv.url, "--tasks", str(assets_dir)]
        argv += ["--ids", ",".join(IDS), "--concurrency", "3", "--out", str(out), "--no-progress"]
        env = {**os.environ, "OPENAI_API_KEY": "test"}
        full = subprocess.run(
            [sys.executable, "-c", SMALL_FILES, *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert full.returncode == 2
        assert f"{out}: cannot write: File too large" in full.stderr
        assert "Traceback" not in full.stderr and "never retrieved" not in full.stderr
        assert len(srv.requests) <= 3  # no attempt was asked after the first failed write
        again = subprocess.run(
            [sys.executable, "-m", "xlogo_lang", *argv], env=env, capture_output=True, timeout=120
        )
    assert again.returncode == 0
    assert sorted(r["task_id"] for r in lines(out)) == sorted(IDS)


def test_ok_and_error_records_share_keys_and_types_so_datasets_can_load_them(tmp_path, tasks):
    bad = build_prompt(tasks[0]).user

    def script(req, seen):
        return Fail(500) if user_text(req) == bad else Reply("```\nfd\nrt\n```")

    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(script) as srv:
        asyncio.run(run_eval(config(srv.url), tasks[:3], out, progress=False))
    recs = lines(out)
    assert {r["status"] for r in recs} == {"ok", "error"}
    assert len({tuple(sorted(r)) for r in recs}) == 1
    for key in recs[0]:
        kinds = {type(r[key]).__name__ for r in recs if r[key] is not None}
        assert len(kinds) <= 1, (key, kinds)
        nested = [r[key] for r in recs if isinstance(r[key], dict)]
        assert len({tuple(sorted(d)) for d in nested}) <= 1, key


def test_unknown_task_ids_are_a_usage_error(tmp_path, assets_dir, capsys):
    argv = ["eval", "--model", "m", "--tasks", str(assets_dir), "--ids", "1,nope"]
    assert cli_main([*argv, "--out", str(tmp_path / "r.jsonl"), "--dry-run"]) == 2
    assert "'nope'" in capsys.readouterr().err


def test_no_more_requests_are_in_flight_than_the_concurrency(tmp_path, tasks):
    import threading

    lock = threading.Lock()
    state = {"active": 0, "peak": 0}

    def script(req, seen):
        with lock:
            state["active"] += 1
            state["peak"] = max(state["peak"], state["active"])
        time.sleep(0.1)
        with lock:
            state["active"] -= 1
        return Reply("fd")

    with ScriptedOpenAI(script) as srv:
        asyncio.run(
            run_eval(config(srv.url, concurrency=2), tasks, tmp_path / "r.jsonl", progress=False)
        )
    assert state["peak"] == 2


def test_a_reply_that_is_not_json_is_recorded_as_a_bad_response(tmp_path, tasks):
    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(lambda req, seen: NotJson()) as srv:
        summary = asyncio.run(run_eval(config(srv.url), tasks[:2], out, progress=False))
    recs = lines(out)
    assert summary.errors == 2 and len(recs) == 2
    assert all(r["status"] == "error" for r in recs)
    assert all("not a chat completion" in r["request_error"] for r in recs)


@pytest.mark.parametrize(
    "body",
    ['{"choices": [{"message": {"content": "fd"', "[" * 100_000 + "]" * 100_000],
    ids=["cut_short", "nested_too_deeply"],
)
def test_a_json_reply_that_cannot_be_read_is_recorded_as_a_bad_response(tmp_path, tasks, body):
    """Sent as JSON, not readable as JSON: a body cut short (ValueError) or nested deeper than
    Python's reader goes (RecursionError, which ended the run with a traceback)."""
    out = tmp_path / "run.jsonl"
    reply = NotJson(body, content_type="application/json")
    with ScriptedOpenAI(lambda req, seen: reply) as srv:
        summary = asyncio.run(run_eval(config(srv.url), tasks[:2], out, progress=False))
    recs = lines(out)
    assert summary.errors == 2 and len(recs) == 2
    assert all(r["request_error"].startswith("bad_response: unusable reply: ") for r in recs)


MALFORMED = [
    {"choices": [{"finish_reason": "content_filter"}]},
    {"choices": [{"message": None}]},
    {"choices": [None]},
    {"choices": "x"},
    42,
    [1, 2, 3],
    {"choices": [{"message": {"content": 5}, "finish_reason": "stop"}]},
    {"choices": [{"message": {"content": [{"type": "image_url"}]}, "finish_reason": "stop"}]},
]


@pytest.mark.parametrize("body", MALFORMED, ids=range(len(MALFORMED)))
def test_a_malformed_completion_is_a_bad_response_and_the_run_goes_on(tmp_path, tasks, body):
    """Valid JSON that is no chat completion: an error record for that attempt, never a
    traceback that loses the replies in flight, nor a non-string `response` in the file."""
    bad_prompt = build_prompt(tasks[0]).user

    def script(req, seen):
        return RawJson(body) if user_text(req) == bad_prompt else Reply("fd")

    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(script) as srv:
        summary = asyncio.run(run_eval(config(srv.url), tasks[:3], out, progress=False))
    recs = {r["task_id"]: r for r in lines(out)}
    assert summary.errors == 1 and len(recs) == 3
    bad = recs[tasks[0].id]
    assert bad["status"] == "error" and bad["failure"] == "request_error"
    assert "unusable reply" in bad["request_error"]
    assert all(r["status"] == "ok" for tid, r in recs.items() if tid != tasks[0].id)


def test_a_reply_in_text_parts_is_joined_into_one_string(tmp_path, tasks):
    parts = [{"type": "text", "text": "```\nfd"}, {"type": "text", "text": "\n```"}]
    body = {"choices": [{"message": {"content": parts}, "finish_reason": "stop"}]}
    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(lambda req, seen: RawJson(body)) as srv:
        asyncio.run(run_eval(config(srv.url), tasks[:1], out, progress=False))
    (rec,) = lines(out)
    assert rec["status"] == "ok" and rec["response"] == "```\nfd\n```"


def test_a_reply_holding_unicode_line_separators_stays_one_record_on_resume(tmp_path):
    out = tmp_path / "run.jsonl"
    rec = {"task_id": "1", "sample": 0, "response": "fd\u2028rt\x85fd"}
    out.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    rf = read_run(out)
    assert rf.records == [rec] and rf.bad == []


# -- what --out may be ---------------------------------------------------------------------------

NOT_RUN_FILES = {
    "notes": b"my notes line 1\nmy important notes line 2",
    "pretty_json": b'{\n  "a": 1\n}\n',
    "binary": bytes(range(256)) * 4,
    "predictions": b'{"task_id": "1", "response": "fd"}\n',
}


@pytest.mark.parametrize("kind", NOT_RUN_FILES)
def test_a_file_that_is_not_a_run_is_refused_as_out_and_left_byte_for_byte(
    tmp_path, assets_dir, capsys, kind
):
    out = tmp_path / "mine.txt"
    out.write_bytes(NOT_RUN_FILES[kind])
    with ScriptedOpenAI(lambda req, seen: Reply("fd")) as srv:
        argv = ["eval", "--model", "m", "--base-url", srv.url, "--tasks", str(assets_dir)]
        code = cli_main([*argv, "--limit", "1", "--out", str(out), "--no-progress"])
        assert srv.requests == []
    err = capsys.readouterr().err
    assert code == 2 and str(out) in err and "not a results file" in err
    assert out.read_bytes() == NOT_RUN_FILES[kind]


def test_a_run_with_a_damaged_line_inside_is_still_resumed(tmp_path, tasks, solutions):
    """Its first line is a record, so it is a run; readers skip the damaged line, as before."""
    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(lambda req, seen: Reply(f"```\n{solutions[user_text(req)]}```")) as srv:
        asyncio.run(run_eval(config(srv.url), tasks[:1], out, progress=False))
        with out.open("a", encoding="utf-8") as f:
            f.write("{damaged\n")
        asyncio.run(run_eval(config(srv.url), tasks[:2], out, progress=False))
    run = read_run(out)
    assert sorted(r["task_id"] for r in run.records) == sorted(t.id for t in tasks[:2])
    assert run.bad_lines == [2]


def test_a_run_with_a_json_line_that_is_no_record_inside_is_still_resumed(
    tmp_path, tasks, solutions
):
    """A JSON object without run_id and sample after the first record (a prediction pasted in)
    is skipped like a damaged line, not a KeyError."""
    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(lambda req, seen: Reply(f"```\n{solutions[user_text(req)]}```")) as srv:
        asyncio.run(run_eval(config(srv.url), tasks[:1], out, progress=False))
        with out.open("a", encoding="utf-8") as f:
            f.write(json.dumps({"task_id": tasks[0].id, "response": "fd"}) + "\n")
        summary = asyncio.run(run_eval(config(srv.url), tasks[:2], out, progress=False))
    assert summary.requested == 1 and summary.resumed == 1


def test_a_run_torn_in_its_first_line_is_cut_off_and_redone(tmp_path, tasks, solutions):
    out = tmp_path / "run.jsonl"
    out.write_text('{"run_id": "6b1a3e1d9b', encoding="utf-8")  # killed while writing line 1
    with ScriptedOpenAI(lambda req, seen: Reply(f"```\n{solutions[user_text(req)]}```")) as srv:
        asyncio.run(run_eval(config(srv.url), tasks[:1], out, progress=False))
    assert [r["task_id"] for r in lines(out)] == [tasks[0].id]


def test_the_refusal_of_another_configuration_names_what_changed_and_both_values(
    tmp_path, tasks, assets_dir, capsys
):
    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(lambda req, seen: Reply("fd")) as srv:
        asyncio.run(run_eval(config(srv.url, temperature=0.0), tasks[:1], out, progress=False))
        argv = ["eval", "--model", "scripted", "--base-url", srv.url, "--tasks", str(assets_dir)]
        argv += ["--ids", tasks[0].id, "--out", str(out), "--temperature", "0.5"]
        assert cli_main(argv) == 2
    err = capsys.readouterr().err
    assert "--temperature 0.0 in the file, 0.5 now" in err
    assert "--model" not in err and "template" not in err


def test_a_new_mode_is_named_without_the_template_hash_it_also_changes(tmp_path, tasks):
    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(lambda req, seen: Reply("fd")) as srv:
        asyncio.run(run_eval(config(srv.url), tasks[:1], out, progress=False))
        with pytest.raises(UsageError) as err:
            asyncio.run(run_eval(config(srv.url, mode="vision"), tasks[:1], out, progress=False))
    assert "--mode 'text' in the file, 'vision' now" in err.value.message
    assert "template" not in err.value.message


def test_every_setting_of_the_run_id_is_recorded_so_a_new_seed_is_named(tmp_path, tasks):
    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(lambda req, seen: Reply("fd")) as srv:
        asyncio.run(run_eval(config(srv.url, seed=1, top_p=0.9), tasks[:1], out, progress=False))
        with pytest.raises(UsageError, match="--seed 1 in the file, 2 now"):
            asyncio.run(
                run_eval(config(srv.url, seed=2, top_p=0.9), tasks[:1], out, progress=False)
            )
    rec = lines(out)[0]
    assert (rec["seed"], rec["top_p"], rec["grammar_format"]) == (1, 0.9, None)


# -- which tasks the file's attempts answer --------------------------------------------------------


def _another_task_87(tmp_path: Path, tasks_dir: Path) -> Path:
    """A folder whose task 87 is another task (task 1's world and goal under the id 87)."""
    folder = tmp_path / "other_tasks"
    folder.mkdir()
    task = json.loads((tasks_dir / "1.json").read_text(encoding="utf-8"))
    (folder / "87.json").write_text(json.dumps({**task, "id": "87"}), encoding="utf-8")
    return folder


def test_resuming_with_another_task_under_a_recorded_id_is_refused_before_any_request(
    tmp_path, assets_dir, tasks_dir, capsys
):
    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(lambda req, seen: Reply("fd")) as srv:
        argv = ["eval", "--model", "m", "--base-url", srv.url, "--ids", "87"]
        argv += ["--out", str(out), "--no-progress"]
        assert cli_main([*argv, "--tasks", str(assets_dir)]) == 0
        before, asked = out.read_bytes(), len(srv.requests)
        code = cli_main([*argv, "--tasks", str(_another_task_87(tmp_path, tasks_dir))])
        assert len(srv.requests) == asked
    err = capsys.readouterr().err
    assert code == 2 and f"{out}: task '87'" in err and "mix task sets" in err
    assert out.read_bytes() == before


def test_a_dry_run_on_another_task_under_a_recorded_id_is_refused_too(
    tmp_path, tasks, tasks_dir, capsys
):
    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(lambda req, seen: Reply("fd")) as srv:
        asyncio.run(run_eval(config(srv.url), [tasks[IDS.index("87")]], out, progress=False))
    argv = ["eval", "--model", "scripted", "--tasks", str(_another_task_87(tmp_path, tasks_dir))]
    assert cli_main([*argv, "--out", str(out), "--dry-run"]) == 2
    assert "task '87'" in capsys.readouterr().err


def test_a_vision_run_resumed_on_another_task_with_the_same_prompt_text_is_refused(
    tmp_path, assets_dir, tasks_dir, capsys
):
    """A vision prompt's text says only the grid's size and the goal: tasks 1 and 2 are asked
    in the same words (their pictures differ). Comparing the text alone let a run of task 1
    resume on task 2 under the id 1, its old reply judged on a task it was never shown."""
    folder = tmp_path / "other_tasks"
    folder.mkdir()
    task_2 = json.loads((tasks_dir / "2.json").read_text(encoding="utf-8"))
    (folder / "1.json").write_text(json.dumps({**task_2, "id": "1"}), encoding="utf-8")
    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(lambda req, seen: Reply("fd")) as srv:
        argv = ["eval", "--model", "m", "--base-url", srv.url, "--ids", "1", "--mode", "vision"]
        argv += ["--out", str(out), "--no-progress", "--samples", "2", "--temperature", "1"]
        assert cli_main([*argv, "--tasks", str(assets_dir)]) == 0
        lines_before = out.read_text().splitlines()
        out.write_text(lines_before[0] + "\n")  # stopped after one sample
        before, asked = out.read_bytes(), len(srv.requests)
        code = cli_main([*argv, "--tasks", str(folder)])
        assert len(srv.requests) == asked
    err = capsys.readouterr().err
    assert code == 2 and f"{out}: task '1'" in err and "mix task sets" in err
    assert out.read_bytes() == before


def test_the_same_tasks_read_from_another_place_resume(tmp_path, assets_dir, tasks_dir, capsys):
    """The prompts are compared, not the paths: the folder form of the assets is the same set."""
    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(lambda req, seen: Reply("fd")) as srv:
        argv = ["eval", "--model", "m", "--base-url", srv.url, "--ids", "1,87"]
        argv += ["--out", str(out), "--no-progress", "--json"]
        assert cli_main([*argv, "--tasks", str(assets_dir)]) == 0
        assert cli_main([*argv, "--tasks", str(tasks_dir)]) == 0
        assert len(srv.requests) == 2
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["resumed"] == 2


# -- the endpoint ----------------------------------------------------------------------------------


def _dead_url() -> str:
    """The URL of a port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def test_failed_requests_are_explained_with_the_endpoint_and_the_first_cause(
    tmp_path, assets_dir, capsys
):
    with ScriptedOpenAI(lambda req, seen: Fail(503, message="overloaded")) as srv:
        argv = ["eval", "--model", "m", "--base-url", srv.url, "--tasks", str(assets_dir)]
        argv += ["--ids", "1,87", "--retries", "0", "--out", str(tmp_path / "r.jsonl")]
        assert cli_main([*argv, "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert f'2 attempts got no reply from {srv.url}, all with "server: HTTP 503: overloaded"' in err
    assert "--retry-errors" in err


@pytest.mark.parametrize("view", [[], ["--json"]], ids=["progress", "json"])
def test_a_long_wait_for_a_rate_limit_is_said_once_on_stderr(
    view, tmp_path, assets_dir, capsys, monkeypatch
):
    """A 429 with a long Retry-After left a frozen progress bar for minutes. The waits of the
    attempts it stopped together are said in one line (notice_after lowered from 5 s, so the
    test waits 1 s); stdout stays the output, one JSON document with --json."""
    monkeypatch.setattr(eval_client, "NOTICE_AFTER", 0.5)

    def first_429(req: dict, seen: int) -> Any:
        return Fail(429, {"Retry-After": "1"}) if seen == 1 else Reply("fd")

    with ScriptedOpenAI(first_429) as srv:
        argv = ["eval", "--model", "m", "--base-url", srv.url, "--tasks", str(assets_dir)]
        argv += ["--ids", "1,5,87", "--backoff", "0.1", "--out", str(tmp_path / "r.jsonl")]
        assert cli_main([*argv, *view]) == 0
    out, err = capsys.readouterr()
    said = [line for line in err.splitlines() if "waiting" in line]
    assert said == [
        f"xlogo eval: rate limited by {srv.url}: waiting 1.0 s (Retry-After) before retry 1 of 6"
    ]
    if view:
        assert json.loads(out)["finished"] == 3
    else:
        assert "3 new attempts" in out


def test_an_endpoint_that_cannot_be_reached_ends_the_run_at_once_naming_it(
    tmp_path, assets_dir, capsys
):
    """With the default retry policy (6 retries, about 50 s per attempt): a refused connection
    before the endpoint ever answered is not worth waiting for."""
    url, out = _dead_url(), tmp_path / "dead.jsonl"
    argv = ["eval", "--model", "m", "--base-url", url, "--tasks", str(assets_dir)]
    start = time.monotonic()
    code = cli_main([*argv, "--ids", ",".join(IDS), "--out", str(out), "--no-progress"])
    assert time.monotonic() - start < 5
    err = capsys.readouterr().err
    assert code == 1 and f"cannot reach {url}" in err and "Traceback" not in err
    assert not out.exists()  # nothing was asked, so nothing is recorded as failed


def test_a_run_stopped_by_an_unreachable_endpoint_keeps_its_records_and_resumes(
    tmp_path, tasks, solutions
):
    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(lambda req, seen: Reply(f"```\n{solutions[user_text(req)]}```")) as srv:
        asyncio.run(run_eval(config(srv.url), tasks[:2], out, progress=False))
        before = out.read_bytes()
        with pytest.raises(EndpointError, match=r"cannot reach .*run the same command again"):
            asyncio.run(run_eval(config(_dead_url()), tasks, out, progress=False))
        assert out.read_bytes() == before
        summary = asyncio.run(run_eval(config(srv.url), tasks, out, progress=False))
        assert len(srv.requests) == len(tasks)  # each task asked once, over both runs
    assert (summary.resumed, summary.finished, summary.errors) == (2, len(tasks) - 2, 0)


def _restart_later(port: int, delay: float, servers: list[ScriptedOpenAI]) -> threading.Timer:
    """Start a server answering "fd" on `port` after `delay` seconds (a server restarting), made
    only then: a server bound earlier would accept connections before it serves them."""

    def start() -> None:
        servers.append(ScriptedOpenAI(lambda r, s: Reply("fd"), port=port).__enter__())

    timer = threading.Timer(delay, start)
    timer.start()
    return timer


def test_a_server_that_comes_back_within_the_retry_policy_is_waited_for(tasks):
    """The endpoint went away after answering and came back before the attempt's retries ran
    out (a restart): the refused connections were retried, and the attempt got its reply."""
    policy = RetryPolicy(max_retries=6, base_delay=0.2, max_delay=0.2, jitter=0.0, timeout=5.0)
    messages = build_prompt(tasks[0]).messages()
    servers: list[ScriptedOpenAI] = []

    async def ask_across_a_restart(first: ScriptedOpenAI) -> Completion:
        chat = ChatClient("m", first.url, policy=policy)
        with first:
            await chat.complete(messages)
            await chat.close()  # no kept-alive connection to the stopped server's handler
        timer = _restart_later(first.port, 0.5, servers)
        try:
            return await chat.complete(messages)
        finally:
            await chat.close()
            timer.join()
            servers[-1].__exit__()

    reply = asyncio.run(ask_across_a_restart(ScriptedOpenAI(lambda r, s: Reply("fd"))))
    assert reply.text == "fd" and reply.retries >= 1 and len(servers[0].requests) == 1


def test_an_endpoint_gone_for_a_whole_attempt_is_unreachable_until_it_answers_again(tasks):
    """An attempt whose retries all ran out on refused connections after the endpoint answered
    waited out the policy for a server that is gone: `Unreachable`, saying it answered before.
    The next refused connection is not waited for; a reply makes the policy hold again."""
    policy = RetryPolicy(max_retries=2, base_delay=0.5, max_delay=0.5, jitter=0.0, timeout=5.0)
    messages = build_prompt(tasks[0]).messages()
    servers: list[ScriptedOpenAI] = []

    async def refused(chat: ChatClient) -> tuple[Unreachable, float]:
        start = time.monotonic()
        with pytest.raises(Unreachable) as failed:
            await chat.complete(messages)
        await chat.close()
        return failed.value, time.monotonic() - start

    async def ask(first: ScriptedOpenAI) -> list[tuple[Unreachable, float]]:
        chat = ChatClient("m", first.url, policy=policy)
        with first:
            await chat.complete(messages)
            await chat.close()
        gone = [await refused(chat), await refused(chat)]
        _restart_later(first.port, 0, servers).join()
        try:
            await chat.complete(messages)  # back: the policy holds again
            await chat.close()
        finally:
            servers[0].__exit__()
        return [*gone, await refused(chat)]

    first = ScriptedOpenAI(lambda r, s: Reply("fd"))
    (waited, t1), (at_once, t2), (again, t3) = asyncio.run(ask(first))
    assert f"cannot reach {first.url} (it answered earlier in this run" in waited.message
    assert "not after 3 tries" in waited.message and "not after 3 tries" in again.message
    assert "answered earlier" in at_once.message
    assert t1 >= 1.0 and t2 < 0.5 and t3 >= 1.0  # 2 backoffs of 0.5 s, none, 2 again


def test_a_server_that_dies_mid_run_ends_it_after_one_attempts_retries_and_it_resumes(
    tmp_path, tasks, solutions
):
    """Before, each pending attempt waited out the whole retry policy (1.5 s here, about 50 s
    with the defaults) and was recorded as an error: 16 attempts at concurrency 3 took 9 s."""
    policy = RetryPolicy(max_retries=3, base_delay=0.5, max_delay=0.5, jitter=0.0, timeout=5.0)
    out, answered, lock, count = tmp_path / "run.jsonl", 2, threading.Lock(), [0]

    def answer_twice_then_die(req: dict, seen: int) -> Any:
        with lock:
            count[0] += 1
            n = count[0]
        if n <= answered:
            return Reply(f"```\n{solutions[user_text(req)]}```")
        if n == answered + 1:
            threading.Thread(target=dying.__exit__).start()  # stops listening
        return Drop()  # and every connection still open dies with it

    dying = ScriptedOpenAI(answer_twice_then_die).__enter__()
    cfg = config(dying.url, samples=3, temperature=0.7, retry=policy)
    start = time.monotonic()
    try:
        with pytest.raises(EndpointError) as stopped:
            asyncio.run(run_eval(cfg, tasks, out, progress=False))
    finally:
        dying.__exit__()
    assert time.monotonic() - start < 4
    message = str(stopped.value)
    assert f"cannot reach {dying.url} (it answered earlier in this run" in message
    assert "16 attempts not asked and not recorded" in message
    assert "run the same command again" in message
    assert [r["status"] for r in lines(out)] == ["ok", "ok"]  # the answered ones, no errors
    with ScriptedOpenAI(lambda req, seen: Reply(f"```\n{solutions[user_text(req)]}```")) as srv:
        summary = asyncio.run(run_eval(replace(cfg, base_url=srv.url), tasks, out, False))
    assert (summary.resumed, summary.finished, summary.errors) == (2, 16, 0)
    assert len(srv.requests) == 16
    keys = [(r["task_id"], r["sample"]) for r in lines(out)]
    assert len(keys) == len(set(keys)) == 18


def _run_with_errors_from(url: str, out: Path, assets_dir: Path) -> list[str]:
    """`xlogo eval` argv (without --base-url) of a run on tasks 1 and 87, whose two attempts
    the endpoint at `url` answered with HTTP 500 (recorded as errors in `out`)."""
    argv = ["eval", "--model", "m", "--tasks", str(assets_dir), "--ids", "1,87", "--retries", "0"]
    argv += ["--out", str(out), "--no-progress"]
    assert cli_main([*argv, "--base-url", url]) == 1
    return argv


def test_errors_recorded_by_an_earlier_run_are_not_blamed_on_this_endpoint(
    tmp_path, assets_dir, capsys
):
    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(lambda req, seen: Fail(500)) as old:
        argv = _run_with_errors_from(old.url, out, assets_dir)
    capsys.readouterr()
    with ScriptedOpenAI(lambda req, seen: Reply("fd")) as healthy:
        code = cli_main([*argv, "--base-url", healthy.url])
        assert healthy.requests == []
    err = capsys.readouterr().err
    assert "2 attempts from an earlier run got no reply, all with " in err
    assert "--retry-errors asks them again" in err and healthy.url not in err
    assert code == 1  # the results still lack those replies (README: exit status)


def test_the_json_summary_counts_the_errors_of_an_earlier_run_apart(tmp_path, assets_dir, capsys):
    out = tmp_path / "run.jsonl"
    with ScriptedOpenAI(lambda req, seen: Fail(500, message="down")) as old:
        argv = _run_with_errors_from(old.url, out, assets_dir)
    capsys.readouterr()
    with ScriptedOpenAI(lambda req, seen: Reply("fd")) as healthy:
        cli_main([*argv, "--base-url", healthy.url, "--json"])
    summary = json.loads(capsys.readouterr().out)
    assert (summary["errors"], summary["earlier_errors"]) == (2, 2)
    assert summary["error_causes"] == {}
    assert summary["earlier_error_causes"] == {"server: HTTP 500: down": 2}


def test_an_earlier_record_with_wrong_typed_counts_is_summed_as_the_report_reads_it(
    tmp_path, assets_dir, capsys
):
    """A record edited by hand or by another tool ("100" tokens, a "yes" verdict): resuming
    ended in a TypeError traceback on the tokens, and took "yes" for a solve, which the
    report refuses to."""
    out = tmp_path / "run.jsonl"
    argv = ["eval", "--model", "m", "--tasks", str(assets_dir), "--ids", "87"]
    argv += ["--out", str(out), "--no-progress", "--json"]
    with ScriptedOpenAI(lambda req, seen: Reply("no idea")) as srv:
        assert cli_main([*argv, "--base-url", srv.url]) == 0
        (rec,) = lines(out)
        out.write_text(json.dumps({**rec, "prompt_tokens": "100", "solved": "yes"}) + "\n")
        capsys.readouterr()
        assert cli_main([*argv, "--base-url", srv.url]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["resumed"], summary["solved"], summary["prompt_tokens"]) == (1, 0, 0)


def test_a_key_variable_named_but_unset_is_an_error_naming_it_with_a_base_url_too(
    tmp_path, assets_dir, capsys, monkeypatch
):
    monkeypatch.delenv("XLOGO_TEST_UNSET_KEY", raising=False)
    out = tmp_path / "r.jsonl"
    with ScriptedOpenAI(lambda req, seen: Reply("fd")) as srv:
        argv = ["eval", "--model", "m", "--base-url", srv.url, "--tasks", str(assets_dir)]
        argv += ["--api-key-env", "XLOGO_TEST_UNSET_KEY", "--limit", "1", "--out", str(out)]
        code = cli_main([*argv, "--no-progress"])
        assert srv.requests == []
    err = capsys.readouterr().err
    assert code == 2 and "no API key: set XLOGO_TEST_UNSET_KEY (named by --api-key-env" in err
    assert not out.exists()


@pytest.mark.parametrize("key", ["sk-abc\u2026", "sk-abc\nsk-def"])
def test_a_key_no_http_header_can_carry_is_an_error_naming_its_variable(
    tmp_path, assets_dir, capsys, monkeypatch, key
):
    """A key pasted with a typographic character or two lines of a key file: the HTTP client
    cannot encode it, and the run ended in a UnicodeEncodeError traceback."""
    monkeypatch.setenv("XLOGO_TEST_KEY", key)
    out = tmp_path / "r.jsonl"
    with ScriptedOpenAI(lambda req, seen: Reply("fd")) as srv:
        argv = ["eval", "--model", "m", "--base-url", srv.url, "--tasks", str(assets_dir)]
        argv += ["--api-key-env", "XLOGO_TEST_KEY", "--limit", "1", "--out", str(out)]
        code = cli_main([*argv, "--no-progress"])
        assert srv.requests == []
    err = capsys.readouterr().err
    assert code == 2 and "the API key in XLOGO_TEST_KEY" in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("url", ["not-a-url", "ftp://host/v1", "http://"])
def test_a_base_url_that_is_not_an_http_url_is_a_usage_error(tmp_path, assets_dir, capsys, url):
    argv = ["eval", "--model", "m", "--base-url", url, "--tasks", str(assets_dir)]
    assert cli_main([*argv, "--out", str(tmp_path / "r.jsonl"), "--dry-run"]) == 2
    assert "--base-url must be an http:// or https:// URL" in capsys.readouterr().err


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/v1", "http://[::1/v1"])
def test_a_base_url_that_cannot_be_read_is_a_usage_error(tmp_path, assets_dir, capsys, url):
    """A port past 65535 or an unclosed IPv6 bracket: a traceback at the first request."""
    argv = ["eval", "--model", "m", "--base-url", url, "--tasks", str(assets_dir)]
    assert cli_main([*argv, "--out", str(tmp_path / "r.jsonl"), "--dry-run"]) == 2
    assert "--base-url is no valid URL" in capsys.readouterr().err


def test_a_grammar_format_without_grammar_constraints_is_a_usage_error(
    tmp_path, assets_dir, capsys
):
    argv = ["eval", "--model", "m", "--tasks", str(assets_dir), "--grammar-format", "lark"]
    assert cli_main([*argv, "--out", str(tmp_path / "r.jsonl"), "--dry-run"]) == 2
    assert "--grammar-format goes with --constrain grammar" in capsys.readouterr().err


# -- a broken task file among the tasks ------------------------------------------------------------


def test_eval_warns_once_about_a_broken_task_file_and_runs_the_others(tmp_path, capsys):
    folder = folder_with_a_broken_task(tmp_path)
    argv = ["eval", "--model", "m", "--tasks", str(folder), "--ids", "find-strawberry"]
    assert cli_main([*argv, "--out", str(tmp_path / "r.jsonl"), "--dry-run"]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("warning:") == 1
    assert f"{folder / 'k5.json'}: {BROKEN_FIELD}" in captured.err
    assert "=== task find-strawberry" in captured.out


def test_eval_of_only_a_broken_task_says_it_cannot_be_loaded(tmp_path, capsys):
    folder = folder_with_a_broken_task(tmp_path)
    argv = ["eval", "--model", "m", "--tasks", str(folder), "--ids", "k5"]
    assert cli_main([*argv, "--out", str(tmp_path / "r.jsonl"), "--dry-run"]) == 2
    assert "task 'k5' cannot be loaded" in capsys.readouterr().err


def test_a_run_line_nested_too_deeply_is_a_bad_line_not_a_traceback(tmp_path):
    out = tmp_path / "run.jsonl"
    rec = {"run_id": "r", "task_id": "87", "sample": 0}
    out.write_text(f"{json.dumps(rec)}\n{'[' * 100_000}{']' * 100_000}\n", encoding="utf-8")
    run = read_run(out)
    assert run.bad == [(2, "not JSON (nested too deeply)")] and len(run.records) == 1
