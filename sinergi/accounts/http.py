from django.http import HttpRequest

from sinergi.accounts.models import User


class AuthedRequest(HttpRequest):
    """A request behind LoginRequiredMiddleware or API authentication: `user` is a staff User.

    Only a type for views' signatures (mypy); at run time it is the ordinary HttpRequest.
    """

    user: User
