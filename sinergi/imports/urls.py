from django.urls import path

from sinergi.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("baru/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/kolom/", views.mapping, name="mapping"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/konfirmasi/", views.confirm, name="confirm"),
    path("<int:pk>/lanjutkan/", views.resume, name="resume"),
    path("<int:pk>/batal/", views.cancel, name="cancel"),
]
