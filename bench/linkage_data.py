"""Synthetic linkage data with known truth for bench_linkage (and the linkage tests' larger cases).

The right table is an agency registry: synthetic Sulawesi Tengah persons from
:mod:`sinergi.synthetic` (which already include family members who share a
KK, an address and sometimes a phone: hard non-matches). The left table is
another agency's export: a share of its rows are the same humans as right
rows, re-registered with realistic damage; the rest are humans not in the
registry. Damage on the re-registered rows:

* name: a clerk's spelling variant (``spelling_variant``: old spelling,
  Muhammad forms, doubled letters, titles) and/or a typo;
* NIK: missing, Excel-damaged (``7.27105E+15``, or its 16th digit rounded),
  one digit mistyped or two digits transposed;
* birth date: day and month swapped, one part mistyped, missing; written as
  ``12/10/1990``, ``12-Okt-1990``, ISO or an Excel serial;
* moved to another village of the regency or to another regency;
* phone missing, changed or written another way; KK and passport missing or renewed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from sinergi.synthetic import SyntheticPerson, generate_persons, spelling_variant
from sinergi.synthetic.places import address_variant

TODAY: Final = date(2026, 6, 1)
_MONTHS_ID: Final = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
_EXCEL_EPOCH: Final = date(1899, 12, 30)
FIELDS: Final = (
    "id", "full_name", "birth_date", "birth_place", "sex", "nik", "kk", "passport", "phone", "address", "region_code",
)  # fmt: skip

type Row = dict[str, str | None]


@dataclass(frozen=True, slots=True)
class LinkageDataset:
    left: list[Row]
    right: list[Row]
    truth: frozenset[tuple[str, str]]  # (left id, right id)
    seconds: float = 0.0


def make_dataset(n_left: int, n_right: int, *, seed: int = 7, match_share: float = 0.5) -> LinkageDataset:
    """``n_left`` damaged export rows, ``match_share`` of them re-registrations of the ``n_right`` registry rows."""
    import time

    started = time.perf_counter()
    n_matched = int(n_left * match_share)
    people = generate_persons(n_right + n_left - n_matched, seed=seed, today=TODAY, variant_share=0.0)
    rng = random.Random(seed + 1)
    registry, outsiders = people[:n_right], people[n_right:]
    villages_by_regency: dict[str, list[str]] = {}
    addresses: dict[str, str] = {}
    for person in registry:
        villages_by_regency.setdefault(person.region_code[:5], []).append(person.region_code)
        addresses.setdefault(person.region_code, person.address_text)
    villages = {regency: sorted(set(codes)) for regency, codes in villages_by_regency.items()}

    right = [_registry_row(f"R{index:07d}", person, rng) for index, person in enumerate(registry)]
    chosen = rng.sample(range(n_right), n_matched)
    sources = [(registry[index], right[index]["id"]) for index in chosen] + [(person, None) for person in outsiders]
    rng.shuffle(sources)
    left: list[Row] = []
    truth: set[tuple[str, str]] = set()
    for index, (person, right_id) in enumerate(sources):
        row_id = f"L{index:07d}"
        left.append(_export_row(row_id, person, rng, villages, addresses, damaged=right_id is not None))
        if right_id is not None:
            truth.add((row_id, right_id))
    return LinkageDataset(left, right, frozenset(truth), time.perf_counter() - started)


def _registry_row(row_id: str, person: SyntheticPerson, rng: random.Random) -> Row:
    nik = person.nik
    if nik is not None and rng.random() < 0.02:
        nik = _excel_damage(nik, rng)
    return {
        "id": row_id,
        "full_name": person.full_name,
        "birth_date": person.birth_date.isoformat(),
        "birth_place": person.birth_place,
        "sex": person.sex,
        "nik": nik,
        "kk": person.kk,
        "passport": person.passport,
        "phone": person.phone,
        "address": person.address_text,
        "region_code": person.region_code,
    }


def _export_row(
    row_id: str,
    person: SyntheticPerson,
    rng: random.Random,
    villages: dict[str, list[str]],
    addresses: dict[str, str],
    *,
    damaged: bool,
) -> Row:
    name = person.full_name
    nik = person.nik
    birth: date | None = person.birth_date
    region = person.region_code
    phone = person.phone
    kk = person.kk
    passport = person.passport
    sex: str | None = person.sex
    address: str | None = person.address_text
    birth_place: str | None = person.birth_place
    if damaged:
        if rng.random() < 0.6:
            name = spelling_variant(name, rng)
        if rng.random() < 0.15:
            name = _typo(name, rng)
        roll = rng.random()
        if nik is not None:
            if roll < 0.2:
                nik = None
            elif roll < 0.27:
                nik = _excel_damage(nik, rng)
            elif roll < 0.31:
                nik = _mistype_digit(nik, rng)
            elif roll < 0.33:
                nik = _transpose_digits(nik, rng)
        roll = rng.random()
        if roll < 0.1:
            birth = _swap_day_month(person.birth_date)
        elif roll < 0.14:
            birth = _mistype_date(person.birth_date, rng)
        elif roll < 0.17:
            birth = None
        roll = rng.random()
        if roll < 0.1:
            other = rng.choice([regency for regency in villages if regency != region[:5]])
            region = rng.choice(villages[other])
        elif roll < 0.2:
            region = rng.choice(villages.get(region[:5], [region]))
        if region != person.region_code:
            address = addresses.get(region)
        elif rng.random() < 0.4:
            address = address_variant(person.address_text, rng)
        roll = rng.random()
        if roll < 0.1:
            birth_place = None
        elif roll < 0.2:
            birth_place = spelling_variant(person.birth_place, rng)
        roll = rng.random()
        if roll < 0.4:
            phone = None
        elif roll < 0.5:
            phone = "08" + "".join(rng.choice("0123456789") for _ in range(10))
        kk = kk if rng.random() < 0.5 else None
        passport = passport if rng.random() < 0.6 else None
        sex = sex if rng.random() < 0.9 else None
    return {
        "id": row_id,
        "full_name": name,
        "birth_date": _written_date(birth, rng),
        "birth_place": birth_place,
        "sex": sex,
        "nik": nik,
        "kk": kk,
        "passport": passport,
        "phone": _written_phone(phone, rng),
        "address": address,
        "region_code": region,
    }


def _typo(name: str, rng: random.Random) -> str:
    words = name.split()
    candidates = [i for i, word in enumerate(words) if len(word) >= 4 and word.isalpha()]
    if not candidates:
        return name
    index = rng.choice(candidates)
    word = words[index]
    position = rng.randrange(1, len(word) - 1)
    operation = rng.choice(("substitute", "delete", "insert", "transpose"))
    letter = rng.choice("aeiounrstlkmgdh")
    if operation == "substitute":
        word = word[:position] + letter + word[position + 1 :]
    elif operation == "delete":
        word = word[:position] + word[position + 1 :]
    elif operation == "insert":
        word = word[:position] + letter + word[position:]
    else:
        word = word[: position - 1] + word[position] + word[position - 1] + word[position + 1 :]
    words[index] = word
    return " ".join(words)


def _excel_damage(nik: str, rng: random.Random) -> str:
    if rng.random() < 0.75:
        return f"{float(nik):.5E}".replace("E+0", "E+")  # 7.27105E+15
    return str(round(int(nik), -1))  # the 16th digit rounded away


def _mistype_digit(nik: str, rng: random.Random) -> str:
    position = rng.randrange(16)
    digit = rng.choice([d for d in "0123456789" if d != nik[position]])
    return nik[:position] + digit + nik[position + 1 :]


def _transpose_digits(nik: str, rng: random.Random) -> str:
    position = rng.randrange(15)
    return nik[:position] + nik[position + 1] + nik[position] + nik[position + 2 :]


def _swap_day_month(day: date) -> date:
    if day.day > 12 or day.day == day.month:
        return day
    return date(day.year, day.day, day.month)


def _mistype_date(day: date, rng: random.Random) -> date:
    if rng.random() < 0.5:
        return day + timedelta(days=rng.choice((-2, -1, 1, 2, 10, -10)))
    try:
        return day.replace(year=day.year + rng.choice((-1, 1)))
    except ValueError:
        return day


def _written_date(day: date | None, rng: random.Random) -> str | None:
    if day is None:
        return None
    roll = rng.random()
    if roll < 0.4:
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    if roll < 0.7:
        return f"{day.day:02d}-{_MONTHS_ID[day.month - 1]}-{day.year}"
    if roll < 0.9:
        return day.isoformat()
    return str((day - _EXCEL_EPOCH).days)  # an Excel serial


def _written_phone(phone: str | None, rng: random.Random) -> str | None:
    if phone is None:
        return None
    roll = rng.random()
    if roll < 0.3:
        return "+62 " + phone[1:4] + "-" + phone[4:8] + "-" + phone[8:]
    if roll < 0.5:
        return "62" + phone[1:]
    return phone
