from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

THIRD_PARTY_NAMES = {
    "mfa": _("Two-factor login"),
    "axes": _("Login lockouts"),
    "django_tasks_database": _("Background tasks"),
    "simple_history": _("Change history"),
    "account": _("Login accounts"),
}
# And their models whose names are English whatever the language ("Task Results").
THIRD_PARTY_MODEL_NAMES = {
    ("django_tasks_database", "dbtaskresult"): (_("background task"), _("background tasks")),
}


class HomeConfig(AppConfig):
    name = "sinergi.home"
    verbose_name = _("Home")

    def ready(self) -> None:
        from sinergi.home import person_panels
        from sinergi.registry.panels import register_person_panel

        for provider in (person_panels.cases_panel, person_panels.referrals_panel, person_panels.assistance_panel):
            register_person_panel(provider)
        # The admin lists apps by name: the third-party ones otherwise read "MFA", "Axes", "Tasks Database Backend".
        from django.apps import apps

        for label, name in THIRD_PARTY_NAMES.items():
            if label in apps.app_configs:
                apps.get_app_config(label).verbose_name = name
        for (label, model_name), (singular, plural) in THIRD_PARTY_MODEL_NAMES.items():
            if label in apps.app_configs:
                meta = apps.get_model(label, model_name)._meta
                meta.verbose_name, meta.verbose_name_plural = singular, plural
