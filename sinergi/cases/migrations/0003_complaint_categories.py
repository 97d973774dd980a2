"""The complaint categories seen in KemenP2MI statistics (domain brief); admins edit them afterwards.

A frozen copy of sinergi/cases/categories.py as it was when this migration was written.
"""

from django.db import migrations

CATEGORIES = [
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


def add_categories(apps, schema_editor):
    ComplaintCategory = apps.get_model("cases", "ComplaintCategory")
    for order, (code, name, name_en) in enumerate(CATEGORIES, start=1):
        ComplaintCategory.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]
    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
