"""How every API error looks: a stable machine code plus a message for people (Chinese).

{"code": "validation_error", "message": "请求参数有误。", "errors": [{"field": …, "message": …}]}
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from .middleware import NUL_MESSAGE
from .parsers import NulInText


class DomainError(Exception):
    """Base of domain errors raised by services (OrderError, GeoError, …).

    ``status`` is the HTTP status the API answers with (409 for a state conflict, 403 for a
    permission, 404, 422); ``code`` is stable for machines; the message is for people.
    """

    status = 409
    code = "domain_error"

    def __init__(self, message: str, code: str | None = None, status: int | None = None):
        super().__init__(message)
        if code:
            self.code = code
        if status:
            self.status = status


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts)


_PYDANTIC_MESSAGES = {
    "missing": "必填项",
    "string_too_long": "内容过长",
    "string_too_short": "内容过短",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "datetime_parsing": "时间格式有误，应为 ISO 8601，如 2022-11-05T15:51:00+08:00",
    "datetime_from_date_parsing": "时间格式有误，应为 ISO 8601，如 2022-11-05T15:51:00+08:00",
    "date_from_datetime_parsing": "日期格式有误，应为 2022-11-05",
    "enum": "不是允许的取值",
    "literal_error": "不是允许的取值",
    "json_invalid": "不是合法的 JSON",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为数组",
    "string_type": "应为文本",
    "string_pattern_mismatch": "格式不正确",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "too_long": "条目过多",
    "too_short": "条目过少",
    "int_from_float": "应为整数",
    "date_parsing": "日期格式有误，应为 2022-11-05",
    "date_from_datetime_inexact": "日期格式有误，应为 2022-11-05",
    "uuid_parsing": "格式不正确",
    "url_parsing": "不是合法的网址",
    "extra_forbidden": "不接受这个字段",
}


def _message(error: dict) -> str:
    """Chinese for a pydantic error: ours from the table, a validator's own words (our
    validators raise Chinese messages), else a plain "取值无效" — never pydantic's English."""
    kind = error.get("type", "")
    if kind in _PYDANTIC_MESSAGES:
        return _PYDANTIC_MESSAGES[kind]
    if kind in ("value_error", "assertion_error"):
        text = str(error.get("msg", ""))
        for prefix in ("Value error, ", "Assertion failed, "):
            text = text.removeprefix(prefix)
        if any("\u4e00" <= ch <= "\u9fff" for ch in text):
            return text
    return "取值无效"


def field_errors(errors) -> list[dict]:
    """Pydantic errors as [{field, code, message}] with Chinese messages."""
    return [
        {
            "field": _field_name(e.get("loc", ())),
            "code": e.get("type", "invalid"),
            "message": _message(e),
        }
        for e in errors
    ]


def install_error_handlers(api: NinjaAPI) -> None:
    """Answer every error a client can cause with JSON in the shape above, never a 500."""

    def reply(request, status: int, code: str, message: str, errors=None):
        body = {"code": code, "message": message}
        if errors is not None:
            body["errors"] = errors
        return api.create_response(request, body, status=status)

    @api.exception_handler(ValidationError)
    def on_validation(request, exc: ValidationError):
        errors = field_errors(exc.errors)
        return reply(request, 422, "validation_error", "请求参数有误，请按提示修改。", errors)

    @api.exception_handler(AuthenticationError)
    def on_auth(request, exc):
        return reply(request, 401, "unauthenticated", "请先登录，或在请求头中提供有效的接口令牌。")

    @api.exception_handler(Http404)
    def on_404(request, exc):
        return reply(request, 404, "not_found", "找不到请求的对象。")

    @api.exception_handler(HttpError)
    def on_http(request, exc: HttpError):
        codes = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
        message = str(exc)
        if isinstance(exc.__cause__, NulInText):  # raised by the API's parser, wrapped by ninja
            return reply(
                request,
                422,
                "nul_character",
                NUL_MESSAGE,
            )
        if exc.status_code == 400 and message.startswith("Cannot parse"):
            # django-ninja's words for a body that is not the JSON or form it expects
            message = "请求体无法解析：请发送合法的 JSON（Content-Type: application/json）。"
        return reply(request, exc.status_code, codes.get(exc.status_code, "error"), message)

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request, exc):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        return reply(
            request,
            413,
            "request_too_large",
            f"请求体超过 {limit} MB 上限，未处理任何内容；请分成更小的批次重新提交。",
        )

    @api.exception_handler(DomainError)
    def on_domain(request, exc: DomainError):
        return reply(request, exc.status, exc.code, str(exc))
