from django.urls import path

from sinergi.privacy import views

app_name = "privacy"
urlpatterns = [
    path("orang/<int:pk>/", views.subject_access, name="subject_access"),
    path("orang/<int:pk>/ekspor.<str:file_format>", views.subject_access_export, name="subject_access_export"),
    path("orang/<int:pk>/permohonan/baru/", views.request_new, name="request_new"),
    path("orang/<int:pk>/pembatasan/cabut/", views.lift_restriction, name="lift_restriction"),
    path("permohonan/", views.request_list, name="request_list"),
    path("permohonan/<int:pk>/", views.request_detail, name="request_detail"),
]
