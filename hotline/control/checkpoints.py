"""Checkpoints (卡口): the bundle a checkpoint page caches, the rules applied to a scan, the
sync of registered passages, and vehicle checks at traffic checkpoints. Services as in
services.py (actor first, atomic, ControlError)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from hotline.common.identity import id_hash, is_valid_id_number, normalize_id_number
from hotline.common.masking import mask_id_number

from . import passes, rules
from .choices import (
    REASONS,
    CheckpointKind,
    CodeColour,
    Decision,
    Direction,
    PassKind,
)
from .models import (
    Checkpoint,
    Household,
    Member,
    Pass,
    Passage,
    TestResult,
    VehicleCheck,
)
from .services import (
    FEVER_AT,
    SYNC_MAX,
    ControlError,
    ControlEvent,
    _event,
    _forbidden,
    _invalid,
    _now,
    has_valid_test,
    plausible_time,
    rule_for,
    trusted_keys,
)

# ---------------------------------------------------------------- checkpoints


def checkpoint_bundle(checkpoint: Checkpoint, *, now=None) -> dict:
    """What the checkpoint page caches to decide offline: trusted public keys, revoked serials,
    the rule, the households of its area with each member's latest negative sample time, and
    today's passages. No names or ID numbers beyond their masked forms; no private key."""
    now = _now(now)
    rule = rule_for(checkpoint.division_id, now)
    area = checkpoint.division_id
    households = {}
    in_area = Member.objects.filter(household__village__code__startswith=area)
    members = in_area.values_list(
        "household__card_no", "household_id", "number", "name", "id_hash", "id_masked", "exemption"
    ).order_by("household__card_no", "number")
    # One query for the area's results: the member hashes as a subquery, not 10,000 parameters.
    negatives = {
        r["id_hash"]: r["last"]
        for r in TestResult.objects.filter(
            id_hash__in=in_area.values("id_hash"), negative=True, sampled_at__lte=now
        )
        .values("id_hash")
        .annotate(last=Max("sampled_at"))
    }
    cards = {
        p["household_id"]: p
        for p in Pass.objects.filter(
            household__village__code__startswith=area,
            kind=PassKind.CARD,
            revoked_at__isnull=True,
        ).values("household_id", "serial", "valid_from", "valid_until")
    }
    for card_no, household_id, number, name, hash_, masked, exemption in members:
        h = households.get(card_no)
        if h is None:
            h = households[card_no] = {"members": {}, "serial": "", "from": 0, "until": 0}
            card = cards.get(household_id)
            if card:
                h["serial"] = card["serial"]
                h["from"] = int(card["valid_from"].timestamp())
                h["until"] = int(card["valid_until"].timestamp())
        neg = negatives.get(hash_)
        h["members"][str(number)] = {
            "neg": int(neg.timestamp()) if neg else 0,
            "exempt": exemption,
            "name": name[:1] + "*" * (len(name) - 1),
            "id": masked,
        }
    revoked = list(
        Pass.objects.filter(
            household__village__code__startswith=area,
            revoked_at__isnull=False,
            valid_until__gte=now,
        ).values_list("serial", flat=True)
    )
    return {
        "checkpoint": {"code": checkpoint.code, "name": checkpoint.name, "kind": checkpoint.kind},
        "generated": int(now.timestamp()),
        "keys": trusted_keys(),
        "revoked": revoked,
        "rule": rule.as_bundle() if rule else None,
        "households": households,
        "passages": _passages_today(area, rule, now),
        "reasons": REASONS,
    }


def _passages_today(area: str, rule, now) -> dict:
    since = now - dt.timedelta(hours=36)  # covers "today" on any clock; rules.decide filters
    out: dict[str, list] = {}
    rows = (
        Passage.objects.filter(
            household__village__code__startswith=area, at__gte=since, decision=Decision.ALLOWED
        )
        .order_by("at", "pk")
        .values_list("household__card_no", "direction", "at", "member__number")
    )
    for card_no, direction, at, number in rows:
        out.setdefault(card_no, []).append(
            {"dir": direction, "at": int(at.timestamp()), "member": number}
        )
    return out


def _snapshot_pass(snapshot: dict, token: str) -> passes.PassData:
    """The pass of a scanned token or a typed card number (the card in the snapshot)."""
    token = (token or "").strip()
    if passes.SEP not in token:
        h = snapshot["households"].get(token.upper())
        if h is None or not h["serial"]:
            raise passes.Unverified("unknown_card")
        return passes.PassData("H", "", h["serial"], token.upper(), None, h["from"], h["until"])
    keys = snapshot.get("_loaded_keys")
    if keys is None:  # parsed once per snapshot, not per scan
        keys = {kid: passes.load_public(pub) for kid, pub in snapshot["keys"].items()}
        snapshot["_loaded_keys"] = keys
    return passes.verify(token, keys)


def scan(snapshot: dict, token: str, direction: str, now: int, member=None) -> rules.Verdict:
    """Verify a token against a snapshot and apply the rules (what the page does offline)."""
    try:
        data = _snapshot_pass(snapshot, token)
    except passes.Unverified as exc:
        return rules.Verdict(exc.code)
    return rules.decide(data, snapshot, direction, now, member)


@dataclasses.dataclass(frozen=True)
class PassageIn:
    """One passage as a checkpoint sends it: the checkpoint's own decision and reason (what
    the staff acted on) with its client id."""

    client_id: str
    token: str
    direction: str
    at: dt.datetime
    decision: str
    reason: str
    member: int | None = None
    offline: bool = False


@dataclasses.dataclass
class SyncResult:
    created: int = 0
    duplicates: int = 0
    conflicts: int = 0
    #: The rows written (their values; no primary keys: they are inserted in bulk).
    passages: list = dataclasses.field(default_factory=list)


_DIRECTIONS = frozenset(Direction.values)
_DECISIONS = frozenset(Decision.values)


def _check_item(item: PassageIn) -> None:
    if not item.client_id or len(item.client_id) > 64:
        raise _invalid("客户端编号应为 1～64 个字符。", "bad_client_id")
    if item.direction not in _DIRECTIONS:
        raise _invalid("方向只能是 exit 或 return。", "bad_direction")
    if item.decision not in _DECISIONS or item.reason not in REASONS:
        raise _invalid("结果或原因代码无效。", "bad_decision")
    if timezone.is_naive(item.at):
        raise _invalid("通行时间须带时区。", "naive_time")
    if "\x00" in item.client_id + item.token:
        raise _invalid("通行记录含有非法字符。", "bad_text")


def sync_passages(actor, checkpoint_code: str, items: list[PassageIn], *, now=None) -> SyncResult:
    """Store passages a checkpoint registered (online, or queued offline and sent when back).
    Idempotent by ``client_id``: a passage sent again is counted as a duplicate. Each is kept
    with the checkpoint's decision; the server re-checks it against its own data at that
    time (``server_reason``) and counts the ones that differ as conflicts. An exit's return
    closes it (``returned_at``). The whole batch is checked first: one bad item refuses it."""
    now = _now(now)
    if len(items) > SYNC_MAX:
        raise _invalid(f"一次最多同步 {SYNC_MAX} 条。", "too_many")
    checkpoint = Checkpoint.objects.filter(code=checkpoint_code).first()
    if checkpoint is None:
        raise ControlError(
            f"找不到卡口 {checkpoint_code}。", code="checkpoint_not_found", status=404
        )
    if not checkpoint.can_operate(actor):
        raise _forbidden("您不是此卡口的工作人员。")
    latest = now + dt.timedelta(days=1)
    checked = []
    for item in items:
        _check_item(item)
        checked.append(dataclasses.replace(item, at=plausible_time(item.at, latest)))
    items = checked
    result = SyncResult()
    with transaction.atomic():
        seen = set()
        ids = [i.client_id for i in items]
        for i in range(0, len(ids), 900):
            seen.update(
                Passage.objects.filter(client_id__in=ids[i : i + 900]).values_list(
                    "client_id", flat=True
                )
            )
        fresh = []
        for item in sorted(items, key=lambda i: i.at):
            if item.client_id in seen:
                result.duplicates += 1
                continue
            seen.add(item.client_id)
            fresh.append(item)
        if not fresh:
            return result
        # The server's verdict is for each passage's own time: the snapshot starts at the
        # earliest one, and the rule is looked up again when a passage falls outside it.
        snapshot = checkpoint_bundle(checkpoint, now=fresh[0].at)
        rule = snapshot["rule"]
        cards = {h: None for h in snapshot["households"]}
        household_ids = dict(
            Household.objects.filter(card_no__in=list(cards)).values_list("card_no", "pk")
        )
        member_ids = {
            (card, number): pk
            for card, number, pk in Member.objects.filter(
                household__card_no__in=list(cards)
            ).values_list("household__card_no", "number", "pk")
        }
        rows = []
        for item in fresh:
            epoch = int(item.at.timestamp())
            rule = snapshot["rule"]
            if not rule or not rule["starts"] <= epoch <= rule["ends"]:
                found = rule_for(checkpoint.division_id, item.at)
                snapshot["rule"] = rule = found.as_bundle() if found else None
            tz = rule["tz"] if rule else "Asia/Shanghai"
            verdict = scan(snapshot, item.token, item.direction, epoch, item.member)
            card_no = _card_of(snapshot, item.token)
            member = item.member if item.member is not None else verdict.member
            if item.decision == Decision.ALLOWED and card_no:
                snapshot["passages"].setdefault(card_no, []).append(
                    {"dir": item.direction, "at": epoch, "member": member}
                )
            row = Passage(
                client_id=item.client_id,
                checkpoint=checkpoint,
                household_id=household_ids.get(card_no),
                member_id=member_ids.get((card_no, member)),
                pass_serial=_serial_of(snapshot, item.token),
                direction=item.direction,
                decision=item.decision,
                reason=item.reason,
                server_reason=verdict.reason,
                at=item.at,
                day=dt.date.fromisoformat(rules.local_day(epoch, tz)),
                recorded_at=now,
                recorded_by=actor,
                offline=item.offline,
            )
            if row.conflict:
                result.conflicts += 1
            rows.append(row)
        try:
            _insert_passages(rows)
        except IntegrityError:
            raise ControlError(
                "另一台设备正在同步同一批通行记录，请稍后重试。", code="sync_race", status=409
            ) from None
        _close_exits(rows)
        result.created = len(rows)
        result.passages = rows
        ControlEvent.objects.create(
            code="control.passage.synced",
            actor=actor,
            subject_type="checkpoint",
            subject_id=checkpoint.code,
            payload={
                "created": result.created,
                "duplicates": result.duplicates,
                "conflicts": result.conflicts,
                "offline": sum(1 for r in rows if r.offline),
            },
            at=now,
        )
    return result


def _card_of(snapshot, token: str) -> str:
    token = (token or "").strip()
    if passes.SEP not in token:
        return token.upper() if token.upper() in snapshot["households"] else ""
    try:
        return passes.parse(token)[0].card_no
    except passes.Unverified:
        return ""


def _serial_of(snapshot, token: str) -> str:
    token = (token or "").strip()
    if passes.SEP not in token:
        h = snapshot["households"].get(token.upper())
        return h["serial"] if h else ""
    try:
        return passes.parse(token)[0].serial[:16]
    except passes.Unverified:
        return ""


def _close_exits(rows: list[Passage]) -> None:
    """Set ``returned_at`` on the open exits that the allowed returns of ``rows`` close: the
    latest open exit of the same member (or of the household when the member is unknown)
    before the return. Three statements for any batch size."""
    returns = [
        r
        for r in rows
        if r.direction == Direction.RETURN and r.decision == Decision.ALLOWED and r.household_id
    ]
    if not returns:
        return
    households = sorted({r.household_id for r in returns})
    open_exits: dict[int, list[dict]] = {}
    for i in range(0, len(households), 900):
        for p in (
            Passage.objects.filter(
                household_id__in=households[i : i + 900],
                direction=Direction.EXIT,
                decision=Decision.ALLOWED,
                returned_at__isnull=True,
            )
            .order_by("at", "pk")
            .values("pk", "household_id", "member_id", "at")
        ):
            open_exits.setdefault(p["household_id"], []).append(p)
    closed = []
    for ret in sorted(returns, key=lambda r: r.at):
        candidates = [
            p
            for p in open_exits.get(ret.household_id, ())
            if p["at"] <= ret.at and (not ret.member_id or p["member_id"] in (ret.member_id, None))
        ]
        if candidates:
            chosen = candidates[-1]
            chosen["returned_at"] = ret.at
            open_exits[ret.household_id].remove(chosen)
            closed.append(chosen)
    if closed:
        adapt = connection.ops.adapt_datetimefield_value
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {Passage._meta.db_table} SET returned_at = %s WHERE id = %s",
                [(adapt(p["returned_at"]), p["pk"]) for p in closed],
            )


def register_passage(actor, checkpoint_code: str, item: PassageIn, *, now=None) -> Passage:
    """One passage registered online: the same path as a sync of one."""
    sync_passages(actor, checkpoint_code, [item], now=now)
    return Passage.objects.get(client_id=item.client_id)


_INSERT_FIELDS = (
    "client_id", "checkpoint_id", "household_id", "member_id", "pass_serial", "direction",
    "decision", "reason", "server_reason", "at", "day", "recorded_at", "recorded_by_id",
    "offline", "returned_at", "overdue_reported_at",
)  # fmt: skip


def _insert_passages(rows: list[Passage]) -> None:
    """Insert passages with one ``executemany``. Written by hand because ``bulk_create``
    spends most of a 10,000-passage sync preparing each field of each row in Python
    (docs/PERFORMANCE.md, bench_control); the rows are plain values checked above."""
    ops = connection.ops
    table = Passage._meta.db_table
    sql = (
        f"INSERT INTO {table} ({', '.join(_INSERT_FIELDS)}) "
        f"VALUES ({', '.join(['%s'] * len(_INSERT_FIELDS))})"
    )
    params = [
        (
            r.client_id, r.checkpoint_id, r.household_id, r.member_id, r.pass_serial,
            r.direction, r.decision, r.reason, r.server_reason,
            ops.adapt_datetimefield_value(r.at), ops.adapt_datefield_value(r.day),
            ops.adapt_datetimefield_value(r.recorded_at), r.recorded_by_id, r.offline,
            None, None,
        )
        for r in rows
    ]  # fmt: skip
    with connection.cursor() as cursor:
        for i in range(0, len(params), 1000):
            cursor.executemany(sql, params[i : i + 1000])


# ---------------------------------------------------------------- vehicles


@dataclasses.dataclass(frozen=True)
class PersonIn:
    """A person in a vehicle: driver or passenger, the ID number (checked against the test
    registry, then kept only hashed), the health-code colour shown on their phone, whether a
    pass was shown, the temperature taken."""

    role: str  # "driver" | "passenger"
    id_number: str
    code: str
    has_pass: bool
    temperature: float


def record_vehicle_check(
    actor, checkpoint_code: str, *, client_id: str, plate: str, people: list[PersonIn], now=None
) -> tuple[VehicleCheck, bool]:
    """Register a vehicle at a traffic checkpoint and decide: everyone needs a green code, a
    negative test within 24 h (the rule's validity where one applies), a pass, and a
    temperature below 37.3 °C. Idempotent by ``client_id``. Returns (check, created)."""
    now = _now(now)
    checkpoint = Checkpoint.objects.filter(code=checkpoint_code).first()
    if checkpoint is None or checkpoint.kind != CheckpointKind.TRAFFIC:
        raise ControlError("找不到此交通卡口。", code="checkpoint_not_found", status=404)
    if not checkpoint.can_operate(actor):
        raise _forbidden("您不是此卡口的工作人员。")
    plate = "".join((plate or "").split()).upper()
    if not 7 <= len(plate) <= 8:
        raise _invalid("车牌号应为 7～8 位，如 粤K12345。", "bad_plate")
    if not people or sum(1 for p in people if p.role == "driver") != 1:
        raise _invalid("须登记一名驾驶员，可加乘客。", "driver_required")
    existing = VehicleCheck.objects.filter(client_id=client_id).first()
    if existing:
        return existing, False
    rule = rule_for(checkpoint.division_id, now)
    hours = rule.test_validity_hours if rule else 24
    rows, reasons = [], []
    for n, p in enumerate(people, 1):
        if not is_valid_id_number(p.id_number):
            raise _invalid(f"第 {n} 人的身份证号无效。", "bad_id_number")
        if p.code not in CodeColour.values:
            raise _invalid(f"第 {n} 人的健康码颜色无效。", "bad_code")
        if not 34.0 <= float(p.temperature) <= 43.0:
            raise _invalid(f"第 {n} 人的体温 {p.temperature} 不合理，请复测。", "bad_temperature")
        h = id_hash(p.id_number)
        test = has_valid_test(h, hours=hours, now=now)
        who = "驾驶员" if p.role == "driver" else f"乘客{n - 1}"
        if p.code != CodeColour.GREEN:
            reasons.append(f"{who}健康码非绿码")
        if not test:
            reasons.append(f"{who}无 {hours} 小时内核酸阴性证明")
        if not p.has_pass:
            reasons.append(f"{who}未出示通行证")
        if float(p.temperature) >= FEVER_AT:
            reasons.append(f"{who}体温 {p.temperature}℃ 偏高")
        rows.append(
            {
                "role": p.role,
                "id_masked": mask_id_number(normalize_id_number(p.id_number)),
                "id_hash": h,
                "code": p.code,
                "test": test,
                "pass": p.has_pass,
                "temperature": round(float(p.temperature), 1),
            }
        )
    with transaction.atomic():
        check = VehicleCheck.objects.create(
            client_id=client_id[:64],
            checkpoint=checkpoint,
            plate=plate,
            people=rows,
            decision=Decision.REFUSED if reasons else Decision.ALLOWED,
            reasons=reasons,
            at=now,
            recorded_by=actor,
        )
        _event(
            "control.vehicle.checked",
            actor,
            check,
            {"plate": plate, "decision": check.decision, "people": len(rows)},
            now,
        )
    return check, True
