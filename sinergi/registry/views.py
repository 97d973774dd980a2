from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.roles import Capability
from sinergi.identity.nik import looks_excel_mangled, parse_nik
from sinergi.matching.selectors import active_merges_into, open_pairs_of
from sinergi.regions.lookup import database_regions
from sinergi.regions.picker import REFRESH_BUTTON
from sinergi.registry import services
from sinergi.registry.countries import country_name
from sinergi.registry.forms import EpisodeForm, FamilyLinkForm, IdentifierForm, PersonForm, PersonSearchForm, PhoneForm
from sinergi.registry.history import person_changes
from sinergi.registry.models import Person, PersonAlias
from sinergi.registry.panels import person_panels
from sinergi.registry.selectors import (
    SearchQuery,
    active_persons_visible_to,
    find_possible_duplicates,
    get_editable_person,
    get_person_for_user,
    only_common_names,
    person_sections_for,
    search_persons,
)
from sinergi.registry.validation import localized
from sinergi.sharing.access import record_search_results

PAGE_SIZE = 25


def _require(request: AuthedRequest, capability: Capability) -> None:
    if not request.user.has_capability(capability):
        raise PermissionDenied(_("Your role does not allow this. Ask your supervisor if you need it."))


@require_GET
def search(request: AuthedRequest) -> HttpResponse:
    """Search the registry; with no query, list the agency's own persons, newest first (keyset pages)."""
    _require(request, Capability.VIEW_PERSONS)
    form = PersonSearchForm(request.GET or None)
    # A search filters by region only when one is chosen: no preselected province here.
    form.setup_region_picker(home_province=False)
    hits = None
    page: list[Person] = []
    next_before = None
    nik_problems: list[str] = []
    common_name = False
    if form.is_bound and form.is_valid() and REFRESH_BUTTON not in request.GET:
        nik_problems = _nik_problems(form.cleaned_data.get("q") or "")
        query = SearchQuery(
            text=form.cleaned_data.get("q") or "",
            birth_date=form.cleaned_data.get("birth_date"),
            birth_year=form.cleaned_data.get("birth_year"),
            region_code=form.cleaned_data.get("region_code") or "",
        )
        hits = search_persons(request.user, query) if not query.is_empty else None
        common_name = hits is not None and bool(query.text) and only_common_names(query.text)
        if hits:
            record_search_results(actor=request.user, persons=[hit.person for hit in hits if hit.person is not None])
    if hits is None:
        queryset = active_persons_visible_to(request.user).select_related("region").order_by("-id")
        before = request.GET.get("before", "")
        if before.isdigit():
            queryset = queryset.filter(id__lt=int(before))
        page = list(queryset[: PAGE_SIZE + 1])
        if len(page) > PAGE_SIZE:
            page = page[:PAGE_SIZE]
            next_before = page[-1].pk
    context = {
        "form": form,
        "hits": hits,
        "page": page,
        "next_before": next_before,
        "nik_problems": nik_problems,
        "common_name": common_name,
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "search-results":
        return render(request, "registry/search.html#results", context)
    return render(request, "registry/search.html", context)


def _nik_problems(text: str) -> list[str]:
    """What is wrong with a NIK typed into the search box, so "0 found" is not the only answer.

    A few digits are a prefix search and fine; a full-length (or longer, or Excel-mangled) number is checked.
    """
    compact = text.replace(" ", "").replace(".", "")
    digits = "".join(ch for ch in compact if ch.isdigit())
    # An Excel-mangled number (7.27105E+15) is always checked, so the user learns how to export it as text.
    if not looks_excel_mangled(text) and (len(digits) < 16 or len(digits) < len(compact) - 2):
        return []
    result = parse_nik(text, regions=database_regions(), today=timezone.localdate())
    return [localized(error) for error in result.errors]


@require_GET
def possible_matches(request: AuthedRequest) -> HttpResponse:
    """Live search-before-create panel for the registration form (htmx)."""
    _require(request, Capability.VIEW_PERSONS)
    form = PersonForm(request.GET)
    form.is_valid()  # only the parsed values are used; errors show on submit
    cleaned = getattr(form, "cleaned_data", {})
    hits = find_possible_duplicates(
        request.user,
        full_name=cleaned.get("full_name") or "",
        nik=cleaned.get("nik") or "",
        birth_date=cleaned.get("birth_date"),
    )
    return render(request, "registry/_matches.html", {"hits": hits})


@require_GET
def nik_check(request: AuthedRequest) -> HttpResponse:
    """What a NIK says (region, birth date, sex) or why it is rejected; a page and an htmx fragment."""
    raw = request.GET.get("nik", "").strip()
    result = parse_nik(raw, regions=database_regions(), today=timezone.localdate()) if raw else None
    errors = [localized(e) for e in result.errors] if result else []
    warnings = [localized(w) for w in result.warnings] if result else []
    context = {"raw": raw, "parsed": result.value if result else None, "errors": errors, "warnings": warnings}
    if request.headers.get("HX-Request"):
        return render(request, "registry/nik_check.html#facts", context)
    return render(request, "registry/nik_check.html", context)


@require_http_methods(["GET", "POST"])
def create(request: AuthedRequest) -> HttpResponse:
    _require(request, Capability.EDIT_PERSONS)
    hits = None
    nik_clash = None
    if request.method == "POST":
        form = PersonForm(request.POST)
        if REFRESH_BUTTON not in request.POST and form.is_valid():
            try:
                person = services.register_person(
                    actor=request.user, data=form.to_data(), confirm_new=form.cleaned_data["confirm_new"]
                )
            except services.InvalidData as error:
                form.add_service_errors(error)
            except services.PossibleDuplicate as duplicate:
                hits = duplicate.hits
                # The next submit of the same form means "this is a different person".
                data = request.POST.copy()
                data["confirm_new"] = "True"
                form = PersonForm(data)
                form.is_valid()
            except services.NikAlreadyRegistered as clash:
                nik_clash = clash.existing
                form.add_error("nik", str(clash))
            else:
                messages.success(request, _("%(name)s is registered.") % {"name": person.full_name})
                return redirect(_after_registration(request, person))
    else:
        form = PersonForm(initial={"full_name": request.GET.get("q", ""), "kind": "PMI"})
    return render(
        request, "registry/person_form.html", {"form": form, "hits": hits, "nik_clash": nik_clash, "creating": True}
    )


def _after_registration(request: AuthedRequest, person: Person) -> str:
    """Back to where registration started (e.g. a new case: `?next=/kasus/baru/`) with the new person chosen."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return f"{next_url}{'&' if '?' in next_url else '?'}person={person.pk}"
    return reverse("registry:detail", args=[person.pk])


@require_http_methods(["GET", "POST"])
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    _require(request, Capability.EDIT_PERSONS)
    person = get_editable_person(request.user, pk)
    if request.method == "POST":
        form = PersonForm(request.POST, region_code=person.region_id, with_phone=False)
        if REFRESH_BUTTON not in request.POST and form.is_valid():
            try:
                services.update_person(
                    actor=request.user,
                    person_id=person.pk,
                    data=form.to_data(),
                    expected_version=form.cleaned_data.get("version") or 0,
                )
            except services.InvalidData as error:
                form.add_service_errors(error)
            except (services.StaleEdit, services.NikAlreadyRegistered) as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, _("Changes saved."))
                return redirect("registry:detail", pk=person.pk)
    else:
        data = services.person_data_of(person)
        initial: dict[str, Any] = {**data.__dict__, "aliases": "\n".join(data.aliases), "version": person.version}
        form = PersonForm(initial=initial, region_code=person.region_id, with_phone=False)
    return render(request, "registry/person_form.html", {"form": form, "person": person, "creating": False})


# What the person page shows of a person's sub-records, read into the person the view already holds.
PAGE_PREFETCHES = (
    Prefetch("aliases", queryset=PersonAlias.objects.order_by("name")),
    "identifiers",
    "phones",
    "family",
    "episodes",
)


def _detail_context(request: AuthedRequest, person: Person, **forms: Any) -> dict[str, Any]:
    # `person` was read once, by the visibility rule (with its region path and agency); its sub-records are
    # added to that object, not to a second read of the person.
    prefetch_related_objects([person], *PAGE_PREFETCHES)
    episodes = [(episode, country_name(episode.destination_country)) for episode in person.episodes.all()]
    sections = person_sections_for(request.user, person)
    owner = person.registered_by_agency_id == request.user.agency_id
    return {
        "person": person,
        "episodes": episodes,
        # What a referral shares with another agency: read-only, only the SOP's sections.
        "sections": sections,
        "is_owner": owner,
        "can_edit": owner and request.user.has_capability(Capability.EDIT_PERSONS),
        "identifier_form": forms.get("identifier") or IdentifierForm(),
        "phone_form": forms.get("phone") or PhoneForm(),
        "family_form": forms.get("family") or FamilyLinkForm(),
        "episode_form": forms.get("episode") or EpisodeForm(),
        "changes": person_changes(person) if owner else [],
        # Data synchronisation: the golden record, merges into this person and pairs waiting for review.
        "can_review": owner and request.user.has_capability(Capability.REVIEW_MATCHES),
        "merges": active_merges_into(request.user, person) if owner else [],
        "open_pairs": open_pairs_of(request.user, person) if owner else [],
        # The person's cases, referrals, assistance… from the apps that own them (registry.panels).
        "panels": person_panels(request.user, person),
    }


@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk)
    if person.merged_into_id is not None:
        survivor = _survivor_of(request, person)
        if survivor is not None:
            messages.info(
                request,
                _("%(name)s (#%(id)s) was merged into this record; its cases and sources are kept here.")
                % {"name": person.full_name, "id": person.pk},
            )
            return redirect("registry:detail", pk=survivor.pk)
    services.record_person_view(actor=request.user, person=person)
    return render(request, "registry/person_detail.html", _detail_context(request, person))


def _survivor_of(request: AuthedRequest, person: Person) -> Person | None:
    """The record a merged person lives on in (following later merges), if the user may see it."""
    current = person
    for _step in range(20):  # a chain of merges is short; the bound only guards against a cycle
        if current.merged_into_id is None:
            return current
        try:
            current = get_person_for_user(request.user, current.merged_into_id)
        except Http404:
            return None
    return None


SUB_FORMS = {"identifier": IdentifierForm, "phone": PhoneForm, "family": FamilyLinkForm, "episode": EpisodeForm}


@require_POST
def add_sub_record(request: AuthedRequest, pk: int, kind: str) -> HttpResponse:
    _require(request, Capability.EDIT_PERSONS)
    person = get_editable_person(request.user, pk)
    if kind not in SUB_FORMS:
        raise Http404
    form = SUB_FORMS[kind](request.POST)
    if form.is_valid():
        try:
            _save_sub_record(request, person, kind, form)
        except services.InvalidData as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("registry:detail", args=[person.pk]) + f"#{kind}")
    context = _detail_context(request, person, **{kind: form})
    return render(request, "registry/person_detail.html", context, status=400)


def _save_sub_record(request: AuthedRequest, person: Person, kind: str, form: Any) -> None:
    cleaned = form.cleaned_data
    if kind == "identifier":
        services.add_identifier(actor=request.user, person_id=person.pk, kind=cleaned["kind"], value=cleaned["value"])
    elif kind == "phone":
        services.add_phone(actor=request.user, person_id=person.pk, number=cleaned["number"], label=cleaned["label"])
    elif kind == "family":
        services.add_family_link(
            actor=request.user,
            person_id=person.pk,
            relationship=cleaned["relationship"],
            name=cleaned["name"],
            phone=cleaned.get("phone") or "",
            is_next_of_kin=cleaned.get("is_next_of_kin", False),
        )
    else:
        services.add_migration_episode(actor=request.user, person_id=person.pk, data=form.to_data())


@require_POST
def remove_sub_record(request: AuthedRequest, pk: int, kind: str, record_id: int) -> HttpResponse:
    _require(request, Capability.EDIT_PERSONS)
    if kind not in services.SUB_RECORDS:
        raise Http404
    services.remove_sub_record(actor=request.user, person_id=pk, kind=kind, record_id=record_id)
    messages.success(request, _("Removed."))
    return redirect(reverse("registry:detail", args=[pk]) + f"#{kind}")
