"""Demo cases for the dashboards, the map and the public statistics: BP3MI's complaints over the last twelve
months about persons the demo registered, most from Poso, Sigi, Palu and Parigi Moutong (domain brief), some
referred to Sentra Nipotowe and handled there. Through the services, deterministic, and once: a person who
already has a case is skipped.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.cases import services as case_services
from sinergi.cases.models import Case, ConsentGiver, ConsentMethod, ConsentScope
from sinergi.demo.seeding import WALKTHROUGH_NAMES
from sinergi.directory.models import Service
from sinergi.referrals import services as referral_services
from sinergi.registry.models import Person

TARGET = 120
CATEGORIES = [
    ("ingin-dipulangkan",),
    ("gaji-tidak-dibayar", "ingin-dipulangkan"),
    ("kekerasan-fisik-psikis",),
    ("penahanan-dokumen", "gaji-tidak-dibayar"),
    ("ingin-dipulangkan", "sakit"),
    ("hilang-kontak",),
    ("phk-sepihak",),
    ("tppo", "penipuan-kerja"),
]
DESTINATIONS = ["MY", "MY", "HK", "TW", "MY", "SG", "SA", "JP", "MY", "HK"]
# Regencies the domain brief names as the main origins come first; others get fewer cases.
FAVOURED = ("72.02", "72.10", "72.71", "72.08")


@transaction.atomic
def seed_demo(target: int = TARGET) -> int:
    users = {user.username: user for user in User.objects.filter(username__in=("bp3mi.petugas", "sentra.peksos"))}
    if len(users) < 2:
        return 0
    clerk, peksos = users["bp3mi.petugas"], users["sentra.peksos"]
    assert clerk.agency_id is not None
    have = Case.objects.filter(agency_id=clerk.agency_id).count()
    if have >= target:
        return 0
    persons = list(
        Person.objects.filter(
            registered_by_agency_id=clerk.agency_id, region__code__startswith="72.", cases__isnull=True
        )
        .exclude(full_name__in=WALKTHROUGH_NAMES)
        .order_by("pk")
        .values_list("pk", "region_id")
    )
    # Every regency gets cases, the favoured ones three times as often; in registration order, so the same demo
    # gives the same cases.
    rank: dict[str, int] = {}
    order = []
    for person_id, region in persons:
        regency = str(region)[:5]
        rank[regency] = rank.get(regency, 0) + 1
        order.append(((rank[regency] - 1) * (1 if regency in FAVOURED else 3), person_id, region))
    persons = [(person_id, region) for _weight, person_id, region in sorted(order)]
    service = Service.objects.filter(agency__code="sentra-nipotowe", code="atensi-a4").first()
    now = timezone.now()
    added = 0
    for index, (person_id, _region) in enumerate(persons[: target - have]):
        case = case_services.open_case(
            actor=clerk,
            data=case_services.CaseData(
                person_id=person_id,
                channel=("DATANG", "HOTLINE", "WHATSAPP", "PERWAKILAN")[index % 4],
                complainant_type=("PMI", "KELUARGA")[index % 2],
                complainant_name=("", "Keluarga PMI")[index % 2],
                phase=("SELAMA", "SETELAH")[index % 2],
                category_codes=list(CATEGORIES[index % len(CATEGORIES)]),
                received_at=now - timedelta(days=(index * 37) % 330, hours=index % 7),
                destination_country=DESTINATIONS[index % len(DESTINATIONS)],
                narrative="Data demo.",
            ),
        )
        added += 1
        if service is None or index % 3:
            continue
        case_services.record_consent(
            actor=clerk,
            case_id=case.pk,
            data=case_services.ConsentData(
                scope=ConsentScope.REFERRAL, given_by=ConsentGiver.SELF, giver_name="PMI", method=ConsentMethod.WRITTEN
            ),
        )
        referral = referral_services.create_referral(
            actor=clerk, case_id=case.pk, service_id=service.pk, reason="Dukungan psikososial (demo)."
        )
        referral_services.send_referral(actor=clerk, referral_id=referral.pk)
        if index % 2 == 0:
            referral_services.acknowledge_referral(actor=peksos, referral_id=referral.pk)
        if index % 4 == 0:
            referral_services.accept_referral(actor=peksos, referral_id=referral.pk)
            referral_services.log_service(
                actor=peksos, referral_id=referral.pk, delivered_on=timezone.localdate(), description="Konseling."
            )
    return added
