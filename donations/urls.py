from django.urls import path

from donations import views

urlpatterns = [
    path("manage/<str:token>/", views.manage, name="donation_manage"),
    path("<slug:slug>/", views.campaign_page, name="campaign"),
    path("<slug:slug>/thanks/", views.thanks, name="donation_thanks"),
]
