"""Reads of the care app reused by pages, the API and the demo."""

from __future__ import annotations

import statistics

from django.contrib.auth import get_user_model
from django.db.models import F, Prefetch, QuerySet

from hotline.accounts.roles import Role
from hotline.common.masking import mask_address, mask_name, mask_phone
from hotline.orders.choices import Status as OrderStatus
from hotline.orders.models import Order

from .choices import OPEN_TASK_STATUSES, Need, RequestStatus
from .models import CareEvent, CareRequest, CareTask, StockItem, member_unit_id

#: Help appeals that a care request can serve.
CARE_CATEGORIES = ("supplies", "medical")


def requests_for(user, *, status: str = "") -> QuerySet[CareRequest]:
    """The requests ``user`` may see, newest call first, with their tasks and assignees."""
    qs = (
        CareRequest.objects.visible_to(user)
        .select_related("unit", "town", "village", "order")
        .prefetch_related(
            Prefetch(
                "tasks",
                queryset=CareTask.objects.select_related("assignee__hotline_profile").order_by(
                    "id"
                ),
            )
        )
    )
    if status == "open":
        qs = qs.open()
    elif status in RequestStatus.values:
        qs = qs.filter(status=status)
    return qs


def convertible_orders(user, limit: int = 20) -> list[Order]:
    """Open help appeals about supplies or medicine that no field app serves yet, visible to
    ``user`` (the center sees all, a unit its own): candidates for a care request."""
    return list(
        Order.objects.visible_to(user)
        .filter(
            status__in=(OrderStatus.RECEIVED, OrderStatus.DISPATCHED, OrderStatus.ACCEPTED),
            appeal_type="help",
            category__in=CARE_CATEGORIES,
            source_app="",
        )
        .select_related("town", "handling_unit")
        .order_by("-received_at")[:limit]
    )


def masked_household(request: CareRequest) -> dict:
    return {
        "household_name": mask_name(request.household_name),
        "household_phone": mask_phone(request.household_phone),
        "address": mask_address(request.address),
    }


def history(request: CareRequest) -> list[CareEvent]:
    return list(
        CareEvent.objects.filter(request=request)
        .select_related("actor__hotline_profile", "task")
        .order_by("id")
    )


def volunteers_of(unit_id: int | None):
    """Active field workers (volunteers) bound to the unit."""
    if unit_id is None:
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(
            is_active=True, groups__name=Role.FIELD_STAFF, hotline_profile__unit_id=unit_id
        )
        .select_related("hotline_profile")
        .order_by("username")
    )


def route_of(user) -> list[CareTask]:
    """A volunteer's open tasks in route order (position, then village, then address)."""
    return list(
        CareTask.objects.filter(assignee=user, status__in=OPEN_TASK_STATUSES)
        .select_related("request__village", "request__town", "request__unit")
        .order_by(
            F("route_position").asc(nulls_last=True),
            "request__village_id",
            "request__address",
            "id",
        )
    )


def plannable_tasks(unit_id: int | None) -> list[CareTask]:
    """A town's tasks that can still go into a route (not yet on the way)."""
    if unit_id is None:
        return []
    return list(
        CareTask.objects.filter(
            request__unit_id=unit_id,
            status__in=("pending", "assigned"),
            request__status__in=(RequestStatus.OPEN, RequestStatus.IN_PROGRESS),
        )
        .select_related("request__village", "assignee__hotline_profile")
        .order_by("request__village_id", "request__address", "id")
    )


def stock_of(unit_id: int | None) -> list[StockItem]:
    if unit_id is None:
        return []
    return list(StockItem.objects.filter(unit_id=unit_id).order_by("name"))


def time_to_help(qs: QuerySet[CareRequest]) -> dict:
    """Done requests of ``qs``: how many, median and longest minutes from call to handover."""
    rows = list(
        qs.filter(status=RequestStatus.DONE, done_at__isnull=False).values_list(
            "received_at", "done_at"
        )
    )
    minutes = [int((done - received).total_seconds() // 60) for received, done in rows]
    return {
        "done": len(minutes),
        "median": int(statistics.median(minutes)) if minutes else None,
        "longest": max(minutes) if minutes else None,
    }


def unit_of_user(user) -> int | None:
    return member_unit_id(user)


NEED_CHOICES = Need.choices
