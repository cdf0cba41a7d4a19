import pytest
from django.utils import timezone

from hotline.accounts.models import ApiToken
from hotline.accounts.roles import Role, has_role, roles_of
from hotline.accounts.services import (
    AccountError,
    create_token,
    create_user,
    ensure_demo_users,
    forget_tokens,
    revoke_token,
    user_for_token,
)


def test_unit_handler_needs_a_real_unit(demo_city):
    with pytest.raises(AccountError) as err:
        create_user("h1", role=Role.UNIT_HANDLER)
    assert err.value.code == "unit_required"
    with pytest.raises(AccountError) as err:
        create_user("h1", role=Role.UNIT_HANDLER, unit_code="nope")
    assert err.value.code == "unknown_unit"
    user = create_user("h1", role=Role.UNIT_HANDLER, unit_code="440902101")
    assert user.hotline_profile.unit.code == "440902101"
    assert roles_of(user) == {"unit_handler"}


def test_unknown_role_and_taken_name(demo_city):
    with pytest.raises(AccountError) as err:
        create_user("x", role="chef")
    assert err.value.code == "unknown_role"
    create_user("x", role=Role.AGENT)
    with pytest.raises(AccountError) as err:
        create_user("x", role=Role.AGENT)
    assert err.value.code == "username_taken"


def test_weak_password_refused_in_chinese(demo_city):
    with pytest.raises(AccountError) as err:
        create_user("x", role=Role.AGENT, password="123")
    assert err.value.code == "weak_password"
    assert "密码" in str(err.value)


def test_admin_role_is_superuser(demo_city):
    user = create_user("boss", role=Role.ADMIN)
    assert user.is_superuser and user.is_staff
    assert has_role(user, Role.ADMIN)


def test_token_round_trip_stores_only_a_digest(demo_city):
    user = create_user("bot", role=Role.AGENT)
    raw = create_token(user)
    stored = ApiToken.objects.get(user=user)
    assert raw not in (stored.digest, stored.prefix * 2)
    assert stored.prefix == raw[:8]
    assert user_for_token(raw) == user
    assert ApiToken.objects.get(pk=stored.pk).last_used_at is not None
    assert user_for_token(raw + "x") is None
    assert user_for_token("") is None
    revoke_token(stored)
    assert user_for_token(raw) is None


def test_a_revocation_elsewhere_is_honoured_within_the_token_ttl(demo_city, monkeypatch):
    """Another process (admin) revokes the row: this process's copy expires after TOKEN_TTL."""
    import time

    from hotline.accounts import services

    user = create_user("bot", role=Role.AGENT)
    raw = create_token(user)
    assert user_for_token(raw) == user
    ApiToken.objects.filter(user=user).update(revoked_at=timezone.now())
    assert user_for_token(raw) == user  # still trusted from this process's copy
    later = time.monotonic() + services.TOKEN_TTL + 1
    monkeypatch.setattr(services.time, "monotonic", lambda: later)
    assert user_for_token(raw) is None


def test_inactive_user_token_refused(demo_city):
    user = create_user("bot", role=Role.AGENT)
    raw = create_token(user)
    user.is_active = False
    user.save()
    forget_tokens()  # what a deactivation in another process amounts to after TOKEN_TTL
    assert user_for_token(raw) is None


def test_demo_users_refused_in_production(demo_city, settings):
    settings.HOTLINE_ENV = "production"
    with pytest.raises(AccountError) as err:
        ensure_demo_users()
    assert err.value.code == "demo_in_production"


def test_demo_users_idempotent(demo_city):
    assert ensure_demo_users() == 7
    assert ensure_demo_users() == 0


def test_bearer_token_on_api(demo_city, client):
    user = create_user("bot", role=Role.AGENT)
    raw = create_token(user)
    r = client.get("/api/v1/units", headers={"Authorization": f"Bearer {raw}"})
    assert r.status_code == 200
    r = client.get("/api/v1/units", headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401


def test_admin_pages_for_users_units_divisions(client, demo_city):
    admin_user = create_user("root", role=Role.ADMIN)
    h9 = create_user("h9", role=Role.UNIT_HANDLER, unit_code="440902101", display_name="公馆经办")
    client.force_login(admin_user)
    users = client.get("/admin/auth/user/")
    assert users.status_code == 200
    assert "公馆经办" in users.content.decode()
    page = client.get(f"/admin/auth/user/{h9.pk}/change/")
    assert page.status_code == 200
    assert "茂南区公馆镇人民政府" in page.content.decode()
    for url in ("/admin/geo/division/?q=公馆", "/admin/geo/handlingunit/", "/admin/auth/group/"):
        assert client.get(url).status_code == 200, url
