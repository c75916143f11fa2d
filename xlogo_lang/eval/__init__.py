"""The model evaluation harness: prompts, pictures, model calls, scoring, skills, failures, reports."""

from __future__ import annotations

from .scoring import FAILURES, score_response

__all__ = ["FAILURES", "score_response"]
