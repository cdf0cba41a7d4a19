"""Pages of the control app (mounted at the site root; each path names its own prefix)."""

from django.urls import path

from . import views

app_name = "control"

urlpatterns = [
    path("control/", views.overview, name="overview"),
    path("control/households/<int:pk>/", views.household, name="household"),
    path("control/households/<int:pk>/issue/", views.issue_card, name="issue_card"),
    path(
        "control/households/<int:pk>/members/<int:member_id>/outing/",
        views.issue_outing,
        name="issue_outing",
    ),
    path("control/passes/<str:serial>/revoke/", views.revoke, name="revoke"),
    path("control/cards.pdf", views.cards_pdf, name="cards_pdf"),
    path("control/import/", views.import_households, name="import"),
    path("control/appeals/", views.appeals, name="appeals"),
    path("control/appeals/<int:pk>/", views.appeal, name="appeal"),
    path("checkpoint/", views.checkpoint_list, name="checkpoints"),
    path("checkpoint/sw.js", views.service_worker, name="service_worker"),
    path("checkpoint/<str:code>/", views.checkpoint, name="checkpoint"),
    path("checkpoint/<str:code>/bundle.json", views.checkpoint_bundle, name="bundle"),
    path("checkpoint/<str:code>/sync", views.checkpoint_sync, name="sync"),
    path("checkpoint/<str:code>/vehicle/", views.vehicle, name="vehicle"),
]
