"""Erasure "where the law allows" (UU 27/2022 Pasal 8 and 43): what can go, what must be kept and why, and the
anonymisation itself.

`plan_erasure(person)` is the dry run: the records that keep the person's identity in use by law (each with a
written reason in Indonesian, as the answer to the person quotes it) and what anonymising would change.
`anonymise_person(person)` applies it when nothing must be kept: names, NIK, phones, addresses, identifiers,
family links and the free text of every record about the person are replaced or removed, in the history tables
too; the facts statistics need (region, sex, birth year, kind, flags, dates, destination country) stay. Rows are
updated, never deleted where anything points at them, so foreign keys hold; the audit trail is not touched (its
events are sealed in a hash chain; they name the record, and a summary written before the erasure keeps the name
it had then: the audit trail's own retention decides about those).

Both take no actor and write no audit event: the request service (`services.answer_request`) and, later, the
retention task audit what they did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import Q

from sinergi.privacy.subject_access import SECTIONS
from sinergi.registry.models import (
    BirthDateAccuracy,
    FamilyLink,
    NameToken,
    Person,
    PersonAlias,
    PersonIdentifier,
    PersonPhone,
)

ERASED_TEXT = "[dihapus]"
# Sections whose rows are the person's own registry record: handled field by field below.
_REGISTRY = {"registry.Person", "registry.PersonAlias", "registry.PersonIdentifier", "registry.PersonPhone"}
_REGISTRY |= {"registry.FamilyLink", "registry.MigrationEpisode"}
# Values as typed or imported (names, numbers, answers): emptied. Scores and codes stay for statistics.
_RAW_VALUES = {
    "sources.SourceRecord": ("values",),
    "imports.ImportRow": ("values", "changes", "candidates"),
    "assessments.Assessment": ("answers", "sensitive_answers"),
    "assessments.AssessmentDraft": ("values",),
}
# Records about the person that erasure leaves as they are, and why.
_LEFT_AS_THEY_ARE = {
    # The agency's proof that it answered the person's requests in time (UU PDP Pasal 30-43).
    "privacy.SubjectRequest",
    # Public statements and their facts passed the privacy check and carry no identity; they are published.
    "statements.Statement",
    "statements.FactClaim",
}


@dataclass(frozen=True)
class Kept:
    """Records that must be kept, and why (Indonesian: it goes into the written answer)."""

    what: str
    count: int
    reason: str


@dataclass
class ErasurePlan:
    person_id: int
    kept: list[Kept] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # what anonymising changes, in Indonesian

    @property
    def allowed(self) -> bool:
        return not self.kept

    def refusal_text(self) -> str:
        return "\n".join(f"- {item.what} ({item.count}): {item.reason}" for item in self.kept)


def record_ids(person: Person) -> list[int]:
    """The person and every record merged into it (matching keeps absorbed records for their cases and history):
    all of them carry the identity, so all of them are planned and anonymised together."""
    ids, frontier = [person.pk], [person.pk]
    while frontier:
        frontier = list(Person.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True))
        ids += [pk for pk in frontier if pk not in ids]
    return ids


def plan_erasure(person: Person) -> ErasurePlan:
    """The dry run: nothing is written."""
    from sinergi.assistance.models import AssistanceEntry
    from sinergi.benefits.models import COUNTS_AS_GIVEN, Benefit
    from sinergi.cases.models import OPEN_CASE_STATUSES, Case
    from sinergi.referrals.models import RECEIVER_SEES_CASE, Referral

    plan = ErasurePlan(person_id=person.pk)
    ids = record_ids(person)
    cases = Case.objects.filter(person_id__in=ids)
    trafficking = cases.filter(Q(flag_trafficking=True) | Q(person__flag_trafficking=True)).count()
    if trafficking:
        plan.kept.append(
            Kept(
                "Berkas kasus TPPO",
                trafficking,
                "Berkas kasus tindak pidana perdagangan orang wajib disimpan sebagai bukti untuk proses hukum; "
                "identitas korban tetap dirahasiakan (UU 21/2007 Pasal 44) dan tidak dibagikan.",
            )
        )
    open_cases = cases.filter(status__in=OPEN_CASE_STATUSES).count()
    if open_cases:
        plan.kept.append(
            Kept(
                "Kasus yang masih ditangani",
                open_cases,
                "Kasus masih dalam penanganan; data diperlukan untuk melindungi yang bersangkutan dan dapat "
                "menjadi bagian dari proses hukum. Permohonan dapat diajukan kembali setelah kasus selesai.",
            )
        )
    referrals = Referral.objects.filter(case__person_id__in=ids, status__in=RECEIVER_SEES_CASE).count()
    if referrals:
        plan.kept.append(
            Kept(
                "Rujukan yang masih berjalan",
                referrals,
                "Rujukan ke lembaga lain masih berjalan; layanan kepada yang bersangkutan belum selesai.",
            )
        )
    benefits = Benefit.objects.filter(person_id__in=ids, status__in=COUNTS_AS_GIVEN).count()
    if benefits:
        plan.kept.append(
            Kept(
                "Bantuan yang disetujui atau disalurkan",
                benefits,
                "Bantuan dibiayai anggaran negara (APBN/APBD); penerimanya wajib dapat dipertanggungjawabkan "
                "dalam arsip keuangan negara selama masa retensinya.",
            )
        )
    entries = [entry for entry in AssistanceEntry.objects.filter(case__person_id__in=ids) if entry.is_open]
    if entries:
        plan.kept.append(
            Kept(
                "Daftar bantuan khusus yang masih berjalan",
                len(entries),
                "Yang bersangkutan masih tercantum dalam daftar bantuan khusus yang disepakati bersama; "
                "tarik dahulu usulannya bila bantuan tidak lagi diperlukan.",
            )
        )
    plan.removed = [
        f"Nama diganti menjadi «Dihapus #{person.pk}»; nama lain dan indeks nama dihapus",
        "NIK, tempat lahir dan alamat dikosongkan; tanggal lahir disisakan tahunnya",
        "Nomor telepon, nomor identitas lain dan data keluarga dihapus",
        "Nama dan telepon pemberi kerja di riwayat kerja luar negeri dikosongkan",
        "Nilai asli dari sumber data dan baris berkas impor dikosongkan",
        f"Teks bebas tentang yang bersangkutan (catatan, uraian) diganti «{ERASED_TEXT}»; berkas lampiran dihapus",
        "Riwayat perubahan (history) ikut dianonimkan",
        "Tetap disimpan untuk statistik: wilayah, jenis kelamin, tahun lahir, status, tanda anak/disabilitas/TPPO, "
        "tanggal dan negara tujuan",
    ]
    return plan


class ErasureNotAllowed(Exception):
    def __init__(self, plan: ErasurePlan) -> None:
        super().__init__(plan.refusal_text())
        self.plan = plan


@transaction.atomic
def anonymise_person(person_id: int) -> dict[str, int]:
    """Anonymise the person and every record about them (see the module doc); refused with
    ErasureNotAllowed when the plan keeps anything. Returns counts of what changed, for the audit event."""
    person = Person.objects.select_for_update().get(pk=person_id)
    plan = plan_erasure(person)
    if not plan.allowed:
        raise ErasureNotAllowed(plan)
    counts: dict[str, int] = {}
    for record in Person.objects.filter(pk__in=record_ids(person)).order_by("pk"):
        _anonymise_record(record, counts)
    return {key: value for key, value in counts.items() if value}


def _anonymise_record(person: Person, counts: dict[str, int]) -> None:
    def add(key: str, value: int) -> None:
        counts[key] = counts.get(key, 0) + value

    year = person.birth_date.replace(month=1, day=1) if person.birth_date else None
    identity: dict[str, Any] = {
        "full_name": f"Dihapus #{person.pk}",
        "nik": "",
        "birth_place": "",
        "address_text": "",
        "birth_date": year,
        "birth_date_accuracy": BirthDateAccuracy.YEAR if year else person.birth_date_accuracy,
    }
    Person.objects.filter(pk=person.pk).update(**identity, name_key=f"dihapus {person.pk}", version=person.version + 1)
    add("persons", 1)
    add("history.person", Person.history.model.objects.filter(id=person.pk).update(**identity))
    NameToken.objects.filter(person=person).delete()
    for model in (PersonAlias, PersonPhone, PersonIdentifier, FamilyLink):
        add(model._meta.model_name or "", model.objects.filter(person=person).delete()[0])
        model.history.model.objects.filter(person_id=person.pk).delete()
    # Another person's family link naming this person as the relative: the name and phone are this person's.
    relative = {"name": f"Dihapus #{person.pk}", "phone": ""}
    add("named_as_relative", FamilyLink.objects.filter(relative_id=person.pk).update(**relative))
    FamilyLink.history.model.objects.filter(relative_id=person.pk).update(**relative)
    from sinergi.registry.models import MigrationEpisode

    blank_episode = {"employer": "", "employer_phone": ""}
    add("migrationepisode", MigrationEpisode.objects.filter(person=person).update(**blank_episode))
    MigrationEpisode.history.model.objects.filter(person_id=person.pk).update(**blank_episode)
    for section in SECTIONS:
        if section.model in _REGISTRY or section.model in _LEFT_AS_THEY_ARE:
            continue
        add(section.key, _erase_rows(section.model, list(section.rows(person))))
    add("change_feed", _redact_feed(person.pk))


def _erase_rows(label: str, rows: list[models.Model]) -> int:
    """Free text, raw imported values and stored files of these rows (and their history) emptied."""
    if not rows:
        return 0
    model = type(rows[0])
    texts = [f.name for f in model._meta.concrete_fields if isinstance(f, models.TextField)]
    raw = _RAW_VALUES.get(label, ())
    files = [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    if not (texts or raw or files):
        return 0
    changed = 0
    for row in rows:
        values: dict[str, Any] = {name: ERASED_TEXT for name in texts if getattr(row, name)}
        for name in raw:
            values[name] = [] if isinstance(getattr(row, name), list) else {}
        for name in files:
            stored = getattr(row, name)
            if stored:
                stored.storage.delete(stored.name)
                values[name] = ""
        if values:
            model._default_manager.filter(pk=row.pk).update(**values)
            history = getattr(model, "history", None)
            if history is not None:
                history.model.objects.filter(id=row.pk).update(**values)
            changed += 1
    return changed


def _redact_feed(person_id: int) -> int:
    """The change feed's earlier snapshots of the person keep only the record keys (ids, agency, version):
    partner systems replaying the feed no longer receive the name."""
    from sinergi.changes.models import ChangeEvent
    from sinergi.sharing.rules import redact_snapshot

    events = list(ChangeEvent.objects.filter(person_id=person_id).only("pk", "snapshot"))
    for event in events:
        ChangeEvent.objects.filter(pk=event.pk).update(snapshot=redact_snapshot(event.snapshot or {}, ()))
    return len(events)
