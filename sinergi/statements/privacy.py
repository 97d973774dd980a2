"""The privacy check of a public statement: what in the text could identify the person or reveal what the law
keeps confidential (UU TPPO Pasal 44: a trafficking victim and family to the second degree; UU PDP: children's
and health data; UU KIP Pasal 17: personal health, family and the identity of victims).

`find_privacy_issues` is pure: the caller gives the names, villages and identifiers known for the case
(`PrivacyContext`), so the rules are tested without a database. Names are compared with the registry's own
name similarity, so "Rachmat Hidajat" is found when the registry holds "Rahmat Hidayat".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from django.utils.translation import gettext as _

from sinergi.identity.names import name_similarity, normalize_name
from sinergi.statements.models import FlagKind

# Same similarity the registry search treats as "probably the same name".
NAME_THRESHOLD: Final = 0.85

_NIK: Final = re.compile(r"(?<!\d)(?:\d[\s.]?){15}\d(?!\d)")
_PHONE: Final = re.compile(r"(?<![\w+])(?:\+62|62|0)[\s-]?8\d(?:[\s-]?\d){6,11}(?!\d)")
_PASSPORT: Final = re.compile(r"\b[A-Z]{1,2}\s?\d{6,7}\b")
_ADDRESS: Final = re.compile(
    r"\b(?:Jl\.?|Jln\.?|Jalan|Gg\.?|Gang|Lorong|Dusun|Dsn\.?|RT\s?\d+|RW\s?\d+|No\.?\s?\d+|Blok\s+\w+)\b[^,.;\n]{0,40}",
    re.IGNORECASE,
)
_VILLAGE_WORD: Final = re.compile(r"\b(?:Desa|Kelurahan|Kel\.|Ds\.)\s+[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)?")
_WORDS: Final = re.compile(r"[A-Za-zÀ-ÿ'’-]+")

SENSITIVE: Final[dict[str, tuple[str, ...]]] = {
    FlagKind.TRAFFICKING: (
        "korban perdagangan orang",
        "korban tppo",
        "perdagangan orang",
        "diperdagangkan",
        "trafficking",
        "eksploitasi seksual",
        "dijual",
    ),
    FlagKind.CHILD: ("anak di bawah umur", "di bawah umur", "usia anak", "masih anak", "pelajar", "siswi", "siswa"),
    FlagKind.HEALTH: (
        "rumah sakit",
        "rsj",
        "dirawat",
        "gangguan jiwa",
        "depresi",
        "trauma",
        "hamil",
        "keguguran",
        "hiv",
        "luka",
        "cacat",
        "diagnosis",
        "sakit",
    ),
}


@dataclass(frozen=True)
class PrivacyContext:
    """What is known about the case's person: their names, family members' names, villages and identifiers."""

    person_names: tuple[str, ...] = ()
    family_names: tuple[str, ...] = ()
    villages: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    address: str = ""


@dataclass(frozen=True)
class Finding:
    kind: str
    match: str
    reason: str
    start: int = field(default=0, compare=False)


def find_privacy_issues(text: str, context: PrivacyContext) -> list[Finding]:
    """Every finding once per (kind, text found), in the order they appear in the text."""
    findings: list[Finding] = []
    findings += _pattern(text, _NIK, FlagKind.NIK, _("A NIK identifies the person: remove it."))
    findings += _pattern(text, _PHONE, FlagKind.PHONE, _("A phone number identifies a person: remove it."))
    findings += _pattern(text, _PASSPORT, FlagKind.PASSPORT, _("A passport number identifies the person."))
    for identifier in context.identifiers:
        if len(identifier) >= 6 and identifier in text:
            findings.append(
                Finding(FlagKind.PASSPORT, identifier, _("An identifier of the person."), text.index(identifier))
            )
    findings += _pattern(text, _ADDRESS, FlagKind.ADDRESS, _("An exact address points to the person's home."))
    findings += _pattern(text, _VILLAGE_WORD, FlagKind.VILLAGE, _("A village narrows the person down to a few houses."))
    findings += _villages(text, context.villages)
    findings += _names(text, context.person_names, FlagKind.NAME, _("The name of the person (or a spelling of it)."))
    findings += _names(
        text,
        context.family_names,
        FlagKind.FAMILY,
        _("The name of a family member (or a spelling of it): UU TPPO Pasal 44 protects family too."),
    )
    lowered = text.casefold()
    reasons: dict[str, str] = {
        FlagKind.TRAFFICKING: _("Says or implies the person is a trafficking victim (UU TPPO Pasal 44)."),
        FlagKind.CHILD: _("Says or implies the person is a child (UU PDP: children's data)."),
        FlagKind.HEALTH: _("Reveals health (UU PDP specific data; UU KIP exempts personal health)."),
    }
    for kind, phrases in SENSITIVE.items():
        for phrase in phrases:
            for found in re.finditer(rf"\b{re.escape(phrase)}\b", lowered):
                findings.append(Finding(kind, text[found.start() : found.end()], str(reasons[kind]), found.start()))
    return _once(findings)


def _pattern(text: str, pattern: re.Pattern[str], kind: str, reason: str) -> list[Finding]:
    return [Finding(kind, found.group(0).strip(), str(reason), found.start()) for found in pattern.finditer(text)]


def _villages(text: str, villages: tuple[str, ...]) -> list[Finding]:
    reason = str(_("A village narrows the person down to a few houses."))
    found: list[Finding] = []
    for village in villages:
        if len(village) < 4:
            continue
        for hit in re.finditer(rf"(?<!\w){re.escape(village)}(?!\w)", text, re.IGNORECASE):
            found.append(Finding(FlagKind.VILLAGE, hit.group(0), reason, hit.start()))
    return found


def _names(text: str, names: tuple[str, ...], kind: str, reason: str) -> list[Finding]:
    """Windows of the text's words as long as each name (and one word shorter) that read as that name."""
    words = list(_WORDS.finditer(text))
    found: list[Finding] = []
    for name in names:
        normalized = normalize_name(name)
        if not normalized.tokens:
            continue
        size = len(name.split())
        for width in sorted({size, max(1, size - 1)}):
            for start in range(len(words) - width + 1):
                window = words[start : start + width]
                written = text[window[0].start() : window[-1].end()]
                if not written[:1].isupper():
                    continue  # names are written capitalised; this keeps common words out
                if name_similarity(written, normalized) >= NAME_THRESHOLD:
                    found.append(Finding(kind, written, str(reason), window[0].start()))
    return found


def _once(findings: list[Finding]) -> list[Finding]:
    """One finding per (kind, text); of overlapping findings of one kind, the longest ("Rachmat Hidajat", not
    also "Hidajat")."""
    seen: set[tuple[str, str]] = set()
    taken: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.start, -len(f.match))):
        end = finding.start + len(finding.match)
        overlaps = any(
            other.kind == finding.kind and other.start < end and finding.start < other.start + len(other.match)
            for other in taken
        )
        key = (finding.kind, finding.match.casefold())
        if key not in seen and not overlaps:
            seen.add(key)
            taken.append(finding)
    return taken
