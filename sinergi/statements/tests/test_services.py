"""Drafting, the privacy check, approvals by every involved agency's designated official, publishing and
corrections; and the refusals the issue lists (drafter, uninvolved agency, after an edit)."""

from __future__ import annotations

import pytest
from django.http import Http404

from sinergi.accounts.models import User
from sinergi.audit.models import AuditEvent
from sinergi.cases.models import Case
from sinergi.statements import services
from sinergi.statements.models import DesignatedOfficial, FlagKind, VersionStatus
from sinergi.statements.selectors import public_versions, version_by_code

SAFE = "BP3MI dan Sentra Nipotowe menangani kasus seorang PMI asal Kabupaten Sigi yang bekerja di Malaysia."


def leaky(village_name: str) -> str:
    return f"PMI asal Desa {village_name}, istri dari Rachmat Hidajat, dianiaya majikan di Malaysia."


def test_it_flags_the_village_and_the_husband_in_a_draft(alice: User, story_case: Case, village) -> None:  # type: ignore[no-untyped-def]
    version = services.draft_statement(actor=alice, case_id=story_case.pk, title="Kasus PMI", body=leaky(village.name))
    flagged = {flag.kind: flag.match for flag in version.flags.all()}
    assert village.name.casefold() in flagged[FlagKind.VILLAGE].casefold()
    assert flagged[FlagKind.FAMILY] == "Rachmat Hidajat"
    assert AuditEvent.objects.filter(action="statement.drafted").count() == 1


def test_it_refuses_approval_while_a_flag_is_open_then_publishes_after_both_agencies(
    alice: User,
    story_case: Case,
    village,
    officials: tuple[User, User],  # type: ignore[no-untyped-def]
) -> None:
    sari, yusuf = officials
    version = services.draft_statement(actor=alice, case_id=story_case.pk, title="Kasus PMI", body=leaky(village.name))
    with pytest.raises(services.StatementError, match="privacy"):
        services.approve_version(actor=sari, version_id=version.pk)
    services.edit_version(actor=alice, version_id=version.pk, title="Kasus PMI", body=SAFE)
    assert not version.flags.exists()
    services.approve_version(actor=sari, version_id=version.pk)
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT
    services.approve_version(actor=yusuf, version_id=version.pk)
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert public_versions(version.statement.public_id) == [version]
    assert version_by_code(version.code.lower().replace("-", "")) == version


def test_it_refuses_approval_by_the_drafter(sari: User, yusuf: User, story_case: Case, officials) -> None:  # type: ignore[no-untyped-def]
    version = services.draft_statement(actor=sari, case_id=story_case.pk, title="Kasus PMI", body=SAFE)
    with pytest.raises(services.StatementError, match="drafted or edited"):
        services.approve_version(actor=sari, version_id=version.pk)


def test_it_refuses_an_uninvolved_agency(alice: User, dave: User, story_case: Case, officials) -> None:  # type: ignore[no-untyped-def]
    DesignatedOfficial.objects.create(agency_id=dave.agency_id, user=dave)
    version = services.draft_statement(actor=alice, case_id=story_case.pk, title="Kasus PMI", body=SAFE)
    # Dinas Sosial takes no part in the case: for it the statement does not exist.
    with pytest.raises(Http404):
        services.approve_version(actor=dave, version_id=version.pk)


def test_it_refuses_a_worker_who_is_not_the_designated_official(
    alice: User, carol: User, story_case: Case, officials
) -> None:  # type: ignore[no-untyped-def]
    version = services.draft_statement(actor=alice, case_id=story_case.pk, title="Kasus PMI", body=SAFE)
    with pytest.raises(services.StatementError, match="designated official"):
        services.approve_version(actor=carol, version_id=version.pk)


def test_it_withdraws_approvals_when_the_text_is_edited(alice: User, story_case: Case, officials) -> None:  # type: ignore[no-untyped-def]
    sari, yusuf = officials
    version = services.draft_statement(actor=alice, case_id=story_case.pk, title="Kasus PMI", body=SAFE)
    services.approve_version(actor=sari, version_id=version.pk)
    services.edit_version(actor=alice, version_id=version.pk, title="Kasus PMI", body=SAFE + " Diperbarui.")
    assert not version.approvals.exists()
    services.approve_version(actor=yusuf, version_id=version.pk)
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT  # BP3MI must approve the new text again


def test_it_keeps_a_justified_flag_open_for_approval(alice: User, story_case: Case, officials) -> None:  # type: ignore[no-untyped-def]
    sari, yusuf = officials
    body = SAFE + " Ia sempat dirawat di rumah sakit."
    version = services.draft_statement(actor=alice, case_id=story_case.pk, title="Kasus PMI", body=body)
    for flag in version.flags.all():
        services.justify_flag(
            actor=alice, version_id=version.pk, flag_id=flag.pk, justification="Keluarga setuju info ini dibuka."
        )
    services.approve_version(actor=sari, version_id=version.pk)
    services.approve_version(actor=yusuf, version_id=version.pk)
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED


def test_it_publishes_a_correction_and_keeps_the_old_version_superseded(
    alice: User, story_case: Case, officials
) -> None:  # type: ignore[no-untyped-def]
    sari, yusuf = officials
    first = services.draft_statement(actor=alice, case_id=story_case.pk, title="Kasus PMI", body=SAFE)
    services.approve_version(actor=sari, version_id=first.pk)
    services.approve_version(actor=yusuf, version_id=first.pk)
    second = services.start_correction(actor=alice, version_id=first.pk, change_note="Negara tujuan diperbaiki.")
    with pytest.raises(services.StatementError):
        services.start_correction(actor=alice, version_id=first.pk, change_note="Lagi.")
    corrected = SAFE.replace("Malaysia", "Singapura")
    services.edit_version(actor=alice, version_id=second.pk, title="Kasus PMI", body=corrected)
    services.approve_version(actor=sari, version_id=second.pk)
    services.approve_version(actor=yusuf, version_id=second.pk)
    shown = public_versions(first.statement.public_id)
    assert [(v.number, v.status) for v in shown] == [(2, VersionStatus.PUBLISHED), (1, VersionStatus.SUPERSEDED)]
    assert first.code != second.code


def test_it_shows_a_disputed_fact_until_one_value_is_verified(
    alice: User, carol: User, story_case: Case, sari: User
) -> None:
    from sinergi.statements.facts import fact_sheet
    from sinergi.statements.models import FactKey

    services.state_fact(actor=alice, case_id=story_case.pk, key=FactKey.POST, value="KBRI Kuala Lumpur", source="Surat")
    claim = services.state_fact(
        actor=carol, case_id=story_case.pk, key=FactKey.POST, value="KJRI Johor Bahru", source="Telepon"
    )
    post = next(fact for fact in fact_sheet(story_case).facts if fact.key == FactKey.POST)
    assert post.disputed and post.distinct == ["KBRI Kuala Lumpur", "KJRI Johor Bahru"]
    services.verify_fact(actor=sari, case_id=story_case.pk, claim_id=claim.pk)
    post = next(fact for fact in fact_sheet(story_case).facts if fact.key == FactKey.POST)
    assert not post.disputed and post.value == "KJRI Johor Bahru"


def test_it_refuses_fact_verification_by_a_worker(alice: User, story_case: Case) -> None:
    from django.core.exceptions import PermissionDenied

    from sinergi.statements.models import FactKey

    claim = services.state_fact(actor=alice, case_id=story_case.pk, key=FactKey.POST, value="KBRI", source="Surat")
    with pytest.raises(PermissionDenied):
        services.verify_fact(actor=alice, case_id=story_case.pk, claim_id=claim.pk)
