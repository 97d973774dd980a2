"""A second, independently written model of Indonesian registers and their damage, for bench_linkage.

Written apart from :mod:`sinergi.synthetic` and ``bench/linkage_data.py`` on purpose: a linker tuned on
one generator's habits can look better than it is. Nothing here reuses their name lists, households or
corruption code; only the identity core's NIK layout (``build_nik``) and the shipped region directory are
shared, because those are the law, not a modelling choice.

What it makes hard, beyond spelling:

* **Birthday neighbours**: a fifth of the persons are born on the same day, with the same sex, in the same
  district as someone else, so their NIKs differ only in the serial (0001, 0002, ...). Some are born the
  same day in a neighbouring district of the same regency (NIKs differ in the district digits too).
* **Households**: a KK, an address, a village and often one phone shared by parents and children;
  siblings with one family name (Bugis, Toraja, Minahasa and Chinese-Indonesian families) or none; twins
  (same birth date, same KK, names often alike: Hasan / Husain).
* **Officials' typing** on the export copy: keys next to each other on a keyboard, a letter dropped or
  doubled, two letters swapped, a second name left out or abbreviated (``M.``, ``Moh.``), a title
  (``Hj.``, ``H.``, ``S.Pd``) added, capitals; NIK digits mistyped or swapped, Excel's scientific
  notation and its rounded 16th digit, the KK typed into the NIK column; 1 January for an unknown date,
  day and month swapped, a year mistyped; phones written ``+62``, ``62`` or with dashes; addresses
  abbreviated (``Jalan`` / ``Jl.``, ``RT 01 RW 02`` / ``RT.1/RW.2``).
* The export's non-matches are chosen among the registry persons' **twins, siblings and birthday
  neighbours** as well as strangers: the pairs a linker most easily gets wrong.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Final

from bench.linkage_data import LinkageDataset, Row
from sinergi.identity.nik import build_nik
from sinergi.identity.regions import RegionDirectory, RegionLevel

TODAY: Final = date(2026, 6, 1)

_MALE: Final = (
    "Ahmad Fauzi", "Andi Baso", "Arman", "Bambang", "Budi Santoso", "Darwis", "Dedi", "Eko Prasetyo", "Fadli",
    "Gunawan", "Hasan", "Hendra", "Husain", "Irfan", "Iwan", "Jumadil", "Kadir", "Lukman", "Made Wirawan",
    "Muhammad Rizal", "Muhammad Ilham", "Nasrun", "Nyoman Sudarta", "Rahmat", "Ridwan", "Rusdi", "Safrudin",
    "Sudirman", "Syamsul", "Taufik", "Wahyu", "Yusuf", "Zainal Abidin", "Agus Salim", "Asrul", "Harun",
    "Ismail", "Jufri", "Marthen", "Yohanis", "Arifin", "Basri", "Hamka", "Ilyas", "Mustafa", "Sahrul",
)  # fmt: skip
_FEMALE: Final = (
    "Siti Aminah", "Siti Rahma", "Siti Nurhaliza", "Siti Febriani", "Siti Suriani", "Nur Aisyah", "Nurhayati",
    "Dewi Lestari", "Fitriani", "Hasnah", "Indah Sari", "Jumriah", "Kartini", "Lina Marlina", "Marlina",
    "Nirwana", "Ni Made Ayu", "Ni Ketut Sri", "Rosmiati", "Rahmawati", "Sartika", "Sri Wahyuni", "Suriani",
    "Wahyuni", "Yuliana", "Agustina", "Asniar", "Besse Rukiah", "Erna", "Hajrah", "Herlina", "Mardiana",
    "Masita", "Nurlela", "Rukmini", "Salmawati", "Sumarni", "Yohana", "Fatmawati", "Husna", "Hasna",
)  # fmt: skip
# Families that pass on a name (marga, fam, surname); the rest have none.
_FAMILY_NAMES: Final = (
    "Lamarauna", "Tandiarrang", "Pakaya", "Mokodompit", "Sompotan", "Tanjung", "Lasaeba", "Halim", "Wijaya",
    "Rumengan", "Lapasere", "Daeng Masiga", "Tandi", "Pangalila", "Lumowa", "Rante", "Laraga", "Tosepu",
)  # fmt: skip
_TITLES: Final = ("H.", "Hj.", "Drs.", "S.Pd", "S.E.", "Ir.")
_STREETS: Final = (
    "Jalan Trans Sulawesi", "Jalan Diponegoro", "Jalan Sis Aljufri", "Jalan Kartini", "Jalan Veteran",
    "Jalan Poros", "Jalan Mangga", "Jalan Anoa", "Jalan Cemara", "Jalan Towua", "Lorong Damai", "Jalan Garuda",
)  # fmt: skip
_PLACES: Final = ("Palu", "Donggala", "Poso", "Luwuk", "Toli-Toli", "Parigi", "Ampana", "Makassar", "Manado", "Buol")
# Keys next to each other on a QWERTY keyboard and on a number row / keypad.
_NEAR_KEYS: Final = {
    "a": "sqz", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj", "i": "uo",
    "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o", "r": "et", "s": "ad",
    "t": "ry", "u": "yi", "w": "qe", "y": "tu", "z": "x",
}  # fmt: skip
_NEAR_DIGITS: Final = {
    "0": "9", "1": "24", "2": "13", "3": "24", "4": "35", "5": "46", "6": "57", "7": "68", "8": "79", "9": "80",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Human:
    key: int
    name: str
    sex: str
    birth: date
    district: str  # 6 digits, where the NIK was issued
    village: str  # 10 digits, where they live
    nik: str
    kk: str
    address: str
    phone: str | None
    birth_place: str
    household: int
    kin: tuple[int, ...] = ()  # keys of twins, siblings and birthday neighbours: the hard non-matches


def make_independent_dataset(n_left: int, n_right: int, *, seed: int = 11, match_share: float = 0.5) -> LinkageDataset:
    """``n_left`` export rows (``match_share`` re-registering ``n_right`` registry rows), known truth."""
    import time

    started = time.perf_counter()
    rng = random.Random(seed)
    people = _population(n_right + n_left, rng)
    order = list(range(len(people)))
    rng.shuffle(order)
    registry = [people[index] for index in order[:n_right]]
    in_registry = {person.key for person in registry}
    n_matched = int(n_left * match_share)
    n_outside = n_left - n_matched
    # Outsiders: first the kin of registry persons (twins, siblings, birthday neighbours), then anyone.
    kin = [person for person in people if person.key not in in_registry and set(person.kin) & in_registry]
    others = [person for person in people if person.key not in in_registry and not set(person.kin) & in_registry]
    rng.shuffle(kin)
    rng.shuffle(others)
    outsiders = (kin[: n_outside * 3 // 5] + others)[:n_outside]
    chosen = rng.sample(range(n_right), n_matched)
    villages = sorted({person.village for person in people})

    right = [_registry_row(f"R{index:07d}", person, rng) for index, person in enumerate(registry)]
    sources = [(registry[index], right[index]["id"]) for index in chosen] + [(person, None) for person in outsiders]
    rng.shuffle(sources)
    left: list[Row] = []
    truth: set[tuple[str, str]] = set()
    for index, (person, right_id) in enumerate(sources):
        row_id = f"L{index:07d}"
        left.append(_export_row(row_id, person, rng, villages, retyped=right_id is not None))
        if right_id is not None:
            truth.add((row_id, str(right_id)))
    return LinkageDataset(left, right, frozenset(truth), time.perf_counter() - started)


def _population(size: int, rng: random.Random) -> list[Human]:
    # Villages: a few desa (2001, 2002, ...) in every real district of Sulawesi Tengah.
    directory = RegionDirectory.default()
    districts = [region.code.replace(".", "") for region in directory.regions(RegionLevel.DISTRICT)]
    villages = [f"{code}{2000 + n:04d}" for code in districts if code.startswith("72") for n in range(1, 7)]
    by_regency: dict[str, list[str]] = {}
    for code in villages:
        by_regency.setdefault(code[:4], []).append(code)
    serials: dict[tuple[str, date, str], int] = {}
    people: list[Human] = []
    household = 0
    while len(people) < size:
        household += 1
        village = rng.choice(villages)
        people.extend(_household(household, village, len(people), rng, serials))
        # A birthday neighbour: someone else born that day, same sex, same district (or one nearby).
        if rng.random() < 0.2 and people:
            model = people[-1]
            district = model.district
            if rng.random() < 0.3:
                district = rng.choice(by_regency[model.district[:4]])[:6]
            neighbour_village = rng.choice(
                [code for code in by_regency[district[:4]] if code[:6] == district] or [village]
            )
            household += 1
            neighbour = _human(
                len(people), model.sex, model.birth, district, neighbour_village, rng, serials,
                household=household, kk=_kk(neighbour_village, rng), address=_address(rng), phone=_phone(rng),
                family="",
            )  # fmt: skip
            people.append(replace(neighbour, kin=(model.key,)))
            people[model.key] = replace(model, kin=(*model.kin, neighbour.key))
    return people[:size]


def _household(
    number: int, village: str, first_key: int, rng: random.Random, serials: dict[tuple[str, date, str], int]
) -> list[Human]:
    family = rng.choice(_FAMILY_NAMES) if rng.random() < 0.35 else ""
    kk = _kk(village, rng)
    address = _address(rng)
    shared_phone = _phone(rng) if rng.random() < 0.5 else None
    district = village[:6]
    father_birth = TODAY - timedelta(days=rng.randint(25 * 365, 60 * 365))
    mother_birth = father_birth + timedelta(days=rng.randint(-5 * 365, 3 * 365))
    members = [("L", father_birth), ("P", mother_birth)][: 1 if rng.random() < 0.15 else 2]
    parents = len(members)
    children = rng.choice((0, 1, 2, 2, 3, 4))
    birth = mother_birth + timedelta(days=rng.randint(19 * 365, 26 * 365))
    for _ in range(children):
        if birth >= TODAY - timedelta(days=17 * 365):
            break
        sex = rng.choice("LP")
        members.append((sex, birth))
        if rng.random() < 0.04:  # twins
            members.append((rng.choice("LP"), birth))
        birth += timedelta(days=rng.randint(400, 1500))
    people: list[Human] = []
    for offset, (sex, born) in enumerate(members):
        phone = shared_phone if shared_phone and rng.random() < 0.7 else _phone(rng) if rng.random() < 0.8 else None
        people.append(
            _human(
                first_key + offset,
                sex,
                born,
                district,
                village,
                rng,
                serials,
                household=number,
                kk=kk,
                address=address,
                phone=phone,
                family=family if offset != 1 else "",
            )
        )
    keys = tuple(person.key for person in people)
    # Siblings and twins are each other's kin (parents are kin of nobody here: their names and ages differ).
    children_keys = keys[parents:]
    return [
        replace(person, kin=tuple(k for k in children_keys if k != person.key))
        if person.key in children_keys
        else person
        for person in people
    ]


def _human(
    key: int, sex: str, born: date, district: str, village: str, rng: random.Random,
    serials: dict[tuple[str, date, str], int], *, household: int, kk: str, address: str, phone: str | None,
    family: str,
) -> Human:  # fmt: skip
    given = rng.choice(_MALE if sex == "L" else _FEMALE)
    name = f"{given} {family}".strip()
    serial = serials.get((district, born, sex), 0) + 1
    serials[(district, born, sex)] = serial
    return Human(
        key=key, name=name, sex=sex, birth=born, district=district, village=village,
        nik=build_nik(district, born, sex, serial),  # type: ignore[arg-type]
        kk=kk, address=address, phone=phone, birth_place=rng.choice(_PLACES), household=household,
    )  # fmt: skip


def _kk(village: str, rng: random.Random) -> str:
    issued = TODAY - timedelta(days=rng.randint(0, 20 * 365))
    return f"{village[:6]}{issued.day:02d}{issued.month:02d}{issued.year % 100:02d}{rng.randint(1, 9999):04d}"


def _address(rng: random.Random) -> str:
    return f"{rng.choice(_STREETS)} No. {rng.randint(1, 250)} RT {rng.randint(1, 12):02d} RW {rng.randint(1, 6):02d}"


def _phone(rng: random.Random) -> str:
    return (
        "08" + rng.choice(("12", "13", "21", "22", "52", "53", "77", "78", "95")) + str(rng.randint(10**7, 10**8 - 1))
    )


def _registry_row(row_id: str, person: Human, rng: random.Random) -> Row:
    return {
        "id": row_id,
        "full_name": person.name.upper() if rng.random() < 0.5 else person.name,
        "birth_date": person.birth.isoformat(),
        "birth_place": person.birth_place,
        "sex": person.sex,
        "nik": person.nik,
        "kk": person.kk,
        "passport": None,
        "phone": person.phone,
        "address": person.address,
        "region_code": person.village,
    }


def _export_row(row_id: str, person: Human, rng: random.Random, villages: list[str], *, retyped: bool) -> Row:
    """The row another agency's official typed; ``retyped`` rows are registry persons typed again."""
    row = _registry_row(row_id, person, rng)
    if not retyped:
        return {**row, "birth_date": _date_text(person.birth, rng), "phone": _phone_text(person.phone, rng)}
    row["full_name"] = _typed_name(person.name, rng)
    row["nik"] = _typed_nik(person, rng)
    row["birth_date"] = _date_text(_typed_date(person.birth, rng), rng)
    row["sex"] = (
        None if rng.random() < 0.1 else ("P" if person.sex == "L" else "L") if rng.random() < 0.01 else person.sex
    )
    row["phone"] = _phone_text(person.phone if rng.random() < 0.6 else _phone(rng) if rng.random() < 0.3 else None, rng)
    row["kk"] = person.kk if rng.random() < 0.5 else None
    if rng.random() < 0.1:  # moved
        row["region_code"] = rng.choice(villages)
        row["address"] = _address(rng) if rng.random() < 0.5 else None
    else:
        row["address"] = _typed_address(person.address, rng) if rng.random() < 0.7 else None
    row["birth_place"] = person.birth_place if rng.random() < 0.85 else None
    return row


def _typed_name(name: str, rng: random.Random) -> str:
    words = name.split()
    if len(words) > 1 and rng.random() < 0.1:
        words = words[:-1] if rng.random() < 0.5 else words[1:]  # a name left out
    if words[0] == "Muhammad" and rng.random() < 0.5:
        words[0] = rng.choice(("M.", "Moh.", "Muh.", "Mohammad"))
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        index = rng.randrange(len(words))
        words[index] = _typed_word(words[index], rng)
    if rng.random() < 0.05:
        words.insert(0, rng.choice(_TITLES)) if rng.random() < 0.5 else words.append(rng.choice(_TITLES))
    text = " ".join(words)
    return text.upper() if rng.random() < 0.4 else text


def _typed_word(word: str, rng: random.Random) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    position = rng.randrange(1, len(word) - 1)
    letter = word[position].lower()
    kind = rng.random()
    if kind < 0.35 and letter in _NEAR_KEYS:
        return word[:position] + rng.choice(_NEAR_KEYS[letter]) + word[position + 1 :]
    if kind < 0.6:
        return word[:position] + word[position + 1 :]
    if kind < 0.8:
        return word[:position] + word[position] + word[position:]
    return word[: position - 1] + word[position] + word[position - 1] + word[position + 1 :]


def _typed_nik(person: Human, rng: random.Random) -> str | None:
    nik = person.nik
    roll = rng.random()
    if roll < 0.2:
        return None
    if roll < 0.24:
        position = rng.randrange(16)
        return nik[:position] + rng.choice(_NEAR_DIGITS[nik[position]]) + nik[position + 1 :]
    if roll < 0.27:
        position = rng.randrange(15)
        return nik[:position] + nik[position + 1] + nik[position] + nik[position + 2 :]
    if roll < 0.30:
        return f"{int(nik):.5E}".replace("E+0", "E+")
    if roll < 0.34:
        return nik[:15] + "0"  # Excel keeps 15 significant digits
    if roll < 0.35:
        return person.kk  # the KK typed in the NIK column
    return nik


def _typed_date(born: date, rng: random.Random) -> date | None:
    roll = rng.random()
    if roll < 0.05:
        return None
    if roll < 0.07:
        return date(born.year, 1, 1)  # unknown day: 1 January
    if roll < 0.1 and born.day <= 12:
        return date(born.year, born.day, born.month)
    if roll < 0.13:
        text = born.strftime("%d%m%Y")
        position = rng.choice((0, 1, 2, 3, 6, 7))
        typed = text[:position] + rng.choice(_NEAR_DIGITS[text[position]]) + text[position + 1 :]
        try:
            return date(int(typed[4:]), int(typed[2:4]), int(typed[:2]))
        except ValueError:
            return born
    return born


def _date_text(day: date | None, rng: random.Random) -> str | None:
    if day is None:
        return None
    return rng.choice(
        (f"{day.day:02d}-{day.month:02d}-{day.year}", f"{day.day}/{day.month}/{day.year}", day.isoformat())
    )


def _phone_text(phone: str | None, rng: random.Random) -> str | None:
    if phone is None:
        return None
    roll = rng.random()
    if roll < 0.25:
        return "+62" + phone[1:]
    if roll < 0.4:
        return "62" + phone[1:]
    if roll < 0.55:
        return f"{phone[:4]}-{phone[4:8]}-{phone[8:]}"
    return phone


def _typed_address(address: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        address = address.replace("Jalan ", "Jl. ")
    if rng.random() < 0.4:
        address = address.replace(" RT ", " RT.").replace(" RW ", "/RW.")
    return address.upper() if rng.random() < 0.3 else address
