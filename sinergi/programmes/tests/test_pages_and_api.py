from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.programmes import services
from sinergi.programmes.models import Attendance, ProgrammeType
from sinergi.testing.programme_builders import cohort_of, returnee, workshop, years_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_alice(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


def test_it_creates_a_programme_and_plans_a_cohort_through_the_pages(as_alice: Client, alice: User) -> None:
    response = as_alice.post(
        "/program/baru/",
        {
            "name": "Pelatihan Kewirausahaan Langaleso",
            "programme_type": ProgrammeType.ENTREPRENEURSHIP_WORKSHOP,
            "returned_within_years": "5",
            "family_members": "on",
            "capacity": "20",
            "completion_percent": "80",
            "recurrence": "FREQ=MONTHLY;INTERVAL=3",
            "first_start": (timezone.localdate() + timedelta(days=7)).isoformat(),
            "curriculum": "1; Rencana usaha; 6\n2; Pemasaran; 6\n3; Keuangan; 6\n4; Perizinan; 6",
        },
    )
    assert response.status_code == 302
    detail = response["Location"]
    planned = as_alice.post(
        detail,
        {
            "count": "2",
            "province": "72",
            "regency": "72.10",
            "district": "72.10.12",
            "village": "72.10.12.2002",
            "place": "Balai Desa",
        },
    )
    assert planned.status_code == 302
    page = as_alice.get(detail).content.decode()
    assert "Langaleso" in page and "Balai Desa" in page


def test_it_shows_the_tick_list_and_ticks_with_htmx(as_alice: Client, alice: User) -> None:
    cohort = cohort_of(alice, workshop(alice))
    person = returnee(alice, "Wayan Sari", returned=years_ago(1))
    enrolment = services.enrol_person(actor=alice, cohort_id=cohort.pk, person_id=person.pk).enrolment
    session = cohort.sessions.first()
    assert session is not None
    page = as_alice.get(f"/program/sesi/{session.pk}/")
    assert page.status_code == 200 and "Wayan Sari" in page.content.decode()
    tick = as_alice.post(
        f"/program/sesi/{session.pk}/hadir/{enrolment.pk}/", {"present": "1"}, headers={"HX-Request": "true"}
    )
    assert tick.status_code == 200 and 'aria-pressed="true"' in tick.content.decode()
    assert Attendance.objects.get(session=session, enrolment=enrolment).present


def test_it_answers_404_to_another_agency(client: Client, alice: User, dave: User) -> None:
    programme = workshop(alice)
    cohort = cohort_of(alice, programme)
    client.force_login(dave)
    assert client.get(f"/program/{programme.pk}/").status_code == 404
    assert client.get(f"/program/angkatan/{cohort.pk}/").status_code == 404
    assert client.get(f"/api/v1/programmes/{programme.pk}").status_code == 404


def test_it_serves_the_api_with_refusals_in_the_error_shape(as_alice: Client, alice: User) -> None:
    programme = workshop(alice)
    cohort = cohort_of(alice, programme)
    recent = returnee(alice, "Baru Pulang", returned=years_ago(1))
    old = returnee(alice, "Lama Pulang", returned=years_ago(7))
    listed = as_alice.get("/api/v1/programmes").json()
    assert [p["id"] for p in listed] == [programme.pk]
    ok = as_alice.post(
        "/api/v1/programmes/enrolments/from-recommendation",
        json.dumps(
            {"person_id": recent.pk, "programme_type": ProgrammeType.ENTREPRENEURSHIP_WORKSHOP, "assessment_ref": "A-1"}
        ),
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["enrolment"]["origin_kind"] == "assessment"
    refused = as_alice.post(
        f"/api/v1/programmes/cohorts/{cohort.pk}/enrolments",
        json.dumps({"person_id": old.pk}),
        content_type="application/json",
    )
    assert refused.status_code == 409 and "5" in refused.json()["detail"]
    session = cohort.sessions.first()
    assert session is not None
    tick = as_alice.put(
        f"/api/v1/programmes/sessions/{session.pk}/attendance",
        json.dumps({"enrolment_id": ok.json()["enrolment"]["id"], "present": True}),
        content_type="application/json",
    )
    assert tick.status_code == 200 and tick.json()["present"]
    forged = as_alice.post(
        f"/api/v1/programmes/sessions/{session.pk}/check-in",
        json.dumps({"code": "nope"}),
        content_type="application/json",
    )
    assert forged.status_code == 409
    outcomes = as_alice.get(f"/api/v1/programmes/{programme.pk}/outcomes").json()
    assert outcomes["total"]["enrolled"] == 1 and outcomes["total"]["completion_rate"]["value"] is None
    export = as_alice.get(f"/api/v1/programmes/{programme.pk}/outcomes/export?format=xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    schema = as_alice.get("/api/v1/openapi.json").json()
    assert "ProgrammeOut" in schema["components"]["schemas"] and "OutreachEventOut" in schema["components"]["schemas"]


def test_it_exports_outcomes_as_pdf_and_shows_the_outcomes_page(as_alice: Client, alice: User) -> None:
    programme = workshop(alice)
    cohort_of(alice, programme)
    page = as_alice.get(f"/program/{programme.pk}/hasil/")
    assert page.status_code == 200
    pdf = as_alice.get(f"/program/{programme.pk}/hasil.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_it_shows_the_calendar_and_the_public_verification_page_without_login(as_alice: Client, alice: User) -> None:
    cohort = cohort_of(alice, workshop(alice))
    page = as_alice.get("/program/kalender/")
    assert page.status_code == 200 and cohort.programme.name in page.content.decode()
    joint = as_alice.get("/program/kalender/?joint=1")
    assert joint.status_code == 200
    anonymous = Client()
    assert anonymous.get("/program/sertifikat/unknown-token/").status_code == 404


def test_it_enrols_from_the_assessment_page_recommendation(as_alice: Client, alice: User) -> None:
    from sinergi.programmes.models import Enrolment, OriginKind
    from sinergi.testing.assessments import assess

    cohort = cohort_of(alice, workshop(alice), starts_on=timezone.localdate() + timedelta(days=7))
    person = returnee(alice, "Rina Marlina", returned=years_ago(1))
    assessment = assess(alice, person.pk)
    page = as_alice.get(f"/asesmen-kebutuhan/{assessment.pk}/").content.decode()
    link = (
        f"/program/rekomendasi/?person={person.pk}&amp;type=entrepreneurship_workshop&amp;ref=asesmen-{assessment.pk}"
    )
    assert link in page
    offer = as_alice.get(link.replace("&amp;", "&"))
    assert offer.status_code == 200 and str(cohort) in offer.content.decode()
    response = as_alice.post(
        "/program/rekomendasi/",
        {"person": person.pk, "type": "entrepreneurship_workshop", "ref": f"asesmen-{assessment.pk}"},
    )
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(person=person)
    assert (enrolment.cohort_id, enrolment.origin_kind, enrolment.origin_ref) == (
        cohort.pk,
        OriginKind.ASSESSMENT,
        f"asesmen-{assessment.pk}",
    )


@pytest.mark.parametrize("which", ["cohort", "session"])
def test_the_cohort_and_tick_pages_make_as_many_queries_for_many_participants_as_for_few(
    as_alice: Client, alice: User, which: str
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cohort = cohort_of(alice, workshop(alice, capacity=40))
    session = cohort.sessions.first()
    assert session is not None
    url = f"/program/angkatan/{cohort.pk}/" if which == "cohort" else f"/program/sesi/{session.pk}/"

    def enrol(count: int, start: int) -> None:
        for i in range(start, start + count):
            person = returnee(alice, f"Peserta {i}", returned=years_ago(1))
            enrolment = services.enrol_person(actor=alice, cohort_id=cohort.pk, person_id=person.pk).enrolment
            services.record_attendance(actor=alice, session_id=session.pk, enrolment_id=enrolment.pk, present=True)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert as_alice.get(url).status_code == 200
        return len(captured)

    enrol(2, 0)
    as_alice.get(url)
    few = queries()
    enrol(10, 2)
    assert queries() == few


@pytest.mark.parametrize("query", ["year=9999&month=12", "year=2026&month=13", "year=abc", "year=0&month=1"])
def test_the_calendar_answers_an_impossible_month_with_404(as_alice: Client, query: str) -> None:
    assert as_alice.get(f"/program/kalender/?{query}").status_code == 404
