"""Task generation: every task is valid, solvable and carries its proved-shortest solution;
runs are reproducible, shardable and resumable; duplicates and held-out tasks stay out."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_gen_fixtures import POOL_ARGS, generated_pool
from xlogo_lang.solver import solve

from xlogo_lang.ast import Program
from xlogo_lang.cli import main as xlogo
from xlogo_lang.constraints import Constraints, count_blocks
from xlogo_lang.gen.canonical import canonical_hash, transform_task
from xlogo_lang.gen.dataset import iter_records, record_task, shard_name
from xlogo_lang.gen.difficulty import difficulty, score
from xlogo_lang.gen.generate import SHORTCUT_RATIO, generate_one
from xlogo_lang.gen.goals import KINDS, constraint_style_of, kind_of_task
from xlogo_lang.gen.plan import GenPlan
from xlogo_lang.gen.programs import ProgramSpec, mutate, sample, wasteful
from xlogo_lang.gen.shards import generate_shard, idle_workers
from xlogo_lang.gen.worlds import block_shortcut, place_for_items, trace_of
from xlogo_lang.goals import Goal
from xlogo_lang.interpreter import execute
from xlogo_lang.parser import parse
from xlogo_lang.tasks import Task, load_task, load_tasks
from xlogo_lang.verdict import run


@pytest.fixture(scope="module")
def pool() -> Path:
    return generated_pool()


@pytest.fixture(scope="module")
def records(pool: Path) -> list[dict]:
    return list(iter_records(pool))


def _files(d: Path) -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in sorted(d.glob("tasks-*.jsonl"))}


# -- every generated task -----------------------------------------------------------------------


def test_a_run_makes_the_number_of_tasks_asked_for_in_every_kind(
    records: list[dict], pool: Path
) -> None:
    manifest = json.loads((pool / "manifest.json").read_text())
    assert manifest["records"] == 42
    assert set(manifest["counts"]["kind"]) == set(KINDS)
    assert sum(manifest["counts"]["kind"].values()) == manifest["tasks"] == len(records)


def test_every_record_loads_and_its_solution_solves_it(records: list[dict]) -> None:
    for rec in records:
        task = record_task(rec)
        assert task.solution is not None
        verdict = run(task, task.solution)
        assert verdict.solved, (rec["id"], verdict.reason)
        assert rec["size"] == len(task.solution)
        assert rec["proved_minimal"] is True
        assert task.description  # the generated English text exists for every goal kind


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**63 - 1),
    kind=st.sampled_from(KINDS),
    level=st.sampled_from(["easy", "medium"]),
)
def test_any_seed_gives_a_valid_solved_task_or_a_named_rejection(
    seed: int, kind: str, level: str
) -> None:
    out = generate_one(seed, kind, level, task_id="prop")
    if out.record is None:
        assert out.reason != "ok" and out.reason not in ("intended_fails", "solution_fails")
        return
    rec = json.loads(json.dumps(out.record))  # what a shard file holds
    task = record_task(rec)
    assert run(task, task.solution).solved
    assert rec["kind"] == kind and rec["hash"] == canonical_hash(task)
    assert generate_one(seed, kind, level, task_id="prop").record == out.record  # reproducible


def test_every_record_is_in_the_single_file_task_layout(
    records: list[dict], tmp_path: Path
) -> None:
    rec = records[0]
    f = tmp_path / "task.json"
    f.write_text(json.dumps(rec))
    task = load_task(f)
    assert task.to_json() == {k: rec[k] for k in task.to_json()}


def test_the_solution_is_the_solvers_proved_shortest(records: list[dict]) -> None:
    for rec in random.Random(0).sample(records, 8):
        task = record_task(rec)
        sol = solve(task)
        assert sol.status == "solved" and sol.proved_minimal
        assert sol.size == rec["size"], rec["id"]


def test_records_carry_hash_difficulty_and_skills_recomputable_from_the_task(
    records: list[dict],
) -> None:
    from xlogo_lang.eval.skills import skills

    for rec in records:
        task = record_task(rec)
        assert rec["hash"] == canonical_hash(task)
        assert rec["difficulty"] == difficulty(task.solution, task.constraints)
        assert rec["difficulty_score"] == score(task.solution, task.constraints)
        assert rec["skills"] == skills(task, task.solution)
        assert rec["grid"] == f"{task.world.rows}x{task.world.cols}"


def test_grids_are_the_benchmarks_sizes(records: list[dict]) -> None:
    for rec in records:
        task = record_task(rec)
        assert task.world.rows <= 8 and task.world.cols <= 8
        if rec["kind"] != "draw":
            assert task.world.rows >= 3 and task.world.cols >= 3


def test_item_tasks_need_at_least_one_move_and_draw_tasks_a_picture(records: list[dict]) -> None:
    for rec in records:
        task = record_task(rec)
        assert not run(task, Program(())).solved
        if rec["kind"] == "draw":
            assert task.world.lines


def test_no_two_tasks_share_a_canonical_hash(records: list[dict]) -> None:
    hashes = [r["hash"] for r in records]
    assert len(hashes) == len(set(hashes))


# -- reproducible, shardable, resumable ----------------------------------------------------------


def test_the_same_seed_gives_the_same_shard(pool: Path) -> None:
    plan = GenPlan.from_json(json.loads((pool / "config.json").read_text()))
    records, _ = generate_shard(plan, 1)
    lines = (pool / shard_name(1)).read_text().splitlines()
    assert [json.loads(x) for x in lines] == records


def test_shards_made_by_K_of_M_jobs_concatenate_to_the_one_run_set(
    pool: Path, tmp_path: Path
) -> None:
    split = tmp_path / "split"
    for k in range(2):
        assert xlogo(["gen", *POOL_ARGS, "--out", str(split), "--shard", f"{k}/2", "--json"]) == 0
    assert _files(split) == _files(pool)
    assert [r["hash"] for r in iter_records(split)] == [r["hash"] for r in iter_records(pool)]


def test_another_process_with_another_hash_seed_makes_the_same_shard(
    pool: Path, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    out = tmp_path / "elsewhere"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    cmd = [
        sys.executable,
        "-m",
        "xlogo_lang",
        "gen",
        *POOL_ARGS,
        "--out",
        str(out),
        "--shard",
        "0/3",
        "--json",
    ]
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    assert (out / shard_name(0)).read_bytes() == (pool / shard_name(0)).read_bytes()


def test_a_rerun_skips_finished_shards_and_redoes_missing_ones(
    pool: Path, tmp_path: Path, capsys
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(pool, copy)
    (copy / shard_name(2)).unlink()
    before = (copy / shard_name(0)).stat().st_mtime_ns
    capsys.readouterr()
    assert xlogo(["gen", *POOL_ARGS, "--out", str(copy), "--json"]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["this_run"]["shards"] == 1
    assert manifest["this_run"]["skipped_finished"] == 2
    share = manifest["this_run"]["share"]  # the whole share is there, the kept shards counted
    assert share["tasks_made"] == share["tasks_wanted"] == sum(1 for _ in iter_records(copy))
    assert (copy / shard_name(0)).stat().st_mtime_ns == before
    assert _files(copy) == _files(pool)


def test_a_run_in_this_process_leaves_no_worker_state_behind(tmp_path: Path) -> None:
    from xlogo_lang.gen import shards

    plan = GenPlan(n=2, seed=1, shard_size=2, kinds=("draw",))
    shards.run(tmp_path / "out", plan, workers=1)
    assert shards._WORKER == {}  # the plan, solver and excluded hashes are not kept alive


_TIMINGS = ("seconds", "worker_seconds", "tasks_per_worker_second", "cpu_seconds",
            "tasks_per_cpu_second")  # fmt: skip


def _run_with_two_workers(pool: Path, out: Path) -> tuple[dict, set[str]]:
    """`shards.run` of the pool's plan with two workers: its manifest without the timings, and
    the kinds of worker process it started (seen as each shard comes back)."""
    import multiprocessing

    from xlogo_lang.gen import shards

    plan = GenPlan.from_json(json.loads((pool / "config.json").read_text()))
    kinds: set[str] = set()

    def seen(_: dict) -> None:
        kinds.update(type(p).__name__ for p in multiprocessing.active_children())

    manifest = shards.run(out, plan, workers=2, progress=seen)
    return {k: v for k, v in manifest.items() if k not in (*_TIMINGS, "this_run")}, kinds


def _manifest(folder: Path) -> dict:
    manifest = json.loads((folder / "manifest.json").read_text())
    return {k: v for k, v in manifest.items() if k not in _TIMINGS}


def test_two_workers_make_the_shards_and_manifest_of_one(pool: Path, tmp_path: Path) -> None:
    manifest, _ = _run_with_two_workers(pool, tmp_path / "out")
    assert _files(tmp_path / "out") == _files(pool)
    assert manifest == _manifest(tmp_path / "out") == _manifest(pool)


def test_a_caller_with_threads_gets_gen_workers_from_a_forkserver(
    pool: Path, tmp_path: Path
) -> None:
    """A fork would copy this process with another thread's locks taken (an evaluation's
    client, a progress bar); the forkserver's workers get everything they use pickled, and
    make the same shards."""
    import threading

    stop = threading.Event()
    waiter = threading.Thread(target=stop.wait, daemon=True)
    waiter.start()
    try:
        manifest, kinds = _run_with_two_workers(pool, tmp_path / "out")
    finally:
        stop.set()
    assert kinds == {"ForkServerProcess"}
    assert _files(tmp_path / "out") == _files(pool)
    assert manifest == _manifest(pool)


def test_a_rerun_with_other_settings_is_refused(pool: Path, tmp_path: Path, capsys) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(pool, copy)
    assert xlogo(["gen", "--n", "42", "--shard-size", "14", "--seed", "8", "--out", str(copy)]) == 2
    err = capsys.readouterr().err
    assert "other settings (--seed 7 in the folder, 8 now)" in err and "Traceback" not in err


def test_a_refused_rerun_names_each_setting_with_both_values(
    pool: Path, tmp_path: Path, capsys
) -> None:
    """An option left out takes its default, which is seldom what made the folder: the message
    says what to type, as `xlogo eval` does for a run file made with other settings."""
    copy = tmp_path / "copy"
    shutil.copytree(pool, copy)
    assert xlogo(["gen", "--eval", "42", "--seed", "7", "--out", str(copy)]) == 2
    err = capsys.readouterr().err
    assert "--shard-size 14 in the folder, 1000 now" in err
    assert "--n in the folder, --eval now" in err


def test_more_workers_than_shards_is_warned_with_a_shard_size_that_uses_them(
    tmp_path: Path, capsys
) -> None:
    """`--n 300 --workers 2` is one shard at the default --shard-size: one worker works."""
    args = ["gen", "--n", "2", "--kinds", "find", "--difficulty", "easy", "--workers", "2"]
    assert xlogo([*args, "--out", str(tmp_path / "a"), "--json"]) == 0
    err = capsys.readouterr().err
    assert "xlogo gen: warning: --workers 2, but --n 2 at --shard-size 1000 is 1 shard" in err
    assert "--shard-size 1 would give each worker one" in err
    assert xlogo([*args, "--shard-size", "1", "--out", str(tmp_path / "b"), "--json"]) == 0
    assert "warning" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("n", "workers", "shard"), [(5, 4, None), (9, 4, None), (300, 2, None), (300, 2, (0, 2))]
)
def test_the_shard_size_the_idle_workers_warning_names_leaves_no_worker_idle(
    n: int, workers: int, shard: tuple[int, int] | None
) -> None:
    """--n 5 --workers 4: ceil(5/4) = 2 tasks a shard is only 3 shards; 1 is the size that works."""
    said = idle_workers(GenPlan(n=n, seed=0), workers, shard)
    assert said is not None
    size = int(said.split("--shard-size ")[-1].split()[0])
    assert idle_workers(GenPlan(n=n, seed=0, shard_size=size), workers, shard) is None


def test_fewer_tasks_than_workers_names_no_shard_size() -> None:
    """--n 2 over 4 workers: even shards of one task leave two workers idle."""
    said = idle_workers(GenPlan(n=2, seed=0), 4)
    assert said is not None and "would give" not in said


# -- held-out evaluation set, variants, filters ---------------------------------------------------


def test_the_eval_set_is_disjoint_by_hash_from_the_training_set(pool: Path, tmp_path: Path) -> None:
    ev = tmp_path / "eval"
    assert (
        xlogo(
            [
                "gen",
                "--eval",
                "14",
                "--seed",
                "7",
                "--out",
                str(ev),
                "--exclude",
                str(pool),
                "--json",
            ]
        )
        == 0
    )
    held_out = list(iter_records(ev))
    assert len(held_out) == 14
    assert all(r["id"].startswith("eval") for r in held_out)
    assert not {r["hash"] for r in held_out} & {r["hash"] for r in iter_records(pool)}


def test_like_makes_variants_with_the_same_goal_kind_and_constraint_style(
    assets_dir: Path, tmp_path: Path
) -> None:
    real = {t.id: t for t in load_tasks(assets_dir)}
    out = tmp_path / "like"
    args = [
        "gen",
        "--n",
        "8",
        "--out",
        str(out),
        "--like",
        str(assets_dir),
        "--kinds",
        "find,sum,draw",
    ]
    assert xlogo([*args, "--difficulty", "easy,medium", "--json"]) == 0
    recs = list(iter_records(out))
    assert recs
    for rec in recs:
        src = real[rec["like"]]
        assert rec["kind"] == kind_of_task(src.goal) in ("find", "sum", "draw")
        assert constraint_style_of(record_task(rec).constraints) == constraint_style_of(
            src.constraints
        )
        assert rec["hash"] != canonical_hash(src)


def test_the_difficulty_filter_keeps_only_those_levels(tmp_path: Path) -> None:
    out = tmp_path / "easy"
    assert xlogo(["gen", "--n", "7", "--out", str(out), "--difficulty", "easy", "--json"]) == 0
    recs = list(iter_records(out))
    assert len(recs) == 7 and {r["difficulty"] for r in recs} == {"easy"}


def test_real_tasks_are_excluded_when_asked(assets_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "noreal"
    args = ["gen", "--n", "7", "--out", str(out), "--kinds", "find", "--difficulty", "easy"]
    assert xlogo([*args, "--exclude", str(assets_dir), "--json"]) == 0
    real = {canonical_hash(t) for t in load_tasks(assets_dir)}
    assert not real & {r["hash"] for r in iter_records(out)}


def test_export_writes_task_files_every_command_reads(pool: Path, tmp_path: Path) -> None:
    dest = tmp_path / "tasks"
    assert xlogo(["gen", "export", str(pool), "--out", str(dest), "--json"]) == 0
    tasks = load_tasks(dest)
    assert sorted(t.id for t in tasks) == sorted(r["id"] for r in iter_records(pool))
    assert all(run(t, t.solution).solved for t in tasks)
    assert xlogo(["gen", "export", str(pool), "--out", str(dest)]) == 2  # never mixes two exports


# -- the command line --------------------------------------------------------------------------


def test_stats_prints_the_distribution(pool: Path, capsys) -> None:
    assert xlogo(["gen", "stats", str(pool)]) == 0
    out = capsys.readouterr().out
    for word in ("unique tasks", "kind", "difficulty", "skill", "grid", "findonly", "3x3"):
        assert word in out
    assert xlogo(["gen", "stats", str(pool), "--json"]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert sum(manifest["counts"]["difficulty"].values()) == manifest["tasks"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--n", "5", "--out", "{tmp}/x", "--kinds", "find,maze"], "unknown kind maze"),
        (["--n", "5", "--out", "{tmp}/x", "--difficulty", "extreme"], "unknown difficulty extreme"),
        (["--n", "5", "--out", "{tmp}/x", "--shard", "2/2"], "--shard takes K/M"),
        (["--n", "5"], "--out DIR is required"),
        (["--n", "5", "--eval", "5", "--out", "{tmp}/x"], "either --n N"),
        (["stats", "{tmp}/nowhere"], "not a folder of generated tasks"),
        (["export", "{tmp}/nowhere"], "export needs --out FOLDER"),
        (["--n", "5", "--out", "{tmp}/x", "--like", "{tmp}/none.json"], "no such file"),
    ],
)
def test_bad_arguments_are_one_line_errors(
    args: list[str], message: str, tmp_path: Path, capsys
) -> None:
    code = xlogo(["gen", *(a.replace("{tmp}", str(tmp_path)) for a in args)])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and "Traceback" not in err
    assert err.count("\n") == 1


def test_a_broken_shard_file_names_file_and_line(tmp_path: Path, capsys) -> None:
    d = tmp_path / "broken"
    d.mkdir()
    (d / shard_name(0)).write_text('{"id": "a", "turtle": {"x": 0, "y": 0, "direction": 0}}\n')
    assert xlogo(["sft", str(d), "--out", str(tmp_path / "t.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "tasks-00000.jsonl: line 1: $: missing key 'tiles'" in err
    (d / shard_name(0)).write_text("\n{not json\n")
    assert xlogo(["sft", str(d), "--out", str(tmp_path / "t.jsonl")]) == 2
    assert "tasks-00000.jsonl: line 2, column 2: not valid JSON" in capsys.readouterr().err


# -- the parts ----------------------------------------------------------------------------------


def test_difficulty_levels_of_real_tasks_follow_the_documented_rule(assets_dir: Path) -> None:
    level = {t.id: difficulty(t.solution, t.constraints) for t in load_tasks(assets_dir)}
    assert level["1"] == level["5"] == level["30"] == "easy"  # fd; rt fd; fd fd lt fd
    assert level["13"] == level["22"] == level["51"] == "medium"
    assert level["87"] == level["93"] == level["64"] == "hard"  # constraints, nesting, colours


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rot=st.integers(0, 3), mirror=st.booleans(), pick=st.integers(0, 10**6))
def test_the_canonical_hash_is_the_same_for_rotations_and_mirror_images(
    real_tasks: dict, rot: int, mirror: bool, pick: int
) -> None:
    tasks = [t for t in real_tasks.values()]
    task = tasks[pick % len(tasks)]
    image = transform_task(task, rot, mirror)
    assert canonical_hash(image) == canonical_hash(task)


@settings(max_examples=40, deadline=None)
@given(rot=st.integers(0, 3), mirror=st.booleans(), pick=st.integers(0, 10**6))
def test_a_rotated_or_mirrored_task_is_solved_by_the_transformed_solution(
    rot: int, mirror: bool, pick: int
) -> None:
    recs = list(iter_records(generated_pool()))
    task = record_task(recs[pick % len(recs)])
    image = transform_task(task, rot, mirror)
    assert run(image, image.solution).solved


def test_different_real_tasks_hash_apart_unless_they_are_symmetric(assets_dir: Path) -> None:
    by_hash: dict[str, list[str]] = {}
    for t in load_tasks(assets_dir):
        by_hash.setdefault(canonical_hash(t), []).append(t.id)
    groups = sorted(sorted(v) for v in by_hash.values() if len(v) > 1)
    # 2 and 4 (bk to the strawberry) and 5, 6, 8 (a turn, then fd) are images of one another
    assert groups == [["2", "4"], ["5", "6", "8"]]


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32), lo=st.integers(1, 6), extra=st.integers(0, 6), loops=st.booleans()
)
def test_sampled_programs_fit_their_spec_and_waste_nothing(
    seed: int, lo: int, extra: int, loops: bool
) -> None:
    spec = ProgramSpec(lo, lo + extra, p_repeat=0.4 if loops else 0.0, max_repeats=2, p_setpc=0.1)
    prog = sample(random.Random(seed), spec)
    if prog is not None:
        assert lo <= len(prog) <= lo + extra
        assert not wasteful(prog)


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32), pick=st.integers(0, 10**6))
def test_mutation_keeps_moves_and_loops_and_inserts_what_is_asked(seed: int, pick: int) -> None:
    progs = ["fd rt repeat(3){fd} rt fd", "repeat(4){repeat(3){fd} rt}", "setpc(red) fd lt bk bk"]
    prog = parse(progs[pick % len(progs)])
    rng = random.Random(seed)
    plain = mutate(rng, prog)
    a, b = count_blocks(prog), count_blocks(plain)
    assert (a["fd"], a["bk"], a["repeat"], a["lt"] + a["rt"], a["all"]) == (
        b["fd"],
        b["bk"],
        b["repeat"],
        b["lt"] + b["rt"],
        b["all"],
    )
    assert len(mutate(rng, prog, insert=2)) == len(prog) + 2


def test_a_shortcut_through_an_open_cell_is_closed() -> None:
    # intended: around two sides of a square; the shortcut cuts across the middle
    intended = parse("fd fd rt fd fd")
    trace = trace_of(intended, 0)
    assert trace is not None
    lay = place_for_items(random.Random(1), trace, pad=0.0)
    world = lay.world()
    shortcut = parse("rt fd lt fd")
    t0 = Task("t", world, Goal(()), Constraints())
    cells = [world.cell(c) for c in execute(world, shortcut).cells]
    assert block_shortcut(lay, cells)
    t1 = Task("t", lay.world(), Goal(()), Constraints())
    assert not run(t0, shortcut).crashed
    assert run(t1, shortcut).crashed
    assert not run(t1, intended).crashed


def _steps(task: Task, prog: Program) -> int:
    return len(execute(task.world, prog).cells) - 1


def test_the_shortest_solution_under_a_banned_command_is_no_shortcut_either() -> None:
    # This seed's intended program walks 17 steps (fd repeat(4){fd fd fd rt} rt repeat(4){fd});
    # its shortest solution uses bk, which the task then bans, and the shortest solution under
    # the ban, fd rt repeat(4){fd} lt repeat(3){fd}, walked 8 of them: a shortcut, kept
    intended_steps = 17
    out = generate_one(2827977844137619678, "sum", "hard", task_id="t")
    assert out.record is not None, out.reason
    task = record_task(out.record)
    assert task.constraints.exactly == {"bk": 0}
    shortest = solve(task, all_solutions=True, limit=20)
    for prog in shortest.programs:
        assert _steps(task, prog) >= SHORTCUT_RATIO * intended_steps, prog
