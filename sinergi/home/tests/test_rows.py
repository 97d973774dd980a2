"""The list pages' row filters (sinergi/rows.py) print what `{% url %}` and `|date` print, and the lists reverse
their URLs once per page, not once per row."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.template.defaultfilters import date as django_date
from django.test import Client
from django.urls import clear_script_prefix, reverse, set_script_prefix
from django.utils import timezone, translation

from sinergi import rows
from sinergi.accounts.models import User
from sinergi.cases.models import Case
from sinergi.referrals.models import ReferralStatus
from sinergi.testing.referral_fixtures import open_case_for, referral_in


@pytest.fixture(autouse=True)
def empty_store() -> None:
    rows.forget_urls()


@pytest.mark.parametrize("name", ["cases:detail", "referrals:detail", "registry:detail", "registry:edit"])
@pytest.mark.parametrize("pk", [1, 7, 42, 918, 2_147_483_647])
def test_pk_url_prints_what_reverse_prints(name: str, pk: int) -> None:
    assert rows.pk_url(pk, name) == reverse(name, args=[pk])
    assert rows.pk_url(pk, name) == reverse(name, args=[pk])  # from the store


def test_pk_url_follows_the_script_prefix_and_takes_other_values_to_reverse() -> None:
    try:
        set_script_prefix("/sinergi/")
        assert rows.pk_url(5, "cases:detail") == reverse("cases:detail", args=[5]) == "/sinergi/kasus/5/"
    finally:
        clear_script_prefix()
    assert rows.pk_url(5, "cases:detail") == reverse("cases:detail", args=[5])
    assert rows.pk_url("5", "cases:detail") == reverse("cases:detail", args=["5"])


def test_pk_url_in_a_template_prints_what_the_url_tag_prints() -> None:
    context = Context({"pk": 12})
    ours = Template("{% load sinergi_rows %}<a href=\"{{ pk|pk_url:'cases:detail' }}\">").render(context)
    djangos = Template("<a href=\"{% url 'cases:detail' pk %}\">").render(context)
    assert ours == djangos


WITA = ZoneInfo("Asia/Makassar")
MOMENTS = [
    datetime.datetime(2026, 12, 7, 5, 4, 3, tzinfo=datetime.UTC),
    datetime.datetime(2026, 1, 31, 23, 59, tzinfo=datetime.UTC),  # the next day in WITA
    datetime.datetime(1999, 2, 28, 16, 0, tzinfo=datetime.UTC),
    datetime.datetime(987, 5, 6, 7, 8, tzinfo=datetime.UTC),  # a year of three digits
    datetime.datetime(2026, 6, 1, 0, 0, tzinfo=WITA),
]
FORMATS = ["d-m-Y H:i", "d-m-Y", "Y", "H:i", "d.m.Y", "j M Y", "M Y", "d F Y", "D, d-m-Y"]


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("format_string", FORMATS)
def test_numeric_date_prints_what_the_date_filter_prints(language: str, format_string: str) -> None:
    values: list[Any] = [*MOMENTS, *(moment.date() for moment in MOMENTS), None, "", "not a date"]
    ours = Template("{% load sinergi_rows %}{{ value|numeric_date:format }}")
    djangos = Template("{{ value|date:format }}")
    with translation.override(language), timezone.override(WITA):
        for value in values:
            context = Context({"value": value, "format": format_string})
            assert printed(ours, context) == printed(djangos, context), (value, format_string)


def printed(template: Template, context: Context) -> str:
    """The output, or the error's type: a date asked for its hour is an error in Django's filter, and in ours."""
    try:
        return template.render(context)
    except TypeError as error:
        return f"raised {type(error).__name__}"


def test_numeric_date_of_a_date_with_an_hour_is_djangos_error() -> None:
    with pytest.raises(TypeError):
        django_date(datetime.date(2026, 1, 2), "H:i")
    with pytest.raises(TypeError):
        rows.numeric_date(datetime.date(2026, 1, 2), "H:i")


class CountingReverse:
    def __init__(self, real: Any) -> None:
        self.real, self.calls = real, 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.real(*args, **kwargs)


def reversals(client: Client, path: str, monkeypatch: pytest.MonkeyPatch) -> int:
    import django.urls

    counting = CountingReverse(reverse)
    monkeypatch.setattr(django.urls, "reverse", counting)  # what {% url %} calls
    monkeypatch.setattr(rows, "reverse", counting)
    response = client.get(path)
    monkeypatch.undo()
    assert response.status_code == 200
    return counting.calls


def test_the_case_list_reverses_as_many_urls_for_many_cases_as_for_one(
    client: Client, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_case_for(alice)
    client.force_login(alice)
    client.get("/kasus/")
    few = reversals(client, "/kasus/", monkeypatch)
    for _ in range(4):
        open_case_for(alice)
    assert Case.objects.count() == 5
    assert reversals(client, "/kasus/", monkeypatch) == few


def test_the_referral_inbox_reverses_as_many_urls_for_many_referrals_as_for_one(
    client: Client, sop: Any, alice: User, carol: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    referral_in(ReferralStatus.SENT, sender=alice, receiver=carol)
    client.force_login(carol)
    client.get("/rujukan/")
    few = reversals(client, "/rujukan/", monkeypatch)
    body = client.get("/rujukan/").content.decode()
    for _ in range(3):
        referral_in(ReferralStatus.SENT, sender=alice, receiver=carol)
    assert reversals(client, "/rujukan/", monkeypatch) == few
    assert body.count('href="/rujukan/') >= 1


def test_search_rows_keep_their_labels(client: Client, alice: User, dave: User) -> None:
    """The search's row labels are translated once per page: another agency's person and a NIK match still show
    them, in both languages."""
    from sinergi.testing.factories import make_person

    make_person(alice, full_name="Siti Aminah", nik="7271055210900001", region_code="72.71.05")
    client.force_login(dave)
    path = "/orang/?q=Siti+Aminah&birth_year=1990"
    english = client.get(path, headers={"Accept-Language": "en"}).content.decode()
    assert '<span class="badge limited">registered by another agency</span>' in english
    assert "born 1990" in english
    client.cookies["django_language"] = "id"
    indonesian = client.get(path, headers={"Accept-Language": "id"}).content.decode()
    assert "lahir 1990" in indonesian and "badge limited" in indonesian
    client.force_login(alice)
    client.cookies["django_language"] = "en"
    own = client.get("/orang/?q=7271055210900001", headers={"Accept-Language": "en"}).content.decode()
    assert '<span class="badge">NIK match</span>' in own
