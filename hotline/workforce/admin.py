"""Back-office views of the workforce tables. Courses, the staffing policy and teams are edited
here; people, shifts, batches and duties change through the pages and services (read only
here, so that every change writes its event)."""

from django.contrib import admin

from .models import (
    CallRecord,
    Completion,
    Course,
    Deployment,
    Duty,
    Person,
    Shift,
    StaffingPolicy,
    Team,
    WorkforceEvent,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "home_agency", "masked_phone", "id_masked", "active")
    list_filter = ("kind", "home_agency", "background_check", "party_member", "active")
    search_fields = ("name", "home_agency")
    exclude = ("phone", "id_hash")


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "is_basic", "pass_mark", "active")
    filter_horizontal = ("articles",)


@admin.register(Completion)
class CompletionAdmin(ReadOnlyAdmin):
    list_display = ("person", "course", "score", "passed", "at")
    list_filter = ("course", "passed")


@admin.register(Shift)
class ShiftAdmin(ReadOnlyAdmin):
    list_display = ("person", "pattern", "starts_at", "ends_at", "signed_in_at", "signed_out_at")
    list_filter = ("pattern",)
    date_hierarchy = "starts_at"


@admin.register(CallRecord)
class CallRecordAdmin(ReadOnlyAdmin):
    list_display = ("person", "started_at", "talk_seconds", "wrap_seconds", "order_number")


@admin.register(StaffingPolicy)
class StaffingPolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "default_aht_seconds", "patience_seconds", "daily_call_cap")


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin):
    list_display = ("name", "home_agency", "leader", "created_at")


@admin.register(Deployment)
class DeploymentAdmin(ReadOnlyAdmin):
    list_display = ("team", "batch", "site_name", "site_kind", "starts_on", "ends_on", "status")
    list_filter = ("status", "site_kind")


@admin.register(Duty)
class DutyAdmin(ReadOnlyAdmin):
    list_display = ("person", "source_app", "source_type", "source_id", "task", "starts_at")
    list_filter = ("source_app",)


@admin.register(WorkforceEvent)
class WorkforceEventAdmin(ReadOnlyAdmin):
    list_display = ("code", "object_type", "object_id", "actor", "at")
    list_filter = ("code",)
