"""What every worker process of the project does when it starts: leave Ctrl-C to the run that
started it, and end itself when that run is gone.

A run stops its workers when it can (Ctrl-C, an error, the end of its work). Killed outright
(`kill`, `kill -9`, the out-of-memory killer), it cannot, and a worker left behind blocks for
ever on a queue no one writes to, or goes on with work no one reads (making shards, into the
folder of a later run too). So each worker watches its parent and exits within a second of
losing it; without this a SIGTERM to `xlogo solve DIR --workers 2` left both workers running.
"""

from __future__ import annotations

import os
import signal
import threading
import time


def start_worker(parent: int | None = None) -> None:
    """Call first thing in a worker process (a pool's initializer). `parent` is the pid of the
    process whose end ends this one, by default this worker's parent now (a forkserver's child
    is reparented when the forkserver ends with its run)."""
    # Ctrl-C reaches the whole process group: the run handles it (and stops its workers);
    # without this every worker would print its own KeyboardInterrupt traceback as well
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watched = os.getppid() if parent is None else parent
    threading.Thread(target=_exit_with, args=(watched,), daemon=True).start()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)
