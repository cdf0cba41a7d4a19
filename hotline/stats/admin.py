"""Back-office views of the statistics: read-only. The facts and cells are derived (``hotline
stats rebuild`` makes them again); last year's counts come in by ``import-history``."""

from django.contrib import admin

from .models import HistoryCount, OrderFact, StatsEvent, UnitFact


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrderFact)
class OrderFactAdmin(ReadOnly):
    list_display = ("order", "day", "hour", "channel", "category", "urgency", "status", "unit_id")
    list_filter = ("day", "urgency", "channel", "first_contact", "overdue")
    list_select_related = ("order",)


@admin.register(UnitFact)
class UnitFactAdmin(ReadOnly):
    list_display = ("order", "unit", "day", "accept_due", "accept_on_time", "resolve_due",
                    "resolve_on_time", "rated", "satisfied")  # fmt: skip
    list_filter = ("day",)
    list_select_related = ("order", "unit")


@admin.register(HistoryCount)
class HistoryCountAdmin(ReadOnly):
    list_display = ("day", "hour", "channel", "epidemic", "count")
    list_filter = ("channel",)
    date_hierarchy = "day"


@admin.register(StatsEvent)
class StatsEventAdmin(ReadOnly):
    list_display = ("code", "actor", "at")
    list_filter = ("code",)
