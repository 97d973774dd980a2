"""Kemendagri region codes for the generator, read from the CSVs shipped in ``sinergi.regions``.

``villages.csv`` covers the whole country (about 3 MB); we keep only one province's rows,
parsed once per process (``functools.cache``). Results are sorted by code so nothing
depends on file or dict order.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable


@dataclass(frozen=True, slots=True)
class Regency:
    code: str  # "72.02"
    name: str  # "Kabupaten Poso"

    @property
    def short_name(self) -> str:
        """The name as written in a birth place: "Poso", "Palu"."""
        for prefix in ("Kabupaten ", "Kota "):
            if self.name.startswith(prefix):
                return self.name.removeprefix(prefix)
        return self.name


@dataclass(frozen=True, slots=True)
class District:
    code: str  # "72.02.01"
    name: str


@dataclass(frozen=True, slots=True)
class Village:
    code: str  # "72.02.01.1001"
    name: str

    @property
    def district_code(self) -> str:
        return self.code[:8]

    @property
    def regency_code(self) -> str:
        return self.code[:5]

    @property
    def is_kelurahan(self) -> bool:
        """Urban ward (1xxx) rather than a rural desa (2xxx): decides street vs dusun addresses."""
        return self.code[9] == "1"


@dataclass(frozen=True, slots=True)
class Province:
    code: str
    regencies: tuple[Regency, ...]
    districts_by_regency: dict[str, tuple[District, ...]]
    villages_by_regency: dict[str, tuple[Village, ...]]

    @property
    def districts(self) -> tuple[District, ...]:
        return tuple(d for r in self.regencies for d in self.districts_by_regency[r.code])


def _data_file(name: str) -> Traversable:
    return files("sinergi.regions").joinpath("data", "wilayah", name)


def _rows(name: str, prefix: str = "") -> Iterator[list[str]]:
    """CSV rows whose line starts with ``prefix``; the header never does, unless prefix is ""."""
    with _data_file(name).open("r", encoding="utf-8") as handle:
        lines = (line for line in handle if line.startswith(prefix)) if prefix else handle
        reader = csv.reader(lines)
        if not prefix:
            next(reader)  # header
        yield from reader


@cache
def all_regencies() -> dict[str, Regency]:
    return {code: Regency(code, name) for code, _province, name in sorted(_rows("regencies.csv"))}


@cache
def all_districts() -> dict[str, District]:
    return {code: District(code, name) for code, _regency, name in sorted(_rows("districts.csv"))}


@cache
def districts_of_regency(regency_code: str) -> tuple[District, ...]:
    prefix = regency_code + "."
    return tuple(d for code, d in all_districts().items() if code.startswith(prefix))


@cache
def load_province(code: str) -> Province:
    """Regencies, districts and villages of one province (``"72"`` = Sulawesi Tengah)."""
    if len(code) != 2 or not code.isdigit():
        raise ValueError(f"province code must be two digits, got {code!r}")
    prefix = code + "."
    regencies = tuple(r for c, r in all_regencies().items() if c.startswith(prefix))
    villages: dict[str, list[Village]] = {r.code: [] for r in regencies}
    for village_code, _district, name in _rows("villages.csv", prefix):
        villages[village_code[:5]].append(Village(village_code, name))
    populated = tuple(r for r in regencies if villages[r.code])
    if not populated:
        raise ValueError(f"no villages for province {code!r} in the shipped region data")
    return Province(
        code=code,
        regencies=populated,
        districts_by_regency={r.code: districts_of_regency(r.code) for r in populated},
        villages_by_regency={r.code: tuple(sorted(villages[r.code], key=lambda v: v.code)) for r in populated},
    )
