"""The in-app notification inbox: newest first, unread highlighted; opening one marks it read."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sinergi.accounts.http import AuthedRequest
from sinergi.notifications.selectors import unread_count
from sinergi.notifications.services import mark_all_read, mark_read

PAGE_SIZE = 50


def is_local_path(url: str) -> bool:
    """Only a path on this site ("/rujukan/7/"), never another host ("//evil.example", "https://…")."""
    return url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=set())


@require_GET
def inbox(request: AuthedRequest) -> HttpResponse:
    queryset = request.user.notifications.order_by("-id")
    before = request.GET.get("before", "")
    if before.isdigit():
        queryset = queryset.filter(id__lt=int(before))
    page = list(queryset[: PAGE_SIZE + 1])
    next_before = page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None
    has_unread = unread_count(request.user) > 0
    return render(
        request,
        "notifications/inbox.html",
        {"notifications": page[:PAGE_SIZE], "next_before": next_before, "has_unread": has_unread},
    )


@require_POST
def open_notification(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark one of the user's notifications read and go to its page (404 for anyone else's). A POST: a GET
    must not change state (a link preview or prefetch would mark it read)."""
    notification = request.user.notifications.filter(pk=pk).first()
    if notification is None:
        raise Http404
    mark_read(user=request.user, notification_id=notification.pk)
    if not is_local_path(notification.url):
        messages.warning(request, _("This notification does not link to a page of Sinergi."))
        return redirect("notifications:inbox")
    return redirect(notification.url)


@require_POST
def read_all(request: AuthedRequest) -> HttpResponse:
    count = mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications marked as read."))
    return redirect("notifications:inbox")
