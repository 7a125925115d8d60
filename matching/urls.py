from django.urls import path

from matching import views

app_name = "ofp"

urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("apply/thanks/", views.apply_done, name="apply_done"),
    path("r/pairs/<int:match_id>/respond/", views.resident_respond, name="resident_respond"),
    path("r/pairs/<int:match_id>/check-in/", views.resident_check_in, name="resident_check_in"),
    path("r/pairs/<int:match_id>/continue/", views.resident_extend, name="resident_extend"),
    path("r/<str:token>/pairs/<int:match_id>/survey/<str:kind>/", views.resident_survey, name="resident_survey"),
    path("pairs/<int:match_id>/respond/", views.volunteer_respond, name="volunteer_respond"),
    path("pairs/<int:match_id>/check-in/", views.check_in, name="check_in"),
    path("pairs/<int:match_id>/continue/", views.volunteer_extend, name="volunteer_extend"),
    path("pairs/<int:match_id>/survey/<str:kind>/", views.volunteer_survey, name="volunteer_survey"),
]
