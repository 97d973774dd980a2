"""Demo cases for the dashboards, the map and the public statistics: BP3MI's complaints over the last twelve
months about persons the demo registered, most from Poso, Sigi, Palu and Parigi Moutong (domain brief), some
referred to Sentra Nipotowe and handled there; and Sentra Nipotowe's own complaints (families who come to the
Sentra), two a month, each referred to BP3MI — most acknowledged in time, some left waiting past their deadline —
so that Sentra's dashboard, its map and last month's report have figures too. Through the services,
deterministic, and once: a person who already has a case is skipped.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.cases import services as case_services
from sinergi.cases.models import Case, ConsentGiver, ConsentMethod, ConsentScope
from sinergi.demo.seeding import WALKTHROUGH_NAMES
from sinergi.directory.models import Service
from sinergi.referrals import services as referral_services
from sinergi.referrals.models import Deadline, Referral, ReferralEvent, ServiceRecord
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


SENTRA_TARGET = 24
SENTRA_CATEGORIES = [
    ("gaji-tidak-dibayar",),
    ("penahanan-dokumen",),
    ("ingin-dipulangkan", "sakit"),
    ("hilang-kontak",),
    ("kekerasan-fisik-psikis",),
    ("phk-sepihak", "gaji-tidak-dibayar"),
]
SENTRA_SERVICES = ("klaim", "mediasi", "pemulangan")


@transaction.atomic
def seed_demo(target: int = TARGET, sentra_target: int = SENTRA_TARGET) -> int:
    return _seed_bp3mi(target) + _seed_sentra(sentra_target)


def _seed_bp3mi(target: int) -> int:
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
    opened = []
    for index, (person_id, _region) in enumerate(persons[: target - have]):
        days_ago = (index * 37) % 330
        case = case_services.open_case(
            actor=clerk,
            data=case_services.CaseData(
                person_id=person_id,
                channel=("DATANG", "HOTLINE", "WHATSAPP", "PERWAKILAN")[index % 4],
                complainant_type=("PMI", "KELUARGA")[index % 2],
                complainant_name=("", "Keluarga PMI")[index % 2],
                phase=("SELAMA", "SETELAH")[index % 2],
                category_codes=list(CATEGORIES[index % len(CATEGORIES)]),
                received_at=now - timedelta(days=days_ago, hours=index % 7),
                destination_country=DESTINATIONS[index % len(DESTINATIONS)],
                narrative="Data demo.",
            ),
        )
        opened.append((days_ago, case.pk))
    if service is not None:
        # Every third case in the order they came in is referred to Sentra on that day; every other referral is
        # acknowledged in time (one in four also accepted and served), the others wait past their deadline: so
        # every month, last month's report included, has referrals on time and late.
        for position, (days_ago, case_id) in enumerate(sorted(opened)):
            if position % 3 == 0:
                _refer(clerk, peksos, case_id, service, step=position // 3, days_ago=days_ago)
    return len(opened)


def _refer(clerk: User, peksos: User, case_id: int, service: Service, *, step: int, days_ago: int) -> None:
    case_services.record_consent(
        actor=clerk,
        case_id=case_id,
        data=case_services.ConsentData(
            scope=ConsentScope.REFERRAL, given_by=ConsentGiver.SELF, giver_name="PMI", method=ConsentMethod.WRITTEN
        ),
    )
    referral = referral_services.create_referral(
        actor=clerk, case_id=case_id, service_id=service.pk, reason="Dukungan psikososial (demo)."
    )
    referral_services.send_referral(actor=clerk, referral_id=referral.pk)
    if step % 2 == 0:
        referral_services.acknowledge_referral(actor=peksos, referral_id=referral.pk)
    if step % 4 == 0:
        referral_services.accept_referral(actor=peksos, referral_id=referral.pk)
        referral_services.log_service(
            actor=peksos, referral_id=referral.pk, delivered_on=timezone.localdate(), description="Konseling."
        )
    _age(referral, timedelta(days=days_ago))


def _seed_sentra(target: int) -> int:
    """Sentra's own cases, one every two weeks over the last eleven months (so every month has some), each
    referred to BP3MI on the day it came in: two in three acknowledged by BP3MI in time (one in three of those
    also accepted and served), the others never acknowledged — their deadlines ran out."""
    users = {user.username: user for user in User.objects.filter(username__in=("sentra.peksos", "bp3mi.petugas"))}
    if len(users) < 2:
        return 0
    worker, clerk = users["sentra.peksos"], users["bp3mi.petugas"]
    assert worker.agency_id is not None
    have = Case.objects.filter(agency_id=worker.agency_id).count()
    if have >= target:
        return 0
    persons = list(
        Person.objects.filter(
            registered_by_agency_id=worker.agency_id, region__code__startswith="72.", cases__isnull=True
        )
        .exclude(full_name__in=WALKTHROUGH_NAMES)
        .order_by("pk")
        .values_list("pk", flat=True)[: target - have]
    )
    services = {
        service.code: service
        for service in Service.objects.filter(agency__code="bp3mi-sulteng", code__in=SENTRA_SERVICES)
    }
    now = timezone.now()
    for index, person_id in enumerate(persons, start=have):
        days_ago = 12 + 14 * index
        case = case_services.open_case(
            actor=worker,
            data=case_services.CaseData(
                person_id=person_id,
                channel=("DATANG", "HOTLINE")[index % 2],
                complainant_type="KELUARGA",
                complainant_name="Keluarga PMI",
                phase="SETELAH",
                category_codes=list(SENTRA_CATEGORIES[index % len(SENTRA_CATEGORIES)]),
                received_at=now - timedelta(days=days_ago, hours=index % 5),
                destination_country=DESTINATIONS[(index + 3) % len(DESTINATIONS)],
                narrative="Data demo: keluarga datang ke Sentra.",
            ),
        )
        service = services.get(SENTRA_SERVICES[index % len(SENTRA_SERVICES)])
        if service is None:
            continue
        case_services.record_consent(
            actor=worker,
            case_id=case.pk,
            data=case_services.ConsentData(
                scope=ConsentScope.REFERRAL,
                given_by=ConsentGiver.FAMILY,
                giver_name="Keluarga PMI",
                method=ConsentMethod.WRITTEN,
            ),
        )
        referral = referral_services.create_referral(
            actor=worker, case_id=case.pk, service_id=service.pk, reason="Perlu fasilitasi BP3MI (demo)."
        )
        referral_services.send_referral(actor=worker, referral_id=referral.pk)
        if index % 3 != 2:
            referral_services.acknowledge_referral(actor=clerk, referral_id=referral.pk)
        if index % 3 == 0:
            referral_services.accept_referral(actor=clerk, referral_id=referral.pk)
            referral_services.log_service(
                actor=clerk, referral_id=referral.pk, delivered_on=timezone.localdate(), description="Mediasi."
            )
        _age(referral, timedelta(days=days_ago))
    return len(persons)


def _age(referral: Referral, by: timedelta) -> None:
    """Move a seeded referral's history back by `by` (it was sent the day its case came in): the steps taken keep
    their time to spare, the ones never taken are past their deadline."""
    Referral.objects.filter(pk=referral.pk).update(
        created_at=F("created_at") - by,
        sent_at=F("sent_at") - by,
        acknowledged_at=F("acknowledged_at") - by,
        accepted_at=F("accepted_at") - by,
        first_service_at=F("first_service_at") - by,
    )
    ReferralEvent.objects.filter(referral=referral).update(at=F("at") - by)
    for record_id, delivered_on in ServiceRecord.objects.filter(referral=referral).values_list("pk", "delivered_on"):
        ServiceRecord.objects.filter(pk=record_id).update(at=F("at") - by, delivered_on=delivered_on - by)
    Deadline.objects.filter(referral=referral).update(
        started_at=F("started_at") - by, due_at=F("due_at") - by, met_at=F("met_at") - by
    )
