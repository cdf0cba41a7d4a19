"""Back-office views of what the doors keep (read-only: doors write through services)."""

from django.contrib import admin

from .models import ChannelRecord, ImportJob, IntakeEvent, PortalAppeal


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ChannelRecord)
class ChannelRecordAdmin(ReadOnly):
    list_display = ("order_number", "door", "channel", "client", "created_at")
    list_filter = ("door", "channel")
    search_fields = ("order_number",)


@admin.register(PortalAppeal)
class PortalAppealAdmin(ReadOnly):
    list_display = ("order_number", "created_at", "photo_type")
    exclude = ("photo", "phone")


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnly):
    list_display = ("filename", "channel", "status", "total", "created", "failed", "user")
    list_filter = ("status",)
    exclude = ("content",)


@admin.register(IntakeEvent)
class IntakeEventAdmin(ReadOnly):
    list_display = ("at", "code", "door", "subject", "order_number")
    list_filter = ("door", "code")
