"""Back-office views of care data: read-mostly (writes go through the services and pages)."""

from django.contrib import admin

from .models import CareEvent, CareRequest, CareTask, StockItem, StockMovement


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CareRequest)
class CareRequestAdmin(ReadOnlyAdmin):
    list_display = ("id", "need", "unit", "status", "received_at", "done_at", "order")
    list_filter = ("status", "need", "origin")
    # Household data is not listed: the admin does not record reads.
    exclude = ("household_name", "household_phone", "address", "confirmation_code")


@admin.register(CareTask)
class CareTaskAdmin(ReadOnlyAdmin):
    list_display = ("id", "request", "items", "assignee", "by_office", "status", "due_at")
    list_filter = ("status",)


@admin.register(StockItem)
class StockItemAdmin(ReadOnlyAdmin):
    list_display = ("name", "unit", "quantity", "measure")


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ("at", "item", "delta", "balance", "reason", "actor")


@admin.register(CareEvent)
class CareEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "code", "request", "task", "actor")
    list_filter = ("code",)
