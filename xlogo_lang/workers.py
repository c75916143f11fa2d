"""What every worker process of the project does when it starts: leave Ctrl-C to the run that
started it, and end itself when that run is gone.

A run stops its workers when it can (Ctrl-C, an error, the end of its work). Killed outright
(`kill`, `kill -9`, the out-of-memory killer), it cannot, and a worker left behind blocks for
ever on a queue no one writes to, or goes on with work no one reads (making shards, into the
folder of a later run too). So each worker ends with its run: on Linux the kernel sends it
SIGTERM when its parent ends (`PR_SET_PDEATHSIG`: the run, or the forkserver that ends with the
run), whatever the worker is doing; elsewhere, and as a second guard, a thread checks the run
every second. Without this a SIGTERM to `xlogo solve DIR --workers 2` left both workers running.
(The kernel's signal follows the parent *thread* that started the worker: a pool is started
from the thread that keeps using it.)

How workers start is decided here too (`worker_context`), for the solver's and the generator's
pools alike: a fork of the run when it runs one thread, else a `forkserver`'s.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

PR_SET_PDEATHSIG = 1  # linux/prctl.h
# Worker processes a run may start. Each holds a search's or a shard's memory (up to a few GB),
# so a mistyped `--workers 1000` would start a thousand processes before any could fail.
MAX_WORKERS = 256


def check_workers(workers: int, name: str = "workers") -> None:
    """A worker count: an int from 1 to MAX_WORKERS (a UsageError naming `name` otherwise)."""
    from .errors import UsageError

    if isinstance(workers, bool) or not isinstance(workers, int):
        raise TypeError(f"{name} must be an int, got {type(workers).__name__}")
    if not 1 <= workers <= MAX_WORKERS:
        raise UsageError(
            f"{name} must be from 1 to {MAX_WORKERS} (got {workers}): each worker is a process "
            "holding one search's memory"
        )


def worker_context() -> BaseContext:
    """The multiprocessing context a run starts its worker pool with: "fork" when this process
    runs one thread, else "forkserver".

    A fork is the cheapest start and works from any script or notebook, but it copies only the
    thread that forks: a lock another thread held at that moment (a progress bar's refresh, an
    evaluation client's resolver threads, logging's, the allocator's) stays taken in the child
    for ever, and the worker that next needs it hangs (Python 3.12 warns about such forks). A
    forkserver is a fresh single-threaded process that forks the workers instead; their start
    costs an import of the package, and the arguments they get must pickle. It re-imports the
    main module of a script, which therefore needs the `if __name__ == "__main__":` guard."""
    import multiprocessing

    return multiprocessing.get_context("fork" if threading.active_count() == 1 else "forkserver")


def start_worker(run: int) -> int:
    """Call first thing in a worker process (a pool's initializer, given `os.getpid()` of the
    run that starts the pool as `run`). The run's pid is passed, not read here as the parent's:
    a run killed while the worker starts has already handed it to init, and a forkserver's
    worker has the forkserver as its parent.

    Returns the worker's parent as it started (the run, or the forkserver, which ends with the
    run): while `os.getppid()` is still that, the run has not ended. (Asking whether the pid
    `run` is alive could not tell: the run may be a zombie its own parent has not reaped.)"""
    # Ctrl-C reaches the whole process group: the run handles it (and stops its workers);
    # without this every worker would print its own KeyboardInterrupt traceback as well
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _signal_on_parent_death()
    parent = os.getppid()
    if not _alive(run):  # it ended before the kernel was asked to tell us
        os._exit(1)
    threading.Thread(target=_exit_with, args=(run,), daemon=True).start()
    return parent


def _signal_on_parent_death() -> None:
    """Linux only: SIGTERM (its default action, which no Python code delays) when the parent
    ends. Elsewhere, or if the call fails, the watching thread is the guard."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: the pid lives on
        return True
    return True


def _exit_with(run: int) -> None:
    while _alive(run):
        time.sleep(1.0)
    os._exit(1)
