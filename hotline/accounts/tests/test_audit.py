"""The audit log: reveals need a reason, exports and role changes are caught, personal data is
masked, only admins read it, it filters and exports, and old entries are purged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from hotline.accounts import audit
from hotline.accounts.models import AuditAction, AuditEntry
from hotline.accounts.roles import Role
from hotline.accounts.services import record_data_access
from hotline.orders.tests.factories import receive


def test_reveal_needs_a_reason_and_is_audited_masked(client, people):
    order = receive(people.agent, address="茂南区公馆镇某某村3巷12号")
    client.force_login(people.agent)
    url = reverse("console:reveal", args=[order.number])
    assert client.post(url, {"reason": "看"}).status_code == 422
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()
    r = client.post(url, {"reason": "回拨 13812341234 核实地址"})
    assert r.status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL)
    assert entry.actor == people.agent and entry.target == f"orders.order:{order.number}"
    assert entry.reason == "回拨 138****1234 核实地址"
    assert "caller_phone" in entry.detail["fields"]
    assert "13812341234" not in str(entry.detail) + entry.reason


def test_field_app_reveals_are_audited_too(people):
    record_data_access(people.agent, people.gongguan, ["display_name"], "test", reason="核对身份")
    entry = AuditEntry.objects.get(action=AuditAction.REVEAL)
    assert entry.target == f"auth.user:{people.gongguan.pk}" and entry.reason == "核对身份"


def test_every_download_is_an_audited_export(client, people):
    receive(people.agent)
    client.force_login(people.supervisor)
    r = client.get("/orders/", {"export": "csv"})
    assert r.status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor == people.supervisor and entry.target == "/orders/"
    assert entry.detail["file"].startswith("orders-") and "export=csv" in entry.detail["query"]


def test_role_and_permission_changes_name_who_made_them(client, people):
    client.force_login(people.admin)
    user = people.volunteer
    r = client.post(
        reverse("admin:auth_user_change", args=[user.pk]),
        {
            "username": user.username,
            "is_active": "on",
            "is_staff": "on",
            "groups": [Group.objects.get(name=Role.SUPERVISOR).pk],
            "date_joined_0": "2022-11-05",
            "date_joined_1": "08:00:00",
            "hotline_profile-TOTAL_FORMS": "1",
            "hotline_profile-INITIAL_FORMS": "1",
            "hotline_profile-MIN_NUM_FORMS": "0",
            "hotline_profile-MAX_NUM_FORMS": "1",
            "hotline_profile-0-id": user.hotline_profile.pk,
            "hotline_profile-0-user": user.pk,
            "hotline_profile-0-display_name": "",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    changes = AuditEntry.objects.filter(action=AuditAction.ROLE_CHANGE, actor=people.admin)
    assert {tuple(e.detail["names"]) for e in changes} >= {("supervisor",)}
    flags = AuditEntry.objects.get(action=AuditAction.PERMISSION_CHANGE, actor=people.admin)
    assert flags.detail["flags"] == {"is_staff": [False, True]}
    assert flags.target == f"user:{user.username}"


def test_a_new_users_role_is_recorded(demo_city, make_user):
    make_user(Role.UNIT_HANDLER, "440902101", "new_handler")
    entry = AuditEntry.objects.get(action=AuditAction.ROLE_CHANGE)
    assert entry.target == "user:new_handler" and entry.detail["names"] == ["unit_handler"]


@pytest.mark.parametrize("who", ["agent", "supervisor", "gongguan"])
def test_only_admins_read_the_audit_log(client, people, who):
    client.force_login(getattr(people, who))
    r = client.get(reverse("accounts:audit"))
    assert r.status_code == 403 and "只对系统管理员开放" in r.content.decode()
    assert client.get(reverse("accounts:audit"), {"export": "csv"}).status_code == 403


def test_admin_filters_and_exports(client, people, django_assert_max_num_queries):
    now = timezone.now()
    audit.record(AuditAction.LOGIN_FAILED, actor_name="mallory", now=now - dt.timedelta(days=3))
    audit.record(AuditAction.EXPORT, actor=people.agent, target="/stats/export-x/", now=now)
    client.force_login(people.admin)
    url = reverse("accounts:audit")
    with django_assert_max_num_queries(12):
        page = client.get(url, {"action": "login_failed"}).content.decode()
    assert "mallory" in page and "/stats/export-x/" not in page
    page = client.get(url, {"who": "agent"}).content.decode()
    assert "/stats/export-x/" in page and "mallory" not in page
    today = timezone.localdate()
    page = client.get(url, {"since": today.isoformat()}).content.decode()
    assert "mallory" not in page
    bad = client.get(url, {"since": "2022-11-09", "until": "2022-11-01"}).content.decode()
    assert "起始日期不能晚于截止日期" in bad
    r = client.get(url, {"action": "login_failed", "export": "csv"})
    body = b"".join(r.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0].startswith("时间,用户名,动作")
    assert "mallory" in body and "/stats/export-x/" not in body
    # The export itself is in the log.
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, actor=people.admin).exists()


def test_retention_purge(db, settings):
    settings.AUDIT_RETENTION_DAYS = 90
    now = timezone.now()
    audit.record(AuditAction.LOGIN_FAILED, actor_name="old", now=now - dt.timedelta(days=91))
    audit.record(AuditAction.LOGIN_FAILED, actor_name="new", now=now - dt.timedelta(days=89))
    call_command("audit", "purge")
    assert list(AuditEntry.objects.values_list("actor_name", flat=True)) == ["new"]
    with pytest.raises(Exception, match="保留天数过短"):
        call_command("audit", "purge", "--days", "7")


def test_masking_of_free_text():
    assert audit.mask_text("身份证 440902199001011234 电话 0668-2281234") == (
        "身份证 440902********1234 电话 066*****1234"
    )
