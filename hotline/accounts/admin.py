from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from .models import ApiToken, DataAccess, Profile, TotpDevice
from .services import forget_tokens, may_reset_totp, reset_totp


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "unit"]
    search_fields = ["user__username", "display_name", "unit__name", "unit__code"]
    autocomplete_fields = ["unit"]


@admin.register(DataAccess)
class DataAccessAdmin(admin.ModelAdmin):
    """Read-only: the access log is evidence, never edited."""

    list_display = ["at", "user", "app", "object_type", "object_id", "via"]
    list_filter = ["app", "object_type"]
    search_fields = ["user__username", "object_id", "via"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]
    search_fields = ["user__username", "name", "prefix"]

    def has_add_permission(self, request):
        # Tokens are issued by `hotline createtoken`, which shows the raw value once.
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        forget_tokens()  # a revocation counts at once here, within TOKEN_TTL elsewhere


@admin.register(TotpDevice)
class TotpDeviceAdmin(admin.ModelAdmin):
    """Who has a second factor; deleting a device is the reset for a lost phone (through
    ``reset_totp``, so it is in the audit log). The secret is never shown."""

    list_display = ["user", "confirmed_at"]
    search_fields = ["user__username"]
    fields = ["user", "confirmed_at"]
    readonly_fields = ["user", "confirmed_at"]

    def has_add_permission(self, request):
        return False  # a user enrols themself at 账号 → 启用两步验证

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # as reset_totp allows: an administrator, not any staff user given the permission
        allowed = may_reset_totp(request.user)
        return allowed and super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        reason = "管理后台删除（手机遗失或更换）"
        reset_totp(obj.user, by=request.user, reason=reason, request=request)

    def delete_queryset(self, request, queryset):
        for device in queryset.select_related("user"):
            self.delete_model(request, device)


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["unit"]
    verbose_name_plural = "Hotline 资料（姓名、所属承办单位）"


admin.site.unregister(User)


@admin.register(User)
class HotlineUserAdmin(UserAdmin):
    """Django's user admin with the Hotline profile (unit binding) on the same page."""

    inlines = [ProfileInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        forget_tokens()  # a deactivated user's tokens stop at once here, within TOKEN_TTL elsewhere

    list_display = ["username", "display_name", "unit", "is_active", "last_login"]
    list_select_related = ["hotline_profile__unit"]
    list_filter = ["groups", "is_active"]

    @admin.display(description="姓名")
    def display_name(self, obj):
        return getattr(getattr(obj, "hotline_profile", None), "display_name", "")

    @admin.display(description="所属承办单位")
    def unit(self, obj):
        profile = getattr(obj, "hotline_profile", None)
        return profile.unit if profile else None
