from django.urls import path, re_path

from sinergi.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.events, name="events"),
    re_path(r"^ekspor\.(?P<fmt>csv|xlsx)$", views.export_events, name="export"),
]
