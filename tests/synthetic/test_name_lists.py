"""Name lists and name structure by community."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from sinergi.synthetic.names import (
    BALI_ORDER_FEMALE,
    BALI_ORDER_MALE,
    MUSLIM_FEMALE,
    NameGroup,
    Sex,
    make_name,
)
from sinergi.synthetic.weighted import Weighted, parse_weighted


def test_it_parses_compact_weighted_lists() -> None:
    parsed = parse_weighted("Siti 40 Nur_Aini 3 Hasnah")

    assert parsed.items == ("Siti", "Nur Aini", "Hasnah")
    assert parsed.cum_weights == (40.0, 43.0, 44.0)
    assert parsed.weight_of("Siti") == pytest.approx(40 / 44)


def test_it_rejects_duplicates_and_orphan_weights() -> None:
    with pytest.raises(ValueError):
        parse_weighted("Siti 4 Hasnah Siti")
    with pytest.raises(ValueError):
        parse_weighted("3 Siti")
    with pytest.raises(ValueError):
        Weighted.of([("Siti", 0.0)])


def test_it_puts_a_few_very_common_names_before_a_long_tail() -> None:
    head = sum(MUSLIM_FEMALE.weight_of(n) for n in ("Nurhayati", "Rahmawati", "Hasnah"))

    assert len(MUSLIM_FEMALE.items) > 100
    assert head > 0.05
    assert MUSLIM_FEMALE.weight_of("Nurhayati") > 10 * MUSLIM_FEMALE.weight_of("Nabila")


def _names(group: NameGroup, sex: Sex, n: int = 400) -> list[str]:
    rng = random.Random(1)
    return [make_name(group, sex, rng, birth_year=1990).text for _ in range(n)]


def test_it_gives_balinese_names_a_sex_prefix_and_a_birth_order() -> None:
    men, women = _names(NameGroup.BALI, "L"), _names(NameGroup.BALI, "P")
    orders = set(BALI_ORDER_MALE.items) | set(BALI_ORDER_FEMALE.items)

    assert sum(n.startswith("I ") for n in men) / len(men) > 0.8
    assert sum(n.startswith("Ni ") for n in women) / len(women) > 0.8
    assert not any(n.startswith("Ni ") for n in men)
    assert sum(any(w in orders for w in n.split()) for n in men + women) / 800 > 0.9


def test_it_gives_christian_names_a_family_name_passed_to_children() -> None:
    rng = random.Random(2)
    child = make_name(NameGroup.KRISTEN, "P", rng, birth_year=2000, surname="Tobondo")

    assert child.text.endswith(" Tobondo") and child.surname == "Tobondo"
    assert sum(len(n.split()) >= 2 for n in _names(NameGroup.KRISTEN, "L")) / 400 > 0.8


def test_it_writes_many_local_muslim_names_as_one_word() -> None:
    women = _names(NameGroup.KAILI, "P")
    lengths = Counter(len(n.split()) for n in women)

    assert 0.45 < lengths[1] / len(women) < 0.65
    assert any(n.startswith(("Sitti ", "Siti ")) for n in women)
    assert any(n.startswith(("Moh. ", "Muhammad ", "Muh. ", "M. ")) for n in _names(NameGroup.KAILI, "L"))


def test_it_keeps_old_spelling_for_some_javanese_born_before_the_reform() -> None:
    rng = random.Random(3)
    old = [make_name(NameGroup.JAWA, "L", rng, birth_year=1965).text for _ in range(400)]
    young = [make_name(NameGroup.JAWA, "L", rng, birth_year=1995).text for _ in range(400)]
    markers = ("oe", "dj", "tj")

    assert sum(any(m in n.lower() for m in markers) for n in old) > 80
    assert not any(any(m in n.lower() for m in markers) for n in young if "Rahardjo" not in n)
