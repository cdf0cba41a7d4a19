"""What the care app follows on the order side (imported by ``CareConfig.ready``)."""

from hotline.orders import events
from hotline.orders.choices import EventCode

from . import services

SUBSCRIBER = "care.follow_orders"


@events.subscribe(SUBSCRIBER, EventCode.DUPLICATE_LINKED, EventCode.CLOSED, EventCode.REOPENED)
def follow_orders(event):
    services.follow_order_event(event)
