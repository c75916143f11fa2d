"""The model evaluation harness: prompts, pictures, model calls, scoring, skills, failures, reports.

Data flows one way: task -> prompt (`prompts`) -> model reply (`client`, `runner`) -> score
(`scoring`, on top of the core's verdict) -> analysis (`passk`, `skills`, `failures`) -> report
(`report`). Nothing here changes what the core decides: a reply is solved exactly when
`xlogo_lang.verdict.run` says the extracted program solves the task.

This package never imports the CLI, and imports its heavy optional libraries (openai, Pillow,
matplotlib) only inside the functions that need them, so `import xlogo_lang.eval` is cheap.
"""

from __future__ import annotations

from .scoring import FAILURES, score_response

__all__ = ["FAILURES", "score_response"]
