"""Demo services, the joint SOP between BP3MI Sulteng and Sentra Nipotowe, and 2026-2027 holidays.

The holiday list follows the SKB 3 Menteri as published; an admin must check it each year (it is data).
"""

from __future__ import annotations

from datetime import date

from sinergi.accounts.models import Agency
from sinergi.cases.categories import ensure_default_categories
from sinergi.cases.models import ComplaintCategory, ConsentScope
from sinergi.directory.models import Service, ServiceCategory
from sinergi.sop.models import Holiday, SharedSection, SlaUnit, SopDocument, SopRoute, SopStatus

SERVICES = [
    ("sentra-nipotowe", "atensi-a3", "Dukungan keluarga (ATENSI A3)", ServiceCategory.ATENSI_A3),
    ("sentra-nipotowe", "atensi-a4", "Terapi psikososial (ATENSI A4)", ServiceCategory.ATENSI_A4),
    ("sentra-nipotowe", "atensi-a1", "Pemenuhan kebutuhan dasar (ATENSI A1)", ServiceCategory.ATENSI_A1),
    ("sentra-nipotowe", "atensi-a5", "Pelatihan vokasional dan kewirausahaan (ATENSI A5)", ServiceCategory.ATENSI_A5),
    ("sentra-nipotowe", "atensi-a6", "Bantuan sosial khusus (ATENSI A6)", ServiceCategory.ATENSI_A6),
    ("sentra-nipotowe", "shelter", "Rumah perlindungan (shelter)", ServiceCategory.SHELTER),
    ("bp3mi-sulteng", "pemulangan", "Pendampingan pemulangan ke daerah asal", ServiceCategory.REPATRIATION),
    ("bp3mi-sulteng", "klaim", "Fasilitasi klaim asuransi dan gaji", ServiceCategory.CLAIM),
    ("bp3mi-sulteng", "mediasi", "Mediasi dengan P3MI", ServiceCategory.MEDIATION),
    ("dinsos-palu", "bansos", "Bantuan sosial daerah", ServiceCategory.ATENSI_A6),
]
HOLIDAYS = [
    (date(2026, 1, 1), "Tahun Baru Masehi"),
    (date(2026, 1, 16), "Isra Mikraj"),
    (date(2026, 2, 17), "Tahun Baru Imlek"),
    (date(2026, 3, 19), "Hari Suci Nyepi"),
    (date(2026, 3, 20), "Idul Fitri"),
    (date(2026, 3, 21), "Idul Fitri"),
    (date(2026, 4, 3), "Wafat Yesus Kristus"),
    (date(2026, 5, 1), "Hari Buruh"),
    (date(2026, 5, 14), "Kenaikan Yesus Kristus"),
    (date(2026, 5, 27), "Idul Adha"),
    (date(2026, 5, 31), "Hari Raya Waisak"),
    (date(2026, 6, 1), "Hari Lahir Pancasila"),
    (date(2026, 6, 16), "Tahun Baru Islam"),
    (date(2026, 8, 17), "Hari Kemerdekaan RI"),
    (date(2026, 8, 25), "Maulid Nabi Muhammad"),
    (date(2026, 12, 25), "Hari Raya Natal"),
    (date(2027, 1, 1), "Tahun Baru Masehi"),
]
# Sections that travel by default; trafficking cases do not send contacts (UU 21/2007 Pasal 44: need-to-know).
DEFAULT_SECTIONS = [
    SharedSection.IDENTITY,
    SharedSection.CONTACT,
    SharedSection.FAMILY,
    SharedSection.COMPLAINT,
    SharedSection.ASSESSMENTS,
]
TPPO_SECTIONS = [SharedSection.IDENTITY, SharedSection.COMPLAINT, SharedSection.ASSESSMENTS]


def seed_sop() -> None:
    # The data migration adds them too; a test database flushed between transactional tests has lost them.
    ensure_default_categories()
    agencies = {agency.code: agency for agency in Agency.objects.all()}
    services = []
    for agency_code, code, name, service_category in SERVICES:
        service, _ = Service.objects.get_or_create(
            agency=agencies[agency_code],
            code=code,
            defaults={
                "name": name,
                "category": service_category,
                "region_id": "72.71",
                "eligibility": "PMI bermasalah dan keluarganya di Sulawesi Tengah",
            },
        )
        services.append(service)
    for day, name in HOLIDAYS:
        Holiday.objects.get_or_create(date=day, defaults={"name": name})
    sop, created = SopDocument.objects.get_or_create(
        title="SOP Bersama Penanganan PMI Bermasalah BP3MI Sulawesi Tengah - Sentra Nipotowe",
        version="1.0",
        defaults={"effective_from": date(2026, 1, 1), "status": SopStatus.ACTIVE},
    )
    if not created:
        return
    sop.signatories.set([agencies["bp3mi-sulteng"], agencies["sentra-nipotowe"]])
    for category in ComplaintCategory.objects.all():
        route = SopRoute.objects.create(
            sop=sop,
            category=category,
            consent_scope=ConsentScope.REFERRAL,
            shared_sections=TPPO_SECTIONS if category.code == "tppo" else DEFAULT_SECTIONS,
            ack_within=1,
            ack_unit=SlaUnit.WORKING_DAYS,
            accept_within=3,
            accept_unit=SlaUnit.WORKING_DAYS,
            first_service_within=7,
            first_service_unit=SlaUnit.WORKING_DAYS,
        )
        route.services.set(services)
