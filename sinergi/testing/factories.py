"""factory_boy factories for tests (not used at run time)."""

from __future__ import annotations

from datetime import date

import factory

from sinergi.accounts.models import Agency, AgencyKind, User
from sinergi.accounts.roles import Role
from sinergi.registry import services
from sinergi.registry.models import Person

TEST_PASSWORD = "test-password-123"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.LazyAttribute(lambda o: o.code.upper())
    kind = AgencyKind.BP3MI
    region_id = "72.71"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyAttribute(lambda o: o.username.capitalize())
    agency = factory.SubFactory(AgencyFactory)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[Role] | None, **kwargs: object) -> None:
        self.set_password(TEST_PASSWORD)
        self.save()
        self.set_roles(extracted if extracted is not None else [Role.PETUGAS])


def make_person(actor: User, **values: object) -> Person:
    """A person registered through the service, as a user would (history, audit, name index)."""
    fields: dict[str, object] = {"full_name": "Siti Aminah", "sex": "P", "birth_date": date(1990, 10, 12)}
    fields.update(values)
    return services.register_person(actor=actor, data=services.PersonData(**fields), confirm_new=True)  # type: ignore[arg-type]
