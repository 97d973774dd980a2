"""Which standard field each column of an export file holds: the source's saved mapping, else a guess by name.

Agency exports name their columns in Indonesian and each system its own way ("Nama Lengkap", "NAMA PMI",
"No. KTP", "Tgl. Lahir", "L/P"). A column name is compared after folding case, punctuation and spaces, so
"No. HP", "NO_HP" and "no hp" are the same name. The data officer sees every guess in the mapping step
and can change it; nothing is imported on a guess alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.sources.normalisation import SOURCE_FIELDS

# Folded column name -> standard field. The first column that matches a field takes it.
GUESSES: Final[dict[str, str]] = {
    # Not "No" / "No. urut": a row counter, renumbered in every export, would link unrelated persons over time.
    **dict.fromkeys(("id", "id pmi", "id record", "kode", "record id", "id sumber"), "id"),
    **dict.fromkeys(
        ("nama", "nama lengkap", "nama pmi", "nama cpmi", "nama sesuai ktp", "name", "full name", "nama pekerja"),
        "full_name",
    ),
    **dict.fromkeys(("nama depan", "first name", "given name"), "given_name"),
    **dict.fromkeys(("nama belakang", "nama keluarga", "marga", "last name", "family name", "surname"), "family_name"),
    **dict.fromkeys(
        ("tgl lahir", "tanggal lahir", "tgl lhr", "tanggal lhr", "birth date", "date of birth", "dob"), "birth_date"
    ),
    **dict.fromkeys(("tempat lahir", "tmp lahir", "tempat lhr", "tmpt lahir", "place of birth"), "birth_place"),
    **dict.fromkeys(("jk", "jenis kelamin", "l p", "kelamin", "sex", "gender", "jns kelamin"), "sex"),
    **dict.fromkeys(
        ("nik", "no ktp", "nomor ktp", "no nik", "nomor nik", "ktp", "nomor induk kependudukan", "nik ktp"), "nik"
    ),
    **dict.fromkeys(("no kk", "nomor kk", "kk", "no kartu keluarga", "nomor kartu keluarga"), "kk"),
    **dict.fromkeys(("no paspor", "nomor paspor", "paspor", "no passport", "passport", "passport no"), "passport"),
    **dict.fromkeys(
        (
            "no hp",
            "nomor hp",
            "hp",
            "no telp",
            "no telepon",
            "nomor telepon",
            "telepon",
            "telp",
            "no wa",
            "whatsapp",
            "phone",
            "no handphone",
        ),
        "phone",
    ),
    **dict.fromkeys(("alamat", "alamat lengkap", "alamat rumah", "alamat asal", "address"), "address"),
    **dict.fromkeys(
        (
            "kode wilayah",
            "kode desa",
            "kode kelurahan",
            "kode kecamatan",
            "kode kab kota",
            "kode kabupaten",
            "region code",
        ),
        "region_code",
    ),
    **dict.fromkeys(
        (
            "negara penempatan",
            "negara tujuan",
            "negara tujuan penempatan",
            "negara",
            "negara kerja",
            "destination country",
            "country",
        ),
        "destination_country",
    ),
    **dict.fromkeys(("no sisko", "id sisko", "no pmi", "nomor pmi", "id dtks", "no dtks", "other id"), "other_id"),
}

FIELD_LABELS: Final = {
    "id": gettext_lazy("Id in the source"),
    "full_name": gettext_lazy("Full name"),
    "given_name": gettext_lazy("Given name"),
    "family_name": gettext_lazy("Family name"),
    "birth_date": gettext_lazy("Birth date"),
    "birth_place": gettext_lazy("Birthplace"),
    "sex": gettext_lazy("Sex (L/P)"),
    "nik": gettext_lazy("NIK"),
    "kk": gettext_lazy("KK number"),
    "passport": gettext_lazy("Passport number"),
    "phone": gettext_lazy("Phone number"),
    "address": gettext_lazy("Address"),
    "region_code": gettext_lazy("Region code (Kemendagri)"),
    "other_id": gettext_lazy("Other id (Sisko P2MI, DTKS)"),
    "destination_country": gettext_lazy("Country of placement"),
}

_PUNCTUATION: Final = re.compile(r"[\s._\-/:()#]+")


def fold(column: str) -> str:
    """``"No. HP"`` -> ``"no hp"``: how column names are compared."""
    return _PUNCTUATION.sub(" ", column.casefold()).strip()


def guess_mapping(columns: Sequence[str], saved: Mapping[str, str] | None = None) -> dict[str, str]:
    """Standard field -> column for a file: the saved mapping where its columns exist, then guesses by name."""
    mapping: dict[str, str] = {}
    present = [column for column in columns if column]
    for name, column in (saved or {}).items():
        if name in SOURCE_FIELDS and column in present and column not in mapping.values():
            mapping[name] = column
    for column in present:
        if column in mapping.values():
            continue
        folded = fold(column)
        guess = folded.replace(" ", "_") if folded.replace(" ", "_") in SOURCE_FIELDS else GUESSES.get(folded)
        if guess is not None and guess not in mapping:
            mapping[guess] = column
    return mapping


def check_mapping(columns: Sequence[str], mapping: Mapping[str, str]) -> list[str]:
    """Problems with a chosen mapping (standard field -> column), each saying what to change."""
    problems = []
    for name, column in mapping.items():
        if name not in SOURCE_FIELDS:
            problems.append(_("Unknown field %(field)s.") % {"field": name})
        elif column not in columns:
            problems.append(_("The file has no column %(column)s. Choose one of its columns.") % {"column": column})
    if not ({"full_name", "given_name", "family_name"} & set(mapping)):
        problems.append(_("Choose the column with the person's name (Full name, or Given name and Family name)."))
    return problems
