"""Kemendagri region codes (kode wilayah) for decoding NIK and KK numbers.

The first six digits of a NIK are the province, regency/city and district
(kecamatan) codes of the place where the number was first issued, in the
Kemendagri numbering. BPS statistical codes number the same places differently,
so only Kemendagri codes may be used here.

Codes are written dotted, as Kemendagri publishes them: ``"72"`` (province),
``"72.71"`` (regency or city), ``"72.71.05"`` (district), ``"72.71.05.1001"``
(village). :func:`dotted_code` and :func:`dotless_code` convert between that and
the bare digits found inside a NIK.

:class:`RegionDirectory` reads the CSV files shipped with the project. Anything
that answers the :class:`RegionLookup` protocol can stand in for it, so the
Django layer can pass a lookup backed by its own region tables.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Protocol

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "regions" / "data" / "wilayah"

# Digits per dotted part: province 2, regency 2, district 2, village 4.
_PART_LENGTHS = (2, 2, 2, 4)


class RegionLevel(StrEnum):
    PROVINCE = "province"
    REGENCY = "regency"
    DISTRICT = "district"
    VILLAGE = "village"


_LEVEL_BY_PARTS = {
    1: RegionLevel.PROVINCE,
    2: RegionLevel.REGENCY,
    3: RegionLevel.DISTRICT,
    4: RegionLevel.VILLAGE,
}


@dataclass(frozen=True, slots=True)
class Region:
    """One administrative region; ``code`` is dotted."""

    code: str
    name: str
    level: RegionLevel

    @property
    def parent_code(self) -> str | None:
        """The dotted code of the region one level up, or None for a province."""
        head, dot, _ = self.code.rpartition(".")
        return head if dot else None


class RegionLookup(Protocol):
    """What the NIK parser needs to know about regions.

    Codes are passed dotted (``"72.71.05"``). An implementation returns None for
    a code it does not know; it should not raise for a well-formed unknown code.
    """

    def province(self, code: str) -> Region | None: ...

    def regency(self, code: str) -> Region | None: ...

    def district(self, code: str) -> Region | None: ...


def dotted_code(code: str) -> str:
    """``"727105"`` -> ``"72.71.05"``; an already dotted code is checked and returned.

    Accepts 2, 4, 6 or 10 digits (province to village). Raises ValueError for
    anything else, because a silently mis-split code would point at the wrong
    place.
    """
    digits = code.strip().replace(".", "")
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"Region code {code!r} must contain only digits and dots.")
    parts: list[str] = []
    position = 0
    for length in _PART_LENGTHS:
        if position == len(digits):
            break
        parts.append(digits[position : position + length])
        position += length
    if position != len(digits) or not parts:
        raise ValueError(f"Region code {code!r} must have 2, 4, 6 or 10 digits, not {len(digits)}.")
    dotted = ".".join(parts)
    if "." in code and code.strip() != dotted:
        raise ValueError(f"Region code {code!r} is dotted in the wrong places; expected {dotted!r}.")
    return dotted


def dotless_code(code: str) -> str:
    """``"72.71.05"`` -> ``"727105"`` (the form embedded in a NIK)."""
    return dotted_code(code).replace(".", "")


def region_level(code: str) -> RegionLevel:
    """The level a code denotes, from its length (``"72.71"`` is a regency)."""
    return _LEVEL_BY_PARTS[dotted_code(code).count(".") + 1]


class RegionDirectory:
    """Province, regency and district codes held in memory.

    Villages (83,000 rows) are not loaded: decoding a NIK never needs them, and
    loading them would slow every process that only parses NIKs.
    """

    def __init__(self, regions: Iterable[Region]) -> None:
        self._by_level: dict[RegionLevel, dict[str, Region]] = {
            RegionLevel.PROVINCE: {},
            RegionLevel.REGENCY: {},
            RegionLevel.DISTRICT: {},
        }
        for region in regions:
            if region.level not in self._by_level:
                raise ValueError(f"RegionDirectory does not hold {region.level} regions ({region.code}).")
            if region_level(region.code) is not region.level or dotted_code(region.code) != region.code:
                raise ValueError(f"Region code {region.code!r} does not match level {region.level}.")
            self._by_level[region.level][region.code] = region

    @classmethod
    def from_csv_dir(cls, directory: Path) -> RegionDirectory:
        """Load ``provinces.csv``, ``regencies.csv`` and ``districts.csv`` from a directory.

        Each child row must name a parent that exists and whose code prefixes its
        own: a broken file should fail at load, not decode NIKs wrongly later.
        """
        regions: list[Region] = []
        known_parents: set[str] = set()
        files = (
            ("provinces.csv", RegionLevel.PROVINCE, None),
            ("regencies.csv", RegionLevel.REGENCY, "province_code"),
            ("districts.csv", RegionLevel.DISTRICT, "regency_code"),
        )
        for filename, level, parent_column in files:
            path = directory / filename
            level_codes: set[str] = set()
            with path.open(encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle):
                    where = f"{path}, code {row.get('code')!r}"
                    try:
                        region = Region(
                            code=dotted_code(row["code"]),
                            name=row["name"].strip(),
                            level=level,
                        )
                    except (KeyError, ValueError) as error:
                        raise ValueError(f"{where}: {error}") from error
                    if region_level(region.code) is not level:
                        raise ValueError(f"{where}: not a {level} code.")
                    if parent_column is not None:
                        parent = row.get(parent_column, "")
                        if parent != region.parent_code or parent not in known_parents:
                            raise ValueError(f"{where}: parent {parent!r} is unknown or does not prefix the code.")
                    regions.append(region)
                    level_codes.add(region.code)
            known_parents = level_codes
        return cls(regions)

    @classmethod
    def default(cls) -> RegionDirectory:
        """The directory shipped with the project, loaded once per process."""
        return _default_directory()

    def province(self, code: str) -> Region | None:
        return self._get(RegionLevel.PROVINCE, code)

    def regency(self, code: str) -> Region | None:
        return self._get(RegionLevel.REGENCY, code)

    def district(self, code: str) -> Region | None:
        return self._get(RegionLevel.DISTRICT, code)

    def regions(self, level: RegionLevel) -> tuple[Region, ...]:
        """All regions of one level (province, regency or district), in code order."""
        return tuple(sorted(self._by_level[level].values(), key=lambda region: region.code))

    def children(self, code: str) -> tuple[Region, ...]:
        """The regions directly under a province or regency, in code order."""
        level = region_level(code)
        child_level = {
            RegionLevel.PROVINCE: RegionLevel.REGENCY,
            RegionLevel.REGENCY: RegionLevel.DISTRICT,
        }.get(level)
        if child_level is None:
            return ()
        parent = dotted_code(code)
        return tuple(region for region in self.regions(child_level) if region.parent_code == parent)

    def _get(self, level: RegionLevel, code: str) -> Region | None:
        # Lookups accept dotted or dotless codes; a malformed code is simply not
        # a region, which is the answer the caller needs ("no such place").
        try:
            dotted = dotted_code(code)
        except ValueError:
            return None
        return self._by_level[level].get(dotted)


@cache
def _default_directory() -> RegionDirectory:
    return RegionDirectory.from_csv_dir(DEFAULT_DATA_DIR)
