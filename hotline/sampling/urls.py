"""Pages of the sampling app (mounted at the site root; each path names its own prefix)."""

from django.urls import path

from . import views

app_name = "sampling"

urlpatterns = [
    path("sampling/", views.rounds, name="rounds"),
    path("sampling/rounds/<int:pk>/", views.round_page, name="round"),
    path("sampling/rounds/<int:pk>/v/<str:code>/", views.village_page, name="village"),
    path("sampling/rounds/<int:pk>/results/", views.results, name="results"),
    path("sampling/sites/<int:pk>/", views.register, name="register"),
    path("sampling/tubes/<int:pk>/close/", views.close_tube, name="close_tube"),
]
