"""The default complaint categories (KemenP2MI statistics, domain brief); admins edit them afterwards."""

from __future__ import annotations

from sinergi.cases.models import ComplaintCategory

DEFAULT_CATEGORIES = [
    ("ingin-dipulangkan", "Ingin dipulangkan", "Wants to go home"),
    ("gaji-tidak-dibayar", "Gaji tidak dibayar", "Unpaid wages"),
    ("phk-sepihak", "PHK sepihak", "Unilateral dismissal"),
    ("pekerjaan-tidak-sesuai", "Pekerjaan tidak sesuai perjanjian kerja", "Work not as in the contract"),
    ("kekerasan-fisik-psikis", "Kekerasan fisik/psikis", "Physical/psychological violence"),
    ("kekerasan-seksual", "Kekerasan/pelecehan seksual", "Sexual violence/harassment"),
    ("tppo", "TPPO (dugaan/terbukti)", "Trafficking (suspected/confirmed)"),
    ("penipuan-kerja", "Penipuan peluang kerja", "Job fraud"),
    ("gagal-berangkat", "Gagal berangkat", "Failed departure"),
    ("overcharging", "Overcharging", "Overcharging"),
    ("penahanan-dokumen", "Penahanan dokumen", "Documents withheld"),
    ("hilang-kontak", "Hilang kontak", "Lost contact"),
    ("overstay-imigrasi", "Overstay/masalah imigrasi", "Overstay/immigration problem"),
    ("deportasi-repatriasi", "Deportasi/repatriasi", "Deportation/repatriation"),
    ("sakit", "Sakit", "Illness"),
    ("gangguan-jiwa", "Gangguan jiwa/depresi", "Mental illness/depression"),
    ("meninggal-dunia", "Meninggal dunia", "Death"),
    ("jaminan-sosial", "Jaminan sosial/asuransi", "Social security/insurance"),
    ("masalah-hukum", "Masalah hukum/kriminalisasi", "Legal problem/criminalisation"),
    ("masalah-sosial-pasca", "Masalah sosial pasca-kepulangan", "Social problems after return"),
    ("lainnya", "Lainnya", "Other"),
]


def ensure_default_categories() -> int:
    """Add the default categories that are missing (never renames or re-activates an admin's edits)."""
    existing = set(ComplaintCategory.objects.values_list("code", flat=True))
    missing = [
        ComplaintCategory(code=code, name=name, name_en=name_en, order=order * 10)
        for order, (code, name, name_en) in enumerate(DEFAULT_CATEGORIES, start=1)
        if code not in existing
    ]
    ComplaintCategory.objects.bulk_create(missing)
    return len(missing)
