"""Never a 500 for anything a client can send to the sampling API: schemathesis generates
requests for every sampling operation, as a swabber and as a supervisor, against a round with a
site; each answer must be a 2xx/4xx."""

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hotline.common.testing import fuzz_operations  # noqa: E402

from .factories import make_round, make_site  # noqa: E402

EXAMPLES_PER_OPERATION = 20


def test_no_server_error_for_generated_requests(city, staff, openapi_schema):
    from hotline.accounts.services import create_token

    rnd = make_round(city.supervisor)
    make_site(city.supervisor, rnd, staff=[staff])
    schema = openapi_schema("核酸采样")
    headers = {
        "swabber": {"Authorization": f"Bearer {create_token(staff)}"},
        "supervisor": {"Authorization": f"Bearer {create_token(city.supervisor)}"},
    }
    assert len(list(schema.get_all_operations())) == 4
    fuzz_operations(schema, headers, examples=EXAMPLES_PER_OPERATION, real_path={"pk": str(rnd.pk)})
