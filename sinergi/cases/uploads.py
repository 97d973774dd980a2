"""Attachment checks: allowed types, size, and content that matches the extension (magic bytes)."""

from __future__ import annotations

import re
import zipfile
from pathlib import PurePath

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
# extension → (content type, check of the first bytes)
ALLOWED = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def extension(name: str) -> str:
    return PurePath(name).suffix.lower()


def content_type_for(name: str) -> str:
    return ALLOWED.get(extension(name), "application/octet-stream")


def safe_name(name: str) -> str:
    base = PurePath(name).name
    return re.sub(r"[^\w.\- ]", "_", base)[:200] or "file"


def _content_matches(ext: str, head: bytes, upload: UploadedFile[bytes]) -> bool:
    if ext == ".pdf":
        return head.startswith(b"%PDF-")
    if ext in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in (".docx", ".xlsx"):
        if not head.startswith(b"PK\x03\x04"):
            return False
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return False
        finally:
            upload.seek(0)
        return "[Content_Types].xml" in names and (
            ("word/document.xml" in names) if ext == ".docx" else ("xl/workbook.xml" in names)
        )
    return False


def check_upload(upload: UploadedFile[bytes]) -> str | None:
    """None if the file may be stored, else a message saying what is wrong and what to do."""
    ext = extension(upload.name or "")
    if ext not in ALLOWED:
        return _("Files of type %(ext)s are not accepted. Use PDF, JPG, PNG, DOCX or XLSX.") % {"ext": ext or "?"}
    if (upload.size or 0) > MAX_BYTES:
        return _("The file is %(size)s MB; the limit is 10 MB. Compress or split it.") % {
            "size": f"{(upload.size or 0) / 1024 / 1024:.1f}"
        }
    if not upload.size:
        return _("The file is empty. Choose the file again.")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not _content_matches(ext, head, upload):
        return _("The content of this file is not a %(ext)s file. Save it in the right format and upload it again.") % {
            "ext": ext.lstrip(".").upper()
        }
    return None
