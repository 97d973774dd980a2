from django.urls import path

from sinergi.cases import views

app_name = "cases"
urlpatterns = [
    path("<int:pk>/", views.detail, name="detail"),
]
