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
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser, ContentImage, ContentText
from inspect_ai.scorer import CORRECT, INCORRECT, Score, Target, accuracy, scorer, stderr
from inspect_ai.solver import TaskState, generate

from xlogo_lang.eval.prompts import build_prompt
from xlogo_lang.eval.scoring import score_response
from xlogo_lang.tasks import Task as XTask
from xlogo_lang.tasks import load_tasks

DEFAULT_TASKS = "../shared/xlogomini/assets"


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
    ids: str | None = None,
) -> Task:
    """The benchmark: `tasks` is an asset directory or a folder of task files; `ids` a list."""
    loaded = load_tasks(tasks)
    if ids:
        wanted = {i.strip() for i in ids.split(",")}
        loaded = [t for t in loaded if t.id in wanted]
    by_id = {t.id: t for t in loaded}
    dataset = MemoryDataset(
        [sample_for(t, mode, template, answer_format) for t in loaded], name="xlogomini"
    )
    return Task(dataset=dataset, solver=generate(), scorer=xlogo_scorer(by_id))
