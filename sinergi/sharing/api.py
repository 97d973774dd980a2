"""/api/v1/sharing: the receiver's take-in, over the same service as the page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from sinergi.accounts.http import AuthedRequest
from sinergi.api.auth import require_scope
from sinergi.registry.api import ErrorOut
from sinergi.registry.services import InvalidData, RegistryError
from sinergi.sharing import services
from sinergi.sharing.models import PersonTakeIn

router = Router(tags=["sharing"])


class SharingTakeInIn(Schema):
    basis: str
    basis_note: str


class SharingTakeInOut(Schema):
    person_id: int
    source_person_id: int
    referral_id: int
    sections: list[str]
    basis: str


@router.post(
    "/referrals/{referral_id}/take-in",
    response={201: SharingTakeInOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Take a referred person into your own registry",
    description="Copies only the person sections the open referral shares, under a recorded lawful basis or "
    "consent, and links the two records. Audited.",
)
def take_in(request: AuthedRequest, referral_id: int, payload: SharingTakeInIn) -> Any:
    require_scope(request, "persons:write")
    try:
        person = services.take_into_registry(
            actor=request.user, referral_id=referral_id, basis=payload.basis, basis_note=payload.basis_note
        )
    except InvalidData as error:
        return Status(422, ErrorOut(detail=_("Some values need fixing."), errors=error.errors))
    except PermissionDenied as refusal:
        return Status(403, ErrorOut(detail=str(refusal)))
    except RegistryError as refusal:
        return Status(409, ErrorOut(detail=str(refusal)))
    link = PersonTakeIn.objects.get(person=person)
    return Status(
        201,
        SharingTakeInOut(
            person_id=person.pk,
            source_person_id=link.source_person_id,
            referral_id=link.referral_id,
            sections=link.sections,
            basis=link.basis,
        ),
    )
