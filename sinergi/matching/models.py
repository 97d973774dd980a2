"""Review of likely duplicates, merges and the verified values of the golden record.

A ``MatchCandidate`` is a pair of persons of one agency's registry that the model finds alike, waiting
for a data officer's decision. "Same" merges them (a ``Merge`` row says exactly what moved, so an
unmerge restores both); "different" is remembered so the pair is never proposed again. A
``FieldVerification`` is a data officer's choice of the true value of one field of a person when its
sources disagree.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Decision(models.TextChoices):
    PENDING = "PENDING", _("Waiting for review")
    SAME = "SAME", _("Same person (merged)")
    DIFFERENT = "DIFFERENT", _("Different persons")
    UNSURE = "UNSURE", _("Unsure: for a supervisor")
    # One of the two was merged with a third person or the merge was undone: nothing left to decide here.
    OBSOLETE = "OBSOLETE", _("No longer applies")


# Which decisions may follow which (the pair's state machine); SAME -> PENDING is an unmerge.
DECISION_TRANSITIONS: dict[str, frozenset[str]] = {
    Decision.PENDING: frozenset({Decision.SAME, Decision.DIFFERENT, Decision.UNSURE, Decision.OBSOLETE}),
    Decision.UNSURE: frozenset({Decision.SAME, Decision.DIFFERENT, Decision.OBSOLETE}),
    Decision.SAME: frozenset({Decision.PENDING}),
    Decision.DIFFERENT: frozenset(),
    Decision.OBSOLETE: frozenset({Decision.PENDING}),
}
OPEN_DECISIONS = (Decision.PENDING, Decision.UNSURE)
# What proposed a pair, as the queue shows it.
ORIGIN_LABELS = {
    "import": _("a file import"),
    "api": _("a partner system"),
    "scan": _("a registry check"),
}


class MatchCandidate(models.Model):
    """Two persons of one agency that may be the same human; ``person_id < other_person_id`` always."""

    agency = models.ForeignKey("accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    other_person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField(_("match probability"))
    # [[comparison, match weight in bits], ...] as the model explained the score.
    weights = models.JSONField(_("match weights"), default=list)
    # What proposed the pair: "import", "api", "scan", "register".
    origin = models.CharField(_("origin"), max_length=20)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("proposed at"), default=timezone.now)

    class Meta:
        verbose_name = _("match candidate")
        verbose_name_plural = _("match candidates")
        constraints = [
            models.UniqueConstraint(fields=["person", "other_person"], name="matchcandidate_unique_pair"),
            models.CheckConstraint(condition=Q(person__lt=F("other_person")), name="matchcandidate_ordered_pair"),
        ]
        indexes = [models.Index(fields=["agency", "decision", "-probability"], name="matchcandidate_queue")]

    def __str__(self) -> str:
        return f"{self.person_id} ~ {self.other_person_id} ({self.probability:.3f})"

    @property
    def origin_label(self) -> str:
        return str(ORIGIN_LABELS.get(self.origin, self.origin))

    @property
    def percent(self) -> float:
        """The probability in percent, rounded down: 0.9996 reads 99.9, never a certain-looking 100."""
        return math.floor(self.probability * 1000) / 10


class Merge(models.Model):
    """One merge of ``absorbed`` into ``survivor``, with everything an unmerge needs to restore both."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    survivor = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    absorbed = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    candidate = models.ForeignKey(MatchCandidate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # SourceRecord ids moved from the absorbed person to the survivor.
    moved_source_records = models.JSONField(default=list)
    # Survivor fields that were empty and took the absorbed person's value: {field: value}.
    taken_fields = models.JSONField(default=dict)
    # Aliases, identifiers and phones created on the survivor from the absorbed person's: {"aliases": [id], ...}.
    copied_records = models.JSONField(default=dict)
    # Open review pairs of the absorbed person with third persons, closed by the merge (reopened by an unmerge).
    closed_candidates = models.JSONField(default=list)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        constraints = [
            # A person is absorbed by at most one merge that is not undone.
            models.UniqueConstraint(
                fields=["absorbed"], condition=Q(undone_at__isnull=True), name="merge_one_active_per_absorbed"
            )
        ]

    def __str__(self) -> str:
        return f"{self.absorbed_id} -> {self.survivor_id}"


class FieldVerification(models.Model):
    """A data officer's choice of a field's true value among its sources' values."""

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    field = models.CharField(_("field"), max_length=20)
    value = models.CharField(_("verified value"), max_length=300, blank=True)
    # Every value the sources held when it was verified: a value not among them re-opens the conflict.
    seen_values = models.JSONField(default=list)
    # Which source's value was chosen, as shown: "Registri Sinergi", "Ekspor Sisko P2MI #123".
    chosen_source = models.CharField(_("chosen source"), max_length=200, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(_("verified at"), default=timezone.now)

    class Meta:
        verbose_name = _("field verification")
        verbose_name_plural = _("field verifications")
        indexes = [models.Index(fields=["person", "field", "-verified_at"], name="fieldverification_latest")]

    def __str__(self) -> str:
        return f"{self.person_id}.{self.field} = {self.value}"
