"""Clerk-style spelling variants of Indonesian names.

A second agency registering the same person rarely writes the name exactly as the first did.
:func:`spelling_variant` applies one (sometimes two) of the rewrites listed in the domain brief:

- old <-> new spelling (the 1972 EYD against the Van Ophuijsen and Soewandi spellings before
  it): oe/u, dj/j, j/y, tj/c, ch/kh, sj/sy, nj/ny, at most two places in one word;
- another way of writing Muhammad (Muhammad, Moh., Muh., M., Mochammad, ...);
- a doubled or undoubled letter (Hana/Hanna, Hasanudin/Hasanuddin, Siti/Sitti);
- a trailing i/y (Rizki/Rizky);
- a title dropped, or a degree added (H., Hj., S.Pd., S.E., ...).

No nicknames (Hermawan -> Wawan): those need a lookup table and belong to the linkage code.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Final

from sinergi.synthetic.weighted import Weighted

PREFIX_TITLES: Final[tuple[str, ...]] = ("H.", "Hj.", "Dr.", "Drs.", "Dra.", "Ir.")
DEGREES: Final[tuple[str, ...]] = (
    "S.Pd.", "S.E.", "S.Sos.", "S.H.", "S.Kep.", "A.Md.", "S.Pd.I.", "S.Kom.", "S.T.", "S.Ag.",
)  # fmt: skip
TITLES: Final[tuple[str, ...]] = PREFIX_TITLES + DEGREES

# How Muhammad is written in Sulawesi records; the weights drive which form a clerk picks.
MUHAMMAD_FORMS: Final[Weighted[str]] = Weighted.of(
    [
        ("Muhammad", 30), ("Moh.", 25), ("Muh.", 15), ("M.", 12), ("Mohammad", 6),
        ("Muhamad", 5), ("Moch.", 3), ("Mohd.", 2), ("Mohamad", 2), ("Mochammad", 1),
        ("Mochamad", 1),
    ]
)  # fmt: skip

# Degrees a clerk may add, or a person may carry; S.Pd.I. and S.Ag. are Islamic-studies degrees.
DEGREE_WEIGHTS: Final[Weighted[str]] = Weighted.of(
    [
        ("S.Pd.", 30), ("S.E.", 20), ("S.Sos.", 12), ("A.Md.", 10), ("S.H.", 8), ("S.Kep.", 8),
        ("S.Kom.", 5), ("S.T.", 4),
    ]
)  # fmt: skip
ISLAMIC_DEGREE_WEIGHTS: Final[Weighted[str]] = Weighted.of([("S.Pd.I.", 5), ("S.Ag.", 3)])

_VOWELS: Final = frozenset("aeiou")


def _key(word: str) -> str:
    return word.rstrip(".,").casefold()


_TITLE_KEYS: Final = frozenset(_key(t) for t in TITLES)
_DEGREE_KEYS: Final = frozenset(_key(t) for t in DEGREES)
_MUHAMMAD_KEYS: Final = frozenset(_key(t) for t in MUHAMMAD_FORMS.items)


def is_title(word: str) -> bool:
    """True for "H.", "Hj", "S.Pd.," ...: titles are not name evidence (domain brief)."""
    return _key(word) in _TITLE_KEYS


def is_muhammad(word: str) -> bool:
    """True for any written form of Muhammad, with or without the dot."""
    return _key(word) in _MUHAMMAD_KEYS


def _is_ordinary(word: str) -> bool:
    return not is_title(word) and not is_muhammad(word) and any(c.isalpha() for c in word)


def _tokens(name: str) -> list[str]:
    return [t for t in (raw.rstrip(",") for raw in name.split()) if t]


def _render(tokens: list[str]) -> str:
    """Join tokens, writing degrees the usual way: "Nurhayati, S.Pd."."""
    out: list[str] = []
    for token in tokens:
        if out and _key(token) in _DEGREE_KEYS:
            out[-1] += ","
        out.append(token)
    return " ".join(out)


def _cased(replacement: str, token: str, position: int) -> str:
    """``replacement`` in the case of the text it replaces at ``position`` in ``token``."""
    if len(token) > 1 and token.isupper():
        return replacement.upper()
    if token[position].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


# --- old <-> new spelling -------------------------------------------------------------------


_PAIR_REWRITES: Final[dict[str, str]] = {
    "oe": "u", "dj": "j", "tj": "c", "ch": "kh", "kh": "ch",
    "sj": "sy", "sy": "sj", "nj": "ny", "ny": "nj",
}  # fmt: skip


def _spelling_sites(lower: str) -> list[tuple[int, str, str]]:
    """(position, source, replacement) for every spelling rewrite allowed in a lowercase word.

    The conditions keep rewrites to ones a clerk would make: "u" after "a"/"o" is part of a
    diphthong (Firdaus), "j" after a vowel is a modern j (Haji -> Hadji, never Hayi), and the
    two-letter rules own "dj", "tj", "sj", "nj" so "j"/"y" alone do not touch them.
    """
    sites: list[tuple[int, str, str]] = []
    n = len(lower)
    for i, char in enumerate(lower):
        prev = lower[i - 1] if i > 0 else ""
        nxt = lower[i + 1] if i + 1 < n else ""
        pair = lower[i : i + 2]
        if pair in _PAIR_REWRITES:
            sites.append((i, pair, _PAIR_REWRITES[pair]))
        if char == "u" and prev not in ("a", "o", "e") and nxt != "e":
            sites.append((i, "u", "oe"))
        elif char == "j" and prev not in ("d", "t", "s", "n"):
            if prev == "" or prev in _VOWELS or prev == "r":
                sites.append((i, "j", "dj"))
            if (prev == "" or (prev not in _VOWELS and prev != "r")) and nxt in _VOWELS:
                sites.append((i, "j", "y"))
        elif char == "y" and prev not in ("s", "n", "d", "t") and nxt in _VOWELS:
            sites.append((i, "y", "j"))
        elif char == "c" and nxt != "h" and prev != "t":
            sites.append((i, "c", "tj"))
    return sites


def _swap_spelling(tokens: list[str], rng: random.Random) -> list[str] | None:
    groups: dict[tuple[int, str, str], list[int]] = {}
    for index, token in enumerate(tokens):
        if not _is_ordinary(token):
            continue
        for position, source, replacement in _spelling_sites(token.lower()):
            groups.setdefault((index, source, replacement), []).append(position)
    if not groups:
        return None
    # dict keys are in insertion order (token order, then position): deterministic.
    index, source, replacement = rng.choice(list(groups))
    token = tokens[index]
    chosen: list[int] = []
    for position in groups[(index, source, replacement)]:
        if not chosen or position >= chosen[-1] + len(source):
            chosen.append(position)
        # A clerk rewrites a word, not a paragraph: at most two places, a small change.
        if len(chosen) == 2:
            break
    for position in reversed(chosen):
        new = _cased(replacement, token, position)
        token = token[:position] + new + token[position + len(source) :]
    out = list(tokens)
    out[index] = token
    return out


# --- the other rewrites -------------------------------------------------------------------


def _swap_muhammad(tokens: list[str], rng: random.Random) -> list[str] | None:
    indexes = [i for i, t in enumerate(tokens) if is_muhammad(t)]
    if not indexes:
        return None
    index = rng.choice(indexes)
    current = _key(tokens[index])
    form = MUHAMMAD_FORMS.pick(rng)
    while _key(form) == current:
        form = MUHAMMAD_FORMS.pick(rng)
    out = list(tokens)
    out[index] = form.upper() if len(tokens[index]) > 1 and tokens[index].isupper() else form
    return out


def _double_letter(tokens: list[str], rng: random.Random) -> list[str] | None:
    sites: list[tuple[int, int, bool]] = []  # (token, position, double?)
    for index, token in enumerate(tokens):
        if not _is_ordinary(token):
            continue
        lower = token.lower()
        for i in range(len(lower) - 1):
            if lower[i] == lower[i + 1] and lower[i].isalpha():
                sites.append((index, i, False))
            elif i > 0 and lower[i] in "dlmnrst" and lower[i - 1] in _VOWELS and lower[i + 1] in _VOWELS:
                sites.append((index, i, True))
    if not sites:
        return None
    index, i, double = rng.choice(sites)
    token = tokens[index]
    out = list(tokens)
    out[index] = token[: i + 1] + token[i].lower() + token[i + 1 :] if double else token[:i] + token[i + 1 :]
    if double and len(token) > 1 and token.isupper():
        out[index] = out[index].upper()
    return out


def _swap_trailing_iy(tokens: list[str], rng: random.Random) -> list[str] | None:
    indexes = [
        i
        for i, t in enumerate(tokens)
        if _is_ordinary(t)
        and len(t) >= 3
        and t[-1].lower() in ("i", "y")
        and t[-2].isalpha()
        and t[-2].lower() not in _VOWELS | {"i", "y"}
    ]
    if not indexes:
        return None
    index = rng.choice(indexes)
    token = tokens[index]
    new = "y" if token[-1].lower() == "i" else "i"
    out = list(tokens)
    out[index] = token[:-1] + (new.upper() if token[-1].isupper() else new)
    return out


def _drop_title(tokens: list[str], rng: random.Random) -> list[str] | None:
    """Drop a title, never leaving a name of titles only."""
    titles = [i for i, t in enumerate(tokens) if is_title(t)]
    if not titles or len(titles) == len(tokens):
        return None
    drop = rng.choice(titles)
    return [t for i, t in enumerate(tokens) if i != drop]


def _add_degree(tokens: list[str], rng: random.Random) -> list[str] | None:
    if any(_key(t) in _DEGREE_KEYS for t in tokens):
        return None
    return [*tokens, DEGREE_WEIGHTS.pick(rng)]


def _toggle_title(tokens: list[str], rng: random.Random) -> list[str]:
    """Always possible: drop a title if there is one, else add a degree."""
    return _drop_title(tokens, rng) or [*tokens, DEGREE_WEIGHTS.pick(rng)]


_Rewrite = Callable[[list[str], random.Random], list[str] | None]
_REWRITES: Final[tuple[tuple[_Rewrite, float], ...]] = (
    (_swap_spelling, 40),
    (_swap_muhammad, 30),
    (_double_letter, 15),
    (_swap_trailing_iy, 10),
    # Records disagree on titles more by leaving them out than by adding them.
    (_drop_title, 20),
    (_add_degree, 4),
)
_TITLE_REWRITES: Final = (_drop_title, _add_degree)
_SECOND_REWRITE_SHARE: Final = 0.25


def _shape(tokens: list[str]) -> list[str]:
    return ["title" if is_title(t) else "muhammad" if is_muhammad(t) else "word" for t in tokens]


def spelling_variant(name: str, rng: random.Random) -> str:
    """Rewrite ``name`` the way another agency's clerk might; the result always differs.

    One rewrite, a second one (of another kind) in a quarter of the calls. Only ``rng`` is
    used, so a seeded ``Random`` gives reproducible variants.
    """
    tokens = _tokens(name)
    if not tokens:
        raise ValueError("cannot make a spelling variant of an empty name")
    candidates = list(_REWRITES)
    applied = 0
    while candidates and applied < 2:
        rewrite = Weighted.of(candidates).pick(rng)
        candidates = [(r, w) for r, w in candidates if r is not rewrite]
        result = rewrite(tokens, rng)
        if result is None:
            continue
        if rewrite not in _TITLE_REWRITES and _shape(result) != _shape(tokens):
            continue  # a name word became a title or Muhammad ("Hjj" -> "Hj"): not a variant
        tokens = result
        applied += 1
        if rng.random() >= _SECOND_REWRITE_SHARE:
            break
    variant = _render(tokens)
    if variant == name or tokens == _tokens(name):
        variant = _render(_toggle_title(tokens, rng))
    return variant


def to_old_spelling(name: str) -> str:
    """Write a modern-spelled name in pre-1972 spelling: Suharto -> Soeharto, Cahyono -> Tjahjono.

    Used by the generator for people born before the reform, whose documents often keep it.
    Titles, Muhammad forms and words already in old spelling are left alone; a final y
    (Rizky) stays, it is not a consonant there.
    """
    return " ".join(_old_word(t) if _is_modern(t) else t for t in name.split())


_OLD_MARKERS: Final = ("oe", "dj", "tj", "sj", "nj", "ch")


def _is_modern(word: str) -> bool:
    """An ordinary word with no old-spelling marker (Tadjoja, Soeharto are left alone)."""
    return _is_ordinary(word) and not any(m in word.lower() for m in _OLD_MARKERS)


def _old_word(word: str) -> str:
    lower = word.lower()
    out: list[str] = []
    i = 0
    while i < len(lower):
        char = lower[i]
        prev = lower[i - 1] if i > 0 else ""
        step = 1
        if lower.startswith("kh", i):
            new, step = "ch", 2
        elif char == "c" and not lower.startswith("ch", i):
            new = "tj"
        elif char == "j":
            new = "dj"
        elif char == "y" and i + 1 < len(lower):
            new = "j"
        elif char == "u" and prev not in ("a", "o"):
            new = "oe"
        else:
            new = word[i : i + step]
            out.append(new)
            i += step
            continue
        out.append(_cased(new, word, i))
        i += step
    return "".join(out)
