"""The reserve's order subscription (imported by ReserveConfig.ready): an incident's work order
dispatched, accepted or answered moves the incident along (services.follow_order_event)."""

from hotline.orders import events
from hotline.orders.choices import EventCode

from .services import follow_order_event

SUBSCRIBER = "reserve.follow_fire_orders"

events.subscribe(SUBSCRIBER, EventCode.DISPATCHED, EventCode.ACCEPTED, EventCode.RESOLVED)(
    follow_order_event
)
