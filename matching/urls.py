from django.urls import path

from matching import views

urlpatterns = [
    path("apply/", views.apply, name="ofp_apply"),
    path("apply/thanks/", views.apply_done, name="ofp_apply_done"),
    path("r/pairs/<int:match_id>/respond/", views.resident_respond, name="ofp_resident_respond"),
    path("r/<str:token>/pairs/<int:match_id>/survey/<str:kind>/", views.resident_survey, name="ofp_resident_survey"),
    path("pairs/<int:match_id>/respond/", views.volunteer_respond, name="ofp_volunteer_respond"),
    path("pairs/<int:match_id>/check-in/", views.check_in, name="ofp_check_in"),
    path("pairs/<int:match_id>/survey/<str:kind>/", views.volunteer_survey, name="ofp_volunteer_survey"),
]
