"""One input at a time: code to append, or a `:meta-command`; each gives a `Reply`.

`Shell.handle(text)` is the whole REPL minus the terminal: it changes the `Session`, and returns
what to show people (rich renderables) and what to give machines (a JSON-able dict). The
prompt_toolkit app, the plain stdin loop and the tests all drive it the same way, so every
behaviour can be tested without a terminal.

Meta-commands are registered with `@meta` and listed by `:help` in registration order. A
meta-command name may be shortened to any unique prefix (`:u` is `:undo`).

Bad input never escapes as an exception: an `XlogoError` becomes an error reply and leaves the
session as it was. The solver and the checker are imported only when `:solve`, `:hint` or
`:check` run, so starting the REPL never pays for them. This module never prompts or prints
itself (`:edit` calls the editor function it is given).
"""

from __future__ import annotations

import difflib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from xlogo_lang.ast import Program, Repeat
from xlogo_lang.codejson import to_json
from xlogo_lang.errors import (
    ParseError,
    ProgramError,
    TaskError,
    UsageError,
    XlogoError,
    counted,
    fit_excerpt,
)
from xlogo_lang.files import write_whole
from xlogo_lang.interpreter import MAX_CALLS
from xlogo_lang.parser import parse
from xlogo_lang.printer import to_compact, to_text
from xlogo_lang.program_files import looks_like_task, read_program_file
from xlogo_lang.tasks import load_task, task_ids
from xlogo_lang.verdict import run
from xlogo_lang.view import legend

from . import render
from .session import Session

if TYPE_CHECKING:  # the solver is imported only when a search is asked for (start-up time)
    from xlogo_lang.solver.solution import Solution

Editor = Callable[[str], "str | None"]


@dataclass
class Reply:
    """What one input produced: renderables for people, a dict for machines."""

    out: list[RenderableType] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    ok: bool = True
    quit: bool = False


Handler = Callable[["Shell", str], Reply]


@dataclass(frozen=True)
class MetaCommand:
    name: str
    usage: str  # the argument, e.g. "TASK|ID" ("" when it takes none)
    help: str
    func: Handler
    paths: bool = False  # the argument is a file path (for completion)
    slow: bool = False  # may take seconds (the front end shows that it is working)


META: dict[str, MetaCommand] = {}
ALIASES = {"q": "quit", "exit": "quit", "?": "help", "h": "help", "s": "step", "b": "back"}


def meta(
    name: str, usage: str = "", *, paths: bool = False, slow: bool = False
) -> Callable[[Handler], Handler]:
    """Register a meta-command; its docstring's first line is its `:help` text."""

    def deco(func: Handler) -> Handler:
        doc = (func.__doc__ or "").strip().splitlines()
        META[name] = MetaCommand(name, usage, doc[0] if doc else "", func, paths, slow)
        return func

    return deco


def lookup(name: str) -> MetaCommand:
    """The meta-command called `name`, an alias, or a unique prefix of one."""
    name = name.lower()
    name = ALIASES.get(name, name)
    if name in META:
        return META[name]
    matches = [n for n in META if n.startswith(name)] if name else []
    if len(matches) == 1:
        return META[matches[0]]
    if len(matches) > 1:
        raise UsageError(f"':{name}' is ambiguous: " + ", ".join(f":{m}" for m in matches))
    close = difflib.get_close_matches(name, list(META), n=1)
    hint = ":help lists the commands"
    if close:
        hint = f"did you mean :{close[0]}? ({hint})"
    raise UsageError(f"unknown command ':{name}'", hint=hint)


class Shell:
    """Handles inputs for one session; the front end shows the replies."""

    def __init__(
        self,
        session: Session,
        *,
        editor: Editor | None = None,
        width: Callable[[], int] = lambda: 80,
        solve_timeout: float | None = 30.0,
        hint_timeout: float = 5.0,
    ) -> None:
        self.session = session
        self.editor = editor
        self.width = width
        self.solve_timeout = solve_timeout
        self.hint_timeout = hint_timeout
        # (task, engine, solutions, cut short by a hint's budget)
        self._shortest: tuple[object, str, Solution, bool] | None = None
        # files `:save` may replace without asking: the one the program came from (`:run`) or
        # was last saved to since its task was opened, and one the previous input was refused
        # (typing it again confirms)
        self._own_file: Path | None = None
        self._confirmed: Path | None = None
        self._asked: Path | None = None

    def shortest(self, engine: str = "enum", budget: float | None = None) -> Solution:
        """The task's shortest solutions (up to 50), searched once per task and engine: the
        task does not change while a learner edits, and a search can take `solve_timeout`.

        A hint needs *a* solution, not a proof (task 64 takes 30 s to prove): with a `budget`
        below `solve_timeout` the search stops then, with the best program it found so far
        (the probe's, found in under a second). That answer serves later hints, but `:solve`
        (no budget) searches again in full."""
        task = self.session.task
        limit = self.solve_timeout
        if budget is not None and (limit is None or budget < limit):
            limit = budget
        memo = self._shortest
        if memo is not None and memo[0] is task and memo[1] == engine:
            sol, cut = memo[2], memo[3]
            if not cut or budget is not None:
                return sol
        sol = _solver().solve(task, engine=engine, timeout=limit, all_solutions=True, limit=50)
        cut = sol.status == "timeout" and limit != self.solve_timeout
        self._shortest = (task, engine, sol, cut)
        return sol

    def is_slow(self, text: str) -> bool:
        """Will this input run a search (so the front end should show it is working)?"""
        stripped = text.strip()
        if not stripped.startswith(":"):
            return False
        try:
            return lookup(stripped[1:].split(" ", 1)[0]).slow
        except UsageError:
            return False

    def handle(self, text: str) -> Reply:
        stripped = text.strip()
        self._confirmed, self._asked = self._asked, None  # a confirmation is the next input
        if not stripped:
            reply = Reply()
        elif stripped.startswith(":"):
            parts = stripped[1:].split(None, 1)  # a tab separates as a space does
            name = parts[0] if parts else ""
            arg = parts[1].strip() if len(parts) > 1 else ""
            try:
                cmd = lookup(name)
                if arg and not cmd.usage:  # `:reset all` would reset, `:quit now` quit
                    raise UsageError(f":{cmd.name} takes no argument", hint=f"type :{cmd.name}")
                reply = cmd.func(self, arg)
            except XlogoError as exc:
                reply = self.error(exc)
        else:
            try:
                added = self.session.feed(text)
            except XlogoError as exc:
                reply = self.error(_colon_forgotten(stripped, exc))
            else:
                reply = self.board()
                reply.data["added"] = to_compact(Program(added))
        reply.data = {"input": text, "ok": reply.ok, **reply.data}
        if not reply.quit:
            reply.data["state"] = self.session.to_dict()
        return reply

    # -- reply builders ------------------------------------------------------------------------

    def board(self, *notes: RenderableType) -> Reply:
        return Reply([*notes, render.board(self.session, self.width())])

    def error(self, exc: XlogoError) -> Reply:
        """The error as `str(exc)` shows it, with the caret excerpt cut to the terminal."""
        head = Text("error: ", style="bold red")
        head.append(f"{exc.location}: {exc.message}" if exc.location else exc.message)
        out: list[RenderableType] = [head]
        if exc.excerpt:  # cut around the caret to the terminal: wrapped, it points amiss
            out.append(Text(fit_excerpt(exc.excerpt, self.width() - 1)))
        if exc.hint:
            out.append(Text(f"hint: {exc.hint}", style="cyan"))
        if isinstance(exc, ProgramError):
            out.append(Text("(nothing was changed)", style="dim"))
        return Reply(out, {"error": {**exc.to_dict(), "text": str(exc)}}, ok=False)

    def note(self, message: str, **data: Any) -> Reply:
        return Reply([Text(message, style="dim")], dict(data))

    # -- helpers -------------------------------------------------------------------------------

    def _read_program(self, arg: str) -> tuple[Program, str]:
        if not arg:
            raise UsageError("usage: :run FILE")
        path = Path(arg).expanduser()
        # read as `xlogo run` reads it (capped, UTF-8), but only from a regular file: a named
        # pipe would wait for a writer, and no one types `:run <(cmd)`
        text = read_program_file(path, regular_only=True)
        if looks_like_task(text):
            raise UsageError(
                "this looks like a task file, not a program",
                file=str(path),
                hint=f":load {arg} opens it",
            )
        return parse(text, filename=str(path)), str(path)


_BARE_META = re.compile(r"([A-Za-z]+|\?)(?:\(\))?(\s.*)?", re.DOTALL)


def _colon_forgotten(text: str, exc: XlogoError) -> XlogoError:
    """A meta-command typed without its colon (`help`, `quit()`, `load 87`), as one would in
    another REPL, is no code: its error says how to type it, where the parser's hint listed
    the turtle's commands."""
    m = _BARE_META.fullmatch(text)
    if m is None or not isinstance(exc, ParseError) or (exc.line, exc.column) != (1, 1):
        return exc
    word, rest = m.group(1), m.group(2) or ""
    if ALIASES.get(word.lower(), word.lower()) in META:
        exc.hint = f"meta-commands start with a colon: type :{word}{rest}"
    return exc


def _solver() -> Any:
    from xlogo_lang import solver  # the solver ships with the package; imported when used

    return solver


# -- the meta-commands, in `:help` order ------------------------------------------------------


@meta("help", "[COMMAND]")
def _help(shell: Shell, arg: str) -> Reply:
    """List the commands (or explain one)."""
    if arg:
        cmd = lookup(arg.lstrip(":"))
        return Reply([Text.assemble((f":{cmd.name} {cmd.usage}".rstrip(), "bold"), "  ", cmd.help)])
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(no_wrap=True, style="bold")
    table.add_column()
    for cmd in META.values():
        about = cmd.help
        if cmd.name == "edit" and shell.editor is None:  # listed, as :help edit explains it
            about += " Not here: it needs the line editor (a terminal, without --plain)."
        table.add_row(f":{cmd.name} {cmd.usage}".rstrip(), about)
    short = ", ".join(f":{a} = :{n}" for a, n in ALIASES.items())
    if shell.editor is not None:  # the line editor's keys
        keys = (
            "Tab completes; F8/F7 step the run forward/back; Esc Enter runs an open block; "
            "↑/↓ history, Ctrl-C cancels the input, Ctrl-D quits."
        )
    else:  # the plain loop (--plain, --json, piped input) reads lines: no keys of its own
        keys = "Ctrl-C drops the input being typed, Ctrl-D quits."
    code = Text.assemble(
        (f"Short names: {short}; any unique prefix works too.\n", "dim"),
        ("Type code to run it at once: ", "dim"),
        render.highlight_text("fd bk lt rt setpc(red) repeat(3){fd rt}"),
        ("\nAn open { or [ (a def/for block: up to an empty line) ", "dim"),
        ("continues on the next line. ", "dim"),
        (keys, "dim"),
    )
    return Reply([table, code], {"commands": [c.name for c in META.values()]})


@meta("load", "TASK|ID", paths=True)
def _load(shell: Shell, arg: str) -> Reply:
    """Open a task file, a task directory, or task ID of the current directory."""
    s = shell.session
    if not arg:
        raise UsageError("usage: :load TASK|ID (a task file, a directory, or an id)")
    first, rest = arg, ""
    if not Path(arg).expanduser().exists():  # a path may hold spaces; else `DIR ID` or `ID`
        first, _, rest = arg.partition(" ")
    path = Path(first).expanduser()
    if path.is_dir():
        if rest.strip():
            task = load_task(path, rest.strip())
            s.load(task, pinned_dir=path)
            shell._own_file = None  # the old task's program went with it
            return shell.board()
        ids = task_ids(path)
        if not ids:
            raise TaskError("no tasks in this directory", file=str(path))
        s.pin_dir(path)
        message = f"{len(ids)} tasks in {path}: :tasks lists them, :load ID opens one"
        return shell.note(message, tasks=ids)
    if path.is_file():
        task = load_task(path)
    elif "/" in first or first.endswith(".json"):
        raise TaskError("no such file or directory", file=str(path))
    else:
        d = s.tasks_dir
        if d is None:
            raise UsageError(
                f"no task directory to look up {first!r} in",
                hint="give a file or directory (:load tasks/87.json), or start with --tasks DIR",
            )
        task = load_task(d, first)
    s.load(task)
    shell._own_file = None  # the old task's program went with it
    return shell.board()


@meta("tasks")
def _tasks(shell: Shell, arg: str) -> Reply:
    """List the tasks of the current directory with their goals."""
    d = shell.session.tasks_dir
    if d is None:
        raise UsageError("no task directory", hint="use :load DIR, or start with --tasks DIR")
    rows = []
    for tid in task_ids(d):
        try:
            task = load_task(d, tid)
        except TaskError as exc:
            rows.append((tid, "error", exc.message))
        else:
            rows.append((tid, task.kind, task.description))
    data = [{"id": t, "kind": k, "goal": g} for t, k, g in rows]
    head = Text(f"{len(rows)} tasks in {d}", style="dim")
    return Reply([head, render.tasks_table(rows, current=shell.session.task.id)], {"tasks": data})


@meta("reset")
def _reset(shell: Shell, arg: str) -> Reply:
    """Clear the program (:undo brings it back)."""
    shell.session.reset()
    return shell.board()


@meta("undo")
def _undo(shell: Shell, arg: str) -> Reply:
    """Take back the last change (an input, :reset, :edit, :run, :load)."""
    if not shell.session.undo():
        return shell.note("nothing to undo")
    return shell.board()


@meta("program")
def _program(shell: Shell, arg: str) -> Reply:
    """Show the whole program in canonical form."""
    s = shell.session
    return Reply([render.program_text(s.source)], {"program": s.source})


@meta("edit")
def _edit(shell: Shell, arg: str) -> Reply:
    """Edit the whole program in a multi-line editor; it runs when you accept (Esc Enter)."""
    s = shell.session
    if shell.editor is None:
        # said of --plain on a terminal too, where "needs a terminal" read as nonsense
        raise UsageError(
            ":edit needs the line editor, which runs on a terminal without --plain or --json",
            hint="type code, or use :run FILE",
        )
    draft = s.draft[1] if s.draft is not None and s.draft[0] == s.program else None
    new = shell.editor(draft if draft is not None else s.source)
    if new is None:
        return shell.note("edit cancelled; nothing was changed")
    try:
        prog = parse(new, filename="<edit>")
    except ParseError as exc:
        s.draft = (s.program, new)
        reply = shell.error(exc)
        reply.out.append(Text("your text is kept: :edit again to fix it", style="dim"))
        return reply
    s.draft = None
    if prog == s.program:
        return shell.note("no change")
    s.replace(prog)
    return shell.board()


@meta("step")
def _step(shell: Shell, arg: str) -> Reply:
    """Walk the run one command forward (from the end: start at the first)."""
    s = shell.session
    if not s.steps:
        return _no_trace(shell)
    before = s.cursor
    s.step()
    if before is not None and before == s.position:
        return shell.board(Text("at the end of the run (:goto 0 starts over)", style="dim"))
    return shell.board()


@meta("back")
def _back(shell: Shell, arg: str) -> Reply:
    """Walk the run one command back."""
    s = shell.session
    if not s.steps:
        return _no_trace(shell)
    if s.position == 0:
        return shell.board(Text("at the start of the run", style="dim"))
    s.back()
    return shell.board()


@meta("goto", "N|end")
def _goto(shell: Shell, arg: str) -> Reply:
    """Show the state after N steps of the run (0 = the start; :goto end for all)."""
    s = shell.session
    if arg.lower() in ("end", "$"):
        s.follow()
        return shell.board()
    if not s.steps:
        return _no_trace(shell)
    usage = f"usage: :goto N|end, with N a step number (0..{len(s.steps)})"
    try:
        n = int(arg)
    except ValueError:
        raise UsageError(usage) from None
    if not 0 <= n <= len(s.steps):  # no silent clamping: a step that does not exist is a slip
        raise UsageError(usage)
    s.goto(n)
    return shell.board()


def _no_trace(shell: Shell) -> Reply:
    s = shell.session
    if s.execution.truncated:
        return shell.note(f"this run is too long to walk through (over {MAX_CALLS:,} commands)")
    return shell.note("nothing to walk through yet: type some commands")


@meta("run", "FILE", paths=True)
def _run(shell: Shell, arg: str) -> Reply:
    """Replace the program by the one in FILE (text or code JSON) and run it."""
    prog, name = shell._read_program(arg)
    shell.session.replace(prog)
    shell._own_file = Path(name).resolve()
    return shell.board(Text(f"loaded {name}", style="dim"))


@meta("save", "FILE", paths=True)
def _save(shell: Shell, arg: str) -> Reply:
    """Write the program to FILE (canonical text, or code JSON for *.json)."""
    if not arg:
        raise UsageError("usage: :save FILE")
    path = Path(arg).expanduser()
    resolved = path.resolve()
    if path.exists() and not path.is_dir() and resolved not in (shell._own_file, shell._confirmed):
        # another file of the learner's (or a teacher's task) is not lost to a slip of the name
        shell._asked = resolved
        raise UsageError(f"{path} exists", hint=f"type :save {arg} again to replace it")
    s = shell.session
    text = json.dumps(to_json(s.program), indent=2) + "\n" if path.suffix == ".json" else s.source
    write_whole(path, text.encode("utf-8"))  # a failed write leaves the old file whole
    shell._own_file = resolved
    return shell.note(f"saved {counted(len(s.program), 'block')} to {path}", file=str(path))


@meta("check")
def _check(shell: Shell, arg: str) -> Reply:
    """Static diagnostics for the program, labelled as `xlogo check` labels them."""
    from xlogo_lang.checker import check

    s = shell.session
    name = "<session>"
    diagnostics = check(s.source, task=s.task, filename=name)
    if not diagnostics:
        return Reply([Text("✓ no problems found", style="green")], {"diagnostics": []})
    out: list[RenderableType] = []
    for d in diagnostics:
        style = "red" if d.severity == "error" else "yellow"
        label = Text.assemble((d.severity, style), " ", (f"[{d.rule}]", "dim"), " ")
        out.append(label + Text(d.render(s.source, name)))
    return Reply(out, {"diagnostics": [d.to_dict() for d in diagnostics]}, ok=False)


@meta("solve", "[ENGINE]", slow=True)
def _solve(shell: Shell, arg: str) -> Reply:
    """The shortest solution, from the solver, shown as a diff against your program."""
    s = shell.session
    if s.playground:
        return shell.note("the playground has no goal, so there is nothing to solve", solution=None)
    sol = shell.shortest(arg or "enum")
    message = sol.message
    if sol.program is None:
        data: dict[str, object] = {"status": sol.status, "solution": None, "message": message}
        return Reply([Text(message, style="yellow")], data, ok=False)
    from xlogo_lang.solver.hints import closest
    from xlogo_lang.solver.search_space import OutOfTime

    try:  # the smallest diff to show, chosen in the hint's time (a huge program takes seconds)
        deadline = time.perf_counter() + shell.hint_timeout
        best = closest(sol.programs or [sol.program], s.program, deadline)
    except OutOfTime:
        best = sol.program
    text = to_text(best)
    head = Text(message, style="bold green" if sol.proved_minimal else "bold yellow")
    if not run(s.task, best).solved:  # the solver and the core must agree
        head.append("  warning: the core does not accept it", style="bold red")
    data = {
        "status": sol.status,
        "solution": text,
        "size": len(best),
        "proved_minimal": sol.proved_minimal,
        "message": message,
    }
    return Reply([head, render.diff_text(s.source, text)], data)


@meta("hint", slow=True)
def _hint(shell: Shell, arg: str) -> Reply:
    """The next command of the nearest solution."""
    s = shell.session
    if s.verdict.solved and not s.playground:
        return shell.note("already solved!", hint=None)
    if s.playground:
        return shell.note("the playground has no goal, so there is nothing to hint at", hint=None)
    # a solution, not a proof: the shortest solutions searched within the hint's budget, and
    # the repair given as much (so a hint takes at most about twice `hint_timeout`)
    shortest = shell.shortest(budget=shell.hint_timeout)
    near = _solver().nearest_solution(s.task, s.program, shortest, timeout=shell.hint_timeout)
    if near.program is None:
        message = Text("no solution found near your program", style="yellow")
        if near.found_by == "timeout":  # a program far longer than any solution
            message = Text(
                f"no hint within {shell.hint_timeout:g} s: your program has {len(s.program):,} "
                "blocks, too many to compare with the solutions in that time (:solve shows one)",
                style="yellow",
            )
        return Reply([message], {"hint": None, "found_by": near.found_by}, ok=False)
    if near.edits:
        hint, data = edit_hint(s.program, near.edits[0])
        # what is typed goes at the end: "start with: fd" typed as `fd` made it worse
        if shell.editor is not None:
            how = "(:edit changes the program; what you type is added at its end)"
        else:  # the plain loop has no editor
            how = "(what you type is added at the end: :reset, then type the program changed)"
        out: list[RenderableType] = [hint, Text(how, style="dim")]
    else:
        hint, data = next_command(s.program, near.program)
        out = [hint]
    data["solution"] = to_compact(near.program)
    data["found_by"] = near.found_by
    return Reply(out, data)


def edit_hint(current: Program, edit: Any) -> tuple[Text, dict[str, Any]]:
    """The first edit towards a solution (`solver.edits.Edit`, listed in the order to make
    them, so its path is a place in `current`) in words, by the lines of `current`'s canonical
    text, as the listing numbers them: it can point inside a repeat (`line 5: change rt to lt`)
    or ask to put lines in a new one (`put lines 1-4 in repeat(3){...}`)."""
    spans = _line_spans(current.body)
    path, n = tuple(edit.path), len(edit.path)
    if edit.op == "delete":
        first = spans[path][0]
        keep = " (keep its body)" if edit.before.startswith("repeat") else ""
        words = f"remove line {first}: {edit.before}{keep}"
    elif edit.op != "insert":
        words = f"line {spans[path][0]}: change {edit.before} to {edit.after}"
    elif edit.wraps:
        last = (*path[:-1], path[-1] + edit.wraps - 1)
        lines = f"lines {spans[path][0]}-{spans[last][1]}"
        if spans[path][0] == spans[last][1]:
            lines = f"line {spans[path][0]}"
        words = f"put {lines} in {edit.after}{{...}}"
    else:
        new = edit.after + ("{}" if edit.after.startswith("repeat") else "")
        before = (*path[:-1], path[-1] - 1)
        if path[-1] == 0 and n == 1:
            words = f"start with: {new}"
        elif path[-1] == 0:
            words = f"at the start of the repeat on line {spans[path[:-1]][0]}, add: {new}"
        elif path in spans:
            words = f"before line {spans[path][0]}, add: {new}"
        else:
            words = f"after line {spans[before][1]}, add: {new}"
    return Text(words, style="bold"), {"hint": words, "next": None}


def _line_spans(blocks: tuple[Any, ...]) -> dict[tuple[int, ...], tuple[int, int]]:
    """The first and last line of every block (by its path) in the canonical text, where a
    repeat takes a line for its head, its body's lines and a line for its closing brace."""
    spans: dict[tuple[int, ...], tuple[int, int]] = {}

    def walk(body: tuple[Any, ...], path: tuple[int, ...], line: int) -> int:
        for k, block in enumerate(body):
            here, first = (*path, k), line
            if isinstance(block, Repeat):
                line = walk(block.body, here, line + 1) + 1
            else:
                line += 1
            spans[here] = (first, line - 1)
        return line

    walk(blocks, (), 1)
    return spans


def next_command(current: Program, target: Program) -> tuple[Text, dict[str, Any]]:
    """The hint when `current` starts `target`: the next command, which the learner can type
    as it is (`data["next"]`)."""
    block = to_compact(Program(target.body[len(current.body) : len(current.body) + 1]))
    text = Text("next: ", style="bold")
    text.append_text(render.highlight_text(block))
    return text, {"hint": f"next: {block}", "next": block}


@meta("show")
def _show(shell: Shell, arg: str) -> Reply:
    """Draw the board again, with a legend."""
    reply = shell.board()
    reply.out.append(legend(one_way=bool(shell.session.task.world.one_way_walls())))
    return reply


@meta("quit")
def _quit(shell: Shell, arg: str) -> Reply:
    """Leave the REPL (Ctrl-D does too)."""
    return Reply([], {}, quit=True)
