"""The REPL's front ends: prompt_toolkit on a terminal, a plain line loop otherwise.

On a terminal, input goes through a `PromptSession` with the xlogo lexer for highlighting, the
completer, history in the user's state directory (platformdirs; `XLOGO_HISTORY` or `--history`
overrides it, `-` keeps none), a bottom toolbar with the status, and key bindings: Enter runs the
input unless a `{`/`[` is still open (then it continues on the next line, indented, and a `}`
typed there lines up with its block's head), Esc Enter runs it anyway, F8/F7 step
forward/back through the run, Ctrl-C cancels the input, Ctrl-D leaves. Output is printed with
rich between prompts.

When stdin or stdout is not a terminal the REPL reads lines (joining unbalanced ones) and prints
plain text, or one JSON object per input with `--json`. Both loops call the same `Shell`.

This module wires input and output only: every decision about programs is the session's and the
core's. It is imported only when `xlogo repl` runs (it pulls in prompt_toolkit).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.layout.processors import TabsProcessor
from prompt_toolkit.lexers import PygmentsLexer
from prompt_toolkit.output import Output
from prompt_toolkit.styles import Style, merge_styles, style_from_pygments_cls
from prompt_toolkit.utils import is_dumb_terminal
from pygments.lexer import bygroups, inherit
from pygments.token import Keyword, Text, Whitespace
from rich.console import Console
from rich.text import Text as RichText

from xlogo_lang.errors import UsageError
from xlogo_lang.files import json_line
from xlogo_lang.lexer import XlogoLexer, XlogoStyle

from .commands import Reply, Shell
from .completion import ReplCompleter
from .render import editor_toolbar, toolbar_text
from .session import Session, needs_more, python_block

HISTORY_ENV = "XLOGO_HISTORY"
WELCOME = "Type commands (fd rt repeat(3){fd}) to run them; :help lists the rest; Ctrl-D quits."


def welcome(session: Session) -> str:
    """The first words: how to start, and, in a playground opened on a directory (`xlogo repl
    DIR`), that no task is open yet and how to open one."""
    if session.playground and session.tasks_dir is not None:
        return (
            f"No task is open: :tasks lists the tasks of {session.tasks_dir}, :load ID opens "
            f"one.\n{WELCOME}"
        )
    return WELCOME


UI_STYLE = Style.from_dict(
    {
        "prompt": "bold #00d7d7",
        "continuation": "#6c6c6c",
        "bottom-toolbar": "noreverse bg:#303030 #d0d0d0",
        "pygments.keyword.pseudo": "bold #ffaf00",
        "pygments.text.meta": "#d0d0d0",
    }
)


class ReplLexer(XlogoLexer):
    """The language, plus `:meta-command arguments` at the start of the input."""

    name = "XLogo REPL input"
    aliases = []  # noqa: RUF012 (not a plugin of its own)
    filenames = []  # noqa: RUF012
    mimetypes = []  # noqa: RUF012

    tokens = {  # noqa: RUF012
        "root": [
            (r"^(\s*)(:\S*)(.*)", bygroups(Whitespace, Keyword.Pseudo, Text.Meta)),
            inherit,
        ]
    }


# -- history ---------------------------------------------------------------------------------


def history_path(option: str | None = None) -> Path | None:
    """Where history is kept: `--history`, else `$XLOGO_HISTORY`, else the user state dir.

    `-` (or an empty value) means no history file at all.
    """
    value = option if option is not None else os.environ.get(HISTORY_ENV)
    if value is not None:
        return None if value in ("", "-") else Path(value).expanduser()
    from platformdirs import user_state_path

    return user_state_path("xlogo", appauthor=False) / "repl_history"


def make_history(path: Path | None) -> History:
    """A history kept in `path`, or in memory when the file cannot be read and appended to.

    The check comes first: prompt_toolkit opens the file inside its event loop, where a
    folder or an unreadable file is a traceback, and a read-only home must not stop the REPL."""
    if path is None:
        return InMemoryHistory()
    if path.exists() and not path.is_file():  # a folder, or a FIFO that would block the open
        return InMemoryHistory()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab"), path.open("rb"):
            pass
    except OSError:
        return InMemoryHistory()
    return FileHistory(str(path))


# -- key bindings ----------------------------------------------------------------------------


def indent_after(text: str) -> str:
    """Indentation for a new line: two spaces per open bracket; in the Python-style form, the
    last line's, four spaces deeper after a header (`def Run():`)."""
    last = text.rsplit("\n", 1)[-1]
    if python_block(text):
        lead = last[: len(last) - len(last.lstrip())]
        return lead + "    " if last.rstrip().endswith(":") else lead
    depth = sum(text.count(c) for c in "{[") - sum(text.count(c) for c in "}]")
    return "  " * max(depth, 0)


def _close_block(kb: KeyBindings) -> None:
    """`}` or `]` typed on a line of indentation alone takes one level of it back, so the
    bracket lines up with the head of the block it closes (`repeat(3){` ... `}`)."""

    @kb.add("}")
    @kb.add("]")
    def _close(event: KeyPressEvent) -> None:
        buf = event.current_buffer
        line = buf.document.current_line_before_cursor
        if line and not line.strip(" ") and not python_block(buf.text):
            buf.delete_before_cursor(min(2, len(line)))
        buf.insert_text(event.data)


def key_bindings() -> KeyBindings:
    kb = KeyBindings()
    _close_block(kb)

    @kb.add("enter")
    def _enter(event: KeyPressEvent) -> None:
        buf = event.current_buffer
        state = buf.complete_state
        if state is not None and state.current_completion is not None:
            buf.apply_completion(state.current_completion)
            return
        if needs_more(buf.text) and buf.cursor_position == len(buf.text):
            buf.insert_text("\n" + indent_after(buf.text))
            return
        buf.validate_and_handle()

    @kb.add("escape", "enter")
    def _force(event: KeyPressEvent) -> None:
        event.current_buffer.validate_and_handle()

    def _meta_key(command: str) -> Any:
        def handler(event: KeyPressEvent) -> None:
            if not event.current_buffer.text:
                # the command is the prompt's answer, not an accepted line: it stays out of the
                # history, which holds what the user typed
                event.app.exit(result=command)

        return handler

    kb.add("f8")(_meta_key(":step"))
    kb.add("f7")(_meta_key(":back"))
    return kb


def editor_key_bindings() -> KeyBindings:
    kb = KeyBindings()
    _close_block(kb)

    @kb.add("enter")
    def _newline(event: KeyPressEvent) -> None:
        buf = event.current_buffer
        buf.insert_text("\n" + indent_after(buf.document.text_before_cursor))

    @kb.add("escape", "enter")
    def _accept(event: KeyPressEvent) -> None:
        event.current_buffer.validate_and_handle()

    return kb


# -- the terminal loop -----------------------------------------------------------------------


def show(console: Console, reply: Reply) -> None:
    for item in reply.out:
        console.print(item)


def _continuation(width: int, line_number: int, is_soft_wrap: bool) -> FormattedText:
    return FormattedText([("class:continuation", "." * (width - 1) + " ")])


def run_interactive(
    shell: Shell,
    console: Console,
    *,
    history: History | None = None,
    input: Input | None = None,
    output: Output | None = None,
) -> int:
    """The prompt_toolkit REPL: prompt, handle, print, until :quit or Ctrl-D."""
    style = merge_styles([style_from_pygments_cls(XlogoStyle), UI_STYLE])
    common: dict[str, Any] = {
        "lexer": PygmentsLexer(ReplLexer),
        "completer": ReplCompleter(shell),
        "complete_while_typing": True,
        "multiline": True,
        "prompt_continuation": _continuation,
        # a pasted tab is shown as the indentation it is, not as prompt_toolkit's `^I`
        "input_processors": [TabsProcessor(tabstop=2, char1=" ", char2=" ")],
        "style": style,
        "include_default_pygments_style": False,
        "input": input,
        "output": output,
    }
    session: PromptSession[str] = PromptSession(
        history=history or InMemoryHistory(),
        auto_suggest=AutoSuggestFromHistory(),
        key_bindings=key_bindings(),
        bottom_toolbar=lambda: " " + toolbar_text(shell.session.status(), console.width - 2) + " ",
        **common,
    )
    # The editor has its own session, so whole programs do not land in the input history.
    editor: PromptSession[str] = PromptSession(
        key_bindings=editor_key_bindings(),
        bottom_toolbar=lambda: " " + editor_toolbar(console.width - 2) + " ",
        **common,
    )

    def edit(text: str) -> str | None:
        if output is None and is_dumb_terminal():
            # prompt_toolkit's dumb-terminal prompt shows no default text: the learner would
            # type after a program they cannot see
            raise UsageError(
                ":edit needs a terminal that can redraw (TERM=dumb cannot)",
                hint="type code, or use :run FILE",
            )
        try:
            message = FormattedText([("class:prompt", "edit> ")])
            return editor.prompt(message, default=text.rstrip("\n"))
        except (KeyboardInterrupt, EOFError):
            return None

    shell.editor = edit
    show(console, shell.handle(":show"))
    console.print(RichText(welcome(shell.session), style="dim"))
    while True:
        label = "xlogo" if shell.session.playground else shell.session.task.id
        try:
            text = session.prompt(FormattedText([("class:prompt", f"{label}> ")]))
        except KeyboardInterrupt:
            continue  # Ctrl-C: drop this input, ask again
        except EOFError:
            break  # Ctrl-D
        try:
            if shell.is_slow(text):
                with console.status("searching… (Ctrl-C stops)", spinner="dots"):
                    reply = shell.handle(text)
            else:
                reply = shell.handle(text)
        except KeyboardInterrupt:
            console.print(RichText("interrupted", style="yellow"))
            continue
        except Exception as exc:  # a bug, not bad input: say so, and keep the session alive
            message = f"internal error: {type(exc).__name__}: {exc}"
            console.print(RichText(message, style="bold red"))
            continue
        try:
            show(console, reply)
        except KeyboardInterrupt:  # a long listing on a slow terminal: stop it, keep the session
            console.print(RichText("\ninterrupted", style="yellow"))
        if reply.quit:
            break
    return 0


# -- the plain loop --------------------------------------------------------------------------


# the plain loop looks for a mistake in an open block up to this length (`needs_more`)
CHECKED_CHARS = 2_000


class _Typing:
    """What the plain loop's prompt needs to know of the input being typed."""

    open = False  # a block is open: the next line continues it


def read_inputs(lines: Iterable[str | None], typing: _Typing | None = None) -> Iterable[str]:
    """Join lines into inputs: a line with an open `{`/`[` continues on the next one. A None
    (Ctrl-C at the prompt) drops the input being typed, an open block included; a meta-command
    (`:quit`) never continues one: the unclosed block goes to the parser, which says so."""
    typing = typing or _Typing()
    buf = ""
    for line in lines:
        if line is None:
            buf = ""
        elif buf and line.lstrip().startswith(":"):
            yield buf
            buf = ""
            yield line
        else:
            buf += line
            # the line just ended, as the app sees it
            if not needs_more(buf.removesuffix("\n"), checked_chars=CHECKED_CHARS):
                yield buf
                buf = ""
        typing.open = bool(buf)
    if buf.strip():
        yield buf  # unfinished at the end: the parser reports it


def _lines(stream: IO[str], *, prompt: bool, typing: _Typing | None = None) -> Iterable[str | None]:
    """Lines of `stream`; on a terminal, with a short prompt on stderr before each (`... ` while
    a block is open), where Ctrl-C drops the input being typed (as in the full REPL), a None to
    `read_inputs`, instead of ending the session."""
    while True:
        try:  # the prompt too: a Ctrl-C just before the read must not end the session
            if prompt:
                sys.stderr.write("... " if typing is not None and typing.open else "> ")
                sys.stderr.flush()
            line = stream.readline()
        except KeyboardInterrupt:
            if not prompt:
                raise
            sys.stderr.write("\n")
            yield None
            continue
        if not line:
            return
        yield line


def run_plain(
    shell: Shell,
    console: Console,
    stream: IO[str],
    *,
    json_mode: bool = False,
    out: IO[str] | None = None,
) -> int:
    """Read inputs from `stream`; print each reply (rich text, or one JSON object per line)."""
    out = out or sys.stdout
    if not json_mode:
        show(console, shell.handle(":show"))
    typing = _Typing()
    terminal = stream.isatty()
    for text in read_inputs(_lines(stream, prompt=terminal, typing=typing), typing):
        try:
            reply = shell.handle(text)
            if json_mode:
                out.write(json_line(reply.data))
                out.flush()
            else:
                show(console, reply)
        except KeyboardInterrupt:
            if not terminal:  # a script's run: Ctrl-C ends it
                break
            # at a terminal, as in the full REPL: stop this input's work, keep the session
            sys.stderr.write("\ninterrupted\n")
            continue
        if reply.quit:
            break
    return 0
