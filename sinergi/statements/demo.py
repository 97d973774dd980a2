"""The demo case behind the seed story (domain brief, "Why one version of the facts matters"): a PMI from a
village in Sigi abused in Malaysia, her husband in the registry's family links, a referral to Sentra Nipotowe so
both agencies are involved, and two agencies naming a different Indonesian post (a disputed fact).

Everything goes through the services, once: a second run finds the person by NIK and changes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.cases import services as case_services
from sinergi.cases.models import Case, ConsentGiver, ConsentMethod, ConsentScope
from sinergi.directory.models import Service
from sinergi.referrals import services as referral_services
from sinergi.regions.models import Region, RegionLevel
from sinergi.registry import services as registry_services
from sinergi.registry.models import Person, Relationship
from sinergi.statements import services
from sinergi.statements.models import FactKey

DEMO_NIK = "7210035507920002"
DEMO_NAME = "Wulandari Lamasitudju"
HUSBAND = "Rahmat Hidayat"
# Langaleso (Sigi), the village of the domain brief's workshops; any Sigi village if the table lacks it.
VILLAGE_NAME = "Langaleso"


def demo_village() -> Region | None:
    village = Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith="72.10.", name__iexact=VILLAGE_NAME)
    return village.first() or Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith="72.10.").first()


@transaction.atomic
def seed_demo() -> Case | None:
    """Create the story's case once; returns it (None when the accounts or villages are missing)."""
    users = {user.username: user for user in User.objects.filter(username__in=_USERNAMES)}
    village = demo_village()
    if len(users) < len(_USERNAMES) or village is None:
        return None
    admin = users["admin"]
    for name in ("bp3mi.kepala", "sentra.kepala"):
        services.designate_official(actor=admin, user_id=users[name].pk)
    existing = Person.objects.filter(nik=DEMO_NIK).first()
    if existing is not None:
        return Case.objects.filter(person=existing).order_by("pk").first()
    clerk = users["bp3mi.petugas"]
    person = registry_services.register_person(
        actor=clerk,
        data=registry_services.PersonData(
            full_name=DEMO_NAME,
            sex="P",
            birth_date=date(1992, 7, 15),
            birth_place="Sigi",
            nik=DEMO_NIK,
            region_code=village.code,
            address_text="Dusun II, RT 003/RW 002",
            kind="PMI",
        ),
        confirm_new=True,
    )
    registry_services.add_family_link(
        actor=clerk, person_id=person.pk, relationship=Relationship.SPOUSE, name=HUSBAND, is_next_of_kin=True
    )
    registry_services.add_migration_episode(
        actor=clerk,
        person_id=person.pk,
        data=registry_services.EpisodeData(
            destination_country="MY", job="Pekerja rumah tangga", departure_date=date(2024, 5, 2), procedural=False
        ),
    )
    case = case_services.open_case(
        actor=clerk,
        data=case_services.CaseData(
            person_id=person.pk,
            channel="MEDSOS",
            complainant_type="KELUARGA",
            complainant_name=HUSBAND,
            phase="SELAMA",
            category_codes=["kekerasan-fisik-psikis", "ingin-dipulangkan"],
            received_at=timezone.now() - timedelta(days=20),
            destination_country="MY",
            urgency="KRITIS",
            narrative="Video viral: dianiaya majikan di Malaysia. Keluarga minta dipulangkan.",
        ),
    )
    case_services.record_consent(
        actor=clerk,
        case_id=case.pk,
        data=case_services.ConsentData(
            scope=ConsentScope.REFERRAL, given_by=ConsentGiver.FAMILY, giver_name=HUSBAND, method=ConsentMethod.WRITTEN
        ),
    )
    service = Service.objects.filter(agency__code="sentra-nipotowe", code="atensi-a4").first()
    if service is not None:
        referral = referral_services.create_referral(
            actor=clerk, case_id=case.pk, service_id=service.pk, reason="Dukungan psikososial setelah kepulangan."
        )
        referral_services.send_referral(actor=clerk, referral_id=referral.pk)
        referral_services.accept_referral(actor=users["sentra.peksos"], referral_id=referral.pk)
    services.state_fact(
        actor=clerk, case_id=case.pk, key=FactKey.POST, value="KBRI Kuala Lumpur", source="Surat KBRI Kuala Lumpur"
    )
    services.state_fact(
        actor=users["sentra.peksos"],
        case_id=case.pk,
        key=FactKey.POST,
        value="KJRI Johor Bahru",
        source="Telepon keluarga",
    )
    return case


_USERNAMES = ("admin", "bp3mi.petugas", "bp3mi.kepala", "sentra.kepala", "sentra.peksos")
