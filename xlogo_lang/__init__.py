"""xlogo: a toolchain for the XLogoOnline Mini turtle language and its benchmark.

The public API: parse programs, load tasks, run programs on them and judge the result.

    >>> from xlogo_lang import load_task, parse, run
    >>> verdict = run(load_task("examples/tasks/find-strawberry.json"), parse("fd fd rt fd"))
    >>> verdict.solved, verdict.reason
    (True, 'solved')
    >>> run(load_task("examples/tasks/find-strawberry.json"), "rt fd lt fd").reason
    'crashed into a wall at (1,2) on step 4 (line 1)'

(The paths are the checkout's `examples/`: run from its root.)
"""

from .ast import Command, Program, Repeat, SetPenColor
from .checker import Diagnostic, check
from .codejson import from_json, to_json
from .errors import ParseError, ProgramError, TaskError, UsageError, XlogoError
from .extract import Extraction, extract_program
from .parser import parse
from .printer import to_text
from .tasks import Task, load_task, load_tasks
from .verdict import Verdict, run

__version__ = "0.1.0"

__all__ = [
    "Command",
    "Diagnostic",
    "Extraction",
    "ParseError",
    "Program",
    "ProgramError",
    "Repeat",
    "SetPenColor",
    "Task",
    "TaskError",
    "UsageError",
    "Verdict",
    "XlogoError",
    "__version__",
    "check",
    "extract_program",
    "from_json",
    "load_task",
    "load_tasks",
    "parse",
    "run",
    "to_json",
    "to_text",
]
