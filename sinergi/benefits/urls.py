from django.urls import path

from sinergi.benefits import views

app_name = "benefits"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("anggaran/", views.budgets, name="budgets"),
    path("jenis/", views.types, name="types"),
    path("jenis/baru/", views.type_new, name="type_new"),
    path("jenis/<int:pk>/", views.type_detail, name="type"),
    path("jenis/<int:pk>/anggaran/", views.type_budget, name="type_budget"),
    path("belum-menerima/", views.missed, name="missed"),
    path("daftar.<str:fmt>", views.export, name="export"),
    path("orang/<int:person_id>/", views.person_history, name="person"),
    path("orang/<int:person_id>/usul/", views.propose, name="propose"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/langkah/", views.step, name="step"),
    path("<int:pk>/salurkan/", views.deliver, name="deliver"),
    path("<int:pk>/bukti/", views.proof, name="proof"),
]
