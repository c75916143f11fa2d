"""`FrozenDict`: the read-only mapping that frozen model objects hold.

`World`, `Constraints` and `Task` are frozen and hashable, and a task caches what it derives
from them (its compiled goal), so a mapping they hold must not change after it is validated:
`task.constraints.at_most["all"] = 3` would change the task's hash and its verdicts without
any check, and clearing `world.items` would leave the cached goal judging the old items.

Why a `dict` subclass and not `types.MappingProxyType` or a `Mapping` wrapper: a proxy does not
pickle (tasks are sent to worker processes), and a wrapper written in Python makes every
lookup a Python call, where the interpreter, the goal checker and the solver look these up in
hot loops. A dict subclass keeps dict's own lookups, iteration and `==`; only the methods that
change it are refused. (`dict.__setitem__(d, k, v)` still bypasses this, as `object.__setattr__`
bypasses a frozen dataclass: the guard is against slips, not against intent.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class FrozenDict(dict[K, V]):
    """A dict that refuses every change after it is built; hashable, picklable, and equal to a
    plain dict with the same entries. Copies (`copy()`, `d | other`) are plain, mutable dicts."""

    __slots__ = ()

    def _refuse(self) -> NoReturn:
        raise TypeError(
            f"this {type(self).__name__} is read-only: build a new object with the changed "
            "mapping (dataclasses.replace) instead"
        )

    def __setitem__(self, key: K, value: V) -> NoReturn:
        self._refuse()

    def __delitem__(self, key: K) -> NoReturn:
        self._refuse()

    def __ior__(self, other: Any) -> NoReturn:  # type: ignore[misc]
        self._refuse()

    def clear(self) -> NoReturn:
        self._refuse()

    def pop(self, *args: Any) -> NoReturn:
        self._refuse()

    def popitem(self) -> NoReturn:
        self._refuse()

    def setdefault(self, *args: Any) -> NoReturn:
        self._refuse()

    def update(self, *args: Any, **kwargs: Any) -> NoReturn:
        self._refuse()

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __reduce__(self) -> tuple[type[FrozenDict[K, V]], tuple[dict[K, V]]]:
        # pickle's default for a dict subclass refills it with __setitem__, which is refused
        return type(self), (dict(self),)

    def __copy__(self) -> FrozenDict[K, V]:
        return self  # it never changes, so it is its own copy


def freeze(mapping: Mapping[K, V]) -> FrozenDict[K, V]:
    """`mapping` as a FrozenDict: a copy, so that the caller's dict can change without changing
    the object that holds it (a FrozenDict is returned as it is)."""
    if type(mapping) is FrozenDict:
        return mapping
    return FrozenDict(mapping)
