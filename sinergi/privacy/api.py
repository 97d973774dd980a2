"""Data-subject requests for partner systems: the access export as JSON."""

from __future__ import annotations

from typing import Any

from ninja import Router

from sinergi.accounts.http import AuthedRequest
from sinergi.api.auth import require_scope
from sinergi.privacy.services import export_subject_data

router = Router(tags=["privacy"])


@router.get(
    "/persons/{person_id}/subject-access",
    response={200: dict[str, Any]},
    summary="Everything the agency holds about a person (right of access, UU PDP)",
    description="For a supervisor or administrator of the agency that registered the person; 404 otherwise. "
    "One list per kind of record (registry, source records, cases, referrals, assessments, assistance, "
    "programmes, outreach) and the access log. References to other persons and names of staff are left out. "
    "The export is recorded in the audit trail. The same export as PDF: /data-pribadi/orang/{id}/ekspor.pdf.",
)
def subject_access(request: AuthedRequest, person_id: int) -> Any:
    require_scope(request, "persons:read")
    return export_subject_data(actor=request.user, person_id=person_id, file_format="api")
