"""The sharing invariant, property-based: random sequences of register, open case, refer, accept, complete,
revoke, take-in, refer onward, propose for the special-assistance list and withdraw, withdraw the person's
consent and give it again, restrict a person's processing and lift it (privacy: then only the owner sees
them), by random agencies; after every step no user reads a field their agency's own relations do not grant.

The expected grants are worked out here from the history of the steps alone (who registered whom, which
referral from which owner is open with which route, which entry is open, whether the consent of its purpose
stands), independently of
`sinergi.sharing.rules`; the checks read what users really get: the person API, the referral API's shared view,
the special-assistance entry API and the change feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.http import Http404
from django.test import Client
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from sinergi.accounts.roles import Role
from sinergi.accounts.tokens import create_token
from sinergi.assistance import services as assistance_services
from sinergi.assistance.services import partner_agencies_for
from sinergi.cases import services as case_services
from sinergi.cases.models import ConsentScope
from sinergi.changes.feed import seal_events
from sinergi.referrals import services as referral_services
from sinergi.referrals.models import ReferralStatus
from sinergi.registry import services as registry_services
from sinergi.registry.services import InvalidData, PersonData, RegistryError
from sinergi.sharing.models import TakeInBasis
from sinergi.sharing.services import take_into_registry
from sinergi.testing.factories import UserFactory
from sinergi.testing.referral_fixtures import consent_for, service_of

AGENCIES = ("bp3mi-sulteng", "sentra-nipotowe", "dinsos-palu")
SERVICE_OF = {"bp3mi-sulteng": "mediasi", "sentra-nipotowe": "atensi-a4", "dinsos-palu": "bansos"}
ROUTES = {
    "tppo": {"IDENTITAS", "PENGADUAN", "ASESMEN"},
    "kekerasan-fisik-psikis": {"IDENTITAS", "KONTAK", "KELUARGA", "PENGADUAN", "ASESMEN"},
}
PERSON_SECTIONS = {"IDENTITAS", "KONTAK", "KELUARGA", "MIGRASI"}
OPEN = {ReferralStatus.SENT, ReferralStatus.ACKNOWLEDGED, ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE}
# Person API / feed keys by section (what a reader may see non-empty).
API_KEYS = {
    "IDENTITAS": {"full_name", "aliases", "sex", "birth_date", "birth_date_accuracy", "birth_place", "nik"},
    "KONTAK": {"region_code", "address_text", "phones"},
    "KELUARGA": {"family"},
    "MIGRASI": {"episodes"},
}
ALWAYS = {"id", "version", "registered_by", "created_at", "updated_at", "flag_child"}


@dataclass
class EntryFact:
    pk: int
    case_pk: int
    person_pk: int
    proposer: str
    partner: str
    is_open: bool


@dataclass
class ReferralFact:
    pk: int
    case_pk: int
    person_pk: int
    sender: str
    receiver: str
    route: set[str]
    status: str


@pytest.mark.django_db(transaction=False)
def test_it_never_lets_a_user_read_a_field_no_relation_grants(sop: Any, bp3mi: Any, sentra: Any, dinsos: Any) -> None:
    users = {
        agency.code: UserFactory(username=f"u-{agency.code}", agency=agency, roles=[Role.PETUGAS])
        for agency in (bp3mi, sentra, dinsos)
    }
    # The partner agency's step back from an entry is its supervisor's (assistance.workflow).
    supervisors = {
        agency.code: UserFactory(username=f"s-{agency.code}", agency=agency, roles=[Role.SUPERVISOR])
        for agency in (bp3mi, sentra, dinsos)
    }
    tokens = {}
    for code, user in users.items():
        scopes = ["persons:read", "referrals:read", "cases:read"]
        _, secret = create_token(actor=None, user=user, name="prop", scopes=scopes)
        tokens[code] = {"Authorization": f"Bearer {secret}"}

    class Sharing(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.client = Client()
            self.owner: dict[int, str] = {}
            self.cases: dict[int, tuple[str, int]] = {}
            self.referrals: dict[int, ReferralFact] = {}
            self.category: dict[int, str] = {}
            self.entries: dict[int, EntryFact] = {}
            # (case, purpose) -> whether an active consent to that purpose is recorded on the case.
            self.consented: dict[tuple[int, str], bool] = {}
            self.restricted: set[int] = set()
            self.counter = 0

        def teardown(self) -> None:
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        @initialize(categories=st.lists(st.sampled_from(sorted(ROUTES)), min_size=3, max_size=3))
        def start(self, categories: list[str]) -> None:
            # Each agency starts with a person of its own and a case on them, so every step has work from the first.
            for agency, category in zip(AGENCIES, categories, strict=True):
                self.register(agency=agency, contact=True)
                self._open_case(agency, max(self.owner), category)

        # --- steps ---------------------------------------------------------------------------------------

        @rule(agency=st.sampled_from(AGENCIES), contact=st.booleans())
        def register(self, agency: str, contact: bool) -> None:
            self.counter += 1
            data = PersonData(
                full_name=f"Orang Nomor {self.counter}",
                sex="P",
                address_text="Jl. Rahasia 1" if contact else "",
                phones=[f"0812-4455-66{self.counter:02d}"] if contact else [],
            )
            person = registry_services.register_person(actor=users[agency], data=data, confirm_new=True)
            registry_services.add_identifier(actor=users[agency], person_id=person.pk, kind="PASPOR", value="C1234567")
            self.owner[person.pk] = agency

        @precondition(lambda self: bool(self.owner))
        @rule(agency=st.sampled_from(AGENCIES), as_owner=st.booleans(), data=st.data())
        def open_case(self, agency: str, as_owner: bool, data: st.DataObject) -> None:
            person_pk = data.draw(st.sampled_from(sorted(self.owner)))
            if as_owner:
                agency = self.owner[person_pk]  # half the time the owner (so later steps have cases to work on)
            self._open_case(agency, person_pk, data.draw(st.sampled_from(sorted(ROUTES))))

        def _open_case(self, agency: str, person_pk: int, category: str) -> None:
            try:
                case = case_services.open_case(
                    actor=users[agency],
                    data=case_services.CaseData(
                        person_id=person_pk,
                        channel="DATANG",
                        complainant_type="PMI",
                        phase="SETELAH",
                        category_codes=[category],
                    ),
                )
            except (InvalidData, Http404):
                # Refused exactly when the person is in another agency's registry: not found when nothing
                # shares the person with this agency, a clear refusal when a referral shows it.
                assert self.owner[person_pk] != agency
                return
            assert self.owner[person_pk] == agency
            self.cases[case.pk] = (agency, person_pk)
            self.category[case.pk] = category

        @precondition(lambda self: bool(self.cases))
        @rule(to=st.sampled_from(AGENCIES), data=st.data())
        def refer(self, to: str, data: st.DataObject) -> None:
            candidates = [pk for pk, (agency, _p) in self.cases.items() if agency != to]
            if not candidates:
                return
            case_pk = data.draw(st.sampled_from(sorted(candidates)))
            sender, person_pk = self.cases[case_pk]
            user = users[sender]
            from sinergi.cases.models import Case

            case = Case.objects.get(pk=case_pk)
            self._consent(user, case, ConsentScope.REFERRAL)
            referral = referral_services.create_referral(
                actor=user, case_id=case_pk, service_id=service_of(to, SERVICE_OF[to]).pk, reason="Rujukan"
            )
            referral = referral_services.send_referral(actor=user, referral_id=referral.pk)
            self.referrals[referral.pk] = ReferralFact(
                referral.pk, case_pk, person_pk, sender, to, ROUTES[self.category[case_pk]], referral.status
            )

        def _any(self, statuses: set[str]) -> bool:
            return any(r.status in statuses for r in self.referrals.values())

        def _pick(self, data: st.DataObject, statuses: set[str]) -> ReferralFact | None:
            options = [r for r in self.referrals.values() if r.status in statuses]
            return data.draw(st.sampled_from(options)) if options else None

        @precondition(lambda self: self._any({ReferralStatus.SENT}))
        @rule(data=st.data())
        def accept(self, data: st.DataObject) -> None:
            fact = self._pick(data, {ReferralStatus.SENT})
            if fact:
                referral_services.accept_referral(actor=users[fact.receiver], referral_id=fact.pk)
                fact.status = ReferralStatus.ACCEPTED

        @precondition(lambda self: self._any({ReferralStatus.ACCEPTED}))
        @rule(data=st.data())
        def complete(self, data: st.DataObject) -> None:
            from django.utils import timezone

            fact = self._pick(data, {ReferralStatus.ACCEPTED})
            if fact:
                user = users[fact.receiver]
                referral_services.log_service(
                    actor=user, referral_id=fact.pk, delivered_on=timezone.localdate(), description="Layanan"
                )
                referral_services.complete_referral(actor=user, referral_id=fact.pk, outcome="Ok", feedback="Ok")
                fact.status = ReferralStatus.COMPLETED

        @precondition(lambda self: self._any({ReferralStatus.SENT, ReferralStatus.ACCEPTED}))
        @rule(data=st.data())
        def revoke(self, data: st.DataObject) -> None:
            fact = self._pick(data, {ReferralStatus.SENT, ReferralStatus.ACCEPTED})
            if fact:
                referral_services.revoke_referral(actor=users[fact.sender], referral_id=fact.pk, reason="Batal")
                fact.status = ReferralStatus.REVOKED

        @precondition(lambda self: self._any(OPEN))
        @rule(data=st.data())
        def take_in(self, data: st.DataObject) -> None:
            fact = self._pick(data, set(OPEN))
            if not fact:
                return
            try:
                person = take_into_registry(
                    actor=users[fact.receiver], referral_id=fact.pk, basis=TakeInBasis.CONSENT, basis_note="Form"
                )
            except (InvalidData, RegistryError):
                return  # no identity shared, or taken in before: refused, nothing changed
            self.owner[person.pk] = fact.receiver

        @precondition(lambda self: bool(self.cases))
        @rule(data=st.data())
        def propose_assistance(self, data: st.DataObject) -> None:
            if not self.cases:
                return
            case_pk = data.draw(st.sampled_from(sorted(self.cases)))
            proposer, person_pk = self.cases[case_pk]
            user = users[proposer]
            from sinergi.cases.models import Case

            case_services.add_assessment(
                actor=user,
                case_id=case_pk,
                data=case_services.AssessmentData(summary="Asesmen", needs_special_assistance=True),
            )
            case = Case.objects.get(pk=case_pk)
            self._consent(user, case, ConsentScope.SPECIAL_ASSISTANCE)
            assert user.agency is not None
            partners = sorted(partner_agencies_for(user.agency).values_list("code", flat=True))
            partner = data.draw(st.sampled_from(partners))
            try:
                entry, created = assistance_services.propose_entry(
                    actor=user,
                    data=assistance_services.ProposalData(
                        case_id=case_pk, partner_agency_id=users[partner].agency_pk, needs=["PSIKOSOSIAL"]
                    ),
                )
            except assistance_services.AssistanceError:
                return  # the person is on the list already through another case: refused, nothing changed
            if created:
                event("proposed for special assistance")
                self.entries[entry.pk] = EntryFact(entry.pk, case_pk, person_pk, proposer, partner, is_open=True)

        def _consent(self, user: Any, case: Any, purpose: str) -> None:
            """Record the purpose's consent when none stands (a new consent resumes open shares that lapsed)."""
            if not case.consents.active().filter(scope=purpose).exists():
                consent_for(user, case, scope=purpose)
            self.consented[(case.pk, purpose)] = True

        @precondition(lambda self: any(self.consented.values()))
        @rule(data=st.data())
        def withdraw_consent(self, data: st.DataObject) -> None:
            standing = sorted(key for key, active in self.consented.items() if active)
            if not standing:
                return
            case_pk, purpose = data.draw(st.sampled_from(standing))
            from sinergi.cases.models import Consent

            for consent in Consent.objects.active().filter(case_id=case_pk, scope=purpose):
                case_services.withdraw_consent(
                    actor=users[self.cases[case_pk][0]], case_id=case_pk, consent_id=consent.pk, note="Lewat telepon"
                )
            self.consented[(case_pk, purpose)] = False
            event(f"consent withdrawn: {purpose}")

        def _stands(self, case_pk: int, purpose: str) -> bool:
            return self.consented.get((case_pk, purpose), False)

        @precondition(lambda self: any(fact.is_open for fact in self.entries.values()))
        @rule(data=st.data(), by_partner=st.booleans())
        def withdraw_assistance(self, data: st.DataObject, by_partner: bool) -> None:
            options = [fact for fact in self.entries.values() if fact.is_open]
            if not options:
                return
            fact = data.draw(st.sampled_from(options))
            actor = supervisors[fact.partner] if by_partner else users[fact.proposer]
            assistance_services.withdraw_entry(actor=actor, entry_id=fact.pk, reason="Tidak lagi perlu")
            fact.is_open = False
            event("special-assistance entry withdrawn")

        @precondition(lambda self: bool(self.owner))
        @rule(data=st.data())
        def restrict(self, data: st.DataObject) -> None:
            from sinergi.privacy import services as privacy_services

            person_pk = data.draw(st.sampled_from(sorted(self.owner)))
            if person_pk in self.restricted:
                return
            head = supervisors[self.owner[person_pk]]
            request = privacy_services.receive_request(
                actor=head,
                person_id=person_pk,
                data=privacy_services.RequestData(kind="PEMBATASAN", channel="SURAT", identity_check="KTP"),
            )
            privacy_services.answer_request(actor=head, request_id=request.pk, outcome="DIKABULKAN")
            self.restricted.add(person_pk)
            event("processing restricted")

        @precondition(lambda self: bool(self.restricted))
        @rule(data=st.data())
        def lift_restriction(self, data: st.DataObject) -> None:
            from sinergi.privacy import services as privacy_services

            if not self.restricted:
                return
            person_pk = data.draw(st.sampled_from(sorted(self.restricted)))
            privacy_services.lift_restriction(
                actor=supervisors[self.owner[person_pk]], person_id=person_pk, reason="Diminta"
            )
            self.restricted.discard(person_pk)

        # --- the invariant ----------------------------------------------------------------------------

        def expected(self, agency: str, person_pk: int) -> set[str]:
            if self.owner[person_pk] == agency:
                return PERSON_SECTIONS
            if person_pk in self.restricted:
                return set()
            granted: set[str] = set()
            for fact in self.referrals.values():
                if (
                    fact.receiver == agency
                    and fact.person_pk == person_pk
                    and fact.status in OPEN
                    and fact.sender == self.owner[person_pk]
                    and self._stands(fact.case_pk, ConsentScope.REFERRAL)
                ):
                    granted |= fact.route & PERSON_SECTIONS
            return granted if "IDENTITAS" in granted else set()

        @invariant()
        def nobody_reads_more_than_granted(self) -> None:
            from sinergi.sharing import rules

            for agency in AGENCIES:
                granted = {pk for pk in self.owner if self.expected(agency, pk)}
                visible = set(rules.persons_visible_to(users[agency]).values_list("pk", flat=True))
                assert visible == granted, (agency, visible ^ granted)
                # What the API really answers: every shared (not owned) record, and the newest record refused.
                for person_pk in granted:
                    if self.owner[person_pk] != agency:
                        self._check_person_api(agency, person_pk)
                refused = [pk for pk in self.owner if pk not in granted]
                if refused:
                    self._check_person_api(agency, max(refused))
            for fact in list(self.referrals.values())[-3:]:
                self._check_referral_api(fact.receiver, fact)
            for entry in list(self.entries.values())[-3:]:
                for agency in AGENCIES:
                    self._check_assistance_api(agency, entry)
            self._check_feed()

        def _check_person_api(self, agency: str, person_pk: int) -> None:
            allowed = self.expected(agency, person_pk)
            response = self.client.get(f"/api/v1/persons/{person_pk}", headers=tokens[agency])
            if not allowed:
                assert response.status_code == 404, (agency, person_pk)
                return
            assert response.status_code == 200
            body = response.json()
            permitted = set(ALWAYS).union(*(API_KEYS[s] for s in allowed))
            leaked = {key for key, value in body.items() if value not in ("", None, [], False) and key not in permitted}
            assert not leaked, (agency, person_pk, leaked)

        def _check_referral_api(self, agency: str, fact: ReferralFact) -> None:
            response = self.client.get(f"/api/v1/referrals/{fact.pk}", headers=tokens[agency])
            if agency not in (fact.sender, fact.receiver):
                assert response.status_code == 404
                return
            shared = response.json()["shared"]
            person_allowed = (
                self.expected(agency, fact.person_pk)
                if agency == fact.sender
                else (
                    fact.route & PERSON_SECTIONS
                    if fact.status in OPEN
                    and self.owner[fact.person_pk] == fact.sender
                    and self._stands(fact.case_pk, ConsentScope.REFERRAL)
                    and fact.person_pk not in self.restricted
                    else set()
                )
            )
            for section, key in (("IDENTITAS", "identity"), ("KONTAK", "contact"), ("KELUARGA", "family")):
                if section not in person_allowed:
                    assert shared[key] in (None, []), (agency, fact, key)

        def _check_assistance_api(self, agency: str, fact: EntryFact) -> None:
            response = self.client.get(f"/api/v1/special-assistance/{fact.pk}", headers=tokens[agency])
            if agency not in (fact.proposer, fact.partner):
                assert response.status_code == 404, (agency, fact)
                return
            assert response.status_code == 200
            # The proposer owns the person (cases are opened on own persons only); the partner sees the
            # person's identity, contact and work abroad while the entry is open, the person's consent to the
            # special-assistance list stands and their processing is not restricted; nothing afterwards.
            shown = self.owner[fact.person_pk] == agency or (
                agency == fact.partner
                and fact.is_open
                and self._stands(fact.case_pk, ConsentScope.SPECIAL_ASSISTANCE)
                and fact.person_pk not in self.restricted
            )
            person = response.json()["person"]
            assert (person is not None) == shown, (agency, fact, person)

        def _check_feed(self) -> None:
            seal_events()
            for agency in AGENCIES:
                response = self.client.get("/api/v1/changes?since=0&limit=500", headers=tokens[agency])
                assert response.status_code == 200
                for change in response.json()["changes"]:
                    person_pk, snapshot = change["person_id"], change["person"] or {}
                    if person_pk not in self.owner or self.owner[person_pk] == agency:
                        continue
                    allowed = self.expected(agency, person_pk)
                    assert allowed, (agency, person_pk)
                    permitted = set(ALWAYS).union(*(API_KEYS[s] for s in allowed))
                    leaked = {k for k, v in snapshot.items() if v not in ("", None, [], False) and k not in permitted}
                    assert not leaked, (agency, person_pk, leaked)

    Sharing.TestCase.settings = settings(
        max_examples=8,
        stateful_step_count=14,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    from hypothesis.stateful import run_state_machine_as_test

    run_state_machine_as_test(Sharing, settings=Sharing.TestCase.settings)
