"""Encrypt the values stored before the fields were encrypted (a migration of its own: SQLite rebuilds the
tables in the previous one)."""

from django.db import migrations

from sinergi.encryption.migration import encrypt_existing


class Migration(migrations.Migration):
    dependencies = [('cases', '0008_encrypt_sensitive_fields')]

    operations = [
        migrations.RunPython(encrypt_existing('cases', {'case': ['narrative', 'closing_summary'], 'historicalcase': ['narrative', 'closing_summary'], 'casenote': ['text'], 'assessment': ['summary', 'needs']}), migrations.RunPython.noop),
    ]
