"""Loading the shipped Kemendagri tables: idempotent, repairs missing and renamed rows."""

from __future__ import annotations

from pathlib import Path

from sinergi.regions.loading import load_regions, read_regions
from sinergi.regions.lookup import database_regions
from sinergi.regions.models import Region, RegionLevel
from sinergi.testing.fixtures import TEST_PROVINCES


def test_it_has_loaded_the_test_regions(db):
    assert Region.objects.get(code="72").name == "Sulawesi Tengah"
    assert Region.objects.get(code="72.71.05").parent_id == "72.71"
    assert Region.objects.filter(level=RegionLevel.PROVINCE).count() == 38
    assert Region.objects.filter(level=RegionLevel.REGENCY).count() == 514
    assert Region.objects.filter(level=RegionLevel.DISTRICT).count() == 7285
    # Villages of Sulawesi Tengah only (TEST_PROVINCES), not of Aceh.
    assert Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith="72.").exists()
    assert not Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith="11.").exists()


def test_it_changes_nothing_on_a_second_load(db):
    assert load_regions(provinces=TEST_PROVINCES) == 0
    assert load_regions(provinces=TEST_PROVINCES) == 0


def test_it_adds_missing_rows_and_restores_renamed_ones_once(db):
    villages = Region.objects.filter(parent_id="72.71.05")
    missing = villages.count()
    assert missing > 0
    villages.delete()
    Region.objects.filter(code="72.71.06").update(name="Tatanga Lama")

    assert load_regions(provinces=TEST_PROVINCES) == missing + 1
    assert Region.objects.filter(parent_id="72.71.05").count() == missing
    assert Region.objects.get(code="72.71.06").name == "Tatanga"
    assert load_regions(provinces=TEST_PROVINCES) == 0


def test_it_forgets_cached_names_after_a_rename(db):
    Region.objects.filter(code="72.71.05").update(name="Ulujadi Lama")
    database_regions.cache_clear()
    try:
        assert database_regions().district("72.71.05").name == "Ulujadi Lama"  # cached per process
        assert load_regions(provinces=TEST_PROVINCES) == 1
        assert database_regions().district("72.71.05").name == "Ulujadi"
    finally:
        database_regions.cache_clear()  # the rollback after this test must not leave a stale cache behind


def test_it_reads_parents_before_children(tmp_path: Path):
    (tmp_path / "provinces.csv").write_text("code,name\n72,Sulawesi Tengah\n")
    (tmp_path / "regencies.csv").write_text("code,province_code,name\n72.71,72,Kota Palu\n")
    (tmp_path / "districts.csv").write_text("code,regency_code,name\n72.71.05,72.71,Ulujadi\n")
    (tmp_path / "villages.csv").write_text(
        "code,district_code,name\n72.71.05.1001,72.71.05,Buluri\n11.01.01.2001,11.01.01,Keude Bakongan\n"
    )
    regions = [(r.code, r.level, r.parent_id) for r in read_regions(tmp_path, provinces={"72"})]
    assert regions == [
        ("72", RegionLevel.PROVINCE, None),
        ("72.71", RegionLevel.REGENCY, "72"),
        ("72.71.05", RegionLevel.DISTRICT, "72.71"),
        ("72.71.05.1001", RegionLevel.VILLAGE, "72.71.05"),
    ]


def test_it_lists_ancestor_codes_from_the_province_down():
    assert Region(code="72.71.05.1001").ancestor_codes() == ["72", "72.71", "72.71.05", "72.71.05.1001"]
    assert Region(code="72.71.05").ancestor_codes() == ["72", "72.71", "72.71.05"]
    assert Region(code="72").ancestor_codes() == ["72"]
