from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from jii import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Stripe posts to /stripe/webhook/: no language prefix, no CSRF token (the signature is the proof).
    path("", include("donations.webhook_urls")),
    # The email provider's tracking webhook (bounces, complaints), signed as the provider signs it.
    path("anymail/", include("anymail.urls")),
    # LINE posts what people send JII's official account here (signed with the channel secret).
    path("line/webhook/", views.line_webhook, name="line_webhook"),
]

# Japanese at the unprefixed path, English under /en/.
urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("privacy/", views.privacy_page, name="privacy"),
    path("status/", views.status_link_again, name="status_link_again"),
    path("status/sent/", views.status_link_sent, name="status_link_sent"),
    path("status/line/", views.status_line, name="status_line"),
    path("status/language/", views.status_language, name="status_language"),
    path("status/data/", views.status_data, name="status_data"),
    path("status/erase/", views.status_erase, name="status_erase"),
    path("status/<str:token>/", views.status, name="status"),
    path("volunteer/", views.volunteer_dashboard, name="volunteer_dashboard"),
    path("volunteer/profile/", views.volunteer_profile, name="volunteer_profile"),
    path("volunteer/line/", views.volunteer_line, name="volunteer_line"),
    path("volunteer/pledge/", views.volunteer_pledge, name="volunteer_pledge"),
    path("volunteer/pause/", views.volunteer_pause, name="volunteer_pause"),
    path("volunteer/certificate/", views.volunteer_certificate, name="volunteer_certificate"),
    path("volunteer/certificate/<str:number>/", views.volunteer_certificate_file, name="volunteer_certificate_file"),
    path("volunteer/data/", views.volunteer_data, name="volunteer_data"),
    path("volunteer/close/", views.volunteer_close, name="volunteer_close"),
    path("ofp/", include("matching.urls")),
    path("spot/", include("spot.urls")),
    path("hanamaru/", include("hanamaru.urls")),
    path("consultations/", include("consultations.urls")),
    path("donate/", include("donations.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
