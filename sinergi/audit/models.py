from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.audit.chain import CONTENT_FIELDS, content_hash, normalise_ip, seal_after_commit, seal_soon
from sinergi.bulk import insert_many


class AppendOnly(Exception):
    """Audit events are never changed or deleted (docs/operations.md: the tamper-evident trail)."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("Audit events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("Audit events cannot be deleted.")

    def seal(self, links: Iterable[tuple[int, str, str, int]]) -> None:
        """The one change an event gets: its place in the chain, as (seq, chain_hash, content_hash, id) rows
        (``chain.seal_events`` only). One prepared UPDATE for all: sealing a 2,000-event chunk stays cheap."""
        table = connection.ops.quote_name(AuditEvent._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET seq = %s, chain_hash = %s, content_hash = %s WHERE id = %s AND seq IS NULL",  # noqa: S608
                list(links),
            )

    def bulk_create(self, objs: Iterable[AuditEvent], *args: Any, **kwargs: Any) -> list[AuditEvent]:
        events = list(objs)
        for event in events:
            event.prepare_for_chain()
        created = super().bulk_create(events, *args, **kwargs)
        seal_after_commit()
        return created

    def insert_many(self, objs: Iterable[AuditEvent], *, read: bool = False) -> list[AuditEvent]:
        """``bulk_create`` with one prepared statement (``sinergi.bulk``): for the thousands of events of an
        import chunk. The events' ids are not read back; they are hashed and sealed like any other (`read` as in
        ``save``)."""
        events = list(objs)
        for event in events:
            event.prepare_for_chain()
        insert_many(AuditEvent, events)
        if read:
            seal_soon()
        else:
            seal_after_commit()
        return events

    def bulk_update(self, objs: Iterable[AuditEvent], fields: Any, batch_size: int | None = None) -> int:
        raise AppendOnly("Audit events cannot be changed.")


class AuditEvent(models.Model):
    """Who did what to which record, when — written by services in the same transaction as the change.

    Reads of protected records (a person's detail page, an API fetch) are events too, so an auditor
    can answer "who opened this person's record?".
    """

    at = models.DateTimeField(_("at"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    via = models.CharField(_("via"), max_length=20, blank=True, help_text=_("web, api, import, command"))
    # Tamper evidence (sinergi/audit/chain.py): the hash of the content, set when the event is written; its
    # place in the chain and the chain hash, set once it has committed.
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    seq = models.PositiveBigIntegerField(null=True, blank=True, unique=True, editable=False)
    chain_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, read: bool = False, **kwargs: Any) -> None:
        """`read`: the event logs a read (``chain.seal_soon``: sealed in a batch shortly after, not by the
        request that wrote it)."""
        if not self._state.adding:
            raise AppendOnly("Audit events cannot be changed.")
        self.prepare_for_chain()
        super().save(*args, **kwargs)
        if read:
            seal_soon()
        else:
            seal_after_commit()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("Audit events cannot be deleted.")

    def prepare_for_chain(self) -> None:
        """Put the content in the form the database gives back, and hash it."""
        self.summary = (self.summary or "")[:300]
        self.detail = json.loads(json.dumps(self.detail or {}))
        self.ip_address = normalise_ip(self.ip_address)
        self.content_hash = content_hash({name: getattr(self, name) for name in CONTENT_FIELDS})


class AuditChain(models.Model):
    """The head of the audit chain (one row, pk 1): the last sealed event's seq and chain hash."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit chain at {self.last_seq}"
