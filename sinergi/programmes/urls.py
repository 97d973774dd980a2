from django.urls import path

from sinergi.programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.programme_list, name="list"),
    path("baru/", views.programme_create, name="create"),
    path("kalender/", views.month_calendar, name="calendar"),
    path("tugas/", views.tasks, name="tasks"),
    path("rekomendasi/", views.recommend, name="recommend"),
    path("<int:pk>/", views.programme_detail, name="detail"),
    path("<int:pk>/hasil/", views.outcome_page, name="outcomes"),
    path("<int:pk>/hasil.xlsx", views.outcome_export, {"file_format": "xlsx"}, name="outcomes-xlsx"),
    path("<int:pk>/hasil.pdf", views.outcome_export, {"file_format": "pdf"}, name="outcomes-pdf"),
    path("angkatan/<int:pk>/", views.cohort_detail, name="cohort"),
    path("angkatan/<int:pk>/daftar/", views.enrol, name="enrol"),
    path("angkatan/<int:pk>/tutup/", views.close, name="close"),
    path("sesi/<int:pk>/", views.session_detail, name="session"),
    path("sesi/<int:pk>/hadir/<int:enrolment_pk>/", views.tick, name="tick"),
    path("sesi/<int:pk>/pindai/", views.session_check_in, name="check-in"),
    path("hadir/<str:code>/", views.scanned, name="scanned"),
    path("peserta/<int:pk>/mundur/", views.withdraw, name="withdraw"),
    path("peserta/<int:pk>/kartu/", views.card, name="card"),
    path("peserta/<int:pk>/sertifikat.pdf", views.certificate, name="certificate"),
    path("peserta/<int:pk>/usaha/", views.start_mentoring, name="start-mentoring"),
    path("usaha/<int:pk>/", views.business_detail, name="business"),
    path("usaha/<int:pk>/kunjungan/<int:visit_pk>/foto/", views.visit_photo, name="visit-photo"),
    path("sertifikat/<str:token>/", views.verify, name="verify"),
]
