"""`capped_count`: an inbox tab's count as the user reads it, "1.000+" once it passes the cap
(`sinergi.referrals.inbox.COUNT_CAP`)."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

from sinergi.referrals import inbox

register = template.Library()


@register.filter
def capped_count(value: int) -> str:
    if value > inbox.COUNT_CAP:
        return f"{number_format(inbox.COUNT_CAP, force_grouping=True)}+"
    return number_format(value, force_grouping=True)
