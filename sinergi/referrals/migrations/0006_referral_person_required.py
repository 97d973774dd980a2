"""A referral's person is required (filled by 0005), and the partial index the sharing rule lists shared persons by."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0005_fill_referral_person_shares"),
    ]

    operations = [
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
