from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "sinergi.assessments"
    verbose_name = _("Needs and potential assessment")

    def ready(self) -> None:
        from sinergi.assessments.instrument import ensure_default_instrument_after_migrate

        # The shipped instrument exists after every migrate (and after a test flush); admins edit copies of it.
        post_migrate.connect(ensure_default_instrument_after_migrate, sender=self)
