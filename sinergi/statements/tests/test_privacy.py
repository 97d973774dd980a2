"""The privacy check's rules, without a database."""

from __future__ import annotations

from sinergi.statements.models import FlagKind
from sinergi.statements.privacy import PrivacyContext, find_privacy_issues

CONTEXT = PrivacyContext(
    person_names=("Wulandari Lamasitudju",),
    family_names=("Rahmat Hidayat",),
    villages=("Langaleso", "Kalukubula"),
)


def kinds(text: str, context: PrivacyContext = CONTEXT) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for finding in find_privacy_issues(text, context):
        found.setdefault(finding.kind, []).append(finding.match)
    return found


def test_it_flags_the_village_and_the_husband_also_spelled_differently() -> None:
    found = kinds("PMI asal Desa Langaleso, suaminya Rachmat Hidajat, melapor ke BP3MI.")
    assert FlagKind.VILLAGE in found
    assert any("Langaleso" in match for match in found[FlagKind.VILLAGE])
    assert found[FlagKind.FAMILY] == ["Rachmat Hidajat"]


def test_it_flags_a_village_named_without_the_word_desa() -> None:
    assert kinds("Ia tinggal di kalukubula sejak kecil.")[FlagKind.VILLAGE] == ["kalukubula"]


def test_it_flags_the_persons_name_and_a_spelling_of_it() -> None:
    assert kinds("Saudari Wulandari Lamasitudju telah dipulangkan.")[FlagKind.NAME] == ["Wulandari Lamasitudju"]
    assert FlagKind.NAME in kinds("Sdri. Woelandari Lamasitudjoe telah dipulangkan.")


def test_it_flags_identifiers_and_addresses() -> None:
    found = kinds("NIK 7210035507920002, HP 0812-3456-7890, paspor C1234567, Jl. Kartini No. 5 RT 003.")
    assert found[FlagKind.NIK] == ["7210035507920002"]
    assert FlagKind.PHONE in found
    assert found[FlagKind.PASSPORT] == ["C1234567"]
    assert FlagKind.ADDRESS in found


def test_it_flags_trafficking_children_and_health() -> None:
    found = kinds("Korban perdagangan orang, masih di bawah umur, dirawat di rumah sakit karena depresi.")
    assert {FlagKind.TRAFFICKING, FlagKind.CHILD, FlagKind.HEALTH} <= set(found)


def test_it_finds_nothing_in_a_statement_without_identifying_details() -> None:
    text = (
        "BP3MI Sulawesi Tengah dan Sentra Nipotowe Palu menangani kasus seorang PMI asal Kabupaten Sigi "
        "yang bekerja di Malaysia. Kedua instansi berkoordinasi dengan perwakilan RI."
    )
    assert kinds(text) == {}
