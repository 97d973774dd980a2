"""Name search on PostgreSQL reads trigram indexes (pg_trgm, GIN) on the canonical name keys of persons and
aliases, so a misspelt name is found among millions without scanning them (registry.selectors.search_persons).
SQLite has no pg_trgm: there the search keeps its token index (NameToken) and this migration does nothing."""

from django.db import migrations

INDEXES = (
    ("person_name_key_trgm", "registry_person"),
    ("personalias_name_key_trgm", "registry_personalias"),
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (name_key gin_trgm_ops)")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_historicalperson_merged_into_person_merged_into"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
