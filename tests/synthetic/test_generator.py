"""The synthetic person generator: determinism, identity numbers, regions, variants, migration."""

from __future__ import annotations

import csv
import hashlib
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

import sinergi.regions
from sinergi.synthetic import Job, SyntheticPerson, generate_persons
from sinergi.synthetic.migration import JOBS, MIDDLE_EAST, P3MI_NAMES, age_on
from sinergi.synthetic.persons import _build_nik
from sinergi.synthetic.places import OUTSIDE_ORIGINS
from sinergi.synthetic.spelling import MUHAMMAD_FORMS, is_title

TODAY = date(2026, 3, 1)
WILAYAH = Path(sinergi.regions.__file__).parent / "data" / "wilayah"
# Poso, Sigi, Kota Palu, Parigi Moutong
TOP_REGENCIES = ("72.02", "72.10", "72.71", "72.08")


def _csv_codes(name: str) -> dict[str, str]:
    """code -> name, read straight from the shipped CSV (not through the generator's loader)."""
    with (WILAYAH / name).open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def people() -> list[SyntheticPerson]:
    return generate_persons(5000, seed=7, today=TODAY)


@pytest.fixture(scope="module")
def originals(people: list[SyntheticPerson]) -> list[SyntheticPerson]:
    return [p for p in people if p.variant_of is None]


@pytest.fixture(scope="module")
def by_ref(people: list[SyntheticPerson]) -> dict[str, SyntheticPerson]:
    return {p.ref: p for p in people}


def _nik_parts(nik: str) -> tuple[str, int, int, int, str]:
    """(district, day, month, two-digit year, sex) as embedded in a NIK."""
    day = int(nik[6:8])
    return (
        nik[:6],
        day - 40 if day > 40 else day,
        int(nik[8:10]),
        int(nik[10:12]),
        "P" if day > 40 else "L",
    )


def _district_digits(region_code: str) -> str:
    return region_code[:8].replace(".", "")


def _core_words(name: str) -> list[str]:
    return [w for w in name.replace(",", " ").split() if not is_title(w)]


# --- NIK layout -----------------------------------------------------------------------------


def test_it_builds_nik_with_the_documented_layout() -> None:
    woman = _build_nik("72.71.01", date(1990, 10, 12), "P", 7)
    man = _build_nik("72.02.01", date(1984, 3, 17), "L", 1234)

    assert woman == "7271015210900007"
    # province, regency, district; then day + 40, month, year
    assert (woman[0:2], woman[2:4], woman[4:6]) == ("72", "71", "01")
    assert (woman[6:8], woman[8:10], woman[10:12]) == ("52", "10", "90")
    assert woman[12:16] == "0007"  # serial
    assert man == "7202011703841234"
    assert man[6:8] == "17"  # no +40 for men


def test_it_refuses_to_build_a_nik_from_bad_parts() -> None:
    with pytest.raises(ValueError):
        _build_nik("72.71", date(1990, 1, 1), "L", 1)
    with pytest.raises(ValueError):
        _build_nik("72.71.01", date(1990, 1, 1), "L", 0)
    with pytest.raises(ValueError):
        _build_nik("72.71.01", date(1990, 1, 1), "L", 10_000)


# --- determinism ----------------------------------------------------------------------------


def test_it_gives_the_same_output_for_the_same_seed() -> None:
    assert generate_persons(800, seed=11, today=TODAY) == generate_persons(800, seed=11, today=TODAY)


def test_it_gives_different_output_for_another_seed() -> None:
    first = generate_persons(200, seed=1, today=TODAY)
    second = generate_persons(200, seed=2, today=TODAY)

    assert [p.full_name for p in first] != [p.full_name for p in second]
    assert [p.nik for p in first] != [p.nik for p in second]


def test_it_does_not_depend_on_the_hash_seed() -> None:
    script = (
        "import hashlib, datetime\n"
        "from sinergi.synthetic import generate_persons\n"
        "people = generate_persons(300, seed=5, today=datetime.date(2026, 3, 1))\n"
        "print(hashlib.sha256(repr(people).encode()).hexdigest())\n"
    )
    digests = set()
    for hash_seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        result = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        digests.add(result.stdout.strip())
    in_process = generate_persons(300, seed=5, today=TODAY)

    assert digests == {hashlib.sha256(repr(in_process).encode()).hexdigest()}


def test_it_numbers_refs_in_order() -> None:
    people = generate_persons(12, seed=3, today=TODAY)

    assert [p.ref for p in people] == [f"SYN-{i:06d}" for i in range(1, 13)]


def test_it_generates_nothing_for_zero() -> None:
    assert generate_persons(0, seed=1, today=TODAY) == []


def test_it_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError):
        generate_persons(-1, seed=1, today=TODAY)
    with pytest.raises(ValueError):
        generate_persons(10, seed=1, today=TODAY, variant_share=1.5)
    with pytest.raises(ValueError):
        generate_persons(10, seed=1, today=TODAY, province="99")
    with pytest.raises(ValueError):
        generate_persons(10, seed=1, today=date(2009, 12, 31))


# --- identity numbers -----------------------------------------------------------------------


def test_it_writes_16_digit_niks_that_agree_with_the_record(
    people: list[SyntheticPerson],
) -> None:
    swapped = 0
    for person in people:
        if person.nik is None:
            continue
        assert re.fullmatch(r"\d{16}", person.nik), person
        _district, day, month, year, sex = _nik_parts(person.nik)
        assert sex == person.sex, person
        born = person.birth_date
        if (day, month, year) != (born.day, born.month, born.year % 100):
            # Only a re-registration may carry a day/month mix-up, and it is flagged.
            assert person.variant_of is not None, person
            assert (day, month, year) == (born.month, born.day, born.year % 100), person
            swapped += 1

    assert swapped > 0  # the exception above is exercised


def test_it_gives_women_a_nik_day_from_41_to_71(people: list[SyntheticPerson]) -> None:
    days = {p.sex: set[int]() for p in people}
    for person in people:
        if person.nik is not None:
            days[person.sex].add(int(person.nik[6:8]))

    assert min(days["P"]) >= 41 and max(days["P"]) <= 71
    assert min(days["L"]) >= 1 and max(days["L"]) <= 31


def test_it_issues_niks_in_real_districts_mostly_the_home_one(
    people: list[SyntheticPerson],
) -> None:
    districts = {code.replace(".", "") for code in _csv_codes("districts.csv")}
    with_nik = [p for p in people if p.nik is not None]
    at_home = sum(p.nik[:6] == _district_digits(p.region_code) for p in with_nik if p.nik)
    outside = [p for p in with_nik if p.nik and not p.nik.startswith("72")]

    assert all(p.nik and p.nik[:6] in districts for p in with_nik)
    assert 0.65 < at_home / len(with_nik) < 0.9
    assert outside  # transmigrant families with a NIK from Java or Bali
    assert {p.nik[:2] for p in outside if p.nik} <= {"33", "34", "35", "51"}


def test_it_leaves_about_15_percent_without_nik(
    originals: list[SyntheticPerson],
) -> None:
    share = sum(p.nik is None for p in originals) / len(originals)

    assert 0.12 < share < 0.18


def test_it_keeps_niks_unique_to_one_human(people: list[SyntheticPerson], by_ref: dict[str, SyntheticPerson]) -> None:
    holders: dict[str, set[str]] = defaultdict(set)
    for person in people:
        if person.nik is not None:
            holders[person.nik].add(person.variant_of or person.ref)

    assert all(len(humans) == 1 for humans in holders.values())


def test_it_starts_each_kk_with_the_home_district(
    people: list[SyntheticPerson],
) -> None:
    with_kk = [p for p in people if p.kk is not None]

    assert 0.7 < len(with_kk) / len(people) < 0.9
    for person in with_kk:
        assert person.kk is not None and re.fullmatch(r"\d{16}", person.kk)
        assert person.kk[:6] == _district_digits(person.region_code), person


def test_it_formats_passports_and_phones(people: list[SyntheticPerson]) -> None:
    passports = [p.passport for p in people if p.passport is not None]
    phones = [p.phone for p in people if p.phone is not None]

    assert all(re.fullmatch(r"[A-Z]\d{7}", n) for n in passports)
    assert all(re.fullmatch(r"08\d{8,11}", n) for n in phones)
    assert 0.6 < len(passports) / len(people) < 0.8
    assert 0.7 < len(phones) / len(people) < 0.9


def test_it_gives_workers_a_passport_more_often_than_family(
    originals: list[SyntheticPerson],
) -> None:
    def share(kind: str) -> float:
        group = [p for p in originals if p.kind == kind]
        return sum(p.passport is not None for p in group) / len(group)

    assert share("PMI") > 0.85 and share("PMI_PURNA") > 0.85
    assert share("KELUARGA") < 0.1


# --- regions and addresses ------------------------------------------------------------------


def test_it_uses_only_village_codes_from_the_shipped_list(
    people: list[SyntheticPerson],
) -> None:
    villages = _csv_codes("villages.csv")

    assert all(p.region_code in villages for p in people)
    assert all(p.region_code.startswith("72.") for p in people)


def test_it_draws_most_people_from_poso_sigi_palu_and_parigi_moutong(
    originals: list[SyntheticPerson],
) -> None:
    counts = Counter(p.region_code[:5] for p in originals)
    top = sum(counts[code] for code in TOP_REGENCIES)
    others = [count for code, count in counts.items() if code not in TOP_REGENCIES]

    assert top / len(originals) > 0.6
    assert min(counts[code] for code in TOP_REGENCIES) > max(others)
    assert len(counts) == 13  # and a few from every regency


def test_it_writes_street_lines_in_towns_and_dusun_lines_in_villages(
    people: list[SyntheticPerson],
) -> None:
    for person in people:
        urban = person.region_code[9] == "1"  # kelurahan codes are 1xxx, desa 2xxx
        text = person.address_text
        if urban:
            assert text.startswith(("Jl. ", "Jalan ", "BTN ")), person
        else:
            assert "Dusun " in text or "Dsn. " in text, person


def test_it_generates_for_another_province() -> None:
    people = generate_persons(200, seed=1, today=TODAY, province="73")
    villages = _csv_codes("villages.csv")

    assert all(p.region_code.startswith("73.") and p.region_code in villages for p in people)


def test_it_knows_the_regencies_people_come_from() -> None:
    regencies = _csv_codes("regencies.csv")
    for group, origins in OUTSIDE_ORIGINS.items():
        for origin in origins.items:
            assert origin.regency_code in regencies, (group, origin)
            assert not origin.regency_code.startswith("72."), origin


# --- variants and common names --------------------------------------------------------------


@pytest.mark.parametrize("share", [0.0, 0.03, 0.2])
def test_it_honours_the_variant_share(share: float) -> None:
    n = 4000
    people = generate_persons(n, seed=21, today=TODAY, variant_share=share)
    variants = sum(p.variant_of is not None for p in people)
    # Four standard deviations of a binomial.
    spread = 4 * (n * share * (1 - share)) ** 0.5

    assert abs(variants - n * share) <= spread


def test_it_links_each_variant_to_an_earlier_registration_of_the_same_human(
    people: list[SyntheticPerson], by_ref: dict[str, SyntheticPerson]
) -> None:
    variants = [p for p in people if p.variant_of is not None]

    assert variants
    for variant in variants:
        assert variant.variant_of is not None
        first = by_ref[variant.variant_of]
        assert first.ref < variant.ref
        assert first.variant_of is None  # always points at the first registration
        assert variant.sex == first.sex
        assert variant.full_name != first.full_name
        assert variant.birth_date in (
            first.birth_date,
            date(first.birth_date.year, first.birth_date.day, first.birth_date.month)
            if first.birth_date.day <= 12
            else first.birth_date,
        )
        assert variant.nik is None or first.nik is None or variant.nik == first.nik
        # moved at most within the regency
        assert variant.region_code[:5] == first.region_code[:5]
        assert variant.kind == first.kind
        assert variant.episodes == first.episodes[len(first.episodes) - len(variant.episodes) :]


def test_it_generates_distinct_people_who_share_common_names() -> None:
    people = generate_persons(2000, seed=3, today=TODAY)
    holders: dict[str, list[SyntheticPerson]] = defaultdict(list)
    for person in people:
        if person.variant_of is None:
            holders[person.full_name].append(person)
    shared = {name: group for name, group in holders.items() if len(group) >= 2}
    crowded = {
        name: group
        for name, group in shared.items()
        if len({p.birth_date for p in group}) >= 3 and len({p.nik for p in group if p.nik}) >= 3
    }

    assert len(shared) >= 30
    # e.g. several distinct "Sitti Aminah", each with their own birth date and NIK
    assert crowded


def test_it_writes_about_40_percent_mononyms_and_5_percent_titles(
    originals: list[SyntheticPerson],
) -> None:
    mononyms = sum(len(_core_words(p.full_name)) == 1 for p in originals)
    titled = sum(any(is_title(w) for w in p.full_name.replace(",", " ").split()) for p in originals)

    assert 0.33 < mononyms / len(originals) < 0.47
    assert 0.03 < titled / len(originals) < 0.07


def test_it_gives_sex_consistent_names(people: list[SyntheticPerson]) -> None:
    female_first = {"Ni", "Hj.", "Sitti", "Siti", "Ida Ayu"}
    male_first = {"H.", *MUHAMMAD_FORMS.items, "Abdul", "Ahmad"}
    birth_order = {
        "Wayan",
        "Putu",
        "Gede",
        "Made",
        "Kadek",
        "Nengah",
        "Nyoman",
        "Komang",
        "Ketut",
    }
    for person in people:
        words = person.full_name.split()
        if words[0] in female_first:
            assert person.sex == "P", person
        if words[0] in male_first:
            assert person.sex == "L", person
        if words[0] == "I" and len(words) > 1 and words[1] in birth_order:
            assert person.sex == "L", person


def test_it_shares_household_details_with_family_members(
    originals: list[SyntheticPerson], by_ref: dict[str, SyntheticPerson]
) -> None:
    family = [p for p in originals if p.family_of is not None]
    same_kk = 0

    assert family
    for member in family:
        assert member.family_of is not None
        head = by_ref[member.family_of]
        assert member.kind == "KELUARGA" and not member.episodes
        assert head.episodes and head.ref < member.ref
        assert member.region_code[:5] == head.region_code[:5]
        same_kk += member.kk is not None and member.kk == head.kk
    assert same_kk / len(family) > 0.4  # a shared KK: same household, different humans


# --- migration ------------------------------------------------------------------------------


def test_it_derives_kind_from_episodes(originals: list[SyntheticPerson]) -> None:
    for person in originals:
        if person.episodes:
            expected = "PMI" if person.episodes[-1].return_date is None else "PMI_PURNA"
            assert person.kind == expected, person
        else:
            assert person.kind in ("CPMI", "KELUARGA"), person
        if person.kind == "CPMI":
            assert 18 <= age_on(person.birth_date, TODAY) <= 35, person
    assert set(Counter(p.kind for p in originals)) == {
        "PMI",
        "PMI_PURNA",
        "CPMI",
        "KELUARGA",
    }


def test_it_keeps_workers_adult_and_dates_in_order(
    originals: list[SyntheticPerson],
) -> None:
    for person in originals:
        previous_return: date | None = None
        for number, episode in enumerate(person.episodes, start=1):
            assert 18 <= age_on(person.birth_date, episode.departure_date) <= 55, person
            assert date(2010, 1, 1) <= episode.departure_date < TODAY
            if previous_return is not None:
                assert episode.departure_date > previous_return
            if episode.return_date is None:  # only the last stay can be ongoing
                assert number == len(person.episodes)
            else:
                assert episode.departure_date < episode.return_date <= TODAY
            previous_return = episode.return_date


def test_it_returns_procedural_workers_after_2_to_6_years(
    originals: list[SyntheticPerson],
) -> None:
    stays = [
        (e.return_date - e.departure_date).days
        for p in originals
        for e in p.episodes
        if e.procedural and e.return_date is not None
    ]

    assert stays and min(stays) >= 730 and max(stays) <= 6 * 365 + 2


def test_it_sends_nonprocedural_workers_mostly_to_the_middle_east_and_malaysia(
    originals: list[SyntheticPerson],
) -> None:
    episodes = [e for p in originals for e in p.episodes]
    nonprocedural = [e for e in episodes if not e.procedural]
    to_gulf_or_malaysia = sum(e.destination_country in (*MIDDLE_EAST, "MY") for e in nonprocedural)
    east_asia = [e for e in episodes if e.destination_country in ("HK", "TW", "JP", "KR")]

    assert to_gulf_or_malaysia / len(nonprocedural) > 0.85
    assert sum(not e.procedural for e in east_asia) / len(east_asia) < 0.08
    assert {e.destination_country for e in episodes} == {
        "MY", "HK", "TW", "SG", "SA", "JP", "KR", "AE", "QA",
    }  # fmt: skip


def test_it_matches_jobs_employers_and_companies_to_the_destination(
    originals: list[SyntheticPerson],
) -> None:
    household = {Job.PRT.value, Job.CAREGIVER.value, Job.SOPIR.value}
    for person in originals:
        for e in person.episodes:
            allowed = {job.value for job in JOBS[(e.destination_country, person.sex)].items}
            assert e.job in allowed, (person.sex, e)
            assert e.placement_company == "" or e.placement_company in P3MI_NAMES
            if e.destination_country == "MY" and e.job not in household:
                assert e.employer.endswith("Sdn. Bhd."), e
            if e.destination_country == "HK" and e.job in household:
                assert e.employer.startswith(("Mdm. ", "Mr. ", "Mrs. ", "Ms. ")), e
            if e.destination_country in ("TW", "KR") and e.job not in household:
                assert e.employer.endswith("Co., Ltd."), e
    procedural = [e for p in originals for e in p.episodes if e.procedural]
    assert sum(e.placement_company != "" for e in procedural) / len(procedural) > 0.85
    assert all(name.startswith("PT ") for name in P3MI_NAMES) and len(P3MI_NAMES) >= 15
