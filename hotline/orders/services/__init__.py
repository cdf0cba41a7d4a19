"""Every write to work orders. Each service takes the acting user first, runs in one
transaction, locks the order it changes (``select_for_update``), validates the transition and
the actor, writes the change and an ``OrderEvent``, and raises ``OrderError`` otherwise.

Permissions (see docs/ORDERS.md): the center (agents, volunteer agents, supervisors, admins)
receives, dispatches, calls back, closes at first contact and links duplicates; supervisors
and admins also escalate, decide extensions and switch the clock mode; the lead unit's
handlers accept, return, ask for extensions and resolve; anyone who can see an order may add a
note. An order a user may not see is reported as not found.
"""

from .base import MAX_RETURNS, SUPERVISING_ROLES, urgency_label
from .intake import Received, receive, request_fingerprint
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
    record_personal_data_read,
    request_extension,
    resolve,
    return_to_center,
    set_mode,
)

__all__ = [
    "MAX_RETURNS",
    "SUPERVISING_ROLES",
    "Received",
    "accept",
    "add_note",
    "close_at_first_contact",
    "decide_extension",
    "dispatch",
    "escalate",
    "link_duplicate",
    "mark_overdue",
    "receive",
    "record_callback",
    "record_personal_data_read",
    "request_extension",
    "request_fingerprint",
    "resolve",
    "return_to_center",
    "set_mode",
    "urgency_label",
]
