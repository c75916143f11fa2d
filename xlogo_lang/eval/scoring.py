"""Scoring one model reply on one task: extract the program, run it, judge it, name the failure.

`score_response` is the single per-attempt scoring function shared by `xlogo score`, `xlogo eval`,
`xlogo report`, the Inspect scorer and the task generator's curriculum, so every number xlogo
prints about a model comes from the same code path (extraction -> parse -> run -> verdict).

The result is a flat JSON-ready dict with the same keys and value types for every reply, so a
results file loads as a table (`datasets.load_dataset("json", ...)`, pandas) as it is.

This module never calls a model, never touches the network and never runs the solver: it must
stay fast enough to rescore 100,000 attempts in well under a minute (benchmarks/bench_scoring.py).
The solver-based part of failure analysis (edit distance) lives in `failures.py`.
"""

from __future__ import annotations

from typing import Any

from ..errors import XlogoError
from ..extract import Extraction, check_reply, extract_program
from ..printer import to_text
from ..task_format import check_task
from ..tasks import Task
from ..verdict import run

# Failure categories, in the order a reply can fail (README.md of this package explains them).
NO_PROGRAM = "no_program"  # the reply holds no program at all
SYNTAX_ERROR = "syntax_error"  # code was found but it is not a valid program
# crash: the turtle crashed; detail = wall | out_of_world | forbidden | no_tile | call_limit
CRASH = "crash"
GOAL = "goal"  # ran cleanly, goal not met; detail = item | order | count | forbidden_item | picture
# constraints: goal met, code constraints broken; detail = at_most | exactly | start_by
CONSTRAINTS = "constraints"
REQUEST_ERROR = "request_error"  # no reply at all: the endpoint kept failing (set by the runner)
FAILURES = (NO_PROGRAM, SYNTAX_ERROR, CRASH, GOAL, CONSTRAINTS, REQUEST_ERROR)


def _extraction_info(ex: Extraction) -> dict[str, Any]:
    return {
        "source": ex.source,
        "language": ex.language,
        "start_line": ex.start_line,
        "end_line": ex.end_line,
    }


def empty_score(reason: str, failure: str, detail: str | None = None) -> dict[str, Any]:
    """A score record for an attempt that produced no runnable program."""
    return {
        "parsed": False,
        "error": None,
        "program": None,
        "solved": False,
        "crashed": False,
        "crash": None,
        "crash_step": None,
        "goal_ok": None,
        "constraints_ok": None,
        "goal_failure": None,
        "violations": [],
        "reason": reason,
        "extraction": {"source": None, "language": None, "start_line": None, "end_line": None},
        "failure": failure,
        "failure_detail": detail,
        "size": None,
    }


def no_reply_score(request_error: str | None) -> dict[str, Any]:
    """The score record of an attempt whose request got no reply: a failed attempt, as every
    reader counts it (`xlogo eval` writes it, `xlogo score` keeps it when it scores a run)."""
    return empty_score(f"request failed: {request_error}", REQUEST_ERROR)


def score_response(task: Task, response: str) -> dict[str, Any]:
    """Score one raw model reply on `task`.

    Keys (always all present, with stable types): parsed, error, program (canonical text or
    None), solved, crashed, crash ({kind, x, y} or None), crash_step (how many commands ran until
    the crash), goal_ok, constraints_ok, goal_failure, violations (["rule:key", ...]), reason,
    extraction ({source, language, start_line, end_line}), failure (a category of FAILURES or
    None when solved), failure_detail, size (blocks in the program).

    A task that is not a Task or a reply that is not a str is a TypeError, as for `run` and
    `extract_program`: scored, such a reply would be a `no_program` failure that is the
    caller's, not the model's.
    """
    check_task(task, "score_response")
    check_reply(response, "score_response")
    ex = extract_program(response)
    out = empty_score("", NO_PROGRAM)
    out["extraction"] = _extraction_info(ex)
    prog = ex.program
    err = ex.error
    if prog is None:
        if err is None and not ex.text:
            out["reason"] = "no program found in the reply"
            return out
        out["failure"] = SYNTAX_ERROR
        msg = err.message if isinstance(err, XlogoError) else str(err or "not a valid program")
        out["error"] = msg
        out["reason"] = f"syntax error: {msg}"
        return out
    try:
        verdict = run(task, prog)
    except XlogoError as exc:  # a program the interpreter refuses (should not happen once parsed)
        out.update(
            failure=SYNTAX_ERROR, error=exc.message, reason=f"invalid program: {exc.message}"
        )
        return out
    crash = verdict.crash
    gr = verdict.goal_result
    violations = verdict.violations if verdict.constraints_ok is False else []
    out.update(
        parsed=True,
        program=to_text(prog),
        solved=verdict.solved,
        crashed=crash is not None,
        crash=crash.to_dict() if crash is not None else None,
        crash_step=crash.step if crash is not None else None,
        goal_ok=verdict.goal_ok,
        constraints_ok=verdict.constraints_ok,
        goal_failure=gr.kind if gr is not None and not gr.ok else None,
        violations=[f"{v.rule}:{v.key}" for v in violations],
        reason=verdict.reason,
        size=len(prog),
    )
    if verdict.solved:
        out["failure"] = None
    elif crash is not None:
        out["failure"], out["failure_detail"] = CRASH, crash.kind
    elif not verdict.goal_ok:
        out["failure"], out["failure_detail"] = GOAL, out["goal_failure"]
    else:
        out["failure"] = CONSTRAINTS
        out["failure_detail"] = violations[0].rule if violations else None
    return out
