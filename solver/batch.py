"""Solving a set of tasks, in worker processes when there are cores to spare.

A search is one core's work (pure Python, or z3 in one thread), and a set of tasks is many
independent searches, so the way to use a machine's cores is one search per process. Workers
are forks of the caller when it runs one thread, which works from any script or notebook. A
caller with more threads (a progress bar's refresh, an evaluation's client) could hand a fork
their locks taken, so its workers come from a fresh `forkserver` process instead, which
re-imports a script's main module: such a script needs the `if __name__ == "__main__":` guard.
(`xlogo_lang.workers.worker_context` makes that choice, for the generator's workers too.)
A pool started again after a worker's death (below) chooses anew: a caller that had one
thread when the set began may have more by then.

A worker that dies (the out-of-memory killer, a user's `kill`) breaks the whole pool: every
task not yet answered fails with it, those running fine in the other workers included. A set
solved overnight must not lose hours of work to one dead process, so the answers the pool gave
before it broke are kept, the tasks that were running are run again one at a time, each in a
worker of its own (where a death can only be its search's), and the pool starts again for the
rest. A task whose worker dies a second time, alone, is answered `failed` and the set goes on.

The tasks are read from the caller's iterable as the set goes, never all at once: a folder of
20,000 task records took 8 s to load before its first search, and a broken task late in it
(`tasks.iter_tasks` raises its TaskError) ended the set before any work was done. One worker
reads a task when its answer is asked for; more read up to `AHEAD` tasks per worker beyond the
one asked for, enough to keep them busy past a long search. An error the iterable raises is
given in its turn, after every answer before it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from xlogo_lang.errors import UsageError, XlogoError
from xlogo_lang.workers import check_workers, start_worker, worker_context

from .solution import Solution

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.process import BaseProcess

    from xlogo_lang.tasks import Task


def solve_each(tasks: Iterable[Task], *, workers: int = 1, **options: Any) -> Solutions:
    """`solve(task, **options)` for every task, in the tasks' order.

    With `workers` above 1 the tasks are solved in that many processes at once: `timeout` and
    the enumerative budgets still hold per task (each worker may use the memory of one search,
    a few GB with the default budgets, so choose `workers` for the memory as well as the cores).
    A solution is given as soon as it and every one before it are done, so a consumer that
    prints them as they come loses nothing to a later failure. The options are checked (a bad
    one raised) by the call itself, and so are the tasks of a list or tuple; those of any other
    iterable (a generator loading them from files) are read and checked as the set goes (see
    the module docstring), an error in their turn. With one worker the searches run as the
    returned iterator is read, with more they start at once, in workers started before any
    thread the caller starts next. Closing the returned `Solutions` (or leaving its `with`, or
    an error) stops the workers at once, searches in progress included. A worker that dies
    costs the set only the task whose search it was, if any (see `Solutions`)."""
    from xlogo_lang.task_format import check_task

    from . import check_options

    check_workers(workers)
    if options.get("progress") is not None and workers > 1:
        raise UsageError("progress callbacks need workers=1 (a worker cannot call back)")
    check_options(**options)
    if isinstance(tasks, Sequence):  # at hand already: checked before any search
        for t in tasks:
            check_task(t, "solve_each")
        workers = max(1, min(workers, len(tasks)))  # one task is solved here, not in a pool
    elif not isinstance(tasks, Iterable):
        raise TypeError(f"solve_each expects tasks (an iterable), got {type(tasks).__name__}")
    return Solutions(iter(tasks), options, workers)


AHEAD = 16  # tasks read per worker beyond the one whose answer is awaited


class WorkerDied(XlogoError):
    """Worker processes kept dying, with no answer between the deaths: the set was given up (no
    fault of the input, exit status 1)."""

    exit_status = 1


class Solutions(Iterator[Solution]):
    """The solutions of a set of tasks, in the tasks' order, solved here as they are asked for
    (one worker) or by worker processes already at work. Closing it (explicitly, by `with`, or
    when it is collected) before the last one stops the workers: `shutdown` alone would wait
    for the searches running now, minutes with z3. (A generator could not: closed before its
    first answer was asked for, it runs no cleanup.)

    When a worker dies, the pool keeps the answers it gave, runs the tasks that were running
    again one at a time, alone, and starts again for the rest; a task whose lone worker dies too
    is given as a `Solution` with status "failed". Each task runs at most twice, and the set is
    given up (`WorkerDied`, at the first task without an answer) when workers die more than
    `workers + 1` times with no answer between: a machine that kills every worker."""

    def __init__(self, tasks: Iterator[Task], options: dict[str, Any], workers: int = 1) -> None:
        self._source = tasks  # read as the set goes (`_read`)
        self._tasks: dict[int, Task] = {}  # read and not yet answered, by position
        self._read_count = 0  # tasks read (an error the source raised counts as one)
        self._exhausted = False  # the source is at its end (or raised)
        self._options = options
        self._workers = workers  # 1: solved in this process, as they are asked for
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[int, Future[Solution]] = {}
        # done ahead of the one asked for: its solution, or the error its search (or the
        # source, reading it) raised
        self._answers: dict[int, Solution | BaseException] = {}
        self._deaths = 0  # worker deaths since the last answer
        self._given_up = False  # workers kept dying (`_died`)
        self._next = 0
        self._closed = False
        # which tasks a worker has begun: flags shared with them, one per task in flight (at
        # most `_ahead`, so position j has the flag j % _ahead)
        self._started: Any = None
        self._ahead = AHEAD * workers
        if workers > 1:
            self._started = multiprocessing.RawArray("b", self._ahead)
            self._read(self._ahead)
            if self._tasks:
                self._start(sorted(self._tasks), min(workers, len(self._tasks)))

    def __next__(self) -> Solution:
        if self._workers == 1 and not self._closed:
            self._read(self._next + 1)
        if self._closed or (self._exhausted and self._next >= self._read_count):
            self.close()
            raise StopIteration
        try:
            sol = self._answer(self._next)
        except BaseException:  # Ctrl-C while waiting, an error raised by a search or by the
            self.close()  # source, or workers that keep dying: the set ends here
            raise
        self._tasks.pop(self._next, None)
        self._next += 1
        if self._workers > 1 and not self._closed:
            self._submit(self._read(self._next + self._ahead))
        return sol

    def _read(self, upto: int) -> list[int]:
        """Read tasks from the source until `upto` are read or it ends; the positions read. An
        error it raises (`iter_tasks` raises a broken task's TaskError) takes the next position
        and ends the reading: it is given in its turn, after the answers before it."""
        from xlogo_lang.task_format import check_task

        new: list[int] = []
        while not self._exhausted and self._read_count < upto:
            j = self._read_count
            try:
                task = next(self._source)
                check_task(task, "solve_each")
            except StopIteration:
                self._exhausted = True
                break
            except Exception as exc:
                self._answers[j] = exc
                self._exhausted = True
                self._read_count += 1
                break
            self._tasks[j] = task
            self._read_count += 1
            if self._started is not None:
                self._started[j % self._ahead] = 0  # the flag of a task given long since
            new.append(j)
        return new

    def _submit(self, todo: list[int]) -> None:
        """Hand newly read tasks to the pool at work (a broken one is found by `_answer`)."""
        from concurrent.futures.process import BrokenProcessPool

        if not todo or self._given_up:
            return
        if self._pool is None:  # none at work (`_recover` had nothing left to start it for)
            self._start(todo, min(self._workers, len(todo)))
            return
        for j in todo:
            try:
                self._futures[j] = self._pool.submit(_solve, j, self._tasks[j], self._options)
            except BrokenProcessPool:
                return

    def _answer(self, i: int) -> Solution:
        if self._workers == 1:
            answer = self._answers.pop(i, None)
            if answer is not None:  # the source's error, in its turn
                assert isinstance(answer, BaseException)
                raise answer
            return _solve(i, self._tasks[i], self._options)
        from concurrent.futures.process import BrokenProcessPool

        while i not in self._answers:
            if self._given_up:  # (`_recover`): the answers held were given
                raise WorkerDied(
                    f"solver worker processes died {self._deaths} times with no answer between "
                    f"(killed, or out of memory?): the set stopped at task {self._tasks[i].id}; "
                    "the solutions before it were given"
                )
            fut = self._futures.pop(i, None)
            try:
                if fut is None:  # the pool broke before the task could be handed to it
                    raise BrokenProcessPool
                self._answers[i] = fut.result()
                self._deaths = 0
            except BrokenProcessPool:
                self._recover()
        answer = self._answers.pop(i)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def _start(self, todo: list[int], workers: int) -> None:
        """A pool of `workers` processes at work on `todo` (it may break at once)."""
        from concurrent.futures.process import BrokenProcessPool

        self._pool = _pool(workers, self._started)
        self._futures = {}
        for j in todo:
            try:
                self._futures[j] = self._pool.submit(_solve, j, self._tasks[j], self._options)
            except BrokenProcessPool:
                return

    def _recover(self) -> None:
        """After a worker's death: keep the answers the pool gave, run the tasks it was running
        again one at a time, alone, and start the pool again for the tasks it had not begun."""
        pool, self._pool = self._pool, None
        assert pool is not None
        from concurrent.futures.process import BrokenProcessPool

        pool.shutdown(wait=True)  # broken: its workers are ended; then every future is done
        for j, fut in self._futures.items():
            if fut.done() and not fut.cancelled():
                error = fut.exception()
                if not isinstance(error, BrokenProcessPool):  # an answer, or a search's error
                    self._answers[j] = fut.result() if error is None else error
                    self._deaths = 0
        self._futures = {}
        left = [j for j in range(self._next, self._read_count) if j not in self._answers]
        if self._died():
            return
        for j in (j for j in left if self._started[j % self._ahead]):
            if not self._alone(j):
                return
        if rest := [j for j in left if j not in self._answers]:
            self._start(rest, min(self._workers, len(rest)))

    def _alone(self, j: int) -> bool:
        """Task `j` run again in a worker of its own: its answer, or `failed` when that worker
        dies too (the search is the culprit). False when deaths give the set up."""
        from concurrent.futures.process import BrokenProcessPool

        self._pool = pool = _pool(1, self._started)
        fut = pool.submit(_solve, j, self._tasks[j], self._options)
        procs = _processes(pool)
        died = False
        try:
            self._answers[j] = fut.result()
            self._deaths = 0
        except BrokenProcessPool:
            died = True
        except Exception as exc:  # the search's own error, raised in its turn
            self._answers[j] = exc
        self._pool = None
        pool.shutdown(wait=True)  # after a death, its worker is joined: its exit code is known
        if died:
            code = procs[0].exitcode if procs else None
            self._answers[j] = _failed(self._tasks[j], self._options, code)
        return not (died and self._died())

    def _died(self) -> bool:
        """Count a death; True when the set is given up. Every task running when a pool broke
        may be a search that kills its worker, each then dying once more alone: past
        `workers + 1` deaths with no answer between, it is the machine that kills them."""
        self._deaths += 1
        self._given_up = self._deaths > self._workers + 1
        return self._given_up

    def close(self) -> None:
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if self._next < self._read_count or not self._exhausted:  # searches may be running
            for proc in _processes(pool):
                proc.terminate()
        pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Solutions:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()


def _pool(workers: int, started: Any) -> ProcessPoolExecutor:
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        workers,
        mp_context=worker_context(),
        initializer=_start_worker,
        initargs=(os.getpid(), started),
    )


def _processes(pool: ProcessPoolExecutor) -> list[BaseProcess]:
    procs = getattr(pool, "_processes", None) or {}  # private, but public only in 3.14
    return list(procs.values())


_STARTED: Any = None  # in a worker: the run's flags of the tasks begun


def _start_worker(run: int, started: Any) -> None:
    global _STARTED
    _STARTED = started
    start_worker(run)


def _solve(j: int, task: Task, options: dict[str, Any]) -> Solution:
    from . import solve

    if _STARTED is not None:
        _STARTED[j % len(_STARTED)] = 1
    return solve(task, **options)


def _failed(task: Task, options: dict[str, Any], exitcode: int | None) -> Solution:
    from . import _bound

    engine = options.get("engine", "enum")
    n = _bound(task, options.get("max_size"))
    return Solution(
        task.id, "failed", None, [], None, engine, False, n, {"worker_exitcode": exitcode}
    )
