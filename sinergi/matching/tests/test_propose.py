"""propose_pair and the registry scan: idempotent, same agency only, never a merged person."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404

from sinergi.accounts.models import User
from sinergi.audit.models import AuditEvent
from sinergi.matching import services
from sinergi.matching.models import Decision, MatchCandidate
from sinergi.registry.models import Person

pytestmark = pytest.mark.django_db

WEIGHTS = (("name", 9.5), ("birth_date", 11.7), ("nik", 0.0))


def _propose(actor: User, a: Person, b: Person, probability: float = 0.9) -> MatchCandidate:
    return services.propose_pair(
        actor=actor, person_id=a.pk, other_person_id=b.pk, probability=probability, weights=WEIGHTS, origin="import"
    )


def test_it_proposes_a_pending_pair_once_per_unordered_pair(olive: User, siti: Person, sitti: Person) -> None:
    first = _propose(olive, sitti, siti)
    again = _propose(olive, siti, sitti, probability=0.95)
    assert first.pk == again.pk
    assert (again.person_id, again.other_person_id) == (siti.pk, sitti.pk)
    assert again.decision == Decision.PENDING
    assert MatchCandidate.objects.get().probability == 0.95
    assert MatchCandidate.objects.get().weights == [["name", 9.5], ["birth_date", 11.7], ["nik", 0.0]]
    assert AuditEvent.objects.filter(action="matching.pair_proposed").count() == 1


def test_it_never_proposes_a_pair_judged_different_again(olive: User, siti: Person, sitti: Person) -> None:
    candidate = _propose(olive, siti, sitti)
    MatchCandidate.objects.filter(pk=candidate.pk).update(decision=Decision.DIFFERENT)
    again = _propose(olive, siti, sitti, probability=0.99)
    assert again.decision == Decision.DIFFERENT
    assert again.probability == 0.9


def test_it_refuses_a_person_with_itself_and_merged_persons(
    olive: User, siti: Person, sitti: Person, budi: Person
) -> None:
    with pytest.raises(services.MatchingError):
        _propose(olive, siti, siti)
    Person.objects.filter(pk=budi.pk).update(merged_into=siti)
    with pytest.raises(services.MatchingError):
        _propose(olive, budi, sitti)
    assert not MatchCandidate.objects.exists()


def test_it_refuses_persons_of_another_agency(oscar: User, siti: Person, sitti: Person) -> None:
    with pytest.raises(Http404):
        _propose(oscar, siti, sitti)


@pytest.mark.parametrize("persona", ["alice", "bob", "dave"])
def test_it_refuses_roles_without_import_or_review(
    persona: str, request: pytest.FixtureRequest, siti: Person, sitti: Person
) -> None:
    with pytest.raises(PermissionDenied):
        _propose(request.getfixturevalue(persona), siti, sitti)


def test_the_scan_proposes_likely_duplicates_only(olive: User, siti: Person, sitti: Person, budi: Person) -> None:
    [candidate] = services.scan_agency(actor=olive)
    assert (candidate.person_id, candidate.other_person_id) == (siti.pk, sitti.pk)
    assert candidate.origin == "scan"
    assert services.scan_agency(actor=olive)[0].pk == candidate.pk
    assert MatchCandidate.objects.count() == 1


def test_the_scan_command_runs_for_an_agency(olive: User, siti: Person, sitti: Person) -> None:
    call_command("matching", "scan", "--as", "olive", verbosity=0)
    assert MatchCandidate.objects.filter(person=siti, other_person=sitti, origin="scan").exists()


def test_the_demo_seeds_pairs_for_review_once(olive: User, alice: User, siti: Person, budi: Person) -> None:
    from sinergi.matching.demo import seed_review_pairs

    assert seed_review_pairs(clerk=alice, operator=olive, count=2) == 2
    assert seed_review_pairs(clerk=alice, operator=olive, count=2) == 2
    assert Person.objects.count() == 4
