"""Read helpers of the control app, reused by views and the API."""

from __future__ import annotations

from hotline.accounts.roles import roles_of

from .models import MANAGER_ROLES, Checkpoint, HealthCodeAppeal, Household, unit_division_code


def _area_prefix(user) -> str | None:
    """ "" for everywhere, a division code, or None for nowhere."""
    if roles_of(user) & MANAGER_ROLES:
        return ""
    return unit_division_code(user) or None


def households_for(user, q: str = ""):
    prefix = _area_prefix(user)
    if prefix is None:
        return Household.objects.none()
    qs = Household.objects.filter(village__code__startswith=prefix).select_related("village")
    if q:
        qs = qs.filter(card_no__icontains=q.strip()) | qs.filter(address__icontains=q.strip())
    return qs.order_by("card_no")


def checkpoints_for(user):
    prefix = _area_prefix(user)
    if prefix is None:
        return Checkpoint.objects.none()
    return Checkpoint.objects.filter(active=True, division__code__startswith=prefix).select_related(
        "division"
    )


def appeals_for(user):
    from hotline.accounts.roles import CENTER_ROLES, Role

    roles = roles_of(user)
    if roles & (CENTER_ROLES | {Role.ADMIN}):
        return HealthCodeAppeal.objects.all()
    from hotline.orders.models import Order

    profile = getattr(user, "hotline_profile", None)
    unit_id = getattr(profile, "unit_id", None)
    if not unit_id:
        return HealthCodeAppeal.objects.none()
    ids = Order.objects.filter(
        source_app="control", source_type="hcappeal", handling_unit_id=unit_id
    ).values_list("source_id", flat=True)
    return HealthCodeAppeal.objects.filter(pk__in=[int(i) for i in ids])
