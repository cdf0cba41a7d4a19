"""Resident identity numbers (居民身份证号码, GB 11643-1999): validation, normalisation and
the keyed hash that field apps store instead of the number.

Registries that must find a person again (sampling tubes, test results, outing cards) keep
``id_hash(number)`` and ``mask_id_number(number)``, never the number itself: a check at a
checkpoint compares hashes and learns nothing else. The hash is an HMAC-SHA256 keyed with
``settings.ID_HASH_KEY`` so that a leaked table cannot be reversed by hashing all 10^17
possible numbers; changing the key orphans every stored hash, so it is set once per city.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CODES = "10X98765432"


def normalize_id_number(number: str) -> str:
    """Strip spaces and make a trailing check letter upper case."""
    return "".join(str(number or "").split()).upper()


def check_digit(first17: str) -> str:
    """The GB 11643 check character (ISO 7064 MOD 11-2) of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CODES[total % 11]


def is_valid_id_number(number: str) -> bool:
    """True for an 18-character number with digits, a plausible birth date and the right check
    character. (15-digit numbers from before 1999 are no longer in use.)"""
    n = normalize_id_number(number)
    # ASCII only: str.isdigit() also accepts "²" (which int() refuses) and other scripts'
    # digits (which would hash differently from the same number typed in ASCII).
    if (
        len(n) != 18
        or not n.isascii()
        or not n[:17].isdigit()
        or not (n[17].isdigit() or n[17] == "X")
    ):
        return False
    month, day = int(n[10:12]), int(n[12:14])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return False
    return check_digit(n[:17]) == n[17]


def id_hash(number: str) -> str:
    """The keyed hash (64 hex characters) of a normalised identity number."""
    key = settings.ID_HASH_KEY.encode()
    return hmac.new(key, normalize_id_number(number).encode(), hashlib.sha256).hexdigest()


def person_key(digest: str) -> int:
    """The first 64 bits of an ``id_hash`` as a signed integer (SQLite's and PostgreSQL's
    bigint): the key of the indexes that find a person among millions of rows.

    A hex hash as an index key is ~70 bytes an entry compared as text (by collation on
    PostgreSQL); this is 8 bytes compared as a number, so the sampling round's person index
    is a quarter of the size and each B-tree step cheaper — at a round of 6.2 million swabs on
    SQLite, the raw look-up plus insert in batches of 100,000 went from ~55,000 to ~112,000
    rows/s (docs/SAMPLING.md). Two people may share a key (in a round of 6.2 million, the chance
    that any two do is about one in a million), so a look-up by key always compares ``id_hash``
    as well; the key only narrows."""
    value = int(digest[:16], 16)
    return value - ((value >> 63) << 64)
