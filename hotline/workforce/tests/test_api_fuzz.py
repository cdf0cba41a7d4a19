"""Never a 500 for anything a client can send to the workforce API: schemathesis generates
requests for every workforce operation, as a supervisor and as an agent; each answer must be a
2xx/4xx."""

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hotline.common.testing import fuzz_operations  # noqa: E402

from .factories import shift_now  # noqa: E402

EXAMPLES_PER_OPERATION = 10


@pytest.fixture
def api_schema(openapi_schema):
    return openapi_schema("人员与排班")


def test_no_server_error_for_generated_requests(staff, api_schema):
    from hotline.accounts.services import create_token

    shift = shift_now(staff.agent, signed_in=False)
    headers = {
        "agent": {"Authorization": f"Bearer {create_token(staff.people.agent)}"},
        "supervisor": {"Authorization": f"Bearer {create_token(staff.people.supervisor)}"},
    }
    assert len(list(api_schema.get_all_operations())) >= 9
    fuzz_operations(
        api_schema,
        headers,
        examples=EXAMPLES_PER_OPERATION,
        real_path={"shift_id": str(shift.pk), "duty_id": "1"},
    )
