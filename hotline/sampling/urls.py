"""Pages of the sampling app (mounted at the site root; each path names its own prefix)."""

from django.urls import path, register_converter

from . import views


class IdConverter:
    """A database id: at most 18 digits, so that a longer number is a 404 and never reaches
    the database (SQLite raises OverflowError for integers beyond 64 bits)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


class VillageConverter(IdConverter):
    """A 12-digit village code."""

    regex = "[0-9]{12}"

    def to_python(self, value: str) -> str:
        return value


register_converter(IdConverter, "sid")
register_converter(VillageConverter, "village")

app_name = "sampling"

urlpatterns = [
    path("sampling/", views.rounds, name="rounds"),
    path("sampling/rounds/<sid:pk>/", views.round_page, name="round"),
    path("sampling/rounds/<sid:pk>/v/<village:code>/", views.village_page, name="village"),
    path("sampling/rounds/<sid:pk>/results/", views.results, name="results"),
    path("sampling/rounds/<sid:pk>/samples/", views.samples, name="samples"),
    path(
        "sampling/rounds/<sid:pk>/samples/template.csv",
        views.samples_template,
        name="samples_template",
    ),
    path("sampling/rounds/<sid:pk>/<str:action>/", views.round_action, name="round_action"),
    path("sampling/sites/<sid:pk>/", views.register, name="register"),
    path("sampling/tubes/<sid:pk>/close/", views.close_tube, name="close_tube"),
]
