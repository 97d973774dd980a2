from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sinergi.accounts.http import AuthedRequest


@require_GET
def inbox(request: AuthedRequest) -> HttpResponse:
    notifications = request.user.notifications.all()[:100]
    return render(request, "notifications/inbox.html", {"notifications": notifications})
