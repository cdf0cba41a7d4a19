"""The example app: a lamp sensor's outage signal → an order; the order resolved → the lamp
is marked repaired. A real app keeps ``REPAIRED`` in a table of its own; a dict keyed by lamp
is enough to show that the handler is idempotent (a replay sets the same key again)."""

from __future__ import annotations

from hotline.orders import events
from hotline.orders.choices import EventCode
from hotline.orders.kinds import RegisterKind
from hotline.orders.services import Appeal, Source, receive, system_actor

#: What the app's migration would hold.
KIND = RegisterKind(
    "lamps.outage",
    "路灯故障",
    category="living",
    appeal_type="report",
    urgency="normal",
    clocks=[
        {"mode": "normal", "urgency": "normal", "accept": (2, "hours"), "resolve": (1, "workdays")}
    ],
    rules=[
        {
            "priority": 1,
            "name": "路灯故障派供水公司（示例）",
            "target": "unit",
            "unit_code": "dept-water",
        }
    ],
)
SUBSCRIBER = "lamps.mark_repaired"

REPAIRED: dict[str, int] = {}  # lamp id → the event id that repaired it
CALLS: list[int] = []  # every handler call, replays included


def report_outage(lamp_id: str, town_code: str):
    """The sensor's signal: one order per lamp outage (a resent signal gives the same order)."""
    return receive(
        system_actor(),
        Appeal(
            channel="system",
            description=f"路灯 {lamp_id} 传感器报告熄灭",
            kind="lamps.outage",
            source=Source("lamps", "lamp", lamp_id),
            town_code=town_code,
            idempotency_key=f"lamp-{lamp_id}",
        ),
    )


def mark_repaired(event):
    CALLS.append(event.id)
    if event.order.source_app == "lamps":
        REPAIRED[event.order.source_id] = event.id


def install():
    events.subscribe(SUBSCRIBER, EventCode.RESOLVED)(mark_repaired)


def uninstall():
    events.unsubscribe(SUBSCRIBER)
    REPAIRED.clear()
    CALLS.clear()
