"""Never a 500 for anything a client can send: schemathesis generates requests from
/api/v1/openapi.json for every reserve and fire-watch operation, as a ranger and as a
supervisor; each answer must be a 2xx/4xx. Bounded by example counts."""

import pytest

schemathesis = pytest.importorskip("schemathesis")

from django.utils import timezone  # noqa: E402

from hotline.common.testing import fuzz_operations  # noqa: E402

EXAMPLES_PER_OPERATION = 12


def test_no_server_error_for_generated_requests(staff, openapi_schema):
    from hotline.accounts.services import create_token
    from hotline.reserve import services
    from hotline.reserve.models import SignalSource

    camera = SignalSource.objects.get(code="cam-datianding-01")
    incident = services.receive_signal(
        camera, services.SignalIn("fuzz-1", timezone.now(), 22.286, 111.179)
    )[0].incident
    headers = {
        "ranger": {"Authorization": f"Bearer {create_token(staff.ranger)}"},
        "manager": {"Authorization": f"Bearer {create_token(staff.manager)}"},
    }
    schema = openapi_schema("自然保护区")
    assert len(list(schema.get_all_operations())) >= 14
    statuses = fuzz_operations(
        schema, headers, examples=EXAMPLES_PER_OPERATION, real_path={"number": incident.number}
    )
    print(f"schemathesis: {len(statuses)} requests, statuses {sorted(set(statuses))}")
