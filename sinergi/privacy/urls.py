from django.urls import path

from sinergi.privacy import views

app_name = "privacy"
urlpatterns = [
    path("orang/<int:pk>/", views.subject_access, name="subject_access"),
    path("orang/<int:pk>/ekspor.<str:file_format>", views.subject_access_export, name="subject_access_export"),
]
