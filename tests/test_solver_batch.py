"""`solve_each`: a set of tasks solved in order, in worker processes when asked, with the same
answers as one `solve` after another; bad arguments refused before any search; a stopped or
broken set of workers leaves no process behind and loses no answer already given; a dead
worker costs at most the answer of the search that killed it."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
from pathlib import Path

import pytest
from xlogo_lang.solver import WorkerDied, solve, solve_each

from xlogo_lang import load_task
from xlogo_lang.errors import UsageError
from xlogo_lang.printer import to_text

QUICK = ("1", "13", "24", "87")  # a few blocks each: solved in well under a second


def answer(sol):
    return (sol.task_id, sol.status, sol.size, sol.proved_minimal, str(sol.program))


@pytest.fixture(scope="module")
def quick_tasks(tasks_dir: Path) -> list:
    return [load_task(tasks_dir / f"{tid}.json") for tid in QUICK]


def test_workers_give_the_answers_of_solve_in_the_tasks_order(quick_tasks):
    alone = [answer(solve(t)) for t in quick_tasks]
    assert [answer(s) for s in solve_each(quick_tasks, workers=2)] == alone


def test_leaving_with_stops_the_workers_at_their_search(tasks_dir):
    """Terminated (exit code -SIGTERM), not waited for: task 15 keeps z3 busy for tens of
    seconds, and shutting down alone would wait for it."""
    quick, slow = load_task(tasks_dir / "1.json"), load_task(tasks_dir / "15.json")
    with solve_each([quick, slow, slow], workers=2, engine="z3", timeout=120) as sols:
        assert next(sols).task_id == "1"
        workers = multiprocessing.active_children()
    assert [w.exitcode for w in workers] == [-signal.SIGTERM] * 2
    assert multiprocessing.active_children() == []
    assert list(sols) == []


def test_one_worker_solves_in_this_process_as_the_iterator_is_read(quick_tasks):
    sols = solve_each(quick_tasks, workers=1, engine="z3", timeout=30)
    assert multiprocessing.active_children() == []
    assert answer(next(sols)) == answer(solve(quick_tasks[0], engine="z3", timeout=30))


def test_the_options_reach_every_worker(quick_tasks):
    """Tasks 13, 24 and 87 need 4-6 blocks."""
    sols = list(solve_each(quick_tasks[1:], workers=2, max_size=3))
    assert [s.status for s in sols] == ["no_solution"] * 3
    assert all(s.message == "no solution within 3 blocks" for s in sols)


def test_a_bad_option_is_refused_by_the_call_before_any_worker_starts(quick_tasks):
    with pytest.raises(UsageError, match="unknown engine 'smt'"):
        solve_each(quick_tasks, workers=2, engine="smt")
    with pytest.raises(
        TypeError, match="solve_each: got an unexpected keyword argument 'max_depth'"
    ):
        solve_each(quick_tasks, workers=2, max_depth=3)
    with pytest.raises(UsageError, match=r"workers must be from 1 to 256 \(got 0\)"):
        solve_each(quick_tasks, workers=0)
    assert multiprocessing.active_children() == []


def test_a_path_instead_of_a_task_is_refused_before_any_search(quick_tasks, tasks_dir):
    with pytest.raises(TypeError, match="solve_each expects a Task, got PosixPath"):
        solve_each([*quick_tasks, tasks_dir / "1.json"], workers=2)


def test_a_progress_callback_needs_one_worker(quick_tasks):
    with pytest.raises(UsageError, match="progress callbacks need workers=1"):
        solve_each(quick_tasks, workers=2, progress=print)


def test_breaking_off_stops_the_searches_in_progress(tasks_dir):
    """Task 15 takes z3 tens of seconds: closing the iterator must not wait for it."""
    slow = [load_task(tasks_dir / "15.json")] * 2
    sols = solve_each(slow, workers=2, engine="z3", timeout=120)
    workers = multiprocessing.active_children()
    assert len(workers) == 2
    sols.close()
    assert [w.exitcode for w in workers] == [-signal.SIGTERM] * 2
    assert multiprocessing.active_children() == []


def test_a_killed_worker_costs_no_answer(tasks_dir):
    """One worker killed while task 64 is being solved (in it, or in the other worker, which
    the broken pool then stops): the tasks it was running run again, and every answer is a
    one-worker run's. The body budget makes task 64's answer (the probe's 15 blocks, not
    proved) a second or two of search that ends the same every time."""
    tasks = [load_task(tasks_dir / f"{tid}.json") for tid in ("1", "64", "13", "24", "87")]
    alone = [answer(s) for s in solve_each(tasks, max_bodies=50_000)]
    with solve_each(tasks, workers=2, max_bodies=50_000) as sols:
        got = [answer(next(sols))]
        os.kill(multiprocessing.active_children()[0].pid, signal.SIGKILL)
        got += [answer(s) for s in sols]
    assert got == alone
    assert multiprocessing.active_children() == []


def test_a_search_that_kills_its_worker_alone_too_fails_and_the_set_goes_on(tmp_path, tasks_dir):
    """Its own search ends the worker: under a CPU-time limit of a second per process, task 64
    (20 s of search) is killed by SIGXCPU, in the pool and again alone; the tasks around it
    are answered as by one worker."""
    lines = run_under_cpu_limit(tmp_path, tasks_dir, ("1", "64", "13", "24", "87"))
    quick = [load_task(tasks_dir / f"{tid}.json") for tid in ("1", "13", "24", "87")]
    assert [(d["task_id"], d["status"]) for d in lines] == [
        ("1", "solved"),
        ("64", "failed"),
        ("13", "solved"),
        ("24", "solved"),
        ("87", "solved"),
    ]
    assert [d["program"] for d in lines if d["status"] == "solved"] == [
        to_text(solve(t).program) for t in quick
    ]
    failed = lines[1]
    assert failed["stats"] == {"worker_exitcode": -signal.SIGXCPU}
    assert (failed["program"], failed["size"], failed["proved_minimal"]) == (None, None, False)
    assert failed["message"] == (
        "failed: the worker process died under the search twice, the second time running it "
        "alone (killed by SIGXCPU)"
    )


def run_under_cpu_limit(tmp_path: Path, tasks_dir: Path, ids: tuple[str, ...]) -> list[dict]:
    """`solve_each(ids, workers=2)` in a process whose workers may each use one second of CPU
    (the run itself uses a fraction of one): each answer's JSON, in order."""
    import json
    import subprocess
    import sys

    script = tmp_path / "run.py"
    script.write_text(
        "import json, resource\n"
        "from xlogo_lang import load_task\n"
        "from xlogo_lang.solver import solve_each\n"
        "if __name__ == '__main__':\n"
        f"    tasks = [load_task(f'{tasks_dir}/{{tid}}.json') for tid in {list(ids)!r}]\n"
        "    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n"
        "    resource.setrlimit(resource.RLIMIT_CPU, (1, resource.RLIM_INFINITY))\n"
        "    for sol in solve_each(tasks, workers=2):\n"
        "        print(json.dumps(sol.to_dict()), flush=True)\n"
    )
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True
    )
    return [json.loads(line) for line in run.stdout.splitlines()]


def test_workers_that_keep_dying_give_the_set_up(tasks_dir):
    """A machine that kills every worker (here a thread of this test, as fast as they start)
    must not have the set restart them for ever. With two workers, three deaths with no answer
    between may be two culprits (a pool's death, then each task it was running dying once
    more alone); a fourth gives the set up, and no worker is left."""
    import contextlib
    import threading
    import time

    slow = load_task(tasks_dir / "64.json")
    stop = threading.Event()

    def kill_every_worker() -> None:
        while not stop.is_set():
            for child in multiprocessing.active_children():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child.pid, signal.SIGKILL)
            time.sleep(0.01)

    killer = threading.Thread(target=kill_every_worker, daemon=True)
    killer.start()
    statuses = []
    try:
        with pytest.raises(WorkerDied, match=r"died 4 times with no answer between .* task 64"):
            for sol in solve_each([slow] * 6, workers=2):
                statuses.append(sol.status)
    finally:
        stop.set()
        killer.join()
    assert set(statuses) <= {"failed"}
    assert multiprocessing.active_children() == []


def test_a_worker_ends_itself_when_its_run_is_killed(tmp_path, tasks_dir):
    """SIGTERM (or kill -9) gives the run no chance to stop its workers: they must not be
    left blocked on a queue no one writes to."""
    import subprocess
    import sys
    import time

    script = tmp_path / "run.py"
    script.write_text(
        "import sys\n"
        "from xlogo_lang import load_task\n"
        "from xlogo_lang.solver import solve_each\n"
        "if __name__ == '__main__':\n"
        f"    slow = load_task({str(tasks_dir / '15.json')!r})\n"
        "    sols = solve_each([slow, slow], workers=2, engine='z3', timeout=120)\n"
        "    import multiprocessing\n"
        "    print(*[p.pid for p in multiprocessing.active_children()], flush=True)\n"
        "    next(sols)\n"
    )
    run = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert run.stdout is not None
    pids = [int(p) for p in run.stdout.readline().split()]
    assert len(pids) == 2
    run.kill()
    run.wait()
    for _ in range(100):  # each worker looks every second; allow a slow machine ten
        if not any(os.path.exists(f"/proc/{p}") and _running(p) for p in pids):
            break
        time.sleep(0.1)
    assert not any(os.path.exists(f"/proc/{p}") and _running(p) for p in pids)


def _running(pid: int) -> bool:
    """Not a zombie: an exited child of a dead run waits for init to reap it."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_a_caller_with_threads_gets_workers_from_a_forkserver(quick_tasks):
    """A fork would copy this process with another thread's locks taken; the answers are the
    same either way."""
    import threading

    stop = threading.Event()
    waiter = threading.Thread(target=stop.wait, daemon=True)
    waiter.start()
    try:
        with solve_each(quick_tasks, workers=2) as sols:
            kinds = {type(p).__name__ for p in multiprocessing.active_children()}
            got = [answer(s) for s in sols]
    finally:
        stop.set()
    assert kinds == {"ForkServerProcess"}
    assert got == [answer(solve(t)) for t in quick_tasks]


# -- tasks read as the set goes -------------------------------------------------------------------


def test_one_worker_reads_each_task_when_its_answer_is_asked_for(quick_tasks):
    """A folder of 20,000 task records took 8 s to load before the first search."""
    read = []

    def tasks():
        for t in quick_tasks:
            read.append(t.id)
            yield t

    sols = solve_each(tasks())
    assert read == []
    assert next(sols).task_id == "1" and read == ["1"]
    assert next(sols).task_id == "13" and read == ["1", "13"]


def test_workers_read_a_bounded_number_of_tasks_ahead(quick_tasks):
    """An endless iterable is solved as far as it is read: the workers read ahead of the
    answer awaited, but only so far."""
    from xlogo_lang.solver.batch import AHEAD

    read = []

    def endless():
        while True:
            read.append(1)
            yield quick_tasks[0]

    with solve_each(endless(), workers=2) as sols:
        got = [next(sols).task_id for _ in range(3)]
    assert got == ["1"] * 3 and len(read) <= 3 + 2 * AHEAD
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("workers", [1, 2])
def test_a_broken_task_file_late_in_a_folder_comes_after_the_answers_before_it(
    tasks_dir, tmp_path, workers
):
    """`iter_tasks` raises a broken task's TaskError: read all at once, it ended the set before
    any search."""
    from xlogo_lang.errors import TaskError
    from xlogo_lang.tasks import iter_tasks

    for tid in ("1", "13"):
        shutil.copy(tasks_dir / f"{tid}.json", tmp_path)
    (tmp_path / "99.json").write_text('{"turtle": ')
    got = []
    with pytest.raises(TaskError, match=r"99\.json: line 1, column 12: not valid JSON"):
        for sol in solve_each(iter_tasks(tmp_path), workers=workers):
            got.append(sol.task_id)
    assert got == ["1", "13"]
    assert multiprocessing.active_children() == []


def test_something_not_a_task_from_an_iterable_is_refused_in_its_turn(quick_tasks, tasks_dir):
    sols = solve_each(iter([quick_tasks[0], tasks_dir / "1.json"]))
    assert next(sols).task_id == "1"
    with pytest.raises(TypeError, match="solve_each expects a Task, got PosixPath"):
        next(sols)
