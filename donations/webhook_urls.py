"""Stripe's webhook, at the site's root: no language prefix, no CSRF token (the signature is the proof).
config/urls.py includes it beside donations/urls.py, which lives under /donate/ in every language."""

from django.urls import path

from donations import views

urlpatterns = [path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook")]
