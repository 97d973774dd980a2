from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.audit.models import AuditEvent
from sinergi.notifications.models import Notification
from sinergi.programmes import outcomes, services
from sinergi.programmes.models import (
    Attendance,
    Certificate,
    CheckKind,
    EnrolmentStatus,
    OriginKind,
    ProgrammeType,
)
from sinergi.programmes.selectors import mentor_tasks
from sinergi.registry import services as registry_services
from sinergi.registry.services import InvalidData
from sinergi.testing.programme_builders import cohort_of, returnee, workshop, years_ago

pytestmark = pytest.mark.django_db
# Messages are checked in Indonesian, the default language of the UI and the services.


def test_it_plans_quarterly_cohorts_from_the_rrule(alice: User) -> None:
    start = timezone.localdate() + timedelta(days=10)
    programme = workshop(alice, first_start=start)
    cohorts = services.schedule_cohorts(actor=alice, programme_id=programme.pk, plan=services.CohortPlan(count=3))
    starts = [c.starts_on for c in cohorts]
    assert starts[0] == start
    assert [(b.year - a.year) * 12 + b.month - a.month for a, b in itertools.pairwise(starts)] == [3, 3]
    assert [s.date for s in cohorts[0].sessions.all()] == [start + timedelta(days=i) for i in range(4)]
    # The next plan continues the rule after the last cohort.
    more = services.schedule_cohorts(actor=alice, programme_id=programme.pk, plan=services.CohortPlan(count=1))
    assert more[0].sequence == 4 and more[0].starts_on > starts[-1]


def test_it_refuses_an_invalid_rrule(alice: User) -> None:
    with pytest.raises(InvalidData) as refused:
        workshop(alice, recurrence="EVERY QUARTER")
    assert "recurrence" in refused.value.errors


def test_it_enrols_returnees_within_five_years_and_refuses_older_ones_with_the_reason(alice: User) -> None:
    cohort = cohort_of(alice, workshop(alice))
    recent = returnee(alice, "Wayan Sari", returned=years_ago(2))
    old = returnee(alice, "Made Rika", returned=years_ago(7))
    result = services.enrol_person(actor=alice, cohort_id=cohort.pk, person_id=recent.pk)
    assert result.enrolment.status == EnrolmentStatus.ENROLLED and not result.waitlisted
    with pytest.raises(services.ProgrammeError) as refused:
        services.enrol_person(actor=alice, cohort_id=cohort.pk, person_id=old.pk)
    assert "7" in str(refused.value) and "5" in str(refused.value)
    assert not cohort.enrolments.filter(person=old).exists()


def test_it_admits_a_family_member_of_a_recent_returnee(alice: User) -> None:
    cohort = cohort_of(alice, workshop(alice))
    pmi = returnee(alice, "Ketut Ani", returned=years_ago(1))
    husband = returnee(alice, "Nyoman Budi", returned=None)
    registry_services.add_family_link(
        actor=alice, person_id=pmi.pk, relationship="PASANGAN", name="Nyoman Budi", relative_id=husband.pk
    )
    result = services.enrol_person(actor=alice, cohort_id=cohort.pk, person_id=husband.pk)
    assert result.enrolment.status == EnrolmentStatus.ENROLLED
    assert "keluarga" in result.enrolment.eligibility_note


def test_it_refuses_a_person_enrolled_twice(alice: User) -> None:
    cohort = cohort_of(alice, workshop(alice))
    person = returnee(alice, "Siti", returned=years_ago(1))
    services.enrol_person(actor=alice, cohort_id=cohort.pk, person_id=person.pk)
    with pytest.raises(services.ProgrammeError, match="sudah ada"):
        services.enrol_person(actor=alice, cohort_id=cohort.pk, person_id=person.pk)
    assert cohort.enrolments.count() == 1


def test_it_waitlists_past_capacity_and_promotes_with_a_notification(alice: User, fiona: User) -> None:
    cohort = cohort_of(alice, workshop(alice, capacity=1))
    first = returnee(alice, "Satu", returned=years_ago(1))
    second = returnee(alice, "Dua", returned=years_ago(1))
    taken = services.enrol_person(actor=alice, cohort_id=cohort.pk, person_id=first.pk)
    waiting = services.enrol_person(actor=fiona, cohort_id=cohort.pk, person_id=second.pk)
    assert waiting.waitlisted and waiting.enrolment.status == EnrolmentStatus.WAITLISTED
    assert "daftar tunggu" in waiting.message()
    services.withdraw_enrolment(actor=alice, enrolment_id=taken.enrolment.pk, reason="Pindah kerja")
    waiting.enrolment.refresh_from_db()
    assert waiting.enrolment.status == EnrolmentStatus.ENROLLED
    note = Notification.objects.get(recipient=fiona)
    assert "Dua" in note.title


def test_it_enrols_from_an_assessment_recommendation_with_its_origin(alice: User) -> None:
    cohort = cohort_of(alice, workshop(alice))
    person = returnee(alice, "Rina", returned=years_ago(3))
    result = services.enrol_from_recommendation(
        actor=alice,
        person_id=person.pk,
        programme_type=ProgrammeType.ENTREPRENEURSHIP_WORKSHOP,
        assessment_ref="asesmen-17",
    )
    assert result.enrolment.cohort_id == cohort.pk
    assert (result.enrolment.origin_kind, result.enrolment.origin_ref) == (OriginKind.ASSESSMENT, "asesmen-17")
    with pytest.raises(services.ProgrammeError):
        services.enrol_from_recommendation(
            actor=alice, person_id=person.pk, programme_type=ProgrammeType.MARKET_ACCESS, assessment_ref="asesmen-17"
        )


def test_it_hides_programmes_from_other_agencies(alice: User, dave: User, carol: User, sentra: object) -> None:
    programme = workshop(alice)
    cohort = cohort_of(alice, programme)
    person = returnee(alice, "Siti", returned=years_ago(1))
    with pytest.raises(Http404):
        services.enrol_person(actor=dave, cohort_id=cohort.pk, person_id=person.pk)
    partner = workshop(alice, name="Bersama Sentra", partner_agency_ids=[carol.agency_id])
    partner_cohort = cohort_of(alice, partner)
    # carol's agency is a partner: she sees the cohort, but cannot enrol a person her agency may not see.
    with pytest.raises(Http404):
        services.enrol_person(actor=carol, cohort_id=partner_cohort.pk, person_id=person.pk)


def test_it_refuses_an_auditor_writing(alice: User, bob: User) -> None:
    cohort = cohort_of(alice, workshop(alice))
    person = returnee(alice, "Siti", returned=years_ago(1))
    with pytest.raises(PermissionDenied):
        services.enrol_person(actor=bob, cohort_id=cohort.pk, person_id=person.pk)


def _enrolled(alice: User, count: int = 2) -> tuple[object, list[object]]:
    cohort = cohort_of(alice, workshop(alice))
    enrolments = [
        services.enrol_person(
            actor=alice, cohort_id=cohort.pk, person_id=returnee(alice, f"Peserta {i}", returned=years_ago(1)).pk
        ).enrolment
        for i in range(count)
    ]
    return cohort, enrolments


def test_it_records_ticks_idempotently_and_merges_two_facilitators(alice: User, fiona: User) -> None:
    cohort, (one, two) = _enrolled(alice)
    cohort.facilitators.add(fiona)
    session = cohort.sessions.first()
    services.record_attendance(actor=alice, session_id=session.pk, enrolment_id=one.pk, present=True)
    services.record_attendance(actor=fiona, session_id=session.pk, enrolment_id=two.pk, present=True)
    services.record_attendance(
        actor=fiona, session_id=session.pk, enrolment_id=one.pk, present=True
    )  # the same tick again
    rows = Attendance.objects.filter(session=session)
    assert rows.count() == 2 and all(row.present for row in rows)


def test_it_refuses_attendance_before_the_session(alice: User) -> None:
    cohort = cohort_of(alice, workshop(alice), starts_on=timezone.localdate() + timedelta(days=5))
    person = returnee(alice, "Siti", returned=years_ago(1))
    enrolment = services.enrol_person(actor=alice, cohort_id=cohort.pk, person_id=person.pk).enrolment
    with pytest.raises(services.ProgrammeError, match="bukan sebelumnya"):
        services.record_attendance(
            actor=alice, session_id=cohort.sessions.first().pk, enrolment_id=enrolment.pk, present=True
        )
    assert not Attendance.objects.exists()


def test_it_checks_in_a_signed_card_and_refuses_forged_and_other_cohort_cards(alice: User) -> None:
    cohort, (one, _two) = _enrolled(alice)
    _other, (stranger,) = _enrolled(alice, 1)
    session = cohort.sessions.first()
    code = services.checkin_code(one)
    row = services.check_in(actor=alice, session_id=session.pk, code=code)
    assert row.present and row.via_qr
    forged = code[:-2] + ("AA" if not code.endswith("AA") else "BB")
    with pytest.raises(services.ProgrammeError, match="palsu"):
        services.check_in(actor=alice, session_id=session.pk, code=forged)
    with pytest.raises(services.ProgrammeError, match="angkatan lain"):
        services.check_in(actor=alice, session_id=session.pk, code=services.checkin_code(stranger))
    assert Attendance.objects.filter(session=session).count() == 1


def test_it_applies_the_completion_rule_and_issues_verifiable_certificates(alice: User, client: object) -> None:
    cohort, (full, partial) = _enrolled(alice)
    sessions = list(cohort.sessions.all())
    for s in sessions:
        services.record_attendance(actor=alice, session_id=s.pk, enrolment_id=full.pk, present=True)
    for s in sessions[:3]:  # 75 % < 80 %
        services.record_attendance(actor=alice, session_id=s.pk, enrolment_id=partial.pk, present=True)
    completed = services.close_cohort(actor=alice, cohort_id=cohort.pk)
    assert [e.pk for e in completed] == [full.pk]
    partial.refresh_from_db()
    assert partial.status == EnrolmentStatus.NOT_COMPLETED
    certificate = Certificate.objects.get(enrolment=full)
    from sinergi.programmes.documents import build_certificate, verification_url

    pdf = build_certificate(certificate, compress=False)
    assert pdf.startswith(b"%PDF") and certificate.verification_token.encode() in pdf
    assert services.close_cohort(actor=alice, cohort_id=cohort.pk)[0].pk == full.pk  # closing twice changes nothing
    page = client.get(verification_url(certificate).split("testserver")[-1].replace("http://localhost:8000", ""))  # type: ignore[attr-defined]
    assert page.status_code == 200 and "Peserta 0" in page.content.decode()
    assert client.get("/program/sertifikat/palsu/").status_code == 404  # type: ignore[attr-defined]


def _business(alice: User) -> object:
    _cohort, (enrolment,) = _enrolled(alice, 1)
    return services.start_mentoring(
        actor=alice,
        enrolment_id=enrolment.pk,
        data=services.BusinessData(name="Warung Sari", sector="Makanan", mentor_id=alice.pk, licences=["NIB"]),
    )


def _check(kind: str, days_ago: int, income: int, revenue: int = 1_000_000) -> services.CheckData:
    return services.CheckData(
        kind=kind,
        recorded_on=timezone.localdate() - timedelta(days=days_ago),
        monthly_revenue=Decimal(revenue),
        household_income=Decimal(income),
    )


def test_it_validates_follow_ups_against_the_baseline(alice: User) -> None:
    business = _business(alice)
    with pytest.raises(services.ProgrammeError, match="data awal dulu"):
        services.record_check(actor=alice, business_id=business.pk, data=_check(CheckKind.MONTH_3, 0, 2_000_000))
    services.record_check(actor=alice, business_id=business.pk, data=_check(CheckKind.BASELINE, 100, 1_500_000))
    with pytest.raises(InvalidData) as negative:
        services.record_check(
            actor=alice, business_id=business.pk, data=_check(CheckKind.MONTH_3, 5, 2_000_000, revenue=-5)
        )
    assert "monthly_revenue" in negative.value.errors
    with pytest.raises(InvalidData) as early:
        services.record_check(actor=alice, business_id=business.pk, data=_check(CheckKind.MONTH_3, 120, 2_000_000))
    assert "recorded_on" in early.value.errors
    services.record_check(actor=alice, business_id=business.pk, data=_check(CheckKind.MONTH_3, 5, 2_000_000))
    with pytest.raises(services.ProgrammeError, match="sudah dicatat"):
        services.record_check(actor=alice, business_id=business.pk, data=_check(CheckKind.MONTH_3, 1, 2_000_000))


def test_it_lists_due_and_late_follow_ups_and_notifies_the_mentor_once(alice: User) -> None:
    business = _business(alice)
    services.record_check(actor=alice, business_id=business.pk, data=_check(CheckKind.BASELINE, 85, 1_500_000))
    tasks = mentor_tasks(alice, today=timezone.localdate())
    assert [(t.kind, t.late) for t in tasks] == [(CheckKind.MONTH_3, False)]
    later = timezone.localdate() + timedelta(days=20)
    assert [(t.kind, t.late) for t in mentor_tasks(alice, today=later)] == [(CheckKind.MONTH_3, True)]
    assert services.notify_due_follow_ups(today=later) == 1
    assert services.notify_due_follow_ups(today=later) == 0
    assert "Terlambat" in Notification.objects.get(recipient=alice).title


def test_it_says_too_few_under_the_minimum_and_counts_every_figure(
    alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    business = _business(alice)
    services.record_check(actor=alice, business_id=business.pk, data=_check(CheckKind.BASELINE, 100, 1_500_000))
    services.record_check(actor=alice, business_id=business.pk, data=_check(CheckKind.MONTH_3, 5, 2_100_000))
    programme = business.enrolment.cohort.programme
    result = outcomes.programme_outcomes(programme)
    assert result.total.income_change.n == 1 and result.total.income_change.value is None
    monkeypatch.setattr(outcomes, "MIN_COUNT", 1)
    result = outcomes.programme_outcomes(programme)
    assert result.total.income_change.value == 600_000
    assert result.total.enrolled == 1


def test_it_audits_writes(alice: User) -> None:
    _enrolled(alice, 1)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"programme.created", "programme.cohorts_scheduled", "programme.enrolled"} <= actions


def test_it_records_a_visit_with_a_photo_and_refuses_a_file_that_is_not_one(
    alice: User, settings: object, tmp_path: object
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    business = _business(alice)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    visit = services.record_visit(
        actor=alice,
        business_id=business.pk,
        visited_on=timezone.localdate(),
        notes="Stok cukup.",
        photo=SimpleUploadedFile("warung.png", png, content_type="image/png"),
    )
    assert visit.photo.name.endswith(".png")
    with pytest.raises(InvalidData) as refused:
        services.record_visit(
            actor=alice,
            business_id=business.pk,
            visited_on=timezone.localdate(),
            notes="Foto palsu.",
            photo=SimpleUploadedFile("warung.png", b"MZ not an image", content_type="image/png"),
        )
    assert "photo" in refused.value.errors


def test_the_dashboard_counts_participants_of_the_programmes_in_view(alice: User, carol: User) -> None:
    from sinergi.cases.models import Case
    from sinergi.programmes.figures import programme_figures
    from sinergi.reports.figures import Scope

    person = returnee(alice, "Rina Marlina", returned=years_ago(1))
    cohort = cohort_of(alice, workshop(alice))
    services.enrol_person(actor=alice, cohort_id=cohort.pk, person_id=person.pk)
    today = timezone.localdate()

    def rows(*agency_ids: int) -> dict[str, list[int]]:
        scope = Scope(Case.objects.none(), today - timedelta(days=30), today, agency_ids=agency_ids)
        return dict(programme_figures(scope)[0].rows)

    assert rows(alice.agency_pk)[str(EnrolmentStatus.ENROLLED.label)] == [1]
    assert sum(n for (n,) in rows(alice.agency_pk).values()) == 1
    assert sum(n for (n,) in rows(carol.agency_pk).values()) == 0


def test_it_starts_mentoring_and_records_a_visit_through_the_api(alice: User, client: Any) -> None:
    from sinergi.accounts.tokens import create_token

    _cohort, (enrolment,) = _enrolled(alice, 1)
    _, secret = create_token(actor=None, user=alice, name="mitra", scopes=["cases:read", "cases:write"])
    headers = {"Authorization": f"Bearer {secret}"}
    body = {"name": "Warung Sari", "sector": "Makanan", "mentor_id": alice.pk, "licences": ["NIB"]}
    started = client.post(
        f"/api/v1/programmes/enrolments/{enrolment.pk}/business", body, content_type="application/json", headers=headers
    )
    assert started.status_code == 201, started.content
    business_id = started.json()["id"]
    again = client.post(
        f"/api/v1/programmes/enrolments/{enrolment.pk}/business", body, content_type="application/json", headers=headers
    )
    assert again.status_code == 409
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    refused = client.post(
        f"/api/v1/programmes/businesses/{business_id}/visits",
        {"visited_on": future, "notes": ""},
        content_type="application/json",
        headers=headers,
    )
    assert refused.status_code == 422 and set(refused.json()["errors"]) == {"notes", "visited_on"}
    visit = client.post(
        f"/api/v1/programmes/businesses/{business_id}/visits",
        {"visited_on": timezone.localdate().isoformat(), "notes": "Stok dan pembukuan dicek."},
        content_type="application/json",
        headers=headers,
    )
    assert visit.status_code == 201 and visit.json()["notes"] == "Stok dan pembukuan dicek."
