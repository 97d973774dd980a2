"""Each referral records its case's person and whether its sender registered that person (Referral.save does it
for new ones; 0005 fills the referrals made before, 0006 makes the person required and adds the partial index
``referral_person_shares``), so the sharing rule lists an agency's shared persons from the referrals alone.

Schema, data and the constraint are three migrations, each its own transaction: on PostgreSQL, altering or indexing
the table in the transaction that filled it fails with "pending trigger events" (the deferred foreign-key checks of
the update), which a database holding referrals hits on upgrade (found by bench_pg_scale on 1,000,000 referrals)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("referrals", "0003_deadline_running"),
        ("registry", "0005_person_agency_nik"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="person",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="registry.person",
                verbose_name="person",
            ),
        ),
        migrations.AddField(
            model_name="referral",
            name="sender_owns_person",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="The sender opened the case and registered its person: only then can it share person sections.",
                verbose_name="sender registered the person",
            ),
        ),
    ]
