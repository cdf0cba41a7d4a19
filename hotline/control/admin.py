"""Back-office views of the control tables (private keys are never shown)."""

from django.contrib import admin

from . import models


@admin.register(models.OutingRule)
class OutingRuleAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "area",
        "starts_at",
        "ends_at",
        "time_zone",
        "outings_per_day",
        "active",
    )
    list_filter = ("active",)


@admin.register(models.Checkpoint)
class CheckpointAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "division", "active")


@admin.register(models.Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ("card_no", "village", "created_at")
    search_fields = ("card_no",)
    exclude = ("phone", "address")


@admin.register(models.SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    list_display = ("kid", "created_at", "retired_at")
    exclude = ("private_key",)
    readonly_fields = ("kid", "public_key", "created_at")

    def has_add_permission(self, request):
        return False  # keys are made by services.rotate_key (hotline control_keys rotate)


@admin.register(models.Pass)
class PassAdmin(admin.ModelAdmin):
    list_display = ("serial", "kind", "household", "valid_until", "revoked_at")
    search_fields = ("serial",)
    readonly_fields = [f.name for f in models.Pass._meta.fields]


@admin.register(models.Passage)
class PassageAdmin(admin.ModelAdmin):
    list_display = (
        "at",
        "checkpoint",
        "direction",
        "decision",
        "reason",
        "server_reason",
        "offline",
    )
    list_filter = ("direction", "decision", "offline")
    readonly_fields = [f.name for f in models.Passage._meta.fields]


@admin.register(models.ControlEvent)
class ControlEventAdmin(admin.ModelAdmin):
    list_display = ("at", "code", "subject_type", "subject_id", "actor")
    list_filter = ("code",)
    readonly_fields = [f.name for f in models.ControlEvent._meta.fields]
