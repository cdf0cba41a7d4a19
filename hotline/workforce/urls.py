"""Pages of the workforce app (mounted at the site root; each path names its own prefix)."""

from django.urls import path

from . import views

app_name = "workforce"

urlpatterns = [
    path("workforce/roster/", views.roster, name="roster"),
    path("workforce/roster/add/", views.roster_add, name="roster-add"),
    path("workforce/shifts/<int:pk>/sign-<str:action>/", views.shift_sign, name="shift-sign"),
    path("workforce/staffing/", views.staffing, name="staffing"),
    path("workforce/staffing/table/", views.staffing_table, name="staffing-table"),
    path("workforce/teams/", views.teams, name="teams"),
    path("workforce/teams/add/", views.team_add, name="team-add"),
    path("workforce/teams/<int:pk>/", views.team_detail, name="team"),
    path("workforce/teams/<int:pk>/deploy/", views.team_deploy, name="team-deploy"),
    path("workforce/batches/<int:pk>/end/", views.batch_end, name="batch-end"),
    path("workforce/batches/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("workforce/people/", views.people, name="people"),
    path("workforce/people/import/", views.people_import, name="people-import"),
    path("workforce/people/<int:pk>/", views.person_detail, name="person"),
    path("workforce/people/<int:pk>/update/", views.person_update, name="person-update"),
    path("workforce/training/", views.training, name="training"),
    path("workforce/training/<slug:code>/", views.course, name="course"),
]
