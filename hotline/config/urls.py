from django.contrib import admin
from django.urls import include, path, re_path

from hotline.accounts import views as account_views

from .api import api, api_not_found


def favicon(request):
    """The icon, for browsers that ask for /favicon.ico (resolved per request: the static
    files' manifest exists only after collectstatic)."""
    from django.http import HttpResponsePermanentRedirect
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("hotline/favicon.svg"))


admin.site.site_header = "Hotline 12345 热线平台管理后台"
admin.site.site_title = "Hotline 管理后台"
admin.site.index_title = "后台数据管理"

urlpatterns = [
    # The API first: Django tries patterns in order and every page app is included at "", so
    # an API request placed last walked all of their patterns first (~0.2 ms per request).
    path("api/v1/", api.urls),
    # Anything else under /api/ answers in the API's own shape, never an HTML page.
    re_path(r"^api/", api_not_found),
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
    # Browsers ask for /favicon.ico on pages that name no icon (the portal, error pages).
    path("favicon.ico", favicon),
]
