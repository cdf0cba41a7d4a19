"""The pass format and the outing rules as pure functions (no database)."""

import datetime as dt

import pytest

from hotline.control import passes, rules

NOW = int(dt.datetime(2022, 11, 7, 9, 0, tzinfo=dt.UTC).timestamp())
RULE = {
    "id": 1,
    "name": "r",
    "area": "440902",
    "starts": NOW - 86400,
    "ends": NOW + 86400,
    "tz": "Asia/Shanghai",
    "persons": 1,
    "outings": 1,
    "max_minutes": 120,
    "test_hours": 24,
    "exemptions": ["medical"],
}


@pytest.fixture(scope="module")
def key():
    private, public = passes.new_key_pair()
    return private, {"k1": passes.load_public(public)}


def card(member=None, kind="H", serial="S1", until=NOW + 3600):
    return passes.PassData(kind, "k1", serial, "440902101001-0001", member, NOW - 3600, until)


def snapshot(neg=NOW - 3600, passages=(), exempt=""):
    return {
        "rule": RULE,
        "revoked": set(),
        "households": {
            "440902101001-0001": {
                "members": {"1": {"neg": neg, "exempt": ""}, "2": {"neg": 0, "exempt": exempt}}
            }
        },
        "passages": {"440902101001-0001": list(passages)},
    }


def test_token_round_trip_is_compact(key):
    private, keys = key
    token = passes.sign(card(), private)
    assert len(token) < 140
    assert passes.verify(token, keys) == card()


@pytest.mark.parametrize(
    "mangle, reason",
    [
        (lambda t: t.replace("0001", "0002", 1), "forged"),
        (lambda t: t.replace("~k1~", "~k9~"), "unknown_key"),
        (lambda t: "hello", "malformed"),
        (lambda t: t[:-10], "malformed"),
        (lambda t: "2" + t[1:], "malformed"),
    ],
)
def test_bad_tokens_are_refused_with_their_reason(key, mangle, reason):
    private, keys = key
    with pytest.raises(passes.Unverified) as exc:
        passes.verify(mangle(passes.sign(card(), private)), keys)
    assert exc.value.code == reason


def test_the_verifier_agrees_with_openssl_on_every_signature(key):
    """Tokens are signed with cryptography (OpenSSL) and verified with libsodium: the two
    must agree on good signatures and on every single flipped bit of a bad one."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private, keys = key
    data, signed, signature = passes.parse(passes.sign(card(), private))
    reference = Ed25519PrivateKey.from_private_bytes(passes.unb64u(private)).public_key()
    for n in range(0, len(signature) * 8, 7):
        bad = bytearray(signature)
        bad[n // 8] ^= 1 << (n % 8)
        with pytest.raises(InvalidSignature):
            reference.verify(bytes(bad), signed)
        token = signed.decode() + passes.SEP + passes.b64u(bytes(bad))
        with pytest.raises(passes.Unverified) as exc:
            passes.verify(token, keys)
        assert exc.value.code == "forged"
    reference.verify(signature, signed)
    assert passes.verify(signed.decode() + passes.SEP + passes.b64u(signature), keys) == data


def test_a_public_key_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError):
        passes.load_public(passes.b64u(b"x" * 31))


def test_first_exit_of_the_day_passes_with_the_member_who_has_a_test():
    verdict = rules.decide(card(), snapshot(), "exit", NOW)
    assert verdict.allowed and verdict.member == 1 and verdict.eligible == (1,)


def test_second_exit_the_same_day_is_refused():
    done = [
        {"dir": "exit", "at": NOW - 7200, "member": 1},
        {"dir": "return", "at": NOW - 3600, "member": 1},
    ]
    assert rules.decide(card(), snapshot(passages=done), "exit", NOW).reason == "quota_used"


def test_yesterdays_exit_does_not_count_today():
    done = [{"dir": "exit", "at": NOW - 86400, "member": 1}]
    assert rules.decide(card(), snapshot(passages=done), "exit", NOW).allowed


def test_test_older_than_the_validity_is_refused():
    assert (
        rules.decide(card(), snapshot(neg=NOW - 25 * 3600), "exit", NOW).reason == "no_valid_test"
    )


def test_member_without_test_is_refused_even_if_another_has_one():
    assert rules.decide(card(), snapshot(), "exit", NOW, member=2).reason == "no_valid_test"


def test_revoked_and_expired_and_unknown_cards():
    snap = snapshot()
    snap["revoked"] = {"S1"}
    assert rules.decide(card(), snap, "exit", NOW).reason == "revoked"
    assert rules.decide(card(until=NOW - 1), snapshot(), "exit", NOW).reason == "expired_pass"
    other = passes.PassData("H", "k1", "S2", "X-1", None, NOW - 1, NOW + 1)
    assert rules.decide(other, snapshot(), "exit", NOW).reason == "unknown_card"


def test_no_rule_in_force():
    snap = snapshot()
    snap["rule"] = None
    assert rules.decide(card(), snap, "exit", NOW).reason == "no_rule"


def test_return_needs_an_open_exit():
    assert rules.decide(card(), snapshot(), "return", NOW).reason == "not_out"
    out = [{"dir": "exit", "at": NOW - 600, "member": 1}]
    verdict = rules.decide(card(), snapshot(passages=out), "return", NOW)
    assert verdict.allowed and verdict.member == 1


def test_an_exempt_member_is_not_bound_by_the_quota():
    snap = snapshot(exempt="medical", passages=[{"dir": "exit", "at": NOW - 600, "member": 1}])
    snap["households"]["440902101001-0001"]["members"]["2"]["neg"] = NOW - 600
    assert rules.decide(card(), snap, "exit", NOW, member=2).allowed
    assert rules.decide(card(), snap, "exit", NOW, member=1).reason == "quota_used"


def test_an_outing_pass_names_its_member():
    verdict = rules.decide(card(member=2, kind="O"), snapshot(), "exit", NOW, member=1)
    assert verdict.reason == "no_valid_test" and verdict.member == 2


def test_day_is_read_on_the_rules_clock():
    # 23:30 UTC on 6 Nov is 07:30 on 7 Nov in Maoming
    at = int(dt.datetime(2022, 11, 6, 23, 30, tzinfo=dt.UTC).timestamp())
    assert rules.local_day(at, "Asia/Shanghai") == "2022-11-07"
