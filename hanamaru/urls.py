from django.urls import path

from hanamaru import views

urlpatterns = [
    path("", views.classes, name="hanamaru_classes"),
    path("enroll/", views.enroll, name="hanamaru_enroll"),
    path("enroll/thanks/", views.enroll_done, name="hanamaru_enroll_done"),
    path("sessions/<int:session_id>/tutor/", views.tutor_sign_up, name="hanamaru_tutor_sign_up"),
    path("sessions/<int:session_id>/withdraw/", views.tutor_withdraw, name="hanamaru_tutor_withdraw"),
    path("classes/<int:class_id>/calendar.ics", views.class_calendar, name="hanamaru_class_calendar"),
    path("tutor/<str:token>/calendar.ics", views.tutor_calendar, name="hanamaru_tutor_calendar"),
    path("r/enrolments/<int:enrolment_id>/withdraw/", views.guardian_withdraw, name="hanamaru_withdraw"),
    path("r/enrolments/<int:enrolment_id>/accept/", views.guardian_accept, name="hanamaru_accept"),
    path("r/enrolments/<int:enrolment_id>/decline/", views.guardian_decline, name="hanamaru_decline"),
    path("r/enrolments/<int:enrolment_id>/absence/", views.guardian_absence, name="hanamaru_absence"),
    path("r/consent/", views.guardian_consent, name="hanamaru_consent"),
]
