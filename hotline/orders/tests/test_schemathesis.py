"""Never a 500 for anything a client can send: schemathesis generates requests from
/api/v1/openapi.json for every orders operation (as an agent and as a unit handler) and each
answer must be a 2xx/4xx. Bounded by example counts to about a minute; runs on SQLite and on
PostgreSQL alike (it uses the ordinary ``db`` fixture)."""

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hotline.common.testing import fuzz_operations  # noqa: E402

from .factories import receive  # noqa: E402

EXAMPLES_PER_OPERATION = 20


@pytest.fixture
def api_schema(openapi_schema):
    return openapi_schema("orders")


def test_no_server_error_for_generated_requests(people, api_schema):
    from hotline.accounts.services import create_token

    existing = receive(people.agent)
    headers = {
        "agent": {"Authorization": f"Bearer {create_token(people.agent)}"},
        "unit": {"Authorization": f"Bearer {create_token(people.gongguan)}"},
    }
    operations = list(api_schema.get_all_operations())
    assert len(operations) >= 15
    statuses = fuzz_operations(
        api_schema, headers, examples=EXAMPLES_PER_OPERATION, real_path={"number": existing.number}
    )
    assert {401} != set(statuses)
    print(f"schemathesis: {len(statuses)} requests, statuses {sorted(set(statuses))}")


#: Examples per operation for the rest of the API (every other app's router, as it is merged).
EXAMPLES_ELSEWHERE = 8


def test_no_server_error_anywhere_else_in_the_api(people, openapi_schema):
    """The whole API outside orders (platform, geo, knowledge and every field app's router),
    as a supervisor, an agent and a unit handler: never a 5xx. New routers are picked up
    without touching this test."""
    from hotline.accounts.services import create_token
    from hotline.config.wsgi import application
    from hotline.knowledge.tests.factories import published

    article = published(people.supervisor, people.admin)
    existing = receive(people.agent)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).exclude(
        tag="orders"
    )
    headers = {
        who: {"Authorization": f"Bearer {create_token(getattr(people, who))}"}
        for who in ("supervisor", "agent", "gongguan")
    }
    statuses = fuzz_operations(
        schema,
        headers,
        examples=EXAMPLES_ELSEWHERE,
        real_path={"number": existing.number, "key": article.key},
    )
    print(f"schemathesis (rest of the API): {len(statuses)} requests")
