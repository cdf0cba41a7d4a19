"""Back office: report forms are data and are defined here (fields, cut-off, approver, units);
ledgers and reports are read-only (written through the pages and services)."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import ModelForm

from .models import DailyReport, Ledger, ReportForm, ScreeningEvent


class ReportFormForm(ModelForm):
    class Meta:
        model = ReportForm
        fields = ["code", "title", "fields", "cutoff", "approver", "units", "active"]

    def clean(self):
        data = super().clean()
        problems = ReportForm(fields=data.get("fields") or []).clean_fields_spec()
        if problems:
            raise ValidationError("；".join(problems))
        return data


@admin.register(ReportForm)
class ReportFormAdmin(admin.ModelAdmin):
    form = ReportFormForm
    list_display = ("code", "title", "cutoff", "approver", "active")
    filter_horizontal = ("units",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Ledger)
class LedgerAdmin(ReadOnlyAdmin):
    list_display = ("unit", "cutoff", "filler")


@admin.register(DailyReport)
class DailyReportAdmin(ReadOnlyAdmin):
    list_display = ("form", "unit", "day", "status", "late", "submitted_at")
    list_filter = ("status", "late", "form")


@admin.register(ScreeningEvent)
class ScreeningEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "code", "unit", "actor")
