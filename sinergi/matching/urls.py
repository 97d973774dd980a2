from django.urls import path

from sinergi.matching import views

app_name = "matching"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("periksa/", views.scan, name="scan"),
    path("pasangan/<int:pk>/", views.pair, name="pair"),
    path("gabungan/<int:pk>/batalkan/", views.undo_merge, name="undo_merge"),
    path("orang/<int:pk>/rekaman-emas/", views.golden, name="golden"),
]
