from django.urls import path

from sinergi.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("peta/", views.regency_map, name="map"),
    path("bulanan/", views.monthly, name="monthly"),
    path("bulanan/<int:pk>.<str:fmt>", views.generated_report, name="generated"),
    path("statistik/", views.public, name="public"),
]
