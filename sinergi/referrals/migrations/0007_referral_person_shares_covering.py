"""PostgreSQL: the index the sharing rule lists an agency's shared persons by (``referral_person_shares``) also
holds what the rule checks on each referral, the consent and the shared sections, so the rule is answered from
the index alone. Measured at 10,000 open shares to one agency (bench/bench_pg_scale.py): 37 ms reading the
referrals' table pages, 4 ms from the index. SQLite has no covering indexes: there the index stays as 0006 made
it (Django's ``include`` would warn on every command there, so the index is rebuilt here by hand, same name)."""

from django.db import migrations

STATUSES = "('DIKIRIM', 'DITERIMA_SISTEM', 'DITERIMA', 'DALAM_LAYANAN')"
WHERE = f"WHERE sender_owns_person AND status IN {STATUSES}"


def _rebuild(schema_editor, include: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS referral_person_shares")
    schema_editor.execute(
        f"CREATE INDEX referral_person_shares ON referrals_referral (to_agency_id, person_id) {include} {WHERE}"
    )


def covering(apps, schema_editor):
    _rebuild(schema_editor, "INCLUDE (consent_id, shared_sections)")


def plain(apps, schema_editor):
    _rebuild(schema_editor, "")


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0006_referral_person_required"),
    ]

    operations = [migrations.RunPython(covering, plain, elidable=False)]
