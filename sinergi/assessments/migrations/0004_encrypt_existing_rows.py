"""Encrypt the values stored before the fields were encrypted (a migration of its own: SQLite rebuilds the
tables in the previous one)."""

from django.db import migrations

from sinergi.encryption.migration import encrypt_existing


class Migration(migrations.Migration):
    dependencies = [('assessments', '0003_encrypt_sensitive_fields')]

    operations = [
        migrations.RunPython(encrypt_existing('assessments', {'assessment': ['sensitive_answers', 'sensitive_scores'], 'assessmentdraft': ['values']}), migrations.RunPython.noop),
    ]
