from django.urls import path

from matching import views

urlpatterns = [
    path("apply/", views.apply, name="ofp_apply"),
    path("apply/thanks/", views.apply_done, name="ofp_apply_done"),
    path("r/pairs/<int:match_id>/respond/", views.resident_respond, name="ofp_resident_respond"),
    path("r/pairs/<int:match_id>/check-in/", views.resident_check_in, name="ofp_resident_check_in"),
    path("r/pairs/<int:match_id>/continue/", views.resident_extend, name="ofp_resident_extend"),
    path("r/<str:token>/pairs/<int:match_id>/survey/<str:kind>/", views.resident_survey, name="ofp_resident_survey"),
    path("pairs/<int:match_id>/respond/", views.volunteer_respond, name="ofp_volunteer_respond"),
    path("pairs/<int:match_id>/check-in/", views.check_in, name="ofp_check_in"),
    path("pairs/<int:match_id>/continue/", views.volunteer_extend, name="ofp_volunteer_extend"),
    path("pairs/<int:match_id>/survey/<str:kind>/", views.volunteer_survey, name="ofp_volunteer_survey"),
]
