"""The data-subject access page: what the export holds, and the JSON and PDF downloads."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sinergi.accounts.http import AuthedRequest
from sinergi.privacy.documents import subject_access_pdf
from sinergi.privacy.services import export_subject_data, subject_person_for
from sinergi.privacy.subject_access import NOT_EXPORTED, SECTIONS


@require_GET
def subject_access(request: AuthedRequest, pk: int) -> HttpResponse:
    person = subject_person_for(request.user, pk)
    return render(
        request,
        "privacy/subject_access.html",
        {"person": person, "sections": SECTIONS, "not_exported": sorted(NOT_EXPORTED.items())},
    )


@require_GET
def subject_access_export(request: AuthedRequest, pk: int, file_format: str) -> HttpResponse:
    if file_format not in ("json", "pdf"):
        raise Http404
    export = export_subject_data(actor=request.user, person_id=pk, file_format=file_format)
    if file_format == "json":
        response = HttpResponse(
            json.dumps(export, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
    else:
        response = HttpResponse(subject_access_pdf(export), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="data-pribadi-{pk}.{file_format}"'
    response["Cache-Control"] = "no-store"
    return response
