from django.urls import path

from sinergi.assessments import views

app_name = "assessments"
urlpatterns = [
    path("orang/<int:person_id>/", views.person_history, name="history"),
    path("orang/<int:person_id>/baru/", views.assessment_form, name="form"),
    path("orang/<int:person_id>/draf/", views.save_draft, name="draft"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    # The instrument editor (agency administrator).
    path("instrumen/", views.instrument_list, name="instruments"),
    path("instrumen/baru/", views.instrument_new, name="instrument_new"),
    path("instrumen/<int:pk>/", views.instrument_detail, name="instrument"),
    path("instrumen/<int:pk>/terbitkan/", views.instrument_publish, name="instrument_publish"),
    path("instrumen/<int:pk>/pertanyaan/<int:question_pk>/", views.question_edit, name="question_edit"),
    path("instrumen/<int:pk>/<str:part>/", views.instrument_edit, name="instrument_edit"),
    path("instrumen/<int:pk>/<str:part>/<int:item_pk>/hapus/", views.instrument_remove, name="instrument_remove"),
]
