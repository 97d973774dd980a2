from django.urls import path

from sinergi.sop import views

app_name = "sop"
urlpatterns = [
    path("", views.sop_list, name="list"),
    path("baru/", views.sop_create, name="create"),
    path("<int:pk>/", views.sop_detail, name="detail"),
    path("<int:pk>/ubah/", views.sop_edit, name="edit"),
    path("<int:pk>/setujui/", views.approve, name="approve"),
    path("<int:pk>/aktifkan/", views.activate, name="activate"),
    path("<int:pk>/cabut/", views.retire, name="retire"),
    path("<int:pk>/rute/<int:route_pk>/", views.route_edit, name="route_edit"),
    path("<int:pk>/rute/baru/<int:category_pk>/", views.route_add, name="route_add"),
]
