"""Name search at millions of persons reads the name's trigrams together with what narrows the search, from one
GIN index (btree_gin lets the agency and the birth year sit beside the trigrams): ``person_name_trgm_scoped`` on
the agency that registered the person, the birth year (0 for a person without a birth date) and the name key's
trigrams. A search of the agency's own persons fetches from the table only its own namesakes; a search with a
birth year only that year's namesakes and the undated ones (who may be the same person). A name alone is served
by the same index, so it replaces migration 0003's ``person_name_key_trgm``. One index, not one per narrowing
column: PostgreSQL puts every condition a single index can serve into its scan, while between two indexes it
chose by its estimate of the trigram condition, which is far too low, and read the whole name from the one
without the agency.

Measured at 2 million persons (bench/bench_pg_scale.py, docs/benchmarks.md): "ni made arini" born 1992 fetched
17,121 table pages through the name-only index to keep 219 rows; with the year in the index, 566. The query must
name the expressions as written here (registry.selectors: ``BORN_YEAR``, and the agency typed as bigint by
sharing.rules.own_persons_q). SQLite has neither pg_trgm nor GIN: there the search keeps its token index and this
migration does nothing."""

from django.db import migrations

CREATE = (
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "CREATE INDEX IF NOT EXISTS person_name_trgm_scoped ON registry_person USING gin (registered_by_agency_id, "
    "(COALESCE((EXTRACT(YEAR FROM birth_date))::integer, 0)), name_key gin_trgm_ops)",
    "DROP INDEX IF EXISTS person_name_key_trgm",
)
DROP = (
    "CREATE INDEX IF NOT EXISTS person_name_key_trgm ON registry_person USING gin (name_key gin_trgm_ops)",
    "DROP INDEX IF EXISTS person_name_trgm_scoped",
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in CREATE:
        schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in DROP:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_person_agency_nik"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
