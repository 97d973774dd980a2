"""Sections other apps add to a person's page (their cases, referrals, assistance, programmes), so the page is
the person's hub without the registry importing the apps above it.

An app registers a provider at start-up (`AppConfig.ready`); the person page calls each provider with the
viewing user and the person, and shows the panels they return in registration order. A provider reads
through its own app's selectors, so the visibility rule stays where it lives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sinergi.accounts.models import User
from sinergi.registry.models import Person


@dataclass(frozen=True)
class PersonPanel:
    key: str  # the section's id on the page
    title: str
    template: str  # rendered with the panel's context plus `person`
    context: dict[str, Any] = field(default_factory=dict)
    # Shown in the page's jump links; a panel may say how many rows it holds.
    count: int | None = None


PanelProvider = Callable[[User, Person], PersonPanel | None]
_PROVIDERS: list[PanelProvider] = []


def register_person_panel(provider: PanelProvider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def person_panels(user: User, person: Person) -> list[PersonPanel]:
    return [panel for provider in _PROVIDERS if (panel := provider(user, person)) is not None]
