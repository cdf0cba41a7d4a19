"""Pages of the reserve app (mounted at the site root; each path names its own prefix)."""

from django.urls import path

from . import views

app_name = "reserve"

urlpatterns = [
    path("reserve/book/", views.book, name="book"),
    path("reserve/apply/", views.apply_exception, name="apply"),
    path("reserve/gate/", views.gate, name="gate"),
    path("reserve/gate/passage/", views.passage, name="passage"),
    path("reserve/gate/reveal/<str:kind>/<str:number>/", views.reveal_phone, name="reveal"),
    path("reserve/manage/", views.manage, name="manage"),
    path("reserve/manage/suspensions/", views.create_suspension, name="suspend"),
    path("reserve/manage/suspensions/<int:pk>/end/", views.end_suspension, name="end_suspension"),
    path("reserve/manage/exceptions/<str:number>/", views.decide_exception, name="decide"),
    path("reserve/manage/duty/", views.assign_duty, name="duty"),
    path("reserve/", views.fire_map, name="map"),
    path("reserve/fire/<str:number>/", views.incident, name="incident"),
    path("reserve/fire/<str:number>/on-site/", views.incident_on_site, name="on_site"),
    path("reserve/fire/<str:number>/resolve/", views.incident_resolve, name="resolve"),
    path("reserve/fire/<str:number>/link/", views.incident_link, name="link"),
    path("reserve/photos/<int:pk>/", views.incident_photo, name="photo"),
]
