"""Which order actions a person may take now, for the pages.

The services are the authority: each one checks role and state again and raises OrderError.
This module only decides which buttons to show, from the same predicates the services use
(`Order.is_lead_handler`, `is_center`, the supervising roles) and the same status sets, so a
shown button is one the service accepts (tests/test_actions.py checks that for every state).
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.accounts.roles import has_role
from hotline.orders.choices import Status
from hotline.orders.models import Order, is_center
from hotline.orders.services import SUPERVISING_ROLES

from . import forms


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    form_class: type
    style: str = ""  # "primary" | "danger" | ""
    hint: str = ""


DISPATCH = Action("dispatch", "派单", forms.DispatchForm, "primary", "选择主办单位，可加协办单位")
#: The same service on an order already dispatched and not yet accepted: another unit instead.
REDISPATCH = Action("dispatch", "改派", forms.DispatchForm, "", "原单位尚未签收，改派给其他单位")
ACCEPT = Action("accept", "签收", forms.EmptyForm, "primary", "确认由本单位承办")
RETURN = Action("return", "退单", forms.ReturnForm, "danger", "派单后 1 个工作日内，须说明理由")
EXTEND = Action("request-extension", "申请延期", forms.ExtensionForm, "", "须在办结时限前申请")
DECIDE = Action("decide-extension", "审批延期", forms.DecideExtensionForm, "primary")
RESOLVE = Action("resolve", "答复办结", forms.ResolveForm, "primary", "答复内容将用于回访")
CALLBACK = Action("callback", "回访", forms.CallbackForm, "primary", "不满意将退回原单位重办")
FIRST_CONTACT = Action("close-first-contact", "首呼办结", forms.FirstContactForm)
DUPLICATE = Action("link-duplicate", "合并为重复件", forms.LinkDuplicateForm)
ESCALATE = Action("escalate", "督办", forms.EscalateForm, "danger")
NOTE = Action("note", "添加备注", forms.NoteForm)

ALL = {a.code: a for a in (DISPATCH, ACCEPT, RETURN, EXTEND, DECIDE, RESOLVE, CALLBACK,
                           FIRST_CONTACT, DUPLICATE, ESCALATE, NOTE)}  # fmt: skip


def available_actions(order: Order, user) -> list[Action]:
    """The actions ``user`` may take on ``order`` in its current state, in display order."""
    status = order.status
    center = is_center(user)
    supervisor = has_role(user, *SUPERVISING_ROLES)
    lead = order.is_lead_handler(user)
    actions: list[Action] = []
    if center and status == Status.RECEIVED:
        actions.append(DISPATCH)
    if center and status == Status.DISPATCHED:
        actions.append(REDISPATCH)
    if lead and status == Status.DISPATCHED:
        actions.append(ACCEPT)
    if lead and status == Status.ACCEPTED:
        actions.append(RESOLVE)
        if not order.extension_pending:
            actions.append(EXTEND)
    if lead and status in (Status.DISPATCHED, Status.ACCEPTED) and not order.owner_assigned:
        actions.append(RETURN)
    if supervisor and order.extension_pending:
        actions.append(DECIDE)
    if center and status == Status.RESOLVED:
        actions.append(CALLBACK)
    if center and status == Status.RECEIVED:
        actions.append(FIRST_CONTACT)
    if center and status in (Status.RECEIVED, Status.DISPATCHED):
        actions.append(DUPLICATE)
    if supervisor and status != Status.CLOSED:
        actions.append(ESCALATE)
    if order.can_view(user):
        actions.append(NOTE)
    return actions
