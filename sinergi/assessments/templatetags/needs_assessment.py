"""`{% needs_assessment_section person %}`: the assessment and assistance section the person and case pages
include with one line (the person page is also someone else's hub)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count, Window

from sinergi.accounts.roles import Capability
from sinergi.assessments.models import Assessment
from sinergi.assessments.selectors import visible_recommendations
from sinergi.registry.models import Person

register = template.Library()


@register.inclusion_tag("assessments/_section.html", takes_context=True)
def needs_assessment_section(context: dict[str, Any], person: Person, case: object = None) -> dict[str, Any]:
    """`person` is one the page already got through get_person_for_user; only non-sensitive facts are shown."""
    user = context["request"].user
    # The latest assessment and how many there are, in one query (the count was a second one on every page).
    latest = (
        Assessment.objects.filter(person=person)
        .select_related("agency")
        .annotate(assessments_of_person=Window(Count("pk")))
        .order_by("-at", "-id")
        .first()
    )
    return {
        "person": person,
        "case": case,
        "latest": latest,
        "count": latest.assessments_of_person if latest else 0,
        "recommendations": visible_recommendations(user, latest) if latest else [],
        "free_text_note": case is not None,
        "can_assess": user.has_capability(Capability.MANAGE_CASES) or user.has_capability(Capability.HANDLE_REFERRALS),
    }
