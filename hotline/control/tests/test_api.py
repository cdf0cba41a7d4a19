"""The control API: the test-result feed, validity, the checkpoint bundle and sync, decisions."""

import datetime as dt

import pytest

from hotline.common.identity import id_hash
from hotline.control import services
from hotline.control.models import Passage, TestResult

from . import factories

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def result(number, at="2022-11-07T07:00:00+08:00"):
    return {"id_hash": id_hash(number), "negative": True, "sampled_at": at, "source": "lab"}


def test_feed_records_results_idempotently(token_client, gate):
    client = token_client(gate)
    body = {"results": [result(factories.id_number()), result(factories.id_number())]}
    first = client.post("/api/v1/control/test-results", body, content_type="application/json")
    assert first.status_code == 200 and first.json() == {"sent": 2, "new": 2}
    again = client.post("/api/v1/control/test-results", body, content_type="application/json")
    assert again.json() == {"sent": 2, "new": 0}
    assert TestResult.objects.count() == 2


def test_feed_refuses_agents_and_bad_hashes(token_client, gate, make_user):
    agent = token_client(make_user("agent", "center"))
    body = {"results": [result(factories.id_number())]}
    refused = agent.post("/api/v1/control/test-results", body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    bad = {"results": [{**body["results"][0], "id_hash": "xyz"}]}
    answer = token_client(gate).post(
        "/api/v1/control/test-results", bad, content_type="application/json"
    )
    assert answer.status_code == 422 and answer.json()["code"] == "validation_error"


def test_validity_says_only_yes_or_no(token_client, gate):
    number = factories.id_number()
    recent = dt.datetime.now(dt.UTC) - H
    services.record_test_results(
        gate, [services.TestResultIn(id_hash(number), True, recent, "lab", "")]
    )
    answer = token_client(gate).get(f"/api/v1/control/test-results/{id_hash(number)}/validity")
    assert answer.json() == {"valid": True, "hours": 24}
    other = token_client(gate).get(f"/api/v1/control/test-results/{'0' * 64}/validity")
    assert other.json()["valid"] is False


def test_bundle_and_sync(token_client, setup, gate, django_assert_max_num_queries):
    for _ in range(5):
        h, _people = factories.household(gate, members=2)
        card = services.issue_card(gate, h.pk)
    client = token_client(gate)
    with django_assert_max_num_queries(14):
        bundle = client.get(f"/api/v1/control/checkpoints/{setup.code}/bundle").json()
    assert len(bundle["households"]) == 5 and set(bundle["keys"]) == {card.key.kid}
    item = {
        "client_id": "p-1",
        "token": card.token,
        "direction": "exit",
        "at": "2022-11-07T09:00:00+08:00",
        "decision": "refused",
        "reason": "no_valid_test",
        "offline": True,
    }
    url = f"/api/v1/control/checkpoints/{setup.code}/passages"
    answer = client.post(url, {"passages": [item, item]}, content_type="application/json")
    assert answer.json() == {"created": 1, "duplicates": 1, "conflicts": 0}
    assert Passage.objects.get().offline
    bad = client.post(
        url, {"passages": [{**item, "direction": "sideways"}]}, content_type="application/json"
    )
    assert bad.status_code == 422


def test_unknown_checkpoint_is_404(token_client, gate):
    answer = token_client(gate).get("/api/v1/control/checkpoints/NOPE/bundle")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"


def test_decision_endpoint(token_client, make_user, kinds):
    agent = make_user("agent", "center")
    appeal = services.file_health_code_appeal(
        agent,
        id_number=factories.id_number(),
        name="李",
        phone="13800000000",
        colour="red",
        reason="误判",
        town_code=factories.TOWN,
    )
    url = f"/api/v1/control/appeals/{appeal.pk}/decision"
    body = {"decision": "keep", "note": "密接，维持"}
    refused = token_client(agent).post(url, body, content_type="application/json")
    assert refused.status_code == 403
    authority = token_client(make_user("unit_handler", "dept-healthcode"))
    answer = authority.post(url, body, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["decision"] == "keep"
    assert authority.post(url, body, content_type="application/json").status_code == 409


def test_no_server_error_for_generated_requests(openapi_schema, setup, gate, kinds):
    """Never a 500: schemathesis generates requests for every control operation."""
    pytest.importorskip("schemathesis")
    from hotline.accounts.services import create_token
    from hotline.common.testing import fuzz_operations

    schema = openapi_schema("出行管控")
    assert len(list(schema.get_all_operations())) == 5
    headers = {"gate": {"Authorization": f"Bearer {create_token(gate)}"}}
    fuzz_operations(schema, headers, examples=15, real_path={"code": setup.code})
