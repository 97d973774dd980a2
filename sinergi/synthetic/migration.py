"""Work abroad: destinations, jobs, employers, placement companies (P3MI) and dates.

Shape of the data, from the domain brief and KemenP2MI statistics: women go mostly to
households (Hong Kong, Singapore, Saudi Arabia, Malaysia) and care work (Taiwan, Japan); men
to Sabah's oil-palm estates, Korean and Taiwanese factories, fishing boats and building sites.
Departures outside the procedure (nonprocedural) go mostly to the Middle East, where the
2015 moratorium (Kepmenaker 260/2015) closed placement of domestic workers, and to Malaysia.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

from sinergi.synthetic.names import Sex
from sinergi.synthetic.weighted import Weighted, parse_weighted


class Job(StrEnum):
    PRT = "PRT (Penata Laksana Rumah Tangga)"
    CAREGIVER = "Caregiver (Perawat Lansia)"
    PERKEBUNAN = "Pekerja Perkebunan"
    OPERATOR = "Operator Pabrik"
    ABK = "ABK Kapal Perikanan"
    KONSTRUKSI = "Pekerja Konstruksi"
    RESTORAN = "Pekerja Restoran/Hotel"
    SOPIR = "Sopir"


@dataclass(frozen=True, slots=True)
class Episode:
    """One stay abroad."""

    destination_country: str  # ISO 3166-1 alpha-2
    employer: str
    # Placement company (P3MI); "" for G-to-G schemes and most nonprocedural departures.
    # A string, like the registry's blank CharField, so records pass straight through.
    placement_company: str
    job: str
    departure_date: date
    return_date: date | None  # None while still abroad
    procedural: bool


MIDDLE_EAST: Final = ("SA", "AE", "QA")

DESTINATIONS: Final[dict[Sex, Weighted[str]]] = {
    "P": Weighted.of(
        [("MY", 24), ("HK", 22), ("TW", 16), ("SA", 13), ("SG", 10), ("AE", 6), ("JP", 5),
         ("QA", 3), ("KR", 1)]
    ),
    "L": Weighted.of(
        [("MY", 45), ("TW", 12), ("KR", 12), ("JP", 10), ("SA", 7), ("QA", 6), ("AE", 4),
         ("SG", 2), ("HK", 2)]
    ),
}  # fmt: skip


def _jobs(*pairs: tuple[Job, float]) -> Weighted[Job]:
    return Weighted.of(pairs)


JOBS: Final[dict[tuple[str, Sex], Weighted[Job]]] = {
    ("MY", "P"): _jobs((Job.PRT, 55), (Job.PERKEBUNAN, 25), (Job.OPERATOR, 12), (Job.RESTORAN, 8)),
    ("MY", "L"): _jobs((Job.PERKEBUNAN, 60), (Job.KONSTRUKSI, 25), (Job.OPERATOR, 10), (Job.RESTORAN, 5)),
    ("HK", "P"): _jobs((Job.PRT, 92), (Job.CAREGIVER, 8)),
    ("HK", "L"): _jobs((Job.SOPIR, 40), (Job.RESTORAN, 30), (Job.KONSTRUKSI, 30)),
    ("TW", "P"): _jobs((Job.CAREGIVER, 65), (Job.OPERATOR, 35)),
    ("TW", "L"): _jobs((Job.OPERATOR, 50), (Job.ABK, 35), (Job.KONSTRUKSI, 15)),
    ("SG", "P"): _jobs((Job.PRT, 88), (Job.CAREGIVER, 8), (Job.RESTORAN, 4)),
    ("SG", "L"): _jobs((Job.KONSTRUKSI, 60), (Job.RESTORAN, 20), (Job.OPERATOR, 20)),
    ("SA", "P"): _jobs((Job.PRT, 95), (Job.RESTORAN, 5)),
    ("SA", "L"): _jobs((Job.SOPIR, 50), (Job.KONSTRUKSI, 35), (Job.RESTORAN, 15)),
    ("JP", "P"): _jobs((Job.CAREGIVER, 50), (Job.OPERATOR, 40), (Job.RESTORAN, 10)),
    ("JP", "L"): _jobs((Job.OPERATOR, 50), (Job.KONSTRUKSI, 28), (Job.ABK, 22)),
    ("KR", "P"): _jobs((Job.OPERATOR, 1)),
    ("KR", "L"): _jobs((Job.OPERATOR, 65), (Job.ABK, 25), (Job.KONSTRUKSI, 10)),
    ("AE", "P"): _jobs((Job.PRT, 80), (Job.RESTORAN, 20)),
    ("AE", "L"): _jobs((Job.KONSTRUKSI, 45), (Job.SOPIR, 30), (Job.RESTORAN, 25)),
    ("QA", "P"): _jobs((Job.PRT, 80), (Job.RESTORAN, 20)),
    ("QA", "L"): _jobs((Job.KONSTRUKSI, 60), (Job.SOPIR, 20), (Job.RESTORAN, 20)),
}  # fmt: skip

# Invented placement companies; any likeness to a licensed P3MI is coincidental.
P3MI_NAMES: Final[tuple[str, ...]] = (
    "PT Mitra Tadulako Mandiri",
    "PT Celebes Karya Utama",
    "PT Bumi Kaili Sejahtera",
    "PT Lintas Samudra Prima Insani",
    "PT Anugerah Jaya Abadi Sulteng",
    "PT Poso Raya Tenaga Mandiri",
    "PT Sinar Palu Perkasa",
    "PT Duta Sigi Nusantara",
    "PT Karya Putra Lembah Palu",
    "PT Tomini Bahari Insani",
    "PT Nusa Mandiri Lestari Jaya",
    "PT Sumber Rezeki Migran Sentosa",
    "PT Tanjung Karang Mulia Abadi",
    "PT Bintang Timur Lintas Negeri",
    "PT Cahaya Harapan Pekerja Bangsa",
    "PT Sulawesi Mitra Kerja Global",
)
_P3MI: Final = Weighted.of(
    (name, weight) for name, weight in zip(P3MI_NAMES, (9, 8, 7, 6, 6, 5, 5, 4, 4, 3, 3, 3, 2, 2, 2, 1), strict=True)
)

# --- employers ------------------------------------------------------------------------------

_HK_SURNAMES: Final = parse_weighted(
    "Chan 10 Wong 10 Lee 8 Cheung 6 Lau 6 Ng 6 Leung 5 Ho 5 Lam 5 Tang 4 Chow 4 Li 4 Yip 3 "
    "Tsang 3 Kwok 3 Cheng 3 Yeung 3 Fung 2 Mak 2 So 2"
)
_HK_SYLLABLES: Final = parse_weighted(
    "Siu 3 Ling 3 Wai 3 Man 3 Ka Yan 2 Mei 2 Kuen Chi Keung Kwok Wing 2 Yuk Lan Hoi Ming 2 Sau "
    "Fong Kin Suk Fun Tak Shing Lai King"
)
_SG_SURNAMES: Final = parse_weighted(
    "Tan 10 Lim 8 Lee 6 Ng 5 Ong 4 Wong 4 Goh 4 Chua 3 Chan 3 Koh 3 Teo 3 Ang 3 Yeo 2 Tay 2 Low 2 Toh 2 Sim 2"
)
_SG_SYLLABLES: Final = parse_weighted(
    "Bee 2 Hoon 2 Kok 2 Wah 2 Siew 2 Lian Choon Huat Mui Keng Geok Eng Swee Leng Boon Seng Lay Hwee Chin"
)
_MALAY_MALE: Final = parse_weighted(
    "Mohd_Faizal 3 Ahmad_Zaki 2 Azman 2 Hafiz 2 Kamarul 2 Rosli 2 Zulkifli 2 Ismail Shahrul"
)
_MALAY_FEMALE: Final = parse_weighted(
    "Noraini 3 Siti_Rohani 2 Rosnah 2 Norhayati 2 Faridah 2 Zaiton Aminah Salmah Rohaya"
)
_MALAY_FATHERS: Final = parse_weighted("Ahmad 3 Hassan 2 Osman 2 Abdullah 3 Ismail Yusof Omar Ali")
_MY_PLACES: Final = parse_weighted(
    "Tawau 4 Lahad_Datu 3 Kunak 2 Semporna 2 Sandakan 3 Keningau 2 Kinabatangan 2 Beluran"
)
_MY_WORDS: Final = parse_weighted(
    "Cahaya Jaya 2 Maju 2 Sinar Bintang Mega Perdana Sentosa Harmoni Setia Gemilang Mutiara "
    "Permata Emas Borneo 2 Kinabalu"
)
_TW_SURNAMES: Final = parse_weighted(
    "Chen 10 Lin 9 Huang 6 Chang 5 Li 5 Wang 5 Wu 4 Liu 4 Tsai 4 Yang 4 Hsu 3 Cheng 3 Hsieh 2 Kuo 2 Lai 2"
)
_TW_GIVEN: Final = parse_weighted(
    "Chih-Ming Shu-Fen 2 Mei-Hua Chun-Hung Ya-Ting Kuo-Hua Hsiu-Ying Wen-Hsiung Li-Chun Yu-Ling "
    "Chien-Hung Mei-Ling Chia-Hao Hui-Chen"
)
_TW_CITIES: Final = parse_weighted(
    "Taichung 3 Taoyuan 3 Hsinchu 2 Changhua 2 Tainan 2 Kaohsiung 2 New_Taipei 2 Yunlin Miaoli"
)
_TW_WORDS: Final = parse_weighted(
    "Hsin_Yi Tai_Feng Chang_Hong Yung_Sheng Da_Tung Fu_Hsing Kuo_Hua Sheng_Li Ho_Ping Chin_Shan"
)
_TW_INDUSTRIES: Final = parse_weighted(
    "Precision_Industrial 2 Plastics 2 Textile 2 Metal_Industries 2 Electronics 2 Machinery Food"
)
_JP_WORDS: Final = parse_weighted("Sakura 2 Aoi Midori Hikari Kibou Seiwa Yasuragi Hinode Kotobuki Asahi")
_JP_PLACES: Final = parse_weighted("Tokai Chubu Nagoya Hamamatsu Shizuoka Gifu Aichi Ibaraki Gunma")
_JP_TRADES: Final = parse_weighted("Seiko 2 Kogyo 2 Denki Seisakusho 2 Buhin Shokuhin")
_JP_PORTS: Final = parse_weighted("Yaizu Kesennuma Choshi Misaki Ishinomaki")
_KR_WORDS: Final = parse_weighted("Daesung Hanil Samjin Dongil Sehwa Jinyang Woojin Sungwoo Hwaseong Kyungnam")
_KR_TRADES: Final = parse_weighted("Metal 2 Plastic 2 Precision Textile Auto_Parts Industrial 2")
_KR_PORTS: Final = parse_weighted("Busan 3 Tongyeong Yeosu Mokpo Geoje")
_ARAB_MALE: Final = parse_weighted(
    "Abdullah 4 Mohammed 4 Fahad 3 Khalid 3 Saad 2 Sultan 2 Faisal 2 Turki Nasser 2 Saleh 2 "
    "Abdulaziz 2 Majed Bandar Omar 2 Ahmed 3 Hamad 2 Rashid 2"
)
_ARAB_FEMALE: Final = parse_weighted("Nora 3 Fatima 3 Hessa 2 Mariam 2 Aisha 2 Latifa Sara Mona Reem")
_SA_FAMILIES: Final = parse_weighted(
    "Otaibi 3 Qahtani 3 Harbi 2 Ghamdi 2 Zahrani 2 Dosari 2 Shammari 2 Mutairi 2 Anazi Subaie Shahri Malki"
)
_AE_FAMILIES: Final = parse_weighted("Mansouri 2 Nuaimi 2 Shamsi 2 Ketbi Dhaheri Mazrouei Suwaidi Falasi Marri Hammadi")
_QA_FAMILIES: Final = parse_weighted("Kuwari 2 Marri 2 Mohannadi Kaabi Sulaiti Naimi Hajri Emadi Mannai")
_ARAB_FIRMS: Final = parse_weighted("Al_Rashed Al_Faisal Al_Nahda Al_Waha Al_Safa Al_Noor 2 Al_Jazeera Al_Majd")

_HOUSEHOLD_JOBS: Final = (Job.PRT, Job.CAREGIVER, Job.SOPIR)


_HK_HONORIFICS: Final = Weighted.of([("Mdm.", 40), ("Mr.", 30), ("Mrs.", 20), ("Ms.", 10)])
_MY_TRADES: Final = Weighted.of([("Electronics (M)", 2), ("Gloves", 2), ("Plastic Industries", 1), ("Furniture", 1)])


def _cantonese_person(rng: random.Random) -> str:
    honorific = _HK_HONORIFICS.pick(rng)
    first, second = _HK_SYLLABLES.pick(rng), _HK_SYLLABLES.pick(rng)
    return f"{honorific} {_HK_SURNAMES.pick(rng)} {first} {second}"


def _singapore_person(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return f"Mdm. {_MALAY_FEMALE.pick(rng)} binti {_MALAY_FATHERS.pick(rng)}"
    honorific = "Mdm." if rng.random() < 0.55 else "Mr."
    first, second = _SG_SYLLABLES.pick(rng), _SG_SYLLABLES.pick(rng)
    return f"{honorific} {_SG_SURNAMES.pick(rng)} {first} {second}"


def _malaysian_person(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.45:
        return f"Puan {_MALAY_FEMALE.pick(rng)} binti {_MALAY_FATHERS.pick(rng)}"
    if roll < 0.75:
        return f"Encik {_MALAY_MALE.pick(rng)} bin {_MALAY_FATHERS.pick(rng)}"
    first, second = _SG_SYLLABLES.pick(rng), _SG_SYLLABLES.pick(rng)
    return f"{'Mdm.' if rng.random() < 0.6 else 'Mr.'} {_SG_SURNAMES.pick(rng)} {first} {second}"


def _malaysian_company(job: Job, rng: random.Random) -> str:
    word = _MY_WORDS.pick(rng)
    if job is Job.PERKEBUNAN:
        place = _MY_PLACES.pick(rng)
        kind = Weighted.of(
            [
                (f"{place} Oil Palm Plantation", 3),
                (f"Ladang Sawit {place}", 2),
                (f"{word} {place} Estate", 2),
                (f"{place} Agro {word}", 1),
            ]
        ).pick(rng)
        return f"{kind} Sdn. Bhd."
    if job is Job.KONSTRUKSI:
        return f"Binaan {word} Sdn. Bhd." if rng.random() < 0.5 else f"{word} Construction Sdn. Bhd."
    if job is Job.RESTORAN:
        return f"Restoran {word} Sdn. Bhd."
    return f"{word} {_MY_TRADES.pick(rng)} Sdn. Bhd."


def _taiwanese(job: Job, rng: random.Random) -> str:
    if job in _HOUSEHOLD_JOBS:
        return f"{'Mr.' if rng.random() < 0.5 else 'Ms.'} {_TW_SURNAMES.pick(rng)} {_TW_GIVEN.pick(rng)}"
    word = _TW_WORDS.pick(rng)
    if job is Job.ABK:
        return f"{word} Fishery Co., Ltd."
    if job is Job.KONSTRUKSI:
        return f"{word} Construction Co., Ltd."
    return f"{_TW_CITIES.pick(rng)} {word} {_TW_INDUSTRIES.pick(rng)} Co., Ltd."


def _japanese(job: Job, rng: random.Random) -> str:
    if job is Job.CAREGIVER:
        word = _JP_WORDS.pick(rng)
        return f"Shakai Fukushi Hojin {word}-kai" if rng.random() < 0.5 else f"{word} Care Co., Ltd."
    if job is Job.ABK:
        return f"{_JP_PORTS.pick(rng)} Suisan K.K."
    if job is Job.KONSTRUKSI:
        return f"{_JP_PLACES.pick(rng)} Kensetsu K.K."
    if job is Job.RESTORAN:
        return f"{_JP_WORDS.pick(rng)} Foods K.K."
    return f"{_JP_PLACES.pick(rng)} {_JP_TRADES.pick(rng)} K.K."


def _korean(job: Job, rng: random.Random) -> str:
    if job is Job.ABK:
        return f"{_KR_PORTS.pick(rng)} Susan Co., Ltd."
    if job is Job.KONSTRUKSI:
        return f"{_KR_WORDS.pick(rng)} Engineering & Construction Co., Ltd."
    return f"{_KR_WORDS.pick(rng)} {_KR_TRADES.pick(rng)} Co., Ltd."


def _gulf(country: str, job: Job, rng: random.Random) -> str:
    families = {"SA": _SA_FAMILIES, "AE": _AE_FAMILIES, "QA": _QA_FAMILIES}[country]
    if job in _HOUSEHOLD_JOBS:
        family = families.pick(rng)
        if rng.random() < 0.25:
            return f"Mrs. {_ARAB_FEMALE.pick(rng)} Al-{family}"
        if country == "SA" and rng.random() < 0.5:
            return f"Mr. {_ARAB_MALE.pick(rng)} bin {_ARAB_MALE.pick(rng)} Al-{family}"
        return f"Mr. {_ARAB_MALE.pick(rng)} Al-{family}"
    firm = _ARAB_FIRMS.pick(rng)
    suffix = {"SA": "Est.", "AE": "LLC", "QA": "W.L.L."}[country]
    trade = {
        Job.KONSTRUKSI: "Contracting",
        Job.RESTORAN: "Restaurant",
        Job.SOPIR: "Transport",
    }.get(job, "Trading")
    return f"{firm} {trade} {suffix}"


def employer_name(country: str, job: Job, rng: random.Random) -> str:
    """A household head or a company, named the way that country's contracts write it."""
    if country == "HK":
        return _cantonese_person(rng) if job in _HOUSEHOLD_JOBS else f"{_HK_SURNAMES.pick(rng)} Kee Catering Ltd."
    if country == "SG":
        return _singapore_person(rng) if job in _HOUSEHOLD_JOBS else f"{_SG_SURNAMES.pick(rng)} Brothers Pte. Ltd."
    if country == "MY":
        return _malaysian_person(rng) if job in _HOUSEHOLD_JOBS else _malaysian_company(job, rng)
    if country == "TW":
        return _taiwanese(job, rng)
    if country == "JP":
        return _japanese(job, rng)
    if country == "KR":
        return _korean(job, rng)
    return _gulf(country, job, rng)


# --- procedure and dates --------------------------------------------------------------------


def nonprocedural_share(country: str, job: Job, year: int) -> float:
    if country in MIDDLE_EAST:
        if job in (Job.PRT, Job.SOPIR):
            return 0.85 if year >= 2015 else 0.3
        return 0.3
    if country == "MY":
        return 0.45 if job in (Job.PRT, Job.PERKEBUNAN) else 0.25
    return {"SG": 0.05, "HK": 0.03, "TW": 0.04, "JP": 0.02, "KR": 0.02}[country]


# Korea's EPS and part of Japan's care-worker scheme are government-to-government: no P3MI.
_G_TO_G_SHARE: Final[dict[str, float]] = {"KR": 0.6, "JP": 0.3}

_CONTRACT_YEARS: Final = Weighted.of([(2, 50), (3, 20), (4, 15), (5, 8), (6, 7)])
MIN_STAY_DAYS: Final = 730
MAX_STAY_DAYS: Final = 2191
FIRST_DEPARTURE_YEAR: Final = 2010
MIN_AGE: Final = 18
MAX_AGE: Final = 55


def _stay_days(procedural: bool, rng: random.Random) -> int:
    if not procedural and rng.random() < 0.25:
        # Deported or repatriated early: the cases the agencies see most.
        return rng.randint(90, 540)
    days = _CONTRACT_YEARS.pick(rng) * 365 + rng.randint(-20, 40)
    return min(max(days, MIN_STAY_DAYS), MAX_STAY_DAYS)


def _year_weight(year: int, today: date) -> float:
    weight = {2020: 0.3, 2021: 0.4, 2022: 0.8}.get(year, 1.0)  # border closures
    if year == today.year:
        weight *= max(today.timetuple().tm_yday - 1, 1) / 365
    return weight


def first_departure_date(rng: random.Random, today: date) -> date:
    years = Weighted.of((y, _year_weight(y, today)) for y in range(FIRST_DEPARTURE_YEAR, today.year + 1))
    year = years.pick(rng)
    start = date(year, 1, 1)
    end = min(date(year, 12, 31), today - timedelta(days=1))
    return start + timedelta(days=rng.randint(0, max((end - start).days, 0)))


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _episode(sex: Sex, departure: date, today: date, rng: random.Random) -> Episode:
    country = DESTINATIONS[sex].pick(rng)
    job = JOBS[(country, sex)].pick(rng)
    procedural = rng.random() >= nonprocedural_share(country, job, departure.year)
    # Procedural: a P3MI unless government-to-government; nonprocedural: now and then a
    # licensed company that sent the worker out irregularly.
    via_p3mi = rng.random() >= (_G_TO_G_SHARE.get(country, 0.0) if procedural else 0.8)
    returned = departure + timedelta(days=_stay_days(procedural, rng))
    return Episode(
        destination_country=country,
        employer=employer_name(country, job, rng),
        placement_company=_P3MI.pick(rng) if via_p3mi else "",
        job=job.value,
        departure_date=departure,
        return_date=returned if returned <= today else None,
        procedural=procedural,
    )


def make_episodes(
    rng: random.Random,
    *,
    sex: Sex,
    birth_date: date,
    first_departure: date,
    today: date,
) -> tuple[Episode, ...]:
    """One to a few stays abroad, in order, the last possibly still going on.

    The caller chooses ``birth_date`` so the person is 18-55 at ``first_departure``; later
    departures stop once they would be older than 55.
    """
    episodes = [_episode(sex, first_departure, today, rng)]
    while True:
        last_return = episodes[-1].return_date
        again = 0.35 if len(episodes) == 1 else 0.2
        if last_return is None or rng.random() >= again:
            break
        departure = last_return + timedelta(days=rng.randint(60, 730))
        if departure >= today or age_on(birth_date, departure) > MAX_AGE:
            break
        episodes.append(_episode(sex, departure, today, rng))
    return tuple(episodes)
