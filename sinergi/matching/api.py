"""Review queue API (/api/v1/matches): the same selectors and services as the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Router, Schema, Status

from sinergi.accounts.http import AuthedRequest
from sinergi.api.auth import require_scope
from sinergi.matching import services
from sinergi.matching.explain import explain
from sinergi.matching.models import Decision, MatchCandidate, Merge
from sinergi.matching.selectors import QUEUE_TABS, get_candidate_for_user, get_merge_for_user, review_queue
from sinergi.registry.api import ErrorOut
from sinergi.sharing.pseudonyms import listed_name, listed_nik

router = Router(tags=["matching"])


class PersonSummaryOut(Schema):
    id: int
    full_name: str
    birth_date: str | None
    nik: str


class WeightOut(Schema):
    comparison: str
    reading: str = Field(description='What the model found, in words ("Same NIK", "Day and month swapped").')
    bits: float = Field(description="Evidence in bits: positive for the same person, negative against, 0 none.")


class PairOut(Schema):
    id: int
    person: PersonSummaryOut
    other_person: PersonSummaryOut
    probability: float
    origin: str
    decision: str = Field(description="PENDING, UNSURE, SAME (merged), DIFFERENT or OBSOLETE.")
    decided_by: str | None
    decided_at: datetime | None
    note: str
    weights: list[WeightOut]
    merge_id: int | None = Field(None, description="The merge a SAME decision made (undo: POST /merges/{id}/undo).")


class DecisionIn(Schema):
    decision: str = Field(description="SAME, DIFFERENT or UNSURE.")
    expected_decision: str | None = Field(
        None, description="The state you saw (PENDING or UNSURE): refused with 409 if someone decided since."
    )
    survivor_id: int | None = Field(None, description="For SAME: the record to keep (default: the lower id).")
    note: str = ""


class MergeOut(Schema):
    id: int
    survivor_id: int
    absorbed_id: int
    merged_by: str
    merged_at: datetime
    undone_by: str | None
    undone_at: datetime | None
    taken_fields: list[str]
    moved_source_records: list[int]


class ScanOut(Schema):
    pairs: int
    waiting: int


def _person(person: Any, *, listed: bool) -> PersonSummaryOut:
    """In a list a trafficking victim is under the pseudonym; one pair, read to decide it, shows the records."""
    return PersonSummaryOut(
        id=person.pk,
        full_name=listed_name(person) if listed else person.full_name,
        birth_date=person.birth_date.isoformat() if person.birth_date else None,
        nik=listed_nik(person) if listed else person.nik,
    )


def _pair_out(candidate: MatchCandidate, *, listed: bool = False) -> PairOut:
    merge = Merge.objects.filter(candidate=candidate, undone_at__isnull=True).values_list("pk", flat=True).first()
    return PairOut(
        id=candidate.pk,
        person=_person(candidate.person, listed=listed),
        other_person=_person(candidate.other_person, listed=listed),
        probability=candidate.probability,
        origin=candidate.origin,
        decision=candidate.decision,
        decided_by=candidate.decided_by.display_name if candidate.decided_by else None,
        decided_at=candidate.decided_at,
        note=candidate.note,
        weights=[
            WeightOut(comparison=w.comparison, reading=w.reading, bits=w.bits) for w in explain(candidate.weights)
        ],
        merge_id=merge,
    )


def _merge_out(merge: Merge) -> MergeOut:
    return MergeOut(
        id=merge.pk,
        survivor_id=merge.survivor_id,
        absorbed_id=merge.absorbed_id,
        merged_by=merge.merged_by.display_name,
        merged_at=merge.merged_at,
        undone_by=merge.undone_by.display_name if merge.undone_by else None,
        undone_at=merge.undone_at,
        taken_fields=sorted(merge.taken_fields),
        moved_source_records=list(merge.moved_source_records),
    )


@router.get("", response=list[PairOut], summary="Pairs for review, best first (tab: menunggu, ragu, selesai)")
def queue(request: AuthedRequest, tab: str = "menunggu", limit: int = 50) -> list[PairOut]:
    require_scope(request, "persons:read")
    if tab not in QUEUE_TABS:
        tab = "menunggu"
    pairs = review_queue(request.user, tab).select_related("decided_by")[: max(1, min(limit, 200))]
    return [_pair_out(candidate, listed=True) for candidate in pairs]


@router.post("/scan", response=ScanOut, summary="Check the agency's registry for duplicates and queue them")
def scan(request: AuthedRequest) -> ScanOut:
    require_scope(request, "persons:write")
    proposed = services.scan_agency(actor=request.user)
    waiting = sum(1 for candidate in proposed if candidate.decision == Decision.PENDING)
    return ScanOut(pairs=len(proposed), waiting=waiting)


@router.get("/{pair_id}", response={200: PairOut, 404: ErrorOut}, summary="One pair with the model's reasons")
def detail(request: AuthedRequest, pair_id: int) -> Any:
    require_scope(request, "persons:read")
    return _pair_out(get_candidate_for_user(request.user, pair_id))


@router.post(
    "/{pair_id}/decision",
    response={200: PairOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Decide a pair: SAME merges, DIFFERENT is never proposed again, UNSURE waits for a supervisor",
    description="Exactly one decision wins: a pair decided meanwhile (or a repeated request) answers 409 naming "
    "who decided.",
)
def decide(request: AuthedRequest, pair_id: int, payload: DecisionIn) -> Any:
    require_scope(request, "persons:write")
    get_candidate_for_user(request.user, pair_id)  # 404 first: another agency learns nothing
    try:
        candidate = services.decide_pair(
            actor=request.user,
            candidate_id=pair_id,
            decision=payload.decision,
            expected_decision=payload.expected_decision,
            survivor_id=payload.survivor_id,
            note=payload.note,
        )
    except services.MatchingError as refusal:
        return Status(409, ErrorOut(detail=str(refusal)))
    return Status(200, _pair_out(get_candidate_for_user(request.user, candidate.pk)))


@router.get("/merges/{merge_id}", response={200: MergeOut, 404: ErrorOut}, summary="One merge")
def merge_detail(request: AuthedRequest, merge_id: int) -> Any:
    require_scope(request, "persons:read")
    return _merge_out(get_merge_for_user(request.user, merge_id))


@router.post(
    "/merges/{merge_id}/undo",
    response={200: MergeOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Undo a merge: both persons as before, the pair back in the queue",
)
def undo(request: AuthedRequest, merge_id: int) -> Any:
    require_scope(request, "persons:write")
    get_merge_for_user(request.user, merge_id)
    try:
        merge = services.unmerge(actor=request.user, merge_id=merge_id)
    except services.MatchingError as refusal:
        return Status(409, ErrorOut(detail=str(refusal)))
    return Status(200, _merge_out(get_merge_for_user(request.user, merge.pk)))
