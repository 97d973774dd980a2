"""Assessment pages: the field form (draft saved as the worker types, see docs/decisions.md), a completed
assessment with its scores, changes and recommendations, and a person's history."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.roles import Capability
from sinergi.assessments import services
from sinergi.assessments.forms import DomainForm, InstrumentDraftForm, QuestionForm, RuleForm
from sinergi.assessments.models import (
    Assessment,
    AssessmentDraft,
    ConsentBy,
    InstrumentVersion,
    Question,
    QuestionKind,
    VersionStatus,
)
from sinergi.assessments.scoring import Instrument
from sinergi.assessments.selectors import (
    active_version,
    consents_for_assessment,
    get_assessment_for_user,
    get_instrument_version_for_editor,
    history_for_person,
    instrument_versions_for_editor,
    view_assessment,
)
from sinergi.referrals.models import LawfulBasis
from sinergi.registry.selectors import get_person_for_user
from sinergi.registry.services import InvalidData

FORM_FIELDS = (
    "submission_key",
    "consent_by",
    "consent_name",
    "case_id",
    "referral_id",
    "consent_id",
    "lawful_basis",
    "lawful_basis_note",
)


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
        "recorded_consents": consents_for_assessment(request.user, person),
        "lawful_bases": LawfulBasis.choices,
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
                    consent_id=_int(data.get("consent_id")),
                    lawful_basis=data.get("lawful_basis", ""),
                    lawful_basis_note=data.get("lawful_basis_note", ""),
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


# --- the instrument editor (agency administrator) ------------------------------------------------------------------


def _require_editor(request: AuthedRequest) -> None:
    if not request.user.has_capability(Capability.EDIT_INSTRUMENT):
        raise PermissionDenied(_("Only your agency's administrator edits the assessment instrument."))


def _editable(request: AuthedRequest, version: InstrumentVersion) -> bool:
    return version.status == VersionStatus.DRAFT and version.agency_id == request.user.agency_id


def _subjects(version: InstrumentVersion) -> list[tuple[str, str]]:
    subjects: list[tuple[str, str]] = []
    for domain in version.domains.prefetch_related("questions"):
        subjects.append((f"domain:{domain.code}", _("Domain score: %(name)s") % {"name": domain.name}))
        subjects.extend((f"question:{q.code}", f"{domain.name} — {q.label}") for q in domain.questions.all())
    return subjects


def _editor_context(request: AuthedRequest, version: InstrumentVersion, **extra: Any) -> dict[str, Any]:
    editable = _editable(request, version)
    domains = list(version.domains.prefetch_related("questions"))
    context: dict[str, Any] = {
        "version": version,
        "domains": domains,
        "rules": list(version.rules.all()),
        "editable": editable,
        "in_force": active_version(),
    }
    if editable:
        context.setdefault("draft_form", InstrumentDraftForm(initial={"title": version.title, "notes": version.notes}))
        context.setdefault("domain_form", DomainForm(prefix="domain"))
        context.setdefault("question_form", QuestionForm(prefix="question", domains=[(d.pk, d.name) for d in domains]))
        context.setdefault("rule_form", RuleForm(prefix="rule", subjects=_subjects(version)))
    context.update(extra)
    return context


@require_GET
def instrument_list(request: AuthedRequest) -> HttpResponse:
    _require_editor(request)
    return render(
        request,
        "assessments/instrument_list.html",
        {"versions": instrument_versions_for_editor(request.user), "in_force": active_version()},
    )


@require_POST
def instrument_new(request: AuthedRequest) -> HttpResponse:
    _require_editor(request)
    copy_from = _int(request.POST.get("copy_from"))
    draft = services.create_instrument_draft(actor=request.user, copy_from_id=copy_from)
    messages.success(
        request,
        _("Draft version %(n)s made from a copy. Edit it, then publish it; assessments made keep their version.")
        % {"n": draft.number},
    )
    return redirect("assessments:instrument", pk=draft.pk)


@require_GET
def instrument_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    version = get_instrument_version_for_editor(request.user, pk)
    return render(request, "assessments/instrument.html", _editor_context(request, version))


def _refused(request: AuthedRequest, pk: int, refusal: Exception) -> HttpResponse:
    messages.error(request, str(refusal))
    return redirect("assessments:instrument", pk=pk)


@require_POST
def instrument_edit(request: AuthedRequest, pk: int, part: str) -> HttpResponse:
    """One POST per part of a draft: its title ("versi"), a domain, a question, a rule; 422 with the form's
    errors, else back to the version."""
    _require_editor(request)
    version = get_instrument_version_for_editor(request.user, pk)
    domains = [(d.pk, d.name) for d in version.domains.all()]
    form: InstrumentDraftForm | DomainForm | QuestionForm | RuleForm
    if part == "versi":
        form = InstrumentDraftForm(request.POST)
        key = "draft_form"
    elif part == "domain":
        form = DomainForm(request.POST, prefix="domain")
        key = "domain_form"
    elif part == "pertanyaan":
        form = QuestionForm(request.POST, prefix="question", domains=domains)
        key = "question_form"
    elif part == "aturan":
        form = RuleForm(request.POST, prefix="rule", subjects=_subjects(version))
        key = "rule_form"
    else:
        raise Http404
    item_id = _int(request.POST.get("item_id"))
    if form.is_valid():
        try:
            if isinstance(form, InstrumentDraftForm):
                services.update_instrument_draft(
                    actor=request.user,
                    version_id=pk,
                    title=form.cleaned_data["title"],
                    notes=form.cleaned_data["notes"],
                )
            elif isinstance(form, DomainForm):
                services.save_domain(actor=request.user, version_id=pk, data=form.to_data(), domain_id=item_id)
            elif isinstance(form, QuestionForm):
                services.save_question(actor=request.user, version_id=pk, data=form.to_data(), question_id=item_id)
            else:
                services.save_rule(actor=request.user, version_id=pk, data=form.to_data(), rule_id=item_id)
        except InvalidData as error:
            form.add_service_errors(error)
        except services.InstrumentError as refusal:
            return _refused(request, pk, refusal)
        else:
            messages.success(request, _("Saved in draft version %(n)s.") % {"n": version.number})
            return redirect("assessments:instrument", pk=pk)
    context = _editor_context(request, version, **{key: form, "open_part": part})
    return render(request, "assessments/instrument.html", context, status=422)


@require_http_methods(["GET"])
def question_edit(request: AuthedRequest, pk: int, question_pk: int) -> HttpResponse:
    """The question's form, filled, for a draft (htmx swaps it in under the question)."""
    _require_editor(request)
    version = get_instrument_version_for_editor(request.user, pk)
    question = Question.objects.filter(domain__version=version, pk=question_pk).first()
    if question is None or not _editable(request, version):
        raise Http404
    form = QuestionForm(
        prefix="question",
        domains=[(d.pk, d.name) for d in version.domains.all()],
        initial={
            "domain_id": question.domain_id,
            "code": question.code,
            "kind": question.kind,
            "label": question.label,
            "help_text": question.help_text,
            "required": question.required,
            "min_value": question.min_value,
            "max_value": question.max_value,
            "choices": QuestionForm.choices_text(question.choices),
            "scored": question.scored,
            "reverse": question.reverse,
            "order": question.order,
        },
    )
    return render(
        request, "assessments/_question_form.html", {"version": version, "form": form, "item_id": question.pk}
    )


@require_POST
def instrument_remove(request: AuthedRequest, pk: int, part: str, item_pk: int) -> HttpResponse:
    _require_editor(request)
    get_instrument_version_for_editor(request.user, pk)
    try:
        if part == "pertanyaan":
            services.remove_question(actor=request.user, version_id=pk, question_id=item_pk)
        elif part == "aturan":
            services.remove_rule(actor=request.user, version_id=pk, rule_id=item_pk)
        else:
            raise Http404
    except services.InstrumentError as refusal:
        return _refused(request, pk, refusal)
    messages.success(request, _("Removed from the draft."))
    return redirect("assessments:instrument", pk=pk)


@require_POST
def instrument_publish(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    get_instrument_version_for_editor(request.user, pk)
    try:
        version = services.publish_instrument_version(actor=request.user, version_id=pk)
    except services.InstrumentError as refusal:
        return _refused(request, pk, refusal)
    messages.success(
        request,
        _("Version %(n)s is in force. New assessments use it; assessments already made keep their version.")
        % {"n": version.number},
    )
    return redirect("assessments:instrument", pk=pk)
