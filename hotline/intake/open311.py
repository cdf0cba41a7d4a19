"""Open311 GeoReport v2 at /open311/v2/, in JSON and XML (the format is the resource's
suffix), field for field as the published specification names them.

Services are the TAXONOMY categories; a service request is a work order whose
service_request_id is the order number. GET answers carry no caller personal data (no name,
phone, e-mail, description; the address and coordinates are masked) and list only requests
that came in through Open311. Errors are the specification's list of {code, description}.

Written by hand (not with django-ninja): the specification fixes the URL suffixes, the
form-encoded POST with ``attribute[code]`` keys, the XML element names and the error shape,
none of which is what the project's JSON API does.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

from django.db.models import Max
from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from hotline.accounts.services import user_for_token
from hotline.common.api_errors import DomainError
from hotline.common.masking import mask_address, mask_coordinate
from hotline.orders.choices import Category, Channel, Status, Vulnerable
from hotline.orders.models import Order
from hotline.orders.services import Appeal

from . import services
from .choices import Door
from .models import ChannelRecord

DEFAULT_DAYS = 90
MAX_REQUESTS = 1000
CLOSED = (Status.RESOLVED, Status.CLOSED)

#: Service groups (the specification's ``group``) of the categories.
GROUPS = {
    "medical": "疫情防控",
    "supplies": "疫情防控",
    "health_code": "疫情防控",
    "testing": "疫情防控",
    "control": "疫情防控",
    "travel": "疫情防控",
    "market": "市场监管",
    "living": "民生服务",
    "study_work": "民生服务",
    "safety": "公共安全",
    "other": "其他",
}
DESCRIPTIONS = {
    "medical": "就医、用药、住院、透析化疗受阻、孕产检查、心理危机",
    "supplies": "食物、日用品、婴儿奶粉、隔离在家无人照料",
    "health_code": "健康码变色、弹窗、行程卡带星、赋码申诉",
    "testing": "采样点及时间、结果查询、记录缺失、上门采样",
    "control": "管控期限、出入证、隔离规定、卡口执勤",
    "travel": "通行证、进出城、车辆与货运",
    "market": "哄抬物价、商品短缺",
    "living": "水电燃气、垃圾清运、物业、快递",
    "study_work": "学校、考试、用工、工资",
    "safety": "火情、燃气泄漏、人员走失、人身危险",
    "other": "表扬、志愿服务、贷款救助及其他",
}
VULNERABLE_ATTRIBUTE = {
    "variable": True,
    "code": "vulnerable",
    "datatype": "multivaluelist",
    "required": False,
    "datatype_description": None,
    "order": 1,
    "description": "现场有以下特殊群体（老幼病残孕）",
    "values": [{"key": code, "name": label} for code, label in Vulnerable.choices],
}
HOME_VISIT_ATTRIBUTE = {
    "variable": True,
    "code": "home_visit",
    "datatype": "singlevaluelist",
    "required": False,
    "datatype_description": None,
    "order": 2,
    "description": "需要上门服务",
    "values": [{"key": "yes", "name": "需要"}, {"key": "no", "name": "不需要"}],
}
#: Categories whose service definition has attributes (metadata true).
ATTRIBUTES = {
    "medical": [VULNERABLE_ATTRIBUTE, HOME_VISIT_ATTRIBUTE],
    "supplies": [VULNERABLE_ATTRIBUTE, HOME_VISIT_ATTRIBUTE],
    "testing": [VULNERABLE_ATTRIBUTE, HOME_VISIT_ATTRIBUTE],
    "control": [VULNERABLE_ATTRIBUTE],
    "travel": [VULNERABLE_ATTRIBUTE],
    "safety": [VULNERABLE_ATTRIBUTE, HOME_VISIT_ATTRIBUTE],
    "living": [VULNERABLE_ATTRIBUTE],
}


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# --- rendering -------------------------------------------------------------------------------
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def _document(root: ET.Element) -> bytes:
    # The spec asks for the declaration with encoding="UTF-8" exactly.
    return XML_DECLARATION + ET.tostring(root, encoding="unicode").encode("utf-8")


def _xml(root: str, item: str, rows: list[dict]) -> bytes:
    top = ET.Element(root)
    for row in rows:
        top.append(_element(item, row))
    return _document(top)


def _element(tag: str, value) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, list):
                holder = ET.SubElement(element, key)
                singular = {"attributes": "attribute", "values": "value"}.get(key, key[:-1])
                for entry in child:
                    holder.append(_element(singular, entry))
            else:
                element.append(_element(key, child))
    elif value is not None:
        element.text = str(value).lower() if isinstance(value, bool) else str(value)
    return element


def _reply(fmt: str, root: str, item: str, rows, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        body = _xml(root, item, rows) if isinstance(rows, list) else _single_xml(root, rows)
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return HttpResponse(
        json.dumps(rows, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def _single_xml(root: str, row: dict) -> bytes:
    return _document(_element(root, row))


def _error(fmt: str, status: int, description: str) -> HttpResponse:
    rows = [{"code": status, "description": description}]
    return _reply(fmt if fmt in ("json", "xml") else "json", "errors", "error", rows, status)


def refuse_nul(request, message: str) -> HttpResponse:
    """A request holding U+0000, refused by RefuseNulMiddleware in the spec's error shape (the
    format taken from the path's suffix, as the views take it)."""
    return _error("xml" if request.path_info.endswith(".xml") else "json", 400, message)


def _spec_view(methods):
    """Decorate an Open311 view: format check, and every refusal in the spec's error shape."""

    def wrap(view):
        @csrf_exempt
        @require_http_methods(methods)
        def inner(request, fmt, *args, **kwargs):
            if fmt not in ("json", "xml"):
                return _error("json", 404, f"不支持的格式 .{fmt}：请用 .json 或 .xml。")
            try:
                return view(request, fmt, *args, **kwargs)
            except Open311Error as exc:
                return _error(fmt, exc.status, exc.description)
            except DomainError as exc:
                status = exc.status if exc.status in (403, 404) else 400
                return _error(fmt, status, str(exc))

        return inner

    return wrap


def _time(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- services --------------------------------------------------------------------------------
def _service(code: str, label: str) -> dict:
    return {
        "service_code": code,
        "service_name": label,
        "description": DESCRIPTIONS.get(code, ""),
        "metadata": code in ATTRIBUTES,
        "type": "realtime",
        "keywords": label.replace("/", ","),
        "group": GROUPS.get(code, "其他"),
    }


@_spec_view(["GET"])
def service_list(request, fmt):
    """GET services.{fmt}: the categories as services."""
    rows = [_service(code, label) for code, label in Category.choices]
    return _reply(fmt, "services", "service", rows)


@_spec_view(["GET"])
def service_definition(request, fmt, service_code):
    """GET services/{service_code}.{fmt}: the attributes a client may send."""
    if service_code not in Category.values:
        raise Open311Error(404, f"没有服务代码 {service_code}。")
    if service_code not in ATTRIBUTES:
        raise Open311Error(404, f"服务 {service_code} 没有附加属性（metadata 为 false）。")
    body = {"service_code": service_code, "attributes": ATTRIBUTES[service_code]}
    return _reply(fmt, "service_definition", "", body)


# --- requests --------------------------------------------------------------------------------
def _float(value: str, name: str) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise Open311Error(400, f"{name} 应为数字（收到 {value[:20]!r}）。") from None


def _attributes(post, service_code: str) -> dict:
    """The ``attribute[code]`` fields (a multivaluelist may repeat its key), checked against
    the service definition."""
    given: dict[str, list[str]] = {}
    for key in post:
        if key.startswith("attribute[") and key.endswith("]"):
            given[key[10:-1]] = [v for v in post.getlist(key) if v != ""]
    known = {a["code"]: a for a in ATTRIBUTES.get(service_code, [])}
    out: dict = {}
    for code, values in given.items():
        attribute = known.get(code)
        if attribute is None:
            raise Open311Error(400, f"服务 {service_code} 没有属性 {code}。")
        allowed = {v["key"] for v in attribute["values"]}
        bad = [v for v in values if v not in allowed]
        if bad:
            raise Open311Error(400, f"属性 {code} 的取值 {bad[0]} 不在服务定义中。")
        if attribute["datatype"] == "singlevaluelist" and len(values) > 1:
            raise Open311Error(400, f"属性 {code} 只能取一个值。")
        out[code] = values
    for code, attribute in known.items():
        if attribute["required"] and not out.get(code):
            raise Open311Error(400, f"缺少必填属性 attribute[{code}]。")
    return out


def _post_request(request, fmt):
    post = request.POST
    client = user_for_token(post.get("api_key", ""))
    if client is None:
        raise Open311Error(403, "api_key 无效或已吊销。")
    service_code = post.get("service_code", "")
    if service_code not in Category.values:
        raise Open311Error(400, f"service_code 无效：{service_code[:40]!r}。")
    lat, lon = _float(post.get("lat", ""), "lat"), _float(post.get("long", ""), "long")
    address_string = post.get("address_string", "").strip()
    address_id = post.get("address_id", "").strip()
    if (lat is None or lon is None) and not address_string and not address_id:
        raise Open311Error(400, "须提供位置：lat 和 long，或 address_string，或 address_id。")
    if (lat is None) != (lon is None):
        raise Open311Error(400, "lat 和 long 须同时提供。")
    description = post.get("description", "").strip()
    if not description:
        raise Open311Error(400, "description 不能为空：请描述所反映的问题。")
    attributes = _attributes(post, service_code)
    if attributes.get("home_visit") == ["yes"]:
        description += "（需要上门）"
    town_code = village_code = None
    if address_id:
        if not address_id.isdigit() or len(address_id) not in (9, 12):
            raise Open311Error(400, "address_id 应为 9 位镇街或 12 位村居区划代码。")
        town_code, village_code = address_id[:9], address_id if len(address_id) == 12 else None
    name = (post.get("last_name", "").strip() + post.get("first_name", "").strip())[:64]
    appeal = Appeal(
        channel=Channel.OPEN311,
        description=description,
        caller_name=name,
        caller_phone=post.get("phone", "").strip()[:32],
        address=address_string[:255],
        category=service_code,
        vulnerable=attributes.get("vulnerable"),
        town_code=town_code,
        village_code=village_code,
        latitude=lat,
        longitude=lon,
    )
    now = timezone.now()
    header_key = request.headers.get("Idempotency-Key", "").strip()[:100]
    device_id = post.get("device_id", "").strip()[:100]
    key, base = services.open311_key(
        client, header_key=header_key, device_id=device_id, description=description, now=now
    )
    media_url = post.get("media_url", "").strip()
    if media_url and not media_url.startswith(("http://", "https://")):
        raise Open311Error(400, "media_url 应为 http(s) 链接。")
    account_id = post.get("account_id", "").strip()[:100]
    result = services.receive_open311(
        client,
        appeal,
        key=key,
        dedupe_base=base,
        now=now,
        device_id=device_id,
        account_id=account_id,
        email=post.get("email", "").strip()[:254],
        media_url=media_url[:500],
        attributes=attributes,
    )
    order = result.order
    notice = f"已受理，工单编号 {order.number}，将于 {_time(order.resolve_deadline)} 前答复。"
    rows = [
        {
            "service_request_id": order.number,
            "service_notice": notice,
            "account_id": result.record.account_id or None,
        }
    ]
    return _reply(fmt, "service_requests", "request", rows, 201 if result.created else 200)


def _public(order: Order, updated, media_url: str) -> dict:
    """One service request as the public sees it (no caller personal data)."""
    done = order.status in CLOSED
    return {
        "service_request_id": order.number,
        "status": "closed" if done else "open",
        "status_notes": order.reply if done else None,
        "service_name": order.get_category_display(),
        "service_code": order.category,
        "description": None,
        "agency_responsible": order.handling_unit.name if order.handling_unit_id else None,
        "service_notice": None,
        "requested_datetime": _time(order.received_at),
        "updated_datetime": _time(updated or order.received_at),
        "expected_datetime": _time(order.resolve_deadline),
        "address": mask_address(order.address) or None,
        "address_id": order.village_id or order.town_id,
        "zipcode": None,
        "lat": mask_coordinate(order.latitude),
        "long": mask_coordinate(order.longitude),
        "media_url": media_url or None,
    }


def _public_rows(orders) -> list[dict]:
    orders = list(orders)
    media = dict(
        ChannelRecord.objects.filter(
            door=Door.OPEN311, order_number__in=[o.number for o in orders]
        ).values_list("order_number", "media_url")
    )
    return [_public(o, o.updated, media.get(o.number, "")) for o in orders]


def _base_query():
    return (
        Order.objects.filter(channel=Channel.OPEN311)
        .select_related("handling_unit")
        .annotate(updated=Max("events__at"))
    )


def _date(value: str, name: str):
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise Open311Error(400, f"{name} 应为 W3C 日期时间，如 2022-11-05T08:15:30+08:00。")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _get_requests(request, fmt):
    query = request.GET
    orders = _base_query()
    ids = [i.strip() for i in query.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        # The specification: with service_request_id the other parameters are ignored.
        orders = orders.filter(number__in=ids[:MAX_REQUESTS])
    else:
        codes = [c.strip() for c in query.get("service_code", "").split(",") if c.strip()]
        if codes:
            orders = orders.filter(category__in=codes)
        start, end = (
            _date(query.get("start_date", ""), "start_date"),
            _date(query.get("end_date", ""), "end_date"),
        )
        if start is None and end is None:
            end = timezone.now()
        if start is None:
            start = end - dt.timedelta(days=DEFAULT_DAYS)
        if end is not None:
            orders = orders.filter(received_at__lte=end)
        orders = orders.filter(received_at__gte=start)
        statuses = {s.strip() for s in query.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise Open311Error(400, "status 只能是 open 或 closed。")
        if statuses == {"open"}:
            orders = orders.exclude(status__in=CLOSED)
        elif statuses == {"closed"}:
            orders = orders.filter(status__in=CLOSED)
    rows = _public_rows(orders.order_by("-received_at", "-pk")[:MAX_REQUESTS])
    return _reply(fmt, "service_requests", "request", rows)


@_spec_view(["GET", "POST"])
def requests(request, fmt):
    """POST requests.{fmt} creates a service request; GET requests.{fmt} lists them."""
    if request.method == "POST":
        return _post_request(request, fmt)
    return _get_requests(request, fmt)


@_spec_view(["GET"])
def request_detail(request, fmt, service_request_id):
    """GET requests/{service_request_id}.{fmt}: one request, in a list as the spec says."""
    rows = _public_rows(_base_query().filter(number=service_request_id))
    if not rows:
        raise Open311Error(404, f"没有服务请求 {service_request_id}。")
    return _reply(fmt, "service_requests", "request", rows)


@_spec_view(["GET"])
def discovery(request, fmt):
    """The service discovery document the specification asks for."""
    base = request.build_absolute_uri("/open311/v2/")
    body = {
        "changeset": "2026-12-06T00:00:00+08:00",
        "contact": "茂名市 12345 政务服务便民热线",
        "key_service": "向热线中心申请接口令牌（api_key）",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2026-12-06T00:00:00+08:00",
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }
    if fmt == "xml":
        root = ET.Element("discovery")
        for key in ("changeset", "contact", "key_service"):
            ET.SubElement(root, key).text = body[key]
        endpoints = ET.SubElement(root, "endpoints")
        endpoint = ET.SubElement(endpoints, "endpoint")
        for key, value in body["endpoints"][0].items():
            if key == "formats":
                formats = ET.SubElement(endpoint, "formats")
                for f in value:
                    ET.SubElement(formats, "format").text = f
            else:
                ET.SubElement(endpoint, key).text = value
        return HttpResponse(
            _document(root),
            content_type="text/xml; charset=utf-8",
        )
    return _reply(fmt, "", "", body)
