"""Pages of the intake app (mounted at the site root; each path names its own prefix)."""

from django.urls import path, re_path

from . import open311, views

app_name = "intake"

FMT = r"\.(?P<fmt>[a-z]+)"

urlpatterns = [
    path("portal/", views.portal_home, name="portal_home"),
    path("portal/new/", views.portal_new, name="portal_new"),
    path("portal/code/", views.portal_code, name="portal_code"),
    path("portal/places/", views.portal_places, name="portal_places"),
    path("portal/done/<str:number>/", views.portal_done, name="portal_done"),
    path("portal/track/", views.portal_track, name="portal_track"),
    path("portal/rate/", views.portal_rate, name="portal_rate"),
    path("portal/photo/<str:number>/", views.portal_photo, name="portal_photo"),
    path("intake/import/", views.import_page, name="import"),
    path("intake/import/<int:job_id>/", views.import_job, name="import_job"),
    path("intake/import/<int:job_id>/progress/", views.import_progress, name="import_progress"),
    path("intake/hooks/<str:channel>", views.hook, name="hook"),
    re_path(rf"^open311/v2/discovery{FMT}$", open311.discovery, name="open311_discovery"),
    re_path(rf"^open311/v2/services{FMT}$", open311.service_list, name="open311_services"),
    re_path(
        rf"^open311/v2/services/(?P<service_code>[^/.]+){FMT}$",
        open311.service_definition,
        name="open311_service",
    ),
    re_path(rf"^open311/v2/requests{FMT}$", open311.requests, name="open311_requests"),
    re_path(
        rf"^open311/v2/requests/(?P<service_request_id>[^/.]+){FMT}$",
        open311.request_detail,
        name="open311_request",
    ),
]
