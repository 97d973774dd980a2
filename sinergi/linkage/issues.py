"""Problems a data officer can fix: a file that cannot be read, a mapping that does not fit.

Like the identity core, each problem carries a Bahasa Indonesia and an English
text (:class:`~sinergi.identity.issues.Issue`) and a machine ``code``; the
command line prints the Indonesian text first. Problems with single values (a
NIK damaged by Excel, a date that cannot be read) are not errors: preparation
counts them and leaves the value out, see :mod:`sinergi.linkage.prepare`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sinergi.identity.issues import Issue


class LinkageErrorCode(StrEnum):
    FILE_NOT_FOUND = "file_not_found"
    UNSUPPORTED_FORMAT = "unsupported_format"
    UNREADABLE_FILE = "unreadable_file"
    EMPTY_FILE = "empty_file"
    SHEET_NOT_FOUND = "sheet_not_found"
    DUPLICATE_COLUMNS = "duplicate_columns"
    TOO_LARGE = "too_large"
    BAD_MAPPING = "bad_mapping"
    UNKNOWN_FIELD = "unknown_field"
    UNKNOWN_COLUMN = "unknown_column"
    FIELD_MAPPED_TWICE = "field_mapped_twice"
    NO_NAME = "no_name"
    EMPTY_ID = "empty_id"
    DUPLICATE_ID = "duplicate_id"
    MODEL_INVALID = "model_invalid"
    BAD_THRESHOLD = "bad_threshold"
    NO_ID = "no_id"
    SPARK_SETUP = "spark_setup"


@dataclass(frozen=True, slots=True)
class LinkageIssue(Issue[LinkageErrorCode]):
    """One problem with a file, a mapping or a model; ``field`` names the file, column or option."""


class LinkageError(Exception):
    """Raised for a problem the user must fix; ``issue`` says what and how, in both languages."""

    def __init__(self, issue: LinkageIssue) -> None:
        super().__init__(issue.message_en)
        self.issue = issue


def fail(code: LinkageErrorCode, field: str, message_id: str, message_en: str) -> LinkageError:
    """An error ready to raise: ``raise fail(...)``."""
    return LinkageError(LinkageIssue(code=code, field=field, message_id=message_id, message_en=message_en))
