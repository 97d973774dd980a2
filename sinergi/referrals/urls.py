from django.urls import path

from sinergi.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("kpi/", views.kpi, name="kpi"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/surat.pdf", views.letter, name="letter"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
]
