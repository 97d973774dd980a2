"""Load the shipped Kemendagri region tables (sinergi/regions/data/wilayah) into the database."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from django.db import transaction

from sinergi.regions.models import Region, RegionLevel

DATA_DIR = Path(__file__).resolve().parent / "data" / "wilayah"
FILES = [
    ("provinces.csv", RegionLevel.PROVINCE, None),
    ("regencies.csv", RegionLevel.REGENCY, "province_code"),
    ("districts.csv", RegionLevel.DISTRICT, "regency_code"),
    ("villages.csv", RegionLevel.VILLAGE, "district_code"),
]


def read_regions(data_dir: Path = DATA_DIR, *, provinces: set[str] | None = None) -> Iterator[Region]:
    """Regions in parent-before-child order; `provinces` limits villages to those provinces (tests)."""
    for filename, level, parent_column in FILES:
        with (data_dir / filename).open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                code = row["code"]
                if level == RegionLevel.VILLAGE and provinces is not None and code[:2] not in provinces:
                    continue
                yield Region(
                    code=code, name=row["name"], level=level, parent_id=row[parent_column] if parent_column else None
                )


def load_regions(data_dir: Path = DATA_DIR, *, provinces: set[str] | None = None, batch_size: int = 5000) -> int:
    """Insert the regions that are missing and rename changed ones; returns how many rows changed.

    Idempotent: a second run with the same files changes nothing.
    """
    existing = dict(Region.objects.values_list("code", "name"))
    to_create: list[Region] = []
    to_rename: list[Region] = []
    for region in read_regions(data_dir, provinces=provinces):
        known_name = existing.get(region.code)
        if known_name is None:
            to_create.append(region)
        elif known_name != region.name:
            to_rename.append(region)
    with transaction.atomic():
        Region.objects.bulk_create(to_create, batch_size=batch_size)
        Region.objects.bulk_update(to_rename, ["name"], batch_size=batch_size)
    if to_create or to_rename:
        from sinergi.regions.lookup import database_regions
        from sinergi.sources.normalisation import forget_region_codes

        database_regions.cache_clear()
        forget_region_codes()
    return len(to_create) + len(to_rename)
