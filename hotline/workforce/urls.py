"""Pages of the workforce app (mounted at the site root; each path names its own prefix)."""

from django.urls import path  # noqa: F401

app_name = "workforce"

urlpatterns: list = []
