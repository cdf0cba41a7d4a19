"""Read helpers of the reserve app, shared by the pages and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, Q, Sum
from django.utils import timezone

from hotline.orders.models import Order

from . import geography
from .choices import BookingStatus, Direction, IncidentStatus
from .models import (
    Area,
    Booking,
    Detection,
    DutyShift,
    ExceptionRequest,
    Incident,
    Passage,
    RangerPosition,
    Suspension,
)
from .services import suspended_message, suspension_for_booking


def availability(day: dt.date, now: dt.datetime) -> list[dict]:
    """Each active area on ``day``: capacity, booked, left, and whether a booking made now
    would be refused by a suspension (with the message the visitor will read)."""
    booked = dict(
        Booking.objects.filter(visit_date=day, status=BookingStatus.CONFIRMED)
        .values_list("area")
        .annotate(n=Sum("party_size"))
        .values_list("area", "n")
    )
    rows = []
    for area in Area.objects.filter(active=True):
        suspension = suspension_for_booking(area, day, now)
        taken = int(booked.get(area.pk) or 0)
        rows.append(
            {
                "code": area.code,
                "name": area.name,
                "daily_capacity": area.daily_capacity,
                "booked": taken,
                "left": max(area.daily_capacity - taken, 0),
                "open": suspension is None,
                "message": suspended_message(suspension) if suspension else "",
            }
        )
    return rows


def current_suspensions(now: dt.datetime):
    """Suspensions in force now or still to come."""
    return (
        Suspension.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .select_related("area")
        .order_by("starts_at")
    )


@dataclass
class Inside:
    """A permit with people still inside the reserve."""

    permit: Booking | ExceptionRequest
    inside: int
    entered_at: dt.datetime
    entrance: str

    @property
    def type(self) -> str:
        return "booking" if isinstance(self.permit, Booking) else "exception"


def people_inside() -> list[Inside]:
    """Every booking or exception with more entries than exits (three queries in all)."""
    rows = (
        Passage.objects.values("booking_id", "exception_id")
        .annotate(
            n_in=Sum("people", filter=Q(direction=Direction.IN)),
            n_out=Sum("people", filter=Q(direction=Direction.OUT)),
            last_in=Max("at", filter=Q(direction=Direction.IN)),
            entrance=Max("entrance__name"),
        )
        .order_by()
    )
    open_rows = [r for r in rows if (r["n_in"] or 0) - (r["n_out"] or 0) > 0]
    bookings = Booking.objects.select_related("area").in_bulk(
        [r["booking_id"] for r in open_rows if r["booking_id"]]
    )
    exceptions = ExceptionRequest.objects.select_related("area").in_bulk(
        [r["exception_id"] for r in open_rows if r["exception_id"]]
    )
    found = []
    for r in open_rows:
        permit = bookings.get(r["booking_id"]) or exceptions.get(r["exception_id"])
        found.append(
            Inside(permit, (r["n_in"] or 0) - (r["n_out"] or 0), r["last_in"], r["entrance"] or "")
        )
    found.sort(key=lambda x: x.entered_at)
    return found


def is_night(now: dt.datetime) -> bool:
    """After 18:00 or before 06:00 local time: anyone still inside needs a call."""
    hour = timezone.localtime(now).hour
    return hour >= 18 or hour < 6


def order_numbers(incidents) -> dict[int, str]:
    """Incident pk → the number of its work order (one query)."""
    ids = [str(i.pk) for i in incidents]
    return dict(
        (int(sid), number)
        for sid, number in Order.objects.filter(
            source_app="reserve", source_type="incident", source_id__in=ids
        ).values_list("source_id", "number")
    )


def candidate_reports(incident: Incident, *, limit: int = 10) -> list[Order]:
    """Phone reports that may be about this fire: public-safety orders from the towns around
    the reserve, received from 6 hours before the incident was first seen to its last sign
    plus 6 hours, not yet linked. A person decides whether to link them."""
    towns = [t["code"] for t in geography.reserve_map()["towns"]]
    margin = dt.timedelta(hours=6)
    linked = incident.order_links.values("order_id")
    return list(
        Order.objects.filter(
            category="safety",
            town_id__in=towns,
            received_at__gte=incident.first_seen - margin,
            received_at__lte=incident.last_seen + margin,
        )
        .exclude(source_app="reserve")
        .exclude(pk__in=linked)
        .select_related("town")
        .order_by("-received_at")[:limit]
    )


def incident_list(status: str | None = None, limit: int = 200):
    qs = Incident.objects.exclude(status=IncidentStatus.MERGED)
    if status:
        qs = qs.filter(status=status)
    incidents = list(qs.order_by("-last_seen", "-pk")[:limit])
    numbers = order_numbers(incidents)
    for i in incidents:
        i.order_number = numbers.get(i.pk)
    return incidents


def duty_on(now: dt.datetime):
    """Who is on 24-hour duty now (a shift runs 08:00 to 08:00)."""
    local = timezone.localtime(now)
    day = local.date() if local.time() >= DutyShift.SHIFT_START else local.date() - dt.timedelta(1)
    return list(DutyShift.objects.filter(day=day).select_related("user", "user__hotline_profile"))


def map_context(now: dt.datetime, *, detection_days: int = 7) -> dict:
    """Everything the map page draws, already projected to SVG coordinates."""
    proj = geography.map_projection()
    data = geography.reserve_map()
    outline = " ".join(f"{x},{y}" for x, y in (proj(*p) for p in geography.outline()))
    towns = [{**t, "xy": proj(t["lat"], t["lon"])} for t in data["towns"]]
    incidents = [
        i
        for i in incident_list(limit=500)
        if i.in_watch_area and proj.contains(i.latitude, i.longitude)
    ]
    for i in incidents:
        i.xy = proj(i.latitude, i.longitude)
        i.radius = round(max(6.0, min(30.0, (i.area_km2**0.5) * proj.scale / 2)), 1)
    since = now - dt.timedelta(days=detection_days)
    box = (proj.min_lat, proj.min_lon, proj.max_lat, proj.max_lon)
    detections = [
        {"xy": proj(lat, lon), "satellite": sat, "at": at, "confidence": conf}
        for lat, lon, sat, at, conf in Detection.objects.filter(
            acquired_at__gte=since,
            latitude__range=(box[0], box[2]),
            longitude__range=(box[1], box[3]),
        ).values_list("latitude", "longitude", "satellite", "acquired_at", "confidence")[:2000]
    ]
    rangers = [
        {
            "xy": proj(p.latitude, p.longitude),
            "name": p.user.get_full_name() or p.user.username,
            "at": p.at,
        }
        for p in RangerPosition.objects.select_related("user").filter(
            at__gte=now - dt.timedelta(hours=12)
        )
        if proj.contains(p.latitude, p.longitude)
    ]
    return {
        "width": proj.width,
        "height": proj.height,
        "outline": outline,
        "peak": {**data["peak"], "xy": proj(data["peak"]["lat"], data["peak"]["lon"])},
        "towns": towns,
        "incidents": incidents,
        "detections": detections,
        "rangers": rangers,
        "reserve_name": data["name"],
        "scale_10km_px": round(10 * proj.scale / geography.KM_PER_DEG, 1),
    }
