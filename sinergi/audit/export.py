"""The audit trail as CSV or XLSX, for an auditor's own analysis or a report to the authority."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Final

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]

from sinergi.audit.models import AuditEvent

# An export is one query held to this many rows; narrow the search (dates) for more.
MAX_EXPORT_ROWS: Final = 100_000


def header() -> list[str]:
    return [
        _("Event"),
        _("When (WITA)"),
        _("User name"),
        _("Who"),
        _("Agency"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        _("Summary"),
        _("Via"),
        _("IP address"),
        _("Chain position"),
        _("Chain hash"),
    ]


def rows(events: QuerySet[AuditEvent]) -> Iterator[list[str]]:
    zone = timezone.get_default_timezone()
    for event in events[:MAX_EXPORT_ROWS].iterator(chunk_size=2000):
        yield [
            str(event.pk),
            event.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
            event.actor.username if event.actor else "",
            event.actor.display_name if event.actor else "",
            event.agency.code if event.agency else "",
            event.action,
            event.object_type,
            event.object_id,
            event.summary,
            event.via,
            event.ip_address or "",
            "" if event.seq is None else str(event.seq),
            event.chain_hash,
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """CSV with a byte-order mark so that Excel opens it as UTF-8; streamed line by line."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header())
    for row in rows(events):
        yield writer.writerow([_defused(value) for value in row])


def _defused(value: str) -> str:
    # A cell starting with = + - @ would be run as a formula by a spreadsheet (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def xlsx_bytes(events: QuerySet[AuditEvent]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Audit trail"))
    sheet.append(header())
    for row in rows(events):
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", _defused(value)) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
