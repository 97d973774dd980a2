"""Personal names as written in Sulawesi Tengah records.

Design
------
Each community ("name group") has its own lists and its own *structure* rules, because
what makes matching hard is structure as much as spelling:

- Kaili and other local Muslims, Bugis: many mononyms (Nurhayati, Rusli); Moh./Muhammad,
  Abdul, Ahmad + name; Sitti/Siti and Nur + name for women; a father's or Kaili "La-" name as
  second word (Irwan Lasimpo); Andi for Bugis nobility.
- Javanese transmigrants: mononyms (Sutrisno, Sumiati) and two words (Sri Wahyuni, Joko
  Susilo); people born before the 1972 spelling reform often keep the old spelling (Soeharto,
  Djoko, Tjahjono).
- Balinese transmigrants (Parigi Moutong, Poso): I/Ni + birth-order name + one or two names
  (I Wayan Sudarma, Ni Made Sukerti), a few caste names (Ida Bagus, I Gusti Ayu).
- Christians (Pamona around Poso/Tentena, Kulawi, Minahasa, Toraja): biblical/Dutch given
  names with a family name (Yohanis Tampai, Ribka Tobondo).
- Chinese-Indonesian: given name + Indonesianised family name (Hendra Wijaya); few.

Lists are frequency weighted (a head of very common names and a long tail) so that distinct
people share names, as in real registers. Weights are judgement, not census counts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal

from sinergi.synthetic.spelling import (
    DEGREE_WEIGHTS,
    ISLAMIC_DEGREE_WEIGHTS,
    MUHAMMAD_FORMS,
    to_old_spelling,
)
from sinergi.synthetic.weighted import Weighted, parse_weighted

Sex = Literal["L", "P"]


class NameGroup(StrEnum):
    KAILI = "kaili"  # Kaili and other local Muslim communities
    BUGIS = "bugis"
    JAWA = "jawa"
    BALI = "bali"
    KRISTEN = "kristen"  # Pamona, Kulawi, Mori, Minahasa, Toraja Christians
    TIONGHOA = "tionghoa"


MUSLIM_GROUPS: Final = (NameGroup.KAILI, NameGroup.BUGIS, NameGroup.JAWA)

# --- Kaili / local Muslim and Bugis ---------------------------------------------------------

MUSLIM_MALE: Final = parse_weighted("""
    Rusli 8 Irwan 7 Hasan 6 Arman 6 Ridwan 6 Taufik 6 Firman 6 Rizal 6 Rizki 6 Ilham 6
    Rahmat 6 Jufri 5 Rahman 5 Ismail 5 Haris 5 Anwar 5 Yusuf 5 Arifin 5 Darwis 4 Syamsudin 4
    Hamzah 4 Asrul 4 Sofyan 4 Usman 4 Fadli 4 Akbar 4 Hendra 4 Herman 4 Sudirman 4 Wahyu 4
    Faisal 4 Amiruddin 3 Syahrir 3 Fahri 3 Aldi 3 Basri 3 Jamaluddin 3 Kasim 3 Lukman 3
    Mansyur 3 Nasir 3 Saleh 3 Sahrul 3 Yunus 3 Zainal 3 Amran 3 Hairul 3 Hasanuddin 3
    Iskandar 3 Kadir 3 Mahmud 3 Mustafa 3 Ramli 3 Tamrin 3 Umar 3 Zulkifli 3 Rusdi 3 Nurdin 3
    Ardiansyah 3 Fajar 3 Irfan 3 Adnan 2 Alimuddin 2 Asdar 2 Burhan 2 Darmin 2 Gafur 2 Jamal 2
    Lutfi 2 Marzuki 2 Nasrun 2 Risal 2 Safrudin 2 Syarifuddin 2 Syukur 2 Wahid 2 Aswin 2
    Fikri 2 Salim 2 Mukhlis 2 Arsyad 2 Idris 2 Jafar 2 Khairul 2 Andika 2 Reza 2 Rendi 2
    Alfian 2 Sandi 2 Yudi 2 Dimas Rafli Abdillah Agus 2 Budiman Chairil Darlis Efendi Erwin 2
    Fadel Gunawan Hasrul Ikhsan Indra 2 Jumadil Kamaruddin Masdin Mulyadi Nasaruddin Rais
    Sahlan Samsul 2 Sukardi Supardi Syaiful 2 Tajuddin Yahya Yasin Zulfikar Hadi Amir 2
""")

MUSLIM_FEMALE: Final = parse_weighted("""
    Nurhayati 14 Rahmawati 12 Hasnah 8 Fatmawati 8 Wahyuni 8 Aminah 7 Fitriani 7 Hadijah 6
    Sumiati 6 Nurjanah 6 Jumriah 5 Hartini 5 Rosmiati 5 Ratna 5 Nurlela 5 Irawati 5 Suriani 5
    Mardiana 5 Nurmi 4 Masita 4 Asni 4 Darmawati 4 Salma 4 Herlina 4 Marlina 4 Aisyah 4
    Maryam 4 Ernawati 4 Hasmiati 3 Sarina 3 Hasna 3 Indah 3 Rosmini 3 Yusnita 3 Asriani 3
    Erni 3 Hasmawati 3 Nurbaya 3 Kartini 3 Rohani 3 Zainab 3 Nurdiana 3 Megawati 3 Jumiati 3
    Haslinda 3 Mariani 3 Sukmawati 3 Yuliana 3 Putri 3 Dewi 3 Fitri 3 Nurhidayah 3 Andriani 3
    Samsiah 2 Sulfiani 2 Nirwana 2 Musdalifah 2 Nurhaeda 2 Rahmi 2 Risna 2 Riska 2 Ayu 2
    Anisa 2 Nurfadila 2 Wulan 2 Hasriani 2 Lestari 2 Safitri 2 Nabila Asmawati Darmiati Ernita
    Faridah 2 Hamsiah Hasbiah Irmawati Jusmiati Kasmawati Lilis Masnah Nuraeni 2 Nurhasanah
    Rosdiana 2 Sahria Sulastri Syamsiah Wati Yanti 2 Zulaiha Halima Mirna Sinta
    Hikmawati Rismawati 2 Nasriah Mutmainah Hamidah Harlina Arfah Nurasia Sartika Amelia
    Hardiyanti Nurhana Yuyun Nurmala Asriati Sulmiati
""")

SITTI_SECOND: Final = parse_weighted("""
    Aminah 10 Fatimah 9 Aisyah 6 Hadijah 5 Maryam 5 Rahmah 5 Zainab 4 Hajerah 3 Khadijah 3
    Nurjannah 3 Rabiah 3 Salmah 3 Ramlah 3 Halimah 3 Nurhaliza 2 Hawa 2 Sarah 2 Nuraeni 2
    Hasnah 2 Marwah 2 Saleha 2 Nurbaya 2 Rukmini Suhra Hasmah Rahma 2 Nurfaidah
""")

NUR_SECOND: Final = parse_weighted("""
    Aini 5 Hidayah 4 Hayati 3 Jannah 3 Halimah 2 Afni 2 Asia 2 Fitri 2 Aisyah 2 Wahida 2
    Rahma 2 Azizah 2 Fadilah 2 Intan Alia Laila Fauziah Hikmah
""")

MUHAMMAD_SECOND: Final = parse_weighted("""
    Rizal 6 Ilham 6 Yusuf 5 Arif 5 Fadli 5 Akbar 5 Rizki 6 Iqbal 4 Taufik 4 Ali 4 Amin 4
    Ikhsan 4 Fikri 3 Syahrul 3 Alif 3 Irfan 4 Saleh 3 Ridwan 3 Rusdi 2 Faisal 3 Firdaus 2
    Nur 3 Hasan 3 Rafli 2 Fajar 3 Arsyad 2 Ramadhan 3 Sidik 2 Yasin 2 Asri 2 Nasir 2
""")

ABDUL_SECOND: Final = parse_weighted("""
    Rahman 6 Rahim 4 Azis 4 Karim 4 Haris 3 Malik 3 Gafur 3 Wahid 3 Latif 3 Halim 3 Kadir 3
    Hamid 3 Majid 2 Muis 2 Rauf 2 Jalil 2 Salam 2 Razak 2 Rasyid 2 Muthalib
""")

# Second words of two-word female names that are not Sitti/Nur + name (Nurul Hidayah, Sri Ayu).
MUSLIM_FEMALE_FIRST: Final = parse_weighted("""
    Nurul 5 Sri 4 Dewi 3 Indah 3 Putri 3 Ayu 2 Fitri 2 Rini 2 Ummi 1
""")

# Kaili second names in the "La-" pattern; used as a father's or clan name.
KAILI_SECOND: Final = parse_weighted("""
    Lasimpo 3 Lamarauna 2 Lariwu 2 Lapasere 2 Lasahido 2 Lagandeng Ladjalani Lamasatu
    Latjemba Lasaragi Lapatau Lamakarate Lasanudin Lapalu
""")

BUGIS_MALE: Final = parse_weighted("""
    Baharuddin 4 Syamsuddin 3 Mustari 3 Sulaiman 3 Hamka 3 Ruslan 3 Muslimin 3 Bahtiar 3
    Syahrul 3 Sennang 2 Jumardi 2 Sukri 2 Mursalim 2 Sahabuddin 2 Nasaruddin 2 Baso 2
    Ambo_Tang 2 Ambo_Upe Ambo_Dalle Sappe Mappiasse Mappasessu Haeruddin Sudarmin 2
""")

BUGIS_FEMALE: Final = parse_weighted("""
    Nurhaedah 3 Hasniati 3 Hasmawati 3 Rosdiana 3 Jumrah 3 Hasnawati 3 Haerani 2 Marwah 2
    Besse 2 Nurlina 2 Nurmiati 2 Darmawati 2 Suarni 2 Jumaria 2 Becce Hasnidar Nurbaeti
    Hajerah Megawati 2 Hapsah
""")

ANDI_SECOND_MALE: Final = parse_weighted("""
    Baso 3 Rahmat 3 Ilham 3 Amir 2 Arifin 2 Syamsul 2 Sulaiman 2 Iskandar 2 Hasanuddin 2
    Muh._Yusuf 2 Mappanyukki Ahmad Fadli Irwan Tenri_Sessu
""")

ANDI_SECOND_FEMALE: Final = parse_weighted("""
    Nurhaedah 3 Besse 3 Hasnah 2 Rahmawati 2 Nurul 2 Fatimah 2 Mariani 2 Tenriawaru
    Tenri_Ajeng Sitti_Aisyah Nurlela Indah
""")

# --- Javanese transmigrants ------------------------------------------------------------------

JAWA_MALE_MONO: Final = parse_weighted("""
    Sutrisno 8 Suharto 5 Slamet 7 Sugeng 6 Paimin 4 Sukiman 4 Tukiran 3 Ponijo 3 Sumarno 4
    Wagiman 3 Darmanto 3 Purnomo 4 Suyanto 4 Sutarno 4 Suparman 3 Wahyudi 5 Supriyadi 5
    Teguh 3 Mulyono 3 Sunarto 3 Karyono 2 Sarjono 2 Sukirno 2 Suwarno 2 Triyono 2 Parno 2
    Kasiman Tugimin Sumadi 2 Sugiyono 2 Suroso 2 Hartono 2 Marsudi Riyanto 2 Cahyono 2
""")

JAWA_MALE_FIRST: Final = parse_weighted("""
    Joko 8 Budi 7 Agus 9 Eko 7 Dwi 5 Tri 4 Bambang 5 Heru 4 Hadi 3 Adi 3 Teguh 2 Slamet 3
    Sugeng 2 Yudi 2 Andi 2 Rudi 2 Arif 2 Wahyu 3 Edi 2 Dedi 2 Ahmad 3 Imam 2 Nur 2 Puji
""")

JAWA_MALE_SECOND: Final = parse_weighted("""
    Santoso 8 Susilo 5 Widodo 6 Prasetyo 6 Setiawan 6 Wibowo 5 Purnomo 4 Nugroho 5 Cahyono 4
    Hidayat 4 Saputra 4 Sulistyo 3 Wahyudi 3 Kurniawan 4 Riyadi 3 Suryadi 3 Hartono 3
    Sucipto 3 Salim 2 Haryanto 3 Subagyo 2 Sutrisno 2 Triyono 2 Wijaya 2 Pramono 2 Utomo 3
    Rahardjo Mulyadi 2 Suprapto 2 Susanto 2
""")

JAWA_FEMALE_MONO: Final = parse_weighted("""
    Sumiati 7 Sulastri 6 Suwarni 5 Tumini 3 Wartini 3 Parmi 3 Painem 2 Sutini 4 Lestari 5
    Purwanti 4 Suparmi 4 Kartini 4 Wulandari 4 Yuliani 4 Ninik 2 Rukmini 2 Suyati 3 Sumarni 3
    Sugiyem 2 Tukinem 2 Marsini 2 Sriyanti 2 Winarti 3 Suprihatin 2 Suratmi 2 Jumini 2
    Setyowati 2 Mulyani 2 Handayani 3 Susilowati 2
""")

JAWA_FEMALE_FIRST: Final = parse_weighted("""
    Sri 30 Siti 20 Dwi 6 Tri 5 Eka 4 Endang 5 Rini 3 Dewi 5 Nur 3 Puji 3 Ratna 3 Yuni 2
    Tutik 2 Dyah 2 Retno 3 Ani 2
""")

JAWA_FEMALE_SECOND: Final = parse_weighted("""
    Wahyuni 9 Rahayu 8 Mulyani 5 Lestari 6 Astuti 6 Susilowati 3 Wahyuningsih 4 Handayani 4
    Sulistyowati 3 Aminah 5 Fatimah 5 Maryam 2 Rahmawati 3 Puspitasari 3 Kurniasih 3
    Suryani 3 Hartati 3 Sulastri 2 Wulandari 3 Utami 3 Purwaningsih 2 Setyaningsih 2
    Khotimah 2 Nurhayati 2 Sundari 2 Ningsih 2 Indrawati 2 Yulianti 2
""")

# --- Balinese transmigrants ------------------------------------------------------------------

BALI_ORDER_MALE: Final = parse_weighted("""
    Wayan 25 Putu 12 Gede 10 Made 15 Kadek 8 Nengah 4 Nyoman 10 Komang 8 Ketut 8
""")

BALI_ORDER_FEMALE: Final = parse_weighted("""
    Wayan 22 Putu 15 Made 15 Kadek 10 Nengah 4 Nyoman 10 Komang 9 Ketut 8
""")

BALI_CASTE_MALE: Final = parse_weighted("""
    Ida_Bagus 4 I_Gusti_Ngurah 3 I_Gusti_Bagus 2 I_Gusti_Made 2 Anak_Agung 2 Dewa 2
""")

BALI_CASTE_FEMALE: Final = parse_weighted("""
    Ida_Ayu 4 I_Gusti_Ayu 4 Anak_Agung_Ayu 2 Desak 2 Dewa_Ayu 2
""")

BALI_MALE: Final = parse_weighted("""
    Suarta 5 Sudarma 5 Sukadana 4 Arta 4 Sumerta 4 Widiana 3 Budiarta 4 Astawa 4 Ariawan 3
    Mertayasa 3 Suardana 4 Wirawan 3 Sutama 3 Suparta 3 Sukarta 3 Darma 3 Suwirya 2
    Kariasa 2 Adnyana 3 Wardana 3 Sudiarsa 2 Oka 2 Rai 2 Putra 3 Adi 2 Suweta 2 Sumadi 2
    Gunawan 2 Mahendra 2 Suartana 2
""")

BALI_FEMALE: Final = parse_weighted("""
    Sukerti 5 Suartini 5 Ariani 4 Sumiasih 3 Artini 4 Wahyuni 3 Yuliani 3 Suarni 3 Arini 3
    Sukarmi 2 Wartini 2 Astiti 3 Dewi 3 Juliantari 2 Puspitasari 2 Sriani 3 Sudiartini 2
    Kartini 2 Murniati 2 Suciati 2 Sri_Artini 2 Ayu 2 Suwitri 2 Rusmini 2 Sumerti 2 Lasmi 2
""")

# --- Christians (Pamona, Kulawi, Mori, Minahasa, Toraja) -------------------------------------

KRISTEN_MALE: Final = parse_weighted("""
    Yohanis 8 Marthen 6 Yakob 4 Daniel 5 Samuel 4 Petrus 4 Paulus 4 Stefanus 3 Yosias 2
    Frans 3 Herman 3 Hendrik 3 Agustinus 4 Markus 3 Lukas 2 Elia 2 Nikodemus 2 Yunus 2 Obed 2
    Rinto 2 Fredi 2 Jhon 2 Alfrets 2 Hengki 2 Roni 2 Yandri 2 Deni 2 Ferdi 2 Melki 2 Rolan 2
    Yulius 2 Arnold 2 Novri 2 Simon 2 Ruben 2 Kornelis 2 Izak 2 Efraim Nataniel Gerson
""")

KRISTEN_FEMALE: Final = parse_weighted("""
    Ribka 5 Debora 5 Maria 6 Marta 4 Ester 4 Yuliana 4 Naomi 3 Lea 2 Sara 3 Rut 2 Elisabet 3
    Magdalena 3 Yohana 3 Dorkas 2 Agustina 4 Selfi 3 Meiske 2 Deisi 2 Novita 3 Kristin 2
    Yuni 2 Nelci 2 Oktaviani 2 Santi 2 Febriyanti 2 Mirna 2 Lidia 3 Rahel 2 Yeni 2 Fransiska 2
    Hana 2 Yustina 2 Ferni Olvi Nova
""")

KRISTEN_SURNAME: Final = parse_weighted("""
    Tampai 5 Tadjoja 4 Lamba 5 Tobondo 4 Kalengke 3 Labiro 3 Sigilipu 2 Mogonta 2 Tanduru 2
    Tongkonoo 2 Bawias 2 Lengkey 2 Rumengan 2 Kambey 2 Sondakh 2 Mandagi 2 Wowor 2 Lumowa 2
    Tandi 2 Sampe 2 Palimbong 2 Rante 2 Paembonan 2 Pandelaki Tumbelaka Tarukallo Bulanda
    Mokale Pelima Ganta Meringgi Tomampe Rompo Towoliu Kabi Songko Mowata
""")

# --- Chinese-Indonesian ----------------------------------------------------------------------

TIONGHOA_MALE: Final = parse_weighted("""
    Hendra 4 Ferry 3 Budi 3 Andreas 3 Yohanes 2 Steven 2 Kevin 2 Wilson 2 Hendrik 2 Johan 2
    Rudy 2 Eddy 2 Tony 2 Suryadi 2 Jimmy Andy Felix
""")

TIONGHOA_FEMALE: Final = parse_weighted("""
    Lily 3 Yenny 3 Susanti 3 Lenny 2 Herlina 2 Meliana 2 Fransiska 2 Vivi 2 Linda 3 Irene 2
    Mei_Lan 2 Siska 2 Monica 2 Jessica Sherly Liana
""")

TIONGHOA_SURNAME: Final = parse_weighted("""
    Wijaya 6 Gunawan 4 Halim 4 Salim 3 Tanoto 2 Tanuwijaya 2 Santoso 3 Hartono 3 Kusuma 3
    Setiawan 3 Lim 2 Tan 2 Liem 2 Tjandra 2 Sugianto 2 Widjaja 2 Susanto 2 Lie
""")

# Share of single-word names by group: Kaili/Bugis/older Javanese registers are full of them.
_MONONYM_SHARE: Final[dict[NameGroup, float]] = {
    NameGroup.KAILI: 0.55,
    NameGroup.BUGIS: 0.5,
    NameGroup.JAWA: 0.42,
    NameGroup.BALI: 0.0,
    NameGroup.KRISTEN: 0.12,
    NameGroup.TIONGHOA: 0.0,
}

# Chance that someone born before 1975 still carries pre-reform spelling (a third of it 1975-84).
_OLD_SPELLING_SHARE: Final[dict[NameGroup, float]] = {
    NameGroup.KAILI: 0.15,
    NameGroup.BUGIS: 0.15,
    NameGroup.JAWA: 0.45,
    NameGroup.BALI: 0.2,
    NameGroup.KRISTEN: 0.25,
    NameGroup.TIONGHOA: 0.0,
}


@dataclass(frozen=True, slots=True)
class Name:
    text: str
    surname: str | None  # family name passed on to children (Christian, Chinese), else None


def _muslim_male(group: NameGroup, rng: random.Random, mononym: bool) -> str:
    given = BUGIS_MALE if group is NameGroup.BUGIS and rng.random() < 0.35 else MUSLIM_MALE
    if mononym:
        return given.pick(rng)
    roll = rng.random()
    if roll < 0.35:
        second = MUHAMMAD_SECOND.pick(rng) if rng.random() < 0.7 else given.pick(rng)
        return f"{MUHAMMAD_FORMS.pick(rng)} {second}"
    if roll < 0.45:
        return f"Abdul {ABDUL_SECOND.pick(rng)}"
    if roll < 0.53:
        return f"Ahmad {given.pick(rng)}"
    if group is NameGroup.KAILI and roll < 0.65:
        return f"{given.pick(rng)} {KAILI_SECOND.pick(rng)}"
    return f"{given.pick(rng)} {MUSLIM_MALE.pick(rng)}"


def _muslim_female(group: NameGroup, rng: random.Random, mononym: bool) -> str:
    given = BUGIS_FEMALE if group is NameGroup.BUGIS and rng.random() < 0.35 else MUSLIM_FEMALE
    if mononym:
        return given.pick(rng)
    roll = rng.random()
    if roll < 0.4:
        # Sulawesi registers write Sitti more often than the Javanese Siti.
        sitti = "Sitti" if rng.random() < 0.6 else "Siti"
        return f"{sitti} {SITTI_SECOND.pick(rng)}"
    if roll < 0.52:
        return f"Nur {NUR_SECOND.pick(rng)}"
    if roll < 0.7:
        return f"{MUSLIM_FEMALE_FIRST.pick(rng)} {given.pick(rng)}"
    if group is NameGroup.KAILI and roll < 0.8:
        return f"{given.pick(rng)} {KAILI_SECOND.pick(rng)}"
    # A father's name as second word: Fitriani Hamzah.
    return f"{given.pick(rng)} {MUSLIM_MALE.pick(rng)}"


def _jawa(sex: Sex, rng: random.Random, mononym: bool) -> str:
    if sex == "L":
        if mononym:
            return JAWA_MALE_MONO.pick(rng)
        name = f"{JAWA_MALE_FIRST.pick(rng)} {JAWA_MALE_SECOND.pick(rng)}"
        if rng.random() < 0.12:
            name = f"{MUHAMMAD_FORMS.pick(rng)} {name}"
        return name
    if mononym:
        return JAWA_FEMALE_MONO.pick(rng)
    name = f"{JAWA_FEMALE_FIRST.pick(rng)} {JAWA_FEMALE_SECOND.pick(rng)}"
    if rng.random() < 0.08:
        name = f"{name} {JAWA_FEMALE_SECOND.pick(rng)}"
    return name


def _bali(sex: Sex, rng: random.Random) -> str:
    order = (BALI_ORDER_MALE if sex == "L" else BALI_ORDER_FEMALE).pick(rng)
    given_list = BALI_MALE if sex == "L" else BALI_FEMALE
    given = given_list.pick(rng)
    if rng.random() < 0.3:
        second = given_list.pick(rng)
        if second != given:
            given = f"{given} {second}"
    if rng.random() < 0.08:
        caste = (BALI_CASTE_MALE if sex == "L" else BALI_CASTE_FEMALE).pick(rng)
        # Caste names usually replace I/Ni; the birth-order name is often left out.
        return f"{caste} {order} {given}" if rng.random() < 0.5 else f"{caste} {given}"
    prefix = "I" if sex == "L" else "Ni"
    # Registers outside Bali sometimes leave out the I/Ni.
    return f"{order} {given}" if rng.random() < 0.05 else f"{prefix} {order} {given}"


def _kristen(sex: Sex, rng: random.Random, mononym: bool, surname: str | None) -> Name:
    given_list = KRISTEN_MALE if sex == "L" else KRISTEN_FEMALE
    given = given_list.pick(rng)
    if mononym and surname is None:
        return Name(given, None)
    if rng.random() < 0.2:
        middle = given_list.pick(rng)
        if middle != given:
            given = f"{given} {middle}"
    family = surname or KRISTEN_SURNAME.pick(rng)
    return Name(f"{given} {family}", family)


def _tionghoa(sex: Sex, rng: random.Random, surname: str | None) -> Name:
    given = (TIONGHOA_MALE if sex == "L" else TIONGHOA_FEMALE).pick(rng)
    family = surname or TIONGHOA_SURNAME.pick(rng)
    return Name(f"{given} {family}", family)


def make_name(
    group: NameGroup,
    sex: Sex,
    rng: random.Random,
    *,
    birth_year: int,
    surname: str | None = None,
) -> Name:
    """A name as the person's own documents would carry it, without titles.

    ``surname`` passes a family name down (Christian and Chinese families); other groups
    have no family names and ignore it.
    """
    mononym = rng.random() < _MONONYM_SHARE[group]
    name: Name
    if group is NameGroup.BALI:
        name = Name(_bali(sex, rng), None)
    elif group is NameGroup.KRISTEN:
        name = _kristen(sex, rng, mononym, surname)
    elif group is NameGroup.TIONGHOA:
        name = _tionghoa(sex, rng, surname)
    elif group is NameGroup.JAWA:
        name = Name(_jawa(sex, rng, mononym), None)
    elif sex == "L":
        name = Name(_muslim_male(group, rng, mononym), None)
    else:
        name = Name(_muslim_female(group, rng, mononym), None)
    if group is NameGroup.BUGIS and rng.random() < 0.15:
        andi = (ANDI_SECOND_MALE if sex == "L" else ANDI_SECOND_FEMALE).pick(rng)
        name = Name(f"Andi {andi}", None)
    share = _OLD_SPELLING_SHARE[group]
    if birth_year >= 1975:
        share = share / 3 if birth_year < 1985 else 0.0
    if share and rng.random() < share:
        old_surname = to_old_spelling(name.surname) if name.surname else None
        name = Name(to_old_spelling(name.text), old_surname)
    return name


_ALL_LISTS: Final[tuple[Weighted[str], ...]] = (
    MUSLIM_MALE, MUSLIM_FEMALE, SITTI_SECOND, NUR_SECOND, MUHAMMAD_SECOND, ABDUL_SECOND,
    MUSLIM_FEMALE_FIRST, KAILI_SECOND, BUGIS_MALE, BUGIS_FEMALE, ANDI_SECOND_MALE,
    ANDI_SECOND_FEMALE, JAWA_MALE_MONO, JAWA_MALE_FIRST, JAWA_MALE_SECOND, JAWA_FEMALE_MONO,
    JAWA_FEMALE_FIRST, JAWA_FEMALE_SECOND, BALI_ORDER_MALE, BALI_ORDER_FEMALE, BALI_CASTE_MALE,
    BALI_CASTE_FEMALE, BALI_MALE, BALI_FEMALE, KRISTEN_MALE, KRISTEN_FEMALE, KRISTEN_SURNAME,
    TIONGHOA_MALE, TIONGHOA_FEMALE, TIONGHOA_SURNAME, MUHAMMAD_FORMS,
)  # fmt: skip

TITLE_SHARE: Final = 0.05


def add_title(name: str, *, sex: Sex, group: NameGroup, age: int, rng: random.Random) -> str:
    """Add a hajj title (H./Hj.) or a degree to about :data:`TITLE_SHARE` of adult names."""
    if age < 22 or rng.random() >= TITLE_SHARE:
        return name
    muslim = group in MUSLIM_GROUPS
    if muslim and age >= 30 and rng.random() < 0.6:
        return f"{'H.' if sex == 'L' else 'Hj.'} {name}"
    degrees = ISLAMIC_DEGREE_WEIGHTS if muslim and rng.random() < 0.1 else DEGREE_WEIGHTS
    return f"{name}, {degrees.pick(rng)}"


def all_name_words() -> tuple[str, ...]:
    """Every word the lists can produce, sorted (for property tests)."""
    words = {word for weighted in _ALL_LISTS for item in weighted.items for word in item.split()}
    return tuple(sorted(words))
