"""Indonesian personal names: a comparison form next to the written form.

The same person is written "H. Moch. Djoko Tjahjono, S.Pd." in one register and
"Muhammad Joko Cahyono" in another. Exact matching fails on titles, the many
spellings of Muhammad, pre-1972 spellings (oe, dj, tj, ch, nj, sj) that survive
in names, trailing y/i and doubled letters. :func:`normalize_name` keeps the
written form for display and produces canonical tokens for comparison; it
decides nothing about identity, it only removes differences that carry none.

Pipeline, in order:

1. Titles and degrees are removed while the dots and commas that identify them
   are still there: dotted degrees anywhere after the name has started
   ("S.Pd.", "M.Si", "S. Pd."), multi-letter dotted titles anywhere ("Dr.",
   "Hj.", "K.H."), and after the first comma every title or degree, dotted or
   not ("Siti Aminah, SPd").
2. Unicode NFKD, accents stripped, case folded; apostrophes removed inside
   words (Ma'ruf -> maruf); any other non-alphanumeric character separates
   tokens.
3. Each token is canonicalised: Muhammad spellings and abbreviations become
   ``muhammad``; then old spellings are respelled (oe->u, dj->j, tj->c, ch->kh,
   j->y, nj->ny, sj->sy, dh->d), a final y becomes i and doubled letters are
   collapsed, repeated until nothing changes.
4. Leading titles (H, Hj, Haji, KH, Dr, Prof, ...) are dropped while more
   tokens follow; undotted degrees that cannot be names (SPd, MPd) are dropped
   anywhere; a first token M, Md or St followed by more tokens is read as
   Muhammad or Siti.
5. Low-information tokens are marked, not removed: Balinese birth-order and
   caste prefixes at the start of the name, and very common first words
   (Siti, Nur, Abdul, Muhammad, Ahmad) anywhere.

The pipeline is idempotent: normalising a key gives the same key back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

# Removed, not turned into a separator: Ma'ruf and Maruf are the same name.
# U+00B4 (acute accent) must go before NFKD, which would split it into a space
# plus a combining mark.
_APOSTROPHES = re.compile("['\u2018\u2019\u201b`\u00b4\u02b9\u02bb\u02bc\u02bd]")

# Spelling rules from the 1947 and 1972 reforms, in the order they must run.
# dj->j runs before j->y so that old "Djoko" and new "Joko" both become "yoko";
# and j->y maps modern j as well as old j. That looks wrong on its own, but it
# is applied to both sides of every comparison, so old "Jusuf" and new "Yusuf"
# meet at "yusuf" and modern "Joko" still meets modern "Joko". nj->ny and sj->sy
# are already implied by j->y; they are listed so the rule set reads like the
# spelling reform it encodes.
_RESPELLINGS: tuple[tuple[str, str], ...] = (
    ("oe", "u"),
    ("dj", "j"),
    ("tj", "c"),
    ("ch", "kh"),
    ("j", "y"),
    ("nj", "ny"),
    ("sj", "sy"),
    ("dh", "d"),
)
_DOUBLED = re.compile(r"(.)\1+")
_NOT_ALNUM = re.compile(r"[^\w]|_")


def _words(text: str) -> frozenset[str]:
    """A word table written as running text, which reads better than quoted lists."""
    return frozenset(text.split())


_MUHAMMAD = "muhammad"
# Written forms of Muhammad (folded, dots removed). Matched before and after
# respelling, so "Moehammad" or "Muhamadd" also land here.
_MUHAMMAD_FORMS = _words(
    """
    muhammad muhamad muhammed muhamed muhamat muhammat mukhammad mukhamad
    mohammad mohamad mohammed mohamed mohamat mochammad mochamad mochamat
    moh moch mochd mohd muh mhd
    """
)
# Whole-token variants the spelling rules cannot merge: "ch" in Achmad is an
# old spelling of h, not of kh, so the rules would keep Achmad apart from Ahmad.
_WORD_VARIANTS: dict[str, str] = {
    "achmad": "ahmad",
    "akhmad": "ahmad",
    "achmat": "ahmad",
    "ahmat": "ahmad",
    "abd": "abdul",
}
# Abbreviations that mean a name only in first position with more tokens after
# it: "M. Yusuf" is Muhammad Yusuf and "St. Aminah" is Siti Aminah, but a lone
# or later "M" is just an initial, and Balinese "I Md" is I Made.
_FIRST_ONLY_ABBREVIATIONS: dict[str, str] = {
    "m": _MUHAMMAD,
    "md": _MUHAMMAD,
    "st": "siti",
}

# Titles that precede a name (folded, dots removed). "Haji" and "Hajjah" are
# titles only here; later in a name they are left alone.
_LEADING_TITLES = _words(
    """
    h hj haji hajji hajah hajjah hadji kh kyai kiai
    dr drs dra ir prof bc tn sdr sdri bpk bapak ibu
    """
)
# Titles recognised only with their dot: undotted "Ny" (Nyonya) respells to
# "ni", the Balinese prefix for women, and "Nn" (Nona) collapses to "n".
_DOTTED_ONLY_TITLES = frozenset({"ny", "nn"})
# Degrees that are never a name token, so they are dropped wherever they stand,
# with or without dots.
_UNAMBIGUOUS_DEGREES = _words(
    """
    spd spdi skom ssos sag skep skes skm sked skg spsi sfarm shut spt sth sak sip stp
    mpd mpdi msi mag mkes mkom mhum mkn msc mba phd
    amd amdkep amdkeb amdkes amdkom amapd lc
    """
)
# Degrees whose letters could also be a name or initials (Se, Sh, Ma...): only
# dropped when dotted or after a comma, where they can only be degrees.
_AMBIGUOUS_DEGREES = _words("se sh st ss ssi sst sei shi ssy str mm mh mt ma ama ns sp")
_ALL_DEGREES = _UNAMBIGUOUS_DEGREES | _AMBIGUOUS_DEGREES
_DOTTED_TITLES = frozenset(title for title in _LEADING_TITLES if len(title) > 1) | _DOTTED_ONLY_TITLES
# A degree is written in at most three short parts ("S. Pd. I", "A. Md. Kep").
_MAX_DEGREE_PARTS = 3
_MAX_DEGREE_PART_LENGTH = 4

# Balinese names start with sex (I, Ni, Luh), birth order (Wayan/Putu/Gede or Gde,
# Made/Kadek/Nengah, Nyoman/Komang, Ketut) and caste (Ida Bagus, Ida Ayu, Anak
# Agung, I Gusti, Gusti, Cokorda, Dewa, Desak) words shared by most of the
# island. Pairs are listed as pairs because "Agung" and "Bagus" alone are
# ordinary informative given names elsewhere.
_BALINESE_PREFIX_WORDS = _words(
    """
    i ni luh wayan putu gede gde made kadek nengah nyoman komang ketut
    gusti cokorda tjokorda dewa desak
    """
)
_BALINESE_PREFIX_PAIRS = frozenset({("ida", "bagus"), ("ida", "ayu"), ("anak", "agung"), ("i", "gusti")})
_COMMON_WORDS = frozenset({"siti", "nur", "abdul", "muhammad", "ahmad"})

# How much a low-information token counts in name_similarity, against 1.0 for
# an informative one: enough that "Sudarta" alone scores below "I Wayan
# Sudarta" against "I Wayan Sudarta", too little for a shared "I Wayan" to
# make two different people look alike.
LOW_INFORMATION_WEIGHT = 0.25
# A split or joined name ("Nur Aini"/"Nuraini") scores at most this much: the
# joined comparison ignores which tokens were low-information.
_JOINED_DISCOUNT = 0.95


@dataclass(frozen=True, slots=True)
class NormalizedName:
    """A name prepared for comparison.

    ``written`` is the name as given with whitespace tidied, for display.
    ``tokens`` are canonical tokens in written order; ``low_information`` the
    ones that say little about identity (in order), ``informative_tokens`` the
    rest.
    """

    written: str
    tokens: tuple[str, ...]
    low_information: tuple[str, ...]
    informative_tokens: tuple[str, ...]

    @property
    def key(self) -> str:
        """The canonical tokens joined by spaces; equal keys mean equal names."""
        return " ".join(self.tokens)


def normalize_name(raw: str) -> NormalizedName:
    """Normalise a name for comparison; see the module docstring for the steps."""
    written = " ".join(raw.split())
    tokens = _canonical_tokens(_without_titles_and_degrees(written))
    tokens = _without_leading_titles(tokens)
    if len(tokens) > 1 and tokens[0] in _FIRST_ONLY_ABBREVIATIONS:
        tokens[0] = _FIRST_ONLY_ABBREVIATIONS[tokens[0]]
    low_positions = _low_information_positions(tokens)
    return NormalizedName(
        written=written,
        tokens=tuple(tokens),
        low_information=tuple(token for position, token in enumerate(tokens) if position in low_positions),
        informative_tokens=tuple(token for position, token in enumerate(tokens) if position not in low_positions),
    )


@lru_cache(maxsize=1 << 16)
def phonetic_key(token: str) -> str:
    """A coarse consonant skeleton of one name token, for finding candidates despite typos.

    The canonical token's first letter, then its consonants without vowels or
    h, doubled letters collapsed: "Sudarta" -> "sdrt", "Soedarto" -> "sdrt".
    Several words given together are treated as one token.
    """
    canonical = "".join(_canonical_token(part) for part in _split_tokens(_fold(token)))
    if not canonical:
        return ""
    skeleton = canonical[0] + "".join(letter for letter in canonical[1:] if letter not in "aeiouh")
    return _DOUBLED.sub(r"\1", skeleton)


def name_similarity(a: str | NormalizedName, b: str | NormalizedName) -> float:
    """How alike two names are, from 0.0 (nothing shared) to 1.0 (same key).

    Each token of one name is matched with its most similar token in the other
    (rapidfuzz ``ratio`` on canonical tokens) and the matches are averaged with
    weights: 1.0 for an informative token, :data:`LOW_INFORMATION_WEIGHT` for a
    low-information one. This is done in both directions and the two averages
    are averaged, so the score is symmetric and a mononym found inside a longer
    name scores high but below 1. When the token counts differ, the names are
    also compared with their tokens joined, to catch a split or joined name
    ("Nur Aini"/"Nuraini"), and the better score is kept. An empty name has
    no evidence and scores 0.0.
    """
    first = a if isinstance(a, NormalizedName) else normalize_name(a)
    second = b if isinstance(b, NormalizedName) else normalize_name(b)
    if not first.tokens or not second.tokens:
        return 0.0
    if first.key == second.key:
        return 1.0
    score = (_directed_similarity(first, second) + _directed_similarity(second, first)) / 2
    if len(first.tokens) != len(second.tokens):
        joined = fuzz.ratio("".join(first.tokens), "".join(second.tokens)) / 100 * _JOINED_DISCOUNT
        score = max(score, joined)
    return min(1.0, max(0.0, score))


def _directed_similarity(source: NormalizedName, target: NormalizedName) -> float:
    weighted = [(token, 1.0) for token in source.informative_tokens] + [
        (token, LOW_INFORMATION_WEIGHT) for token in source.low_information
    ]
    total = sum(weight * max(fuzz.ratio(token, other) for other in target.tokens) / 100 for token, weight in weighted)
    return total / sum(weight for _, weight in weighted)


def _without_titles_and_degrees(written: str) -> str:
    """Step 1: drop titles and degrees that need dots or commas to be recognised."""
    name_part, comma, degree_part = written.partition(",")
    kept = _drop_in_name_part(name_part.split())
    if comma:
        kept += _drop_in_degree_part(degree_part.replace(",", " ").split())
    return " ".join(kept)


def _drop_in_name_part(chunks: Sequence[str]) -> list[str]:
    kept: list[str] = []
    name_started = False
    position = 0
    while position < len(chunks):
        width = _degree_width(chunks, position, dotted_only=True)
        compact = _compact(chunks[position])
        if width and not (not name_started and compact in _FIRST_ONLY_ABBREVIATIONS):
            # "St." before the name has started is Siti, not a degree.
            position += width
            continue
        if "." in chunks[position] and compact in _DOTTED_TITLES:
            position += 1
            continue
        if compact not in _LEADING_TITLES:
            name_started = True
        kept.append(chunks[position])
        position += 1
    # A name that is nothing but a title ("Dr.") keeps it: an empty name would
    # claim there is no name at all.
    return kept if kept else list(chunks)


def _drop_in_degree_part(chunks: Sequence[str]) -> list[str]:
    # After the first comma only degrees and titles are expected; anything else
    # is kept, because "Aminah, Siti" puts a name there.
    kept: list[str] = []
    position = 0
    while position < len(chunks):
        width = _degree_width(chunks, position, dotted_only=False)
        if width:
            position += width
        elif _compact(chunks[position]) in _LEADING_TITLES | _DOTTED_ONLY_TITLES:
            position += 1
        else:
            kept.append(chunks[position])
            position += 1
    return kept


def _degree_width(chunks: Sequence[str], start: int, *, dotted_only: bool) -> int:
    """How many chunks from ``start`` spell a degree (0 if none), longest first.

    In the name part a degree must be dotted: every chunk but the last ends in
    a dot ("S. Pd"), and a single chunk contains one ("S.Pd").
    """
    for width in range(_MAX_DEGREE_PARTS, 0, -1):
        window = chunks[start : start + width]
        if len(window) < width:
            continue
        if width > 1 and any(len(_compact(chunk)) > _MAX_DEGREE_PART_LENGTH for chunk in window):
            continue
        if dotted_only:
            if width == 1 and "." not in window[0]:
                continue
            if width > 1 and not all(chunk.endswith(".") for chunk in window[:-1]):
                continue
        if "".join(_compact(chunk) for chunk in window) in _ALL_DEGREES:
            return width
    return 0


def _canonical_tokens(text: str) -> list[str]:
    """Steps 2 and 3: fold, split into tokens, canonicalise each."""
    tokens = (_canonical_token(token) for token in _split_tokens(_fold(text)))
    return [token for token in tokens if token]


def _without_leading_titles(tokens: list[str]) -> list[str]:
    """Step 4: leading titles while more tokens follow, then unambiguous degrees anywhere."""
    start = 0
    while len(tokens) - start > 1 and (
        tokens[start] in _CANONICAL_LEADING_TITLES or tokens[start] in _CANONICAL_DEGREES
    ):
        start += 1
    return [token for token in tokens[start:] if token not in _CANONICAL_DEGREES]


def _low_information_positions(tokens: Sequence[str]) -> set[int]:
    """Step 5: Balinese prefixes at the start, common first words anywhere."""
    positions: set[int] = set()
    position = 0
    while position < len(tokens):
        if tuple(tokens[position : position + 2]) in _CANONICAL_BALINESE_PAIRS:
            positions.update((position, position + 1))
            position += 2
        elif tokens[position] in _CANONICAL_BALINESE_WORDS:
            positions.add(position)
            position += 1
        else:
            break
    positions.update(position for position, token in enumerate(tokens) if token in _CANONICAL_COMMON_WORDS)
    return positions


def _fold(text: str) -> str:
    """Accent-free, case-folded text without apostrophes.

    Repeated until stable, because case folding and compatibility decomposition
    can each expose work for the other (a ligature that decomposes into
    capitals, a capital that folds into a letter plus a combining mark).
    """
    previous = None
    current = text
    while current != previous:
        previous = current
        decomposed = unicodedata.normalize("NFKD", _APOSTROPHES.sub("", current).casefold())
        current = "".join(character for character in decomposed if not unicodedata.combining(character))
    return current


def _split_tokens(folded: str) -> list[str]:
    return [token for token in _NOT_ALNUM.split(folded) if token]


@lru_cache(maxsize=1 << 14)
def _compact(chunk: str) -> str:
    """A chunk as title and degree tables spell it: folded, letters and digits only."""
    return "".join(_split_tokens(_fold(chunk)))


def _respell(token: str) -> str:
    """Apply the spelling rules, final y->i and collapsing until nothing changes."""
    previous = None
    current = token
    while current != previous:
        previous = current
        for old, new in _RESPELLINGS:
            current = current.replace(old, new)
        if current.endswith("y"):
            current = current[:-1] + "i"
        current = _DOUBLED.sub(r"\1", current)
    return current


# Names are made of far fewer words than there are names: a million records of a registry hold some tens of
# thousands of words, and the linkage preparation normalises every name (identity per word, cached).
@lru_cache(maxsize=1 << 16)
def _canonical_token(token: str) -> str:
    # Known forms are looked up before respelling (Mochammad would otherwise
    # become "mokhamad", far from "muhamad") and after it (Moehammad).
    for form in (token, _respell(token)):
        if form in _CANONICAL_MUHAMMAD_FORMS or form in _MUHAMMAD_FORMS:
            return _MUHAMMAD
        if form in _WORD_VARIANTS:
            return _WORD_VARIANTS[form]
        if form in _CANONICAL_WORD_VARIANTS:
            return _CANONICAL_WORD_VARIANTS[form]
    return _respell(token)


def _canonical_set(words: Iterable[str]) -> frozenset[str]:
    return frozenset(_respell(word) for word in words)


# The tables above are written as people write the words; comparisons happen
# on canonical tokens, so each table also exists in respelled form. Muhammad
# keeps its full spelling as the canonical token, so keys stay readable.
_CANONICAL_MUHAMMAD_FORMS = _canonical_set(_MUHAMMAD_FORMS)
_CANONICAL_WORD_VARIANTS = {_respell(word): canonical for word, canonical in _WORD_VARIANTS.items()}
_CANONICAL_LEADING_TITLES = _canonical_set(_LEADING_TITLES)
_CANONICAL_DEGREES = _canonical_set(_UNAMBIGUOUS_DEGREES)
_CANONICAL_BALINESE_WORDS = frozenset(_canonical_token(word) for word in _BALINESE_PREFIX_WORDS)
_CANONICAL_BALINESE_PAIRS = frozenset(
    (_canonical_token(first), _canonical_token(second)) for first, second in _BALINESE_PREFIX_PAIRS
)
_CANONICAL_COMMON_WORDS = frozenset(_canonical_token(word) for word in _COMMON_WORDS)
