"""The comparisons and blocking rules of Sinergi's model, as Splink settings.

Each comparison is a list of levels, most specific first; Splink learns how
much each level says (its m and u probabilities) and adds up the match
weights. Levels are plain DuckDB SQL over the features of
:mod:`sinergi.linkage.prepare` (``_l``/``_r`` suffixes: left and right record).

Every piece of evidence is counted in one comparison only, so Splink's
independence assumption is not stretched twice by the same fact: the NIK's
embedded birth date is a level of the *birth date* comparison ("the date
agrees with the other record's NIK"), its sex a fallback of the *sex*
comparison, its region of first issue a level of the *region* comparison.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final, Literal

# Similarity cut-offs (Jaro-Winkler, 0-1) tuned on the synthetic benchmark.
NAME_CLOSE: Final = 0.92
NAME_PHONETIC_CLOSE: Final = 0.88
NAME_LOOSE: Final = 0.80
NAME_TYPED: Final = 0.85  # "Rukni" / "Rukmini", "Hedbra" / "Hendra"
NAME_TYPED_EDITS: Final = 2  # letters inserted, left out or replaced
PLACE_CLOSE: Final = 0.88
ADDRESS_CLOSE: Final = 0.90
DATE_NEAR_DAYS: Final = 3

# birth_any is the record's own birth date, else its NIK's (see prepare.py).
_BIRTH_L: Final = "birth_any_l"
_BIRTH_R: Final = "birth_any_r"


def _level(sql: str, label: str, *, null: bool = False, tf: str | None = None) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    if tf is not None:
        level["tf_adjustment_column"] = tf
        level["tf_adjustment_weight"] = 1.0
    return level


# One record has the first words of the other's name, a later name left out
# ("Ahmad" / "Ahmad Fauzi", "Ni Ketut" / "Ni Ketut Sri"), as officials shorten names.
NAME_LEFT_OUT: Final = "(name_key_r LIKE (name_key_l || ' %') OR name_key_l LIKE (name_key_r || ' %'))"


# The first or last informative word of one name spelt closely like the first
# or last of the other (either order: given name and surname swapped), the
# other word different: "Jade Smallacombe" / "Bailldy Smallscombe". Words of one
# letter-for-letter spelling are already a shared token.
ONE_WORD_ALIKE: Final = " OR ".join(
    f"jaro_winkler_similarity(name_{a}_l, name_{b}_r) >= {NAME_CLOSE}"
    for a, b in (("first", "first"), ("last", "last"), ("first", "last"), ("last", "first"))
)


# All informative words of one name are words of the other ("Pangalila" / "Husain Pangalila").
NAME_CONTAINED: Final = (
    "(list_has_all(name_inf_tokens_l, name_inf_tokens_r) OR list_has_all(name_inf_tokens_r, name_inf_tokens_l))"
)


def _spelt_alike(cutoff: float) -> str:
    """Informative words spelt alike, sorted (words swapped) or in written order (a first letter mistyped)."""
    return (
        f"(jaro_winkler_similarity(name_inf_key_l, name_inf_key_r) >= {cutoff} "
        f"OR jaro_winkler_similarity(name_inf_text_l, name_inf_text_r) >= {cutoff})"
    )


# Family members share a KK, a phone, an address, a village and often a
# birth place: evidence that two records are the same *household*. Counted
# as independent evidence it outweighs any name or birth-date disagreement
# (a mother and daughter both called Siti Aminah, two brothers of one marga),
# so these comparisons only count when the names and the birth dates could
# belong to one person; otherwise they say nothing (a null level, weight 0).
SAME_PERSON_POSSIBLE: Final = (
    "(name_key_l IS NULL OR name_key_r IS NULL OR name_key_l = name_key_r OR name_inf_key_l = name_inf_key_r "
    "OR name_phon_l = name_phon_r OR ((name_phon_first_l = name_phon_first_r OR name_phon_last_l = name_phon_last_r) "
    f"AND jaro_winkler_similarity(name_inf_key_l, name_inf_key_r) >= {NAME_LOOSE}) "
    f"OR {_spelt_alike(NAME_TYPED)} OR {NAME_LEFT_OUT} OR {NAME_CONTAINED}) "
    f"AND ({_BIRTH_L} IS NULL OR {_BIRTH_R} IS NULL OR abs(year({_BIRTH_L}) - year({_BIRTH_R})) <= 1 "
    f"OR (month({_BIRTH_L}) = month({_BIRTH_R}) AND day({_BIRTH_L}) = day({_BIRTH_R})))"
)
"""Names that sound alike in full (or in the first or last informative word, the rest loosely alike: not
two siblings' given names before one family name) or are spelt alike (a typo), and birth dates at most a
year or a typo apart."""


# Few random pairs pass that gate (about one in two thousand), too few for
# random sampling to see how often two *different* people who could be one
# share a KK or a phone; the chance is taken to be at least this.
HOUSEHOLD_U_FLOOR: Final = 0.001


HOUSEHOLD_GATE_LABEL: Final = "Name or birth date rule out one person"


def _household(comparison: dict[str, Any], *, counted_by: Iterable[str] = (), gated: bool = True) -> dict[str, Any]:
    """The comparison with a first level that ignores it when name or birth date rule out one person.

    ``counted_by``: household comparisons checked before this one. One family
    shares its KK, its address and often its phone, so when an earlier one
    agrees, this one is ignored too: the household's evidence counts once.
    ``gated``: whether the gate applies -- only to inputs that record households
    (NIK or KK, see :func:`comparisons_for`).
    """
    levels = comparison["comparison_levels"]
    gate = [_level(f"NOT ({SAME_PERSON_POSSIBLE})", HOUSEHOLD_GATE_LABEL, null=True)] if gated else []
    earlier = [f"({column}_l = {column}_r)" for column in counted_by]
    if earlier:
        already = _level(" OR ".join(earlier), "The household agrees on " + " or ".join(counted_by), null=True)
        return {**comparison, "comparison_levels": [levels[0], *gate, already, *levels[1:]]}
    return {**comparison, "comparison_levels": [levels[0], *gate, *levels[1:]]}


def is_household_gated(comparison: dict[str, Any]) -> bool:
    return any(level["label_for_charts"] == HOUSEHOLD_GATE_LABEL for level in comparison["comparison_levels"])


def _else() -> dict[str, Any]:
    return _level("ELSE", "All other comparisons")


def _comparison(name: str, description: str, levels: list[dict[str, Any]]) -> dict[str, Any]:
    return {"output_column_name": name, "comparison_description": description, "comparison_levels": levels}


def _null_either(column: str) -> dict[str, Any]:
    return _level(f"{column}_l IS NULL OR {column}_r IS NULL", f"{column} missing", null=True)


def name_comparison() -> dict[str, Any]:
    shared_rare = "list_has_any(name_rare_tokens_l, name_rare_tokens_r)"
    contained = NAME_CONTAINED
    return _comparison(
        "name",
        "Names normalised by the identity core; common tokens count for less",
        [
            _null_either("name_key"),
            _level("name_key_l = name_key_r", "Same normalised name", tf="name_key"),
            _level("name_inf_key_l = name_inf_key_r", "Same informative tokens", tf="name_inf_key"),
            _level(
                f"name_phon_l = name_phon_r AND jaro_winkler_similarity(name_inf_key_l, name_inf_key_r) "
                f">= {NAME_PHONETIC_CLOSE}",
                "Same phonetic key, close spelling",
            ),
            # On the informative words: "Siti " in front of two different names
            # would otherwise give them Jaro-Winkler's prefix bonus ("Siti
            # Febriani" / "Siti Suriani": 0.93, a close spelling).
            _level(_spelt_alike(NAME_CLOSE), "Close spelling"),
            _level(f"{contained} AND {shared_rare}", "One name inside the other, with a rare token"),
            _level(shared_rare, "Share a rare token"),
            _level(contained, "One name inside the other, common tokens"),
            _level(NAME_LEFT_OUT, "One name is the start of the other (a later name left out)"),
            _level(ONE_WORD_ALIKE, "One word spelt alike, the other different"),
            _level(
                "list_has_any(name_inf_tokens_l, name_inf_tokens_r) OR "
                f"jaro_winkler_similarity(name_inf_key_l, name_inf_key_r) >= {NAME_LOOSE}",
                "Share a common token or loosely similar",
            ),
            # A short name an official typed with two slips ("Yuuf" / "Yusuf", "Jyfi" / "Jufri"): Jaro-Winkler
            # scores short words harshly, so without this level the name counted as clearly different.
            _level(f"levenshtein(name_inf_key_l, name_inf_key_r) <= {NAME_TYPED_EDITS}", "Two typing slips apart"),
            _else(),
        ],
    )


def birth_date_comparison() -> dict[str, Any]:
    year = f"year({_BIRTH_L}) = year({_BIRTH_R})"
    month = f"month({_BIRTH_L}) = month({_BIRTH_R})"
    day = f"day({_BIRTH_L}) = day({_BIRTH_R})"
    # Two records with the same valid NIK carry the same embedded date by
    # construction: that is the NIK comparison's evidence. Then only their own
    # dates are compared here (a swapped day and month still shows).
    different_nik = "(nik_l IS NULL OR nik_r IS NULL OR nik_l <> nik_r)"
    return _comparison(
        "birth_date",
        "Birth date; a NIK's embedded date stands in for a missing one and is checked against the other's",
        [
            _level(
                f"{_BIRTH_L} IS NULL OR {_BIRTH_R} IS NULL OR "
                "(nik_l = nik_r AND (birth_date_l IS NULL OR birth_date_r IS NULL))",
                "Birth date missing",
                null=True,
            ),
            _level("birth_date_l = birth_date_r", "Same birth date", tf="birth_date"),
            _level(
                f"{_BIRTH_L} = {_BIRTH_R} OR ({different_nik} AND "
                "(nik_birth_date_l = birth_date_r OR birth_date_l = nik_birth_date_r))",
                "Birth date agrees with the other record's NIK",
            ),
            _level(
                f"{year} AND month({_BIRTH_L}) = day({_BIRTH_R}) AND day({_BIRTH_L}) = month({_BIRTH_R})",
                "Day and month swapped",
            ),
            _level(
                f"({year} AND ({month} OR {day})) OR ({month} AND {day} AND "
                f"levenshtein(CAST(year({_BIRTH_L}) AS VARCHAR), CAST(year({_BIRTH_R}) AS VARCHAR)) <= 1) OR "
                f"abs(date_diff('day', {_BIRTH_L}, {_BIRTH_R})) <= {DATE_NEAR_DAYS}",
                "One part differs (a year in one digit), or within a few days",
            ),
            # Officials write 1 January when the day and month are unknown (KTP and KK data are full of
            # them): then only the year was known, and it agrees.
            _level(
                f"{year} AND ((month({_BIRTH_L}) = 1 AND day({_BIRTH_L}) = 1) "
                f"OR (month({_BIRTH_R}) = 1 AND day({_BIRTH_R}) = 1))",
                "Same year, one date 1 January (day and month unknown)",
            ),
            _level(year, "Same year only"),
            _else(),
        ],
    )


def sex_comparison() -> dict[str, Any]:
    left, right = "coalesce(sex_l, nik_sex_l)", "coalesce(sex_r, nik_sex_r)"
    return _comparison(
        "sex",
        "Sex as recorded, or as the NIK encodes it",
        [
            _level(f"{left} IS NULL OR {right} IS NULL", "Sex missing", null=True),
            _level(f"{left} = {right}", "Same sex"),
            _else(),
        ],
    )


# Levels whose evidence is conditional on what the birth date, sex and
# region comparisons already counted (see nik_comparison). u: how often two
# *different* people show the pattern given that agreement -- nearly always:
# people born the same day, of the same sex, in the same district differ only
# in the serial (a NIK is unique), and people born the same day differ in the
# region part. m: how often one person's two NIKs show it given the same
# agreement -- a typo that happens to give another valid NIK, taken to be one
# in a hundred. Random sampling cannot see the first, and EM on a few thousand
# pairs does not see enough of the second, so both are fixed: about -6.6 bits.
NIK_NEIGHBOUR_U: Final = 0.99
NIK_NEIGHBOUR_M: Final = 0.01


def nik_comparison() -> dict[str, Any]:
    """The NIK by its parts: region (digits 1-6), birth date and sex (7-12), serial (13-16).

    The region, birth date and sex a NIK embeds are counted by the region,
    birth date and sex comparisons (the NIK's stand in for missing ones). What
    the NIK adds beyond them is the serial, which tells apart people born the
    same day in the same district. So two NIKs that agree except in the serial
    (or except in the district, with the same birth date and sex) are not
    "nearly the same NIK" -- they are what any two such people have -- and
    these levels carry a *conditional* u: how often different people differ
    there *given* the agreement already counted elsewhere, nearly always. Their
    weight is then about log2(m), evidence against unless a typo is likely,
    and a clearly different name is never outweighed by them.
    """
    typed_or_rounded = (
        "nik_serial_l IS NULL OR nik_serial_r IS NULL OR nik_serial_l LIKE '%0' OR nik_serial_r LIKE '%0'"
    )
    return _comparison(
        "nik",
        "NIK by its parts (region, birth date and sex, serial); evidence beyond date, sex and region",
        [
            _null_either("nik_prefix15"),
            _level("nik_digits_l = nik_digits_r", "Same NIK"),
            # The 16th digit rounded to 0 by Excel (detected: serial 0000; or
            # not: a serial ending in 0). The fifteen surviving digits are the
            # head, already counted, and the first three serial digits, which
            # different people of one head share too (serials start at 0001):
            # nothing more to count.
            _level(
                f"nik_prefix15_l = nik_prefix15_r AND ({typed_or_rounded})",
                "NIK the same as far as Excel left it (region, date and sex counted elsewhere)",
                null=True,
            ),
            # Serials are counted from 0001 per district, birth date and sex,
            # so two real ones differ in the last digits; apart in the first
            # two digits, one of them was mistyped.
            _level(
                "nik_head_l = nik_head_r AND substr(nik_serial_l, 1, 2) <> substr(nik_serial_r, 1, 2)",
                "Same region, birth date and sex in the NIK; a serial mistyped",
            ),
            _fixed(
                _level("nik_head_l = nik_head_r", "Same region, birth date and sex in the NIK; another serial"),
            ),
            # A region part that is no district (the NIK fails its checks) was mistyped:
            # one typo (or two digits swapped), the serial untouched. Only a serial few
            # people share says so strongly: most people's is 0001 (the first born that day
            # in their district), so people born the same day in other districts share it
            # and a mistyped region lands near one of theirs.
            *_unless_first_serial(
                "nik_date_sex_l = nik_date_sex_r AND nik_serial_l = nik_serial_r "
                "AND hamming(nik_digits_l, nik_digits_r) <= 2 "
                "AND ((nik_l IS NULL AND nik_digits_l IS NOT NULL) OR (nik_r IS NULL AND nik_digits_r IS NOT NULL))",
                "Same birth date and sex in the NIK; a region mistyped",
            ),
            _fixed(
                _level("nik_date_sex_l = nik_date_sex_r", "Same birth date and sex in the NIK; another district"),
            ),
            # A typo in the date part: same region and serial, one or two digits
            # apart, and not two NIKs that each agree with their own record's
            # birth date (people born a day apart in one district, both serial
            # 0001; or twins of each sex, whose NIKs differ in the day's +40).
            # The same holds for the serial here: two people born days apart in one district
            # are both most likely 0001.
            *_unless_first_serial(
                "nik_region_l = nik_region_r AND nik_serial_l = nik_serial_r "
                "AND hamming(nik_digits_l, nik_digits_r) <= 2 "
                "AND NOT coalesce(nik_own_date_l AND nik_own_date_r, false)",
                "NIK one or two digits apart in the birth date part",
            ),
            _else(),
        ],
    )


# The serial most people have: serials count from 0001 per district, birth date and sex, and few districts
# register two people of one sex born on one day (in the benchmarks' registries 86 % of NIKs end in 0001).
# Two NIKs that share it and are a typo apart say little: of the people born the same day with the same sex
# elsewhere in the province, about a quarter have a district code within two digits of a mistyped one, and
# most of them have serial 0001 too, while one person's two NIKs with one typo nearly always show it. So the
# level is worth about log2(1 / 0.25) = 2 bits, against the 13 or so learnt for a serial few people share.
# As with the neighbour levels above, m and u are fixed (m as there; u so that m / u = 4).
FIRST_SERIAL: Final = "0001"
FIRST_SERIAL_BITS: Final = 2.0


def _unless_first_serial(condition: str, label: str) -> list[dict[str, Any]]:
    """A NIK level whose evidence is a shared serial, in two: with the serial most people have it is weak (a fixed
    weight, above); with any other it is learnt as before."""
    return [
        {
            **_level(f"{condition} AND nik_serial_l = '{FIRST_SERIAL}'", f"{label}; the serial most people have"),
            "m_probability": NIK_NEIGHBOUR_M,
            "u_probability": NIK_NEIGHBOUR_M / 2**FIRST_SERIAL_BITS,
            "fix_m_probability": True,
            "fix_u_probability": True,
        },
        _level(condition, label),
    ]


def _fixed(level: dict[str, Any]) -> dict[str, Any]:
    """A level whose m and u are conditional on other comparisons' agreement (see NIK_NEIGHBOUR_U)."""
    return {
        **level,
        "m_probability": NIK_NEIGHBOUR_M,
        "u_probability": NIK_NEIGHBOUR_U,
        "fix_m_probability": True,
        "fix_u_probability": True,
    }


def region_comparison() -> dict[str, Any]:
    own = "region_province_l IS NOT NULL AND region_province_r IS NOT NULL"
    cross = "region_regency_l = nik_regency_r OR nik_regency_l = region_regency_r"
    cross_known = (
        "(region_regency_l IS NOT NULL AND nik_regency_r IS NOT NULL) OR "
        "(nik_regency_l IS NOT NULL AND region_regency_r IS NOT NULL)"
    )
    return _comparison(
        "region",
        "Region of the address at village, district, regency and province level; NIK's region of issue",
        [
            _level(f"NOT ({own}) AND NOT ({cross_known})", "Region missing", null=True),
            _level("region_village_l = region_village_r", "Same village"),
            _level("region_district_l = region_district_r", "Same district"),
            _level("region_regency_l = region_regency_r", "Same regency"),
            _level(cross, "Lives in the regency that issued the other record's NIK"),
            _level("region_province_l = region_province_r", "Same province"),
            _else(),
        ],
    )


def _exact(
    name: str, column: str, description: str, *, tf: bool = False, typo: bool | Literal["swap"] = False
) -> dict[str, Any]:
    levels = [
        _null_either(column),
        _level(f"{column}_l = {column}_r", f"Same {name}", tf=column if tf else None),
    ]
    if typo:
        levels.append(
            _level(
                f"length({column}_l) = length({column}_r) AND hamming({column}_l, {column}_r) <= 1",
                f"{name} one character apart",
            )
        )
    if typo == "swap":
        # Two characters mistyped or swapped, as officials type ids: 6503115 / 6501315.
        levels.append(
            _level(
                f"length({column}_l) = length({column}_r) AND hamming({column}_l, {column}_r) <= 2",
                f"{name} two characters apart (or swapped)",
            )
        )
    levels.append(_else())
    return _comparison(name, description, levels)


def _similar(name: str, column: str, description: str, cutoff: float, *, tf: bool) -> dict[str, Any]:
    return _comparison(
        name,
        description,
        [
            _null_either(column),
            _level(f"{column}_l = {column}_r", f"Same {name}", tf=column if tf else None),
            _level(f"jaro_winkler_similarity({column}_l, {column}_r) >= {cutoff}", f"Similar {name}"),
            _else(),
        ],
    )


def address_comparison() -> dict[str, Any]:
    return _comparison(
        "address",
        "Address line; its numbers (house number, RT/RW, postcode) on their own",
        [
            _null_either("address"),
            _level("address_l = address_r", "Same address"),
            _level(f"jaro_winkler_similarity(address_l, address_r) >= {ADDRESS_CLOSE}", "Similar address"),
            # The street name misspelt or abbreviated, the numbers intact.
            _level("address_numbers_l = address_numbers_r", "Same numbers (house, RT/RW, postcode)"),
            # The street, place and area alike, a number mistyped or another house in the street.
            _level(
                f"jaro_winkler_similarity(address_text_l, address_text_r) >= {ADDRESS_CLOSE}",
                "Similar words, numbers aside",
            ),
            # One number kept (the house number, or the postcode), the others mistyped or left out.
            _level("list_has_any(address_number_list_l, address_number_list_r)", "Share a number"),
            _else(),
        ],
    )


COMPARISONS: Final[dict[str, Any]] = {
    "name": lambda gated: name_comparison(),
    "birth_date": lambda gated: birth_date_comparison(),
    "sex": lambda gated: sex_comparison(),
    "nik": lambda gated: nik_comparison(),
    "kk": lambda gated: _household(_exact("kk", "kk", "Kartu Keluarga number (weak: households change)"), gated=gated),
    "passport": lambda gated: _exact("passport", "passport", "Passport number", typo=True),
    "phone": lambda gated: _household(
        _exact("phone", "phone", "Phone number (E.164)"), counted_by=("kk",), gated=gated
    ),
    # Twins and siblings share a birth place too.
    "birth_place": lambda gated: _household(
        _similar("birth_place", "birth_place", "Place of birth", PLACE_CLOSE, tf=True), gated=gated
    ),
    "address": lambda gated: _household(address_comparison(), counted_by=("kk", "phone"), gated=gated),
    # A KK is issued for one address, so the same KK (or address) already says "same village".
    "region": lambda gated: _household(region_comparison(), counted_by=("kk", "address"), gated=gated),
    "other_id": lambda gated: _exact("other_id", "other_id", "Other shared id (PMI ID, DTKS id)", typo="swap"),
}
# Inputs that record households: the household gate applies (see _household).
HOUSEHOLD_FEATURES: Final = frozenset({"nik", "kk"})


def comparisons_for(features: Iterable[str]) -> list[dict[str, Any]]:
    """Splink comparison dicts for the feature groups both inputs have, in a fixed order.

    The household gate applies when both inputs carry a NIK or a KK: Indonesian
    civil-registry data, where a family's members share a KK, an address and a
    phone and a shared one says "same household" as often as "same person".
    Without them the household comparisons count as in any Fellegi-Sunter model.
    """
    present = set(features)
    gated = bool(present & HOUSEHOLD_FEATURES)
    return [build(gated) for group, build in COMPARISONS.items() if group in present]


# On the address as few records share it (prepare.mark_shared_addresses): a household's line, not a hamlet's.
_ADDRESS_RULE: Final = "l.address_shared = r.address_shared"
_ADDRESS_NUMBERS_RULE: Final = (
    "l.address_numbers_shared = r.address_numbers_shared "
    "AND jaro_winkler_similarity(l.address_text, r.address_text) >= 0.9"
)
_SAME_DATE_PARTS: Final = (
    "(month(l.birth_any) = month(r.birth_any) OR day(l.birth_any) = day(r.birth_any) OR "
    "(month(l.birth_any) = day(r.birth_any) AND day(l.birth_any) = month(r.birth_any)) OR "
    # 1 January written for a day and month nobody knew.
    "(month(l.birth_any) = 1 AND day(l.birth_any) = 1) OR (month(r.birth_any) = 1 AND day(r.birth_any) = 1))"
)
# Two misspellings at once, a name word and a date part: one word's sound and the year find them. A common
# first word ("Rahmat") born in one year makes many such pairs, so where the records have regions the rules hold
# within one regency (the record's own, else its NIK's). Across the own set at 100,000 x 1,000,000 the two rules
# made 1.76 of the 4.10 million candidate pairs; within a regency 0.32 million, and one true pair of 50,000 was no
# longer a candidate (bench/linkage_rules.py, session 17; docs/linkage.md, rules 4 and 5).
_WORD_AND_YEAR_RULES: Final = tuple(
    f"l.{word} = r.{word} AND l.birth_year = r.birth_year AND {_SAME_DATE_PARTS}"
    for word in ("name_phon_first", "name_phon_last")
)
_SAME_REGENCY: Final = "coalesce(l.region_regency, l.nik_regency) = coalesce(r.region_regency, r.nik_regency)"
# Blocking rules for prediction, with the feature groups each needs. Together
# they keep recall when the NIK is missing or damaged: a pair is scored when
# any one rule lets it through. Each is an equality join (cheap in DuckDB),
# some with a cheap filter that drops pairs no level could score as a match.
BLOCKING_RULES: Final[tuple[tuple[str, frozenset[str]], ...]] = (
    # Same NIK digits (valid or not): the strongest single key.
    ("l.nik_digits = r.nik_digits", frozenset({"nik"})),
    # The same first fifteen digits: a NIK whose 16th digit Excel rounded to 0.
    ("l.nik_prefix15 = r.nik_prefix15", frozenset({"nik"})),
    # Same phonetic name and year, with month or day agreeing or swapped.
    (
        f"l.name_phon = r.name_phon AND l.birth_year = r.birth_year AND {_SAME_DATE_PARTS}",
        frozenset({"name", "birth_date"}),
    ),
    # Same phonetic name, day and month, a year one digit apart.
    (
        "l.name_phon = r.name_phon AND month(l.birth_any) = month(r.birth_any) "
        "AND day(l.birth_any) = day(r.birth_any) AND levenshtein(l.birth_year, r.birth_year) <= 1",
        frozenset({"name", "birth_date"}),
    ),
    # First or last informative word sounds alike (a word added, dropped or badly misspelt) and the birth year
    # with month or day agreeing (or swapped); in the same regency where the records have regions.
    *((rule, frozenset({"name", "birth_date"})) for rule in _WORD_AND_YEAR_RULES),
    *((f"{rule} AND {_SAME_REGENCY}", frozenset({"name", "birth_date", "region"})) for rule in _WORD_AND_YEAR_RULES),
    # Given name and surname swapped (one of them misspelt), the same date.
    ("l.name_phon_first = r.name_phon_last AND l.birth_any = r.birth_any", frozenset({"name", "birth_date"})),
    ("l.name_phon_last = r.name_phon_first AND l.birth_any = r.birth_any", frozenset({"name", "birth_date"})),
    # Same date, names at least loosely alike (wherever they live now).
    (
        "l.birth_any = r.birth_any AND jaro_winkler_similarity(l.name_key, r.name_key) >= 0.7",
        frozenset({"name", "birth_date"}),
    ),
    # Same informative name in the same village (date missing or wrong).
    ("l.name_inf_key = r.name_inf_key AND l.region_village = r.region_village", frozenset({"name", "region"})),
    # Every identifier and the address: records sharing one are always
    # compared, however differently names and dates were written.
    ("l.phone = r.phone", frozenset({"phone"})),
    ("l.passport = r.passport", frozenset({"passport"})),
    ("l.other_id = r.other_id", frozenset({"other_id"})),
    ("l.kk = r.kk", frozenset({"kk"})),
    # An address line rarely names its village ("Jl. Trans Sulawesi, Dusun I", "Dusun II, RT 006" are in
    # hundreds of villages): where the records have regions, the same line counts within one district.
    # Across a province it made pairs by the square of the rows (issue 14: 2 of 2.2 million candidate
    # pairs at 10,000 x 100,000, some 200 million at 100,000 x 1,000,000). And only a line few records share
    # (a household's, ADDRESS_SHARED_MAX): within districts the lines hundreds share still made 9.2 of the
    # 13.1 million pairs at 100,000 x 1,000,000, for 6 true pairs no other rule found.
    (_ADDRESS_RULE, frozenset({"address"})),
    (f"{_ADDRESS_RULE} AND l.region_district = r.region_district", frozenset({"address", "region"})),
    # The same address numbers (house, RT/RW, postcode) and the words alike: a misspelt street. Where the
    # records have regions, in the same district: "Jalan Poros No. 12 RT 01 RW 02" is in every regency.
    (_ADDRESS_NUMBERS_RULE, frozenset({"address"})),
    (f"{_ADDRESS_NUMBERS_RULE} AND l.region_district = r.region_district", frozenset({"address", "region"})),
    # One record without a (readable) birth date: its name's sound alone must block (the same normalised name
    # has the same sound: a rule on it would only find these pairs twice). One filter per side, so DuckDB
    # filters before it joins.
    *(
        (f"l.name_phon = r.name_phon AND {side}.birth_any IS NULL", frozenset({"name", "birth_date"}))
        for side in ("l", "r")
    ),
    # Without birth dates, names alone must block.
    ("l.name_key = r.name_key", frozenset({"name"})),
    ("l.name_phon = r.name_phon AND l.region_district = r.region_district", frozenset({"name", "region"})),
)


# Loose keys: one part alone (the birth date, the address numbers, the sound of the first or the last name
# word). They find the pairs whose every other part was written differently: FEBRL3 has 63 true pairs that no
# rule above compares (a swapped name with a wrong month, the same address numbers under two spellings), which
# is why generic Splink, blocking on the birth date or the postcode alone, finds more of them. Their pairs grow
# with the square of a key's frequency, so a run uses one only after counting its pairs
# (``linking.LOOSE_RULE_MAX_PAIRS``): a province's file, not a national registry.
LOOSE_BLOCKING_KEYS: Final[tuple[tuple[str, frozenset[str]], ...]] = (
    ("birth_any", frozenset({"birth_date"})),
    ("address_numbers", frozenset({"address"})),
    ("name_phon_first", frozenset({"name"})),
    ("name_phon_last", frozenset({"name"})),
)


def loose_blocking_keys_for(features: Iterable[str]) -> list[str]:
    """The loose keys (``LOOSE_BLOCKING_KEYS``) whose features both inputs have."""
    present = set(features)
    return [key for key, needs in LOOSE_BLOCKING_KEYS if needs <= present]


def blocking_rules_for(features: Iterable[str]) -> list[str]:
    """The prediction blocking rules whose features both inputs have.

    The two name-only rules are used only when there is no birth date: with
    one, the name-and-date rules find the same pairs among far fewer.
    """
    present = set(features)
    rules = [rule for rule, needs in BLOCKING_RULES if needs <= present]
    if "birth_date" in present:
        rules = [rule for rule in rules if rule not in _NAME_ONLY_RULES]
    if "region" in present:
        rules = [rule for rule in rules if rule not in (_ADDRESS_RULE, _ADDRESS_NUMBERS_RULE, *_WORD_AND_YEAR_RULES)]
    return rules


_NAME_ONLY_RULES: Final = frozenset(
    {"l.name_key = r.name_key", "l.name_phon = r.name_phon AND l.region_district = r.region_district"}
)


def training_rules_for(features: Iterable[str]) -> list[str]:
    """Blocking rules for EM: each comparison is estimated by at least one rule that does not use it.

    EM needs pairs among which matches are not rare (Splink's guide: 1% to
    99%), so the rules are tight: loose ones let EM settle on "same birth
    year" as its idea of a match. Splink leaves out of a session every
    comparison that reads a column the rule uses.
    """
    present = set(features)
    rules = _candidate_training_rules(present)
    comparisons = comparisons_for(present)
    return [rule for rule in rules if comparisons_trained_by(rule, comparisons)]


def _candidate_training_rules(present: set[str]) -> list[str]:
    rules = []
    if "nik" in present:
        rules.append("l.nik_digits = r.nik_digits")  # names, dates (own dates only), places, phones...
    if {"name", "birth_date"} <= present:
        rules.append("l.name_phon = r.name_phon AND l.birth_date = r.birth_date")  # the NIK and the other ids
        if "nik" not in present:
            # Without a NIK session, dates and names need sessions of their
            # own. (With one, a "same name in the same village" session finds
            # families, not persons: EM learns that matches share a birth place.)
            rules.append("l.name_key = r.name_key AND levenshtein(l.birth_year, r.birth_year) <= 1")
            if "region" in present:
                rules.append("l.birth_date = r.birth_date AND l.region_district = r.region_district")
            else:
                rules.append("l.birth_date = r.birth_date")
    elif "name" in present:
        rules.append("l.name_key = r.name_key")
        for other in ("phone", "passport", "other_id", "nik"):
            if other in present:
                rules.append(f"l.{other} = r.{other}" if other != "nik" else "l.nik_digits = r.nik_digits")
                break
    return rules


_RULE_COLUMN: Final = re.compile(r"\b[lr]\.(\w+)")
_LEVEL_COLUMN: Final = re.compile(r"\b(\w+)_[lr]\b")


def comparisons_trained_by(rule: str, comparisons: Iterable[dict[str, Any]]) -> list[str]:
    """The comparisons an EM session on ``rule`` estimates: those reading none of the rule's columns (Splink's rule)."""
    used = set(_RULE_COLUMN.findall(rule))
    trained = []
    for comparison in comparisons:
        read = {
            column
            for level in comparison["comparison_levels"]
            for column in _LEVEL_COLUMN.findall(level["sql_condition"])
        }
        if not read & used:
            trained.append(comparison["output_column_name"])
    return trained


def deterministic_rules_for(features: Iterable[str]) -> list[str]:
    """Rules with very few false positives, to estimate how often two random records match."""
    present = set(features)
    rules = []
    if "nik" in present:
        rules.append("l.nik = r.nik")
    if {"name", "birth_date"} <= present:
        rules.append("l.name_key = r.name_key AND l.birth_any = r.birth_any")
    elif "name" in present:
        rules.append("l.name_key = r.name_key")
    for other in ("passport", "other_id"):
        if other in present:
            rules.append(f"l.{other} = r.{other}")
    return rules
