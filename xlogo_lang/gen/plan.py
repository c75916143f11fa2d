"""A generation run's settings (`GenPlan`): everything that decides what its shards hold.

They are stored as `config.json` in the output folder, which binds the folder to them: a rerun
with other settings is refused, one with the same settings resumes (`shards.prepare`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError, json_problem, load_json
from ..eval import arguments as args
from .difficulty import LEVELS
from .generate import SOLVER_TIMEOUT
from .goals import KINDS

FORMAT = 1
CONFIG = "config.json"
SPLITS = ("train", "eval")  # separate seed streams and id prefixes (`syn...`, `eval...`)


@dataclass(frozen=True)
class GenPlan:
    """Everything that determines a run's output. Stored as config.json in the output folder."""

    n: int
    seed: int = 0
    shard_size: int = 1000
    kinds: tuple[str, ...] = KINDS  # a list is taken as its tuple
    levels: tuple[str, ...] = LEVELS
    like: str | Path | None = None  # a task file or folder whose tasks are varied; kept as a str
    split: str = "train"  # "train" or "eval": separate seed streams and id prefixes
    timeout: float = SOLVER_TIMEOUT
    max_attempts: int = 60
    # The `--exclude` hash set as `exclude_fingerprint` words it (None: nothing excluded). The
    # hashes, not the folder names, decide which tasks a shard may hold: a moved folder is the
    # same setting, a folder that gained tasks is not.
    exclude: str | None = None
    format: int = FORMAT

    def __post_init__(self) -> None:
        # From Python a field can hold anything, and config.json records it as given: a seed of
        # "1" made the same tasks as 1 but bound the folder to "1" ("--seed 1 in the folder, 1
        # now"), a Path for `like` could not be written at all, 2.5 tasks failed in range() and
        # "find" as the kinds was read as the kinds f, i, n, d. Each is named here.
        for name, value in (("n", self.n), ("seed", self.seed), ("shard_size", self.shard_size)):
            args.whole(name, value)
        args.whole("max_attempts", self.max_attempts)
        args.number("timeout", self.timeout)
        for name, one in (("kinds", "draw"), ("levels", "hard")):
            value = getattr(self, name)
            if isinstance(value, str) or not isinstance(value, (tuple, list)):
                raise TypeError(
                    f"{name} must be a tuple of names, got {type(value).__name__} {value!r:.40} "
                    f"(one of them: {name}=({one!r},))"
                )
            object.__setattr__(self, name, tuple(value))
        if self.like is not None:
            object.__setattr__(self, "like", args.path_text("like", self.like))
        if self.split not in SPLITS:  # another word made ids and seed streams of its own
            raise UsageError(f"unknown split {self.split!r} (use train or eval)")
        args.optional_text("exclude", self.exclude)  # set by the run from its --exclude folders
        if self.n < 1:
            raise UsageError("the number of tasks must be at least 1")
        if self.shard_size < 1:
            raise UsageError("--shard-size must be at least 1")
        if not self.timeout > 0:  # also NaN, which would never stop a search
            raise UsageError(f"--timeout must be more than 0 seconds (got {self.timeout:g})")
        if self.max_attempts < 1:
            raise UsageError("max_attempts must be at least 1")
        bad = [k for k in self.kinds if k not in KINDS]
        if bad or not self.kinds:
            raise UsageError(
                f"unknown kind {', '.join(bad) or '(none)'} (kinds are {', '.join(KINDS)})"
            )
        badl = [lv for lv in self.levels if lv not in LEVELS]
        if badl or not self.levels:
            raise UsageError(
                f"unknown difficulty {', '.join(badl) or '(none)'} (levels are {', '.join(LEVELS)})"
            )

    @property
    def shards(self) -> int:
        return math.ceil(self.n / self.shard_size)

    def shard_len(self, i: int) -> int:
        return min(self.shard_size, self.n - i * self.shard_size)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["kinds"] = list(self.kinds)
        d["levels"] = list(self.levels)
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> GenPlan:
        d = dict(d)
        d["kinds"] = tuple(d.get("kinds", KINDS))
        d["levels"] = tuple(d.get("levels", LEVELS))
        try:
            return cls(**d)
        except TypeError as exc:  # a key it has no field for, or a value of the wrong type
            raise UsageError(f"these settings do not describe a run ({exc})") from None


def exclude_fingerprint(hashes: Iterable[str]) -> str | None:
    """The recorded form of an exclusion set: its size and the SHA-256 of its sorted hashes, so
    config.json stays small however large the excluded folders are; None for an empty set (it
    excludes nothing, exactly as no `--exclude` does)."""
    unique = sorted(set(hashes))
    if not unique:
        return None
    digest = hashlib.sha256("\n".join(unique).encode()).hexdigest()[:20]
    return f"{len(unique)} tasks, sha256 {digest}"


def parse_shard(text: str) -> tuple[int, int]:
    """`K/M` -> (K, M): this process makes the shards i with i % M == K (0 <= K < M)."""
    if not isinstance(text, str):
        raise TypeError(f"parse_shard takes the text K/M, got {type(text).__name__}")
    try:
        k, m = (int(p) for p in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard takes K/M with 0 <= K < M, e.g. 0/4, not {text!r}") from None
    if m < 1 or not 0 <= k < m:
        raise UsageError(f"--shard takes K/M with 0 <= K < M, e.g. 0/4, not {text!r}")
    return k, m


def check_shard(shard: object) -> tuple[int, int]:
    """A share (K, M) given from Python, held to what `parse_shard` accepts: (3, 2) made no
    shard at all and reported a run, and "0/2" failed as a bare unpacking error."""
    if isinstance(shard, str):
        raise TypeError(f"shard takes (K, M), got the str {shard!r} (parse_shard reads K/M)")
    if not (
        isinstance(shard, tuple)
        and len(shard) == 2
        and all(isinstance(x, int) and not isinstance(x, bool) for x in shard)
    ):
        raise TypeError(f"shard takes (K, M), two ints, got {shard!r:.40}")
    k, m = shard
    if m < 1 or not 0 <= k < m:
        raise UsageError(f"shard takes (K, M) with 0 <= K < M, e.g. (0, 4), not {shard!r}")
    return k, m


def read_settings(cfg: Path) -> dict[str, Any]:
    """A run's settings (config.json) as written, or a UsageError naming the file: a damaged or
    hand-edited one (bad JSON, a 5,000-digit number, not an object) must not end in a traceback."""
    try:
        old = load_json(cfg.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(
            f"cannot read the run's settings: {exc.strerror or exc}", file=str(cfg)
        ) from None
    except ValueError as exc:
        raise UsageError(
            f"cannot read the run's settings: not valid JSON ({json_problem(exc, at_column=True)})",
            file=str(cfg),
        ) from None
    if not isinstance(old, dict):
        raise UsageError("the run's settings are not a JSON object", file=str(cfg))
    return old
