"""Ctrl-C during a Z3 search, heard as Ctrl-C (`Z3Interrupts`).

Kept apart from the engine's encoding: it is about signals, threads and z3's own handling of
SIGINT, and nothing in it knows what is being searched.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from typing import Any

INTERRUPT_MARGIN_S = 0.05  # a check that ends this long before the deadline did not time out


class Z3Interrupts:
    """Ctrl-C during a z3 search, heard as Ctrl-C: a caller must not get the best program so far
    as a timeout. Left to themselves, neither z3 nor Python delivers it where the search sees
    it: during a check z3 takes the signal and cancels the check, which answers `unknown` as a
    timeout does (and a check that finishes anyway loses it); between checks Python raises
    KeyboardInterrupt wherever the program is, often in a z3 object's `__del__`, where it is
    printed and dropped.

    So while a search runs in the main thread with Python's own handler in place, Ctrl-C is
    only noted, z3 is told to leave the signal alone (`ctrl_c` false), and a thread woken by
    the signal (`signal.set_wakeup_fd`) interrupts the check in progress, which then answers
    `unknown` with the reason "interrupted". The search raises KeyboardInterrupt at its next
    step (`check`) or on leaving. Elsewhere (a worker process, another thread) z3 keeps its own
    handling, and a check canceled with time left is taken for Ctrl-C."""

    def __init__(self, context: Any = None) -> None:
        self.context = context  # the z3 context the search runs in (None: z3's main context)
        self.noted = False
        self.installed = False
        self._previous: Any = None
        self._wakeup: tuple[int, int] | None = None  # (read, write) ends of the signal's pipe
        self._old_wakeup_fd = -1
        self._watcher: threading.Thread | None = None

    def __enter__(self) -> Z3Interrupts:
        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            read, write = os.pipe()
            try:
                os.set_blocking(write, False)
                self._old_wakeup_fd = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
            except (OSError, ValueError):  # Windows takes only a socket: z3 keeps Ctrl-C there
                os.close(read)
                os.close(write)
                return self
            self._wakeup = (read, write)
            self._previous = signal.signal(signal.SIGINT, self._note)
            self._watcher = threading.Thread(target=self._watch, args=(read,), daemon=True)
            self._watcher.start()
            self.installed = True
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, *tb: object
    ) -> None:
        if self.installed:
            signal.signal(signal.SIGINT, self._previous)
            signal.set_wakeup_fd(self._old_wakeup_fd)
            assert self._wakeup is not None and self._watcher is not None
            read, write = self._wakeup
            os.close(write)  # the watcher reads the end of the pipe and stops
            self._watcher.join()
            os.close(read)
        if self.noted and (exc is None or _z3_error(exc)):
            # an interrupt that came between checks cancels the z3 call running then (building
            # a constraint, reading a model), which raises a Z3Exception ("canceled", or "model
            # is not available" from a model read as a check ends): Ctrl-C too
            raise KeyboardInterrupt from None

    def _note(self, signum: int, frame: object) -> None:
        self.noted = True

    def _watch(self, read: int) -> None:
        import z3

        while data := os.read(read, 64):
            if signal.SIGINT in data:
                self.noted = True
                # thread-safe; a check in progress answers `unknown`. On a context canceled
                # already (an earlier Ctrl-C, or one z3 took) the wrapper reports that state as
                # an error, which this thread would print as "Exception in thread" under the
                # search's own KeyboardInterrupt
                with contextlib.suppress(z3.Z3Exception):
                    (self.context or z3.main_ctx()).interrupt()

    def check(self, deadline: float | None = None, *, canceled: bool = False) -> None:
        """Raise KeyboardInterrupt if Ctrl-C was noted, or if a check was canceled with time
        left (or with no time limit) while z3 kept its own handling: that was z3 taking it."""
        if self.noted:
            raise KeyboardInterrupt
        if (
            canceled
            and not self.installed
            and (deadline is None or time.perf_counter() < deadline - INTERRUPT_MARGIN_S)
        ):
            self.noted = True
            raise KeyboardInterrupt


def _z3_error(exc: BaseException) -> bool:
    """Whether `exc` is z3's: after Ctrl-C, whatever call `interrupt` cut short says so in its
    own words, and none of them is a fault of the search."""
    import z3

    return isinstance(exc, z3.Z3Exception)
