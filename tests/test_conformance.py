"""Conformance with the reference executor: every oracle verdict, every reference solution.

The oracle file holds 2,734 reference verdicts (crashed, crash type and position, goal_ok,
cons_ok) for reference solutions, mutations, rewrites, random programs and call-limit programs
on the real tasks. xlogo must agree with every one of them.
"""

from __future__ import annotations

from collections import Counter

from xlogo_lang import from_json, load_tasks, parse, run, to_json


def test_every_oracle_verdict_matches_the_reference(oracle_cases, real_tasks):
    mismatches = []
    for case in oracle_cases:
        verdict = run(real_tasks[case["task_id"]], parse(case["program"]))
        got = verdict.reference_dict()
        if got != case["expect"]:
            mismatches.append(f"{case['case']}: got {got}, expected {case['expect']}")
    assert not mismatches, f"{len(mismatches)} mismatches:\n" + "\n".join(mismatches[:20])


def test_the_quick_check_a_search_makes_agrees_with_every_oracle_verdict(oracle_cases, real_tasks):
    """`solves` stops at the first failure; its answer must still be the verdict's."""
    from xlogo_lang.verdict import solves

    differ = []
    for case in oracle_cases:
        task, prog = real_tasks[case["task_id"]], parse(case["program"])
        e = case["expect"]
        solved = not e["crashed"] and e["goal_ok"] is True and e["cons_ok"] is True
        if solves(task, prog) != solved:
            differ.append(case["case"])
    assert not differ, differ[:20]


def test_oracle_program_text_and_code_json_are_the_same_program(oracle_cases):
    differ = [
        case["case"] for case in oracle_cases if parse(case["program"]) != from_json(case["code"])
    ]
    assert not differ, differ[:20]


def test_oracle_code_json_round_trips(oracle_cases):
    differ = [c["case"] for c in oracle_cases if to_json(from_json(c["code"])) != c["code"]]
    assert not differ, differ[:20]


def test_oracle_covers_every_outcome(oracle_cases):
    """The corpus exercises solved runs, each crash kind and both failure kinds."""
    kinds = Counter(c["expect"]["crash_type"] for c in oracle_cases)
    assert {None, "WALL", "OUT_OF_WORLD", "FORBIDDEN_AREA", "EXCEED_MAX_CALLS"} <= set(kinds)
    assert any(c["expect"]["goal_ok"] is False for c in oracle_cases)
    assert any(c["expect"]["cons_ok"] is False for c in oracle_cases)


def test_every_reference_solution_in_the_assets_solves_its_task(assets_dir):
    tasks = load_tasks(assets_dir)
    assert tasks
    assert all(t.solution is not None for t in tasks)
    unsolved = [(t.id, v.reason) for t in tasks if not (v := run(t, t.solution)).solved]
    assert not unsolved, unsolved


def test_every_task_file_is_solved_by_its_reference_solution(assets_dir, real_tasks):
    solutions = {t.id: t.solution for t in load_tasks(assets_dir)}
    assert set(real_tasks) <= set(solutions)
    unsolved = [tid for tid, task in real_tasks.items() if not run(task, solutions[tid]).solved]
    assert not unsolved, unsolved


def test_assets_and_task_files_load_to_the_same_tasks(assets_dir, real_tasks):
    from_assets = {t.id: t for t in load_tasks(assets_dir)}
    assert set(from_assets) == set(real_tasks)
    for tid, task in real_tasks.items():
        other = from_assets[tid]
        assert (task.world, task.goal, task.constraints) == (
            other.world,
            other.goal,
            other.constraints,
        ), tid
        assert task.platform_description == other.platform_description, tid
