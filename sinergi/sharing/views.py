"""Pages of the sharing rule: the receiver's "take into our registry" action on a referral."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sinergi.accounts.http import AuthedRequest
from sinergi.referrals.selectors import get_referral_for_user
from sinergi.registry.services import InvalidData, RegistryError
from sinergi.sharing import rules, services
from sinergi.sharing.forms import TakeInForm
from sinergi.sharing.models import PersonTakeIn
from sinergi.sharing.sections import PERSON_SECTIONS


@require_http_methods(["GET", "POST"])
def take_in(request: AuthedRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk)
    if not rules.may_take_in(request.user, referral):
        raise PermissionDenied(_("Only the receiving agency takes a referred person in, while the referral is open."))
    form = TakeInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.take_into_registry(
                actor=request.user,
                referral_id=referral.pk,
                basis=form.cleaned_data["basis"],
                basis_note=form.cleaned_data["basis_note"],
            )
        except InvalidData as error:
            for name, problems in error.errors.items():
                for problem in problems:
                    form.add_error(None if name not in form.fields else name, problem)
        except RegistryError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("%(name)s is now in your registry.") % {"name": person.full_name})
            return redirect(reverse("registry:detail", args=[person.pk]))
    context = {
        "referral": referral,
        "form": form,
        "sections": sorted(rules.granted_by(referral) & PERSON_SECTIONS),
        "existing": PersonTakeIn.objects.filter(
            agency_id=request.user.agency_pk, source_person_id=referral.case.person_id
        ).first(),
    }
    return render(request, "sharing/take_in.html", context, status=400 if form.errors else 200)
