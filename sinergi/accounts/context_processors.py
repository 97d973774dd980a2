from django.http import HttpRequest

from sinergi.accounts.roles import Capability


def capabilities(request: HttpRequest) -> dict[str, object]:
    """`can.view_audit_log` etc. for menus; the views check again, this only hides links."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can": {}}
    return {"can": {capability.value: user.has_capability(capability) for capability in Capability}}
