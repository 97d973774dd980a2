"""Production-like error pages: Indonesian, no URL list, a way back home (what `make run` now serves)."""

from __future__ import annotations

import pytest
from django.template import loader
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_answers_a_missing_page_in_indonesian_without_listing_urls(client, alice, settings):
    settings.DEBUG = False
    client.force_login(alice)
    response = client.get("/tidak-ada-halaman-ini/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "Tidak ditemukan" in page and 'href="/"' in page
    assert "URLconf" not in page and "orang/<int:pk>/" not in page


def test_it_answers_a_server_error_in_indonesian(settings):
    settings.DEBUG = False
    page = loader.get_template("500.html").render()
    assert 'lang="id"' in page and "Terjadi kesalahan" in page
    assert "Something went wrong" not in page


def test_the_login_page_is_served_with_its_styles_when_debug_is_off(settings):
    settings.DEBUG = False
    response = Client().get("/akun/login/")
    assert response.status_code == 200
    assert "/static/" in response.content.decode()
