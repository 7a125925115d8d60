from django.urls import path

from spot import views

app_name = "spot"

urlpatterns = [
    path("request/", views.request_help, name="request"),
    path("request/thanks/", views.request_done, name="request_done"),
    path("board/", views.board, name="board"),
    path("board/<int:request_id>/", views.board_entry, name="board_entry"),
    path("requests/<int:request_id>/", views.detail, name="request_detail"),
    path("requests/<int:request_id>/accept/", views.accept, name="accept"),
    path("requests/<int:request_id>/release/", views.release, name="release"),
    path("requests/<int:request_id>/date/", views.agree, name="agree_date"),
    path("requests/<int:request_id>/done/", views.done, name="done"),
    path("requests/<int:request_id>/ofp/", views.volunteer_ofp, name="volunteer_ofp"),
    path("r/requests/<int:request_id>/cancel/", views.resident_cancel, name="resident_cancel"),
    path("r/requests/<int:request_id>/feedback/", views.resident_feedback, name="resident_feedback"),
    path("r/requests/<int:request_id>/ofp/", views.resident_ofp, name="resident_ofp"),
]
