"""Health and psychosocial answers: only social workers and supervisors involved in the person's case see them
— in pages, the API, the exports and the change feed — and every read is in the access log."""

from __future__ import annotations

import pytest
from django.test import Client

from sinergi.accounts.models import User
from sinergi.assessments.models import Assessment
from sinergi.assessments.selectors import may_see_sensitive, recommendations_for_person, view_assessment
from sinergi.audit.models import AuditEvent
from sinergi.referrals.models import Referral
from sinergi.registry.models import Person
from sinergi.testing.assessments import assess

SECRET = "Sulit tidur sejak kembali"  # the health note in the builder's answers


@pytest.fixture
def assessment(referral: Referral, carol: User, siti: Person) -> Assessment:
    return assess(carol, siti.pk)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("carol", True),  # Sentra social worker who made it (referral receiver)
        ("yusuf", True),  # Sentra supervisor: the referral shares the assessments
        ("sari", True),  # BP3MI supervisor: BP3MI owns the case
        ("pia", True),  # BP3MI social worker
        ("alice", False),  # BP3MI petugas: not a social worker
        ("bob", False),  # BP3MI auditor
        ("erin", False),  # Sentra petugas
        ("vera", False),  # Sentra auditor
        ("oscar", False),  # Sentra data officer
    ],
)
def test_it_shows_health_answers_only_to_social_workers_and_supervisors_involved(
    request: pytest.FixtureRequest, assessment: Assessment, persona: str, allowed: bool
) -> None:
    user: User = request.getfixturevalue(persona)
    assert may_see_sensitive(user, assessment.person_id, assessment.agency_id) is allowed
    page = _client(user).get(f"/asesmen-kebutuhan/{assessment.pk}/")
    assert page.status_code == 200
    assert (SECRET in page.content.decode()) is allowed
    api = _client(user).get(f"/api/v1/assessments/{assessment.pk}")
    assert api.status_code == 200
    health = next(d for d in api.json()["domains"] if d["code"] == "kesehatan")
    assert health["hidden"] is not allowed
    assert (SECRET in api.text) is allowed
    # A recommendation made from the sensitive answers tells the health state: hidden too, only counted.
    codes = {r["code"] for r in api.json()["recommendations"]}
    assert ("atensi-a4" in codes) is allowed
    assert api.json()["hidden_recommendations"] == (0 if allowed else 1)
    logged = AuditEvent.objects.filter(action="assessment.sensitive_viewed", actor=user).exists()
    assert logged is allowed


def test_it_hides_everything_from_an_agency_never_involved(assessment: Assessment, dave: User) -> None:
    client = _client(dave)
    assert client.get(f"/asesmen-kebutuhan/{assessment.pk}/").status_code == 404
    assert client.get(f"/api/v1/assessments/{assessment.pk}").status_code == 404
    assert client.get(f"/api/v1/assessments/persons/{assessment.person_id}").status_code == 404
    assert client.get(f"/api/v1/assessments/persons/{assessment.person_id}/recommendations").status_code == 404


def test_it_stops_showing_health_answers_to_the_receiver_when_the_referral_closes(
    assessment: Assessment, referral: Referral, yusuf: User, carol: User, alice: User
) -> None:
    from sinergi.referrals import services as referral_services

    referral_services.revoke_referral(actor=alice, referral_id=referral.pk, reason="Ditangani sendiri.")
    # Yusuf's agency made the assessment (its own record), so it keeps it; an uninvolved Sentra would not.
    assert may_see_sensitive(yusuf, assessment.person_id, assessment.agency_id)
    assert not may_see_sensitive(yusuf, assessment.person_id, assessment.agency_id + 999)


def test_it_keeps_sensitive_evidence_out_of_the_recommendations_contract(assessment: Assessment, alice: User) -> None:
    recs = {r.code: r for r in recommendations_for_person(alice, assessment.person_id)}
    assert "atensi-a4" not in recs
    assert recs["business_capital"].evidence == {"business_interest": "planning", "welfare_decile": 3}
    view = view_assessment(alice, assessment)
    assert not view.sensitive_visible
    assert all(not d.answers for d in view.domains if d.sensitive)
    assert view.hidden_recommendations == 1
    person_page = _client(alice).get(f"/orang/{assessment.person_id}/").content.decode()
    assert "Bantuan modal usaha" in person_page and "terapi psikososial" not in person_page


def test_it_keeps_health_answers_out_of_the_change_feed_and_exports(
    assessment: Assessment, alice: User, sari: User
) -> None:
    feed = _client(alice).get("/api/v1/changes")
    assert feed.status_code == 200 and SECRET not in feed.text and "psychosocial" not in feed.text
    for fmt in ("xlsx", "pdf"):
        export = _client(sari).get(f"/penyaluran/daftar.{fmt}")
        assert export.status_code == 200 and SECRET.encode() not in export.content
