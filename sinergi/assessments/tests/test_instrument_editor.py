"""The instrument edited in the app by an agency administrator: a draft copy, domains, typed questions, rules,
publishing; a published version never changes and assessments keep theirs. Personas: BP3MI's administrator
(adi) edits; Sentra's administrator (sari) does not see BP3MI's draft (404); a case worker (alice) and the
auditor (bob) are refused (403)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client

from sinergi.accounts.models import Agency, User
from sinergi.accounts.roles import Role
from sinergi.assessments import services
from sinergi.assessments.models import Assessment, InstrumentVersion, Question, VersionStatus
from sinergi.assessments.selectors import active_version
from sinergi.audit.models import AuditEvent
from sinergi.registry.models import Person
from sinergi.registry.services import InvalidData
from sinergi.testing.assessments import assess
from sinergi.testing.factories import UserFactory


@pytest.fixture
def adi(bp3mi: Agency) -> User:
    return UserFactory(username="adi", agency=bp3mi, roles=[Role.ADMIN])


@pytest.fixture
def sari(sentra: Agency) -> User:
    return UserFactory(username="sari", agency=sentra, roles=[Role.ADMIN])


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(user)
    return client


def _question(domain_id: int, **overrides: Any) -> services.QuestionInput:
    values: dict[str, Any] = {
        "domain_id": domain_id,
        "code": "remittance",
        "kind": "number",
        "label": "Kiriman uang per bulan saat bekerja (Rp)",
        "help_text": "Perkiraan rata-rata.",
        "min_value": Decimal(0),
        "max_value": Decimal(50_000_000),
    }
    values.update(overrides)
    return services.QuestionInput(**values)


def test_it_makes_a_draft_copy_edits_it_and_publishes_it_keeping_old_assessments_on_their_version(
    adi: User, carol: User, siti: Person, referral: Any
) -> None:
    v1 = active_version()
    before = assess(carol, siti.pk)
    draft = services.create_instrument_draft(actor=adi)
    assert draft.status == VersionStatus.DRAFT and draft.agency_id == adi.agency_id and draft.number == v1.number + 1
    assert Question.objects.filter(domain__version=draft).count() == Question.objects.filter(domain__version=v1).count()
    domain = draft.domains.get(code=v1.domains.first().code)  # type: ignore[union-attr]
    services.save_question(actor=adi, version_id=draft.pk, data=_question(domain.pk))
    services.publish_instrument_version(actor=adi, version_id=draft.pk)
    v1.refresh_from_db()
    assert v1.status == VersionStatus.RETIRED and active_version().pk == draft.pk
    before.refresh_from_db()
    assert before.version_id == v1.pk
    assert not Question.objects.filter(domain__version=v1, code="remittance").exists()
    after = assess(carol, siti.pk, remittance="1500000")
    assert after.version_id == draft.pk and after.answers["remittance"] == 1500000
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"instrument.draft_created", "instrument.question_saved", "instrument.published"} <= actions


def test_it_never_changes_a_published_version_in_place(adi: User) -> None:
    v1 = active_version()
    domain = v1.domains.first()
    assert domain is not None
    with pytest.raises(services.InstrumentError, match="new version"):
        services.save_question(actor=adi, version_id=v1.pk, data=_question(domain.pk))
    with pytest.raises(services.InstrumentError):
        services.update_instrument_draft(actor=adi, version_id=v1.pk, title="Baru")


def test_it_refuses_a_question_to_fix_saying_what_and_saves_nothing(adi: User) -> None:
    draft = services.create_instrument_draft(actor=adi)
    domain = draft.domains.first()
    assert domain is not None
    count = Question.objects.filter(domain__version=draft).count()
    existing = Question.objects.filter(domain__version=draft).first()
    assert existing is not None
    with pytest.raises(InvalidData) as refused:
        services.save_question(
            actor=adi,
            version_id=draft.pk,
            data=_question(domain.pk, code=existing.code, kind="scale", min_value=None, label=""),
        )
    assert {"code", "label", "max_value"} <= set(refused.value.errors)
    with pytest.raises(InvalidData) as refused:
        services.save_question(
            actor=adi, version_id=draft.pk, data=_question(domain.pk, kind="choice", choices=[["a", "A", 500]])
        )
    assert "choices" in refused.value.errors
    assert Question.objects.filter(domain__version=draft).count() == count


def test_it_refuses_a_rule_naming_an_unknown_question(adi: User) -> None:
    draft = services.create_instrument_draft(actor=adi)
    with pytest.raises(InvalidData) as refused:
        services.save_rule(
            actor=adi,
            version_id=draft.pk,
            data=services.RuleInput(
                kind="assistance",
                code="modal_usaha",
                label="Modal usaha",
                reason="Berminat usaha",
                conditions=[{"question": "no_such_question", "op": "eq", "value": "yes"}],
            ),
        )
    assert "no_such_question" in refused.value.errors["conditions"][0]


def test_only_the_drafting_agency_edits_its_draft_and_only_administrators(
    adi: User, sari: User, alice: User, bob: User
) -> None:
    draft = services.create_instrument_draft(actor=adi)
    with pytest.raises(Http404):
        services.update_instrument_draft(actor=sari, version_id=draft.pk, title="Punya Sentra")
    with pytest.raises(Http404):
        services.publish_instrument_version(actor=sari, version_id=draft.pk)
    for user in (alice, bob):
        with pytest.raises(PermissionDenied):
            services.create_instrument_draft(actor=user)
        with pytest.raises(PermissionDenied):
            services.update_instrument_draft(actor=user, version_id=draft.pk, title="x")


@pytest.mark.parametrize(("persona", "status"), [("adi", 200), ("sari", 404), ("alice", 403), ("bob", 403)])
def test_the_pages_answer_each_persona(persona: str, status: int, request: pytest.FixtureRequest, adi: User) -> None:
    draft = services.create_instrument_draft(actor=adi)
    user: User = request.getfixturevalue(persona)
    client = _client(user)
    assert client.get(f"/asesmen-kebutuhan/instrumen/{draft.pk}/").status_code == status
    posted = client.post(f"/asesmen-kebutuhan/instrumen/{draft.pk}/versi/", {"title": "Diubah"})
    assert posted.status_code == (302 if status == 200 else status)
    draft.refresh_from_db()
    assert (draft.title == "Diubah") is (status == 200)


def test_the_editor_page_is_in_indonesian_and_adds_a_question(adi: User) -> None:
    client = _client(adi)
    made = client.post("/asesmen-kebutuhan/instrumen/baru/")
    draft = InstrumentVersion.objects.get(status=VersionStatus.DRAFT)
    assert made["Location"] == f"/asesmen-kebutuhan/instrumen/{draft.pk}/"
    page = client.get(made["Location"]).content.decode()
    assert "Tambah pertanyaan" in page and "Terbitkan" in page
    domain = draft.domains.first()
    assert domain is not None
    bad = client.post(
        f"/asesmen-kebutuhan/instrumen/{draft.pk}/pertanyaan/",
        {
            "question-domain_id": domain.pk,
            "question-code": "Bad Code",
            "question-kind": "text",
            "question-label": "Apa?",
            "question-order": 1,
        },
    )
    assert bad.status_code == 422 and "Gunakan huruf kecil" in bad.content.decode()
    good = client.post(
        f"/asesmen-kebutuhan/instrumen/{draft.pk}/pertanyaan/",
        {
            "question-domain_id": domain.pk,
            "question-code": "remittance",
            "question-kind": "number",
            "question-label": "Kiriman uang per bulan",
            "question-min_value": "0",
            "question-max_value": "50000000",
            "question-order": "5",
        },
    )
    assert good.status_code == 302
    assert Question.objects.filter(domain__version=draft, code="remittance").exists()
    published = client.post(f"/asesmen-kebutuhan/instrumen/{draft.pk}/terbitkan/")
    assert published.status_code == 302 and active_version().pk == draft.pk


@pytest.mark.parametrize(("persona", "status"), [("adi", 201), ("sari", 404), ("alice", 403), ("bob", 403)])
def test_the_api_answers_each_persona(persona: str, status: int, request: pytest.FixtureRequest, adi: User) -> None:
    draft = services.create_instrument_draft(actor=adi)
    domain = draft.domains.first()
    assert domain is not None
    client = _client(request.getfixturevalue(persona))
    body = {"domain_id": domain.pk, "code": "remittance", "kind": "number", "label": "Kiriman", "min_value": 0}
    answer = client.post(
        f"/api/v1/assessments/instrument/versions/{draft.pk}/questions",
        json.dumps(body),
        content_type="application/json",
    )
    assert answer.status_code == status
    assert "detail" in answer.json() or status == 201


def test_the_api_makes_a_draft_refuses_bad_input_and_publishes(adi: User) -> None:
    client = _client(adi)
    made = client.post("/api/v1/assessments/instrument/versions", "{}", content_type="application/json")
    assert made.status_code == 201 and made.json()["editable"] is True
    version_id = made.json()["id"]
    bad = client.post(
        f"/api/v1/assessments/instrument/versions/{version_id}/rules",
        json.dumps({"kind": "x", "code": "", "label": "", "reason": "", "conditions": []}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and {"kind", "code", "conditions"} <= set(bad.json()["errors"])
    published = client.post(f"/api/v1/assessments/instrument/versions/{version_id}/publish")
    assert published.status_code == 200 and published.json()["status"] == "BERLAKU"
    again = client.patch(
        f"/api/v1/assessments/instrument/versions/{version_id}",
        json.dumps({"title": "x"}),
        content_type="application/json",
    )
    assert again.status_code == 409


def test_an_old_assessment_keeps_its_version_after_publishing(
    adi: User, carol: User, siti: Person, referral: Any
) -> None:
    old = assess(carol, siti.pk)
    draft = services.create_instrument_draft(actor=adi)
    services.publish_instrument_version(actor=adi, version_id=draft.pk)
    assert Assessment.objects.get(pk=old.pk).version.status == VersionStatus.RETIRED
    page = _client(carol).get(f"/asesmen-kebutuhan/{old.pk}/")
    assert page.status_code == 200 and f"v{old.version.number}" in page.content.decode()


def test_a_question_of_a_draft_is_edited_in_place_by_its_agency_only(adi: User, sari: User) -> None:
    draft = services.create_instrument_draft(actor=adi)
    question = Question.objects.filter(domain__version=draft, kind="number").first()
    assert question is not None
    url = f"/asesmen-kebutuhan/instrumen/{draft.pk}/pertanyaan/{question.pk}/"
    assert _client(sari).get(url).status_code == 404
    form = _client(adi).get(url)
    assert form.status_code == 200 and f'value="{question.code}"' in form.content.decode()
    saved = _client(adi).post(
        f"/asesmen-kebutuhan/instrumen/{draft.pk}/pertanyaan/",
        {
            "item_id": question.pk,
            "question-domain_id": question.domain_id,
            "question-code": question.code,
            "question-kind": "number",
            "question-label": "Label baru",
            "question-min_value": "0",
            "question-max_value": "100",
            "question-order": "1",
        },
    )
    assert saved.status_code == 302
    question.refresh_from_db()
    assert question.label == "Label baru" and question.max_value == 100
