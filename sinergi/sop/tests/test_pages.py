"""The SOP editor: administrators only; a new version copies the routes; only drafts are edited."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from sinergi.accounts.models import Agency, User
from sinergi.accounts.roles import Role
from sinergi.audit.models import AuditEvent
from sinergi.cases.models import ComplaintCategory
from sinergi.demo.sop_seeding import seed_sop
from sinergi.directory.models import Service
from sinergi.sop import services
from sinergi.sop.models import SopDocument, SopRoute, SopStatus
from sinergi.testing.factories import UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sop(bp3mi: Agency, sentra: Agency, dinsos: Agency) -> SopDocument:
    seed_sop()
    return SopDocument.objects.get()


@pytest.fixture
def admin_user(bp3mi: Agency) -> User:
    return UserFactory(username="admin.sop", agency=bp3mi, roles=[Role.ADMIN])


def route_form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "services": [Service.objects.get(code="atensi-a4").pk],
        "consent_scope": "REHABILITASI",
        "shared_sections": ["IDENTITAS", "PENGADUAN"],
        "ack_within": "4",
        "ack_unit": "JAM",
        "accept_within": "2",
        "accept_unit": "HARI_KERJA",
        "first_service_within": "5",
        "first_service_unit": "HARI_KERJA",
        "complete_within": "",
        "complete_unit": "HARI_KERJA",
        "escalate_after": "2",
    }
    data.update(changes)
    return data


def new_version(client: Any, sop: SopDocument, **changes: Any) -> Any:
    data = {
        "title": sop.title,
        "version": "1.1",
        "effective_from": "2026-12-01",
        "effective_to": "",
        "signatories": [agency.pk for agency in sop.signatories.all()],
        "notes": "Tambah SLA jam untuk kasus kritis",
        "copy_from": sop.pk,
    }
    data.update(changes)
    return client.post("/sop/baru/", data)


@pytest.mark.parametrize("persona", ["alice", "bob", "carol"])
def test_it_is_for_administrators_only(client, request, persona, sop):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/sop/").status_code == 403
    assert client.get(f"/sop/{sop.pk}/").status_code == 403
    assert new_version(client, sop).status_code == 403
    assert client.post(f"/sop/{sop.pk}/cabut/").status_code == 403
    assert SopDocument.objects.get().status == SopStatus.ACTIVE


def test_it_lists_the_versions_and_shows_the_routes(client, admin_user, sop):
    client.force_login(admin_user)
    body = client.get("/sop/").content.decode()
    assert sop.title in body
    assert "BP3MI Sulawesi Tengah" in body
    detail = client.get(f"/sop/{sop.pk}/")
    assert len(detail.context["route_rows"]) == ComplaintCategory.objects.count()
    assert "Dukungan keluarga (ATENSI A3)" in detail.content.decode()


def test_it_creates_a_new_version_with_a_copy_of_the_routes(client, admin_user, sop):
    client.force_login(admin_user)
    response = new_version(client, sop)
    draft = SopDocument.objects.get(version="1.1")
    assert (response.status_code, response["Location"]) == (302, f"/sop/{draft.pk}/")
    assert draft.status == SopStatus.DRAFT
    assert draft.routes.count() == sop.routes.count()
    old = sop.routes.get(category__code="tppo")
    new = draft.routes.get(category__code="tppo")
    assert new.pk != old.pk
    assert (new.shared_sections, new.consent_scope) == (old.shared_sections, old.consent_scope)
    assert set(new.services.all()) == set(old.services.all())
    assert AuditEvent.objects.filter(action="sop.version_created", object_id=str(draft.pk)).exists()


def test_it_refuses_a_duplicate_version(client, admin_user, sop):
    client.force_login(admin_user)
    response = new_version(client, sop, version="1.0")
    assert response.status_code == 400
    assert response.context["form"].errors["version"]


def test_it_edits_a_route_of_a_draft(client, admin_user, sop):
    client.force_login(admin_user)
    new_version(client, sop)
    draft = SopDocument.objects.get(version="1.1")
    route = draft.routes.get(category__code="sakit")
    response = client.post(f"/sop/{draft.pk}/rute/{route.pk}/", route_form())
    assert response.status_code == 302
    route.refresh_from_db()
    assert (route.shared_sections, route.consent_scope, route.ack_within, route.ack_unit) == (
        ["IDENTITAS", "PENGADUAN"],
        "REHABILITASI",
        4,
        "JAM",
    )
    assert list(route.services.values_list("code", flat=True)) == ["atensi-a4"]
    assert sop.routes.get(category__code="sakit").ack_unit == "HARI_KERJA"  # the version in force is untouched
    assert AuditEvent.objects.filter(action="sop.route_updated").exists()


def test_it_refuses_to_edit_a_route_in_force(client, admin_user, sop):
    route = sop.routes.get(category__code="sakit")
    client.force_login(admin_user)
    response = client.post(f"/sop/{sop.pk}/rute/{route.pk}/", route_form(), follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    route.refresh_from_db()
    assert route.ack_unit == "HARI_KERJA"


def test_it_shows_route_errors_on_the_form(client, admin_user, sop):
    client.force_login(admin_user)
    new_version(client, sop)
    draft = SopDocument.objects.get(version="1.1")
    route = draft.routes.get(category__code="sakit")
    response = client.post(f"/sop/{draft.pk}/rute/{route.pk}/", route_form(services=[], ack_within="0"))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"services", "ack_within"}


def test_it_activates_a_version_and_ends_the_previous_one(client, admin_user, sop, sari, yusuf):
    client.force_login(admin_user)
    new_version(client, sop)
    draft = SopDocument.objects.get(version="1.1")
    # Each party's supervisor approves first (the joint SOP is joint); the page offers them the button.
    for supervisor in (sari, yusuf):
        client.force_login(supervisor)
        assert "/setujui/" in client.get(f"/sop/{draft.pk}/").content.decode()
        assert client.post(f"/sop/{draft.pk}/setujui/").status_code == 302
    client.force_login(admin_user)
    client.post(f"/sop/{draft.pk}/aktifkan/")
    draft.refresh_from_db()
    sop.refresh_from_db()
    assert draft.status == SopStatus.ACTIVE
    assert (sop.status, sop.effective_to) == (SopStatus.ACTIVE, date(2026, 11, 30))
    assert SopDocument.in_force(date(2026, 11, 30)) == sop
    assert SopDocument.in_force(date(2026, 12, 1)) == draft


def test_it_retires_a_version(client, admin_user, sop):
    client.force_login(admin_user)
    response = client.post(f"/sop/{sop.pk}/cabut/", follow=True)
    sop.refresh_from_db()
    assert sop.status == SopStatus.RETIRED
    # Nothing else is in force today: the administrator is warned that referrals cannot be created.
    assert [m.level_tag for m in response.context["messages"]] == ["success", "warning"]


def test_it_adds_a_route_for_an_uncovered_category(client, admin_user, sop):
    client.force_login(admin_user)
    new_version(client, sop)
    draft = SopDocument.objects.get(version="1.1")
    category = ComplaintCategory.objects.create(code="baru", name="Kategori baru", order=999)
    response = client.post(f"/sop/{draft.pk}/rute/baru/{category.pk}/", route_form())
    assert response.status_code == 302
    assert SopRoute.objects.get(sop=draft, category=category).ack_unit == "JAM"


def test_the_services_check_the_capability(alice, sop):
    with pytest.raises(PermissionDenied):
        services.create_sop_version(
            actor=alice,
            data=services.SopVersionData(title="X", version="9", effective_from=date(2027, 1, 1)),
            copy_from_id=sop.pk,
        )
    with pytest.raises(PermissionDenied):
        services.activate_sop(actor=alice, sop_id=sop.pk)
