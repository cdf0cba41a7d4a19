"""Every write of the control app. Each service takes the acting user first, runs in one
transaction, locks what it changes, writes a ``ControlEvent`` and raises ``ControlError``
(a DomainError with a Chinese message and a stable code) when it refuses.

The public seam other apps call: ``record_test_results(actor, [TestResultIn, …])`` (the
sampling app's lab-result imports, the CSV import here).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import secrets
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from hotline.accounts.roles import Role, roles_of
from hotline.common.api_errors import DomainError
from hotline.common.identity import id_hash, is_valid_id_number, normalize_id_number
from hotline.common.masking import mask_id_number
from hotline.geo.models import Division
from hotline.orders.services import Source  # noqa: F401  (callers write services.Source)

from . import passes
from .choices import (
    Exemption,
    PassKind,
)
from .models import (
    ControlEvent,
    Household,
    Member,
    OutingRule,
    Pass,
    SigningKey,
    TestResult,
    covers,
)

APPEAL_KIND = "control.health_code_appeal"
OVERDUE_KIND = "control.overdue_return"
#: Card validity when no rule covers the village (the card is re-issued with the next notice).
DEFAULT_CARD_DAYS = 7
#: Fever threshold at a traffic checkpoint (°C), the figure the 2022 guidance used.
FEVER_AT = 37.3
SYNC_MAX = 20_000


class ControlError(DomainError):
    """A control action refused (409 state, 403 permission, 404 unknown, 422 bad input)."""

    status = 409
    code = "control_error"


def _invalid(message: str, code: str) -> ControlError:
    return ControlError(message, code=code, status=422)


def _forbidden(message: str = "您没有权限处理此区域的出行管控事务。") -> ControlError:
    return ControlError(message, code="forbidden", status=403)


def _now(now=None) -> dt.datetime:
    return now or timezone.now()


def _event(code, actor, subject, payload, now, *, subject_type=None) -> ControlEvent:
    return ControlEvent.objects.create(
        code=code,
        actor=actor if getattr(actor, "pk", None) else None,
        subject_type=subject_type or subject._meta.model_name,
        subject_id=str(subject.pk),
        payload=payload,
        at=now,
    )


_HEX = re.compile(r"[0-9a-f]{64}")
#: Nothing in this registry happened before the first notices of 2020.
EARLIEST = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def plausible_time(value: dt.datetime, latest: dt.datetime) -> dt.datetime:
    """``value`` in UTC when it lies between 2020 and ``latest``; a ControlError otherwise
    (a typo'd year, an offset no clock uses)."""
    try:
        utc = value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        utc = None
    if utc is None or not EARLIEST <= utc <= latest:
        raise _invalid("时间不合理，请核对年份和时区。", "bad_time")
    return utc


def _require_cover(actor, division_code: str) -> None:
    if not covers(actor, division_code):
        raise _forbidden()


# ---------------------------------------------------------------- rules


def rule_for(division_code: str, at: dt.datetime) -> OutingRule | None:
    """The active rule of the most specific area containing ``division_code`` at ``at``."""
    prefixes = [division_code[:n] for n in (12, 9, 6, 4, 2) if len(division_code) >= n]
    found = list(
        OutingRule.objects.filter(
            active=True, area_id__in=prefixes, starts_at__lte=at, ends_at__gte=at
        )
    )
    found.sort(key=lambda r: (len(r.area_id), r.starts_at), reverse=True)
    return found[0] if found else None


def set_outing_rule(actor, *, area_code: str, name: str, starts_at, ends_at, **limits):
    """Create an outing rule for an area and period (admins and supervisors, or the area's
    own unit). ``limits``: persons_per_day, outings_per_day, max_minutes, test_validity_hours,
    exemptions, time_zone."""
    now = _now()
    _require_cover(actor, area_code)
    if not Division.objects.filter(code=area_code).exists():
        raise _invalid(f"区划代码 {area_code} 不存在。", "unknown_division")
    rule = OutingRule(area_id=area_code, name=name, starts_at=starts_at, ends_at=ends_at, **limits)
    from django.core.exceptions import ValidationError

    try:
        rule.full_clean()
    except ValidationError as exc:
        message = "；".join(m for ms in exc.message_dict.values() for m in ms)
        raise _invalid(message, "bad_rule") from None
    with transaction.atomic():
        rule.save()
        _event("control.rule.set", actor, rule, rule.as_bundle(), now)
    return rule


# ---------------------------------------------------------------- households


@dataclasses.dataclass(frozen=True)
class MemberIn:
    name: str
    id_number: str
    exemption: str = ""


def _check_members(members: list[MemberIn]) -> list[MemberIn]:
    if not members:
        raise _invalid("每户至少登记一名成员。", "no_members")
    seen = set()
    for m in members:
        if not (m.name or "").strip():
            raise _invalid("成员姓名不能为空。", "name_required")
        if not is_valid_id_number(m.id_number):
            raise _invalid(
                f"身份证号 {mask_id_number(m.id_number)} 无效，请核对。", "bad_id_number"
            )
        if m.exemption not in Exemption.values:
            raise _invalid(f"豁免类别 {m.exemption} 无效。", "bad_exemption")
        n = normalize_id_number(m.id_number)
        if n in seen:
            raise _invalid(f"身份证号 {mask_id_number(n)} 在本户重复。", "duplicate_member")
        seen.add(n)
    return members


def _next_card_no(village_code: str) -> str:
    last = (
        Household.objects.filter(card_no__startswith=f"{village_code}-")
        .aggregate(m=Max("card_no"))
        .get("m")
    )
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{village_code}-{n:04d}"


def register_household(
    actor,
    *,
    village_code: str,
    address: str,
    phone: str = "",
    members: list[MemberIn],
    import_ref: str = "",
    now=None,
) -> tuple[Household, bool]:
    """Register a household of a village (or update the one with the same ``import_ref``):
    its members' ID numbers are kept only as keyed hash and masked form. Returns (household,
    created). The actor must cover the village."""
    now = _now(now)
    village = Division.objects.filter(code=village_code, level="village").first()
    if village is None:
        raise _invalid(f"村居代码 {village_code} 不存在，请填 12 位村居代码。", "unknown_village")
    _require_cover(actor, village_code)
    if not (address or "").strip():
        raise _invalid("住址不能为空。", "address_required")
    members = _check_members(list(members))
    with transaction.atomic():
        household = None
        if import_ref:
            household = (
                Household.objects.select_for_update()
                .filter(village_id=village_code, import_ref=import_ref)
                .first()
            )
        created = household is None
        if created:
            household = Household.objects.create(
                card_no=_next_card_no(village_code),
                village=village,
                address=address.strip(),
                phone=(phone or "").strip(),
                import_ref=import_ref,
                created_at=now,
            )
        else:
            household.address, household.phone = address.strip(), (phone or "").strip()
            household.save(update_fields=["address", "phone"])
        existing = {m.id_hash: m for m in household.members.all()}
        number = max((m.number for m in existing.values()), default=0)
        for m in members:
            h = id_hash(m.id_number)
            if h in existing:
                row = existing[h]
                row.name, row.exemption = m.name.strip(), m.exemption
                row.save(update_fields=["name", "exemption"])
                continue
            number += 1
            Member.objects.create(
                household=household,
                number=number,
                name=m.name.strip(),
                id_hash=h,
                id_masked=mask_id_number(normalize_id_number(m.id_number)),
                exemption=m.exemption,
            )
        _event(
            "control.household.registered" if created else "control.household.updated",
            actor,
            household,
            {"card_no": household.card_no, "members": len(members)},
            now,
        )
    return household, created


@dataclasses.dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = dataclasses.field(default_factory=list)


#: Column headers of the household workbook (one row per member; rows with the same 户编号
#: belong to one household).
HOUSEHOLD_COLUMNS = ("户编号", "村居代码", "住址", "联系电话", "姓名", "身份证号", "豁免")
_EXEMPTION_WORDS = {"": "", "无": "", "就医": "medical", "经批准": "approved"}


def import_households(actor, rows: Iterable[dict], *, progress: Callable | None = None):
    """Register households from workbook rows (dicts keyed by HOUSEHOLD_COLUMNS, with the
    sheet's row number under ``"_row"``). Each household is written on its own; a bad row
    is reported with its row number and the rest go on."""
    report = ImportReport()
    groups: dict[str, list[dict]] = {}
    for row in rows:
        ref = str(row.get("户编号") or "").strip()
        if not ref:
            report.errors.append((row.get("_row", 0), "缺少户编号"))
            continue
        groups.setdefault(ref, []).append(row)
    for ref, group in groups.items():
        first = group[0]
        try:
            members = []
            for row in group:
                word = str(row.get("豁免") or "").strip()
                if word not in _EXEMPTION_WORDS:
                    raise _invalid(f"豁免只能填 就医 或 经批准（收到 {word}）", "bad_exemption")
                members.append(
                    MemberIn(
                        str(row.get("姓名") or ""),
                        str(row.get("身份证号") or ""),
                        _EXEMPTION_WORDS[word],
                    )
                )
            _, created = register_household(
                actor,
                village_code=str(first.get("村居代码") or "").strip(),
                address=str(first.get("住址") or ""),
                phone=str(first.get("联系电话") or ""),
                members=members,
                import_ref=ref,
            )
        except ControlError as exc:
            rows_no = "、".join(str(r.get("_row", "?")) for r in group)
            report.errors.append((group[0].get("_row", 0), f"第 {rows_no} 行（户 {ref}）：{exc}"))
        else:
            if created:
                report.created += 1
            else:
                report.updated += 1
        if progress:
            progress(1)
    return report


# ---------------------------------------------------------------- keys and passes


def current_key(now=None) -> SigningKey:
    """The key that signs now: the newest one not retired (made on first use)."""
    key = SigningKey.objects.filter(retired_at__isnull=True).order_by("-created_at", "-pk").first()
    return key or rotate_key(None, now=now)


def rotate_key(actor, *, now=None) -> SigningKey:
    """Make a new signing key; it signs from now on. Older keys keep verifying the passes
    they signed until retired with ``retire_key``."""
    now = _now(now)
    private, public = passes.new_key_pair()
    with transaction.atomic():
        key = SigningKey.objects.create(
            kid=secrets.token_hex(3)[:5],
            public_key=public,
            private_key=private,
            created_at=now,
        )
        _event("control.key.created", actor, key, {"kid": key.kid}, now)
    return key


def retire_key(actor, kid: str, *, now=None) -> SigningKey:
    """Stop trusting a key: passes it signed become invalid at every checkpoint once their
    cache is refreshed (re-issue them). Admins only."""
    now = _now(now)
    if Role.ADMIN not in roles_of(actor):
        raise _forbidden("只有系统管理员可以停用签名密钥。")
    with transaction.atomic():
        key = SigningKey.objects.select_for_update().filter(kid=kid).first()
        if key is None:
            raise ControlError(f"找不到密钥 {kid}。", code="key_not_found", status=404)
        if key.retired_at is None:
            key.retired_at = now
            key.save(update_fields=["retired_at"])
            _event("control.key.retired", actor, key, {"kid": kid}, now)
    return key


def trusted_keys() -> dict[str, str]:
    """{kid: public key (base64url)} of every key not retired: what checkpoints cache."""
    return dict(SigningKey.objects.filter(retired_at__isnull=True).values_list("kid", "public_key"))


def _serial() -> str:
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone
    return "".join(secrets.choice(alphabet) for _ in range(8))


def _issue(actor, household, kind, member, valid_from, valid_until, now) -> Pass:
    key = current_key(now)
    for _ in range(5):
        serial = _serial()
        if not Pass.objects.filter(serial=serial).exists():
            break
    data = passes.PassData(
        kind,
        key.kid,
        serial,
        household.card_no,
        member.number if member else None,
        int(valid_from.timestamp()),
        int(valid_until.timestamp()),
    )
    issued = Pass.objects.create(
        serial=serial,
        kind=kind,
        household=household,
        member=member,
        key=key,
        valid_from=valid_from,
        valid_until=valid_until,
        token=passes.sign(data, key.private_key),
        issued_at=now,
        issued_by=actor,
    )
    _event(
        "control.pass.issued",
        actor,
        issued,
        {"serial": serial, "kind": kind, "card_no": household.card_no, "kid": key.kid},
        now,
    )
    return issued


def issue_card(actor, household_id: int, *, now=None) -> Pass:
    """Issue (or re-issue) a household's outing card, valid until the end of the rule period
    covering its village (else DEFAULT_CARD_DAYS). A re-issue voids the previous card."""
    now = _now(now)
    with transaction.atomic():
        household = Household.objects.select_for_update().filter(pk=household_id).first()
        if household is None:
            raise ControlError("找不到该家庭户。", code="household_not_found", status=404)
        _require_cover(actor, household.village_id)
        rule = rule_for(household.village_id, now)
        until = rule.ends_at if rule else now + dt.timedelta(days=DEFAULT_CARD_DAYS)
        for old in Pass.objects.select_for_update().filter(
            household=household, kind=PassKind.CARD, revoked_at__isnull=True
        ):
            _revoke(actor, old, "换发新卡", now)
        return _issue(actor, household, PassKind.CARD, None, now, until, now)


def issue_outing_pass(actor, member_id: int, *, hours: int = 12, now=None) -> Pass:
    """A one-off pass for one member (e.g. a hospital visit), valid ``hours`` from now."""
    now = _now(now)
    if not 1 <= hours <= 72:
        raise _invalid("单次通行证有效期应为 1～72 小时。", "bad_hours")
    with transaction.atomic():
        member = Member.objects.select_related("household").filter(pk=member_id).first()
        if member is None:
            raise ControlError("找不到该成员。", code="member_not_found", status=404)
        _require_cover(actor, member.household.village_id)
        household = Household.objects.select_for_update().get(pk=member.household_id)
        return _issue(
            actor, household, PassKind.OUTING, member, now, now + dt.timedelta(hours=hours), now
        )


def _revoke(actor, issued: Pass, reason: str, now) -> None:
    issued.revoked_at, issued.revoked_reason = now, reason[:200]
    issued.save(update_fields=["revoked_at", "revoked_reason"])
    _event("control.pass.revoked", actor, issued, {"serial": issued.serial, "reason": reason}, now)


def revoke_pass(actor, serial: str, reason: str, *, now=None) -> Pass:
    """Void a pass (lost card, moved away); checkpoints refuse it once they refresh."""
    now = _now(now)
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("请填写作废原因。", "reason_required")
    with transaction.atomic():
        issued = Pass.objects.select_for_update().filter(serial=serial).first()
        if issued is None:
            raise ControlError(f"找不到凭证 {serial}。", code="pass_not_found", status=404)
        _require_cover(actor, issued.household.village_id)
        if issued.revoked_at is None:
            _revoke(actor, issued, reason, now)
    return issued


# ---------------------------------------------------------------- test results


@dataclasses.dataclass(frozen=True)
class TestResultIn:
    """One test result as the sampling app (or a CSV) hands it over."""

    __test__ = False  # not a pytest class, whatever its name

    id_hash: str
    negative: bool
    sampled_at: dt.datetime
    source: str
    reference: str


def record_test_results(actor, results: Iterable[TestResultIn]) -> int:
    """Add test results to the registry; idempotent by (id_hash, sampled_at, source): a result
    sent again is ignored. Returns how many were new. ``actor`` is recorded on the event."""
    now = _now()
    wanted: dict[tuple, TestResultIn] = {}
    latest = now + dt.timedelta(days=1)
    for r in results:
        if len(r.id_hash) != 64 or timezone.is_naive(r.sampled_at) or not r.source:
            raise _invalid("检测结果须有 64 位身份证号哈希、带时区的采样时间和来源。", "bad_result")
        sampled = plausible_time(r.sampled_at, latest)
        if "\x00" in r.source + r.reference or not _HEX.fullmatch(r.id_hash):
            raise _invalid("检测结果含有非法字符。", "bad_result")
        r = dataclasses.replace(r, sampled_at=sampled)
        wanted.setdefault((r.id_hash, r.sampled_at, r.source[:40]), r)
    if not wanted:
        return 0
    hashes = {k[0] for k in wanted}
    with transaction.atomic():
        existing = set()
        hash_list = list(hashes)
        for i in range(0, len(hash_list), 500):
            existing.update(
                TestResult.objects.filter(id_hash__in=hash_list[i : i + 500]).values_list(
                    "id_hash", "sampled_at", "source"
                )
            )
        new = [
            TestResult(
                id_hash=r.id_hash,
                negative=r.negative,
                sampled_at=r.sampled_at,
                source=r.source[:40],
                reference=r.reference[:64],
                recorded_at=now,
            )
            for key, r in wanted.items()
            if key not in existing
        ]
        # ignore_conflicts: a concurrent import of the same results must not fail this one.
        TestResult.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        if new:
            ControlEvent.objects.create(
                code="control.results.recorded",
                actor=actor if getattr(actor, "pk", None) else None,
                subject_type="testresult",
                subject_id=new[0].source,
                payload={"new": len(new), "sent": len(wanted)},
                at=now,
            )
    return len(new)


def latest_negatives(id_hashes: Iterable[str]) -> dict[str, dt.datetime]:
    """{id_hash: time of the latest negative sample} for the hashes that have one."""
    rows = (
        TestResult.objects.filter(id_hash__in=list(id_hashes), negative=True)
        .values("id_hash")
        .annotate(last=Max("sampled_at"))
    )
    return {r["id_hash"]: r["last"] for r in rows}


def has_valid_test(hash_: str, *, hours: int = 24, now=None) -> bool:
    """A negative sample within ``hours`` before ``now``: the only thing a check learns."""
    now = _now(now)
    return TestResult.objects.filter(
        id_hash=hash_,
        negative=True,
        sampled_at__gte=now - dt.timedelta(hours=hours),
        sampled_at__lte=now,
    ).exists()


# The checkpoint and appeal services live in their own modules (services.py would pass 1,000
# lines); they are re-exported here so that every caller writes ``services.<verb>``.
from .appeals import (  # noqa: E402, F401
    can_decide,
    decide_health_code_appeal,
    file_health_code_appeal,
    report_overdue_returns,
)
from .checkpoints import (  # noqa: E402, F401
    PassageIn,
    PersonIn,
    SyncResult,
    checkpoint_bundle,
    record_vehicle_check,
    register_passage,
    scan,
    sync_passages,
)
