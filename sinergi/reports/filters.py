"""The dashboard's filters (period, regency, category), parsed once for the pages, the report and the API.

A bad value is refused with a message that says what is allowed: an unknown regency, a period that ends before
it starts or spans more than five years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.cases.models import ComplaintCategory
from sinergi.reports.figures import regencies

MAX_DAYS = 5 * 366


@dataclass(frozen=True)
class ReportFilter:
    date_from: date
    date_to: date
    regency: str = ""
    category: str = ""


class FilterError(ValueError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(message for messages in errors.values() for message in messages))
        self.errors = errors


def default_period() -> tuple[date, date]:
    """The last twelve months, this month included."""
    today = timezone.localdate()
    start = (today.replace(day=1) - timedelta(days=335)).replace(day=1)
    return start, today


def parse_filter(
    date_from: date | str | None, date_to: date | str | None, regency: str = "", category: str = ""
) -> ReportFilter:
    errors: dict[str, list[str]] = {}
    start, end = default_period()

    def day(value: date | str | None, default: date, name: str) -> date:
        if value in (None, ""):
            return default
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            errors[name] = [_("Give a date as YYYY-MM-DD.")]
            return default

    first, last = day(date_from, start, "date_from"), day(date_to, end, "date_to")
    if first > last:
        errors["date_to"] = [_("The period ends before it starts.")]
    elif (last - first).days > MAX_DAYS:
        errors["date_from"] = [_("Choose a period of at most five years.")]
    regency = regency.strip()
    if regency and regency not in regencies():
        errors["regency"] = [
            _("Unknown regency %(code)s: use a Kemendagri code of Sulawesi Tengah, e.g. 72.10 (Sigi).")
            % {"code": regency}
        ]
    category = category.strip()
    if category and not ComplaintCategory.objects.filter(code=category).exists():
        errors["category"] = [_("Unknown complaint category %(code)s.") % {"code": category}]
    if errors:
        raise FilterError(errors)
    return ReportFilter(first, last, regency, category)
