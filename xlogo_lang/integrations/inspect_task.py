"""The XLogoOnline-Mini benchmark as an Inspect (UK AISI `inspect_ai`) task.

    inspect eval xlogo_lang/integrations/inspect_task.py --model openai/gpt-4o \\
        -T tasks=../shared/xlogomini/assets -T mode=vision -T answer_format=python

A thin adapter, not a second implementation: the dataset holds the prompts `xlogo prompt`
prints (`eval.prompts.build_prompt`, the picture attached in vision mode), the solver is plain
generation, and the scorer is `eval.scoring.score_response`, the same per-attempt function as
`xlogo eval`, `xlogo score` and `xlogo report`. A sample is CORRECT exactly when the core's
verdict says the extracted program solves the task; the score's metadata carries the whole
score record (failure category, crash, goal and constraint detail).

Install with `pip install 'xlogo-lang[inspect]'`. This module imports `inspect_ai` at the top,
so nothing else in xlogo imports it.
"""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, ContentImage, ContentText
from inspect_ai.scorer import CORRECT, INCORRECT, Score, Target, accuracy, scorer, stderr
from inspect_ai.solver import TaskState, generate

from xlogo_lang.eval.prompts import build_prompt
from xlogo_lang.eval.scoring import score_response
from xlogo_lang.eval.taskset import load_task_set
from xlogo_lang.tasks import Task as XTask

DEFAULT_TASKS = "../shared/xlogomini/assets"
logger = logging.getLogger(__name__)


def from_invocation_dir(path: str) -> str:
    """A relative path read from the folder `inspect eval` was run in.

    Inspect creates a task inside its file's folder (it changes the working directory to
    xlogo_lang/integrations/), so `-T tasks=../shared/xlogomini/assets`, typed at the repository
    root, would otherwise be looked for beside this file. The shell's `PWD` still names the
    folder the command was typed in; where it is not set, the path is left as given."""
    invoked = os.environ.get("PWD")
    if Path(path).is_absolute() or not invoked:
        return path
    return str(Path(invoked) / path)


def sample_for(
    t: XTask, mode: str = "text", template: str | None = None, answer_format: str = "text"
) -> Sample:
    """One Inspect sample: the task's prompt as chat messages, the task id as its id."""
    p = build_prompt(t, mode, template, answer_format)
    user: Any = p.user
    if p.image_png is not None:
        url = "data:image/png;base64," + base64.b64encode(p.image_png).decode("ascii")
        user = [ContentText(text=p.user), ContentImage(image=url)]
    messages: list[Any] = [ChatMessageUser(content=user)]
    if p.system:
        messages.insert(0, ChatMessageSystem(content=p.system))
    reference = t.solution
    return Sample(
        input=messages,
        target=str(reference) if reference is not None else "",
        id=t.id,
        metadata={"task_id": t.id, "kind": t.kind, "template_hash": p.template_hash},
    )


@scorer(metrics=[accuracy(), stderr()])
def xlogo_scorer(tasks: dict[str, XTask]) -> Any:
    """CORRECT when the program extracted from the completion solves the task (core verdict)."""

    async def score(state: TaskState, target: Target) -> Score:
        t = tasks[str(state.metadata.get("task_id", state.sample_id))]
        result = score_response(t, state.output.completion)
        return Score(
            value=CORRECT if result["solved"] else INCORRECT,
            answer=result["program"],
            explanation=result["reason"],
            metadata=result,
        )

    return score


@task
def xlogo(
    tasks: str = DEFAULT_TASKS,
    mode: str = "text",
    answer_format: str = "text",
    template: str | None = None,
    ids: str | list[str | int] | int | None = None,
) -> Task:
    """The benchmark: `tasks` is an asset directory or a folder of task files; `ids` a list.

    Relative paths (`tasks`, `template`) are read from the folder Inspect was run in. A broken
    task file among good ones is a logged warning, as in `xlogo eval`, not the end of the run."""
    task_set = load_task_set(from_invocation_dir(tasks))
    for line in task_set.warnings():
        logger.warning(line)
    if template is not None and Path(here := from_invocation_dir(template)).is_file():
        template = here  # else a shipped name, such as "default"
    wanted = None
    if ids:
        # `-T ids=87,1` reaches here as a list and `-T ids=22` as an int: Inspect reads values
        # as YAML.
        given = ids if isinstance(ids, list) else str(ids).split(",")
        wanted = [str(i).strip() for i in given if str(i).strip()]
    loaded = task_set.select(wanted)
    by_id = {t.id: t for t in loaded}
    dataset = MemoryDataset(
        [sample_for(t, mode, template, answer_format) for t in loaded], name="xlogomini"
    )
    return Task(dataset=dataset, solver=generate(), scorer=xlogo_scorer(by_id))
