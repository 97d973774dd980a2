from django.urls import path

from sinergi.sharing import views

app_name = "sharing"
urlpatterns = [
    path("rujukan/<int:pk>/ambil/", views.take_in, name="take_in"),
]
