"""The OpenAPI links of hotline/config/api_links.py stay true to the routes.

A renamed route, a renamed response field or a new operation that takes an object's id fails
here rather than quietly leaving the stateful tests (and clients) without the link."""

from __future__ import annotations

import re

import pytest

from hotline.config.api_links import LINKS, matching, operations

#: Operations taking an id in their path that no operation of the API answers with, and why.
#: Everything else with a path parameter must be the target of a link.
NO_PRODUCER = {
    "GET /api/v1/stats/tables/{table}": "a fixed list of table names, not an object",
    "GET /api/v1/control/test-results/{id_hash}/validity": "the hash of an ID number the "
    "checkpoint computes from the card it scans; never answered by the API",
    "GET /api/v1/control/checkpoints/{code}/bundle": "checkpoint codes are set up in the pages",
    "POST /api/v1/control/checkpoints/{code}/passages": "checkpoint codes are set up in the pages",
    "POST /api/v1/control/appeals/{appeal_id}/decision": "appeals are lodged in the pages",
    "POST /api/v1/sampling/rounds/{pk}/samples": "rounds are opened in the pages",
    "POST /api/v1/sampling/rounds/{pk}/results": "rounds are opened in the pages",
    "GET /api/v1/sampling/rounds/{pk}/coverage": "rounds are opened in the pages",
    "GET /api/v1/sampling/rounds/{pk}/coverage/{code}": "rounds are opened in the pages",
    "POST /api/v1/screening/forms/{code}/{day}": "form codes are set up by the city; a day is "
    "a date the client chooses",
    "GET /api/v1/screening/rollup/{code}/{day}": "a form code and a date the client chooses",
    "POST /api/v1/workforce/shifts/{shift_id}/sign-in": "shifts are planned in the roster pages",
}


@pytest.fixture(scope="module")
def schema():
    from hotline.config.api import api

    return api.get_openapi_schema()


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].split("/")[-1]]
    return node


def _pointer_resolves(schema: dict, body: dict, pointer: str) -> bool:
    """Whether the JSON pointer can name a value of a document of this JSON schema."""
    node = _resolve(schema, body)
    for part in pointer.strip("/").split("/"):
        if "anyOf" in node:  # Optional[X]: follow the non-null branch
            node = next(_resolve(schema, n) for n in node["anyOf"] if n.get("type") != "null")
        if part.isdigit():
            if node.get("type") != "array":
                return False
            node = _resolve(schema, node.get("items", {}))
        else:
            if part not in node.get("properties", {}):
                return False
            node = _resolve(schema, node["properties"][part])
    return True


def test_every_link_names_real_operations_parameters_and_fields(schema):
    ops = operations(schema)
    wrong = []
    for link in LINKS:
        sources = matching(ops, link.source)
        if not sources:
            wrong.append(f"{link.source}: no such operation")
        for pattern in link.targets:
            targets = matching(ops, pattern)
            if not targets:
                wrong.append(f"{link.source} → {pattern}: no such operation")
            for target in targets:
                path_params = set(re.findall(r"\{(\w+)\}", target))
                for param in link.parameters:
                    if param not in path_params:
                        wrong.append(f"{link.source} → {target}: no path parameter {param}")
        for source in sources:
            responses = ops[source]["responses"]
            for status in link.statuses:
                if status not in responses and str(status) not in responses:
                    wrong.append(f"{source}: no {status} answer")
                    continue
                response = responses.get(status) or responses[str(status)]
                body = response.get("content", {}).get("application/json", {}).get("schema", {})
                for pointer in link.parameters.values():
                    if not _pointer_resolves(schema, body, pointer):
                        wrong.append(f"{source} {status}: the answer has no {pointer}")
    assert not wrong, "stale rows in hotline/config/api_links.py:\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_the_schema_carries_the_links(schema):
    ops = operations(schema)
    receive = ops["POST /api/v1/orders"]["responses"][201]["links"]
    targets = {link["operationId"] for link in receive.values()}
    assert ops["GET /api/v1/orders/{number}"]["operationId"] in targets
    actions = matching(ops, "POST /api/v1/orders/{number}/actions/*")
    assert len(actions) >= 10 and {ops[a]["operationId"] for a in actions} <= targets
    assert next(iter(receive.values()))["parameters"] == {"number": "$response.body#/number"}
    # the served document is the same one
    from django.test import Client

    served = Client().get("/api/v1/openapi.json").json()
    assert served["paths"]["/api/v1/orders"]["post"]["responses"]["201"]["links"] == receive


def test_every_operation_taking_an_id_is_linked_or_says_why_not(schema):
    ops = operations(schema)
    linked = {
        target for link in LINKS for pattern in link.targets for target in matching(ops, pattern)
    }
    with_ids = {key for key in ops if "{" in key}
    missing = sorted(with_ids - linked - set(NO_PRODUCER))
    assert not missing, (
        "operations that take an id but no link leads to: add a row to "
        f"hotline/config/api_links.py or a reason to NO_PRODUCER: {missing}"
    )
    stale = sorted(set(NO_PRODUCER) - with_ids)
    assert not stale, f"NO_PRODUCER names operations that no longer exist: {stale}"
    both = sorted(set(NO_PRODUCER) & linked)
    assert not both, f"linked now, remove from NO_PRODUCER: {both}"
