"""Pages of the screening app (mounted at the site root; each path names its own prefix)."""

from django.urls import path  # noqa: F401

app_name = "screening"

urlpatterns: list = []
