"""spelling_variant: the rewrites another agency's clerk makes, and nothing else."""

from __future__ import annotations

import random
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi.synthetic import spelling_variant
from sinergi.synthetic.names import all_name_words
from sinergi.synthetic.spelling import (
    DEGREES,
    MUHAMMAD_FORMS,
    PREFIX_TITLES,
    is_muhammad,
    is_title,
    to_old_spelling,
)


def _variants(name: str, tries: int = 300) -> set[str]:
    rng = random.Random(0)
    return {spelling_variant(name, rng) for _ in range(tries)}


def _words(name: str) -> list[str]:
    return name.replace(",", " ").split()


def _core(name: str) -> list[str]:
    """Name words: neither titles nor a form of Muhammad (those have their own rewrites)."""
    return [w for w in _words(name) if not is_title(w) and not is_muhammad(w)]


def _levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(
                    previous[j] + 1,
                    current[j - 1] + 1,
                    previous[j - 1] + (char_a != char_b),
                )
            )
        previous = current
    return previous[-1]


_WORD = st.one_of(
    st.sampled_from(all_name_words()),
    st.text(alphabet=string.ascii_letters, min_size=1, max_size=12),
)


@st.composite
def _names(draw: st.DrawFn) -> str:
    words = draw(st.lists(_WORD, min_size=1, max_size=4))
    if draw(st.booleans()):
        words.insert(0, draw(st.sampled_from(MUHAMMAD_FORMS.items)))
    if draw(st.booleans()):
        words.insert(0, draw(st.sampled_from(PREFIX_TITLES)))
    name = " ".join(words)
    if draw(st.booleans()):
        name += ", " + draw(st.sampled_from(DEGREES))
    return name


@settings(max_examples=400, deadline=None)
@given(name=_names(), seed=st.integers(min_value=0, max_value=2**32))
def test_it_always_changes_the_name(name: str, seed: int) -> None:
    assert spelling_variant(name, random.Random(seed)) != name


@settings(max_examples=400, deadline=None)
@given(name=_names(), seed=st.integers(min_value=0, max_value=2**32))
def test_it_stays_within_the_listed_rewrites(name: str, seed: int) -> None:
    variant = spelling_variant(name, random.Random(seed))
    before, after = _core(name), _core(variant)

    # A title dropped or added; name words keep their number and change little.
    assert abs(len(_words(variant)) - len(_words(name))) <= 1
    assert abs(len("".join(after)) - len("".join(before))) <= 4
    assert len(after) == len(before)  # no name word appears or disappears
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) <= 2
    assert sum(_levenshtein(a.lower(), b.lower()) for a, b in changed) <= 5
    assert sum(map(is_muhammad, _words(variant))) == sum(map(is_muhammad, _words(name)))


def test_it_is_reproducible_with_a_seeded_rng() -> None:
    names = ["Moh. Rizki", "Sitti Aminah", "I Wayan Sudarma", "Hj. Nurhayati, S.Pd."]

    first = [spelling_variant(n, random.Random(9)) for n in names]
    second = [spelling_variant(n, random.Random(9)) for n in names]

    assert first == second


def test_it_switches_between_old_and_new_spelling() -> None:
    assert "Suharto" in _variants("Soeharto")
    assert "Soeharto" in _variants("Suharto")
    assert "Joko Tjahjono" in _variants("Djoko Tjahjono")
    assert "Djoko Cahjono" in _variants("Djoko Tjahjono")
    assert "Johanis Tampai" in _variants("Yohanis Tampai")
    assert "Sitti Chadijah" in _variants("Sitti Khadijah")
    assert "I Njoman Sudarma" in _variants("I Nyoman Sudarma")
    assert "Sjamsuddin" in _variants("Syamsuddin")


def test_it_writes_muhammad_another_way() -> None:
    variants = _variants("Muhammad Rizky")

    assert {"Moh. Rizky", "Muh. Rizky", "M. Rizky"} <= variants
    assert "Muhammad Rizky" in _variants("Moh. Rizky")


def test_it_swaps_a_trailing_i_and_y() -> None:
    assert "Muhammad Rizki" in _variants("Muhammad Rizky")
    assert "Rizky" in _variants("Rizki")


def test_it_doubles_and_undoubles_letters() -> None:
    assert "Hanna" in _variants("Hana")
    assert "Hana" in _variants("Hanna")
    assert "Hasanudin" in _variants("Hasanuddin")


def test_it_drops_titles() -> None:
    assert "Nurhayati" in _variants("Hj. Nurhayati")
    assert "Nurhayati" in _variants("Nurhayati, S.Pd.")
    assert "H. Rusli" in _variants("H. Rusli, S.E.")


def test_it_rejects_an_empty_name() -> None:
    with pytest.raises(ValueError):
        spelling_variant("  ", random.Random(1))


@pytest.mark.parametrize(
    ("modern", "old"),
    [
        ("Suharto", "Soeharto"),
        ("Joko Cahyono", "Djoko Tjahjono"),
        ("Sri Wahyuni", "Sri Wahjoeni"),
        ("Yusuf", "Joesoef"),
        ("I Nyoman Sudarma", "I Njoman Soedarma"),
        ("Khadijah", "Chadidjah"),
        ("Moh. Rizky", "Moh. Rizky"),  # Muhammad forms untouched; a final y is a vowel
        ("Tadjoja", "Tadjoja"),  # already old spelling: left alone
        ("Hj. Nurhayati", "Hj. Noerhajati"),
    ],
)
def test_it_writes_modern_names_in_old_spelling(modern: str, old: str) -> None:
    assert to_old_spelling(modern) == old
