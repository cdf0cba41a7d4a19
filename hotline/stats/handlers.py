"""The stats app's subscription to order events (run by ``hotline worker``)."""

from hotline.orders import events

from . import services


@events.subscribe(services.SUBSCRIBER, *services.CODES)
def keep_rollups(event):
    """Bring the order's facts and its hourly cell up to date (idempotent: the facts are
    derived again from all the order's events, and only a difference is written)."""
    services.refresh_order(event.order)
