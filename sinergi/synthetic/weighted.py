"""Frequency-weighted choice lists, drawn from an explicit ``random.Random``.

Everything in the generator picks through :class:`Weighted` so that the only source of
randomness is the caller's ``Random`` instance: same seed, same output, whatever
``PYTHONHASHSEED`` is.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate


@dataclass(frozen=True, slots=True)
class Weighted[T]:
    """An immutable population with cumulative weights (``random.choices`` bisects them)."""

    items: tuple[T, ...]
    cum_weights: tuple[float, ...]

    @classmethod
    def of(cls, pairs: Iterable[tuple[T, float]]) -> Weighted[T]:
        items: list[T] = []
        weights: list[float] = []
        for item, weight in pairs:
            if weight <= 0:
                raise ValueError(f"weight of {item!r} must be positive, got {weight}")
            items.append(item)
            weights.append(float(weight))
        if not items:
            raise ValueError("a weighted list needs at least one item")
        return cls(tuple(items), tuple(accumulate(weights)))

    @classmethod
    def uniform(cls, items: Iterable[T]) -> Weighted[T]:
        return cls.of((item, 1.0) for item in items)

    def pick(self, rng: random.Random) -> T:
        return rng.choices(self.items, cum_weights=self.cum_weights)[0]

    def weight_of(self, item: T) -> float:
        """Relative weight of ``item`` (0.0 when absent); used by tests and docs, not hot paths."""
        total = 0.0
        previous = 0.0
        for candidate, cumulative in zip(self.items, self.cum_weights, strict=True):
            if candidate == item:
                total += cumulative - previous
            previous = cumulative
        return total / self.cum_weights[-1]


def parse_weighted(spec: str) -> Weighted[str]:
    """Parse a compact list such as ``"Siti 40 Nur_Aini 3 Hasnah"``.

    A number gives the weight of the name before it (default 1); ``_`` stands for a space,
    so multi-word entries stay one item. Keeping the lists in this form lets a reviewer see
    the frequency design at a glance.
    """
    pairs: list[tuple[str, float]] = []
    for token in spec.split():
        if token.isdigit():
            if not pairs:
                raise ValueError(f"weight {token} before any name")
            name, _ = pairs[-1]
            pairs[-1] = (name, float(token))
        else:
            pairs.append((token.replace("_", " "), 1.0))
    names = [name for name, _ in pairs]
    if len(names) != len(set(names)):
        duplicates = sorted({name for name in names if names.count(name) > 1})
        raise ValueError(f"duplicate names in weighted list: {duplicates}")
    return Weighted.of(pairs)
