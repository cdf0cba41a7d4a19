"""Secrets the platform must read back, sealed at rest: a TOTP device's key.

A password is stored as a hash, but a TOTP key must be read to compute the expected code, so
it is encrypted instead — Fernet (AES-128-CBC with an HMAC-SHA256 tag) from ``cryptography``,
which the platform already uses for its signing keys. A copy of the database alone (a stolen
backup, a read-only SQL hole) then does not give the codes of every supervisor's phone.

The keys are derived from ``SECRET_KEY`` and each of ``SECRET_KEY_FALLBACKS`` by HKDF-SHA256
with this module's purpose label, so no new secret has to be deployed and a key for one
purpose says nothing of another. The first key seals; any of them opens (``MultiFernet``).
Rotating ``SECRET_KEY`` the way Django documents it — the old value kept in
``SECRET_KEY_FALLBACKS`` for a while — keeps every sealed value readable, and ``reseal``
moves a value to the current key (a device is resealed at each accepted code). A value no
key opens raises ``Unsealable``: the key it was sealed with is gone."""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PURPOSE = b"hotline sealed secrets v1"


class Unsealable(Exception):
    """No current key opens the value (it was sealed under a SECRET_KEY no longer configured)."""


@lru_cache(maxsize=8)
def _box(secrets: tuple[str, ...]) -> MultiFernet:
    def fernet(secret: str) -> Fernet:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE)
        return Fernet(base64.urlsafe_b64encode(hkdf.derive(secret.encode())))

    return MultiFernet([fernet(secret) for secret in secrets])


def _current() -> MultiFernet:
    return _box((settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())))


def seal(text: str) -> str:
    return _current().encrypt(text.encode()).decode("ascii")


def unseal(token: str) -> str:
    try:
        return _current().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise Unsealable from exc


def reseal(token: str) -> str:
    """The same value sealed under the current first key."""
    try:
        return _current().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise Unsealable from exc
