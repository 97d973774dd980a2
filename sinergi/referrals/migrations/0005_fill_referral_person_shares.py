"""Fills the person and the sender-owns-person flag of the referrals made before 0004 (see there)."""

from django.db import migrations
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
        ("referrals", "0004_referral_person_shares"),
    ]

    operations = [
        migrations.RunPython(fill_sharing_keys, migrations.RunPython.noop, elidable=False),
    ]
