"""Login: lockout per user and per address (django-axes), password rules, idle expiry for
agents, the TOTP second factor, and that bearer tokens are untouched by any of it."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.urls import reverse

from hotline.accounts.middleware import LAST_SEEN
from hotline.accounts.models import AuditAction, AuditEntry, TotpDevice
from hotline.accounts.roles import Role
from hotline.accounts.services import AccountError, check_totp, create_user, start_totp

PASSWORD = "Pw-for-tests-42"
LOGIN = "/accounts/login/"


def _login(client, username, password=PASSWORD, ip="127.0.0.10"):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, follow=False
    )


@pytest.fixture
def agent(demo_city, make_user):
    return make_user(Role.AGENT, "center", "agent_l")


def test_login_works_and_is_audited(client, agent):
    r = _login(client, "agent_l")
    assert r.status_code == 302 and r["Location"] == "/"
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert entry.actor == agent and entry.ip == "127.0.0.10"


def test_wrong_password_is_refused_and_audited(client, agent):
    r = _login(client, "agent_l", "wrong-password")
    assert r.status_code == 200 and "用户名或密码不正确" in r.content.decode()
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert entry.actor is None and entry.actor_name == "agent_l"
    assert "wrong-password" not in str(entry.detail)


def test_an_overlong_username_is_refused_by_the_form(client, agent):
    # it reached axes, whose username column (255) refused it on PostgreSQL: a 500
    r = _login(client, "x" * 3000)
    assert r.status_code == 200 and "150" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_username_from_every_address(client, settings, agent):
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "agent_l", "wrong-password", ip=f"127.0.1.{i}")
    # The right password from a fresh address is refused while the name is locked.
    r = _login(client, "agent_l", ip="127.0.2.1")
    assert r.status_code == 429
    page = r.content.decode()
    assert "登录已暂停" in page and "请稍后再试" in page
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(action=AuditAction.LOCKED_OUT).exists()


def test_five_failures_from_one_address_lock_that_address(client, settings, agent, make_user):
    make_user(Role.AGENT, "center", "agent_m")
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(client, f"nobody{i}", "wrong-password", ip="127.0.3.3")
    assert _login(client, "agent_m", ip="127.0.3.3").status_code == 429
    # Another address is not affected.
    assert _login(client, "agent_m", ip="127.0.3.4").status_code == 302


def test_a_success_resets_the_failure_count(client, settings, agent):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "agent_l", "wrong-password")
    assert _login(client, "agent_l").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "agent_l", "wrong-password")
    assert _login(client, "agent_l").status_code == 302


def test_bearer_tokens_are_not_subject_to_login_rules(agent, token_client, settings):
    settings.SESSION_IDLE_TIMEOUT = 1
    c = token_client(agent)
    assert c.get("/api/v1/orders").status_code == 200
    time.sleep(0.01)
    assert c.get("/api/v1/orders").status_code == 200


def test_password_rules(demo_city):
    for weak in ("short1", "12345678901", "password123"):
        with pytest.raises(AccountError) as err:
            create_user(f"u{len(weak)}{weak[:2]}", role=Role.AGENT, password=weak)
        assert err.value.code == "weak_password" and "密码不符合要求" in str(err.value)
    create_user("strong", role=Role.AGENT, password="热线-Maoming-2022")


def test_idle_agent_session_ends(client, agent, settings):
    _login(client, "agent_l")
    assert client.get("/").status_code == 200
    session = client.session
    session[LAST_SEEN] = time.time() - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    r = client.get("/")
    assert r.status_code == 302 and r["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    page = client.get(r["Location"]).content.decode()
    assert "未操作" in page and "自动退出" in page


def test_idle_supervisor_session_stays(client, demo_city, make_user, settings):
    make_user(Role.SUPERVISOR, "center", "sup_l")
    _login(client, "sup_l")
    session = client.session
    session[LAST_SEEN] = time.time() - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    assert client.get("/").status_code == 200


# --- second factor ----------------------------------------------------------------------------
@pytest.fixture
def supervisor(demo_city, make_user):
    return make_user(Role.SUPERVISOR, "center", "sup_otp")


def _code(device, offset=0):
    totp = pyotp.TOTP(device.secret)
    return totp.at(time.time() + offset)


def test_enrolment_page_confirms_with_a_first_code(client, supervisor):
    client.force_login(supervisor)
    page = client.get(reverse("accounts:otp-enrol"))
    assert page.status_code == 200 and "data:image/svg+xml" in page.content.decode()
    device = TotpDevice.objects.get(user=supervisor)
    assert not device.confirmed
    r = client.post(reverse("accounts:otp-enrol"), {"code": "000000"})
    assert r.status_code == 422 and "验证码不正确" in r.content.decode()
    r = client.post(reverse("accounts:otp-enrol"), {"code": _code(device)})
    assert r.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action=AuditAction.OTP_ENROLLED, actor=supervisor).exists()
    assert AuditEntry.objects.filter(action=AuditAction.OTP_FAILED, actor=supervisor).exists()


def test_agents_are_not_offered_enrolment(client, agent):
    client.force_login(agent)
    assert client.get(reverse("accounts:otp-enrol")).status_code == 403


def test_login_with_a_device_waits_for_the_code(client, supervisor):
    device = start_totp(supervisor)
    check_totp(supervisor, _code(device, -30))  # confirmed with the previous step's code
    r = _login(client, "sup_otp")
    assert r.status_code == 302
    r = client.get("/orders/")
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:otp-verify"))
    assert client.get("/api/v1/orders").status_code == 401
    # A replayed code (the one already used) is refused; the current one is accepted once.
    r = client.post(reverse("accounts:otp-verify"), {"code": _code(device, -30)})
    assert r.status_code == 422
    r = client.post(reverse("accounts:otp-verify"), {"code": _code(device), "next": "/orders/"})
    assert r.status_code == 302 and r["Location"] == "/orders/"
    assert client.get("/orders/").status_code == 200


def test_repeated_wrong_codes_end_the_session(client, supervisor):
    device = start_totp(supervisor)
    check_totp(supervisor, _code(device))
    _login(client, "sup_otp")
    for _ in range(5):
        r = client.post(reverse("accounts:otp-verify"), {"code": "123456"})
    assert r.status_code == 302 and "_auth_user_id" not in client.session


def test_an_admin_resets_a_lost_phone_in_the_admin(client, supervisor, make_user):
    device = start_totp(supervisor)
    check_totp(supervisor, _code(device))
    admin = make_user(Role.ADMIN, None, "admin_otp")
    client.force_login(admin)
    listed = client.get("/admin/accounts/totpdevice/").content.decode()
    assert "sup_otp" in listed and device.secret not in listed  # the secret is never shown
    r = client.post(f"/admin/accounts/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302
    assert not TotpDevice.objects.filter(user=supervisor).exists()
    entry = AuditEntry.objects.get(action=AuditAction.OTP_RESET)
    assert entry.actor == admin and entry.target == f"auth.user:{supervisor.pk}" and entry.reason
    # the supervisor's next login asks for no code
    client.logout()
    assert _login(client, "sup_otp").status_code == 302
    assert client.get("/orders/").status_code == 200


def test_the_otp_reset_command_needs_a_reason_and_is_audited(supervisor):
    from django.core.management import CommandError, call_command

    device = start_totp(supervisor)
    check_totp(supervisor, _code(device))
    with pytest.raises(CommandError, match="理由"):
        call_command("otp_reset", "sup_otp", reason="  ")
    assert TotpDevice.objects.filter(user=supervisor).exists()
    with pytest.raises(CommandError, match="不存在"):
        call_command("otp_reset", "nobody", reason="手机遗失")
    call_command("otp_reset", "sup_otp", reason="手机遗失")
    assert not TotpDevice.objects.filter(user=supervisor).exists()
    entry = AuditEntry.objects.get(action=AuditAction.OTP_RESET)
    assert entry.actor is None and entry.actor_name == "hotline otp_reset"
    assert entry.reason == "手机遗失"


def test_staff_given_the_permission_still_cannot_reset_in_the_admin(client, supervisor, make_user):
    from django.contrib.auth.models import Permission

    device = start_totp(supervisor)
    staff = make_user(Role.SUPERVISOR, "center", "sup_staff")
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(*Permission.objects.filter(codename__endswith="totpdevice"))
    client.force_login(staff)
    r = client.post(f"/admin/accounts/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert r.status_code == 403  # reset_totp would refuse them: the admin does not offer it
    assert TotpDevice.objects.filter(pk=device.pk).exists()


def test_only_an_admin_may_reset_another_users_phone(supervisor, make_user):
    from hotline.accounts.services import reset_totp

    start_totp(supervisor)
    other = make_user(Role.SUPERVISOR, "center", "sup_two")
    with pytest.raises(AccountError, match="系统管理员"):
        reset_totp(supervisor, by=other, reason="手机遗失")
    assert TotpDevice.objects.filter(user=supervisor).exists()


def test_required_roles_are_sent_to_enrolment(client, supervisor, settings):
    settings.OTP_REQUIRED_ROLES = ["supervisor"]
    client.force_login(supervisor)
    r = client.get("/board/")
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:otp-enrol"))


@pytest.mark.parametrize(
    "given, expected",
    [
        ("/orders/", "/orders/"),
        ("-1", "/"),  # a bare word was reversed as a view name: NoReverseMatch, a 500
        ("orders", "/"),
        ("https://example.com/", "/"),
        ("//example.com/orders/", "/"),
        ("", "/"),
    ],
)
def test_the_next_address_is_followed_only_within_the_site(
    client, agent, settings, given, expected
):
    settings.LOGIN_REDIRECT_URL = "/"
    client.force_login(agent)  # no device: the second step sends the user on at once
    r = client.get(reverse("accounts:otp-verify"), {"next": given})
    assert r.status_code == 302 and r["Location"] == expected
