"""The shipped default instrument, and the version operations an agency admin uses (copy to a draft, put in force).

The default is data, written once by `ensure_default_instrument` (run after every migrate, idempotent). The
texts are Bahasa Indonesia because the field workers read them; an admin changes them in a new version
(Django admin → "Copy as a new draft version"), never in a version that assessments were made with.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from sinergi.assessments.models import (
    Domain,
    InstrumentVersion,
    Question,
    QuestionKind,
    RecommendationKind,
    RecommendationRule,
    VersionStatus,
)

YES_NO_NEED = [["yes", "Ya", 0], ["no", "Tidak", 100]]
YES_NO_PLAIN = [["yes", "Ya", 100], ["no", "Tidak", 0]]
BUSINESS_CHOICES = [
    ["none", "Belum berminat", 0],
    ["planning", "Berminat memulai usaha", 60],
    ["existing", "Sudah punya usaha", 40],
]

Q = dict[str, Any]


def _q(code: str, kind: str, label: str, help_text: str = "", **extra: Any) -> Q:
    return {"code": code, "kind": kind, "label": label, "help_text": help_text, **extra}


DEFAULT_TITLE = "Asesmen kebutuhan dan potensi PMI purna"
DEFAULT_DOMAINS: list[dict[str, Any]] = [
    {
        "code": "ekonomi",
        "name": "Situasi ekonomi",
        "help_text": "Penghasilan, utang dan tanggungan keluarga saat ini.",
        "questions": [
            _q(
                "monthly_income",
                QuestionKind.NUMBER,
                "Penghasilan per bulan (Rp)",
                "Semua penghasilan rumah tangga, dalam rupiah.",
                required=True,
                min_value=0,
                max_value=5_000_000,
                scored=True,
                reverse=True,
            ),
            _q(
                "debts",
                QuestionKind.NUMBER,
                "Utang yang belum lunas (Rp)",
                "Termasuk utang biaya penempatan.",
                min_value=0,
                max_value=50_000_000,
                scored=True,
            ),
            _q(
                "dependants",
                QuestionKind.NUMBER,
                "Jumlah tanggungan",
                "Orang yang hidupnya ditanggung (0-20).",
                required=True,
                min_value=0,
                max_value=20,
                scored=True,
            ),
        ],
    },
    {
        "code": "keterampilan",
        "name": "Keterampilan dan pengalaman kerja di luar negeri",
        "questions": [
            _q(
                "returned_on",
                QuestionKind.DATE,
                "Tanggal kembali ke Indonesia",
                "Sesuai paspor/surat pemulangan.",
                required=True,
            ),
            _q(
                "work_sector",
                QuestionKind.CHOICE,
                "Bidang kerja di luar negeri",
                choices=[
                    ["domestic", "Rumah tangga", 0],
                    ["care", "Perawatan lansia/anak", 0],
                    ["plantation", "Perkebunan", 0],
                    ["factory", "Pabrik", 0],
                    ["construction", "Konstruksi", 0],
                    ["fishing", "Perikanan/ABK", 0],
                    ["other", "Lainnya", 0],
                ],
            ),
            _q("years_abroad", QuestionKind.NUMBER, "Lama bekerja di luar negeri (tahun)", min_value=0, max_value=40),
            _q("skills", QuestionKind.TEXT, "Keterampilan yang dimiliki", "Misalnya memasak, menjahit, bahasa asing."),
            _q("migrate_again", QuestionKind.YESNO, "Berencana bekerja ke luar negeri lagi?", choices=YES_NO_PLAIN),
        ],
    },
    {
        "code": "pendidikan",
        "name": "Pendidikan",
        "questions": [
            _q(
                "education",
                QuestionKind.CHOICE,
                "Pendidikan terakhir",
                required=True,
                scored=True,
                choices=[
                    ["none", "Tidak sekolah", 100],
                    ["sd", "SD", 80],
                    ["smp", "SMP", 60],
                    ["sma", "SMA/SMK", 40],
                    ["diploma", "Diploma", 20],
                    ["sarjana", "Sarjana", 0],
                ],
            ),
        ],
    },
    {
        "code": "kesehatan",
        "name": "Kesehatan dan kondisi psikososial",
        "help_text": "Data sensitif (UU PDP): hanya pekerja sosial dan kepala yang menangani kasus dapat melihatnya.",
        "sensitive": True,
        "questions": [
            _q(
                "physical_health",
                QuestionKind.SCALE,
                "Kondisi kesehatan fisik",
                "1 = sangat buruk, 5 = sangat baik.",
                required=True,
                min_value=1,
                max_value=5,
                scored=True,
                reverse=True,
            ),
            _q(
                "psychosocial_distress",
                QuestionKind.SCALE,
                "Tekanan psikososial (trauma, cemas, depresi)",
                "1 = tidak ada, 5 = sangat berat.",
                required=True,
                min_value=1,
                max_value=5,
                scored=True,
            ),
            _q(
                "needs_treatment",
                QuestionKind.YESNO,
                "Membutuhkan pengobatan/perawatan?",
                choices=YES_NO_PLAIN,
                scored=True,
            ),
            _q("health_notes", QuestionKind.TEXT, "Catatan kesehatan"),
        ],
    },
    {
        "code": "keluarga",
        "name": "Situasi keluarga",
        "questions": [
            _q(
                "family_support",
                QuestionKind.SCALE,
                "Dukungan keluarga",
                "1 = tidak ada dukungan, 5 = sangat mendukung.",
                required=True,
                min_value=1,
                max_value=5,
                scored=True,
                reverse=True,
            ),
            _q("at_home_region", QuestionKind.YESNO, "Sudah berada di daerah asal?", choices=YES_NO_NEED, scored=True),
        ],
    },
    {
        "code": "usaha",
        "name": "Minat usaha dan usaha yang ada",
        "questions": [
            _q(
                "business_interest",
                QuestionKind.CHOICE,
                "Minat usaha",
                required=True,
                scored=True,
                choices=BUSINESS_CHOICES,
            ),
            _q("business_field", QuestionKind.TEXT, "Bidang usaha", "Misalnya warung, kue, ternak, jahit."),
            _q("needs_license", QuestionKind.YESNO, "Usaha belum punya izin (NIB, PIRT, halal)?", choices=YES_NO_PLAIN),
        ],
    },
    {
        "code": "perumahan",
        "name": "Tempat tinggal",
        "questions": [
            _q(
                "housing",
                QuestionKind.CHOICE,
                "Status tempat tinggal",
                required=True,
                scored=True,
                choices=[
                    ["own", "Milik sendiri", 0],
                    ["family", "Menumpang keluarga", 50],
                    ["rent", "Sewa", 60],
                    ["none", "Tidak punya tempat tinggal", 100],
                ],
            ),
        ],
    },
    {
        "code": "dokumen",
        "name": "Dokumen yang dimiliki",
        "questions": [
            _q("has_ktp", QuestionKind.YESNO, "Punya KTP?", required=True, choices=YES_NO_NEED, scored=True),
            _q("has_kk", QuestionKind.YESNO, "Punya Kartu Keluarga?", required=True, choices=YES_NO_NEED, scored=True),
            _q("has_passport", QuestionKind.YESNO, "Punya paspor?", choices=YES_NO_NEED),
            _q(
                "has_bpjs", QuestionKind.YESNO, "Punya BPJS Kesehatan?", required=True, choices=YES_NO_NEED, scored=True
            ),
        ],
    },
    {
        "code": "dtks",
        "name": "Status DTKS/DTSEN dan desil kesejahteraan",
        "questions": [
            _q("dtks_registered", QuestionKind.YESNO, "Terdaftar di DTKS/DTSEN?", choices=YES_NO_PLAIN),
            _q(
                "welfare_decile",
                QuestionKind.NUMBER,
                "Desil kesejahteraan (1-10)",
                "Dari DTSEN; 1 = paling miskin. Kosongkan bila tidak tahu.",
                min_value=1,
                max_value=10,
                scored=True,
                reverse=True,
            ),
        ],
    },
]

BUSINESS = ["planning", "existing"]
DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "kind": RecommendationKind.ASSISTANCE,
        "code": "business_capital",
        "label": "Bantuan modal usaha",
        "conditions": [
            {"question": "business_interest", "op": "in", "value": BUSINESS},
            {"question": "welfare_decile", "op": "lte", "value": 4},
        ],
        "reason": "Berminat atau sudah berusaha, dan desil kesejahteraan 4 atau lebih rendah.",
    },
    {
        "kind": RecommendationKind.PROGRAMME,
        "code": "entrepreneurship_workshop",
        "label": "Pelatihan kewirausahaan",
        "conditions": [{"question": "business_interest", "op": "in", "value": BUSINESS}],
        "reason": "Berminat memulai usaha atau sudah punya usaha.",
    },
    {
        "kind": RecommendationKind.PROGRAMME,
        "code": "business_mentoring",
        "label": "Pendampingan usaha",
        "conditions": [{"question": "business_interest", "op": "eq", "value": "existing"}],
        "reason": "Sudah punya usaha yang perlu didampingi.",
    },
    {
        "kind": RecommendationKind.PROGRAMME,
        "code": "licensing_help",
        "label": "Bantuan perizinan (NIB, PIRT, halal)",
        "conditions": [
            {"question": "business_interest", "op": "eq", "value": "existing"},
            {"question": "needs_license", "op": "eq", "value": "yes"},
        ],
        "reason": "Usaha berjalan tetapi belum berizin.",
    },
    {
        "kind": RecommendationKind.PROGRAMME,
        "code": "vocational_training",
        "label": "Pelatihan vokasional",
        "conditions": [
            {"question": "business_interest", "op": "eq", "value": "none"},
            {"domain": "ekonomi", "op": "gte", "value": 50},
        ],
        "reason": "Belum berminat usaha dan kebutuhan ekonomi tinggi: keterampilan kerja membantu.",
    },
    {
        "kind": RecommendationKind.PROGRAMME,
        "code": "safe_migration_counselling",
        "label": "Penyuluhan migrasi aman",
        "conditions": [{"question": "migrate_again", "op": "eq", "value": "yes"}],
        "reason": "Berencana bekerja ke luar negeri lagi.",
    },
    {
        "kind": RecommendationKind.SERVICE,
        "code": "atensi-a1",
        "label": "ATENSI A1 dukungan pemenuhan hidup layak",
        "conditions": [{"domain": "ekonomi", "op": "gte", "value": 60}],
        "reason": "Skor kebutuhan ekonomi 60 atau lebih.",
    },
    {
        "kind": RecommendationKind.SERVICE,
        "code": "atensi-a3",
        "label": "ATENSI A3 dukungan keluarga",
        "conditions": [{"question": "family_support", "op": "lte", "value": 2}],
        "reason": "Dukungan keluarga rendah.",
    },
    {
        "kind": RecommendationKind.SERVICE,
        "code": "atensi-a4",
        "label": "ATENSI A4 terapi psikososial",
        "conditions": [{"question": "psychosocial_distress", "op": "gte", "value": 4}],
        "reason": "Tekanan psikososial berat.",
    },
    {
        "kind": RecommendationKind.SERVICE,
        "code": "atensi-a5",
        "label": "ATENSI A5 pelatihan vokasional dan pembinaan kewirausahaan",
        "conditions": [{"question": "business_interest", "op": "in", "value": BUSINESS}],
        "reason": "Berminat atau sudah berusaha.",
    },
    {
        "kind": RecommendationKind.SERVICE,
        "code": "atensi-a6",
        "label": "ATENSI A6 bantuan sosial dan asistensi sosial",
        "conditions": [{"question": "welfare_decile", "op": "lte", "value": 4}],
        "reason": "Desil kesejahteraan 4 atau lebih rendah.",
    },
    {
        "kind": RecommendationKind.SERVICE,
        "code": "atensi-a7",
        "label": "ATENSI A7 dukungan aksesibilitas (dokumen)",
        "conditions": [{"domain": "dokumen", "op": "gte", "value": 30}],
        "reason": "Dokumen kependudukan atau BPJS belum lengkap.",
    },
    {
        "kind": RecommendationKind.ASSISTANCE,
        "code": "basic_needs_package",
        "label": "Paket pemenuhan kebutuhan dasar",
        "conditions": [
            {"domain": "ekonomi", "op": "gte", "value": 60},
            {"question": "welfare_decile", "op": "lte", "value": 4},
        ],
        "reason": "Kebutuhan ekonomi tinggi dan desil 4 atau lebih rendah.",
    },
    {
        "kind": RecommendationKind.ASSISTANCE,
        "code": "health_costs",
        "label": "Bantuan biaya kesehatan",
        "conditions": [{"question": "needs_treatment", "op": "eq", "value": "yes"}],
        "reason": "Membutuhkan pengobatan atau perawatan.",
    },
    {
        "kind": RecommendationKind.ASSISTANCE,
        "code": "transport_home",
        "label": "Bantuan transportasi pulang",
        "conditions": [{"question": "at_home_region", "op": "eq", "value": "no"}],
        "reason": "Belum sampai di daerah asal.",
    },
    {
        "kind": RecommendationKind.ASSISTANCE,
        "code": "documents",
        "label": "Bantuan pengurusan dokumen",
        "conditions": [{"domain": "dokumen", "op": "gte", "value": 30}],
        "reason": "Dokumen kependudukan atau BPJS belum lengkap.",
    },
]


def _write_version(version: InstrumentVersion, domains: list[dict[str, Any]], rules: list[dict[str, Any]]) -> None:
    for d_order, spec in enumerate(domains, start=1):
        domain = Domain.objects.create(
            version=version,
            code=spec["code"],
            name=spec["name"],
            help_text=spec.get("help_text", ""),
            order=d_order * 10,
            sensitive=spec.get("sensitive", False),
        )
        for q_order, q in enumerate(spec["questions"], start=1):
            Question.objects.create(domain=domain, order=q_order * 10, **q)
    for r_order, rule in enumerate(rules, start=1):
        RecommendationRule.objects.create(version=version, order=r_order * 10, **rule)


@transaction.atomic
def ensure_default_instrument() -> InstrumentVersion:
    """The version in force; the shipped default (version 1) when there is none yet. Idempotent."""
    active = InstrumentVersion.objects.filter(status=VersionStatus.ACTIVE).first()
    if active is not None:
        return active
    if InstrumentVersion.objects.exists():
        # Versions exist but none is in force: an admin's choice; do not ship a second default.
        return InstrumentVersion.objects.order_by("-number").first()  # type: ignore[return-value]
    version = InstrumentVersion.objects.create(
        number=1, title=DEFAULT_TITLE, status=VersionStatus.ACTIVE, activated_at=timezone.now(), notes="Bawaan Sinergi."
    )
    _write_version(version, DEFAULT_DOMAINS, DEFAULT_RULES)
    return version


def ensure_default_instrument_after_migrate(**kwargs: Any) -> None:
    ensure_default_instrument()


@transaction.atomic
def copy_version(source: InstrumentVersion) -> InstrumentVersion:
    """A new draft with the same domains, questions and rules, for an admin to edit and put in force."""
    number = (InstrumentVersion.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    copy = InstrumentVersion.objects.create(number=number, title=source.title, status=VersionStatus.DRAFT)
    for domain in source.domains.prefetch_related("questions"):
        questions = list(domain.questions.all())
        domain.pk = None
        domain.version = copy
        domain.save()
        for question in questions:
            question.pk = None
            question.domain = domain
            question.save()
    for rule in source.rules.all():
        rule.pk = None
        rule.version = copy
        rule.save()
    return copy


@transaction.atomic
def activate_version(version: InstrumentVersion) -> None:
    """Put `version` in force; the one in force before is retired (its assessments keep it)."""
    InstrumentVersion.objects.filter(status=VersionStatus.ACTIVE).exclude(pk=version.pk).update(
        status=VersionStatus.RETIRED
    )
    version.status = VersionStatus.ACTIVE
    version.activated_at = timezone.now()
    version.save(update_fields=["status", "activated_at"])
