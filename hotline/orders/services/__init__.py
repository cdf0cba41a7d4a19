"""Every write to work orders. Each service takes the acting user first, runs in one
transaction, locks the order it changes (``select_for_update``), validates the transition and
the actor, writes the change and an ``OrderEvent``, and raises ``OrderError`` otherwise.

Permissions (see docs/ORDERS.md): the center (agents, volunteer agents, supervisors, admins)
receives, dispatches, calls back, closes at first contact and links duplicates; supervisors
and admins also escalate, decide extensions and switch the clock mode; the lead unit's
handlers accept, return, ask for extensions and resolve; anyone who can see an order may add a
note. An order a user may not see is reported as not found.

The seam for the other apps (docs/ARCHITECTURE.md): ``receive(actor, Appeal(...))`` and
``receive_batch`` create orders, an ``Appeal.source`` ties an order to the app's object,
``source_note``/``source_done`` write to the orders of that object, and
``hotline.orders.events`` delivers what happens to orders to the app's subscribers.
"""

from .base import MAX_RETURNS, SUPERVISING_ROLES, urgency_label
from .intake import (
    SYSTEM_USERNAME,
    Appeal,
    BatchItem,
    Preview,
    Received,
    Source,
    add_desk_check,
    check_appeal,
    preview,
    receive,
    receive_batch,
    request_fingerprint,
    system_actor,
    triage_key,
    triage_readings,
)
from .lifecycle import (
    accept,
    add_note,
    close_at_first_contact,
    decide_extension,
    dispatch,
    escalate,
    link_duplicate,
    mark_overdue,
    record_callback,
    record_caller_lookup,
    record_personal_data_read,
    request_extension,
    resolve,
    return_to_center,
    set_mode,
    urge,
)
from .sources import attach_source, source_done, source_note

__all__ = [
    "MAX_RETURNS",
    "SUPERVISING_ROLES",
    "SYSTEM_USERNAME",
    "Appeal",
    "BatchItem",
    "Preview",
    "Received",
    "Source",
    "accept",
    "add_desk_check",
    "add_note",
    "attach_source",
    "check_appeal",
    "close_at_first_contact",
    "decide_extension",
    "dispatch",
    "escalate",
    "link_duplicate",
    "mark_overdue",
    "preview",
    "receive",
    "receive_batch",
    "record_callback",
    "record_caller_lookup",
    "record_personal_data_read",
    "request_extension",
    "request_fingerprint",
    "resolve",
    "return_to_center",
    "set_mode",
    "source_done",
    "source_note",
    "system_actor",
    "triage_key",
    "triage_readings",
    "urge",
    "urgency_label",
]
