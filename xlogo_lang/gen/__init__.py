"""Synthetic tasks at scale, fine-tuning data, and the emulator-driven curriculum.

Data flows one way: intended program -> world around its trace -> goal and items -> core
verification -> solver (shortest solution, shortcut closing) -> constraints -> task record ->
sharded JSONL -> chat-format training lines -> curriculum rounds. See README.md in this folder.

    >>> from xlogo_lang.gen import GenPlan, generate_dataset, iter_records, record_task
    >>> manifest = generate_dataset("data/train", GenPlan(n=20, seed=0))
    >>> tasks = [record_task(r) for r in iter_records("data/train")]
    >>> len(tasks), tasks[0].id
    (20, 'syn0-00000-00000')

(With `workers=W`, give the plan at least W shards (`shard_size`), and in a script call
`generate_dataset` under `if __name__ == "__main__":`: a caller with threads gets its workers
from a forkserver, which imports the script again; README.md.)

This package never imports the CLI; it uses the core, the solver and the eval harness's prompts,
scoring, skills and runner, and never a second copy of any of them.
"""

from __future__ import annotations

from .canonical import canonical_hash, transform_task
from .dataset import build_manifest, dataset_hashes, export_tasks, iter_records, record_task
from .difficulty import LEVELS, difficulty, score
from .generate import Outcome, generate_one, natural, task_seed
from .goals import KINDS
from .plan import GenPlan, parse_shard
from .shards import run as generate_dataset

__all__ = [
    "KINDS",
    "LEVELS",
    "GenPlan",
    "Outcome",
    "build_manifest",
    "canonical_hash",
    "dataset_hashes",
    "difficulty",
    "export_tasks",
    "generate_dataset",
    "generate_one",
    "iter_records",
    "natural",
    "parse_shard",
    "record_task",
    "score",
    "task_seed",
    "transform_task",
]
