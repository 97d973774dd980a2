"""Synthetic PMI, prospective PMI and family members, with known duplicate registrations.

The output is ground truth for tests, demos and the record-linkage benchmark: every
``variant_of`` pair is the same human registered twice, and everything else is a distinct
human, even when names (and sometimes birth dates) coincide.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Final, Literal

from sinergi.synthetic.migration import (
    MAX_AGE,
    MIN_AGE,
    Episode,
    age_on,
    first_departure_date,
    make_episodes,
)
from sinergi.synthetic.names import NameGroup, Sex, add_title, make_name
from sinergi.synthetic.places import (
    OUTSIDE_ORIGINS,
    Origin,
    address_text,
    address_variant,
    birth_place,
)
from sinergi.synthetic.spelling import spelling_variant
from sinergi.synthetic.weighted import Weighted
from sinergi.synthetic.wilayah import (
    District,
    Province,
    Regency,
    Village,
    all_districts,
    districts_of_regency,
    load_province,
)

Kind = Literal["PMI", "CPMI", "PMI_PURNA", "KELUARGA"]


@dataclass(frozen=True, slots=True)
class SyntheticPerson:
    ref: str  # "SYN-000001", stable for a seed
    full_name: str  # as written in the record, titles included
    sex: Sex
    birth_date: date
    birth_place: str
    nik: str | None
    kk: str | None
    passport: str | None
    phone: str | None
    region_code: str  # village "72.xx.xx.xxxx" of the current address
    address_text: str
    kind: Kind
    episodes: tuple[Episode, ...]
    # ref of the earlier record of the same human, when this record is a re-registration
    variant_of: str | None
    # ref of the PMI whose family member this is (KELUARGA only)
    family_of: str | None


# Where Sulawesi Tengah's PMI come from (domain brief: most from Poso, Sigi, Palu, Parigi Moutong).
REGENCY_WEIGHTS: Final[dict[str, float]] = {
    "72.02": 20,  # Poso
    "72.10": 18,  # Sigi
    "72.71": 17,  # Kota Palu
    "72.08": 17,  # Parigi Moutong
    "72.03": 8,  # Donggala
    "72.01": 5,  # Banggai
    "72.04": 3,  # Toli-Toli
    "72.09": 3,  # Tojo Una-Una
    "72.12": 2.5,  # Morowali Utara
    "72.06": 2,  # Morowali
    "72.05": 2,  # Buol
    "72.07": 1.5,  # Banggai Kepulauan
    "72.11": 1,  # Banggai Laut
}


def _groups(
    kaili: float,
    bugis: float,
    jawa: float,
    bali: float,
    kristen: float,
    tionghoa: float,
) -> Weighted[NameGroup]:
    return Weighted.of(
        (group, weight)
        for group, weight in (
            (NameGroup.KAILI, kaili),
            (NameGroup.BUGIS, bugis),
            (NameGroup.JAWA, jawa),
            (NameGroup.BALI, bali),
            (NameGroup.KRISTEN, kristen),
            (NameGroup.TIONGHOA, tionghoa),
        )
        if weight > 0
    )


# Communities per regency: Christian Pamona around Poso/Tentena, Balinese and Javanese
# transmigration villages in Parigi Moutong and Poso, Kaili in the Palu valley.
GROUP_WEIGHTS: Final[dict[str, Weighted[NameGroup]]] = {
    "72.71": _groups(50, 20, 10, 2, 10, 4),
    "72.10": _groups(60, 6, 10, 6, 17, 1),
    "72.02": _groups(14, 14, 18, 10, 42, 2),
    "72.08": _groups(32, 25, 15, 22, 5, 1),
    "72.03": _groups(65, 22, 8, 2, 2, 1),
    "72.12": _groups(25, 20, 15, 10, 30, 0),
    "72.01": _groups(40, 20, 20, 10, 8, 2),
}
DEFAULT_GROUPS: Final = _groups(55, 25, 10, 3, 6, 1)

NIK_MISSING_SHARE: Final = 0.15
KK_MISSING_SHARE: Final = 0.2
EARLIEST_TODAY: Final = date(2011, 1, 1)

_ROLES: Final = Weighted.of([("worker", 68), ("cpmi", 10), ("keluarga", 22)])
_RELATIONS: Final = Weighted.of([("spouse", 45), ("parent", 30), ("child", 15), ("sibling", 10)])
_PASSPORT_LETTERS: Final = Weighted.of([("C", 45), ("B", 25), ("A", 10), ("X", 10), ("E", 10)])
# Telkomsel dominates in Sulawesi; the rest are Indosat, XL, Tri, Axis, Smartfren prefixes.
_PHONE_PREFIXES: Final = Weighted.of(
    [
        ("0812", 12), ("0813", 10), ("0822", 10), ("0852", 10), ("0821", 8), ("0823", 6),
        ("0853", 6), ("0811", 3), ("0851", 3), ("0856", 3), ("0857", 3), ("0858", 2), ("0815", 1),
        ("0817", 2), ("0818", 2), ("0819", 2), ("0877", 2), ("0878", 2), ("0859", 1), ("0895", 2),
        ("0896", 2), ("0897", 1), ("0898", 1), ("0899", 1), ("0831", 1), ("0838", 1), ("0881", 1),
        ("0882", 1),
    ]
)  # fmt: skip
_PHONE_TAIL_DIGITS: Final = Weighted.of([(8, 60), (7, 20), (9, 20)])
# Age at first departure: mostly in the twenties, a long tail to 55.
_DEPARTURE_AGES: Final = Weighted.of(
    (age, 1 + 4.5 * (age - MIN_AGE) / 6 if age < 24 else 5.5 - 5.0 * (age - 24) / 31)
    for age in range(MIN_AGE, MAX_AGE + 1)
)
_CPMI_AGES: Final = Weighted.of((age, 6.0 if age <= 26 else 36.0 - age) for age in range(18, 36))


def _build_nik(district_code: str, birth_date: date, sex: Sex, serial: int) -> str:
    """NIK layout: district (6) + DDMMYY with 40 added to the day for women (6) + serial (4)."""
    district = district_code.replace(".", "")
    if len(district) != 6 or not district.isdigit():
        raise ValueError(f"district code must have 6 digits, got {district_code!r}")
    if not 1 <= serial <= 9999:
        raise ValueError(f"serial must be 1-9999, got {serial}")
    day = birth_date.day + (40 if sex == "P" else 0)
    return f"{district}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def _build_kk(district_code: str, issued: date, serial: int) -> str:
    """KK layout: district where the card was issued (6) + issue date DDMMYY (6) + serial (4)."""
    district = district_code.replace(".", "")
    return f"{district}{issued.day:02d}{issued.month:02d}{issued.year % 100:02d}{serial:04d}"


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year + years, day=28)


def _birth_for_age(day: date, age: int, rng: random.Random) -> date:
    """A birth date uniformly among those that make someone exactly ``age`` on ``day``."""
    latest = _add_years(day, -age)
    earliest = _add_years(day, -age - 1) + timedelta(days=1)
    return earliest + timedelta(days=rng.randint(0, (latest - earliest).days))


def _swap_day_month(day: date) -> date:
    """12 March -> 3 December, the classic DD/MM mix-up; dates that cannot swap stay."""
    if day.day > 12 or day.day == day.month:
        return day
    return date(day.year, day.day, day.month)


@dataclass(frozen=True, slots=True)
class _Truth:
    """What the generator knows about a human beyond their first record."""

    nik: str
    passport: str | None
    group: NameGroup
    surname: str | None


class _Generator:
    """Holds the RNG and what has been generated so far (variants and families refer back)."""

    def __init__(self, *, seed: int, province: str, today: date, variant_share: float) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.variant_share = variant_share
        self.province: Province = load_province(province)
        self.regencies: Weighted[Regency] = Weighted.of(
            (
                r,
                REGENCY_WEIGHTS.get(r.code) or float(len(self.province.villages_by_regency[r.code])),
            )
            for r in self.province.regencies
        )
        self.province_districts: tuple[District, ...] = self.province.districts
        self.district_names: dict[str, District] = all_districts()
        # Sets are only used for membership, never iterated: output stays hash-seed independent.
        self.used_niks: set[str] = set()
        self.used_kks: set[str] = set()
        self.used_passports: set[str] = set()
        self.persons: list[SyntheticPerson] = []
        self.truths: list[_Truth | None] = []  # None for variants
        self.originals: list[int] = []
        self.workers: list[int] = []

    # --- identifiers --------------------------------------------------------------------------

    def nik(self, district_code: str, birth_date: date, sex: Sex) -> str:
        rng = self.rng
        serial = rng.randint(1, 300) if rng.random() < 0.7 else rng.randint(1, 9999)
        nik = _build_nik(district_code, birth_date, sex, serial)
        while nik in self.used_niks:
            serial = serial % 9999 + 1
            nik = _build_nik(district_code, birth_date, sex, serial)
        self.used_niks.add(nik)
        return nik

    def nik_district(self, village: Village, group: NameGroup, origin: Origin | None) -> str:
        """Where the NIK was first issued: usually home, sometimes elsewhere (domain brief)."""
        rng = self.rng
        transmigrant = group in (NameGroup.JAWA, NameGroup.BALI)
        if transmigrant and origin is not None and rng.random() < 0.5:
            return rng.choice(districts_of_regency(origin.regency_code)).code
        if transmigrant and rng.random() < 0.06:
            regency = OUTSIDE_ORIGINS[group].pick(rng).regency_code
            return rng.choice(districts_of_regency(regency)).code
        if rng.random() < 0.12:
            return rng.choice(self.province_districts).code
        return village.district_code

    def kk(self, district_code: str, birth_date: date) -> str:
        rng = self.rng
        # Issued since the 2008 card format, once the person was old enough to be listed
        # as an adult (a KK is reissued whenever the household changes).
        start = min(max(date(2008, 1, 1), _add_years(birth_date, 17)), self.today)
        issued = start + timedelta(days=rng.randint(0, (self.today - start).days))
        kk = _build_kk(district_code, issued, rng.randint(1, 9999))
        while kk in self.used_kks:
            kk = _build_kk(district_code, issued, rng.randint(1, 9999))
        self.used_kks.add(kk)
        return kk

    def passport(self) -> str:
        rng = self.rng
        number = f"{_PASSPORT_LETTERS.pick(rng)}{rng.randint(0, 9_999_999):07d}"
        while number in self.used_passports:
            number = f"{_PASSPORT_LETTERS.pick(rng)}{rng.randint(0, 9_999_999):07d}"
        self.used_passports.add(number)
        return number

    def phone(self) -> str:
        rng = self.rng
        tail = "".join(str(rng.randint(0, 9)) for _ in range(_PHONE_TAIL_DIGITS.pick(rng)))
        return _PHONE_PREFIXES.pick(rng) + tail

    # --- places -------------------------------------------------------------------------------

    def address(self, village: Village, group: NameGroup) -> str:
        district = self.district_names[village.district_code].name
        return address_text(urban=village.is_kelurahan, group=group, town=district, rng=self.rng)

    def village_in(self, regency: Regency) -> Village:
        return self.rng.choice(self.province.villages_by_regency[regency.code])

    def regency_of(self, village: Village) -> Regency:
        return next(r for r in self.province.regencies if r.code == village.regency_code)

    # --- people -------------------------------------------------------------------------------

    def heap_birth_date(self, birth: date, fits: tuple[date, int, int]) -> date:
        """Registers pile older people on 1 January or 31 December when the day was unknown."""
        rng = self.rng
        if birth.year >= 1985 or rng.random() >= 0.06:
            return birth
        heaped = date(birth.year, 1, 1) if rng.random() < 0.7 else date(birth.year, 12, 31)
        on, low, high = fits
        return heaped if low <= age_on(heaped, on) <= high else birth

    def add(self, person: SyntheticPerson, truth: _Truth | None) -> None:
        index = len(self.persons)
        self.persons.append(person)
        self.truths.append(truth)
        if truth is not None:
            self.originals.append(index)
            if person.episodes:
                self.workers.append(index)

    def original(self, ref: str) -> tuple[SyntheticPerson, _Truth]:
        rng, today = self.rng, self.today
        role = _ROLES.pick(rng)
        if role == "keluarga" and self.workers and rng.random() < 0.65:
            return self.family_member(ref)
        regency = self.regencies.pick(rng)
        village = self.village_in(regency)
        group = GROUP_WEIGHTS.get(regency.code, DEFAULT_GROUPS).pick(rng)
        episodes: tuple[Episode, ...] = ()
        sex: Sex
        if role == "worker":
            sex = "P" if rng.random() < 0.62 else "L"
            departure = first_departure_date(rng, today)
            birth = _birth_for_age(departure, _DEPARTURE_AGES.pick(rng), rng)
            birth = self.heap_birth_date(birth, (departure, MIN_AGE, MAX_AGE))
            episodes = make_episodes(rng, sex=sex, birth_date=birth, first_departure=departure, today=today)
        elif role == "cpmi":
            sex = "P" if rng.random() < 0.55 else "L"
            birth = self.heap_birth_date(_birth_for_age(today, _CPMI_AGES.pick(rng), rng), (today, 18, 35))
        else:
            sex = "P" if rng.random() < 0.5 else "L"
            birth = _birth_for_age(today, int(rng.triangular(17, 80, 40)), rng)
            birth = self.heap_birth_date(birth, (today, 17, 80))
        name = make_name(group, sex, rng, birth_year=birth.year)
        return self.finish(
            ref=ref,
            role=role,
            group=group,
            sex=sex,
            birth=birth,
            name=name.text,
            surname=name.surname,
            regency=regency,
            village=village,
            episodes=episodes,
        )

    def family_member(self, ref: str) -> tuple[SyntheticPerson, _Truth]:
        rng, today = self.rng, self.today
        head_index = rng.choice(self.workers)
        head = self.persons[head_index]
        head_truth = self.truths[head_index]
        assert head_truth is not None  # workers are originals
        head_age = age_on(head.birth_date, today)
        relation = _RELATIONS.pick(rng)
        if relation == "child" and head_age < 17 + 18:
            relation = "spouse"
        if relation == "parent" and head_age + 18 > 85:
            relation = "sibling"
        sex: Sex
        if relation == "spouse":
            sex = "L" if head.sex == "P" else "P"
            offset = rng.randint(-2, 9)
            age = head_age + (offset if sex == "L" else -offset)
        else:
            sex = "P" if rng.random() < 0.5 else "L"
            if relation == "parent":
                age = head_age + rng.randint(18, 38)
            elif relation == "child":
                age = rng.randint(17, head_age - 18)
            else:
                age = head_age + rng.randint(-10, 10)
        age = min(max(age, 17), 90)
        birth = _birth_for_age(today, age, rng)
        surname = (
            head_truth.surname if relation in ("child", "sibling") or (relation == "parent" and sex == "L") else None
        )
        name = make_name(head_truth.group, sex, rng, birth_year=birth.year, surname=surname)
        home = self.village_by_code(head.region_code)
        regency = self.regency_of(home)
        moved = rng.random() < 0.1
        village = self.village_in(regency) if moved else home
        person, truth = self.finish(
            ref=ref,
            role="keluarga",
            group=head_truth.group,
            sex=sex,
            birth=birth,
            name=name.text,
            surname=name.surname,
            regency=regency,
            village=village,
            episodes=(),
        )
        shared_kk = head.kk if head.kk is not None and not moved and rng.random() < 0.85 else person.kk
        shared_phone = head.phone if head.phone is not None and rng.random() < 0.2 else person.phone
        person = replace(
            person,
            address_text=person.address_text if moved else head.address_text,
            kk=shared_kk,
            phone=shared_phone,
            family_of=head.ref,
        )
        return person, truth

    def village_by_code(self, code: str) -> Village:
        for village in self.province.villages_by_regency[code[:5]]:
            if village.code == code:
                return village
        raise LookupError(code)

    def finish(
        self,
        *,
        ref: str,
        role: str,
        group: NameGroup,
        sex: Sex,
        birth: date,
        name: str,
        surname: str | None,
        regency: Regency,
        village: Village,
        episodes: tuple[Episode, ...],
    ) -> tuple[SyntheticPerson, _Truth]:
        rng, today = self.rng, self.today
        place, origin = birth_place(
            group,
            regency_code=regency.code,
            regency_short_name=regency.short_name,
            born_before_1985=birth.year < 1985,
            rng=rng,
        )
        nik = self.nik(self.nik_district(village, group, origin), birth, sex)
        has_passport = rng.random() < (0.92 if episodes else 0.35 if role == "cpmi" else 0.05)
        passport = self.passport() if has_passport else None
        kind: Kind
        if episodes:
            kind = "PMI" if episodes[-1].return_date is None else "PMI_PURNA"
        else:
            kind = "CPMI" if role == "cpmi" else "KELUARGA"
        person = SyntheticPerson(
            ref=ref,
            full_name=add_title(name, sex=sex, group=group, age=age_on(birth, today), rng=rng),
            sex=sex,
            birth_date=birth,
            birth_place=place,
            nik=None if rng.random() < NIK_MISSING_SHARE else nik,
            kk=None if rng.random() < KK_MISSING_SHARE else self.kk(village.district_code, birth),
            passport=passport,
            phone=self.phone() if rng.random() < (0.82 if episodes else 0.75) else None,
            region_code=village.code,
            address_text=self.address(village, group),
            kind=kind,
            episodes=episodes,
            variant_of=None,
            family_of=None,
        )
        return person, _Truth(nik=nik, passport=passport, group=group, surname=surname)

    def variant(self, ref: str) -> SyntheticPerson:
        """Another agency's record of an earlier (original) person."""
        rng = self.rng
        index = rng.choice(self.originals)
        first = self.persons[index]
        truth = self.truths[index]
        assert truth is not None
        birth = _swap_day_month(first.birth_date) if rng.random() < 0.25 else first.birth_date
        kk_roll, passport_roll, phone_roll = rng.random(), rng.random(), rng.random()
        if rng.random() < 0.85:
            village = self.village_by_code(first.region_code)
            address = first.address_text if rng.random() < 0.6 else address_variant(first.address_text, rng)
            kk = first.kk if kk_roll < 0.6 else None if kk_roll < 0.9 else self.kk(village.district_code, birth)
        else:  # moved within the regency since the first registration
            village = self.village_in(self.regency_of(self.village_by_code(first.region_code)))
            address = self.address(village, truth.group)
            kk = None if kk_roll < 0.5 else self.kk(village.district_code, birth)
        if truth.passport is None:
            passport = None
        else:
            passport = truth.passport if passport_roll < 0.65 else None if passport_roll < 0.85 else self.passport()
        phone = first.phone if phone_roll < 0.5 else None if phone_roll < 0.75 else self.phone()
        episodes = first.episodes
        if len(episodes) > 1 and rng.random() < 0.3:  # this agency saw only the later stays
            episodes = episodes[rng.randint(1, len(episodes) - 1) :]
        return replace(
            first,
            ref=ref,
            full_name=spelling_variant(first.full_name, rng),
            birth_date=birth,
            nik=truth.nik if rng.random() < 0.8 else None,
            kk=kk,
            passport=passport,
            phone=phone,
            region_code=village.code,
            address_text=address,
            episodes=episodes,
            variant_of=first.ref,
        )

    def run(self, n: int) -> list[SyntheticPerson]:
        for i in range(1, n + 1):
            ref = f"SYN-{i:06d}"
            if self.originals and self.rng.random() < self.variant_share:
                self.add(self.variant(ref), None)
            else:
                person, truth = self.original(ref)
                self.add(person, truth)
        return self.persons


def generate_persons(
    n: int,
    *,
    seed: int,
    province: str = "72",
    today: date,
    variant_share: float = 0.03,
) -> list[SyntheticPerson]:
    """``n`` synthetic person records for ``province``; same arguments, same records.

    About ``variant_share`` of them are a second registration of an earlier record
    (``variant_of``): spelling-variant name, same NIK or none, birth date possibly with day and
    month swapped. All randomness comes from ``random.Random(seed)``.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not 0.0 <= variant_share <= 1.0:
        raise ValueError(f"variant_share must be within [0, 1], got {variant_share}")
    if isinstance(today, datetime) or not isinstance(today, date):
        raise TypeError("today must be a date, not a datetime")
    if today < EARLIEST_TODAY:
        raise ValueError(f"today must be on or after {EARLIEST_TODAY} (departures start in 2010)")
    generator = _Generator(seed=seed, province=province, today=today, variant_share=variant_share)
    return generator.run(n)
