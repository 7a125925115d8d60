from django.urls import path

from donations import views

app_name = "donations"

urlpatterns = [
    path("manage/<str:token>/", views.manage, name="manage"),
    path("history/", views.history_link_again, name="history_link_again"),
    path("history/sent/", views.history_link_sent, name="history_link_sent"),
    path("history/<str:token>/", views.history, name="history"),
    path("history/<str:token>/receipts/<str:number>/", views.receipt_file, name="receipt"),
    path("<slug:slug>/", views.campaign_page, name="campaign"),
    path("<slug:slug>/preview.png", views.preview_image, name="campaign_preview"),
    path("<slug:slug>/thanks/", views.thanks, name="thanks"),
]
