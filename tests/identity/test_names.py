from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz import fuzz

from sinergi.identity.names import name_similarity, normalize_name, phonetic_key


def key(raw: str) -> str:
    return normalize_name(raw).key


def test_it_gives_old_and_new_spellings_the_same_key() -> None:
    assert key("Soeharto") == key("Suharto") == "suharto"
    assert key("Jusuf") == key("Yusuf")
    assert key("Tjahjono") == key("Cahyono")
    assert key("Chairul") == key("Khairul")
    assert key("Sjarifuddin") == key("Syarifudin")
    assert key("Ramadhan") == key("Ramadan")


def test_it_matches_a_titled_old_spelling_to_its_modern_form() -> None:
    assert key("H. Moch. Djoko Tjahjono, S.Pd.") == key("Muhammad Joko Cahyono")


def test_it_treats_final_y_as_i_and_collapses_doubled_letters() -> None:
    assert key("Rizky") == key("Rizki") == "rizki"
    assert key("Hanna") == key("Hana")


def test_it_keeps_the_written_form_for_display() -> None:
    name = normalize_name("  H.  Moch.\tDjoko  Tjahjono, S.Pd. ")

    assert name.written == "H. Moch. Djoko Tjahjono, S.Pd."


def test_it_keeps_balinese_prefixes_as_low_information_tokens() -> None:
    name = normalize_name("I Wayan Sudarta")

    assert name.tokens == ("i", "wayan", "sudarta")
    assert name.low_information == ("i", "wayan")
    assert name.informative_tokens == ("sudarta",)


def test_it_treats_caste_pairs_as_prefixes_only_together() -> None:
    assert normalize_name("Ida Bagus Agung Wiratama").low_information == (
        "ida",
        "bagus",
    )
    assert normalize_name("Anak Agung Ngurah Rai").low_information == ("anak", "agung")
    # Outside Bali "Agung" and "Bagus" are ordinary given names.
    assert normalize_name("Agung Prasetyo").low_information == ()
    assert normalize_name("Bagus Santoso").low_information == ()


def test_it_marks_very_common_first_words_as_low_information() -> None:
    name = normalize_name("Siti Nur Aisyah")

    assert name.low_information == ("siti", "nur")
    assert name.informative_tokens == ("aisyah",)


@pytest.mark.parametrize(
    "raw",
    [
        "H. Ahmad Dahlan",
        "Hj. Siti Aminah",
        "Hajjah Siti Aminah",
        "Haji Ahmad Dahlan",
        "KH Ahmad Dahlan",
        "K.H. Ahmad Dahlan",
        "Prof. Dr. Ir. H. Ahmad Dahlan, M.Sc.",
        "Drs. Ahmad Dahlan, M.Si.",
        "Dra. Siti Aminah",
        "Siti Aminah, S.Pd.",
        "Siti Aminah, SPd",
        "Siti Aminah S.Pd.I",
        "Siti Aminah, S. Pd.",
        "Siti Aminah, S.E., M.M.",
        "Siti Aminah, SE, MM",
        "Siti Aminah, S.H., M.H.",
        "Siti Aminah, S.Kep., Ns.",
        "Siti Aminah, A.Md.",
        "Siti Aminah, Amd.Kep",
        "Ahmad Dahlan, S.T.",
        "Ahmad Dahlan, S.Kom.",
        "Ahmad Dahlan, S.Sos.",
        "Ahmad Dahlan, S.Ag.",
        "Bc. Ahmad Dahlan",
        "Ny. Siti Aminah",
    ],
)
def test_it_never_keeps_titles_or_degrees_as_tokens(raw: str) -> None:
    tokens = normalize_name(raw).tokens

    assert tokens in {("ahmad", "dahlan"), ("siti", "aminah")}


def test_it_drops_a_bare_leading_title_only_when_a_name_follows() -> None:
    assert key("H Ahmad") == "ahmad"
    assert key("Hj Aminah") == "aminah"
    assert key("H") == "h"


def test_it_keeps_haji_inside_a_name() -> None:
    assert normalize_name("Ahmad Haji Yusuf").tokens == ("ahmad", "hayi", "yusuf")


def test_it_keeps_undotted_ambiguous_degree_letters_inside_the_name() -> None:
    # "Se" could be a name or initials; only a dot or a comma makes it a degree.
    assert normalize_name("Ahmad Se").tokens == ("ahmad", "se")
    assert normalize_name("Ahmad, SE").tokens == ("ahmad",)


@pytest.mark.parametrize(
    "written",
    [
        "Muhammad", "Muhamad", "Mohammad", "Mohamad", "Mochammad", "Mochamad", "Muhammed",
        "Mohammed", "Mohamed", "Muhamat", "Moh.", "Moch.", "Mochd", "Muh.", "Mhd", "Mohd.",
        "Moehammad", "Md", "M.", "M",
    ],
)  # fmt: skip
def test_it_reads_every_muhammad_spelling_as_muhammad(written: str) -> None:
    assert normalize_name(f"{written} Yusuf").tokens == ("muhammad", "yusuf")


def test_it_reads_a_single_m_as_muhammad_only_in_first_position() -> None:
    assert key("Ahmad M. Yusuf") == "ahmad m yusuf"
    assert key("M.") == "m"
    # Balinese "Md" after "I" is Made, not Muhammad.
    assert key("I Md Sudarta") == "i md sudarta"


def test_it_expands_common_abbreviations() -> None:
    assert key("St. Aminah") == key("Siti Aminah")
    assert key("Abd. Rahman") == key("Abdul Rahman")
    assert key("Achmad Yani") == key("Ahmad Yani")


def test_it_removes_apostrophes_inside_words_and_accents() -> None:
    assert key("Ma'ruf Amin") == key("Ma\u2019ruf Amin") == key("Maruf Amin") == "maruf amin"
    assert key("Nur'aini") == "nuraini"
    assert key("André Müller") == "andre muler"


def test_it_turns_other_punctuation_into_separators() -> None:
    assert normalize_name("Nur-Aini (Wawan)").tokens == ("nur", "aini", "wawan")


def test_it_handles_empty_names() -> None:
    name = normalize_name("  ")

    assert name.tokens == () and name.key == "" and name.written == ""
    assert name_similarity("", "Siti") == 0.0
    assert name_similarity("", "") == 0.0


def test_it_builds_consonant_skeletons_that_survive_spelling_and_typos() -> None:
    assert phonetic_key("Sudarta") == phonetic_key("Soedarto") == phonetic_key("Sudharta") == "sdrt"
    assert phonetic_key("Chairul") == phonetic_key("Khairul") == "krl"
    assert phonetic_key("Hasan") == phonetic_key("Hassan") == "hsn"
    assert phonetic_key("Moch.") == phonetic_key("Muhammad")
    assert phonetic_key("") == ""


def test_it_scores_equal_keys_as_identical() -> None:
    assert name_similarity("Soeharto", "Suharto") == 1.0
    assert name_similarity("H. Moch. Djoko Tjahjono, S.Pd.", "Muhammad Joko Cahyono") == 1.0


def test_it_down_weights_shared_low_information_tokens() -> None:
    weighted = name_similarity("I Wayan Sudarta", "I Wayan Budi")
    plain = fuzz.token_sort_ratio("i wayan sudarta", "i wayan budi") / 100

    assert weighted < plain
    assert weighted < 0.7
    # The same informative difference without the shared prefix scores alike,
    # so the prefix adds little.
    assert abs(weighted - name_similarity("Sudarta", "Budi")) < 0.25


def test_it_scores_a_mononym_inside_a_longer_name_high_but_not_identical() -> None:
    score = name_similarity("Sudarta", "I Wayan Sudarta")

    assert 0.8 < score < 1.0


def test_it_finds_split_and_joined_names() -> None:
    assert name_similarity("Nur Aini", "Nuraini") >= 0.9
    assert name_similarity("Abdul Rahman", "Abdurrahman") >= 0.8


def test_it_scores_unrelated_names_low() -> None:
    assert name_similarity("Siti Aminah", "Bambang Pamungkas") < 0.5


# Latin letters as Indonesian records write them, with a few accents and the
# apostrophe that appears in Arabic-derived names.
NAME_LETTERS = st.sampled_from(list("abcdefghijklmnopqrstuvwxyzéèüöáíñ'"))
# Every token has a letter: a name made only of apostrophes is no name.
NAME_TOKENS = st.text(alphabet=NAME_LETTERS, min_size=1, max_size=10).filter(lambda token: token.strip("'"))
NAMES = st.lists(NAME_TOKENS, min_size=1, max_size=4).map(" ".join)
TITLE_PREFIXES = [
    "H.",
    "Hj.",
    "Dr.",
    "Prof. Dr.",
    "Drs.",
    "Dra.",
    "Ir.",
    "KH",
    "K.H.",
    "Hajjah",
    "Haji",
    "H",
    "Hj",
    "Bc.",
]
DEGREE_SUFFIXES = [
    "", ", S.Pd.", ", SPd", " S.Pd.I", ", S.E., M.M.", ", SE", ", A.Md.", ", S.Kep., Ns.", ", M.Si", ", S. Pd.",
]  # fmt: skip


@given(st.text())
def test_it_never_raises_and_is_idempotent_on_arbitrary_text(raw: str) -> None:
    name = normalize_name(raw)

    assert normalize_name(name.key).key == name.key
    assert set(name.low_information) | set(name.informative_tokens) == set(name.tokens)
    phonetic_key(raw)


@given(NAMES)
def test_it_is_idempotent_on_its_key(raw: str) -> None:
    once = normalize_name(raw).key

    assert normalize_name(once).key == once


@given(NAMES)
def test_it_ignores_case(raw: str) -> None:
    assert key(raw.upper()) == key(raw.title()) == key(raw)


@given(
    NAMES,
    st.lists(
        st.sampled_from([" ", "  ", "-", "/", "_", " (", ") ", '"', "\t"]),
        min_size=4,
        max_size=4,
    ),
)
def test_it_ignores_punctuation_between_tokens(raw: str, separators: list[str]) -> None:
    tokens = raw.split(" ")
    punctuated = "".join(token + separator for token, separator in zip(tokens, separators, strict=False))

    assert key(punctuated) == key(raw)


@given(NAMES, st.sampled_from(TITLE_PREFIXES), st.sampled_from(DEGREE_SUFFIXES))
def test_it_ignores_titles_around_any_name(raw: str, title: str, degree: str) -> None:
    assert key(f"{title} {raw}{degree}") == key(raw)


@given(st.text(max_size=40), st.text(max_size=40))
def test_it_scores_similarity_symmetrically_between_zero_and_one(a: str, b: str) -> None:
    score = name_similarity(a, b)

    assert 0.0 <= score <= 1.0
    assert score == name_similarity(b, a)


@given(NAMES)
def test_it_scores_any_name_identical_to_itself(raw: str) -> None:
    if normalize_name(raw).tokens:
        assert name_similarity(raw, raw.upper()) == 1.0


# Pieces that exercise every rule at once: titles, degrees, abbreviations,
# Balinese prefixes, old spellings, and the dots and commas that change their
# meaning.
TRICKY_PIECES = st.sampled_from(
    [
        "H", "Hj", "Haji", "KH", "Dr", "Drs", "Ir", "Prof", "Ny", "St", "M", "Md", "Moch", "Mohd",
        "Muhammad", "Abd", "Achmad", "S", "Pd", "SPd", "Se", "E", "Si", "Amd", "I", "Ni", "Ida",
        "Bagus", "Wayan", "Djoko", "Tjahjono", "Soe", "Oe", "y", "jj", "dhh", "Siti", "Nur",
    ]
)  # fmt: skip
JOINERS = st.sampled_from([" ", ". ", ".", ", ", ",", "-", "'"])
TRICKY_NAMES = st.lists(st.tuples(TRICKY_PIECES, JOINERS), min_size=1, max_size=6).map(
    lambda pairs: "".join(piece + joiner for piece, joiner in pairs)
)


@given(TRICKY_NAMES)
def test_it_is_idempotent_on_names_full_of_titles_and_abbreviations(raw: str) -> None:
    once = normalize_name(raw).key

    assert normalize_name(once).key == once
