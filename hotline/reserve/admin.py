"""Back-office data of the reserve in the admin: areas, gates and signal sources are edited
here; bookings, exceptions, incidents, detections and events are read-only (they change only
through the services, which write events and messages)."""

from django.contrib import admin

from .models import (
    Area,
    Booking,
    Detection,
    Entrance,
    ExceptionRequest,
    FalseAlarmSite,
    Incident,
    ReserveEvent,
    SignalSource,
)


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "daily_capacity", "active"]
    list_filter = ["active"]


@admin.register(Entrance)
class EntranceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "area", "town_code", "latitude", "longitude"]
    list_select_related = ["area"]


@admin.register(SignalSource)
class SignalSourceAdmin(admin.ModelAdmin):
    """Raising ``key_version`` revokes the source's secret (``hotline fire source-secret``
    prints the new one)."""

    list_display = ["code", "name", "kind", "key_version", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["number", "area", "visit_date", "masked_name", "masked_phone", "id_masked",
                    "party_size", "status"]  # fmt: skip
    list_filter = ["status", "area"]
    search_fields = ["number"]
    exclude = ["name", "phone", "id_hash"]
    list_select_related = ["area"]


@admin.register(ExceptionRequest)
class ExceptionRequestAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "area", "date_from", "date_to", "masked_name", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["number"]
    exclude = ["name", "phone", "id_hash"]
    list_select_related = ["area"]


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["number", "status", "first_seen", "last_seen", "detection_count",
                    "signal_count", "area_km2", "max_frp", "outcome"]  # fmt: skip
    list_filter = ["status", "outcome", "in_watch_area"]
    search_fields = ["number"]


@admin.register(Detection)
class DetectionAdmin(ReadOnlyAdmin):
    list_display = ["satellite", "acquired_at", "latitude", "longitude", "confidence", "frp",
                    "incident"]  # fmt: skip
    list_filter = ["satellite", "confidence"]
    raw_id_fields = ["incident"]
    show_full_result_count = False


@admin.register(FalseAlarmSite)
class FalseAlarmSiteAdmin(ReadOnlyAdmin):
    list_display = ["name", "latitude", "longitude", "radius_m", "active", "created_at"]

    def has_change_permission(self, request, obj=None):
        return True  # switching a site off (active) is a back-office edit

    fields = ["name", "latitude", "longitude", "radius_m", "active"]
    readonly_fields = ["name", "latitude", "longitude", "radius_m"]


@admin.register(ReserveEvent)
class ReserveEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "code", "object_type", "object_id", "actor"]
    list_filter = ["code"]
    search_fields = ["object_id"]
    show_full_result_count = False
