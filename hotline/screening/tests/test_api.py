import pytest
from django.utils import timezone

from .factories import GOOD, ledger_with, town_form

pytestmark = pytest.mark.django_db


def test_ledger_read_and_fill(token_client, people, django_assert_max_num_queries):
    a, _b, _c = ledger_with(people.gongguan)
    client = token_client(people.gongguan)
    day = timezone.localdate().isoformat()
    body = {"rows": {str(a.pk): {"test_result": "negative", "location": "值班室"}}}
    r = client.put(f"/api/v1/screening/ledger/{day}", body, content_type="application/json")
    assert r.status_code == 200, r.content
    with django_assert_max_num_queries(8):
        r = client.get(f"/api/v1/screening/ledger/{day}")
    data = r.json()
    assert data["summary"]["filled"] == 1 and data["rows"][0]["phone"] == "139****5678"
    other = token_client(people.other_town)
    assert other.get(f"/api/v1/screening/ledger/{day}").status_code == 404
    bad = {"rows": {str(a.pk): {"test_result": "green", "location": "x"}}}
    r = client.put(f"/api/v1/screening/ledger/{day}", bad, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "test_result_required"
    r = client.put("/api/v1/screening/ledger/2022-13-01", body, content_type="application/json")
    assert r.status_code == 422


def test_submit_approve_and_rollup(token_client, people):
    form = town_form()
    day = timezone.localdate().isoformat()
    r = token_client(people.gongguan).post(
        f"/api/v1/screening/forms/{form.code}/{day}",
        {"values": GOOD},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    report = r.json()
    assert (
        token_client(people.gongguan)
        .post(f"/api/v1/screening/reports/{report['id']}/approve")
        .status_code
        == 403
    )
    epi = token_client(people.maonan_epi)
    assert epi.post(f"/api/v1/screening/reports/{report['id']}/approve").json()["status"] == (
        "approved"
    )
    rollup = epi.get(f"/api/v1/screening/rollup/{form.code}/{day}").json()
    assert rollup[0]["name"] == "茂南区" and rollup[0]["approved"] == 1
    assert (
        token_client(people.gongguan).get(f"/api/v1/screening/rollup/{form.code}/{day}").status_code
        == 403
    )
