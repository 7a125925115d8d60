from django.urls import path

from spot import views

urlpatterns = [
    path("request/", views.request_help, name="spot_request"),
    path("request/thanks/", views.request_done, name="spot_request_done"),
    path("board/", views.board, name="spot_board"),
    path("board/<int:request_id>/", views.board_entry, name="spot_board_entry"),
    path("requests/<int:request_id>/", views.detail, name="spot_request_detail"),
    path("requests/<int:request_id>/accept/", views.accept, name="spot_accept"),
    path("requests/<int:request_id>/release/", views.release, name="spot_release"),
    path("requests/<int:request_id>/date/", views.agree, name="spot_agree_date"),
    path("requests/<int:request_id>/done/", views.done, name="spot_done"),
    path("requests/<int:request_id>/ofp/", views.volunteer_ofp, name="spot_volunteer_ofp"),
    path("r/requests/<int:request_id>/cancel/", views.resident_cancel, name="spot_resident_cancel"),
    path("r/requests/<int:request_id>/feedback/", views.resident_feedback, name="spot_resident_feedback"),
    path("r/requests/<int:request_id>/ofp/", views.resident_ofp, name="spot_resident_ofp"),
]
