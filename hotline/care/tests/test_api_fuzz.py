"""Never a 500 for anything a client can send to the care and screening APIs: schemathesis
generates requests from /api/v1/openapi.json for every operation of both tags, as the town
office, a volunteer and an agent, against a request with a task and a ledger with a form."""

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hotline.common.testing import fuzz_operations  # noqa: E402

from .factories import request_from_order  # noqa: E402

EXAMPLES_PER_OPERATION = 8


def test_no_server_error_for_generated_requests(people, vol, openapi_schema):
    from hotline.accounts.services import create_token
    from hotline.screening.tests.factories import ledger_with, town_form

    care = request_from_order(people.agent)
    ledger_with(people.gongguan)
    form = town_form()
    headers = {
        "town": {"Authorization": f"Bearer {create_token(people.gongguan)}"},
        "volunteer": {"Authorization": f"Bearer {create_token(vol.gongguan)}"},
        "agent": {"Authorization": f"Bearer {create_token(people.agent)}"},
    }
    ledger_headers = {
        "town": headers["town"],
        "district": {"Authorization": f"Bearer {create_token(people.maonan_epi)}"},
    }
    real = {"pk": str(care.tasks.get().pk), "code": form.code, "day": "2022-11-06"}
    for tag, who in (("居家关爱", headers), ("筛查台账与日报", ledger_headers)):
        schema = openapi_schema(tag)
        assert len(list(schema.get_all_operations())) >= 5
        fuzz_operations(schema, who, examples=EXAMPLES_PER_OPERATION, real_path=real)
