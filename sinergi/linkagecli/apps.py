from django.apps import AppConfig


class LinkageCliConfig(AppConfig):
    """Only management commands: no models, no migrations."""

    name = "sinergi.linkagecli"
    label = "linkagecli"
    verbose_name = "Record linkage commands"
