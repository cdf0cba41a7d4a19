"""Pages of the screening app (mounted at the site root; each path names its own prefix)."""

from django.urls import path

from . import views

app_name = "screening"

urlpatterns = [
    path("screening/", views.ledger, name="ledger"),
    path("screening/people/", views.add_person, name="add-person"),
    path("screening/people/<int:pk>/remove/", views.remove_person, name="remove-person"),
    path("screening/setup/", views.set_up, name="setup"),
    path("screening/ledger.xlsx", views.ledger_export, name="ledger-export"),
    path("screening/reports/<slug:code>/", views.report, name="report"),
    path("screening/review/", views.review, name="review"),
    path("screening/review/<slug:code>.xlsx", views.review_export, name="review-export"),
    path("screening/decide/<int:pk>/<slug:action>/", views.decide, name="decide"),
]
