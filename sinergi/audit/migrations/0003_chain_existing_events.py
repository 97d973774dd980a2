"""Chain the events written before the trail was hash-chained, oldest first (sinergi/audit/chain.py)."""

from typing import Any

from django.db import migrations

from sinergi.audit.chain import CONTENT_FIELDS, GENESIS, content_hash, link_hash

BATCH = 2000


def chain_existing(apps: Any, schema_editor: Any) -> None:
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChain = apps.get_model("audit", "AuditChain")
    head = AuditChain.objects.filter(pk=1).first() or AuditChain.objects.create(pk=1, last_seq=0, last_hash=GENESIS)
    previous, seq = head.last_hash, head.last_seq
    while True:
        events = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id")[:BATCH])
        if not events:
            break
        for event in events:
            seq += 1
            event.content_hash = content_hash({name: getattr(event, name) for name in CONTENT_FIELDS})
            event.seq = seq
            event.chain_hash = previous = link_hash(previous, seq, event.content_hash)
        AuditEvent.objects.bulk_update(events, ["content_hash", "seq", "chain_hash"])
    AuditChain.objects.filter(pk=1).update(last_seq=seq, last_hash=previous)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain")]

    operations = [migrations.RunPython(chain_existing, migrations.RunPython.noop)]
