from django.urls import path

from sinergi.outreach import views

app_name = "outreach"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("baru/", views.event_create, name="create"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("tindak-lanjut/<int:pk>/", views.follow_up_detail, name="follow-up"),
    path("tindak-lanjut/<int:pk>/kasus/", views.follow_up_case, name="follow-up-case"),
    path("tindak-lanjut/<int:pk>/daftar/", views.follow_up_enrol, name="follow-up-enrol"),
]
