"""The destination-country list offers real countries only, the usual PMI destinations first."""

from __future__ import annotations

import pytest

from sinergi.registry.countries import COMMON_DESTINATIONS, country_choices, is_country_code


@pytest.mark.parametrize("language", ["id", "en"])
def test_it_offers_real_countries_only(language):
    codes = [code for code, _name in country_choices(language) if code]
    for not_a_country in ("EU", "EZ", "UN", "ZZ", "XA", "XB", "QO", "AC", "IC", "ID"):
        assert not_a_country not in codes
    assert 190 <= len(codes) <= 250
    assert codes[: len(COMMON_DESTINATIONS)] == list(COMMON_DESTINATIONS)


def test_it_names_no_grouping_or_pseudo_region_in_indonesian():
    names = {name for _code, name in country_choices("id")}
    for shown_before in ("Aksen Asing", "Pseudo-Bidi", "Uni Eropa", "Zona Euro", "Perserikatan Bangsa-Bangsa"):
        assert shown_before not in names
    assert {"Malaysia", "Arab Saudi", "Jepang"} <= names


def test_it_refuses_a_code_that_is_not_a_country():
    assert is_country_code("MY") and not is_country_code("EU") and not is_country_code("XA")


def test_the_work_abroad_form_checks_the_country_in_the_language_it_is_used_in():
    from django.utils import translation

    from sinergi.registry.forms import EpisodeForm

    assert not EpisodeForm(data={"destination_country": "EU", "procedural": "unknown"}).is_valid()
    assert EpisodeForm(data={"destination_country": "SA", "procedural": "unknown"}).is_valid()
    # The choices are read when the form is shown, in that request's language, not when it was built.
    form = EpisodeForm()
    with translation.override("en"):
        assert ("SA", "Saudi Arabia") in list(form.fields["destination_country"].choices)
    with translation.override("id"):
        assert ("SA", "Arab Saudi") in list(form.fields["destination_country"].choices)
    # Each caller gets its own list.
    country_choices("id").append(("XX", "Nowhere"))
    assert ("XX", "Nowhere") not in country_choices("id")
