from django.urls import path

from sinergi.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("baru/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/status/", views.change_status, name="change_status"),
    path("<int:pk>/catatan/", views.add_note, name="add_note"),
    path("<int:pk>/tugas/", views.add_task, name="add_task"),
    path("<int:pk>/tugas/<int:task_pk>/selesai/", views.complete_task, name="complete_task"),
    path("<int:pk>/asesmen/", views.add_assessment, name="add_assessment"),
    path("<int:pk>/rencana/", views.save_plan, name="save_plan"),
    path("<int:pk>/persetujuan/", views.record_consent, name="record_consent"),
    path("<int:pk>/persetujuan/<int:consent_pk>/cabut/", views.withdraw_consent, name="withdraw_consent"),
    path("<int:pk>/lampiran/", views.add_attachment, name="add_attachment"),
    path("<int:pk>/lampiran/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("<int:pk>/rujuk/", views.refer, name="refer"),
]
