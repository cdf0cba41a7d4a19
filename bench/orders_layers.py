"""Where one ``POST /api/v1/orders`` spends its CPU, layer by layer (used by bench_orders).

Runs in its own process against the benchmark's database (the environment names it): builds
the WSGI application as a server worker does, calls it directly with the environ gunicorn
would build for the benchmark's request (no socket, no HTTP parsing), and accumulates the
process CPU time (``time.process_time``) spent inside each layer by wrapping its entry point:

- every middleware (each instance's ``get_response`` is replaced by a timed call of the next
  one, so a middleware's own cost is its inclusive time minus the next one's);
- URL resolution and Django's handler (the innermost ``get_response`` minus the view);
- ninja: authentication (``_run_authentication``), parsing and validating the input
  (``_get_values``), the endpoint (minus the service), and turning the result into a response
  (``_result_to_response``: response-model validation, dump, JSON);
- the receive service (``hotline.orders.services.receive``).

Prints ``LAYER <microseconds per request> <name>`` lines, ``QUERIES <n>`` (statements per
request), ``WSGI_US`` (the whole application call, response body included) and ``HEALTH_US``
(the same for ``GET /api/v1/health``, against which the benchmark measures the HTTP servers).
The HTTP server's own share is what the workers spend per order over HTTP beyond ``WSGI_US``; the
benchmark computes it from the workers' CPU during the wrk run.

    python -m bench.orders_layers --token T --orders 300
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from collections import defaultdict

from bench.bench_orders import body

TOWNS = ["440902101", "440902102", "440902103", "440902104", "440902105"]


class Clock:
    """CPU microseconds accumulated per name; nested timers each count their inclusive time."""

    def __init__(self):
        self.spent: dict[str, float] = defaultdict(float)

    def wrap(self, name: str, func):
        spent = self.spent
        cpu = time.process_time

        def timed(*args, **kwargs):
            start = cpu()
            try:
                return func(*args, **kwargs)
            finally:
                spent[name] += cpu() - start

        timed.__wrapped__ = func
        return timed


def environ(i: int, token: str) -> dict:
    """The environ gunicorn builds for wrk's request (bench/wrk_orders.lua)."""
    data = body(i, TOWNS)
    return {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/api/v1/orders",
        "RAW_URI": "/api/v1/orders",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "50000",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(data)),
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_IDEMPOTENCY_KEY": f"layers-{i}",
        "wsgi.input": io.BytesIO(data),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--token", required=True)
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--first", type=int, default=70_000_000, help="first key number")
    parser.add_argument("--show-queries", action="store_true", help="print one request's SQL")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.config.settings")
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    from django.db import connection
    from ninja.operation import Operation

    from hotline.common.warmup import warm
    from hotline.orders import services

    warm()
    clock = Clock()
    # The middleware chain: Django wraps each middleware instance in an exception-converting
    # function (``__wrapped__`` is the instance); each instance calls the next through its
    # ``get_response``, and the last one calls the handler's URL resolution and view.
    names = []
    link = application._middleware_chain
    application._middleware_chain = clock.wrap("chain", link)
    while hasattr(getattr(link, "__wrapped__", None), "get_response"):
        middleware = link.__wrapped__
        names.append(type(middleware).__name__)
        link = middleware.get_response
        middleware.get_response = clock.wrap(f"after {names[-1]}", link)
    Operation.run = clock.wrap("view", Operation.run)
    Operation._run_authentication = clock.wrap("auth", Operation._run_authentication)
    Operation._get_values = clock.wrap("parse", Operation._get_values)
    Operation._result_to_response = clock.wrap("respond", Operation._result_to_response)
    services.receive = clock.wrap("service", services.receive)
    from hotline.config.api import api

    api.renderer.render = clock.wrap("json", api.renderer.render)
    from hotline.orders import api as orders_api

    orders_api.received_json = clock.wrap("render", orders_api.received_json)

    statuses: dict[str, int] = defaultdict(int)

    def start_response(status, headers, exc_info=None):
        statuses[status.split()[0]] += 1

    def call(i: int) -> None:
        result = application(environ(i, args.token), start_response)
        try:
            for _chunk in result:
                pass
        finally:
            result.close()

    for i in range(30):  # warm: imports, caches, the token lookup
        call(args.first + i)
    clock.spent.clear()
    statuses.clear()
    from django.test.utils import CaptureQueriesContext

    n = args.orders
    with CaptureQueriesContext(connection) as captured:
        call(args.first + 100)
    queries = len(captured.captured_queries)
    if args.show_queries:
        for query in captured.captured_queries:
            print("SQL", query["sql"][:200])
    clock.spent.clear()
    statuses.clear()
    start = time.process_time()
    for i in range(n):
        call(args.first + 1000 + i)
    total = time.process_time() - start

    spent = {k: v * 1e6 / n for k, v in clock.spent.items()}
    order_statuses = dict(statuses)
    health = {**environ(0, args.token), "REQUEST_METHOD": "GET", "PATH_INFO": "/api/v1/health"}
    health.pop("HTTP_AUTHORIZATION")
    health.pop("CONTENT_TYPE")
    health.pop("CONTENT_LENGTH")

    def call_health() -> None:
        result = application({**health, "wsgi.input": io.BytesIO()}, start_response)
        for _chunk in result:
            pass
        result.close()

    for _ in range(20):
        call_health()
    start = time.process_time()
    for _ in range(n):
        call_health()
    health_us = (time.process_time() - start) * 1e6 / n
    outer = total * 1e6 / n
    inclusive = [spent["chain"]] + [spent[f"after {name}"] for name in names]
    layers = [("django.handler (request object, signals, response close)", outer - inclusive[0])]
    for index, name in enumerate(names):
        layers.append((f"middleware {name}", inclusive[index] - inclusive[index + 1]))
    layers.append(("url resolution", inclusive[-1] - spent["view"]))
    endpoint_other = spent["view"] - spent["auth"] - spent["parse"] - spent["respond"]
    layers += [
        ("ninja auth (bearer token)", spent["auth"]),
        ("ninja input parsing and validation", spent["parse"]),
        ("receive service", spent["service"]),
        ("the answer's dict (received_json)", spent["render"]),
        ("endpoint, other", endpoint_other - spent["service"] - spent["render"]),
        ("ninja response validation", spent["respond"] - spent["json"]),
        (f"JSON rendering ({type(api.renderer).__name__})", spent["json"]),
    ]
    for name, micros in layers:
        print(f"LAYER {micros:.1f} {name}")
    print(f"WSGI_US {outer:.1f}")
    print(f"HEALTH_US {health_us:.1f}")
    print(f"QUERIES {queries}")
    print("STATUSES " + json.dumps(order_statuses))


if __name__ == "__main__":
    main()
