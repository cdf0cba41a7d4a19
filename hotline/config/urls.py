from django.contrib import admin
from django.urls import include, path

from hotline.accounts import views as account_views

from .api import api

admin.site.site_header = "Hotline 12345 热线平台管理后台"
admin.site.site_title = "Hotline 管理后台"
admin.site.index_title = "后台数据管理"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("hotline.accounts.urls")),
    path("", include("hotline.console.urls")),
    path("kb/", include("hotline.knowledge.urls")),
    path("", include("hotline.intake.urls")),
    path("", include("hotline.stats.urls")),
    path("", include("hotline.workforce.urls")),
    path("", include("hotline.control.urls")),
    path("", include("hotline.sampling.urls")),
    path("", include("hotline.care.urls")),
    path("", include("hotline.screening.urls")),
    path("", include("hotline.reserve.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
