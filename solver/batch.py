"""Solving a set of tasks, in worker processes when there are cores to spare.

A search is one core's work (pure Python, or z3 in one thread), and a set of tasks is many
independent searches, so the way to use a machine's cores is one search per process. Workers
are forks of the caller when it runs one thread, which works from any script or notebook. A
caller with more threads (a progress bar's refresh, an evaluation's client) could hand a fork
their locks taken, so its workers come from a fresh `forkserver` process instead, which
re-imports a script's main module: such a script needs the `if __name__ == "__main__":` guard.
(`xlogo_lang.workers.worker_context` makes that choice, for the generator's workers too.)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from xlogo_lang.errors import UsageError, XlogoError
from xlogo_lang.workers import check_workers, start_worker, worker_context

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from xlogo_lang.tasks import Task

    from .solution import Solution


def solve_each(tasks: Iterable[Task], *, workers: int = 1, **options: Any) -> Solutions:
    """`solve(task, **options)` for every task, in the tasks' order.

    With `workers` above 1 the tasks are solved in that many processes at once: `timeout` and
    the enumerative budgets still hold per task (each worker may use the memory of one search,
    a few GB with the default budgets, so choose `workers` for the memory as well as the cores).
    A solution is given as soon as it and every one before it are done, so a consumer that
    prints them as they come loses nothing to a later failure. The arguments are checked (a bad
    one raised) by the call itself; with one worker the searches run as the returned iterator
    is read, with more they start at once, in workers started before any thread the caller
    starts next. Closing the returned `Solutions` (or leaving its `with`, or an error) stops the
    workers at once, searches in progress included."""
    from xlogo_lang.task_format import check_task

    from . import check_options

    check_workers(workers)
    if options.get("progress") is not None and workers > 1:
        raise UsageError("progress callbacks need workers=1 (a worker cannot call back)")
    check_options(**options)
    todo = list(tasks)
    for t in todo:
        check_task(t, "solve_each")
    if workers == 1 or len(todo) <= 1:
        return Solutions(todo, options)
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(
        min(workers, len(todo)),
        mp_context=worker_context(),
        initializer=start_worker,
        initargs=(os.getpid(),),
    )
    return Solutions(todo, options, pool)


class WorkerDied(XlogoError):
    """A worker process ended without an answer: no fault of the input (exit status 1)."""

    exit_status = 1


class Solutions(Iterator["Solution"]):
    """The solutions of a set of tasks, in the tasks' order, solved here as they are asked for
    (one worker) or by worker processes already at work. Closing it (explicitly, by `with`, or
    when it is collected) before the last one stops the workers: `shutdown` alone would wait
    for the searches running now, minutes with z3. (A generator could not: closed before its
    first answer was asked for, it runs no cleanup.)"""

    def __init__(
        self, todo: list[Task], options: dict[str, Any], pool: ProcessPoolExecutor | None = None
    ) -> None:
        self._todo = todo
        self._options = options
        self._pool = pool
        self._futures = [pool.submit(_solve, t, options) for t in todo] if pool else []
        self._next = 0
        self._closed = False

    def __next__(self) -> Solution:
        if self._closed or self._next == len(self._todo):
            self.close()
            raise StopIteration
        from concurrent.futures.process import BrokenProcessPool

        task = self._todo[self._next]
        try:
            sol = self._futures[self._next].result() if self._pool else _solve(task, self._options)
        except BrokenProcessPool:
            self.close()
            raise WorkerDied(
                f"a solver worker process ended abruptly (killed, or out of memory?) while "
                f"task {task.id} or one after it was being solved; the solutions before it "
                "were given"
            ) from None
        except BaseException:  # Ctrl-C while waiting, or an error raised by a search: the set
            self.close()  # ends here, with one worker as with many (not the same task again)
            raise
        self._next += 1
        return sol

    def close(self) -> None:
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if self._next < len(self._todo):
            procs = getattr(pool, "_processes", None) or {}  # private, but public only in 3.14
            for proc in list(procs.values()):
                proc.terminate()
        pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Solutions:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()


def _solve(task: Task, options: dict[str, Any]) -> Solution:
    from . import solve

    return solve(task, **options)
