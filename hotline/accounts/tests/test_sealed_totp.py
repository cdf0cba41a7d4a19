"""TOTP keys are sealed at rest (hotline.common.sealing): the database holds no usable key,
a SECRET_KEY rotation done Django's way keeps devices working, and a key that is truly gone
is an explained refusal, not a 500."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from hotline.accounts.models import TotpDevice
from hotline.accounts.roles import Role
from hotline.accounts.services import AccountError, check_totp, start_totp
from hotline.common.sealing import Unsealable, seal, unseal

OLD_KEY = "an-old-secret-key-of-more-than-thirty-two-characters"
NEW_KEY = "a-new-secret-key-of-more-than-thirty-two-characters!"


@pytest.fixture
def supervisor(demo_city, make_user):
    return make_user(Role.SUPERVISOR, "center", "sup_seal")


def _code(secret: str, offset: float = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + offset)


def _stored(device) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_totpdevice WHERE id = %s", [device.pk])
        return " ".join(str(value) for value in cursor.fetchone())


def test_the_database_holds_no_usable_key(supervisor):
    device = start_totp(supervisor)
    secret = device.secret
    assert len(secret) == 32
    assert secret not in _stored(device)  # the row, every column
    assert unseal(TotpDevice.objects.get(pk=device.pk).sealed_secret) == secret
    check_totp(supervisor, _code(secret))  # and the device works


def test_a_rotated_secret_key_keeps_devices_working_and_reseals_them(supervisor, settings):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
    device = start_totp(supervisor)
    secret = device.secret
    check_totp(supervisor, _code(secret, -30), now=time.time() - 30)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    check_totp(supervisor, _code(secret))
    settings.SECRET_KEY_FALLBACKS = []  # the old key retired: the device was resealed
    assert TotpDevice.objects.get(pk=device.pk).secret == secret


def test_a_lost_secret_key_is_explained(client, supervisor, settings):
    settings.SECRET_KEY = OLD_KEY
    device = start_totp(supervisor)
    check_totp(supervisor, _code(device.secret))
    settings.SECRET_KEY = NEW_KEY  # changed without keeping the old one
    with pytest.raises(AccountError, match="重置") as refused:
        check_totp(supervisor, "123456")
    assert refused.value.code == "otp_unreadable"
    client.force_login(supervisor)
    page = client.post("/accounts/otp/verify/", {"code": "123456"})
    assert page.status_code == 422 and "无法读取" in page.content.decode()


def test_an_unfinished_enrolment_under_a_lost_key_starts_again(client, supervisor, settings):
    client.force_login(supervisor)
    client.get("/accounts/otp/enrol/")
    device = TotpDevice.objects.get(user=supervisor)
    current = settings.SECRET_KEY
    settings.SECRET_KEY = OLD_KEY  # sealed under a key this server no longer has
    device.sealed_secret = seal("JBSWY3DPEHPK3PXP")
    settings.SECRET_KEY = current
    device.save()
    page = client.post("/accounts/otp/enrol/", {"code": "123456"})
    assert page.status_code == 422 and "重新扫描" in page.content.decode()
    fresh = TotpDevice.objects.get(user=supervisor)
    assert fresh.sealed_secret != device.sealed_secret and len(fresh.secret) == 32  # readable


def test_seal_opens_only_with_its_keys(settings):
    settings.SECRET_KEY = OLD_KEY
    token = seal("JBSWY3DPEHPK3PXP")
    assert "JBSWY3DPEHPK3PXP" not in token and unseal(token) == "JBSWY3DPEHPK3PXP"
    settings.SECRET_KEY = NEW_KEY
    with pytest.raises(Unsealable):
        unseal(token)
    with pytest.raises(Unsealable):
        unseal("not a token ✗")


@pytest.mark.django_db(transaction=True)
def test_0005_seals_the_keys_already_stored_and_unseals_them_back(django_user_model):
    before = [("accounts", "0004_otp_reset")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        apps = executor.loader.project_state(before).apps
        user = apps.get_model("auth", "User").objects.create(username="sup_old")
        apps.get_model("accounts", "TotpDevice").objects.create(
            user_id=user.pk, secret="JBSWY3DPEHPK3PXP", last_counter=0
        )
        executor = MigrationExecutor(connection)
        executor.migrate([("accounts", "0005_seal_totp_secrets")])
        device = TotpDevice.objects.get(user_id=user.pk)
        assert "JBSWY3DPEHPK3PXP" not in device.sealed_secret
        assert device.secret == "JBSWY3DPEHPK3PXP"
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        apps = executor.loader.project_state(before).apps
        back = apps.get_model("accounts", "TotpDevice").objects.get(user_id=user.pk)
        assert back.secret == "JBSWY3DPEHPK3PXP"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
