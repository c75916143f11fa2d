"""`xlogo repl`: write and step through Mini programs on a task, one command at a time.

The pieces, from the inside out: `session` (the state: task, program, trace cursor, undo),
`commands` (one input → a reply: code or a `:meta-command`), `render` (rich renderables of the
state), `completion` (what Tab offers), and `app` (the prompt_toolkit front end and the plain
stdin loop). Only `app` imports prompt_toolkit, and only the meta-commands that need them import
the solver and the checker, so the REPL starts fast.

The REPL holds no game logic: parsing, running and judging are the core's (`xlogo_lang`). It
never imports the CLI.
"""

from __future__ import annotations

from .commands import Reply, Shell
from .session import Session, Status, needs_more, playground

__all__ = ["Reply", "Session", "Shell", "Status", "needs_more", "playground"]
