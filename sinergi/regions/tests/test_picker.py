"""The cascading region picker: narrowed lists, dropped inconsistent choices, works without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest

from sinergi.regions.picker import RegionPickerMixin, codes_for_region, selected_codes

PICKER = "/wilayah/pilih/"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def choices(response, field: str) -> dict[str, str]:
    return dict(response.context["form"].fields[field].choices)


def test_it_lists_the_districts_of_the_chosen_regency(client, alice):
    client.force_login(alice)
    response = client.get(PICKER, {"province": "72", "regency": "72.71"})
    assert response.status_code == 200
    districts = choices(response, "district")
    assert districts["72.71.05"] == "Ulujadi"
    assert set(districts) - {""} == {f"72.71.0{n}" for n in range(1, 9)}
    body = response.content.decode()
    assert "Ulujadi" in body
    assert "Poso Kota" not in body  # a district of Kabupaten Poso
    assert "<html" not in body  # a fragment for htmx


def test_it_drops_a_district_that_is_not_under_the_chosen_regency(client, alice):
    client.force_login(alice)
    response = client.get(PICKER, {"province": "72", "regency": "72.71", "district": "72.02.01"})
    assert response.status_code == 200
    assert choices(response, "village") == {"": "—"}  # no villages of Poso Kota offered
    assert 'value="72.02.01" selected' not in response.content.decode()


def test_it_lists_the_villages_of_a_consistent_district(client, alice):
    client.force_login(alice)
    response = client.get(PICKER, {"province": "72", "regency": "72.71", "district": "72.71.05"})
    assert choices(response, "village")["72.71.05.1001"] == "Buluri"


def test_it_resets_lower_levels_when_the_province_changes(client, alice):
    client.force_login(alice)
    response = client.get(PICKER, {"province": "73", "regency": "72.71", "district": "72.71.05"})
    assert "72.71" not in choices(response, "regency")
    assert choices(response, "district") == {"": "—"}


def test_it_keeps_only_a_consistent_chain_of_codes():
    assert selected_codes({"province": "72", "regency": "72.71", "district": "72.71.05"}) == {
        "province": "72",
        "regency": "72.71",
        "district": "72.71.05",
    }
    assert selected_codes(
        {"province": "72", "regency": "72.71", "district": "72.02.01", "village": "72.02.01.1001"}
    ) == {
        "province": "72",
        "regency": "72.71",
    }
    assert selected_codes({"regency": "72.71"}) == {}


def test_it_preselects_the_home_province_or_the_current_region():
    assert codes_for_region(None) == {"province": "72"}
    assert codes_for_region(None, home_province=False) == {}
    assert codes_for_region("72.71.05") == {"province": "72", "regency": "72.71", "district": "72.71.05"}


@pytest.mark.django_db
def test_it_gives_the_deepest_consistent_code_to_the_form():
    form = RegionPickerMixin(data={"province": "72", "regency": "72.71", "district": "72.71.05"})
    form.setup_region_picker()
    assert form.is_valid(), form.errors
    assert form.cleaned_data["region_code"] == "72.71.05"


@pytest.mark.django_db
def test_it_refuses_a_code_outside_the_narrowed_list():
    form = RegionPickerMixin(data={"province": "72", "regency": "73.71"})
    form.setup_region_picker()
    assert not form.is_valid()
    assert "regency" in form.errors
