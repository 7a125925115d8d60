from django.urls import path

from consultations import views

app_name = "consultations"

urlpatterns = [
    path("request/", views.request_consultation, name="request"),
    path("request/thanks/", views.request_done, name="request_done"),
    path("expert/", views.expert_page, name="expert"),
    path("expert/cases/<int:consultation_id>/note/", views.expert_note, name="expert_note"),
    path("r/<str:token>/appointments/<int:appointment_id>/calendar.ics", views.calendar_file,
         name="calendar"),
    path("r/appointments/<int:appointment_id>/cancel/", views.resident_cancel, name="resident_cancel"),
    path("r/appointments/<int:appointment_id>/another-time/", views.resident_another_time,
         name="resident_another_time"),
]  # fmt: skip
