"""Never a 500, in sequences: schemathesis' stateful tests over the whole API.

The schema's OpenAPI links (hotline/config/api_links.py) say which answer's id the next
operation takes, so schemathesis builds sequences such as "receive an order → dispatch it →
accept it → resolve it", "draft an article → submit → approve" or "a care request → its task
→ assign → deliver", with generated data at every step, and each answer must be a 2xx/4xx.
Each scenario starts as a supervisor, an agent, 公馆镇's handler or an admin and may hand over to
another of them between steps (an agent dispatches, the town's handler accepts and replies).
Bounded by the scenario count and the steps per scenario to stay within about half a minute;
runs on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import collections

import pytest

schemathesis = pytest.importorskip("schemathesis")

#: Scenarios (Hypothesis examples) per family of operations and the most steps in one.
SCENARIOS = 15
STEPS = 10

#: The API in three state machines, so that the steps of one are spent on one family's
#: sequences instead of being spread over a few hundred links: (name, tags included or "rest").
FAMILIES = {"orders": ["orders"], "knowledge": ["knowledge"], "field apps": None}

#: Valid bodies for operations whose input schema declares no example, mixed into the generated
#: ones (the declared ``examples`` of every input schema are mixed in too): generated text rarely
#: passes the business rules (a real phone number, a town that exists), and a producer that
#: never succeeds leaves the operations after it with nothing to work on.
SEED_BODIES = {
    "POST /api/v1/kb/articles": {
        "key": "stateful.quarantine-food",
        "title": "封控期间如何购买生活物资",
        "body": "可通过社区团购群下单，由志愿者送到楼下；特殊困难群众可拨打社区电话求助。",
        "category": "supplies",
    },
    "POST /api/v1/care/requests": {
        "town_code": "440902101",
        "need": "groceries",
        "description": "独居老人家中缺米缺菜，需要送上门。",
        "address": "茂南区公馆镇某村3巷12号",
        "household_name": "王五",
        "household_phone": "13800001111",
    },
    "POST /api/v1/orders/{number}/actions/note": {"text": "已电话联系来电人，情绪稳定。"},
    "POST /api/v1/orders/{number}/actions/resolve": {"reply": "社区已将米、油和蔬菜送到家门口。"},
    "POST /api/v1/orders/{number}/actions/return": {"reason": "诉求地点不在本镇辖区。"},
    "POST /api/v1/orders/{number}/actions/escalate": {"reason": "老人断药，需要区里协调。"},
}


def _declared_examples(operation) -> list:
    """The ``examples`` of the operation's JSON request body schema, if it declares any."""
    raw = operation.schema.raw_schema
    body = operation.definition.raw.get("requestBody", {})
    node = body.get("content", {}).get("application/json", {}).get("schema", {})
    if "$ref" in node:
        node = raw["components"]["schemas"][node["$ref"].split("/")[-1]]
    return list(node.get("examples", []))


@pytest.mark.parametrize("family", list(FAMILIES))
def test_linked_sequences_never_answer_a_server_error(family, people, openapi_schema):
    from django.db import transaction
    from hypothesis import HealthCheck, settings
    from hypothesis import strategies as st
    from hypothesis.stateful import initialize, rule

    from hotline.accounts.services import create_token
    from hotline.knowledge.tests.factories import published
    from hotline.orders import services
    from hotline.orders.tests.factories import receive

    # Some objects to start from (list operations link to them); the rest are made by the
    # sequences themselves.
    for town in ("440902101", "440902102"):
        services.dispatch(people.agent, receive(people.agent).number, unit=town)
    receive(people.agent)
    published(people.supervisor, people.admin)

    schema = openapi_schema(None)
    if FAMILIES[family]:
        schema = schema.include(tag=FAMILIES[family][0])
    else:
        for tags in filter(None, FAMILIES.values()):
            schema = schema.exclude(tag=tags[0])

    @schema.hook
    def before_generate_body(context, strategy):
        seeds = _declared_examples(context.operation)
        if context.operation.label in SEED_BODIES:
            seeds.append(SEED_BODIES[context.operation.label])
        return st.one_of(strategy, st.sampled_from(seeds)) if seeds else strategy

    @schema.hook
    def before_generate_headers(context, strategy):
        # Token clients must send an Idempotency-Key with each appeal (else 400).
        if context.operation.label == "POST /api/v1/orders":
            keys = st.uuids().map(lambda u: {"Idempotency-Key": u.hex})
            return st.one_of(strategy, keys)
        return strategy

    @schema.hook
    def before_generate_query(context, strategy):
        # A list with no filters returns the seeded objects, so its links lead somewhere.
        if context.operation.method.upper() == "GET" and "{" not in context.operation.path:
            return st.one_of(strategy, st.just({}))
        return strategy

    identities = {
        who: {"Authorization": f"Bearer {create_token(getattr(people, who))}"}
        for who in ("supervisor", "agent", "gongguan", "admin")
    }
    failures, steps = [], []

    class Sequences(schema.as_state_machine()):
        # Each scenario runs in a savepoint rolled back at its end, so every scenario starts
        # from the same data: Hypothesis requires a replayed scenario to behave the same.
        def setup(self):
            self.who = "supervisor"
            self.atomic = transaction.atomic()
            self.atomic.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        @initialize(who=st.sampled_from(sorted(identities)))
        def sign_in(self, who):
            self.who = who

        # A hand-off: the next steps are another person's (an agent dispatches, the town's
        # handler accepts and replies, the agent calls back).
        @rule(who=st.sampled_from(sorted(identities)))
        def hand_over(self, who):
            self.who = who

        def get_call_kwargs(self, case):
            return {"headers": identities[self.who]}

        def validate_response(self, response, case, **kwargs):
            steps.append((case.operation.label, response.status_code))
            if response.status_code >= 500:
                failures.append(
                    (self.who, case.operation.label, case.path_parameters, case.query,
                     case.body, response.status_code, response.text[:300])
                )  # fmt: skip

    Sequences.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    assert not failures, sorted({(f[1], str(f[3])[:80], f[-1][:150]) for f in failures})
    ok = [label for label, status in steps if 200 <= status < 300]
    # Steps on an object that was found (a link carried a real id): answered, refused for the
    # role (403) or the state (409), or rejected for the body (422) — anything but 404.
    found = collections.Counter(
        f"{label} {status}" for label, status in steps if "{" in label and status != 404
    )
    print(
        f"stateful ({family}): {len(steps)} requests, {len(ok)} 2xx; on an object found: "
        f"{dict(sorted(found.items()))}"
    )
    assert ok, sorted({s for _, s in steps})
