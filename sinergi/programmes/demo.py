"""Demo programmes: BP3MI's quarterly entrepreneurship workshop in Desa Langaleso (Sigi) with three past cohorts
(attendance, completion, certificates), business mentoring with baselines and follow-ups, an upcoming cohort,
and an outreach event with follow-ups — so that a new user sees outcomes and charts at once. Last month a catch-up
cohort gave those who missed days a second chance, and Sentra Nipotowe ran two cohorts of its own sewing course
for its returnees in Palu: every dashboard and last month's report show participants.

Everything goes through the services. Idempotent: nothing is added when the demo programme exists. The people
and figures are fixed; the dates follow today (cohorts 9, 6 and 3 months ago), so the demo always looks current.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.outreach import services as outreach
from sinergi.programmes import services
from sinergi.programmes.models import CheckKind, Cohort, Enrolment, EnrolmentStatus, Programme, ProgrammeType
from sinergi.programmes.selectors import add_months
from sinergi.registry import services as registry

DEMO_PROGRAMME = "Pelatihan Kewirausahaan PMI Purna (Sigi)"
LANGALESO = "72.10.12.2002"
PER_COHORT = 8
NAMES = (
    "Ni Wayan Sukerti",
    "Hasnah Lamasituju",
    "Rahmawati Pakaya",
    "Sitti Nurhaliza",
    "Fitriani Lasulika",
    "Yuliana Tanod",
    "Ketut Ariani",
    "Marlina Bantilan",
    "Nurhayati Daeng",
    "Sri Wahyuni Lakoro",
    "Ernawati Podungge",
    "Jumiati Tombolotutu",
    "Misnawati Labaso",
    "Asriani Madjid",
    "Darmawati Lamusu",
    "Hadijah Mangge",
    "Irma Suryani",
    "Lisna Tobigo",
    "Made Sudarma",
    "Abdul Rahman Lasimpo",
    "Moh. Rizal Talaba",
    "Andi Saputra",
    "Ramli Lagarontu",
    "Sarifudin Djanggola",
)
SECTORS = (
    "Kue dan makanan ringan",
    "Warung kelontong",
    "Jahitan",
    "Olahan kelapa",
    "Ternak ayam kampung",
    "Kerajinan anyaman",
)


SENTRA_PROGRAMME = "Pelatihan Menjahit Keluarga PMI (Palu)"
BESUSU_BARAT = "72.71.01.1004"
SENTRA_NAMES = (
    "Nurlela Lamakarate",
    "Sitti Rahma Dg. Matona",
    "Kartini Lasahido",
    "Wahyuni Tondei",
    "Agustina Pelima",
    "Fatmawati Labolo",
    "Rosnawati Tadjudin",
    "Hartini Lamangkona",
    "Yusnita Bantaeng",
    "Murniati Lapasere",
    "Selvi Tampubolon",
    "Risna Datupalinge",
)


def _returnees(actor: User, today: date, names: tuple[str, ...] = NAMES, region_code: str = LANGALESO) -> list[int]:
    ids = []
    for i, name in enumerate(names):
        person = registry.register_person(
            actor=actor,
            data=registry.PersonData(
                full_name=name,
                kind="PMI_PURNA",
                sex="L" if i >= 18 else "P",
                birth_date=date(1982 + i % 15, 1 + i % 12, 1 + i % 27),
                region_code=region_code,
            ),
            confirm_new=True,
        )
        returned = today - timedelta(days=420 + 45 * i)  # 1.2 to 4 years ago: all eligible
        registry.add_migration_episode(
            actor=actor,
            person_id=person.pk,
            data=registry.EpisodeData(
                destination_country=("MY", "HK", "TW", "SA")[i % 4],
                departure_date=returned - timedelta(days=730),
                return_date=returned,
            ),
        )
        ids.append(person.pk)
    return ids


def _mentor(actor: User, enrolment: Enrolment, index: int, today: date) -> None:
    business = services.start_mentoring(
        actor=actor,
        enrolment_id=enrolment.pk,
        data=services.BusinessData(
            name=f"Usaha {enrolment.person.full_name.split()[-1]}",
            sector=SECTORS[index % len(SECTORS)],
            mentor_id=actor.pk,
            licences=["NIB"] if index % 2 else [],
            sales_channel="Pasar desa, WhatsApp",
        ),
    )
    start = enrolment.cohort.starts_on
    base_income = Decimal(1_200_000 + 150_000 * (index % 5))
    checks = [(CheckKind.BASELINE, start, 0, True)]
    for kind, months in ((CheckKind.MONTH_3, 3), (CheckKind.MONTH_6, 6), (CheckKind.MONTH_12, 12)):
        day = add_months(start, months)
        if day <= today:
            checks.append((kind, day, months, index % 5 != 0 or months < 6))
    for kind, day, months, operating in checks:
        gain = Decimal(0) if not operating else Decimal(60_000 * months * (1 + index % 3))
        services.record_check(
            actor=actor,
            business_id=business.pk,
            data=services.CheckData(
                kind=kind,
                recorded_on=day,
                monthly_revenue=Decimal(800_000 + 100_000 * months) if operating else Decimal(0),
                household_income=base_income + gain,
                employees=1 if months >= 6 and operating else 0,
                operating=operating,
            ),
        )
    services.record_visit(
        actor=actor,
        business_id=business.pk,
        visited_on=checks[-1][1],
        notes="Kunjungan monitoring: stok dan pembukuan dicek.",
    )


def _recurring_start(day: date) -> date:
    """A monthly RRULE skips months without the start's day (RFC 5545): started on a 31st, "every 3 months" jumps
    from March to December, and a demo cohort meant to be in the past would lie in the future on the 29th-31st."""
    return day.replace(day=min(day.day, 28))


@transaction.atomic
def seed_demo(*, worker: User, facilitator: User) -> int:
    """The demo programme and outreach of `worker`'s agency; returns how many cohorts were added (0 when seeded)."""
    if Programme.objects.filter(agency_id=worker.agency_pk, name=DEMO_PROGRAMME).exists():
        return 0
    today = timezone.localdate()
    first = _recurring_start(add_months(today, -9))
    programme = services.create_programme(
        actor=worker,
        data=services.ProgrammeData(
            name=DEMO_PROGRAMME,
            programme_type=ProgrammeType.ENTREPRENEURSHIP_WORKSHOP,
            description="Pelatihan 4 hari untuk sekitar 20 PMI purna dan keluarganya, di balai desa.",
            recurrence="FREQ=MONTHLY;INTERVAL=3",
            first_start=first,
            curriculum=[
                services.CurriculumLine("Motivasi dan rencana usaha", Decimal(6), 0),
                services.CurriculumLine("Pemasaran dan media sosial", Decimal(6), 1),
                services.CurriculumLine("Pembukuan sederhana", Decimal(6), 2),
                services.CurriculumLine("Perizinan: NIB, halal, PIRT", Decimal(6), 3),
            ],
        ),
    )
    cohorts = services.schedule_cohorts(
        actor=worker,
        programme_id=programme.pk,
        plan=services.CohortPlan(
            count=4, region_code=LANGALESO, place="Balai Desa Langaleso", facilitator_ids=[worker.pk, facilitator.pk]
        ),
    )
    people = _returnees(worker, today)
    for c, cohort in enumerate(cohorts[:3]):
        enrolments = [
            services.enrol_person(actor=worker, cohort_id=cohort.pk, person_id=pk, origin_kind="manual").enrolment
            for pk in people[c * PER_COHORT : (c + 1) * PER_COHORT]
        ]
        for i, enrolment in enumerate(enrolments):
            for s, session in enumerate(cohort.sessions.all()):
                present = not (i % 4 == 3 and s in (1, 2))  # a quarter miss two days: they do not complete
                services.record_attendance(
                    actor=facilitator, session_id=session.pk, enrolment_id=enrolment.pk, present=present
                )
        services.close_cohort(actor=worker, cohort_id=cohort.pk)
        for i, enrolment in enumerate(enrolments):
            enrolment.refresh_from_db()
            if enrolment.status == EnrolmentStatus.COMPLETED and c < 2:
                _mentor(worker, enrolment, c * PER_COHORT + i, today)
    # The coming cohort already has a few people enrolled.
    for pk in people[:3]:
        services.enrol_person(actor=worker, cohort_id=cohorts[3].pk, person_id=pk)
    _seed_outreach(worker, people, cohorts[3].pk, today)
    return len(cohorts)


def _attend_and_close(worker: User, facilitator: User, cohort_id: int, person_ids: list[int], skip_every: int) -> None:
    """Enrol the persons, tick every session (every `skip_every`-th person misses two days), close the cohort."""
    cohort = Cohort.objects.get(pk=cohort_id)
    enrolments = [
        services.enrol_person(actor=worker, cohort_id=cohort.pk, person_id=pk, origin_kind="manual").enrolment
        for pk in person_ids
    ]
    for i, enrolment in enumerate(enrolments):
        for s, session in enumerate(cohort.sessions.order_by("position")):
            present = not (skip_every and i % skip_every == skip_every - 1 and s in (1, 2))
            services.record_attendance(
                actor=facilitator, session_id=session.pk, enrolment_id=enrolment.pk, present=present
            )
    services.close_cohort(actor=worker, cohort_id=cohort.pk)


@transaction.atomic
def seed_catch_up_cohort(*, worker: User, facilitator: User) -> int:
    """A cohort of the demo workshop that started last month, for those of the past cohorts who missed days and
    did not complete: last month's report has participants. Returns 1 when added, 0 when there already is one."""
    programme = Programme.objects.filter(agency_id=worker.agency_pk, name=DEMO_PROGRAMME).first()
    if programme is None or programme.cohorts.count() > 4:
        return 0
    today = timezone.localdate()
    missed = list(
        Enrolment.objects.filter(cohort__programme=programme, status=EnrolmentStatus.NOT_COMPLETED)
        .order_by("cohort__starts_on", "pk")
        .values_list("person_id", flat=True)
    )
    (cohort,) = services.schedule_cohorts(
        actor=worker,
        programme_id=programme.pk,
        plan=services.CohortPlan(
            region_code=LANGALESO,
            place="Balai Desa Langaleso",
            facilitator_ids=[worker.pk, facilitator.pk],
            starts_on=add_months(today, -1),
        ),
    )
    _attend_and_close(worker, facilitator, cohort.pk, missed, skip_every=0)
    return 1


@transaction.atomic
def seed_partner_programme(*, worker: User, facilitator: User) -> int:
    """Sentra Nipotowe's sewing course for its own returnees in Palu: cohorts four months and one month ago.
    Returns how many cohorts were added (0 when seeded)."""
    if Programme.objects.filter(agency_id=worker.agency_pk, name=SENTRA_PROGRAMME).exists():
        return 0
    today = timezone.localdate()
    programme = services.create_programme(
        actor=worker,
        data=services.ProgrammeData(
            name=SENTRA_PROGRAMME,
            programme_type=ProgrammeType.VOCATIONAL_TRAINING,
            description="Pelatihan vokasional (ATENSI A5) tiga hari di Sentra untuk PMI purna dan keluarganya.",
            recurrence="FREQ=MONTHLY;INTERVAL=3",
            first_start=_recurring_start(add_months(today, -4)),
            curriculum=[
                services.CurriculumLine("Mengenal mesin jahit dan pola", Decimal(6), 0),
                services.CurriculumLine("Menjahit pakaian sederhana", Decimal(6), 1),
                services.CurriculumLine("Menghitung harga dan menjual", Decimal(6), 2),
            ],
        ),
    )
    cohorts = services.schedule_cohorts(
        actor=worker,
        programme_id=programme.pk,
        plan=services.CohortPlan(
            count=2,
            region_code=BESUSU_BARAT,
            place="Sentra Nipotowe, Palu",
            facilitator_ids=[worker.pk, facilitator.pk],
        ),
    )
    people = _returnees(worker, today, SENTRA_NAMES, BESUSU_BARAT)
    half = len(people) // 2
    for c, cohort in enumerate(cohorts):
        _attend_and_close(worker, facilitator, cohort.pk, people[c * half : (c + 1) * half], skip_every=3)
    return len(cohorts)


def _seed_outreach(worker: User, people: list[int], cohort_id: int, today: date) -> None:
    event = outreach.record_event_held(
        actor=worker,
        data=outreach.EventData(
            held_on=today - timedelta(days=20),
            place="Balai Desa Langaleso",
            region_code=LANGALESO,
            topic="Migrasi aman dan pencegahan TPPO",
            target_group="KELUARGA",
            counsellor_id=worker.pk,
            materials="Leaflet migrasi aman, video testimoni PMI purna",
            counts={("P", "18-35"): 14, ("P", "36-55"): 9, ("L", "18-35"): 6, ("L", "36-55"): 8, ("P", "0-17"): 3},
        ),
    )
    outreach.add_named_attendee(
        actor=worker, event_id=event.pk, name="Ibu Rahma Lamasituju", phone="+6281355501234", agreed=True
    )
    wants = outreach.raise_follow_up(
        actor=worker,
        event_id=event.pk,
        data=outreach.FollowUpData(
            kind="PROGRAM",
            description="Ingin ikut pelatihan kewirausahaan angkatan berikutnya.",
            person_id=people[-1],
            programme_type=ProgrammeType.ENTREPRENEURSHIP_WORKSHOP,
        ),
    )
    outreach.enrol_from_follow_up(actor=worker, follow_up_id=wants.pk, cohort_id=cohort_id)
    outreach.raise_follow_up(
        actor=worker,
        event_id=event.pk,
        data=outreach.FollowUpData(
            kind="KASUS",
            description="Keluarga melapor anaknya hilang kontak di Malaysia sejak tiga bulan.",
            reporter_name="Ibu Rahma Lamasituju",
            reporter_contact="+6281355501234",
            category_codes=["hilang-kontak"],
        ),
    )
