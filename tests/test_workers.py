"""How a run starts its worker processes (`xlogo_lang.workers`): forks of a single-threaded
run, a forkserver's workers for a run with other threads, whose locks a fork could copy taken.
The pools that use it (the solver's, the generator's) are tested with their own results."""

from __future__ import annotations

import subprocess
import sys
import threading

from xlogo_lang.workers import worker_context


def test_a_run_with_one_thread_forks_its_workers() -> None:
    # a fresh interpreter: this test process may hold threads other tests left (a client's)
    code = "from xlogo_lang.workers import worker_context as w; print(w().get_start_method())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "fork"


def test_a_run_with_another_thread_gets_its_workers_from_a_forkserver() -> None:
    stop = threading.Event()
    waiter = threading.Thread(target=stop.wait, daemon=True)
    waiter.start()
    try:
        method = worker_context().get_start_method()
    finally:
        stop.set()
    assert method == "forkserver"
