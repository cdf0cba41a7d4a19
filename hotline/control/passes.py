"""Signed passes: the compact payload in the QR code, Ed25519 signing and verification.

A token is ``<payload>~<signature>``; the payload is tilde-separated ASCII::

    1~H~k3f9a~7QH2M4XK~MN0101-000123~~rz5k00~s0b2o0
    │ │ │     │        │             │ │      └ valid until (Unix seconds, base 36)
    │ │ │     │        │             │ └ valid from
    │ │ │     │        │             └ member number (outing passes only)
    │ │ │     │        └ household card number
    │ │ │     └ pass serial
    │ │ └ key id
    │ └ kind (H card, O one-off outing pass)
    └ format version

and the signature is the 64-byte Ed25519 signature of the payload's bytes in unpadded
base64url (86 characters): about 130 characters in all, a version-8 QR code at level M that
prints legibly at 3 cm. The checkpoint page (static/control/checkpoint.js) parses and verifies
the same format with tweetnacl; both sides must change together.

Keys are made and tokens signed with ``cryptography``; tokens are verified with PyNaCl
(libsodium). Both are the same Ed25519 (RFC 8032), but on the machines we measured
libsodium's verify is about twice as fast as OpenSSL's (bench/bench_control.py prints both),
and verification is what a checkpoint does all day. libsodium is also the stricter verifier: it
refuses non-canonical signatures and small-order keys.
"""

from __future__ import annotations

import base64
import dataclasses

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

VERSION = "1"
SEP = "~"
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b36(n: int) -> str:
    if n < 0:
        raise ValueError("negative")
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = _DIGITS[r] + out
        if not n:
            return out


def new_key_pair() -> tuple[str, str]:
    """(private, public) raw 32-byte keys in base64url."""
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    raw_public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return b64u(raw_private), b64u(raw_public)


def load_public(public_b64: str) -> VerifyKey:
    """The verifying key of a raw 32-byte public key in base64url."""
    raw = unb64u(public_b64)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return VerifyKey(raw)


@dataclasses.dataclass(frozen=True)
class PassData:
    """What a pass says."""

    kind: str
    kid: str
    serial: str
    card_no: str
    member: int | None
    valid_from: int
    valid_until: int

    def payload(self) -> str:
        member = "" if self.member is None else str(self.member)
        parts = [VERSION, self.kind, self.kid, self.serial, self.card_no, member]
        parts += [b36(self.valid_from), b36(self.valid_until)]
        if any(SEP in p for p in parts):
            raise ValueError("a pass field contains the separator")
        return SEP.join(parts)


def sign(data: PassData, private_b64: str) -> str:
    """The token (QR text) of ``data`` signed with the private key."""
    payload = data.payload()
    key = Ed25519PrivateKey.from_private_bytes(unb64u(private_b64))
    return payload + SEP + b64u(key.sign(payload.encode()))


class Unverified(Exception):
    """A token that is not a valid pass; ``code`` is a key of choices.REASONS."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def parse(token: str) -> tuple[PassData, bytes, bytes]:
    """(data, signed bytes, signature) of a token; ``Unverified("malformed")`` otherwise."""
    token = (token or "").strip()
    payload, _, signature = token.rpartition(SEP)
    parts = payload.split(SEP)
    if len(parts) != 8 or parts[0] != VERSION or parts[1] not in ("H", "O"):
        raise Unverified("malformed")
    try:
        member = int(parts[5]) if parts[5] else None
        data = PassData(
            parts[1], parts[2], parts[3], parts[4], member, int(parts[6], 36), int(parts[7], 36)
        )
        raw_signature = unb64u(signature)
    except ValueError:
        raise Unverified("malformed") from None
    if len(raw_signature) != 64:
        raise Unverified("malformed")
    return data, payload.encode(), raw_signature


def verify(token: str, public_keys: dict[str, VerifyKey]) -> PassData:
    """The pass a token carries once its signature checks against the key it names; raises
    ``Unverified`` with ``malformed``, ``unknown_key`` or ``forged``."""
    data, signed, signature = parse(token)
    key = public_keys.get(data.kid)
    if key is None:
        raise Unverified("unknown_key")
    try:
        key.verify(signed, signature)
    except BadSignatureError:
        raise Unverified("forged") from None
    return data
