"""OpenAPI links: which answer's id opens which next operation.

django-ninja generates the schema from the routers but has no way to declare links (OpenAPI's
``responses.<status>.links``), so they are declared here, one row per "this answer holds an id
that those operations take", and added to the generated schema by ``HotlineAPI`` in
hotline/config/api.py. A client reads them as documentation ("POST /orders answers a number;
GET /orders/{number} and every action take it"); schemathesis follows them in its stateful
tests (hotline/common/tests/test_api_stateful.py), which is how a receive → dispatch → accept →
resolve sequence gets exercised with generated data.

Rows name operations as ``"METHOD /api/v1/path"``, the same keys as the permission matrix;
a source or target may be an fnmatch pattern (``"POST /api/v1/orders/{number}/actions/*"``).
hotline/common/tests/test_api_links.py checks every row against the routes: each source
exists and answers the status, each pointer resolves in that answer's schema, each target
pattern matches operations that take the parameter — so a renamed route or field breaks the
test instead of silently dropping the link — and every operation that takes an object's id
in its path is the target of some link, or is listed there with the reason it is not.
"""

from __future__ import annotations

import fnmatch
import logging
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Link:
    #: The operation(s) whose answer holds the id ("METHOD /path", fnmatch pattern).
    source: str
    #: The answer's status codes that hold it.
    statuses: tuple[int, ...]
    #: The operations that take it (fnmatch patterns).
    targets: tuple[str, ...]
    #: Target path parameter → JSON pointer into the answer's body ("/number", "/items/0/number").
    parameters: dict[str, str] = field(default_factory=dict)


ORDER_ACTIONS = "POST /api/v1/orders/{number}/actions/*"
ORDER_AND_ACTIONS = ("GET /api/v1/orders/{number}", ORDER_ACTIONS)
ARTICLE = ("GET /api/v1/kb/articles/{key}", "PUT /api/v1/kb/articles/{key}")
ARTICLE_ACTIONS = "POST /api/v1/kb/articles/{key}/*"
CARE_REQUEST = ("GET /api/v1/care/requests/{pk}", "POST /api/v1/care/requests/{pk}/cancel")
CARE_TASK = "POST /api/v1/care/tasks/{pk}/*"
INCIDENT = ("GET /api/v1/fire/incidents/{number}", "POST /api/v1/fire/incidents/{number}/*")

LINKS: list[Link] = [
    # --- orders: a received order's number opens its page and every action; each action's
    # answer is the order again, so actions chain (dispatch → accept → resolve → callback) ---
    Link("POST /api/v1/orders", (200, 201), ORDER_AND_ACTIONS, {"number": "/number"}),
    Link("POST /api/v1/orders/batch", (200,), ORDER_AND_ACTIONS, {"number": "/items/0/number"}),
    Link("GET /api/v1/orders", (200,), ORDER_AND_ACTIONS, {"number": "/items/0/number"}),
    Link("GET /api/v1/orders/{number}", (200,), (ORDER_ACTIONS,), {"number": "/number"}),
    Link(ORDER_ACTIONS, (200,), ORDER_AND_ACTIONS, {"number": "/number"}),
    # --- knowledge: a draft's key opens it, its edit and its review steps ---
    Link("POST /api/v1/kb/articles", (201,), (*ARTICLE, ARTICLE_ACTIONS), {"key": "/key"}),
    Link("GET /api/v1/kb/articles", (200,), (*ARTICLE, ARTICLE_ACTIONS), {"key": "/0/key"}),
    Link("GET /api/v1/kb/search", (200,), ARTICLE[:1], {"key": "/results/0/key"}),
    Link("GET /api/v1/kb/articles/{key}", (200,), (ARTICLE[1], ARTICLE_ACTIONS), {"key": "/key"}),
    Link("PUT /api/v1/kb/articles/{key}", (200,), (*ARTICLE, ARTICLE_ACTIONS), {"key": "/key"}),
    Link(ARTICLE_ACTIONS, (200,), (*ARTICLE, ARTICLE_ACTIONS), {"key": "/key"}),
    # --- care: a request's id opens it and its cancel; its first task's id the task's steps ---
    *(
        Link(source, statuses, CARE_REQUEST, {"pk": "/id"})
        for source, statuses in (
            ("POST /api/v1/care/requests", (201,)),
            ("POST /api/v1/care/requests/from-order", (201,)),
            ("GET /api/v1/care/requests/{pk}", (200,)),
            ("POST /api/v1/care/requests/{pk}/cancel", (200,)),
            (CARE_TASK, (200,)),
        )
    ),
    *(
        Link(source, statuses, (CARE_TASK,), {"pk": "/tasks/0/id"})
        for source, statuses in (
            ("POST /api/v1/care/requests", (201,)),
            ("POST /api/v1/care/requests/from-order", (201,)),
            ("GET /api/v1/care/requests/{pk}", (200,)),
            (CARE_TASK, (200,)),
        )
    ),
    Link("GET /api/v1/care/requests", (200,), CARE_REQUEST, {"pk": "/0/id"}),
    Link("GET /api/v1/care/requests", (200,), (CARE_TASK,), {"pk": "/0/tasks/0/id"}),
    # --- workforce: a duty's release; a shift signed in is signed out ---
    Link(
        "POST /api/v1/workforce/duties",
        (201,),
        ("POST /api/v1/workforce/duties/{duty_id}/release",),
        {"duty_id": "/id"},
    ),
    Link(
        "POST /api/v1/workforce/shifts/{shift_id}/sign-in",
        (200,),
        ("POST /api/v1/workforce/shifts/{shift_id}/sign-out",),
        {"shift_id": "/id"},
    ),
    # --- screening: a submitted report is approved or sent back; a ledger filled is read ---
    Link(
        "POST /api/v1/screening/forms/{code}/{day}",
        (200,),
        ("POST /api/v1/screening/reports/{pk}/*",),
        {"pk": "/id"},
    ),
    *(
        Link(
            source,
            (200,),
            ("GET /api/v1/screening/ledger/{day}", "PUT /api/v1/screening/ledger/{day}"),
            {"day": "/day"},
        )
        for source in ("GET /api/v1/screening/ledger/{day}", "PUT /api/v1/screening/ledger/{day}")
    ),
    # --- reserve and fire watch ---
    Link(
        "POST /api/v1/reserve/exceptions",
        (201,),
        ("POST /api/v1/reserve/exceptions/{number}/decision",),
        {"number": "/number"},
    ),
    Link(
        "POST /api/v1/reserve/suspensions",
        (201,),
        ("POST /api/v1/reserve/suspensions/{suspension_id}/end",),
        {"suspension_id": "/id"},
    ),
    Link("POST /api/v1/fire/signals", (200, 201), INCIDENT, {"number": "/incident"}),
    Link("GET /api/v1/fire/incidents", (200,), INCIDENT, {"number": "/0/number"}),
    Link("GET /api/v1/fire/incidents/{number}", (200,), INCIDENT[1:], {"number": "/number"}),
    Link("POST /api/v1/fire/incidents/{number}/resolve", (200,), INCIDENT, {"number": "/number"}),
    Link("POST /api/v1/fire/incidents/{number}/links", (201,), INCIDENT, {"number": "/number"}),
    # an incident made into a work order names the order
    Link(
        "GET /api/v1/fire/incidents/{number}", (200,), ORDER_AND_ACTIONS[:1], {"number": "/order"}
    ),
]


def operations(schema: dict) -> dict[str, dict]:
    """``"METHOD /path"`` → the operation object, for every operation of an OpenAPI schema."""
    return {
        f"{method.upper()} {path}": op
        for path, methods in schema.get("paths", {}).items()
        for method, op in methods.items()
        if method in ("get", "put", "post", "delete", "patch")
    }


def matching(ops: dict[str, dict], pattern: str) -> list[str]:
    return [key for key in ops if fnmatch.fnmatchcase(key, pattern)]


def add_links(schema: dict, links: list[Link] = LINKS) -> dict:
    """Write ``links`` into the responses of ``schema`` (in place; returned for chaining).

    A row whose source, status or target no longer exists is skipped with a warning rather than
    breaking /openapi.json for every client; the test of the table is what catches it."""
    ops = operations(schema)
    for link in links:
        sources = matching(ops, link.source)
        targets = [key for pattern in link.targets for key in matching(ops, pattern)]
        if not sources or not targets:
            log.warning("OpenAPI link %s → %s matches no operation", link.source, link.targets)
            continue
        for source in sources:
            responses = ops[source].get("responses", {})
            for status in link.statuses:
                response = responses.get(status) or responses.get(str(status))
                if response is None:
                    log.warning("OpenAPI link: %s has no %s answer", source, status)
                    continue
                out = response.setdefault("links", {})
                for target in targets:
                    op_id = ops[target]["operationId"]
                    name = op_id if op_id not in out else f"{op_id}_by_{'_'.join(link.parameters)}"
                    out[name] = {
                        "operationId": op_id,
                        "parameters": {
                            param: f"$response.body#{pointer}"
                            for param, pointer in link.parameters.items()
                        },
                    }
    return schema
