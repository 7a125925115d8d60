from django.urls import path

from hanamaru import views

app_name = "hanamaru"

urlpatterns = [
    path("", views.classes, name="classes"),
    path("enroll/", views.enroll, name="enroll"),
    path("enroll/thanks/", views.enroll_done, name="enroll_done"),
    path("sessions/<int:session_id>/tutor/", views.tutor_sign_up, name="tutor_sign_up"),
    path("sessions/<int:session_id>/withdraw/", views.tutor_withdraw, name="tutor_withdraw"),
    path("classes/<int:class_id>/calendar.ics", views.class_calendar, name="class_calendar"),
    path("tutor/<str:token>/calendar.ics", views.tutor_calendar, name="tutor_calendar"),
    path("r/enrolments/<int:enrolment_id>/withdraw/", views.guardian_withdraw, name="withdraw"),
    path("r/enrolments/<int:enrolment_id>/accept/", views.guardian_accept, name="accept"),
    path("r/enrolments/<int:enrolment_id>/decline/", views.guardian_decline, name="decline"),
    path("r/enrolments/<int:enrolment_id>/absence/", views.guardian_absence, name="absence"),
    path("r/consent/", views.guardian_consent, name="consent"),
]
