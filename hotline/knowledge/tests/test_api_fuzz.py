"""Never a 500 for anything a client can send to the knowledge API: schemathesis generates
requests from /api/v1/openapi.json for every knowledge operation, as an agent and as a member
of the policy team, against the demo articles; each answer must be a 2xx/4xx."""

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hotline.common.testing import fuzz_operations  # noqa: E402

EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def api_schema(openapi_schema):
    return openapi_schema("knowledge")


def test_no_server_error_for_generated_requests(people, demo_articles, api_schema):
    from hotline.accounts.services import create_token

    headers = {
        "agent": {"Authorization": f"Bearer {create_token(people.agent)}"},
        "policy": {"Authorization": f"Bearer {create_token(people.reviewer)}"},
    }
    operations = list(api_schema.get_all_operations())
    assert len(operations) >= 10
    fuzz_operations(
        api_schema, headers, examples=EXAMPLES_PER_OPERATION, real_path={"key": "outing-card"}
    )
