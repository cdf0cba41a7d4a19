"""Open311 GeoReport v2, exercised by a client written from the published specification: it
knows the resource paths, the form field names, the response field names and the XML element
names of the spec, and nothing of our code (no import from hotline.intake)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

pytestmark = pytest.mark.django_db

#: Fields of a service request in GET requests (GeoReport v2, "GET Service Requests").
SPEC_REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
}  # fmt: skip
SPEC_SERVICE_FIELDS = {
    "service_code", "service_name", "description", "metadata", "type", "keywords", "group",
}  # fmt: skip
SPEC_ATTRIBUTE_FIELDS = {
    "variable", "code", "datatype", "required", "datatype_description", "order", "description",
    "values",
}  # fmt: skip


class GeoReportClient:
    """A GeoReport v2 client from the spec: {endpoint}/{resource}.{format}."""

    def __init__(self, http, endpoint: str, fmt: str, api_key: str | None = None):
        self.http, self.endpoint, self.fmt, self.api_key = http, endpoint, fmt, api_key

    def _parse(self, response):
        if self.fmt == "json":
            return json.loads(response.content)
        root = ET.fromstring(response.content)
        return _xml_to_data(root)

    def get(self, resource: str, **params):
        response = self.http.get(f"{self.endpoint}{resource}.{self.fmt}", params)
        return response.status_code, self._parse(response)

    def post_request(self, fields: dict, headers=None):
        data = {"api_key": self.api_key, **fields}
        response = self.http.post(
            f"{self.endpoint}requests.{self.fmt}", data, headers=headers or {}
        )
        return response.status_code, self._parse(response)


def _xml_to_data(root):
    """Spec XML → the same shape as the JSON: <services>/<service_requests>/<errors> are
    lists of their children; <service_definition> is one object."""
    lists = {"services", "service_requests", "errors", "attributes", "values"}

    def value(el):
        if el.tag in lists:
            return [value(child) for child in el]
        if len(el) == 0:
            return el.text
        return {child.tag: value(child) for child in el}

    return value(root)


@pytest.fixture(params=["json", "xml"])
def spec(request, client, api_key):
    return GeoReportClient(client, "/open311/v2/", request.param, api_key)


def test_services_list_every_category_with_spec_fields(spec, city):
    status, services = spec.get("services")
    assert status == 200
    codes = {s["service_code"] for s in services}
    assert {"medical", "supplies", "testing", "living", "other"} <= codes
    for service in services:
        assert set(service) == SPEC_SERVICE_FIELDS
        assert str(service["metadata"]).lower() in ("true", "false")
        assert service["type"] == "realtime"
    medical = next(s for s in services if s["service_code"] == "medical")
    assert medical["service_name"] == "就医用药"
    assert str(medical["metadata"]).lower() == "true"


def test_service_definition_has_spec_attributes(spec, city):
    status, definition = spec.get("services/medical")
    assert status == 200
    assert definition["service_code"] == "medical"
    codes = [a["code"] for a in definition["attributes"]]
    assert codes == ["vulnerable", "home_visit"]
    for attribute in definition["attributes"]:
        assert set(attribute) == SPEC_ATTRIBUTE_FIELDS
        assert attribute["datatype"] in ("singlevaluelist", "multivaluelist")
        assert all(set(v) == {"key", "name"} for v in attribute["values"])


def test_unknown_service_is_a_spec_404(spec, city):
    status, errors = spec.get("services/potholes")
    assert status == 404
    assert str(errors[0]["code"]) == "404" and errors[0]["description"]


def test_round_trip_post_then_get(spec, city):
    status, created = spec.post_request(
        {
            "service_code": "supplies",
            "lat": "21.6630",
            "long": "110.9254",
            "address_string": "茂南区公馆镇圩镇新街 8 号",
            "description": "独居老人家里没有米了，封控出不去。",
            "first_name": "伯",
            "last_name": "陈",
            "phone": "13812340000",
            "email": "chen@example.com",
            "device_id": "device-abc",
            "account_id": "acct-7",
            "attribute[vulnerable]": ["elderly"],
            "attribute[home_visit]": "yes",
            "media_url": "https://example.com/photo.jpg",
        }
    )
    assert status == 201, created
    assert len(created) == 1
    assert set(created[0]) == {"service_request_id", "service_notice", "account_id"}
    assert created[0]["account_id"] == "acct-7"
    number = created[0]["service_request_id"]

    status, found = spec.get(f"requests/{number}")
    assert status == 200 and len(found) == 1
    item = found[0]
    assert set(item) == SPEC_REQUEST_FIELDS
    assert item["service_request_id"] == number
    assert item["status"] == "open"
    assert item["service_code"] == "supplies"
    assert item["media_url"] == "https://example.com/photo.jpg"
    assert item["expected_datetime"] and item["requested_datetime"]
    # No caller personal data in a public answer.
    text = json.dumps(found, ensure_ascii=False)
    for private in ("13812340000", "陈伯", "chen@example.com", "新街 8 号", "没有米了"):
        assert private not in text

    status, listed = spec.get("requests", service_code="supplies", status="open")
    assert status == 200
    assert number in [r["service_request_id"] for r in listed]
    status, listed = spec.get("requests", status="closed")
    assert number not in [r["service_request_id"] for r in listed]
    status, listed = spec.get("requests", service_request_id=f"{number},nope")
    assert [r["service_request_id"] for r in listed] == [number]


def test_attributes_reach_the_order(client, api_key, city):
    from hotline.orders.models import Order

    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "medical",
            "address_id": "440902101",
            "description": "家里老人透析被拦在小区门口。",
            "attribute[vulnerable]": ["elderly", "sick"],
        },
    )
    assert response.status_code == 201
    order = Order.objects.get(number=response.json()[0]["service_request_id"])
    assert order.channel == "open311"
    assert set(order.vulnerable) == {"elderly", "sick"}
    assert order.town_id == "440902101"
    assert order.category == "medical"


@pytest.mark.parametrize(
    "fields, status, needle",
    [
        ({"service_code": "supplies", "description": "x"}, 400, "位置"),
        (
            {"service_code": "nope", "lat": "21.6", "long": "110.9", "description": "x"},
            400,
            "service_code",
        ),
        (
            {"service_code": "supplies", "lat": "abc", "long": "110.9", "description": "x"},
            400,
            "lat",
        ),
        ({"service_code": "supplies", "address_string": "公馆镇"}, 400, "description"),
        (
            {
                "service_code": "supplies",
                "address_string": "公馆镇",
                "description": "x",
                "attribute[colour]": "red",
            },
            400,
            "colour",
        ),
        (
            {
                "service_code": "supplies",
                "address_string": "公馆镇",
                "description": "x",
                "attribute[home_visit]": "maybe",
            },
            400,
            "maybe",
        ),
        (
            {"service_code": "supplies", "address_id": "999999999", "description": "没有米"},
            400,
            "999999999",
        ),
    ],
)
def test_bad_requests_get_spec_errors(spec, city, fields, status, needle):
    got, errors = spec.post_request(fields)
    assert got == status
    assert str(errors[0]["code"]) == str(status)
    assert needle in errors[0]["description"]


def test_bad_or_missing_api_key_is_403(spec, city):
    spec.api_key = "hl_not-a-token"
    status, errors = spec.post_request(
        {"service_code": "supplies", "address_string": "公馆镇", "description": "没有米"}
    )
    assert status == 403 and str(errors[0]["code"]) == "403"


def test_unknown_request_and_format(client, city):
    assert client.get("/open311/v2/requests/20221107-999999.json").status_code == 404
    response = client.get("/open311/v2/services.yaml")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404


def test_same_device_and_description_is_the_same_order(client, api_key, city):
    fields = {
        "api_key": api_key,
        "service_code": "living",
        "address_string": "公馆镇",
        "description": "路灯不亮三晚了。",
        "device_id": "phone-1",
    }
    first = client.post("/open311/v2/requests.json", fields)
    again = client.post("/open311/v2/requests.json", fields)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    other = client.post("/open311/v2/requests.json", {**fields, "device_id": "phone-2"})
    assert other.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]


def test_same_device_after_the_window_is_a_new_order(client, api_key, city):
    import datetime as dt

    from hotline.intake.models import ChannelRecord

    fields = {
        "api_key": api_key,
        "service_code": "living",
        "address_string": "公馆镇",
        "description": "路灯不亮三晚了。",
        "device_id": "phone-1",
    }
    first = client.post("/open311/v2/requests.json", fields).json()[0]["service_request_id"]
    ChannelRecord.objects.update(created_at=dt.datetime(2022, 1, 1, tzinfo=dt.UTC))
    later = client.post("/open311/v2/requests.json", fields)
    assert later.status_code == 201
    assert later.json()[0]["service_request_id"] != first


def test_idempotency_key_header(client, api_key, city):
    fields = {
        "api_key": api_key,
        "service_code": "living",
        "address_string": "公馆镇",
        "description": "停水了。",
    }
    headers = {"Idempotency-Key": "k-1"}
    first = client.post("/open311/v2/requests.json", fields, headers=headers)
    again = client.post("/open311/v2/requests.json", fields, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    different = client.post(
        "/open311/v2/requests.json", {**fields, "description": "停电了。"}, headers=headers
    )
    assert different.status_code == 400
    assert "幂等键" in different.json()[0]["description"]


def test_get_requests_lists_only_open311_with_few_queries(
    client, api_key, city, django_assert_max_num_queries
):
    from hotline.orders.tests.factories import receive

    receive(city.agent, now=None)  # a phone appeal: never public
    for n in range(5):
        client.post(
            "/open311/v2/requests.json",
            {
                "api_key": api_key,
                "service_code": "living",
                "address_string": "公馆镇",
                "description": f"第 {n} 盏路灯不亮",
            },
        )
    with django_assert_max_num_queries(3):
        listed = client.get("/open311/v2/requests.json").json()
    assert len(listed) == 5


def test_resolved_request_shows_the_reply_as_status_notes(client, api_key, city):
    from hotline.orders.models import Order

    from .factories import resolved

    number = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "living",
            "address_id": "440902101",
            "description": "停水两天了",
        },
    ).json()[0]["service_request_id"]
    resolved(Order.objects.get(number=number), city)
    item = client.get(f"/open311/v2/requests/{number}.json").json()[0]
    assert item["status"] == "closed"
    assert item["status_notes"].startswith("已联系自来水公司")
    assert item["agency_responsible"] == "公馆镇人民政府" or item["agency_responsible"]


def test_discovery(client, city):
    assert (
        client.get("/open311/v2/discovery.json")
        .json()["endpoints"][0]["url"]
        .endswith("/open311/v2/")
    )
    assert b"<discovery>" in client.get("/open311/v2/discovery.xml").content


def test_get_requests_bad_dates_and_status(client, city):
    assert client.get("/open311/v2/requests.json", {"start_date": "yesterday"}).status_code == 400
    assert client.get("/open311/v2/requests.json", {"status": "pending"}).status_code == 400


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_request_holding_nul_is_refused_in_the_spec_shape(client, api_key, city, fmt):
    from hotline.orders.models import Order

    before = Order.objects.count()
    response = client.post(
        f"/open311/v2/requests.{fmt}",
        {"api_key": api_key, "service_code": "medical", "description": "家里没有药了\x00"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    if fmt == "json":
        assert response.json()[0]["code"] == 400 and "空字符" in response.json()[0]["description"]
    else:
        assert body.startswith("<?xml") and "<errors>" in body and "空字符" in body
    assert Order.objects.count() == before
