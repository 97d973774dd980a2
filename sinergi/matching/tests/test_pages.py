"""The review pages with the test client: queue, pair, decision (plain and htmx), undo, golden record."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from sinergi.accounts.models import User
from sinergi.matching import services
from sinergi.matching.engine import default_model
from sinergi.matching.explain import level_weights
from sinergi.matching.models import Decision, MatchCandidate, Merge
from sinergi.registry.models import Person
from sinergi.sources.models import DataSource, SourceRecord

pytestmark = pytest.mark.django_db


def level_weight(comparison: str, label: str) -> float:
    return dict(level_weights(default_model())[comparison])[label]


@pytest.fixture
def candidate(olive: User, siti: Person, sitti: Person) -> MatchCandidate:
    """The pair a scan proposes (the engine's tests check that it does), without running the model here."""
    weights = [
        ("name", level_weight("name", "Same normalised name")),
        ("birth_date", level_weight("birth_date", "Same birth date")),
        ("nik", 0.0),
    ]
    return services.propose_pair(
        actor=olive, person_id=siti.pk, other_person_id=sitti.pk, probability=0.98, weights=weights, origin="scan"
    )


def _login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_the_queue_lists_pending_pairs_best_first(client: Client, olive: User, candidate: MatchCandidate) -> None:
    response = _login(client, olive).get(reverse("matching:queue"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Siti Aminah" in page and "Sitti Aminah" in page
    assert reverse("matching:pair", args=[candidate.pk]) in page
    assert reverse("matching:queue") in page  # the menu item


def test_the_queue_makes_few_queries(
    client: Client, olive: User, alice: User, candidate: MatchCandidate, django_assert_max_num_queries: object
) -> None:
    _login(client, olive)
    with django_assert_max_num_queries(16):  # type: ignore[operator]
        client.get(reverse("matching:queue"))


def test_the_pair_page_shows_both_records_and_the_models_reasons(
    client: Client, olive: User, candidate: MatchCandidate, siti: Person
) -> None:
    source, _ = DataSource.objects.get_or_create(agency=siti.registered_by_agency, name="Ekspor Sisko P2MI")
    SourceRecord.objects.create(
        source=source, external_id="9", person=siti, values={"full_name": "SITI"}, content_hash=""
    )
    page = _login(client, olive).get(reverse("matching:pair", args=[candidate.pk])).content.decode()
    assert "7271055210900001" in page  # Siti's NIK, side by side with Sitti's none
    assert "Same name (spelling normalised)" in page
    assert "Same birth date" in page
    assert "Not compared (empty in one or both records)" in page
    assert "Ekspor Sisko P2MI" in page
    assert "<progress" in page and 'style="' not in page


def test_deciding_same_merges_and_moves_on(
    client: Client, olive: User, candidate: MatchCandidate, sitti: Person
) -> None:
    response = _login(client, olive).post(
        reverse("matching:pair", args=[candidate.pk]),
        {"decision": "SAME", "expected_decision": "PENDING", "survivor": candidate.person_id},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("matching:queue")
    sitti.refresh_from_db()
    assert sitti.merged_into_id == candidate.person_id


def test_deciding_with_htmx_swaps_the_decision_in_place(client: Client, olive: User, candidate: MatchCandidate) -> None:
    response = _login(client, olive).post(
        reverse("matching:pair", args=[candidate.pk]),
        {"decision": "DIFFERENT", "expected_decision": "PENDING"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="decision"')
    assert "Decision saved" in page
    assert MatchCandidate.objects.get(pk=candidate.pk).decision == Decision.DIFFERENT


def test_a_late_second_decision_says_who_decided(
    client: Client, olive: User, sari: User, candidate: MatchCandidate
) -> None:
    services.decide_pair(actor=sari, candidate_id=candidate.pk, decision="DIFFERENT", expected_decision="PENDING")
    response = _login(client, olive).post(
        reverse("matching:pair", args=[candidate.pk]), {"decision": "SAME", "expected_decision": "PENDING"}
    )
    assert response.status_code == 409
    assert "already decided this pair" in response.content.decode()
    assert not Merge.objects.exists()


def test_a_decision_without_a_choice_says_what_to_fix(client: Client, olive: User, candidate: MatchCandidate) -> None:
    response = _login(client, olive).post(
        reverse("matching:pair", args=[candidate.pk]), {"expected_decision": "PENDING"}
    )
    assert response.status_code == 400
    assert "Choose same person, different persons or unsure." in response.content.decode()


def test_the_unsure_tab_shows_pairs_for_a_supervisor(
    client: Client, olive: User, sari: User, candidate: MatchCandidate
) -> None:
    services.decide_pair(actor=olive, candidate_id=candidate.pk, decision="UNSURE", note="tanya keluarga")
    page = _login(client, sari).get(reverse("matching:queue") + "?tab=ragu").content.decode()
    assert reverse("matching:pair", args=[candidate.pk]) in page
    pair_page = client.get(reverse("matching:pair", args=[candidate.pk])).content.decode()
    assert "tanya keluarga" in pair_page


@pytest.mark.parametrize(("persona", "queue_status", "pair_status"), [
    ("alice", 403, 404), ("bob", 403, 404), ("oscar", 200, 404), ("dave", 403, 404),
])  # fmt: skip
def test_who_may_review(
    client: Client,
    request: pytest.FixtureRequest,
    candidate: MatchCandidate,
    persona: str,
    queue_status: int,
    pair_status: int,
) -> None:
    _login(client, request.getfixturevalue(persona))
    queue = client.get(reverse("matching:queue"))
    assert queue.status_code == queue_status
    if queue_status == 200:
        assert reverse("matching:pair", args=[candidate.pk]) not in queue.content.decode()
    assert client.get(reverse("matching:pair", args=[candidate.pk])).status_code == pair_status
    post = client.post(reverse("matching:pair", args=[candidate.pk]), {"decision": "SAME"})
    assert post.status_code == pair_status
    assert MatchCandidate.objects.get(pk=candidate.pk).decision == Decision.PENDING


def test_a_merged_persons_page_leads_to_the_survivor(
    client: Client, olive: User, alice: User, siti: Person, sitti: Person
) -> None:
    merge = services.merge_persons(actor=olive, survivor_id=siti.pk, absorbed_id=sitti.pk)
    response = _login(client, alice).get(reverse("registry:detail", args=[sitti.pk]), follow=True)
    assert response.redirect_chain == [(reverse("registry:detail", args=[siti.pk]), 302)]
    page = response.content.decode()
    assert "was merged into this record" in page
    assert "Records merged into this one" in page
    assert reverse("matching:undo_merge", args=[merge.pk]) not in page  # alice may not undo
    # Merged persons leave the list and the search.
    listing = client.get(reverse("registry:search")).content.decode()
    assert reverse("registry:detail", args=[sitti.pk]) not in listing
    found = client.get(reverse("registry:search"), {"q": "Sitti Aminah"}).content.decode()
    assert reverse("registry:detail", args=[sitti.pk]) not in found


def test_undo_merge_from_the_survivors_page(client: Client, olive: User, siti: Person, sitti: Person) -> None:
    merge = services.merge_persons(actor=olive, survivor_id=siti.pk, absorbed_id=sitti.pk)
    page = _login(client, olive).get(reverse("registry:detail", args=[siti.pk])).content.decode()
    assert reverse("matching:undo_merge", args=[merge.pk]) in page
    response = client.post(reverse("matching:undo_merge", args=[merge.pk]), follow=True)
    assert "separate records again" in response.content.decode()
    sitti.refresh_from_db()
    assert sitti.merged_into_id is None


def test_the_golden_record_page_and_verifying_with_htmx(client: Client, olive: User, siti: Person) -> None:
    source, _ = DataSource.objects.get_or_create(agency=siti.registered_by_agency, name="SIKS-NG")
    SourceRecord.objects.create(
        source=source, external_id="A1", person=siti, values={"birth_place": "Poso"}, content_hash="", row_number=3
    )
    url = reverse("matching:golden", args=[siti.pk])
    person_page = _login(client, olive).get(reverse("registry:detail", args=[siti.pk])).content.decode()
    assert url in person_page
    page = client.get(url).content.decode()
    assert "sources disagree" in page and "SIKS-NG" in page and "Registri Sinergi" in page
    response = client.post(url, {"field": "birth_place", "value": "Poso"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<article id="field-birth_place"')
    assert "Verified value saved." in fragment
    siti.refresh_from_db()
    assert siti.birth_place == "Poso"


def test_the_golden_record_refuses_outsiders_and_read_only_roles(
    client: Client, siti: Person, alice: User, oscar: User, dave: User
) -> None:
    url = reverse("matching:golden", args=[siti.pk])
    assert _login(client, alice).get(url).status_code == 200
    assert "Mark as verified" not in client.get(url).content.decode()
    assert client.post(url, {"field": "full_name", "value": "x"}).status_code == 403
    for outsider in (oscar, dave):
        assert _login(client, outsider).get(url).status_code == 404


def test_scan_button(client: Client, olive: User, siti: Person, sitti: Person) -> None:
    response = _login(client, olive).post(reverse("matching:scan"), follow=True)
    assert "1 likely duplicate pairs are waiting for review" in response.content.decode()
    assert MatchCandidate.objects.count() == 1


def test_the_queue_makes_as_many_queries_for_three_times_the_pairs(client: Client, olive: User, alice: User) -> None:
    from datetime import date

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sinergi.testing.factories import make_person

    weights = [("name", level_weight("name", "Same normalised name"))]

    def propose(count: int, start: int) -> None:
        for n in range(start, start + count):
            born = date(1980 + n, 1, 2)
            one = make_person(alice, full_name=f"Siti Rahma {n}", birth_date=born)
            other = make_person(alice, full_name=f"Sitti Rahma {n}", birth_date=born)
            services.propose_pair(
                actor=olive, person_id=one.pk, other_person_id=other.pk, probability=0.9, weights=weights, origin="scan"
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("matching:queue")).status_code == 200
        return len(captured)

    propose(2, 0)
    _login(client, olive).get(reverse("matching:queue"))
    few = queries()
    propose(4, 2)
    assert queries() == few
