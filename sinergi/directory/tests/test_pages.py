from sinergi.demo.sop_seeding import seed_sop


def test_it_lists_the_agencies_services_grouped_by_agency(
    client, dave, bp3mi, sentra, dinsos, django_assert_max_num_queries
):
    seed_sop()
    client.force_login(dave)
    with django_assert_max_num_queries(8):
        response = client.get("/layanan/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sentra Nipotowe Palu" in page and "Terapi psikososial (ATENSI A4)" in page
    assert page.index("BP3MI Sulawesi Tengah") < page.index("Sentra Nipotowe Palu")


def test_it_needs_a_login(client, db):
    assert client.get("/layanan/").status_code == 302
