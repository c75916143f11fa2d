"""The generator's commands under misuse and damage: every setting that shapes a run is recorded,
a refused invocation writes nothing, a damaged shard is noticed and made again, an export is all
or nothing, and no command writes over the files it reads."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openai_server import Reply, ScriptedOpenAI
from test_gen_fixtures import POOL_ARGS, generated_pool

from xlogo_lang.cli import main as xlogo
from xlogo_lang.gen.dataset import iter_records, shard_name, stats_name

TINY = ["gen", "--n", "1", "--kinds", "find", "--difficulty", "easy", "--json"]


@pytest.fixture(scope="module")
def pool() -> Path:
    return generated_pool()


@pytest.fixture
def copy(pool: Path, tmp_path: Path) -> Path:
    """A copy of the shared pool, free to damage."""
    return Path(shutil.copytree(pool, tmp_path / "copy"))


def _truncate(shard: Path, keep: int) -> None:
    lines = shard.read_bytes().splitlines(keepends=True)
    shard.write_bytes(b"".join(lines[:keep]))


# -- --exclude is a setting of the run -------------------------------------------------------------


def test_a_rerun_with_a_new_exclude_is_refused(copy: Path, examples_dir: Path, capsys) -> None:
    args = ["gen", *POOL_ARGS, "--out", str(copy), "--exclude", str(examples_dir / "tasks")]
    assert xlogo(args) == 2
    err = capsys.readouterr().err
    assert "other settings (--exclude" in err and "Traceback" not in err


def test_an_excluded_folder_that_gained_a_task_is_another_setting(
    pool: Path, examples_dir: Path, tmp_path: Path, capsys
) -> None:
    ex = Path(shutil.copytree(examples_dir / "tasks", tmp_path / "real"))
    out = tmp_path / "run"
    assert xlogo([*TINY, "--out", str(out), "--exclude", str(ex)]) == 0
    (ex / "extra.json").write_text(json.dumps(next(iter_records(pool))))
    assert xlogo([*TINY, "--out", str(out), "--exclude", str(ex)]) == 2
    assert "other settings (--exclude" in capsys.readouterr().err


def test_a_moved_excluded_folder_is_the_same_setting(
    examples_dir: Path, tmp_path: Path, capsys
) -> None:
    ex = Path(shutil.copytree(examples_dir / "tasks", tmp_path / "real"))
    out = tmp_path / "run"
    assert xlogo([*TINY, "--out", str(out), "--exclude", str(ex)]) == 0
    assert "sha256" in json.loads((out / "config.json").read_text())["exclude"]
    capsys.readouterr()
    assert xlogo([*TINY, "--out", str(out), "--exclude", str(ex.rename(tmp_path / "moved"))]) == 0
    assert json.loads(capsys.readouterr().out)["this_run"]["skipped_finished"] == 1


def test_a_folder_made_before_exclude_was_recorded_still_resumes(copy: Path) -> None:
    cfg = copy / "config.json"
    plan = json.loads(cfg.read_text())
    del plan["exclude"]
    cfg.write_text(json.dumps(plan))
    assert xlogo(["gen", *POOL_ARGS, "--out", str(copy), "--json"]) == 0


def _edit_settings(copy: Path, key: str, raw: str) -> Path:
    """config.json with `key` set to the JSON text `raw` (written as is: it may be no JSON a
    dump would make)."""
    cfg = copy / "config.json"
    plan = json.loads(cfg.read_text())
    plan[key] = "@@"
    cfg.write_text(json.dumps(plan).replace('"@@"', raw))
    return cfg


@pytest.mark.parametrize("command", [["gen", "stats"], ["gen", *POOL_ARGS, "--out"]])
def test_settings_with_a_number_too_long_to_read_are_named(copy: Path, capsys, command) -> None:
    cfg = _edit_settings(copy, "n", "9" * 5000)
    assert xlogo([*command, str(copy)]) == 2
    err = capsys.readouterr().err
    assert f"{cfg}: cannot read the run's settings: not valid JSON (an integer" in err
    assert "Traceback" not in err


def test_stats_of_settings_with_a_value_of_the_wrong_type_are_named(copy: Path, capsys) -> None:
    cfg = _edit_settings(copy, "n", '"many"')
    assert xlogo(["gen", "stats", str(copy)]) == 2
    err = capsys.readouterr().err
    assert f"{cfg}: the run's settings: these settings do not describe a run" in err


def test_the_output_folder_cannot_exclude_itself(copy: Path, capsys) -> None:
    assert xlogo(["gen", *POOL_ARGS, "--out", str(copy), "--exclude", str(copy)]) == 2
    assert "names the output folder itself" in capsys.readouterr().err


# -- a refused invocation writes nothing -----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--like", "{tmp}/nope"], "--like: no such file or folder"),
        (["--exclude", "{tmp}/nope"], "--exclude: no such file or folder"),
        (["--timeout", "-1"], "--timeout must be more than 0 seconds"),
        (["--timeout", "0"], "--timeout must be more than 0 seconds"),
        (["--timeout", "nan"], "--timeout must be more than 0 seconds"),
        (["--kinds", "maze"], "unknown kind maze"),
        (["--kinds", ","], "expected a comma-separated list"),
        # looked for every planned shard file before any work: 10**30 tasks never started
        (["--n", "9" * 30], "--n must be at most 10,000,000 (got 999"),
        (["--n", "10000001"], "--n must be at most 10,000,000"),
        (["--n", "100001", "--shard-size", "1"], "makes 100,001 shards, more than 100,000"),
        (["--difficulty", " , "], "expected a comma-separated list"),
    ],
)
def test_an_invalid_invocation_leaves_no_folder_behind(
    args: list[str], message: str, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "gx"
    argv = [*TINY, "--out", str(out), *(a.replace("{tmp}", str(tmp_path)) for a in args)]
    assert xlogo(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()


def test_a_held_out_set_too_large_is_refused_naming_eval(tmp_path: Path, capsys) -> None:
    out = tmp_path / "gx"
    assert xlogo(["gen", "--eval", "10000001", "--out", str(out)]) == 2
    assert "--eval must be at most 10,000,000 (got 10000001)" in capsys.readouterr().err
    assert not out.exists()


def test_after_a_refused_invocation_the_folder_takes_a_correct_one(tmp_path: Path) -> None:
    out = tmp_path / "gx"
    assert xlogo([*TINY, "--out", str(out), "--like", str(tmp_path / "nope")]) == 2
    assert xlogo([*TINY, "--out", str(out)]) == 0


@pytest.mark.parametrize("command", [["gen", *POOL_ARGS], ["gen", "export", "{pool}"]])
def test_an_out_that_is_a_file_is_a_usage_error(
    command: list[str], pool: Path, tmp_path: Path, capsys
) -> None:
    f = tmp_path / "afile"
    f.write_text("mine\n")
    assert xlogo([*(a.replace("{pool}", str(pool)) for a in command), "--out", str(f)]) == 2
    err = capsys.readouterr().err
    assert f"{f}: --out is a file, not a folder" in err and "Traceback" not in err
    assert f.read_text() == "mine\n"


# -- damaged shards --------------------------------------------------------------------------------


def test_a_rerun_makes_a_truncated_shard_again(pool: Path, copy: Path, capsys) -> None:
    _truncate(copy / shard_name(1), 13)
    capsys.readouterr()
    assert xlogo(["gen", *POOL_ARGS, "--out", str(copy), "--json"]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["this_run"]["remade_damaged"] == [shard_name(1)]
    assert (copy / shard_name(1)).read_bytes() == (pool / shard_name(1)).read_bytes()


def test_stats_reports_a_truncated_shard_as_damaged_and_leaves_it_out(copy: Path, capsys) -> None:
    _truncate(copy / shard_name(1), 13)
    assert xlogo(["gen", "stats", str(copy), "--json"]) == 1
    manifest = json.loads(capsys.readouterr().out)
    (bad,) = manifest["shards"]["damaged"]
    assert bad["file"] == shard_name(1) and "bytes" in bad["why"]
    assert manifest["shards"]["finished"] == 2 and manifest["records"] == 28


def test_statistics_without_a_recorded_size_are_checked_by_line_count(copy: Path, capsys) -> None:
    sf = copy / stats_name(1)
    stats = json.loads(sf.read_text())
    del stats["bytes"]
    sf.write_text(json.dumps(stats))
    assert xlogo(["gen", "stats", str(copy), "--json"]) == 0
    _truncate(copy / shard_name(1), 13)
    assert xlogo(["gen", "stats", str(copy), "--json"]) == 1
    manifest = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert "13 lines where" in manifest["shards"]["damaged"][0]["why"]


# -- export is all or nothing ----------------------------------------------------------------------


def test_an_export_that_meets_a_broken_line_writes_nothing_and_names_it(
    copy: Path, tmp_path: Path, capsys
) -> None:
    shard = copy / shard_name(1)
    lines = shard.read_text().splitlines(keepends=True)
    lines[2] = "{broken\n"
    shard.write_text("".join(lines))
    dest = tmp_path / "tasks"
    assert xlogo(["gen", "export", str(copy), "--out", str(dest)]) == 2
    assert f"{shard}: line 3, column 2: not valid JSON" in capsys.readouterr().err
    assert not dest.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy"]  # no partial folder left


def test_an_export_runs_again_once_the_shard_is_mended(
    pool: Path, copy: Path, tmp_path: Path
) -> None:
    shard = copy / shard_name(1)
    shard.write_text("{broken\n" + shard.read_text())
    dest = tmp_path / "tasks"
    assert xlogo(["gen", "export", str(copy), "--out", str(dest)]) == 2
    shutil.copy(pool / shard_name(1), shard)
    assert xlogo(["gen", "export", str(copy), "--out", str(dest)]) == 0
    assert len(list(dest.glob("*.json"))) == len(list(iter_records(pool)))


def test_an_export_into_a_folder_without_task_files_keeps_its_other_files(
    pool: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "tasks"
    dest.mkdir()
    (dest / "README.txt").write_text("notes\n")
    assert xlogo(["gen", "export", str(pool), "--out", str(dest)]) == 0
    assert (dest / "README.txt").read_text() == "notes\n"
    assert len(list(dest.glob("*.json"))) == len(list(iter_records(pool)))


def test_an_export_refuses_an_id_that_is_not_a_file_name(
    pool: Path, tmp_path: Path, capsys
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    rec = {**next(iter_records(pool)), "id": "../escaped"}
    (src / shard_name(0)).write_text(json.dumps(rec) + "\n")
    assert xlogo(["gen", "export", str(src), "--out", str(tmp_path / "tasks")]) == 2
    assert "line 1: the record's id '../escaped' cannot name a task file" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "escaped.json").exists()


# -- sft: a clear error instead of empty or destroyed files ----------------------------------------


def test_sft_of_a_folder_without_shards_is_an_error_naming_it(
    examples_dir: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "t.jsonl"
    assert xlogo(["sft", str(examples_dir / "tasks"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{examples_dir / 'tasks'}: no shard files (tasks-*.jsonl) in this folder" in err
    assert not out.exists()


@pytest.mark.parametrize("limit", ["0", "-1"])
def test_sft_refuses_a_limit_below_one(pool: Path, tmp_path: Path, limit: str, capsys) -> None:
    out = tmp_path / "t.jsonl"
    assert xlogo(["sft", str(pool), "--out", str(out), "--limit", limit]) == 2
    assert "--limit must be at least 1" in capsys.readouterr().err
    assert not out.exists()


def test_sft_refuses_to_write_over_a_shard_it_reads(copy: Path, capsys) -> None:
    shard = copy / shard_name(0)
    before = shard.read_bytes()
    assert xlogo(["sft", str(copy), "--out", str(shard)]) == 2
    assert "--out is in the folder" in capsys.readouterr().err
    assert shard.read_bytes() == before


def test_sft_refuses_a_new_shard_name_in_the_folder_it_reads(copy: Path) -> None:
    out = copy / "tasks-99999.jsonl"
    assert xlogo(["sft", str(copy), "--out", str(out)]) == 2
    assert not out.exists()


def test_sft_refuses_to_write_over_its_records_file(pool: Path, tmp_path: Path, capsys) -> None:
    records = tmp_path / "tasks.jsonl"
    shutil.copy(pool / shard_name(0), records)
    before = records.read_bytes()
    assert xlogo(["sft", str(records), "--out", str(records)]) == 2
    assert "--out is the input file" in capsys.readouterr().err
    assert records.read_bytes() == before


def test_sft_refuses_an_out_that_is_a_folder(pool: Path, tmp_path: Path, capsys) -> None:
    assert xlogo(["sft", str(pool), "--out", str(tmp_path)]) == 2
    assert "--out is a folder, not a file" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["manifest.json", "config.json"])
def test_sft_refuses_to_write_over_the_pools_own_files(copy: Path, capsys, name: str) -> None:
    target = copy / name
    before = target.read_bytes()
    assert xlogo(["sft", str(copy), "--out", str(target)]) == 2
    assert "in the folder" in capsys.readouterr().err
    assert target.read_bytes() == before


def test_sft_and_export_refuse_a_shard_cut_short_at_a_line_end(
    copy: Path, tmp_path: Path, capsys
) -> None:
    """Every line left reads, so only the shard's statistics show that tasks are missing."""
    shard = copy / shard_name(1)
    shard.write_text("".join(shard.read_text().splitlines(keepends=True)[:5]))
    assert xlogo(["sft", str(copy), "--out", str(tmp_path / "sft.jsonl")]) == 2
    assert "damaged shard" in capsys.readouterr().err
    assert not (tmp_path / "sft.jsonl").exists()
    assert xlogo(["gen", "export", str(copy), "--out", str(tmp_path / "tasks")]) == 2
    assert "damaged shard" in capsys.readouterr().err


def test_the_curriculum_refuses_a_shard_cut_short_before_it_asks_the_model(
    copy: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    """As `sft` and `export` do: a pool that silently lost tasks would steer the rounds."""
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    shard = copy / shard_name(1)
    shard.write_text("".join(shard.read_text().splitlines(keepends=True)[:5]))
    out = tmp_path / "rounds"
    with ScriptedOpenAI(lambda request, seen: Reply("fd")) as server:
        args = ["curriculum", "--model", "m", "--base-url", server.url, "--pool", str(copy)]
        assert xlogo([*args, "--out", str(out), "--size", "5", "--sample", "3"]) == 2
        assert server.requests == []
    assert "damaged shard" in capsys.readouterr().err
    assert not (out / "round-001").exists()


def _unfinish(copy: Path) -> None:
    """The folder of a run stopped before shard 1 was made (Ctrl-C, not run again)."""
    (copy / shard_name(1)).unlink()
    (copy / stats_name(1)).unlink()


def test_sft_and_export_of_an_unfinished_run_warn_and_use_the_shards_made(
    copy: Path, tmp_path: Path, capsys
) -> None:
    _unfinish(copy)
    assert xlogo(["sft", str(copy), "--out", str(tmp_path / "sft.jsonl"), "--json"]) == 0
    out, err = capsys.readouterr()
    summary = json.loads(out)
    assert summary["written"] == 28
    (warning,) = summary["warnings"]
    assert "1 of its 3 shards not made yet (tasks-00001.jsonl)" in warning
    assert f"xlogo sft: warning: {warning}" in err
    assert xlogo(["gen", "export", str(copy), "--out", str(tmp_path / "t"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["warnings"] == [warning]


def test_stats_of_an_unfinished_run_gives_the_warning_in_its_json_too(copy: Path, capsys) -> None:
    """As the gen README says of sft, export and stats: on stderr and in `warnings`."""
    _unfinish(copy)
    assert xlogo(["gen", "stats", str(copy), "--json"]) == 0
    out, err = capsys.readouterr()
    (warning,) = json.loads(out)["warnings"]
    assert "1 of its 3 shards not made yet" in warning
    assert f"xlogo gen: warning: {warning}" in err


def test_the_curriculum_warns_of_a_pool_whose_run_is_unfinished(
    copy: Path, tmp_path: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    _unfinish(copy)
    with ScriptedOpenAI(lambda request, seen: Reply("fd")) as server:
        args = ["curriculum", "--model", "m", "--base-url", server.url, "--pool", str(copy)]
        assert xlogo([*args, "--out", str(tmp_path / "r"), "--size", "5", "--sample", "3"]) == 0
    assert "xlogo curriculum: warning: " in capsys.readouterr().err


def test_a_finished_run_gets_no_warning(pool: Path, tmp_path: Path, capsys) -> None:
    assert xlogo(["sft", str(pool), "--out", str(tmp_path / "sft.jsonl"), "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["warnings"] == [] and "warning" not in err


def test_shards_without_their_config_are_not_claimed_by_new_settings(copy: Path, capsys) -> None:
    """Without config.json the settings that made the shards are unknown: a run with others
    would write a config.json claiming shards it did not make."""
    (copy / "config.json").unlink()
    args = ["gen", "--n", "42", "--shard-size", "14", "--seed", "10", "--out", str(copy)]
    assert xlogo(args) == 2
    assert "holds shards but no config.json" in capsys.readouterr().err
    assert not (copy / "config.json").exists()


def _children(pid: int) -> set[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    kids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            kids.add(int(stat.parent.name))
    return kids


def _alive(pid: int) -> bool:
    """Running, not a zombie that nobody reaped (a container's init may not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_workers_of_a_killed_gen_end_instead_of_writing_on(tmp_path: Path) -> None:
    """`kill -9` cannot let the run stop its pool: a worker left behind would finish the shard
    it was making (minutes) and write it, into a later run's folder too."""
    cmd = [sys.executable, "-m", "xlogo_lang", "gen", "--n", "1000", "--shard-size", "500",
           "--workers", "2", "--kinds", "draw", "--out", str(tmp_path / "out")]  # fmt: skip
    run = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(workers := _children(run.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(workers) == 2, "the pool did not start"
    finally:
        run.kill()
        run.wait()
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [w for w in workers if _alive(w)]
    for w in left:
        os.kill(w, signal.SIGKILL)  # clean up before failing
    assert not left, "workers outlived the killed run"
    assert not list((tmp_path / "out").glob("tasks-*.jsonl"))  # a shard takes minutes: none made


def test_a_search_the_time_limit_cuts_stops_the_run_and_a_larger_limit_resumes_it(
    tmp_path: Path, capsys
) -> None:
    """Shards must not depend on the machine's speed: a list of shortest solutions cut by the
    clock (the stored one is picked from it) would make a shard's content a matter of load."""
    out = tmp_path / "out"
    args = ["gen", "--n", "30", "--shard-size", "10", "--out", str(out)]
    assert xlogo([*args, "--timeout", "0.001"]) == 2
    err = capsys.readouterr().err
    assert "the solver reached --timeout (0.001 s)" in err and "larger --timeout" in err
    assert xlogo(args) == 0  # the same settings but the safety net: a resume, not a refusal
    assert json.loads((out / "config.json").read_text())["timeout"] == 60
    reference = tmp_path / "ref"
    assert xlogo(["gen", "--n", "30", "--shard-size", "10", "--out", str(reference)]) == 0
    for i in range(3):
        assert (out / shard_name(i)).read_bytes() == (reference / shard_name(i)).read_bytes()


DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("command", [["gen", "stats"], ["gen", *POOL_ARGS, "--out"]])
def test_settings_nested_too_deeply_are_named(copy: Path, capsys, command) -> None:
    cfg = _edit_settings(copy, "n", DEEP)
    assert xlogo([*command, str(copy)]) == 2
    err = capsys.readouterr().err
    assert f"{cfg}: cannot read the run's settings: not valid JSON (nested too deeply)" in err


def test_statistics_nested_too_deeply_make_their_shard_damaged(copy: Path, capsys) -> None:
    (copy / stats_name(1)).write_text(DEEP, encoding="utf-8")
    assert xlogo(["gen", "stats", str(copy), "--json"]) == 1
    (bad,) = json.loads(capsys.readouterr().out)["shards"]["damaged"]
    assert bad == {"file": shard_name(1), "why": f"{stats_name(1)} cannot be read"}


@pytest.mark.parametrize("workers", ["0", "257"])
def test_gen_refuses_a_worker_count_it_could_not_run(tmp_path: Path, workers: str, capsys) -> None:
    """A mistyped `--workers 1000` would start a process per shard before any could fail."""
    out = tmp_path / "out"
    assert xlogo(["gen", "--n", "4", "--out", str(out), "--workers", workers]) == 2
    assert f"--workers must be from 1 to 256 (got {workers})" in capsys.readouterr().err
    assert not out.exists()
