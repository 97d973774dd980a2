"""Where an uploaded export waits between the upload and the end of its import, and what is accepted.

Files are written under ``SINERGI_IMPORT_DIR`` (default ``var/imports``): inside the private var directory,
never under the web root or MEDIA, readable by the server's user only. They are streamed to disk in chunks
(Django keeps uploads over 2.5 MB in a temporary file, never in memory) and hashed on the way. The size
limit ``SINERGI_IMPORT_MAX_BYTES`` (default 200 MB) is checked from the upload's declared size before a
byte is read. A file is deleted when its batch is done, cancelled or refused.
"""

from __future__ import annotations

import codecs
import hashlib
import secrets
from pathlib import Path, PurePath
from typing import Final

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES: Final = 200 * 1024 * 1024
CSV_SUFFIXES: Final = frozenset({".csv"})
XLSX_SUFFIXES: Final = frozenset({".xlsx"})
# First bytes of files people save by mistake under a .csv name.
_BINARY_SIGNATURES: Final = (
    b"PK\x03\x04",  # a zip: an .xlsx or .docx renamed
    b"\xd0\xcf\x11\xe0",  # old Office (.xls, .doc)
    b"%PDF-",
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
)


class UploadRefused(Exception):
    """The file cannot be imported; the message says why and what to do instead."""


def max_bytes() -> int:
    return int(getattr(settings, "SINERGI_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def upload_dir() -> Path:
    configured = getattr(settings, "SINERGI_IMPORT_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "imports"


def file_suffix(name: str) -> str:
    return PurePath(name).suffix.lower()


def check_upload(upload: UploadedFile[bytes]) -> None:
    """Refuse what cannot be an import before storing it: wrong type, too big, empty, binary under .csv."""
    name = upload.name or ""
    suffix = file_suffix(name)
    if suffix == ".xls":
        raise UploadRefused(
            _("%(name)s is an old Excel file (.xls). Open it in Excel and save it as .xlsx or CSV, then upload it.")
            % {"name": name}
        )
    if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
        raise UploadRefused(
            _("%(name)s is not a CSV or XLSX file. Export the data from its system as .csv or .xlsx.")
            % {"name": name or "?"}
        )
    size = upload.size or 0
    if size > max_bytes():
        raise UploadRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files and import each.")
            % {"size": f"{size / 1024 / 1024:.0f}", "limit": f"{max_bytes() / 1024 / 1024:.0f}"}
        )
    if size == 0:
        raise UploadRefused(_("The file is empty. Export the data again and upload the new file."))
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if suffix in XLSX_SUFFIXES and not head.startswith(b"PK\x03\x04"):
        raise UploadRefused(
            _("%(name)s is named .xlsx but is not an Excel workbook. Save it in Excel as .xlsx and upload it again.")
            % {"name": name}
        )
    if suffix in CSV_SUFFIXES and _binary(head):
        raise UploadRefused(
            _("%(name)s is named .csv but is not a text file. Save the data as CSV (or .xlsx) and upload it again.")
            % {"name": name}
        )


def _binary(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return head.startswith(_BINARY_SIGNATURES) or b"\x00" in head


def store_upload(upload: UploadedFile[bytes]) -> tuple[Path, str, int]:
    """Write the upload under the private import directory; returns (path, sha256, size)."""
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / f"{secrets.token_hex(16)}{file_suffix(upload.name or '')}"
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    with path.open("xb") as handle:
        path.chmod(0o600)
        for chunk in upload.chunks():
            digest.update(chunk)
            size += len(chunk)
            handle.write(chunk)
    return path, digest.hexdigest(), size


def delete_stored(stored_path: str) -> None:
    """Remove a stored upload; a file already gone is fine (a second cleanup, or removed by hand)."""
    if stored_path:
        Path(stored_path).unlink(missing_ok=True)


def safe_file_name(name: str) -> str:
    """The uploaded file's own name, without any folder part, as shown to users and kept as provenance."""
    return PurePath(name.replace("\\", "/")).name[:255] or "file"
