"""What Tab offers in the REPL: commands, pen colours, meta-commands, files and task ids.

* In code: the six commands (`setpc(` and `repeat(` come with their parenthesis), and the pen
  colours right after `setpc(`, `setpc ` or `setpc("`.
* After a `:` at the start of the input: the meta-command names, with their help as meta text.
* After `:load`, `:run` and `:save`: file paths; after `:load` also the task ids of the session's
  task directory; after `:solve`, the solver's engines; after `:help`, the meta-command names.
  A command named by a short name or a prefix (`:l 8`) completes as its full name does.

The completer reads the session (for the task directory) but never changes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from prompt_toolkit.completion import CompleteEvent, Completer, Completion, PathCompleter
from prompt_toolkit.document import Document

from xlogo_lang.ast import PEN_COLORS
from xlogo_lang.errors import UsageError, XlogoError
from xlogo_lang.tasks import task_ids

from .commands import META, Shell, lookup

CODE_WORDS = {
    "fd": "move forward",
    "bk": "move back",
    "lt": "turn left",
    "rt": "turn right",
    "setpc(": "set the pen colour",
    "repeat(": "repeat a block n times",
}
_WORD = re.compile(r"[A-Za-z_]*$")
_AFTER_SETPC = re.compile(r"setpc\s*(\(\s*)?([\"']?)([A-Za-z]*)$", re.IGNORECASE)


class ReplCompleter(Completer):
    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        self.paths = PathCompleter(expanduser=True)
        self._ids: tuple[Path | None, list[str]] = (None, [])

    def get_completions(self, document: Document, event: CompleteEvent) -> Iterable[Completion]:
        before = document.text_before_cursor
        if before.lstrip().startswith(":"):
            yield from self._meta(before.lstrip()[1:], event)
        else:
            yield from self._code(before, document.text_after_cursor)

    # -- code ----------------------------------------------------------------------------------

    def _code(self, before: str, after: str = "") -> Iterable[Completion]:
        m = _AFTER_SETPC.search(before)
        if m is not None:
            paren, quote, typed = m.groups()
            # close what was opened (`setpc("g` -> `setpc("green")`), unless it already is
            close = quote + (")" if paren else "")
            if after.startswith(close):
                close = ""
            for c in PEN_COLORS:
                if c.startswith(typed.lower()):
                    yield Completion(c + close, -len(typed), display=c, display_meta="pen colour")
            return
        word = _WORD.search(before).group(0)  # type: ignore[union-attr]
        if not word:
            return
        for w, what in CODE_WORDS.items():
            if w.startswith(word.lower()) and w != word.lower():
                yield Completion(w, -len(word), display=w.rstrip("("), display_meta=what)

    # -- meta-commands -------------------------------------------------------------------------

    def _meta(self, text: str, event: CompleteEvent) -> Iterable[Completion]:
        name, space, arg = text.partition(" ")
        if not space:
            for candidate in META.values():
                if candidate.name.startswith(name.lower()):
                    yield Completion(
                        candidate.name,
                        -len(name),
                        display=f":{candidate.name}",
                        display_meta=candidate.help,
                    )
            return
        try:  # the command as `handle` reads it: `:l 8` is `:load 8`, `:h s` is `:help s`
            cmd = lookup(name)
        except UsageError:
            return
        arg = arg.lstrip()
        if cmd.name == "help":
            for other in META:
                if other.startswith(arg):
                    yield Completion(other, -len(arg))
            return
        if cmd.name == "solve":
            yield from self._engines(arg)
        if cmd.name == "load":
            yield from self._task_ids(arg)
        if cmd.paths:
            sub = Document(arg, len(arg))
            for c in self.paths.get_completions(sub, event):
                # prompt_toolkit shows a folder with its "/" but inserts the name alone, so the
                # next name typed ran into it (`../work` + `p1.xlogo`): insert the "/" too
                if c.display_text.endswith("/") and not c.text.endswith("/"):
                    c = Completion(c.text + "/", c.start_position, c.display, c.display_meta)
                yield c

    def _engines(self, arg: str) -> Iterable[Completion]:
        from xlogo_lang.solver import ENGINES  # light: the engines load when used

        for engine in ENGINES:
            if engine.startswith(arg):
                yield Completion(engine, -len(arg), display_meta="solver engine")

    def _task_ids(self, arg: str) -> Iterable[Completion]:
        if "/" in arg:
            return
        d = self.shell.session.tasks_dir
        if d is None:
            return
        if self._ids[0] != d:
            try:
                self._ids = (d, task_ids(d))
            except (OSError, XlogoError):
                self._ids = (d, [])
        for tid in self._ids[1]:
            if tid.startswith(arg):
                yield Completion(tid, -len(arg), display_meta="task")
