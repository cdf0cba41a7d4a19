"""Pages of the care app (mounted at the site root; each path names its own prefix)."""

from django.urls import path

from . import views

app_name = "care"

urlpatterns = [
    path("care/", views.request_list, name="requests"),
    path("care/from-order/", views.from_order, name="from-order"),
    path("care/new/", views.community_new, name="new"),
    path("care/route/", views.my_route, name="route"),
    path("care/plan/", views.plan, name="plan"),
    path("care/stock/", views.stock, name="stock"),
    path("care/<int:pk>/", views.request_detail, name="request"),
    path("care/<int:pk>/reveal/", views.reveal, name="reveal"),
    path("care/<int:pk>/tasks/", views.add_task, name="add-task"),
    path("care/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("care/tasks/<int:pk>/photo/", views.task_photo, name="photo"),
    path("care/tasks/<int:pk>/<slug:action>/", views.task_action, name="task-action"),
]
