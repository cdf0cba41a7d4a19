"""Back-office data: the clock matrix, the mode switch and the routing table are edited here;
orders and events are read-only (services are the only writers)."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from .errors import OrderError
from .models import (
    PERSONAL_DATA_FIELDS,
    Notification,
    OperatingMode,
    Order,
    OrderEvent,
    PersonalDataAccess,
    RoutingRule,
    SlaPolicy,
)
from .services import set_mode


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "mode",
        "urgency",
        "appeal_type",
        "accept_amount",
        "accept_unit",
        "resolve_amount",
        "resolve_unit",
    ]
    list_filter = ["mode", "urgency"]
    list_editable = ["accept_amount", "accept_unit", "resolve_amount", "resolve_unit"]


@admin.register(OperatingMode)
class OperatingModeAdmin(admin.ModelAdmin):
    """The surge switch; changing it affects new orders only."""

    list_display = ["mode", "changed_at", "changed_by", "reason"]
    readonly_fields = ["changed_at", "changed_by"]

    def has_add_permission(self, request):
        return not OperatingMode.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Through the service, as the board's switch: the same permission check, the record of
        # who switched and when, and this process's cache reset.
        try:
            # the one row, created if need be
            obj.pk = set_mode(request.user, obj.mode, reason=obj.reason).pk
        except OrderError as exc:
            request.hotline_refusal = str(exc)  # read by the response and log hooks below

    def log_change(self, request, obj, message):
        if not getattr(request, "hotline_refusal", None):  # nothing changed: nothing to log
            return super().log_change(request, obj, message)
        return None

    def log_addition(self, request, obj, message):
        if not getattr(request, "hotline_refusal", None):
            return super().log_addition(request, obj, message)
        return None

    def response_change(self, request, obj):
        return self._refused(request) or super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        return self._refused(request) or super().response_add(request, obj, post_url_continue)

    def _refused(self, request):
        """The service's refusal as the only message (not Django's "changed" beside it)."""
        refusal = getattr(request, "hotline_refusal", None)
        if not refusal:
            return None
        self.message_user(request, refusal, level=messages.ERROR)
        return HttpResponseRedirect(request.path)


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = [
        "priority",
        "name",
        "active",
        "category",
        "urgency",
        "epidemic_related",
        "target",
        "unit_code",
    ]
    list_editable = ["active"]
    list_filter = ["active", "target", "category"]
    ordering = ["priority"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = OrderEvent
    fields = ["at", "code", "actor", "unit", "payload"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "status",
        "urgency",
        "category",
        "handling_unit",
        "received_at",
        "accept_deadline",
        "resolve_deadline",
    ]
    list_filter = ["status", "urgency", "category", "sla_mode"]
    search_fields = ["number", "title"]
    # The caller's phone and name are left out: admin reads would bypass the access log.
    exclude = list(PERSONAL_DATA_FIELDS)
    inlines = [EventInline]
    list_select_related = ["handling_unit"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "event_code", "recipient", "status", "attempts", "sent_at"]
    list_filter = ["status", "event_code"]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "order", "fields", "via"]
    list_select_related = ["user", "order"]
