"""The person page's privacy panel (registered at start-up, registry.panels): the restriction banner and the
person's data-subject requests, for the registering agency's staff."""

from __future__ import annotations

from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.privacy.selectors import RequestFilter, active_restriction, filter_requests, may_receive
from sinergi.registry.models import Person
from sinergi.registry.panels import PersonPanel


def privacy_panel(user: User, person: Person) -> PersonPanel | None:
    if person.registered_by_agency_id != user.agency_id or not may_receive(user):
        return None
    restriction = active_restriction(person.pk)
    requests = list(filter_requests(user, RequestFilter(person_id=person.pk))[:20])
    return PersonPanel(
        key="data-pribadi",
        # The jump links at the top of the page show the title: while restricted it is the warning itself.
        title=_("⚠ Processing restricted") if restriction else _("Personal data requests"),
        template="privacy/panels/person.html",
        context={
            "restriction": restriction,
            "requests": requests,
            "can_receive": person.merged_into_id is None,
            "can_answer": user.has_capability(Capability.ANSWER_SUBJECT_REQUESTS),
        },
        count=len(requests),
    )
