"""Case and letter numbers per agency and year, taken under a row lock so two intakes never share one."""

from __future__ import annotations

from django.db import transaction

from sinergi.accounts.models import Agency
from sinergi.cases.models import CaseCounter

ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def next_number(agency: Agency, year: int, kind: str) -> int:
    with transaction.atomic():
        CaseCounter.objects.get_or_create(agency=agency, year=year, kind=kind)
        counter = CaseCounter.objects.select_for_update().get(agency=agency, year=year, kind=kind)
        counter.last += 1
        counter.save(update_fields=["last"])
        return counter.last


def case_number(agency: Agency, year: int) -> str:
    """BP3MI-SULTENG/2026/0042"""
    return f"{agency.code.upper()}/{year}/{next_number(agency, year, 'KASUS'):04d}"


def letter_number(agency: Agency, year: int, month: int) -> str:
    """Indonesian letter numbering: 007/RUJ/BP3MI-SULTENG/XI/2026"""
    return f"{next_number(agency, year, 'SURAT'):03d}/RUJ/{agency.code.upper()}/{ROMAN_MONTHS[month - 1]}/{year}"
