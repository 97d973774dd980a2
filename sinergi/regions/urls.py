from django.urls import path

from sinergi.regions import views

app_name = "regions"
urlpatterns = [path("pilih/", views.region_picker, name="picker")]
