"""Assessment pages: the field form (draft saved as the worker types, see docs/decisions.md), a completed
assessment with its scores, changes and recommendations, and a person's history."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.roles import Capability
from sinergi.assessments import services
from sinergi.assessments.models import Assessment, AssessmentDraft, ConsentBy, QuestionKind
from sinergi.assessments.scoring import Instrument
from sinergi.assessments.selectors import (
    active_version,
    get_assessment_for_user,
    history_for_person,
    view_assessment,
)
from sinergi.registry.selectors import get_person_for_user
from sinergi.registry.services import InvalidData

FORM_FIELDS = ("submission_key", "consent_by", "consent_name", "case_id", "referral_id")


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _form_context(
    request: AuthedRequest, person_id: int, values: dict[str, str], key: str, errors: dict[str, list[str]]
) -> dict[str, Any]:
    person = get_person_for_user(request.user, person_id)
    version = active_version()
    instrument = Instrument.load(version.pk)
    domains = []
    for domain in instrument.domains:
        questions = []
        for q in domain.questions.all():
            scale = []
            if q.kind == QuestionKind.SCALE and q.min_value is not None and q.max_value is not None:
                scale = [str(n) for n in range(int(q.min_value), int(q.max_value) + 1)]
            questions.append(
                {"q": q, "value": values.get(q.code, ""), "errors": errors.get(q.code, []), "scale": scale}
            )
        domains.append({"domain": domain, "questions": questions})
    return {
        "person": person,
        "version": version,
        "domains": domains,
        "values": values,
        "submission_key": key,
        "errors": errors,
        "consent_choices": ConsentBy.choices,
        "general_errors": [m for k, msgs in errors.items() if k not in instrument.questions for m in msgs],
    }


@require_http_methods(["GET", "POST"])
def assessment_form(request: AuthedRequest, person_id: int) -> HttpResponse:
    get_person_for_user(request.user, person_id)
    if request.method == "POST":
        data = request.POST
        values = {k: data.get(k, "") for k in data if k != "csrfmiddlewaretoken"}
        key = data.get("submission_key", "")
        try:
            assessment, created = services.complete_assessment(
                actor=request.user,
                data=services.AssessmentInput(
                    person_id=person_id,
                    submission_key=key,
                    answers={k: v for k, v in values.items() if k not in FORM_FIELDS},
                    consent_by=data.get("consent_by", ""),
                    consent_name=data.get("consent_name", ""),
                    case_id=_int(data.get("case_id")),
                    referral_id=_int(data.get("referral_id")),
                ),
            )
        except InvalidData as error:
            context = _form_context(request, person_id, values, key, error.errors)
            return render(request, "assessments/form.html", context, status=422)
        except services.AssessmentError as refusal:
            messages.error(request, str(refusal))
            return redirect("assessments:form", person_id=person_id)
        if created:
            messages.success(request, _("Assessment saved."))
        else:
            messages.info(request, _("This assessment had already been received; it was saved once."))
        return redirect("assessments:detail", pk=assessment.pk)
    if not (
        request.user.has_capability(Capability.MANAGE_CASES) or request.user.has_capability(Capability.HANDLE_REFERRALS)
    ):
        raise PermissionDenied(_("Your role does not allow this. Ask your supervisor if you need it."))
    draft = AssessmentDraft.objects.filter(person_id=person_id, author=request.user).order_by("-updated_at").first()
    values = dict(draft.values) if draft else {}
    for name in ("case_id", "referral_id"):
        if request.GET.get(name):
            values[name] = request.GET[name]
    key = str(draft.submission_key) if draft else str(uuid.uuid4())
    return render(request, "assessments/form.html", _form_context(request, person_id, values, key, {}))


@require_POST
def save_draft(request: AuthedRequest, person_id: int) -> HttpResponse:
    values = {k: request.POST.get(k, "") for k in request.POST if k not in ("csrfmiddlewaretoken", "submission_key")}
    try:
        services.save_draft(
            actor=request.user,
            person_id=person_id,
            submission_key=request.POST.get("submission_key", ""),
            values=values,
        )
    except (InvalidData, services.AssessmentError) as error:
        return HttpResponse(str(error), status=409)
    at = timezone.localtime().strftime("%H:%M:%S")
    return HttpResponse(_("Draft saved on the server at %(time)s WITA.") % {"time": at})


@require_GET
def assessment_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk)
    previous = (
        Assessment.objects.filter(person_id=assessment.person_id, at__lt=assessment.at).order_by("-at", "-id").first()
    )
    view = view_assessment(request.user, assessment, previous)
    return render(request, "assessments/detail.html", {"view": view, "person": assessment.person})


@require_GET
def person_history(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = get_person_for_user(request.user, person_id)
    return render(
        request, "assessments/history.html", {"person": person, "history": history_for_person(request.user, person)}
    )
