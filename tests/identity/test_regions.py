from __future__ import annotations

from pathlib import Path

import pytest

from sinergi.identity.regions import (
    DEFAULT_DATA_DIR,
    Region,
    RegionDirectory,
    RegionLevel,
    dotless_code,
    dotted_code,
    region_level,
)


def test_it_converts_between_dotless_and_dotted_codes() -> None:
    assert dotted_code("727105") == "72.71.05"
    assert dotted_code("72") == "72"
    assert dotted_code("7271052001") == "72.71.05.2001"
    assert dotted_code("72.71.05") == "72.71.05"
    assert dotless_code("72.71.05") == "727105"
    assert region_level("72.71") is RegionLevel.REGENCY


@pytest.mark.parametrize("code", ["", "7", "72710", "72.7105", "7a", "72.71.05.20011"])
def test_it_refuses_malformed_codes(code: str) -> None:
    with pytest.raises(ValueError):
        dotted_code(code)


def test_it_looks_up_the_shipped_kemendagri_codes() -> None:
    directory = RegionDirectory.default()

    assert directory.province("72") == Region("72", "Sulawesi Tengah", RegionLevel.PROVINCE)
    assert directory.regency("72.71") == Region("72.71", "Kota Palu", RegionLevel.REGENCY)
    assert directory.district("727105") == Region("72.71.05", "Ulujadi", RegionLevel.DISTRICT)
    assert directory.district("72.71.99") is None
    assert directory.district("not a code") is None
    assert directory.regency("72") is None
    assert directory.district("72.71.05").parent_code == "72.71"  # type: ignore[union-attr]


def test_it_loads_once_and_counts_every_region_but_villages() -> None:
    directory = RegionDirectory.default()

    assert directory is RegionDirectory.default()
    assert len(directory.regions(RegionLevel.PROVINCE)) == 38
    assert len(directory.regions(RegionLevel.REGENCY)) == 514
    assert len(directory.regions(RegionLevel.DISTRICT)) == 7285
    assert [region.code for region in directory.children("72")][-2:] == [
        "72.12",
        "72.71",
    ]
    assert len(directory.children("72")) == 13


def write_tables(directory: Path, districts: str) -> None:
    (directory / "provinces.csv").write_text("code,name\n72,Sulawesi Tengah\n", encoding="utf-8")
    (directory / "regencies.csv").write_text("code,province_code,name\n72.71,72,Kota Palu\n", encoding="utf-8")
    (directory / "districts.csv").write_text("code,regency_code,name\n" + districts, encoding="utf-8")


def test_it_loads_a_directory_of_tables(tmp_path: Path) -> None:
    write_tables(tmp_path, "72.71.05,72.71,Ulujadi\n")

    directory = RegionDirectory.from_csv_dir(tmp_path)

    assert directory.district("72.71.05") == Region("72.71.05", "Ulujadi", RegionLevel.DISTRICT)


@pytest.mark.parametrize(
    "districts",
    [
        "72.71.05,72.01,Ulujadi\n",
        "72.71.05,72.71.05,Ulujadi\n",
        "72.71,72.71,Palu\n",
        "72.71.0x,72.71,Ulujadi\n",
    ],
)
def test_it_fails_loudly_on_a_broken_table(tmp_path: Path, districts: str) -> None:
    write_tables(tmp_path, districts)

    with pytest.raises(ValueError, match=r"districts\.csv"):
        RegionDirectory.from_csv_dir(tmp_path)


def test_it_ships_its_data_next_to_the_package() -> None:
    assert (DEFAULT_DATA_DIR / "README.txt").is_file()
