"""The identity core's RegionLookup backed by the region table (one query per level, cached per process)."""

from __future__ import annotations

from functools import cache

from sinergi.identity.regions import Region as RegionInfo
from sinergi.identity.regions import RegionLevel as InfoLevel
from sinergi.regions.models import Region, RegionLevel

INFO_LEVELS = {
    RegionLevel.PROVINCE: InfoLevel.PROVINCE,
    RegionLevel.REGENCY: InfoLevel.REGENCY,
    RegionLevel.DISTRICT: InfoLevel.DISTRICT,
}


class DatabaseRegions:
    def __init__(self) -> None:
        self._by_level: dict[int, dict[str, str]] = {}

    def _names(self, level: RegionLevel) -> dict[str, str]:
        if level not in self._by_level:
            self._by_level[level] = dict(Region.objects.filter(level=level).values_list("code", "name"))
        return self._by_level[level]

    def _get(self, level: RegionLevel, code: str) -> RegionInfo | None:
        name = self._names(level).get(code)
        return RegionInfo(code=code, name=name, level=INFO_LEVELS[level]) if name is not None else None

    def province(self, code: str) -> RegionInfo | None:
        return self._get(RegionLevel.PROVINCE, code)

    def regency(self, code: str) -> RegionInfo | None:
        return self._get(RegionLevel.REGENCY, code)

    def district(self, code: str) -> RegionInfo | None:
        return self._get(RegionLevel.DISTRICT, code)


@cache
def database_regions() -> DatabaseRegions:
    """Region codes change by decree a few times a year; a restart after `load_regions` picks them up."""
    return DatabaseRegions()
