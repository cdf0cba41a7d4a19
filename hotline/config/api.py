"""The NinjaAPI object: /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Each app adds its Router here. Docs are served from ninja's bundled static files (no CDN).
The generated schema gains the OpenAPI links declared in hotline/config/api_links.py.
"""

from ninja import NinjaAPI

from hotline import __version__
from hotline.accounts.auth import API_AUTH
from hotline.care.api import router as care_router
from hotline.common.api import router as common_router
from hotline.common.api_errors import install_error_handlers
from hotline.common.parsers import JSONParser
from hotline.common.renderers import JSONRenderer
from hotline.config.api_links import add_links
from hotline.control.api import router as control_router
from hotline.geo.api import router as geo_router
from hotline.intake.api import router as intake_router
from hotline.knowledge.api import router as knowledge_router
from hotline.orders.api import router as orders_router
from hotline.reserve.api import router as reserve_router
from hotline.sampling.api import router as sampling_router
from hotline.screening.api import router as screening_router
from hotline.stats.api import router as stats_router
from hotline.workforce.api import router as workforce_router


class HotlineAPI(NinjaAPI):
    """NinjaAPI whose schema carries the links of api_links.LINKS (ninja cannot declare them)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return add_links(schema)


api = HotlineAPI(
    title="Hotline 12345 热线平台 API",
    version=__version__,
    description=(
        "机器客户端在请求头中发送 `Authorization: Bearer <令牌>`（用 `hotline createtoken` 签发）；"
        "浏览器使用登录会话。错误统一为 `{code, message, errors?}`。"
    ),
    auth=API_AUTH,
    urls_namespace="api",
    renderer=JSONRenderer(),
    parser=JSONParser(),
)
install_error_handlers(api)
api.add_router("", common_router)
api.add_router("", geo_router)
api.add_router("", orders_router)
api.add_router("", knowledge_router)
api.add_router("", intake_router)
api.add_router("", stats_router)
api.add_router("", workforce_router)
api.add_router("", control_router)
api.add_router("", sampling_router)
api.add_router("", care_router)
api.add_router("", screening_router)
api.add_router("", reserve_router)


def api_not_found(request):
    """A path under /api/ that no operation has: JSON in the API's error shape (not the site's
    HTML 404 page), so that a client's mistyped path is as clear as any other error."""
    from django.http import JsonResponse

    return JsonResponse(
        {
            "code": "not_found",
            "message": f"没有这个接口：{request.path}（接口文档见 /api/v1/docs）",
        },
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )
