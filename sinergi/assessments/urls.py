from django.urls import path

from sinergi.assessments import views

app_name = "assessments"
urlpatterns = [
    path("orang/<int:person_id>/", views.person_history, name="history"),
    path("orang/<int:person_id>/baru/", views.assessment_form, name="form"),
    path("orang/<int:person_id>/draf/", views.save_draft, name="draft"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
]
