from django.urls import path

from sinergi.registry import views

app_name = "registry"
urlpatterns = [
    path("orang/", views.search, name="search"),
    path("orang/baru/", views.create, name="create"),
    path("orang/cocok/", views.possible_matches, name="matches"),
    path("orang/nik/", views.nik_check, name="nik_check"),
    path("orang/<int:pk>/", views.detail, name="detail"),
    path("orang/<int:pk>/ubah/", views.edit, name="edit"),
    path("orang/<int:pk>/<str:kind>/tambah/", views.add_sub_record, name="add"),
    path("orang/<int:pk>/<str:kind>/<int:record_id>/hapus/", views.remove_sub_record, name="remove"),
]
