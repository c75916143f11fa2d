"""The generator, the fine-tuning writer and the curriculum as a script or a notebook calls them:
every argument that is not what the function takes is named in a TypeError, or a UsageError for
a value out of range, before any folder is made; a `Path` works wherever a path goes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from openai_server import Reply, ScriptedOpenAI
from test_gen_fixtures import generated_pool

from xlogo_lang import load_task, parse
from xlogo_lang.errors import UsageError
from xlogo_lang.gen import (
    GenPlan,
    difficulty,
    generate_dataset,
    generate_one,
    iter_records,
    parse_shard,
    record_task,
)
from xlogo_lang.gen.curriculum import CurriculumConfig, run_curriculum
from xlogo_lang.gen.dataset import read_jsonl, shard_name
from xlogo_lang.gen.sft import write_sft


@pytest.fixture(scope="module")
def pool() -> Path:
    return generated_pool()


# -- GenPlan ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("n", 2.5, "n must be an int, got float"),
        ("n", "5", "n must be an int, got str"),
        ("n", True, "n must be an int, got bool"),
        ("seed", "1", "seed must be an int, got str"),
        ("seed", None, "seed must be an int, got NoneType"),
        ("shard_size", 2.5, "shard_size must be an int, got float"),
        ("timeout", "5", "timeout must be a number, got str"),
        ("like", 5, "like must be a str or a path, got int"),
    ],
)
def test_a_plan_field_of_the_wrong_type_is_a_type_error_naming_it(field, value, words):
    kw: dict[str, Any] = {"n": 5, field: value}
    with pytest.raises(TypeError, match=f"^{words}$"):
        GenPlan(**kw)


def test_one_kind_given_as_a_str_is_not_read_as_its_letters():
    with pytest.raises(TypeError, match=r"kinds must be a tuple of names, got str 'draw' \(one of"):
        GenPlan(n=5, kinds="draw")  # type: ignore[arg-type]


def test_kinds_given_as_a_list_are_kept_as_a_tuple():
    plan = GenPlan(n=5, kinds=["draw", "sum"], levels=["hard"])  # type: ignore[arg-type]
    assert plan.kinds == ("draw", "sum") and plan.levels == ("hard",)
    assert plan == GenPlan(n=5, kinds=("draw", "sum"), levels=("hard",))


def test_a_split_other_than_train_or_eval_is_refused():
    with pytest.raises(UsageError, match=r"unknown split 'test' \(use train or eval\)"):
        GenPlan(n=5, split="test")


def test_a_like_source_given_as_a_path_is_kept_as_text(examples_dir):
    plan = GenPlan(n=5, like=examples_dir / "tasks")
    assert plan.like == str(examples_dir / "tasks")
    assert json.dumps(plan.to_json())  # config.json can record it


def test_a_run_with_a_like_path_writes_its_settings(tmp_path, examples_dir):
    like = examples_dir / "tasks" / "find-strawberry.json"
    manifest = generate_dataset(tmp_path / "d", GenPlan(n=1, kinds=("find",), like=like))
    assert manifest["plan"]["like"] == str(like) and manifest["tasks"] == 1


# -- generate_dataset and its helpers --------------------------------------------------------------


def test_generate_dataset_names_a_plan_that_is_not_a_plan(tmp_path):
    with pytest.raises(TypeError, match="generate_dataset takes a GenPlan, got dict"):
        generate_dataset(tmp_path / "d", {"n": 5})  # type: ignore[arg-type]
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize(
    ("shard", "error", "words"),
    [
        ((3, 2), UsageError, r"shard takes \(K, M\) with 0 <= K < M, e.g. \(0, 4\), not \(3, 2\)"),
        ("0/2", TypeError, r"shard takes \(K, M\), got the str '0/2' \(parse_shard reads K/M\)"),
        ((0, 2.0), TypeError, r"shard takes \(K, M\), two ints"),
    ],
)
def test_a_share_parse_shard_would_refuse_is_refused_before_the_folder_is_made(
    tmp_path, shard, error, words
):
    with pytest.raises(error, match=words):
        generate_dataset(tmp_path / "d", GenPlan(n=5), shard=shard)
    assert not (tmp_path / "d").exists()


def test_one_excluded_folder_given_alone_is_not_read_as_its_characters(tmp_path, pool):
    with pytest.raises(TypeError, match=r"exclude_dirs takes a list of paths, got a single str"):
        generate_dataset(tmp_path / "d", GenPlan(n=5), exclude_dirs=str(pool))
    assert not (tmp_path / "d").exists()


def test_parse_shard_names_what_is_not_text():
    with pytest.raises(TypeError, match="parse_shard takes the text K/M, got int"):
        parse_shard(5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "kw", "error", "words"),
    [
        ((1, "dragon", "easy"), {}, UsageError, "unknown kind 'dragon' \\(kinds are find,"),
        ((1, "find", "extreme"), {}, UsageError, "unknown difficulty 'extreme' \\(levels are"),
        (("1", "find", "easy"), {}, TypeError, "seed must be an int, got str"),
        ((1, "find", "easy"), {"like": "87.json"}, TypeError, "generate_one expects a Task"),
    ],
)
def test_generate_one_names_what_it_has_no_recipe_for(args, kw, error, words):
    with pytest.raises(error, match=words):
        generate_one(*args, task_id="t", **kw)


def test_generate_one_remakes_a_record_from_its_seed_kind_and_level(pool):
    rec = next(iter_records(pool))
    again = generate_one(rec["seed"], rec["kind"], rec["target_difficulty"], task_id=rec["id"])
    assert again.record == rec


def test_difficulty_asks_for_a_program_not_its_text(examples_dir):
    task = load_task(examples_dir / "tasks" / "find-strawberry.json")
    with pytest.raises(TypeError, match="difficulty expects a Program, got str"):
        difficulty("fd fd rt fd", task.constraints)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="difficulty expects Constraints"):
        difficulty(parse("fd"), None)  # type: ignore[arg-type]
    assert difficulty(parse("fd fd rt fd"), task.constraints) == "easy"


@pytest.mark.parametrize("given", [None, "tasks-00000.jsonl"])
def test_record_task_names_what_is_not_a_record(given):
    with pytest.raises(TypeError, match="record_task takes a task record"):
        record_task(given)  # type: ignore[arg-type]


def test_iter_records_names_a_folder_that_is_not_a_path():
    with pytest.raises(TypeError, match="the folder must be a str or a path, got NoneType"):
        list(iter_records(None))  # type: ignore[arg-type]


# -- write_sft -------------------------------------------------------------------------------------


def test_write_sft_of_a_folder_path_asks_for_its_records(tmp_path, pool):
    with pytest.raises(TypeError, match=r"got a path \(str\): read a generated folder with"):
        write_sft(str(pool), tmp_path / "t.jsonl")  # type: ignore[arg-type]
    assert not (tmp_path / "t.jsonl").exists()


def test_write_sft_names_an_item_that_is_not_a_record(tmp_path, pool):
    records = [next(iter_records(pool)), 5]
    with pytest.raises(TypeError, match=r"records\[1\] must be a task record \(a dict\), got int"):
        write_sft(records, tmp_path / "t.jsonl")  # type: ignore[list-item]
    assert not (tmp_path / "t.jsonl").exists()  # nothing is written when a line fails


def test_write_sft_names_a_limit_that_is_not_a_count(tmp_path, pool):
    with pytest.raises(TypeError, match="limit must be an int, got float"):
        write_sft(iter_records(pool), tmp_path / "t.jsonl", limit=2.5)  # type: ignore[arg-type]


@pytest.fixture
def copy(pool: Path, tmp_path: Path) -> Path:
    """A copy of the shared pool, free to damage."""
    return Path(shutil.copytree(pool, tmp_path / "copy"))


@pytest.mark.parametrize(
    ("name", "said"),
    [
        (shard_name(0), "--out is in the folder {src} this command reads"),
        ("manifest.json", "--out is in the folder {src} this command reads"),
        ("tasks-99999.jsonl", "--out has a shard name (tasks-*.jsonl) in the folder {src}"),
    ],
    ids=["a_shard", "its_manifest", "a_new_shard_name"],
)
def test_write_sft_refuses_to_write_into_the_folder_its_records_come_from(copy, name, said):
    """As `xlogo sft` refuses it: the records say where they were read (a shard would be
    replaced by chat lines, a new one read as a shard by every later reader)."""
    out = copy / name
    before = out.read_bytes() if out.exists() else None
    with pytest.raises(UsageError) as exc:
        write_sft(iter_records(copy), out)
    assert str(exc.value).startswith(f"{out}: {said.format(src=copy)}")
    assert (out.read_bytes() if out.exists() else None) == before


def test_write_sft_refuses_to_write_over_the_records_file_it_reads(copy, tmp_path):
    records = tmp_path / "tasks.jsonl"
    shutil.copy(copy / shard_name(0), records)
    before = records.read_bytes()
    with pytest.raises(UsageError) as exc:
        write_sft(read_jsonl(records), records)
    assert str(exc.value).startswith(f"{records}: --out is the input file {records}")
    assert records.read_bytes() == before


def test_write_sft_refuses_to_write_into_the_source_it_is_told(copy):
    """Records that do not say where they were read (plain dicts) are checked against
    `source`, as the command passes it."""
    records = [dict(rec) for rec in iter_records(copy)]
    out = copy / "tasks-99999.jsonl"
    with pytest.raises(UsageError, match="has a shard name"):
        write_sft(records, out, source=copy)
    assert not out.exists()


def test_write_sft_may_write_beside_the_shards_under_another_name(copy):
    shards = sorted(copy.glob("tasks-*.jsonl"))
    assert write_sft(iter_records(copy), copy / "sft.jsonl", limit=2).written == 2
    assert sorted(copy.glob("tasks-*.jsonl")) == shards


# -- the curriculum --------------------------------------------------------------------------------


def curriculum(tmp_path: Path, source: Path, **kw: Any) -> CurriculumConfig:
    kw = {"model": "m", "pool": source, "out": tmp_path / "rounds", "base_url": "http://h/v1", **kw}
    return CurriculumConfig(**kw)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("rounds", "1", "--rounds must be an int, got str"),
        ("size", 2.5, "--size must be an int, got float"),
        ("seed", "x", "--seed must be an int, got str"),
        ("floor", "0.1", "--floor must be a number, got str"),
        ("temperature", "0", "--temperature must be a number, got str"),
        ("model", None, "--model must be a str, got NoneType"),
        ("pool", None, "pool must be a str or a path, got NoneType"),
    ],
)
def test_a_curriculum_setting_of_the_wrong_type_is_named_when_the_config_is_made(
    tmp_path, pool, field, value, words
):
    with pytest.raises(TypeError, match=f"^{words}$"):
        curriculum(tmp_path, pool, **{field: value})


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("temperature", -1, "--temperature must be a number of at least 0"),
        ("mode", "audio", "unknown --mode 'audio'"),
        ("base_url", "localhost", "--base-url must be an http:// or https:// URL"),
        ("concurrency", 0, "--concurrency must be at least 1"),
    ],
)
def test_an_evaluation_setting_is_checked_before_any_round_folder_is_made(
    tmp_path, pool, field, value, words
):
    with pytest.raises(UsageError, match=words):
        run_curriculum(curriculum(tmp_path, pool, **{field: value}))
    assert not (tmp_path / "rounds").exists()


def test_a_curriculum_of_paths_runs_and_records_its_settings(tmp_path, pool, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    with ScriptedOpenAI(lambda req, seen: Reply("```\nfd\n```")) as srv:
        cfg = curriculum(tmp_path, pool, base_url=srv.url, size=3, sample=2)
        (report,) = run_curriculum(cfg)
    assert report["evaluated"] == 2
    summary = json.loads((tmp_path / "rounds" / "curriculum.json").read_text())
    assert summary["config"]["pool"] == str(pool)
    assert summary["config"]["out"] == str(tmp_path / "rounds")
