"""Pages of the stats app (mounted at the site root; each path names its own prefix)."""

from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("stats/", views.board, name="board"),
    path("stats/panels/", views.board_panels, name="board-panels"),
    path("stats/league/", views.league, name="league"),
    path("stats/report/", views.report, name="report"),
    path("stats/report.xlsx", views.report_xlsx, name="report-xlsx"),
    path("stats/report.pdf", views.report_pdf, name="report-pdf"),
    path("stats/export/<str:table>.<str:fmt>", views.export, name="export"),
]
