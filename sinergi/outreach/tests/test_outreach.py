from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.test import Client
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.cases.models import Case
from sinergi.outreach import services
from sinergi.outreach.models import FollowUp, FollowUpKind, FollowUpStatus, NamedAttendee
from sinergi.programmes.models import OriginKind, ProgrammeType
from sinergi.registry.services import InvalidData
from sinergi.testing.programme_builders import cohort_of, returnee, workshop, years_ago

pytestmark = pytest.mark.django_db


def _event(actor: User) -> object:
    return services.record_event_held(
        actor=actor,
        data=services.EventData(
            held_on=timezone.localdate() - timedelta(days=1),
            place="Balai Desa Langaleso",
            region_code="72.10.12.2002",
            topic="Migrasi aman dan bahaya TPPO",
            target_group="KELUARGA",
            counsellor_id=actor.pk,
            counts={("P", "18-35"): 12, ("L", "36-55"): 7},
        ),
    )


def test_it_records_an_event_with_counts_and_names_only_with_agreement(alice: User) -> None:
    event = _event(alice)
    assert sum(c.count for c in event.counts.all()) == 19
    with pytest.raises(InvalidData) as refused:
        services.add_named_attendee(actor=alice, event_id=event.pk, name="Ibu Rahma", phone="", agreed=False)
    assert "agreed" in refused.value.errors
    services.add_named_attendee(actor=alice, event_id=event.pk, name="Ibu Rahma", phone="0812", agreed=True)
    assert NamedAttendee.objects.filter(event=event).count() == 1


def test_it_refuses_an_event_in_the_future(alice: User) -> None:
    with pytest.raises(InvalidData):
        services.record_event_held(
            actor=alice,
            data=services.EventData(
                held_on=timezone.localdate() + timedelta(days=3),
                place="x",
                topic="y",
                target_group="KELUARGA",
                counsellor_id=alice.pk,
            ),
        )


def test_it_turns_a_follow_up_into_an_enrolment_with_its_origin(alice: User) -> None:
    cohort = cohort_of(alice, workshop(alice))
    person = returnee(alice, "Siti", returned=years_ago(2))
    follow_up = services.raise_follow_up(
        actor=alice,
        event_id=_event(alice).pk,
        data=services.FollowUpData(
            kind=FollowUpKind.ENROLMENT,
            description="Ingin pelatihan usaha",
            person_id=person.pk,
            programme_type=ProgrammeType.ENTREPRENEURSHIP_WORKSHOP,
        ),
    )
    result = services.enrol_from_follow_up(actor=alice, follow_up_id=follow_up.pk, cohort_id=cohort.pk)
    assert result.enrolment.origin_kind == OriginKind.OUTREACH
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.DONE and follow_up.enrolment_id == result.enrolment.pk
    with pytest.raises(services.OutreachError):
        services.enrol_from_follow_up(actor=alice, follow_up_id=follow_up.pk, cohort_id=cohort.pk)


def test_it_opens_a_prefilled_case_intake_and_the_event_lists_the_case(alice: User, client: Client) -> None:
    event = _event(alice)
    person = returnee(alice, "Ahmad", returned=None)
    follow_up = services.raise_follow_up(
        actor=alice,
        event_id=event.pk,
        data=services.FollowUpData(
            kind=FollowUpKind.CASE,
            description="Ibunya melapor: hilang kontak di Malaysia sejak Maret.",
            reporter_name="Ibu Rahma",
            reporter_contact="0812 1111 2222",
            category_codes=["hilang-kontak"],
        ),
    )
    client.force_login(alice)
    assert client.get(f"/penyuluhan/tindak-lanjut/{follow_up.pk}/kasus/").status_code == 302  # no person yet
    client.post(f"/penyuluhan/tindak-lanjut/{follow_up.pk}/", {"person": person.pk})
    intake = client.get(f"/penyuluhan/tindak-lanjut/{follow_up.pk}/kasus/")
    html = intake.content.decode()
    assert intake.status_code == 200 and "Ibu Rahma" in html and "hilang kontak di Malaysia" in html
    form = intake.context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, "")}
    data["categories"] = data.pop("categories")
    data["received_at"] = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    data["urgency"] = "SEDANG"
    response = client.post(f"/penyuluhan/tindak-lanjut/{follow_up.pk}/kasus/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(person=person)
    follow_up.refresh_from_db()
    assert follow_up.case_id == case.pk and case.complainant_name == "Ibu Rahma"
    page = client.get(f"/penyuluhan/{event.pk}/").content.decode()
    assert case.number in page


def test_it_hides_events_from_other_agencies(alice: User, dave: User) -> None:
    event = _event(alice)
    with pytest.raises(Http404):
        services.raise_follow_up(
            actor=dave, event_id=event.pk, data=services.FollowUpData(kind=FollowUpKind.CASE, description="x")
        )
    assert not FollowUp.objects.exists()
