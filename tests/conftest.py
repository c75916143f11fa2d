"""Shared fixtures: the real benchmark data in ../shared and the project's own examples.

The real data is read where it lies (never copied into the repo). Tests that need it skip when
it is missing, except under CI (`CI` set), where a missing ../shared is a failure.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("XLOGO_SHARED", ROOT.parent / "shared" / "xlogomini"))
ASSETS = SHARED / "assets"
TASKS = SHARED / "tasks"
ORACLE = SHARED / "oracle_cases.jsonl"
EXAMPLES = ROOT / "examples"


def _require_shared() -> None:
    if not ORACLE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the benchmark data is missing: {SHARED}")
        pytest.skip(f"benchmark data not found at {SHARED}")


@pytest.fixture(scope="session")
def assets_dir() -> Path:
    _require_shared()
    return ASSETS


@pytest.fixture(scope="session")
def tasks_dir() -> Path:
    _require_shared()
    return TASKS


@pytest.fixture(scope="session")
def oracle_cases() -> list[dict]:
    _require_shared()
    with ORACLE.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="session")
def real_tasks(tasks_dir: Path) -> dict:
    from xlogo_lang import load_tasks

    return {t.id: t for t in load_tasks(tasks_dir)}


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return EXAMPLES
