"""The dashboards' assistance figures (a figure source of ``sinergi.reports.figures``): assistance the agencies
in view delivered in the period, per type — to their own persons, and to the persons another agency referred to
them and they took in. The regency filter follows the person's address. Counts only."""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _

from sinergi.benefits.models import Benefit, BenefitStatus
from sinergi.reports.figures import Figure, Scope, Series


def benefit_figures(scope: Scope) -> list[Figure]:
    delivered = Benefit.objects.filter(
        agency_id__in=scope.agency_ids,
        status=BenefitStatus.DELIVERED,
        delivered_on__gte=scope.date_from,
        delivered_on__lte=scope.date_to,
    )
    if scope.regency:
        delivered = delivered.filter(person__region__code__startswith=scope.regency)
    by_type = Counter(delivered.values_list("assistance_type__name", flat=True))
    names = sorted(by_type, key=lambda name: (-by_type[name], name))
    return [
        Figure(
            "assistance_delivered",
            _("Assistance delivered, by type"),
            "hbar",
            names,
            [Series(_("Deliveries"), [by_type[name] for name in names])],
            _("Delivered in the period by the agencies in view; the category filter does not apply."),
        )
    ]
