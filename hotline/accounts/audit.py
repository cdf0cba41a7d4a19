"""The audit log: every login, reveal of personal data, export and role or permission change.

``record`` is the one writer. Logins, logouts, lockouts and role/permission changes are caught
from Django's and axes' signals here, so no view has to remember them; every file download
(a response with ``Content-Disposition: attachment``) is recorded by ``AuditMiddleware``, so an
app's export is audited without its own code; reveals are recorded by the services that
unmask (``record_data_access``, ``orders.services.record_personal_data_read``) with the reason
the person gave.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, pre_save
from django.dispatch import receiver
from django.utils import timezone

from hotline.common.masking import mask_id_number, mask_phone

from .models import AuditAction, AuditEntry

#: Reasons shorter than this are refused: "看" or "1" explains nothing.
MIN_REASON_LENGTH = 4

# Digit runs that look like a phone (7–13 digits) or a resident ID (17 digits + check).
_ID_RE = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_PHONE_RE = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")


def mask_text(value: str) -> str:
    """Mask ID numbers and phone numbers inside free text (a reason, a query string)."""
    value = _ID_RE.sub(lambda m: mask_id_number(m.group(0)), value)
    return _PHONE_RE.sub(lambda m: mask_phone(m.group(0)), value)


def _masked(value):
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {str(k): _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    return value


def client_ip(request) -> str | None:
    """The peer address Django saw (the reverse proxy's when behind one; see RELIABILITY.md)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    actor=None,
    actor_name: str = "",
    target: str = "",
    detail: dict | None = None,
    reason: str = "",
    request=None,
    now: dt.datetime | None = None,
) -> AuditEntry:
    """Append one entry. Phones and ID numbers in ``detail`` and ``reason`` are masked; callers
    pass field names, not values, for what was revealed, and a ``target`` naming an object
    (``orders.order:<number>``), never a person's data."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if actor is not None and not actor_name:
        actor_name = actor.get_username()
    return AuditEntry.objects.create(
        at=now or timezone.now(),
        actor=actor,
        actor_name=actor_name[:150],
        action=action,
        target=target[:200],
        detail=_masked(detail or {}),
        reason=mask_text(reason.strip())[:300],
        ip=client_ip(request),
    )


def purge(now: dt.datetime | None = None, *, days: int | None = None) -> int:
    """Delete entries older than the retention (``AUDIT_RETENTION_DAYS``); returns how many."""
    days = settings.AUDIT_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    deleted, _ = AuditEntry.objects.filter(at__lt=cutoff).delete()
    return deleted


# --- signals ----------------------------------------------------------------------------------
@receiver(user_logged_in, dispatch_uid="hotline.audit.login")
def _on_login(sender, request, user, **kwargs):
    from .middleware import on_login

    on_login(request, user)
    record(AuditAction.LOGIN, actor=user, request=request)


@receiver(user_logged_out, dispatch_uid="hotline.audit.logout")
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(AuditAction.LOGOUT, actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="hotline.audit.login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    # Django passes the credentials with the password already replaced by asterisks.
    username = str(credentials.get("username", ""))[:150]
    record(AuditAction.LOGIN_FAILED, actor_name=username, request=request)


def _on_locked_out(sender, request, username, ip_address, **kwargs):
    record(
        AuditAction.LOCKED_OUT,
        actor_name=str(username or "")[:150],
        detail={"ip": ip_address},
        request=request,
    )


try:  # axes is in the lock; the import is guarded only so the module loads without it
    from axes.signals import user_locked_out

    user_locked_out.connect(_on_locked_out, dispatch_uid="hotline.audit.locked_out")
except ImportError:  # pragma: no cover
    pass


def _current_actor():
    from .middleware import current_request

    request = current_request()
    user = getattr(request, "user", None) if request is not None else None
    return (user if getattr(user, "is_authenticated", False) else None), request


def _on_groups_changed(sender, instance, action, pk_set, reverse, model, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear") or reverse:
        return
    actor, request = _current_actor()
    names = sorted(model.objects.filter(pk__in=pk_set or ()).values_list("name", flat=True))
    is_groups = model.__name__ == "Group"
    record(
        AuditAction.ROLE_CHANGE if is_groups else AuditAction.PERMISSION_CHANGE,
        actor=actor,
        target=f"user:{instance.get_username()}",
        detail={"change": action.removeprefix("post_"), "names": names},
        request=request,
    )


def _on_user_saved(sender, instance, **kwargs):
    if instance.pk is None:
        return
    before = sender.objects.filter(pk=instance.pk).values("is_staff", "is_superuser", "is_active")
    before = before.first()
    if before is None:
        return
    changed = {
        name: [before[name], getattr(instance, name)]
        for name in before
        if before[name] != getattr(instance, name)
    }
    if changed:
        actor, request = _current_actor()
        # Written in the save's transaction: a rolled-back save leaves no entry either.
        record(
            AuditAction.PERMISSION_CHANGE,
            actor=actor,
            target=f"user:{instance.get_username()}",
            detail={"change": "flags", "flags": changed},
            request=request,
        )


def connect_model_signals() -> None:
    """Called from AccountsConfig.ready (the user model is known only then)."""
    User = get_user_model()
    m2m_changed.connect(
        _on_groups_changed, sender=User.groups.through, dispatch_uid="hotline.audit.groups"
    )
    m2m_changed.connect(
        _on_groups_changed,
        sender=User.user_permissions.through,
        dispatch_uid="hotline.audit.permissions",
    )
    pre_save.connect(_on_user_saved, sender=User, dispatch_uid="hotline.audit.user_flags")
