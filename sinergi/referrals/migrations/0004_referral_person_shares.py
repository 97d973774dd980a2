"""Each referral records its case's person and whether its sender registered that person (Referral.save does it
for new ones; this fills the referrals made before), so the sharing rule lists an agency's shared persons from the
referrals alone, by the partial index ``referral_person_shares``."""

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery


def fill_sharing_keys(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    Case = apps.get_model("cases", "Case")
    Referral.objects.update(person_id=Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("person_id")[:1]))
    Referral.objects.filter(
        from_agency_id=F("case__agency_id"), case__person__registered_by_agency_id=F("from_agency_id")
    ).update(sender_owns_person=True)


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
        migrations.RunPython(fill_sharing_keys, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="referral",
            name="person",
            field=models.ForeignKey(
                editable=False,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="registry.person",
                verbose_name="person",
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                condition=models.Q(
                    ("sender_owns_person", True),
                    ("status__in", ("DIKIRIM", "DITERIMA_SISTEM", "DITERIMA", "DALAM_LAYANAN")),
                ),
                fields=["to_agency", "person"],
                name="referral_person_shares",
            ),
        ),
    ]
