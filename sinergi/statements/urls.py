from django.urls import path

from sinergi.statements import views

app_name = "statements"
urlpatterns = [
    path("", views.statement_list, name="list"),
    path("kasus/<int:case_id>/", views.case_facts, name="facts"),
    path("kasus/<int:case_id>/fakta/", views.state_fact, name="state_fact"),
    path("kasus/<int:case_id>/fakta/<int:claim_id>/verifikasi/", views.verify_fact, name="verify_fact"),
    path("kasus/<int:case_id>/baru/", views.draft, name="draft"),
    path("versi/<int:pk>/", views.version_detail, name="version"),
    path("versi/<int:pk>/ubah/", views.edit, name="edit"),
    path("versi/<int:pk>/tanda/<int:flag_id>/", views.justify, name="justify"),
    path("versi/<int:pk>/setujui/", views.approve, name="approve"),
    path("versi/<int:pk>/koreksi/", views.correct, name="correct"),
    path("p/<str:public_id>/", views.public_statement, name="public"),
    path("cek/", views.check_code, name="check"),
]
