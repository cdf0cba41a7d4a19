"""Admin of the sampling app: read-mostly views for support staff (writes go through the
services and pages, so events and orders stay consistent)."""

from django.contrib import admin

from .models import Grid, LabImport, Recall, Resident, Round, Sample, SamplingEvent, Site, Tube


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Round)
class RoundAdmin(ReadOnly):
    list_display = ["name", "area", "starts_at", "deadline", "status"]


@admin.register(Grid)
class GridAdmin(ReadOnly):
    list_display = ["round", "village", "risk_level"]
    list_filter = ["risk_level"]


@admin.register(Site)
class SiteAdmin(ReadOnly):
    list_display = ["name", "round", "grid", "opens_at", "closes_at"]


@admin.register(Resident)
class ResidentAdmin(ReadOnly):
    list_display = ["id_masked", "village", "home_reason"]
    fields = ["village", "code", "id_masked", "home_reason"]  # no name, phone or address here


@admin.register(Tube)
class TubeAdmin(ReadOnly):
    list_display = ["barcode", "round", "grid", "pool_size", "count", "status", "result"]
    list_filter = ["status", "result"]
    search_fields = ["barcode"]


@admin.register(Sample)
class SampleAdmin(ReadOnly):
    list_display = ["id_masked", "tube", "mode", "sampled_at"]


@admin.register(LabImport)
class LabImportAdmin(ReadOnly):
    list_display = ["file_name", "round", "rows", "applied", "at"]


@admin.register(Recall)
class RecallAdmin(ReadOnly):
    list_display = ["id_masked", "tube", "reason", "status", "created_at"]
    list_filter = ["status", "reason"]


@admin.register(SamplingEvent)
class SamplingEventAdmin(ReadOnly):
    list_display = ["code", "round", "object_type", "object_id", "actor", "at"]
    list_filter = ["code"]
