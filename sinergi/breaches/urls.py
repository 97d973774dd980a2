from django.urls import path

from sinergi.breaches import views

app_name = "breaches"
urlpatterns = [
    path("", views.breach_list, name="list"),
    path("lapor/", views.breach_report, name="report"),
    path("<int:pk>/", views.breach_detail, name="detail"),
    path("<int:pk>/tutup/", views.breach_close, name="close"),
    path("<int:pk>/pemberitahuan.pdf", views.breach_report_pdf, name="report_pdf"),
]
