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
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
