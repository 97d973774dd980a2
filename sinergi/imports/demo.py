"""Demo: one finished import of BP3MI's data officer, so *Impor data* shows a real one on first login.

The file is built from the demo registry, as another system's export of the same persons would be: rows that
link by NIK (one of them adding the country of placement), two persons the registry does not have yet, and
one NIK that Excel turned into ``7.27105E+15``, which the check refuses with its reason. It runs through the
same services as the page, in this process (no worker needed); the tasks the services queue meanwhile find
the import already done and do nothing. Persons of the README's walk-through and of the sample file are left
out, so the README's own import still shows what it says.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from sinergi.accounts.models import User
from sinergi.demo.seeding import WALKTHROUGH_NAMES
from sinergi.imports import services
from sinergi.imports.models import ImportBatch
from sinergi.registry.models import Person

DEMO_SOURCE = "Ekspor SIKS-NG (contoh)"
DEMO_FILE = "contoh-ekspor-siks-ng.csv"
HEADER = ["ID SIKS", "Nama Lengkap", "NIK", "Tgl Lahir", "JK", "Kode Wilayah", "Negara Penempatan"]
NEW_PERSONS = [
    ["SIKS-9001", "Wahyuni Lamarauna", "", "03/04/1993", "P", "72.10.06", "Malaysia"],
    ["SIKS-9002", "Andi Baso Tahir", "", "17/11/1988", "L", "72.71.01", "Arab Saudi"],
]
MANGLED_NIK = ["SIKS-9003", "Nurlela Tombolotutu", "7.27105E+15", "09/09/1991", "P", "72.71.05", "Hong Kong"]
LINKED = 5
SAMPLE_FILE = Path(__file__).resolve().parent / "samples" / "ekspor-sisko-p2mi.csv"


def seed_demo_import(operator: User) -> ImportBatch | None:
    """The finished demo import (None when the agency already has an import: the seeding is idempotent)."""
    if ImportBatch.objects.filter(created_by__agency_id=operator.agency_pk).exists():
        return None
    upload = SimpleUploadedFile(DEMO_FILE, _export(operator), content_type="text/csv")
    batch = services.start_import(actor=operator, upload=upload, source_name=DEMO_SOURCE)
    batch = services.choose_mapping(actor=operator, batch_id=batch.pk, mapping=batch.column_mapping, remember=True)
    services.run_analysis(batch.pk, batch.run_token)
    batch.refresh_from_db()
    if services.confirm_import(actor=operator, batch_id=batch.pk):
        batch.refresh_from_db()
        services.run_apply(batch.pk, batch.run_token)
    batch.refresh_from_db()
    return batch


def _export(operator: User) -> bytes:
    known = (
        Person.objects.filter(registered_by_agency_id=operator.agency_pk, merged_into=None, birth_date__isnull=False)
        .exclude(nik="")
        .exclude(full_name__in=WALKTHROUGH_NAMES)
        .exclude(nik__in=_sample_niks())
        .order_by("pk")[:LINKED]
    )
    rows = [
        [
            f"SIKS-{1000 + index}",
            person.full_name,
            person.nik,
            person.birth_date.strftime("%d/%m/%Y") if person.birth_date else "",
            person.sex,
            person.region_id or "",
            "Malaysia" if index == 0 else "",
        ]
        for index, person in enumerate(known)
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([HEADER, *rows, *NEW_PERSONS, MANGLED_NIK])
    return out.getvalue().encode("utf-8")


def _sample_niks() -> set[str]:
    with SAMPLE_FILE.open(encoding="utf-8") as sample:
        return {row["NIK"] for row in csv.DictReader(sample)}
