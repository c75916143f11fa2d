"""pass@k with the unbiased estimator, and bootstrap confidence intervals over tasks.

For a task with n samples of which c are correct, pass@k = 1 - C(n-c, k) / C(n, k): the chance
that at least one of k samples drawn without replacement is correct (Chen et al. 2021, the
estimator of human-eval and lm-evaluation-harness). The benchmark score is the mean over tasks.
The confidence interval resamples tasks with replacement (a percentile bootstrap with a fixed
seed, so the same results always give the same interval).

Pure arithmetic: no I/O, no model, no numpy needed.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from math import comb


def pass_at_k(n: int, c: int, k: int) -> float:
    """The unbiased estimate of pass@k for one task with `c` correct out of `n` samples."""
    for name, value in (("n", n), ("c", c), ("k", k)):
        if not isinstance(value, int) or isinstance(value, bool):  # comb() would say less
            raise TypeError(f"pass_at_k: {name} must be a whole number, got {value!r}")
    if not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got c={c}, n={n}")
    if k < 1 or k > n:
        raise ValueError(f"need 1 <= k <= n, got k={k}, n={n}")
    if n - c < k:
        return 1.0
    return 1.0 - comb(n - c, k) / comb(n, k)


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def bootstrap_ci(
    values: Sequence[float], *, iters: int = 2000, alpha: float = 0.05, seed: int = 0
) -> tuple[float, float]:
    """A (1 - alpha) percentile bootstrap interval for the mean of `values` (numbers; none
    gives (0.0, 0.0))."""
    # True is an int to Python: one resample, an interval of nothing
    if isinstance(iters, bool) or not isinstance(iters, int) or iters < 1:
        # no resample: no interval (an IndexError)
        raise ValueError(f"bootstrap_ci: iters must be a whole number of at least 1, got {iters!r}")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)):
        raise TypeError(f"bootstrap_ci: alpha must be a number, got {alpha!r}")
    if not 0 < alpha < 1:  # outside it the percentiles index past the resamples, or say nothing
        raise ValueError(f"bootstrap_ci: alpha must be between 0 and 1, got {alpha!r}")
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        # None read as "no values" hid a caller's bug; a str is no list of rates
        raise TypeError(f"bootstrap_ci: values must be a list of numbers, got {values!r:.40}")
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError(f"bootstrap_ci: values[{i}] must be a number, got {v!r:.40}")
    if not values:
        return (0.0, 0.0)
    rng = random.Random(seed)
    n = len(values)
    means = sorted(sum(values[rng.randrange(n)] for _ in range(n)) / n for _ in range(iters))
    lo = means[int((alpha / 2) * (iters - 1))]
    hi = means[int((1 - alpha / 2) * (iters - 1))]
    return (lo, hi)


def pass_at_k_table(
    per_task: Mapping[str, tuple[int, int]], ks: Sequence[int] = (1, 5, 10), **boot: float
) -> dict[int, dict[str, float]]:
    """{k: {value, lo, hi, tasks}} for every k that all tasks have enough samples for.

    `per_task` maps a task id to (samples n, correct c); each pair is checked by `pass_at_k`.
    """
    if not isinstance(per_task, Mapping):  # a list of pairs: an AttributeError on .values()
        raise TypeError(
            f"pass_at_k_table: per_task must map task ids to (n, c), got {type(per_task).__name__}"
        )
    for tid, pair in per_task.items():
        if not (
            isinstance(pair, tuple | list)
            and len(pair) == 2
            and all(isinstance(x, int) and not isinstance(x, bool) for x in pair)
        ):
            raise TypeError(
                f"pass_at_k_table: per_task[{tid!r}] must be (n, c), two whole numbers, "
                f"got {pair!r:.40}"
            )
    out: dict[int, dict[str, float]] = {}
    if not per_task:
        return out
    n_min = min(n for n, _ in per_task.values())
    for k in ks:
        if k > n_min:
            continue
        vals = [pass_at_k(n, c, k) for n, c in per_task.values()]
        lo, hi = bootstrap_ci(vals, **boot)  # type: ignore[arg-type]
        out[k] = {"value": mean(vals), "lo": lo, "hi": hi, "tasks": len(vals)}
    return out
