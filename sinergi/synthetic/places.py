"""Birth places and address lines as written in Sulawesi Tengah records."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Final

from sinergi.synthetic.names import NameGroup
from sinergi.synthetic.weighted import Weighted, parse_weighted

# Towns people give as their birth place, per regency of Sulawesi Tengah (72).
SULTENG_TOWNS: Final[dict[str, Weighted[str]]] = {
    "72.01": parse_weighted("Luwuk 6 Toili 2 Pagimana 2 Kintom Batui 2 Bunta Balantak"),
    "72.02": parse_weighted("Poso 8 Tentena 5 Pendolo 2 Mapane 2 Wuasa Tambarana Lage Bada"),
    "72.03": parse_weighted("Donggala 8 Sirenja 2 Tambu Balaesang 2 Labuan 2 Towale Tompe"),
    "72.04": parse_weighted("Toli-Toli 8 Dondo Ogotua Lalos"),
    "72.05": parse_weighted("Buol 8 Leok 2 Paleleh 2 Lakea"),
    "72.06": parse_weighted("Bungku 6 Bahodopi 2 Wosu"),
    "72.07": parse_weighted("Salakan 5 Bulagi 2 Tinangkung Liang"),
    "72.08": parse_weighted(
        "Parigi 8 Tinombo 3 Moutong 3 Kasimbar 2 Tomini 2 Sausu 3 Toboli Ampibabo 2 Tolai 3 Torue 2"
    ),
    "72.09": parse_weighted("Ampana 7 Wakai 2 Tojo 2 Una-Una"),
    "72.10": parse_weighted("Biromaru 4 Sigi 4 Kulawi 3 Dolo 3 Marawola 2 Palolo 3 Lindu Gumbasa Kalukubula"),
    "72.11": parse_weighted("Banggai 6 Lipulalongo Bokan"),
    "72.12": parse_weighted("Kolonodale 6 Beteleme 3 Tomata 2 Mori"),
    "72.71": parse_weighted("Palu"),
}


@dataclass(frozen=True, slots=True)
class Origin:
    """A birth place outside the province, with the regency whose Dukcapil may have issued the NIK."""

    town: str
    regency_code: str


def _origins(*rows: tuple[str, str, float]) -> Weighted[Origin]:
    return Weighted.of((Origin(town, code), weight) for town, code, weight in rows)


# Where transmigrant and migrant families came from. Codes are Kemendagri regency codes.
OUTSIDE_ORIGINS: Final[dict[NameGroup, Weighted[Origin]]] = {
    NameGroup.JAWA: _origins(
        ("Kediri", "35.06", 4), ("Blitar", "35.05", 3), ("Tulungagung", "35.04", 2),
        ("Ponorogo", "35.02", 3), ("Madiun", "35.19", 2), ("Ngawi", "35.21", 2),
        ("Banyuwangi", "35.10", 3), ("Jember", "35.09", 3), ("Malang", "35.07", 4),
        ("Lamongan", "35.24", 3), ("Bojonegoro", "35.22", 2), ("Tuban", "35.23", 2),
        ("Wonogiri", "33.12", 4), ("Klaten", "33.10", 2), ("Boyolali", "33.09", 2),
        ("Sragen", "33.14", 2), ("Banyumas", "33.02", 2), ("Cilacap", "33.01", 2),
        ("Kebumen", "33.05", 2), ("Purworejo", "33.06", 2), ("Gunung Kidul", "34.03", 3),
        ("Bantul", "34.02", 2),
    ),
    NameGroup.BALI: _origins(
        ("Tabanan", "51.02", 4), ("Karangasem", "51.07", 4), ("Buleleng", "51.08", 3),
        ("Klungkung", "51.05", 3), ("Gianyar", "51.04", 2), ("Bangli", "51.06", 2),
        ("Jembrana", "51.01", 2), ("Badung", "51.03", 1), ("Denpasar", "51.71", 2),
    ),
    NameGroup.BUGIS: _origins(
        ("Bone", "73.08", 4), ("Watampone", "73.08", 2), ("Sengkang", "73.13", 3),
        ("Wajo", "73.13", 1), ("Soppeng", "73.12", 2), ("Sidrap", "73.14", 2),
        ("Pinrang", "73.15", 2), ("Pare-Pare", "73.72", 3), ("Makassar", "73.71", 3),
    ),
    NameGroup.KRISTEN: _origins(
        ("Manado", "71.71", 3), ("Tomohon", "71.73", 1), ("Rantepao", "73.26", 2),
        ("Makale", "73.18", 2),
    ),
    NameGroup.TIONGHOA: _origins(("Makassar", "73.71", 3), ("Manado", "71.71", 2)),
    NameGroup.KAILI: _origins(("Makassar", "73.71", 1)),
}  # fmt: skip

# Chance that a person of the group was born outside the province (older people: double).
OUTSIDE_BIRTH_SHARE: Final[dict[NameGroup, float]] = {
    NameGroup.JAWA: 0.3,
    NameGroup.BALI: 0.3,
    NameGroup.BUGIS: 0.2,
    NameGroup.KRISTEN: 0.1,
    NameGroup.TIONGHOA: 0.15,
    NameGroup.KAILI: 0.02,
}

URBAN_STREETS: Final = parse_weighted("""
    Sis_Aljufri 3 Diponegoro 3 Gajah_Mada 3 Moh._Hatta 2 Tombolotutu 2 Kartini 2 Cut_Mutia 2
    Hasanuddin 2 Basuki_Rahmat 3 Soekarno-Hatta 2 Dewi_Sartika 3 Towua 2 Tanjung_Manimbaya 2
    Kijang 2 Anoa 2 Tadulako 2 Veteran 2 Sam_Ratulangi 2 Juanda 2 Emy_Saelan 2 Setia_Budi 2
    Mangunsarkoro 2 Jend._Sudirman 2 Ahmad_Yani 2 Pattimura 2 Imam_Bonjol 2 Malonda 2
    Cumi-Cumi 2 Teluk_Palu Lagarutu Pue_Bongo Kangkung 2 Padanjakaya Tanjung_Tururuka
    Pulau_Irian Pulau_Seram Mutiara Kelor Durian Manggis 2 Beringin 2 Cempedak Nangka
""")

BTN_NAMES: Final = parse_weighted(
    "Palupi_Permai 2 Pengawu_Indah Lasoani_Permai Tinggede_Indah Kawatuna_Asri Mamboro_Permai"
)

DUSUN_NAMES: Final[dict[NameGroup, Weighted[str]]] = {
    NameGroup.JAWA: parse_weighted(
        "Sidomulyo 3 Sukamaju 3 Margorejo 2 Tambakrejo Karangsari 2 Sumberjaya 2 Sidorejo 2"
    ),
    NameGroup.BALI: parse_weighted("Banjar_Anyar 2 Kertasari 2 Werdhi_Agung Sari_Mekar Tri_Murti"),
}
_GENERIC_DUSUN: Final = parse_weighted("I 5 II 5 III 4 IV 3 V 2 Tanjung 2 Lembah 2 Kampung_Baru 2 Pantai Sidera Bulili")

_LETTERS: Final = "ABCDEFGH"


def birth_place(
    group: NameGroup,
    *,
    regency_code: str,
    regency_short_name: str,
    born_before_1985: bool,
    rng: random.Random,
) -> tuple[str, Origin | None]:
    """(birth place as written, outside origin or None when born in the province)."""
    share = OUTSIDE_BIRTH_SHARE[group] * (2 if born_before_1985 else 1)
    if rng.random() < share:
        origin = OUTSIDE_ORIGINS[group].pick(rng)
        return origin.town, origin
    towns = SULTENG_TOWNS.get(regency_code)
    if towns is None or rng.random() < 0.1:
        return regency_short_name, None
    return towns.pick(rng), None


def _rt_rw(rng: random.Random) -> str:
    return f"RT {rng.randint(1, 12):03d}/RW {rng.randint(1, 6):03d}"


def address_text(*, urban: bool, group: NameGroup, town: str, rng: random.Random) -> str:
    """A street line ("Jl. ... No. 12, RT 002/RW 003") in a kelurahan, a dusun line in a desa."""
    if urban:
        street = f"Jl. {URBAN_STREETS.pick(rng)}"
        roll = rng.random()
        if roll < 0.55:
            return f"{street} No. {rng.randint(1, 150)}, {_rt_rw(rng)}"
        if roll < 0.72:
            return f"{street} Lr. {rng.randint(1, 9)}, {_rt_rw(rng)}"
        if roll < 0.88:
            return f"{street} No. {rng.randint(1, 150)}"
        blok = rng.choice(_LETTERS)
        return f"BTN {BTN_NAMES.pick(rng)} Blok {blok} No. {rng.randint(1, 40)}"
    names = DUSUN_NAMES.get(group)
    dusun = names.pick(rng) if names is not None and rng.random() < 0.5 else _GENERIC_DUSUN.pick(rng)
    roll = rng.random()
    if roll < 0.4:
        return f"Dusun {dusun}, RT {rng.randint(1, 8):03d}"
    if roll < 0.65:
        return f"Dusun {dusun}, {_rt_rw(rng)}"
    if roll < 0.85:
        return f"Jl. Poros {town}, Dusun {dusun}"
    return f"Jl. Trans Sulawesi, Dusun {dusun}"


_ADDRESS_REWRITES: Final[tuple[tuple[str, str], ...]] = (
    ("Jl. ", "Jalan "),
    ("Dusun ", "Dsn. "),
    ("No. ", "No."),
)
_RT_RW = re.compile(r"RT (\d{3})(?:/RW (\d{3}))?")


def address_variant(text: str, rng: random.Random) -> str:
    """The same address as another clerk writes it: Jalan for Jl., no RT/RW, "RT 2/RW 3"."""
    options: list[str] = [text.replace(old, new, 1) for old, new in _ADDRESS_REWRITES if old in text]
    match = _RT_RW.search(text)
    if match:
        options.append(text[: match.start()].rstrip(", "))
        short = f"RT {int(match.group(1))}" + (f"/RW {int(match.group(2))}" if match.group(2) else "")
        options.append(text[: match.start()] + short + text[match.end() :])
    options = [option for option in options if option and option != text]
    # Not reached for lines made by address_text(), but keep the function total.
    if not options:
        return text.upper() if text != text.upper() else text.lower()
    return rng.choice(options)
