from django.urls import path

from consultations import views

urlpatterns = [
    path("request/", views.request_consultation, name="consultations_request"),
    path("request/thanks/", views.request_done, name="consultations_request_done"),
    path("expert/", views.expert_page, name="consultations_expert"),
    path("expert/cases/<int:consultation_id>/note/", views.expert_note, name="consultations_expert_note"),
    path("r/<str:token>/appointments/<int:appointment_id>/calendar.ics", views.calendar_file,
         name="consultations_calendar"),
    path("r/appointments/<int:appointment_id>/cancel/", views.resident_cancel, name="consultations_resident_cancel"),
    path("r/appointments/<int:appointment_id>/another-time/", views.resident_another_time,
         name="consultations_resident_another_time"),
]  # fmt: skip
