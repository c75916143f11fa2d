"""The model evaluation harness: prompts, pictures, model calls, scoring, skills, failures, reports.

Data flows one way: task -> prompt (`prompts`) -> model reply (`client`, `runner`) -> score
(`scoring`, on top of the core's verdict) -> analysis (`passk`, `skills`, `failures`) -> report
(`report`). Nothing here changes what the core decides: a reply is solved exactly when
`xlogo_lang.verdict.run` says the extracted program solves the task.

This package never imports the CLI, and imports its heavy optional libraries (openai, Pillow,
matplotlib) only inside the functions that need them, so `import xlogo_lang.eval` is cheap.
"""

from __future__ import annotations

from .passk import bootstrap_ci, pass_at_k
from .prompts import Prompt, build_prompt
from .report import Report, build_report
from .runner import EvalConfig, EvalSummary, read_run, run_eval
from .scoring import FAILURES, score_response
from .skills import SKILLS, skills

__all__ = [
    "FAILURES",
    "SKILLS",
    "EvalConfig",
    "EvalSummary",
    "Prompt",
    "Report",
    "bootstrap_ci",
    "build_prompt",
    "build_report",
    "pass_at_k",
    "read_run",
    "run_eval",
    "score_response",
    "skills",
]
