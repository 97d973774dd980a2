"""For a migration that turns plain fields into encrypted ones: encrypt the rows already stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sinergi.encryption.keys import is_encrypted


def encrypt_existing(app_label: str, fields: dict[str, list[str]]) -> Callable[[Any, Any], None]:
    """A RunPython function: for each model name in `fields`, rewrite every non-empty, not yet encrypted value
    of the named fields (the migration state's field is the encrypted one, so writing encrypts)."""

    def run(apps: Any, schema_editor: Any) -> None:
        for model_name, names in fields.items():
            model = apps.get_model(app_label, model_name)
            for row in model._base_manager.only("pk", *names).iterator(chunk_size=500):
                changed = {
                    name: getattr(row, name)
                    for name in names
                    if getattr(row, name) not in (None, "", {}, []) and not _already(getattr(row, name))
                }
                if changed:
                    model._base_manager.filter(pk=row.pk).update(**changed)

    return run


def _already(value: Any) -> bool:
    return isinstance(value, str) and is_encrypted(value)
