"""The outing rules applied to one scan, as a pure function over a snapshot.

The same snapshot is what the checkpoint page caches (services.checkpoint_bundle) and what the
server builds from the database when a passage is registered or synced, so the page's verdict
offline and the server's verdict later come from the same data and the same steps. The page's
JavaScript (static/control/checkpoint.js, ``decide``) mirrors ``decide`` line by line; change
both together (tests/test_rules.py pins the cases, the browser test walks them on the page).

Snapshot::

    {"rule": OutingRule.as_bundle() or None,
     "revoked": {serial, …},
     "households": {card_no: {"members": {number: {"neg": epoch of the latest negative sample
                                                    or 0, "exempt": "" | "medical" | …}}}},
     "passages": {card_no: [{"dir": "exit"|"return", "at": epoch, "member": number|None}, …]}}
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo

from .passes import PassData


@dataclasses.dataclass(frozen=True)
class Verdict:
    reason: str  # a key of choices.REASONS; "ok" lets the person pass
    member: int | None = None  # the member the passage is for
    eligible: tuple[int, ...] = ()  # members with a valid test

    @property
    def allowed(self) -> bool:
        return self.reason == "ok"


def local_day(epoch: int, tz_name: str) -> str:
    """The date (YYYY-MM-DD) of an instant on the rule's clock."""
    return dt.datetime.fromtimestamp(epoch, zoneinfo.ZoneInfo(tz_name)).date().isoformat()


def decide(
    data: PassData, snapshot: dict, direction: str, now: int, member: int | None = None
) -> Verdict:
    """The verdict for a verified pass at ``now`` (epoch seconds)."""
    if data.serial in snapshot["revoked"]:
        return Verdict("revoked")
    if not data.valid_from <= now <= data.valid_until:
        return Verdict("expired_pass")
    household = snapshot["households"].get(data.card_no)
    if household is None:
        return Verdict("unknown_card")
    rule = snapshot.get("rule")
    if not rule or not rule["starts"] <= now <= rule["ends"]:
        return Verdict("no_rule")
    if data.member is not None:
        member = data.member
    today = local_day(now, rule["tz"])
    passages = [
        p
        for p in snapshot["passages"].get(data.card_no, ())
        if local_day(p["at"], rule["tz"]) == today
    ]
    passages.sort(key=lambda p: p["at"])
    out: dict = {}  # member → still out (exit without a later return)
    for p in passages:
        out[p["member"]] = p["dir"] == "exit"
    if direction == "return":
        open_members = [m for m, is_out in out.items() if is_out]
        if not open_members:
            return Verdict("not_out", member)
        chosen = member if member in open_members else open_members[0]
        return Verdict("ok", chosen)
    limit = rule["test_hours"] * 3600
    members = household["members"]
    eligible = tuple(
        sorted(
            int(n) for n, m in members.items() if m["neg"] and m["neg"] <= now <= m["neg"] + limit
        )
    )
    if member is not None and int(member) not in eligible:
        return Verdict("no_valid_test", member, eligible)
    if not eligible:
        return Verdict("no_valid_test", member, eligible)
    chosen = int(member) if member is not None else eligible[0]
    exempt = members.get(str(chosen), members.get(chosen, {})).get("exempt", "")
    if exempt and exempt in rule["exemptions"]:
        return Verdict("ok", chosen, eligible)
    exits = sum(1 for p in passages if p["dir"] == "exit")
    if exits >= rule["outings"]:
        return Verdict("quota_used", chosen, eligible)
    if sum(1 for is_out in out.values() if is_out) >= rule["persons"]:
        return Verdict("already_out", chosen, eligible)
    return Verdict("ok", chosen, eligible)
