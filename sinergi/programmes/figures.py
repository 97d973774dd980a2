"""The dashboards' programme figures (a figure source of ``sinergi.reports.figures``): participants of the
cohorts that started in the period, in the programmes of the agencies in view, by enrolment status. The regency
filter follows the cohort's place. Counts only."""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _

from sinergi.programmes.models import Enrolment, EnrolmentStatus
from sinergi.reports.figures import Figure, Scope, Series


def programme_figures(scope: Scope) -> list[Figure]:
    enrolments = Enrolment.objects.filter(
        cohort__programme__agency_id__in=scope.agency_ids,
        cohort__starts_on__gte=scope.date_from,
        cohort__starts_on__lte=scope.date_to,
    )
    if scope.regency:
        enrolments = enrolments.filter(cohort__region__code__startswith=scope.regency)
    by_status = Counter(enrolments.values_list("status", flat=True))
    statuses = list(EnrolmentStatus)
    return [
        Figure(
            "programme_participation",
            _("Training and mentoring: participants by status"),
            "bar",
            [str(status.label) for status in statuses],
            [Series(_("Participants"), [by_status[status] for status in statuses])],
            _("Cohorts that started in the period, in the programmes of the agencies in view."),
        )
    ]
