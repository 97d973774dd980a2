"""Indonesian identity data without Django: NIK, names, phone numbers, region codes.

Pure Python so that the record-linkage code (and anything else) can use the
same rules as the web application. User-facing problems come as
:class:`~sinergi.identity.issues.Issue` values carrying both a Bahasa Indonesia
and an English message; the Django layer picks one by the active language.
"""

from sinergi.identity.issues import Issue
from sinergi.identity.names import (
    LOW_INFORMATION_WEIGHT,
    NormalizedName,
    name_similarity,
    normalize_name,
    phonetic_key,
)
from sinergi.identity.nik import (
    InvalidNik,
    NikDigitGroup,
    NikError,
    NikErrorCode,
    NikResult,
    NikWarning,
    NikWarningCode,
    ParsedNik,
    Sex,
    build_nik,
    looks_excel_mangled,
    parse_nik,
)
from sinergi.identity.phones import (
    PhoneError,
    PhoneErrorCode,
    PhoneResult,
    normalize_phone,
)
from sinergi.identity.regions import (
    Region,
    RegionDirectory,
    RegionLevel,
    RegionLookup,
    dotless_code,
    dotted_code,
    region_level,
)

__all__ = [
    "LOW_INFORMATION_WEIGHT",
    "InvalidNik",
    "Issue",
    "NikDigitGroup",
    "NikError",
    "NikErrorCode",
    "NikResult",
    "NikWarning",
    "NikWarningCode",
    "NormalizedName",
    "ParsedNik",
    "PhoneError",
    "PhoneErrorCode",
    "PhoneResult",
    "Region",
    "RegionDirectory",
    "RegionLevel",
    "RegionLookup",
    "Sex",
    "build_nik",
    "dotless_code",
    "dotted_code",
    "looks_excel_mangled",
    "name_similarity",
    "normalize_name",
    "normalize_phone",
    "parse_nik",
    "phonetic_key",
    "region_level",
]
