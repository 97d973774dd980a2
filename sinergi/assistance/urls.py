from django.urls import path

from sinergi.assistance import views

app_name = "assistance"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("ekspor.csv", views.export, {"file_format": "csv"}, name="export-csv"),
    path("ekspor.xlsx", views.export, {"file_format": "xlsx"}, name="export-xlsx"),
    path("kandidat/", views.candidates, name="candidates"),
    path("usul/<int:case_id>/", views.propose, name="propose"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/setujui/", views.agree, name="agree"),
    path("<int:pk>/tarik/", views.withdraw, name="withdraw"),
]
