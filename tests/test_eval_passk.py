"""pass@k: the unbiased estimator and its bootstrap interval."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlogo_lang.eval.passk import bootstrap_ci, pass_at_k, pass_at_k_table


@given(
    st.integers(1, 12).flatmap(
        lambda n: st.tuples(st.just(n), st.integers(0, n), st.integers(1, n))
    )
)
def test_pass_at_k_is_the_chance_that_k_of_n_samples_hold_a_correct_one(nck):
    n, c, k = nck
    samples = [True] * c + [False] * (n - c)
    draws = list(combinations(range(n), k))
    exact = sum(any(samples[i] for i in d) for d in draws) / len(draws)
    assert pass_at_k(n, c, k) == pytest.approx(exact)


def test_pass_at_1_is_the_fraction_correct():
    assert pass_at_k(10, 3, 1) == pytest.approx(0.3)
    assert pass_at_k(5, 0, 5) == 0.0 and pass_at_k(5, 1, 5) == 1.0


def test_impossible_arguments_are_refused():
    with pytest.raises(ValueError):
        pass_at_k(3, 4, 1)
    with pytest.raises(ValueError):
        pass_at_k(3, 1, 4)


def test_a_count_that_is_not_a_whole_number_is_named():
    with pytest.raises(TypeError, match=r"k must be a whole number, got 5\.5"):
        pass_at_k(10, 3, 5.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(("option", "value"), [("iters", 0), ("alpha", 0.0), ("alpha", 2)])
def test_a_bootstrap_that_can_give_no_interval_is_refused(option, value):
    with pytest.raises(ValueError, match=f"{option} must be"):
        bootstrap_ci([0.5, 1.0], **{option: value})


@given(st.lists(st.floats(0, 1), min_size=1, max_size=30))
def test_the_bootstrap_interval_holds_the_mean_and_is_reproducible(values):
    lo, hi = bootstrap_ci(values, iters=300)
    mean = sum(values) / len(values)
    assert lo - 1e-9 <= mean <= hi + 1e-9
    assert (lo, hi) == bootstrap_ci(values, iters=300)


def test_the_table_only_reports_k_that_every_task_has_samples_for():
    table = pass_at_k_table({"a": (5, 1), "b": (3, 0)}, ks=(1, 3, 5))
    assert sorted(table) == [1, 3]
    assert table[1]["value"] == pytest.approx(0.1)
