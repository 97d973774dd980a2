"""The public statistics (no login): case counts by year, by regency of origin and by complaint category, with
small-number suppression (suppression.py). Computed once per hour, the same for every visitor and for the API.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import ExtractYear, Substr
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sinergi.cases.models import ComplaintCategory
from sinergi.reports.figures import regencies
from sinergi.reports.selectors import public_cases
from sinergi.reports.suppression import THRESHOLD, PublicTable, public_one_way

YEARS = 3
CACHE_SECONDS = 3600


@dataclass(frozen=True)
class PublicStatistics:
    years: list[int]
    period: str
    by_year: PublicTable
    by_regency: PublicTable
    by_category: PublicTable
    threshold: int = THRESHOLD


def _compute(years: list[int]) -> PublicStatistics:
    """One-way tables (by year, by regency, by category over the same years): with Sulawesi Tengah's numbers a
    regency × year table would be almost all hidden; each list still gets secondary suppression."""
    cases = public_cases().filter(received_at__year__gte=years[0], received_at__year__lte=years[-1]).order_by()
    period = f"{years[0]}–{years[-1]}"
    per_year = dict(
        cases.annotate(year=ExtractYear("received_at")).values("year").annotate(n=Count("pk")).values_list("year", "n")
    )
    names = regencies()
    per_regency = dict(
        cases.annotate(regency=Substr("person__region__code", 1, 5))
        .values("regency")
        .annotate(n=Count("pk", distinct=True))
        .values_list("regency", "n")
    )
    per_category = dict(
        cases.values("categories__code").annotate(n=Count("pk", distinct=True)).values_list("categories__code", "n")
    )
    categories = [c for c in ComplaintCategory.objects.order_by("order") if per_category.get(c.code)]
    label = str(_("Cases"))
    return PublicStatistics(
        years=years,
        period=period,
        by_year=public_one_way([str(year) for year in years], label, [per_year.get(year, 0) for year in years]),
        by_regency=public_one_way(list(names.values()), label, [per_regency.get(code, 0) for code in names]),
        by_category=public_one_way(
            [c.name for c in categories], str(_("Mentions")), [per_category[c.code] for c in categories]
        ),
    )


def public_statistics() -> PublicStatistics:
    this_year = timezone.localdate().year
    years = list(range(this_year - YEARS + 1, this_year + 1))
    key = f"reports:public:{years[-1]}:{get_language()}"
    stats = cache.get(key)
    if not isinstance(stats, PublicStatistics):
        stats = _compute(years)
        cache.set(key, stats, CACHE_SECONDS)
    return stats
