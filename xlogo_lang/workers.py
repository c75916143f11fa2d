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
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

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


def start_worker(run: int) -> None:
    """Call first thing in a worker process (a pool's initializer, given `os.getpid()` of the
    run that starts the pool as `run`). The run's pid is passed, not read here as the parent's:
    a run killed while the worker starts has already handed it to init, and a forkserver's
    worker has the forkserver as its parent."""
    # Ctrl-C reaches the whole process group: the run handles it (and stops its workers);
    # without this every worker would print its own KeyboardInterrupt traceback as well
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _signal_on_parent_death()
    if not _alive(run):  # it ended before the kernel was asked to tell us
        os._exit(1)
    threading.Thread(target=_exit_with, args=(run,), daemon=True).start()


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
