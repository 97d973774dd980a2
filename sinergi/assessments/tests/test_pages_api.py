"""The field form, the draft endpoint, the history, and the API: the same services, the same refusals."""

from __future__ import annotations

import uuid

from django.test import Client

from sinergi.accounts.models import User
from sinergi.assessments.models import Assessment, AssessmentDraft
from sinergi.referrals.models import Referral
from sinergi.registry.models import Person
from sinergi.testing.assessments import answers


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(user)
    return client


def _form(**overrides: str) -> dict[str, str]:
    return {
        "submission_key": str(uuid.uuid4()),
        "consent_by": "SENDIRI",
        "consent_name": "Siti Aminah",
        **answers(),
        **overrides,
    }


def test_it_shows_the_form_in_indonesian_with_the_sensitive_domain_marked(
    referral: Referral, carol: User, siti: Person
) -> None:
    page = _client(carol).get(f"/asesmen-kebutuhan/orang/{siti.pk}/baru/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Asesmen kebutuhan dan potensi" in text and "Selesaikan asesmen" in text
    assert 'name="submission_key"' in text and "assessments/field_form" in text
    assert "Kesehatan dan kondisi psikososial" in text and "sensitif" in text


def test_it_refuses_an_out_of_range_answer_saying_what_to_fix_and_keeps_what_was_typed(
    referral: Referral, carol: User, siti: Person
) -> None:
    page = _client(carol).post(f"/asesmen-kebutuhan/orang/{siti.pk}/baru/", _form(welfare_decile="12"))
    assert page.status_code == 422
    text = page.content.decode()
    assert "Isi nilai antara 1 dan 10." in text
    assert ">kue kering</textarea>" in text and 'value="500.000"' in text  # what was typed comes back
    assert not Assessment.objects.exists()


def test_it_saves_once_when_the_same_form_arrives_twice(referral: Referral, carol: User, siti: Person) -> None:
    client = _client(carol)
    data = _form()
    first = client.post(f"/asesmen-kebutuhan/orang/{siti.pk}/baru/", data)
    second = client.post(f"/asesmen-kebutuhan/orang/{siti.pk}/baru/", data)
    assessment = Assessment.objects.get()
    assert first["Location"] == second["Location"] == f"/asesmen-kebutuhan/{assessment.pk}/"
    detail = client.get(first["Location"]).content.decode()
    assert 'data-code="business_capital"' in detail and "desil" in detail


def test_it_keeps_a_draft_for_its_author_only(referral: Referral, carol: User, yusuf: User, siti: Person) -> None:
    key = str(uuid.uuid4())
    saved = _client(carol).post(
        f"/asesmen-kebutuhan/orang/{siti.pk}/draf/", {"submission_key": key, "skills": "menganyam rotan"}
    )
    assert saved.status_code == 200 and "Draf tersimpan" in saved.content.decode()
    assert AssessmentDraft.objects.get(submission_key=key).values == {"skills": "menganyam rotan"}
    again = _client(carol).get(f"/asesmen-kebutuhan/orang/{siti.pk}/baru/").content.decode()
    assert key in again and "menganyam rotan" in again
    other = _client(yusuf).get(f"/asesmen-kebutuhan/orang/{siti.pk}/baru/").content.decode()
    assert key not in other and "menganyam rotan" not in other


def test_it_completes_through_the_api_idempotently(referral: Referral, carol: User, siti: Person, dave: User) -> None:
    body = {"submission_key": str(uuid.uuid4()), "answers": answers(), "consent_by": "SENDIRI", "consent_name": "Siti"}
    url = f"/api/v1/assessments/persons/{siti.pk}"
    first = _client(carol).post(url, body, content_type="application/json")
    second = _client(carol).post(url, body, content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    bad = _client(carol).post(
        url,
        {**body, "submission_key": str(uuid.uuid4()), "answers": answers(dependants="-1")},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "dependants" in bad.json()["errors"]
    assert _client(dave).post(url, body, content_type="application/json").status_code == 404
    recs = _client(carol).get(f"{url}/recommendations").json()
    assert {"kind": "programme", "code": "entrepreneurship_workshop"}.items() <= next(
        r for r in recs if r["code"] == "entrepreneurship_workshop"
    ).items()
    assert "entrepreneurship_workshop" in {r["code"] for r in recs}


def test_it_shows_the_section_on_the_person_and_case_pages(
    referral: Referral, alice: User, carol: User, siti: Person
) -> None:
    client = _client(alice)
    client.post(f"/asesmen-kebutuhan/orang/{siti.pk}/baru/", _form())
    person_page = client.get(f"/orang/{siti.pk}/").content.decode()
    assert 'id="needs-assessment"' in person_page and "Bantuan modal usaha" in person_page
    case_page = client.get(f"/kasus/{referral.case_id}/").content.decode()
    assert 'id="needs-assessment"' in case_page and f"?case_id={referral.case_id}" in case_page


def test_the_history_makes_as_many_queries_for_many_assessments_as_for_few(
    referral: Referral, carol: User, siti: Person
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sinergi.testing.assessments import assess

    client = _client(carol)
    url = f"/asesmen-kebutuhan/orang/{siti.pk}/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assess(carol, siti.pk)
    client.get(url)
    few = queries()
    for monthly_income in ("1000000", "1500000", "2000000", "2500000"):
        assess(carol, siti.pk, monthly_income=monthly_income)
    assert queries() == few


def test_the_section_reads_the_latest_assessment_and_their_number_in_one_query(
    referral: Referral, carol: User, siti: Person
) -> None:
    from django.db import connection
    from django.template import Context, Template
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from sinergi.testing.assessments import assess

    request = RequestFactory().get("/")
    request.user = carol
    template = Template("{% load needs_assessment %}{% needs_assessment_section person %}")

    def section() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            html = template.render(Context({"request": request, "person": siti}))
        return html, len([q for q in queries.captured_queries if "assessments_assessment" in q["sql"]])

    html, reads = section()
    assert "No needs assessment yet." in html and reads == 1
    assess(carol, siti.pk)
    html, reads = section()
    assert "(1 assessment)." in html and reads == 1
    assess(carol, siti.pk)
    latest = assess(carol, siti.pk)
    html, reads = section()
    assert "(3 assessments)." in html and f"/{latest.pk}/" in html and reads == 1
