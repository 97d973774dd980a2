"""Finding 5 (issue 9): the joint SOP is joint. Only its parties draft versions; a version comes into force only
when a supervisor of each party approved it; any change clears the approvals; the Django admin changes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from sinergi.accounts.models import Agency, User
from sinergi.accounts.roles import Role
from sinergi.demo.sop_seeding import seed_sop
from sinergi.sop import services
from sinergi.sop.models import SopDocument, SopStatus
from sinergi.testing.factories import UserFactory


@pytest.fixture
def sop(bp3mi: Agency, sentra: Agency, dinsos: Agency) -> SopDocument:
    seed_sop()
    return SopDocument.objects.get()


@pytest.fixture
def bp3mi_admin(bp3mi: Agency) -> User:
    return UserFactory(username="admin.bp3mi", agency=bp3mi, roles=[Role.ADMIN])


@pytest.fixture
def dinsos_admin(dinsos: Agency) -> User:
    return UserFactory(username="admin.dinsos", agency=dinsos, roles=[Role.ADMIN], is_staff=True, is_superuser=True)


def version_data(sop: SopDocument, signatories: list[Agency], **changes: Any) -> services.SopVersionData:
    values: dict[str, Any] = {
        "title": sop.title,
        "version": "2.0",
        "effective_from": date(2026, 1, 1) + timedelta(days=200),
        "signatory_ids": [agency.pk for agency in signatories],
    }
    values.update(changes)
    return services.SopVersionData(**values)


def test_it_refuses_a_new_version_by_an_agency_that_is_not_a_party(sop, dinsos_admin, dinsos, bp3mi, sentra):
    with pytest.raises(PermissionDenied):
        services.create_sop_version(
            actor=dinsos_admin, data=version_data(sop, [bp3mi, sentra, dinsos]), copy_from_id=sop.pk
        )
    assert SopDocument.objects.count() == 1


def test_it_puts_a_version_in_force_only_when_every_party_approved(sop, bp3mi_admin, sari, yusuf, bp3mi, sentra):
    draft = services.create_sop_version(actor=bp3mi_admin, data=version_data(sop, [bp3mi, sentra]), copy_from_id=sop.pk)
    with pytest.raises(services.SopError):
        services.activate_sop(actor=bp3mi_admin, sop_id=draft.pk)
    services.approve_sop(actor=sari, sop_id=draft.pk)
    with pytest.raises(services.SopError):
        services.activate_sop(actor=bp3mi_admin, sop_id=draft.pk)
    services.approve_sop(actor=yusuf, sop_id=draft.pk)
    # A change after the approvals clears them: the parties approve what comes into force, not an earlier text.
    route = draft.routes.first()
    assert route is not None
    services.update_route(
        actor=bp3mi_admin,
        route_id=route.pk,
        data=services.RouteData(
            service_ids=list(route.services.values_list("pk", flat=True)), shared_sections=["IDENTITAS"]
        ),
    )
    assert not draft.approvals.exists()
    services.approve_sop(actor=sari, sop_id=draft.pk)
    services.approve_sop(actor=yusuf, sop_id=draft.pk)
    services.activate_sop(actor=bp3mi_admin, sop_id=draft.pk)
    draft.refresh_from_db()
    assert draft.status == SopStatus.ACTIVE


def test_it_refuses_an_approval_by_a_supervisor_of_another_agency(sop, bp3mi_admin, bp3mi, sentra, dinsos):
    draft = services.create_sop_version(actor=bp3mi_admin, data=version_data(sop, [bp3mi, sentra]), copy_from_id=sop.pk)
    outsider = UserFactory(username="kepala.dinsos", agency=dinsos, roles=[Role.SUPERVISOR])
    with pytest.raises(PermissionDenied):
        services.approve_sop(actor=outsider, sop_id=draft.pk)
    with pytest.raises(PermissionDenied):
        services.approve_sop(actor=bp3mi_admin, sop_id=draft.pk)  # an admin is not a supervisor


def test_it_lets_the_admin_change_nothing_in_the_sop(client, sop, dinsos_admin):
    client.force_login(dinsos_admin)
    route = sop.routes.first()
    assert route is not None
    assert client.get("/admin/sop/sopdocument/add/").status_code == 403
    response = client.post(f"/admin/sop/sopdocument/{sop.pk}/change/", {"title": "Diubah", "version": "9"})
    assert response.status_code == 403
    assert client.post(f"/admin/sop/sopdocument/{sop.pk}/delete/", {"post": "yes"}).status_code == 403
    sop.refresh_from_db()
    assert (sop.title, sop.status) != ("Diubah", SopStatus.DRAFT) and sop.version == "1.0"
