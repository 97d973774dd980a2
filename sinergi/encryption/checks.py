"""`sinergi check --deploy` warns when the field keys are generated beside the database instead of configured."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def field_keys_configured(app_configs: Any = None, **_kwargs: Any) -> list[Warning]:
    if settings.SINERGI_FIELD_KEYS:
        return []
    return [
        Warning(
            "SINERGI_FIELD_KEYS is not set: sensitive fields are encrypted with a key generated into var/, next to "
            "the database, which protects nothing when both are copied.",
            hint="Set SINERGI_FIELD_KEYS from a secret store (docs/operations.md, 'Field encryption keys').",
            id="sinergi.W001",
        )
    ]
