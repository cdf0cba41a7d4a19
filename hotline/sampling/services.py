"""Every write of the sampling app. Services take the acting user first, run in one
transaction, lock what they change, write a ``SamplingEvent`` and raise ``SamplingError``.

The two batch doors — ``import_samples`` (registrations from collection devices) and
``import_results`` (a lab's file) — never fail as a whole for a bad row: each refused row is
reported with its number, a stable code and a Chinese message, and the good rows are kept.

A positive (or invalid) pooled tube starts a ``Recall`` for each of its people and a work order
of the kind ``sampling.recall`` for each, through the seam (``orders.services.receive_batch``
with ``Source("sampling", "recall", id)``); the person's single-tube result closes it
(``orders.services.source_done``). Per-person results of every imported tube are handed to
``publish_person_results``, which records them in the control app's test-result registry.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from hotline.accounts.roles import Role, has_role
from hotline.common.identity import (
    id_hash,
    is_valid_id_number,
    normalize_id_number,
    person_key,
)
from hotline.common.masking import mask_id_number
from hotline.geo.models import Division
from hotline.orders import services as orders

from . import tallies
from .choices import (
    POOL_SIZES,
    RECALL_KIND,
    RESULT_WORDS,
    HomeReason,
    Mode,
    RecallReason,
    RecallStatus,
    Result,
    RiskLevel,
    RoundStatus,
    TubeStatus,
)
from .errors import SamplingError, forbidden, invalid
from .models import (
    MANAGER_ROLES,
    Grid,
    LabImport,
    Recall,
    Resident,
    Round,
    Sample,
    SamplingEvent,
    Site,
    Tube,
)

#: Most rows one call of the batch services takes (the API's limit too).
MAX_BATCH = 100_000
#: Rows per multi-row INSERT (8 columns → 4,000 parameters, well under SQLite's 32,766).
INSERT_CHUNK = 500
#: Values per ``IN (…)`` lookup.
LOOKUP_CHUNK = 900
_MODES = frozenset({"site", "door"})
#: How far ahead of the server's clock a registration's time may be (a device's clock a little
#: fast); later times are refused (``future_time``): counted, they would fill hours to come.
CLOCK_AHEAD = dt.timedelta(minutes=10)
#: A round may last at most this long (the seed: a district within 24 hours; towns longer).
MAX_ROUND = dt.timedelta(days=7)


class IdReader:
    """Validate and hash many identity numbers fast: the same rules and the same keyed hash as
    ``hotline.common.identity`` (a test checks they agree), but the HMAC key schedule is done
    once (and the OpenSSL object copied directly when there is one), and the check digit is
    one ``int()`` instead of one per digit (``valid``). Written by hand because at 50,000
    registrations a second the per-row budget is 20 µs and the general functions spend most of
    it normalising the same text three times and re-keying HMAC."""

    _CHECK = "10X98765432"

    def __init__(self):
        keyed = hmac.new(settings.ID_HASH_KEY.encode(), digestmod=hashlib.sha256)
        # hmac.HMAC wraps OpenSSL's HMAC object as ``_hmac`` when it has one; copying that one
        # directly skips a Python-level wrapper per row. Same key, same bytes, same digest.
        self.copy = getattr(keyed, "_hmac", keyed).copy

    def valid(self, n: str) -> bool:
        """``n`` already normalised (no spaces, upper case). Non-ASCII digits are refused.

        The check digit of GB 11643 weighs the i-th of the first 17 digits by 2^(18-i) mod 11,
        so their sum is 2 × Σ dᵢ·2^(17-i); read in base 13 (13 ≡ 2 mod 11) the 17 digits are
        Σ dᵢ·13^(17-i) ≡ Σ dᵢ·2^(17-i) (mod 11): one ``int(…, 13)`` instead of a look-up per
        digit. Only for ASCII digits (``int`` would also take a sign, "_" and a-c)."""
        if len(n) != 18 or not n.isascii() or not n[:17].isdigit():
            return False
        if not ("01" <= n[10:12] <= "12" and "01" <= n[12:14] <= "31"):
            return False
        return self._CHECK[2 * int(n[:17], 13) % 11] == n[17]

    def hash(self, n: str) -> str:
        h = self.copy()
        h.update(n.encode())
        return h.hexdigest()


def _now(now):
    return now or timezone.now()


def _event(code: str, actor, now, round_=None, obj=None, **payload) -> SamplingEvent:
    return SamplingEvent.objects.create(
        code=code,
        actor=actor if getattr(actor, "pk", None) else None,
        round=round_,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        payload=payload,
        at=now,
    )


def pool_sizes() -> dict:
    """The configured pool size per risk level (settings.SAMPLING_POOL_SIZES over defaults)."""
    configured = getattr(settings, "SAMPLING_POOL_SIZES", None) or {}
    sizes = {str(k): int(v) for k, v in POOL_SIZES.items()}
    sizes.update({str(k): int(v) for k, v in configured.items()})
    return sizes


def _require_manager(actor, round_: Round | None = None, county_code: str = "") -> None:
    if round_ is not None and round_.can_manage(actor):
        return
    if round_ is None and has_role(actor, *MANAGER_ROLES):
        return
    if round_ is None and has_role(actor, Role.UNIT_HANDLER):
        profile = getattr(actor, "hotline_profile", None)
        unit = getattr(getattr(profile, "unit", None), "code", "")
        if county_code and unit in (f"{county_code}-epi", f"{county_code}-gov"):
            return
    raise forbidden("只有值班长、管理员或本区疫情防控办可以组织采样轮次。")


def _require_open(round_: Round) -> None:
    if round_.status != RoundStatus.OPEN:
        raise SamplingError("这一轮采样已经结束。", code="round_closed")


# ---------------------------------------------------------------------------------------------
# Rounds, grids, sites


def create_round(
    actor,
    *,
    name: str,
    area_code: str,
    starts_at: dt.datetime,
    deadline: dt.datetime,
    risk: dict[str, str] | None = None,
    now=None,
) -> Round:
    """Open a round over a district or town: one grid per village of the area, low risk
    unless ``risk`` ({village code: level}) says otherwise; the pool sizes are copied from the
    configuration."""
    now = _now(now)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise invalid("请填写轮次名称（不超过 100 字）。", "name_required")
    area = Division.objects.filter(code=area_code).first()
    if area is None or area.level not in ("county", "town"):
        raise invalid("采样范围须为区县或镇街。", "bad_area")
    _require_manager(actor, county_code=area.code[:6])
    if deadline <= starts_at:
        raise invalid("完成时限须晚于开始时间。", "bad_deadline")
    if deadline - starts_at > MAX_ROUND:
        raise invalid("一轮采样最长 7 天。", "bad_deadline")
    risk = risk or {}
    for level in risk.values():
        if level not in RiskLevel.values:
            raise invalid(f"未知风险等级：{level}。", "bad_risk")
    villages = list(
        Division.objects.filter(level="village", code__startswith=area.code).values_list(
            "code", flat=True
        )
    )
    if not villages:
        raise invalid("该范围下没有村居数据，请先导入区划。", "no_villages")
    with transaction.atomic():
        round_ = Round.objects.create(
            name=name,
            area=area,
            starts_at=starts_at,
            deadline=deadline,
            pool_sizes=pool_sizes(),
            created_by=actor,
            created_at=now,
        )
        grids = Grid.objects.bulk_create(
            [
                Grid(round=round_, village_id=code, risk_level=risk.get(code, RiskLevel.LOW))
                for code in villages
            ]
        )
        tallies.create_for(grids)
        _event(
            "sampling.round.created",
            actor,
            now,
            round_,
            round_,
            area=area.code,
            grids=len(villages),
            pool_sizes=round_.pool_sizes,
        )
    return round_


def set_risk(actor, round_: Round, village_codes: Sequence[str], level: str, *, now=None) -> int:
    """Set the risk level of some grids; tubes already opened keep their pool size."""
    now = _now(now)
    _require_manager(actor, round_)
    if level not in RiskLevel.values:
        raise invalid(f"未知风险等级：{level}。", "bad_risk")
    with transaction.atomic():
        changed = (
            Grid.objects.select_for_update()
            .filter(round=round_, village_id__in=list(village_codes))
            .exclude(risk_level=level)
            .update(risk_level=level)
        )
        _event(
            "sampling.grid.risk_set",
            actor,
            now,
            round_,
            None,
            villages=list(village_codes),
            level=level,
            changed=changed,
        )
    return changed


def close_round(actor, round_: Round, *, now=None) -> Round:
    """End the round: no more registrations (results may still be imported)."""
    now = _now(now)
    with transaction.atomic():
        round_ = Round.objects.select_for_update().get(pk=round_.pk)
        _require_manager(actor, round_)
        _require_open(round_)
        round_.status = RoundStatus.CLOSED
        round_.save(update_fields=["status"])
        _event("sampling.round.closed", actor, now, round_, round_)
    return round_


def _field_staff(users) -> list:
    users = list(users)
    for user in users:
        if not has_role(user, Role.FIELD_STAFF):
            raise invalid(
                f"{user.get_username()} 不是现场工作人员，不能分配到采样点。", "not_staff"
            )
    return users


def add_site(
    actor,
    round_: Round,
    *,
    village_code: str,
    name: str,
    opens_at: dt.time,
    closes_at: dt.time,
    address: str = "",
    staff: Iterable = (),
    now=None,
) -> Site:
    """Open a sampling site in a grid of the round, with its opening hours and team (Django
    users with the field_staff role until the workforce app provides teams)."""
    now = _now(now)
    _require_manager(actor, round_)
    _require_open(round_)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise invalid("请填写采样点名称（不超过 100 字）。", "name_required")
    if closes_at <= opens_at:
        raise invalid("结束时间须晚于开放时间。", "bad_hours")
    grid = Grid.objects.filter(round=round_, village_id=village_code).first()
    if grid is None:
        raise invalid("该村居不在本轮采样范围内。", "unknown_grid")
    staff = _field_staff(staff)
    with transaction.atomic():
        site = Site.objects.create(
            round=round_,
            grid=grid,
            name=name,
            address=(address or "").strip()[:200],
            opens_at=opens_at,
            closes_at=closes_at,
        )
        site.staff.set(staff)
        _event(
            "sampling.site.added",
            actor,
            now,
            round_,
            site,
            village=village_code,
            staff=[u.pk for u in staff],
        )
    return site


def assign_staff(actor, site: Site, users: Iterable, *, now=None) -> Site:
    """Replace the team of a site (field_staff users)."""
    now = _now(now)
    _require_manager(actor, site.round)
    users = _field_staff(users)
    with transaction.atomic():
        site = Site.objects.select_for_update().get(pk=site.pk)
        site.staff.set(users)
        _event("sampling.site.staffed", actor, now, site.round, site, staff=[u.pk for u in users])
    return site


# ---------------------------------------------------------------------------------------------
# The roster


@dataclass
class ImportReport:
    """What a batch did: rows read, rows kept, and each refused row."""

    rows: int = 0
    created: int = 0
    errors: list[dict] = field(default_factory=list)
    tubes_closed: int = 0

    def refuse(self, index: int, code: str, message: str) -> None:
        self.errors.append({"row": index + 1, "code": code, "message": message})


def new_resident_code() -> str:
    """A resident code (居民码): 12 unambiguous characters, printed as a QR code."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "R" + "".join(secrets.choice(alphabet) for _ in range(11))


def import_residents(actor, rows: Sequence[dict], *, now=None) -> ImportReport:
    """Add residents to the roster: ``{village, id_number, name, phone, address, home_reason}``
    each. The ID number is kept as hash and masked form; a person already on the roster is
    refused (``duplicate``)."""
    now = _now(now)
    if not has_role(actor, *MANAGER_ROLES, Role.UNIT_HANDLER):
        raise forbidden("只有管理员、值班长或承办单位可以导入居民名册。")
    rows = [
        {k: (v.replace("\x00", "") if isinstance(v, str) else v) for k, v in row.items()}
        for row in rows
    ]
    report = ImportReport(rows=len(rows))
    villages = set(
        Division.objects.filter(
            level="village", code__in={str(r.get("village", "")) for r in rows}
        ).values_list("code", flat=True)
    )
    hashes = [id_hash(r.get("id_number", "")) for r in rows]
    existing = set()
    for start in range(0, len(hashes), LOOKUP_CHUNK):
        existing.update(
            Resident.objects.filter(id_hash__in=hashes[start : start + LOOKUP_CHUNK]).values_list(
                "id_hash", flat=True
            )
        )
    new = []
    for index, (row, digest) in enumerate(zip(rows, hashes, strict=True)):
        number = normalize_id_number(row.get("id_number", ""))
        name = str(row.get("name", "")).strip()
        reason = str(row.get("home_reason", "") or "")
        if str(row.get("village", "")) not in villages:
            report.refuse(index, "unknown_village", "村居代码不存在。")
        elif not is_valid_id_number(number):
            report.refuse(index, "bad_id_number", "身份证号码有误（18 位，校验位不符）。")
        elif not name or len(name) > 64:
            report.refuse(index, "name_required", "请填写姓名。")
        elif reason and reason not in HomeReason.values:
            report.refuse(index, "bad_home_reason", "上门原因不是允许的取值。")
        elif digest in existing:
            report.refuse(index, "duplicate", "该居民已在名册中。")
        else:
            existing.add(digest)
            new.append(
                Resident(
                    village_id=row["village"],
                    code=new_resident_code(),
                    id_hash=digest,
                    person=person_key(digest),
                    id_masked=mask_id_number(number),
                    name=name,
                    phone=str(row.get("phone", "") or "").strip()[:20],
                    address=str(row.get("address", "") or "").strip()[:200],
                    home_reason=reason,
                )
            )
    with transaction.atomic():
        Resident.objects.bulk_create(new, batch_size=INSERT_CHUNK)
        report.created = len(new)
        tallies.residents_added([r.id_hash for r in new])
        _event(
            "sampling.residents.imported",
            actor,
            now,
            None,
            None,
            rows=report.rows,
            created=report.created,
            refused=len(report.errors),
        )
    return report


# ---------------------------------------------------------------------------------------------
# Registration


@dataclass(frozen=True)
class Person:
    """Who is being swabbed: the keyed hash and masked number, and the roster entry if any."""

    id_hash: str
    id_masked: str
    resident: Resident | None = None


def resolve_person(text: str) -> Person:
    """A scanned resident code (居民码) or a typed ID number → the person."""
    text = normalize_id_number(text)
    if not text:
        raise invalid("请扫描居民码或输入身份证号。", "person_required")
    if len(text) == 18 and text[:17].isdigit():
        if not is_valid_id_number(text):
            raise invalid("身份证号码有误，请核对（校验位不符）。", "bad_id_number")
        digest = id_hash(text)
        resident = Resident.objects.filter(id_hash=digest).first()
        return Person(digest, mask_id_number(text), resident)
    resident = Resident.objects.filter(code=text).first() if text.isalnum() else None
    if resident is None:
        raise invalid("居民码无法识别，请改为输入身份证号。", "unknown_resident_code")
    return Person(resident.id_hash, resident.id_masked, resident)


@dataclass(frozen=True)
class Registered:
    """A registration: the sample, its tube (closed when this swab filled it), and the recall
    it answers when the person was re-swabbed singly."""

    sample: Sample
    tube: Tube
    recall: Recall | None = None


def _next_barcode(round_: Round) -> str:
    """A barcode for a tube the system labels itself: ``S<round>-<n>`` (pre-printed tubes are
    scanned instead)."""
    n = Tube.objects.filter(round=round_).count() + 1
    while True:
        code = f"S{round_.pk:03d}-{n:06d}"
        if not Tube.objects.filter(barcode=code).exists():
            return code
        n += 1


def open_tube(actor, site: Site, *, barcode: str = "", single: bool = False, now=None) -> Tube:
    """Start a tube at a site (scanned ``barcode`` or one the system assigns); its pool size
    comes from the grid's risk level, or 1 for a recall's single tube."""
    now = _now(now)
    if not site.can_register(actor):
        raise forbidden("您不在这个采样点的采样人员名单中。")
    _require_open(site.round)
    barcode = (barcode or "").strip().upper()
    if len(barcode) > 32:
        raise invalid("管号过长（最多 32 位）。", "bad_barcode")
    with transaction.atomic():
        Round.objects.select_for_update().filter(pk=site.round_id).first()  # serialise numbering
        if barcode and Tube.objects.filter(barcode=barcode).exists():
            raise SamplingError(f"管号 {barcode} 已经使用过。", code="barcode_used")
        tube = Tube.objects.create(
            round_id=site.round_id,
            grid_id=site.grid_id,
            site=site,
            barcode=barcode or _next_barcode(site.round),
            pool_size=1 if single else site.round.pool_size(site.grid.risk_level),
            recall=single,
            opened_by=actor,
            opened_at=now,
        )
        _event(
            "sampling.tube.opened",
            actor,
            now,
            site.round,
            tube,
            barcode=tube.barcode,
            pool_size=tube.pool_size,
            site=site.pk,
        )
    return tube


def _close(tube: Tube, actor, now, *, reason: str) -> None:
    tube.status = TubeStatus.CLOSED
    tube.closed_at = now
    tube.save(update_fields=["status", "closed_at", "count"])
    _event(
        "sampling.tube.closed",
        actor,
        now,
        tube.round,
        tube,
        barcode=tube.barcode,
        count=tube.count,
        reason=reason,
    )


def close_tube(actor, tube: Tube, *, now=None) -> Tube:
    """Seal a tube before it is full (end of a session, a shortage of tubes)."""
    now = _now(now)
    with transaction.atomic():
        tube = (
            Tube.objects.select_for_update(of=("self",))
            .select_related("site", "round")
            .get(pk=tube.pk)
        )
        if not (tube.site and tube.site.can_register(actor)) and not tube.round.can_manage(actor):
            raise forbidden("您不能封这支管。")
        if tube.status != TubeStatus.OPEN:
            raise SamplingError("这支管已经封管。", code="tube_not_open")
        if tube.count == 0:
            raise SamplingError("空管不能封管，请先采样。", code="tube_empty")
        _close(tube, actor, now, reason="manual")
    return tube


def current_tube(actor, site: Site) -> Tube | None:
    """The pooled tube ``actor`` is filling at ``site``, if any."""
    return (
        Tube.objects.open()
        .filter(site=site, opened_by=actor, recall=False)
        .order_by("-opened_at", "-pk")
        .first()
    )


def register_sample(
    actor,
    site: Site,
    person_text: str,
    *,
    mode: str = Mode.SITE,
    barcode: str = "",
    now=None,
) -> Registered:
    """Register one swab: resolve the person (resident code or ID number), put the swab in the
    collector's open pooled tube at ``site`` (opening one, with ``barcode`` when scanned, if
    none is open) and close the tube when it reaches its pool size. A person with an open
    recall is re-swabbed alone: a single tube is opened, filled and closed, and the recall
    points at it. A person already swabbed in this round is refused."""
    now = _now(now)
    if mode not in Mode.values:
        raise invalid("采样方式不是允许的取值。", "bad_mode")
    if not site.can_register(actor):
        raise forbidden("您不在这个采样点的采样人员名单中。")
    round_ = site.round
    _require_open(round_)
    person = resolve_person(person_text)
    with transaction.atomic():
        if tallies.lock_round(round_) != RoundStatus.OPEN:
            raise SamplingError("这一轮采样已经结束。", code="round_closed")
        recall = (
            Recall.objects.select_for_update()
            .filter(
                round=round_,
                id_hash=person.id_hash,
                status=RecallStatus.OPEN,
                retest_tube__isnull=True,
            )
            .first()
        )
        modes = set(
            Sample.objects.filter(
                round=round_, person=person_key(person.id_hash), id_hash=person.id_hash
            ).values_list("mode", flat=True)
        )
        if recall is None and modes:
            raise SamplingError(
                f"{person.id_masked} 本轮已采样，无需重复采样。", code="already_sampled"
            )
        if recall is not None:
            tube = open_tube(actor, site, single=True, now=now)
        else:
            tube = current_tube(actor, site)
            if tube is not None and barcode and tube.barcode != barcode.strip().upper():
                raise SamplingError(
                    f"您还有未封的管 {tube.barcode}（{tube.count}/{tube.pool_size}），"
                    "请先封管再换新管。",
                    code="tube_still_open",
                )
            if tube is None:
                tube = open_tube(actor, site, barcode=barcode, now=now)
        tube = Tube.objects.select_for_update(of=("self",)).select_related("round").get(pk=tube.pk)
        if tube.status != TubeStatus.OPEN or tube.is_full:
            raise SamplingError("这支管已封管，请换新管。", code="tube_not_open")
        sample = Sample.objects.create(
            round=round_,
            tube=tube,
            grid_id=site.grid_id,
            id_hash=person.id_hash,
            id_masked=person.id_masked,
            mode=mode,
            sampled_at=now,
            registered_by=actor,
        )
        tube.count += 1
        _tally_one(round_, site, person, mode, now, modes)
        _event(
            "sampling.sample.registered",
            actor,
            now,
            round_,
            sample,
            tube=tube.barcode,
            mode=mode,
            person=person.id_masked,
            recall=recall.pk if recall else None,
        )
        if tube.is_full:
            _close(tube, actor, now, reason="full")
        else:
            tube.save(update_fields=["count"])
        if recall is not None:
            recall.retest_tube = tube
            recall.save(update_fields=["retest_tube"])
            orders.source_note(
                orders.Source("sampling", "recall", str(recall.pk)),
                f"已单管复采，管号 {tube.barcode}，等待检测结果。",
                actor,
                now=now,
            )
    return Registered(sample, tube, recall)


def _tally_one(round_: Round, site: Site, person: Person, mode: str, when, modes: set) -> None:
    """Count one swab into the tallies; ``modes``: the person's earlier swabs' modes."""
    home = person.resident.village_id if person.resident is not None else None  # the roster's
    grids = {}
    if home is not None:
        grid = Grid.objects.filter(round=round_, village_id=home).values_list("pk", flat=True)
        if grid:
            grids[grid[0]] = [
                0 if modes else 1,
                1 if mode == Mode.SITE and mode not in modes else 0,
                1 if mode == Mode.DOOR and mode not in modes else 0,
                0,
            ]
    if home != site.grid.village_id:
        grids.setdefault(site.grid_id, [0, 0, 0, 0])[3] += 1
    with connection.cursor() as cursor:
        tallies.add(cursor, round_, grids, {tallies.hour_of(when): 1})


class SampleRow(NamedTuple):
    """One registration from a collection device or a file: tube barcode, person (ID number or
    resident code), site id, time, on site or at the door. A named tuple, not a frozen
    dataclass: a file of millions of rows builds one per row, and a frozen dataclass's
    ``__init__`` cost 0.6 µs against 0.24."""

    tube: str
    person: str
    site: int
    sampled_at: dt.datetime | str
    mode: str = Mode.SITE


def _aware(value, zone=None) -> dt.datetime | None:
    """A time as written (text, or a naive or aware datetime) as an aware datetime, naive ones
    read in ``zone`` (default: the current time zone); None if it is not a time. A batch passes
    ``zone`` resolved once: ``timezone.get_current_timezone()`` reads a context-local value,
    ~2 µs, as much as the rest of a row's time handling."""
    if isinstance(value, str):
        try:
            value = parse_datetime(value.strip().replace("/", "-"))
        except ValueError:
            value = None
    if not isinstance(value, dt.datetime):
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=zone or timezone.get_current_timezone())
    return value


def _time_param():
    """How a datetime goes into a raw statement: PostgreSQL's driver takes the aware value;
    SQLite stores Django's text form (naive UTC, ``str``). Done here instead of calling
    ``connection.ops.adapt_datetimefield_value`` per row because that costs several µs of the
    20 µs a row may take at 50,000 rows a second (same output; a test compares them)."""
    if connection.vendor == "sqlite":
        utc = dt.UTC
        # str() of the naive value is isoformat(" "); of the UTC value it ends in "+00:00"
        return lambda value: value.astimezone(utc).isoformat(" ")[:-6]
    return connection.ops.adapt_datetimefield_value


#: SQLite page cache of a connection that imports swabs, in KiB (the default is 2 MiB): the
#: person index of a round of millions of swabs is hundreds of MiB, and every page it must
#: read again from the file is a system call and a copy per row (a raw insert of 400,000 swabs
#: into the table: 1.3-1.4× the rows per CPU second with 64 MiB; docs/SAMPLING.md).
SQLITE_CACHE_KIB = 65536
#: And the database file memory-mapped (up to SQLite's own 2 GiB ceiling): past the cache, a
#: page is then read from the operating system's cache without a system call and a copy. A
#: round of 2,000,000 swabs imported 43,511 rows/s with it against 32,188 without (per CPU
#: second 49,827 against 43,959); a larger page cache alone (512 MiB) gave 33,592
#: (docs/SAMPLING.md, "A whole city's round").
SQLITE_MMAP_BYTES = 2**31


def _sqlite_cache(cursor) -> None:
    cursor.execute("PRAGMA cache_size")
    if cursor.fetchone()[0] > -SQLITE_CACHE_KIB:
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    cursor.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")


@contextmanager
def _checkpoint_after():
    """SQLite: the block's commit does not checkpoint the WAL; that is done when the block has
    ended (its transaction committed and the write lock released), so that the pages a batch
    wrote are copied into the database file — with its fsync — while another process may
    already write the next batch. A commit checkpoints when the WAL holds more than
    ``wal_autocheckpoint`` pages, and a batch of swabs fills it many times over, so that copy
    ran under the lock every batch. Inside an outer transaction (nothing commits here) the
    block runs as it is. A block that fails is not followed by a checkpoint (it wrote nothing)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        every = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        yield
    except BaseException:
        # The block failed (nothing committed): put the setting back if the connection still
        # answers, and let the block's own error through rather than one from this clean-up.
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {every}")
        raise
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA wal_autocheckpoint = {every}")
        if every > 0:
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


def import_samples(
    actor, round_: Round, rows: Sequence[SampleRow], *, source: str = "", now=None
) -> ImportReport:
    """Take a batch of registrations (a device's offline queue, a district's upload): each row
    is checked (ID number, site and the actor's place in its team, time, tube of the same
    grid, not yet swabbed this round, tube not full); good rows are written together and a
    tube closes when it reaches its pool size. Recall re-swabs are registered one by one
    (``register_sample``), so a person already swabbed is refused here.

    Written against the database (one look-up per batch for the people, tube ids taken
    beforehand, a prepared INSERT or a binary COPY for tubes and swabs, the tallies counted in
    Python) because the ORM's per-object bulk_create cost several times the floor and a
    district's round is millions of rows (bench/bench_sampling.py measures the ratio to a raw
    write; the steps and their costs: docs/SAMPLING.md, "What the import does per batch").
    ``source`` (a file's name) goes into the batch's event."""
    now = _now(now)
    report = ImportReport(rows=len(rows))
    if len(rows) > MAX_BATCH:
        raise invalid(f"一次最多导入 {MAX_BATCH} 条。", "batch_too_large")
    _require_open(round_)
    manager = round_.can_manage(actor)
    if not manager and not has_role(actor, Role.FIELD_STAFF):
        raise forbidden("只有采样人员或本轮组织者可以导入采样登记。")
    grid_rows = list(
        Grid.objects.filter(round=round_).values_list("pk", "risk_level", "village_id")
    )
    sizes = {g: round_.pool_size(r) for g, r, _v in grid_rows}
    grid_villages = {g: v for g, _r, v in grid_rows}
    village_grids = {v: g for g, _r, v in grid_rows}
    sites = dict(Site.objects.filter(round=round_).values_list("pk", "grid_id"))
    mine = (
        set(sites)
        if manager
        else set(
            Site.staff.through.objects.filter(site__round=round_, user=actor).values_list(
                "site_id", flat=True
            )
        )
    )
    refuse = report.refuse
    checked = _resolve_codes(_check_rows(rows, sites, mine, refuse, now), refuse)
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    round_id = round_.pk
    with _checkpoint_after(), transaction.atomic(), connection.cursor() as cursor:
        # 2. The round locked (imports and single scans of a round take turns, so a person is
        #    neither taken nor counted twice), then who of the batch is swabbed already.
        if tallies.lock_round(round_) != RoundStatus.OPEN:
            raise SamplingError("这一轮采样已经结束。", code="round_closed")
        if connection.vendor == "postgresql":
            # Compiling these statements with JIT cost more than running them.
            cursor.execute("SET LOCAL jit = off")
        else:
            _sqlite_cache(cursor)
        # The batch's hashes and keys sorted: SQLite builds the look-ups' lists from them about
        # twice as fast (~1.6 µs a row less for the two), for 0.2 µs a row of sorting.
        people = _listed(sorted({item[4] for item in checked}))
        seen = _swabbed(cursor, round_id, _listed(sorted({item[8] for item in checked})))
        # 3. Tubes as lists: [id, grid, pool size, count, status, recall, closed_at, count before
        #    (None for a new one), site, opened_at] — existing ones locked. Ids for the tubes the
        #    batch may open are taken now, so that a swab's row is complete when it is accepted.
        tubes: dict[str, list] = {}
        barcodes = list({item[1] for item in checked})
        for pk, barcode, round_of, grid, size, count, status, recall in _tubes(cursor, barcodes):
            grid = grid if round_of == round_id else None
            tubes[barcode] = [pk, grid, size, count, status, bool(recall), None, count, None, None]
        take_id = iter(_tube_ids(cursor, len(barcodes) - len(tubes))).__next__
        good = []  # the swabs' rows as the statements take them
        opened = []
        closed = 0
        # Each row in turn against the people and tubes (while PostgreSQL looks up where the
        # people live, for the tallies of step 6).
        with _roster_villages(cursor, people) as homes:
            for index, barcode, site, grid, digest, masked, when, mode, key in checked:
                if digest in seen:
                    refuse(index, "already_sampled", f"{masked} 本轮已采样。")
                    continue
                tube = tubes.get(barcode)
                if tube is None:
                    tube = [take_id(), grid, sizes[grid], 0, "open", False, None, None, site, when]
                    tubes[barcode] = tube
                    opened.append((barcode, tube))
                elif tube[1] != grid:
                    refuse(index, "tube_elsewhere", f"管号 {barcode} 属于其他轮次或网格。")
                    continue
                elif tube[5]:
                    refuse(index, "tube_recall", f"管号 {barcode} 是召回单采管。")
                    continue
                if tube[4] != "open" or tube[3] >= tube[2]:
                    refuse(index, "tube_full", f"管号 {barcode} 已封管或已满。")
                    continue
                seen.add(digest)
                tube[3] += 1
                if tube[3] >= tube[2]:
                    tube[4], tube[6] = "closed", when
                    closed += 1
                good.append((round_id, tube[0], grid, digest, key, masked, mode, when, actor_id))
        report.tubes_closed = closed
        # 4. The new tubes written with their ids (not one whose rows were all refused), the
        #    others' counts updated.
        opened = [
            (t[0], round_id, t[1], t[8], barcode, t[2], t[3], t[4], False, "", actor_id, t[9],
             t[6])
            for barcode, t in opened
            if t[3]
        ]  # fmt: skip
        _write(cursor, Tube._meta.db_table, _TUBE_COLUMNS, opened)
        changed = [(t[3], t[4], t[6], t[0]) for t in tubes.values() if t[7] not in (None, t[3])]
        if changed:
            cursor.executemany(
                f"UPDATE {Tube._meta.db_table} SET count = %s, status = %s, closed_at = %s "
                "WHERE id = %s",
                changed,
            )
        # 5. The swabs, in the order of the person index's key (round, person): each B-tree
        #    page of that index is then visited once per batch instead of once per row.
        good.sort(key=itemgetter(4))
        # 6. The tallies. Everyone written here is new to the round (the round is locked and
        #    they were checked above), so each swab counts once for the grid of the village the
        #    person lives in (``sampled`` and its mode), as a visitor where it was taken if that
        #    is not where the person lives, and in its hour: grouped here (while PostgreSQL
        #    writes the swabs), a few thousand groups.
        counts, hours = _write(
            cursor,
            Sample._meta.db_table,
            _SAMPLE_COLUMNS,
            good,
            lambda: tallies.batch_deltas(
                map(itemgetter(2), good),
                map(homes.get, map(itemgetter(3), good)),
                map(itemgetter(6), good),
                map(itemgetter(7), good),
                grid_villages,
                village_grids,
            ),
        )
        tallies.add(cursor, round_, counts, hours)
        report.created = len(good)
        report.errors.sort(key=lambda e: e["row"])
        _event(
            "sampling.samples.imported", actor, now, round_, None, rows=report.rows,
            created=report.created, refused=len(report.errors), tubes_opened=len(opened),
            tubes_closed=report.tubes_closed, **({"source": source[:200]} if source else {}),
        )  # fmt: skip
    return report


def _check_rows(rows: Sequence[SampleRow], sites: dict, mine: set, refuse, now=None) -> list[tuple]:
    """Step 1 of ``import_samples``: each row checked on its own (site and team, barcode, mode,
    time, the ID number's check digit), ID numbers hashed and masked; refused rows reported.
    Returns (index, barcode, site, grid, digest, masked, time, mode, person key)
    per good row, the time as the statements take it; a resident code's row has None for its
    digest and key and the code for its mask (``_resolve_codes``)."""
    reader = IdReader()
    valid, hash_ = reader.valid, reader.hash
    text_time = connection.vendor == "sqlite"
    param = _time_param()
    zone = timezone.get_current_timezone()
    latest = _now(now) + CLOCK_AHEAD
    key_of = person_key
    checked = []
    append = checked.append
    for index, row in enumerate(rows):
        site = row.site
        grid = sites.get(site) if type(site) is int else None
        if grid is None:
            refuse(index, "unknown_site", "采样点不存在或不属于本轮。")
            continue
        if site not in mine:
            refuse(index, "forbidden", "您不在这个采样点的采样人员名单中。")
            continue
        barcode = row.tube
        barcode = (barcode if type(barcode) is str else str(barcode or "")).strip().upper()
        if not barcode or len(barcode) > 32:
            refuse(index, "bad_barcode", "管号为空或过长。")
            continue
        mode = row.mode
        if mode not in _MODES:
            refuse(index, "bad_mode", "采样方式应为 现场（site）或 上门（door）。")
            continue
        when = row.sampled_at
        if type(when) is not dt.datetime:
            when = _aware(when, zone)
            if when is None:
                refuse(index, "bad_time", "采样时间格式有误，应如 2022-11-05 15:51。")
                continue
        elif when.tzinfo is None:
            when = when.replace(tzinfo=zone)
        if when > latest:
            refuse(index, "future_time", "采样时间晚于当前时间，请核对采样设备的时钟。")
            continue
        if text_time:
            when = param(when)  # from here on the value the statements take
        person = row.person
        if type(person) is not str:
            person = str(person or "")
        text = person.upper() if person.isalnum() else normalize_id_number(person)
        if len(text) == 18 and text[:17].isdigit():
            # the checks and hash a test compares with hotline.common.identity's
            if not valid(text):
                refuse(index, "bad_id_number", "身份证号码有误（校验位不符）。")
                continue
            # mask_id_number of an 18-character number, inline
            masked = text[:6] + "********" + text[14:]
            digest = hash_(text)
            append((index, barcode, site, grid, digest, masked, when, mode, key_of(digest)))
        elif text and not text.isalnum():
            refuse(index, "unknown_resident_code", "居民码无法识别。")
        elif text:
            append((index, barcode, site, grid, None, text, when, mode, None))
        else:
            refuse(index, "person_required", "缺少身份证号或居民码。")
    return checked


def _resolve_codes(checked: list[tuple], refuse) -> list[tuple]:
    """The rows of ``checked`` that name a person by resident code get the resident's hash,
    masked number and key (looked up together); an unknown code is refused."""
    codes = list({item[5] for item in checked if item[4] is None})
    if not codes:
        return checked
    found = {}
    for start in range(0, len(codes), LOOKUP_CHUNK):
        found.update(
            (c, (h, m, k))
            for c, h, m, k in Resident.objects.filter(
                code__in=codes[start : start + LOOKUP_CHUNK]
            ).values_list("code", "id_hash", "id_masked", "person")
        )
    resolved = []
    for item in checked:
        if item[4] is not None:
            resolved.append(item)
        elif item[5] in found:
            digest, masked, key = found[item[5]]
            resolved.append((*item[:4], digest, masked, *item[6:8], key))
        else:
            refuse(item[0], "unknown_resident_code", "居民码无法识别。")
    return resolved


#: Columns of the raw writes of ``import_samples``, in the order of its rows.
_TUBE_COLUMNS = (
    "id", "round_id", "grid_id", "site_id", "barcode", "pool_size", "count", "status", "recall",
    "result", "opened_by_id", "opened_at", "closed_at",
)  # fmt: skip
_SAMPLE_COLUMNS = (
    "round_id", "tube_id", "grid_id", "id_hash", "person", "id_masked", "mode", "sampled_at",
    "registered_by_id",
)  # fmt: skip


def _listed(values: list[str] | list[int]) -> tuple[str, str] | None:
    """How a look-up takes many ID hashes or person keys: (a row source giving them — ``k.v``
    on PostgreSQL, ``value`` on SQLite —, its one parameter), None for none.

    One text parameter, not a parameter each (SQLite) or an array the driver adapts element by
    element (PostgreSQL) — at 50,000 a batch either cost 1-2 µs a row. SQLite reads a JSON array
    (``json_each``), PostgreSQL a comma-separated list (``string_to_array``: the server spent ~1
    µs a row less than on a JSON array); hashes are hexadecimal and keys integers, no comma
    inside. PostgreSQL probes the table once per listed value (``_in_list``) rather than
    testing ``= ANY(…)``: it plans ``= ANY`` of 50,000 constants for 50,000 matches and scans
    the whole table, each batch (at a round of 6.2 million swabs ~1 s for the swabs and ~1 s for
    the roster), while the probes cost 0.15-0.2 s for the swabs' index. SQLite keeps ``IN
    (SELECT value FROM json_each(…))``: as a join its planner put the index scan outside and the
    list inside."""
    if not values:
        return None
    if connection.vendor == "postgresql":
        if type(values[0]) is int:
            return "unnest(string_to_array(%s, ',')::bigint[]) AS k(v)", ",".join(map(str, values))
        return "unnest(string_to_array(%s, ',')) AS k(v)", ",".join(values)
    return "json_each(%s)", json.dumps(values)


def _in_list(select: str, table: str, column: str, listed, where: str = "", params=()):
    """(SQL, parameters) of ``SELECT <select> FROM <table> t WHERE [<where> AND] t.<column>``
    is one of ``listed`` (``_listed``); ``params`` are those of ``where``."""
    rows, value = listed
    where = f"{where} AND " if where else ""
    if connection.vendor == "postgresql":
        # One index probe per value whatever the statistics say: the lateral subquery cannot
        # be flattened into a join (OFFSET 0), so each probe has both the value and ``where``
        # as its index condition. As a plain join, with statistics that did not know the round
        # (gathered before it began, as they are on a server whose last ANALYZE saw earlier
        # rounds), the plan read all of the round's swabs once per listed key, ~15 s a batch
        # of 20,000 instead of ~0.1 (bench_sampling, BENCH_CITY=1); without statistics at all
        # it sorted the round's every swab for a merge join.
        sql = (
            f"SELECT {select} FROM {rows} CROSS JOIN LATERAL "
            f"(SELECT {select} FROM {table} t WHERE {where}t.{column} = k.v OFFSET 0) AS t"
        )
        return sql, [value, *params]
    sql = f"SELECT {select} FROM {table} t WHERE {where}t.{column} IN (SELECT value FROM {rows})"
    return sql, [*params, value]


def _swabbed(cursor, round_id: int, keys: tuple[str, str] | None) -> set[str]:
    """The ID hashes of the swabs in the round whose person key is among ``keys`` (``_listed``):
    a superset of those of the batch's people swabbed already, whom the caller finds by
    comparing hashes (two people may share a key)."""
    if keys is None:
        return set()
    cursor.execute(
        *_in_list("t.id_hash", Sample._meta.db_table, "person", keys, "t.round_id = %s", [round_id])
    )
    return {r[0] for r in cursor.fetchall()}


@contextmanager
def _roster_villages(cursor, people: tuple[str, str] | None):
    """{ID hash: roster village} of those of ``people`` (``_listed`` ID hashes) on the roster,
    complete when the block ends. PostgreSQL: the look-up is sent in pipeline mode as the block
    starts and read as it ends, so the server probes the roster's index while Python runs the
    block; nothing else may use the connection inside it. SQLite: read at once."""
    homes: dict[str, str] = {}
    if people is None:
        yield homes
        return
    sql, params = _in_list("t.id_hash, t.village_id", Resident._meta.db_table, "id_hash", people)
    if connection.vendor == "postgresql":
        pg = cursor.cursor.connection
        with pg.cursor() as homes_cursor:
            with pg.pipeline():
                homes_cursor.execute(sql, params)
                yield homes
            homes.update(homes_cursor.fetchall())
    else:
        cursor.execute(sql, params)
        homes.update(cursor.fetchall())
        yield homes


def _tubes(cursor, barcodes: list[str]) -> list[tuple]:
    """The tubes of ``barcodes`` (locked on PostgreSQL; on SQLite the write lock is the
    database's): (id, barcode, round, grid, pool size, count, status, recall)."""
    if not barcodes:
        return []
    select = (
        "SELECT id, barcode, round_id, grid_id, pool_size, count, status, recall "
        f"FROM {Tube._meta.db_table} WHERE barcode "
    )
    if connection.vendor == "postgresql":
        cursor.execute(
            select + "= ANY(ARRAY(SELECT json_array_elements_text(%s::json))) FOR UPDATE",
            [json.dumps(barcodes)],
        )
    else:
        cursor.execute(select + "IN (SELECT value FROM json_each(%s))", [json.dumps(barcodes)])
    return cursor.fetchall()


def _tube_ids(cursor, n: int) -> Sequence[int]:
    """Ids for up to ``n`` new tubes, taken before they are written (inside the round's lock
    on SQLite, where the write lock is the database's; from the sequence on PostgreSQL, where
    ids not used are a gap like a rolled-back insert's)."""
    if n <= 0:
        return ()
    table = Tube._meta.db_table
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, n],
        )
        return sorted(r[0] for r in cursor.fetchall())
    # AUTOINCREMENT: never an id used before, even by a deleted row (sqlite_sequence keeps it)
    cursor.execute(f"SELECT MAX(id) FROM {table}")
    top = cursor.fetchone()[0] or 0
    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
    row = cursor.fetchone()
    top = max(top, row[0] if row else 0)
    return range(top + 1, top + 1 + n)


def _write(cursor, table: str, columns: Sequence[str], rows: list[tuple], meanwhile=None):
    """Insert ``rows`` raw: a prepared INSERT run for every row (SQLite's ``executemany``) or a
    binary ``COPY`` (PostgreSQL; the column types read from the catalog, so each value goes
    over as its binary form and the server parses no text). ``meanwhile`` (no arguments) is
    called once the rows are handed over and its result returned: on PostgreSQL a thread of
    the driver sends them while it runs, so the server writes the rows while Python works."""
    if rows:
        names = ", ".join(columns)
        if connection.vendor == "postgresql":
            from psycopg.copy import QueuedLibpqWriter

            cursor.execute(
                "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass "
                "AND attnum > 0 AND NOT attisdropped",
                [table],
            )
            types = dict(cursor.fetchall())
            pg = cursor.cursor
            statement = f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"
            with pg.copy(statement, writer=QueuedLibpqWriter(pg)) as copy:
                copy.set_types([types[c] for c in columns])
                write = copy.write_row
                for row in rows:
                    write(row)
                return meanwhile() if meanwhile else None
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows
        )
    return meanwhile() if meanwhile else None


# ---------------------------------------------------------------------------------------------
# Lab results, recalls, and the results handed on


@dataclass(frozen=True)
class ResultRow:
    """One line of a lab's file: tube barcode, result word, result time."""

    tube: str
    result: str
    at: dt.datetime | str


@dataclass(frozen=True)
class PersonResult:
    """One person's result, in the shape of hotline.control's ``TestResultIn``."""

    id_hash: str
    negative: bool
    sampled_at: dt.datetime
    source: str
    reference: str


def person_results(tube_ids: Iterable[int]) -> list[PersonResult]:
    """The per-person rows of some resulted tubes: each swab of a negative tube is a negative
    result, of a positive tube (pooled or single) not negative; invalid tubes give no result
    (the person is re-swabbed). Reference: the tube's barcode."""
    tube_ids = list(tube_ids)
    rows: list[PersonResult] = []
    for start in range(0, len(tube_ids), LOOKUP_CHUNK):
        for digest, sampled_at, barcode, result in (
            Sample.objects.filter(
                tube_id__in=tube_ids[start : start + LOOKUP_CHUNK],
                tube__result__in=(Result.NEGATIVE, Result.POSITIVE),
            )
            .order_by("pk")
            .values_list("id_hash", "sampled_at", "tube__barcode", "tube__result")
        ):
            rows.append(
                PersonResult(digest, result == Result.NEGATIVE, sampled_at, "sampling", barcode)
            )
    return rows


def publish_person_results(actor, rows: list[PersonResult]) -> int:
    """Hand every person's result of an import to the control app's test-result registry, the
    test validity its outing passes and checkpoints read (idempotent there by id hash, sampling
    time and source). Runs in the import's transaction: both commit or neither does. Returns
    how many results were new to the registry."""
    from django.apps import apps

    if not rows or not apps.is_installed("hotline.control"):
        return 0
    from hotline.control.services import TestResultIn, record_test_results

    return record_test_results(
        actor,
        [TestResultIn(r.id_hash, r.negative, r.sampled_at, r.source, r.reference) for r in rows],
    )


def _parse_result(word) -> str | None:
    return RESULT_WORDS.get(str(word or "").strip().lower())


def import_results(
    actor, round_: Round, rows: Sequence[ResultRow], *, file_name: str = "", now=None
) -> LabImport:
    """Apply a lab's results to closed tubes. Per row: unknown tube, tube of another round,
    still open, bad result word or time, or a second different result are refused; the same
    result again is accepted and changes nothing. Then a positive or invalid pooled tube
    starts a recall (and its urgent work order) for each of its people, a single re-swab tube
    closes its recall, and every person's result is handed to ``publish_person_results``."""
    now = _now(now)
    if not round_.can_manage(actor):
        raise forbidden("只有本轮组织者可以导入检测结果。")
    if len(rows) > MAX_BATCH:
        raise invalid(f"一次最多导入 {MAX_BATCH} 行。", "batch_too_large")
    errors: list[dict] = []

    def refuse(index, code, message):
        errors.append({"row": index + 1, "code": code, "message": message})

    with transaction.atomic():
        barcodes = list({str(r.tube or "").strip().upper() for r in rows} - {""})
        barcodes = [b for b in barcodes if "\x00" not in b]
        tubes = {}
        for start in range(0, len(barcodes), LOOKUP_CHUNK):
            for tube in Tube.objects.select_for_update().filter(
                barcode__in=barcodes[start : start + LOOKUP_CHUNK]
            ):
                tubes[tube.barcode] = tube
        applied: dict[int, Tube] = {}
        for index, row in enumerate(rows):
            barcode = str(row.tube or "").strip().upper()
            tube = tubes.get(barcode)
            result = _parse_result(row.result)
            at = _aware(row.at)
            if tube is None or tube.round_id != round_.pk:
                refuse(index, "unknown_tube", f"本轮没有管号 {barcode or '（空）'}。")
            elif result is None:
                refuse(index, "bad_result", "结果应为 阴性、阳性 或 无效。")
            elif at is None:
                refuse(index, "bad_time", "检测时间格式有误，应如 2022-11-05 15:51。")
            elif tube.status == TubeStatus.OPEN:
                refuse(index, "tube_open", f"管号 {barcode} 尚未封管。")
            elif tube.status == TubeStatus.RESULTED and tube.result != result:
                refuse(
                    index,
                    "result_conflict",
                    f"管号 {barcode} 已有结果“{tube.get_result_display()}”，与本行不同。",
                )
            elif tube.status == TubeStatus.RESULTED or tube.pk in applied:
                continue  # the same result again
            else:
                tube.status, tube.result, tube.result_at = TubeStatus.RESULTED, result, at
                applied[tube.pk] = tube
        Tube.objects.bulk_update(list(applied.values()), ["status", "result", "result_at"])
        lab = LabImport.objects.create(
            round=round_,
            file_name=(file_name or "")[:200],
            rows=len(rows),
            applied=len(applied),
            errors=errors,
            imported_by=actor,
            at=now,
        )
        recalls = _start_recalls(actor, round_, applied.values(), now)
        closed = _close_recalls(actor, [t for t in applied.values() if t.recall], now)
        _event(
            "sampling.results.imported",
            actor,
            now,
            round_,
            lab,
            rows=len(rows),
            applied=len(applied),
            refused=len(errors),
            recalls=len(recalls),
            recalls_closed=closed,
        )
        publish_person_results(actor, person_results(applied))
    return lab


def _start_recalls(actor, round_: Round, tubes, now) -> list[Recall]:
    pooled = [
        t
        for t in tubes
        if not t.recall and t.pool_size > 1 and t.result in (Result.POSITIVE, Result.INVALID)
    ]
    if not pooled:
        return []
    by_tube = {t.pk: t for t in pooled}
    samples = list(
        Sample.objects.filter(tube_id__in=list(by_tube)).values_list(
            "tube_id", "grid_id", "id_hash", "id_masked"
        )
    )
    recalls = [
        Recall(
            round=round_,
            tube_id=tube_id,
            grid_id=grid_id,
            id_hash=digest,
            id_masked=masked,
            reason=RecallReason.POSITIVE_POOL
            if by_tube[tube_id].result == Result.POSITIVE
            else RecallReason.INVALID,
            created_at=now,
        )
        for tube_id, grid_id, digest, masked in samples
    ]
    Recall.objects.bulk_create(recalls)
    recalls = list(
        Recall.objects.filter(tube_id__in=list(by_tube)).select_related("grid__village", "tube")
    )
    residents = {
        r.id_hash: r for r in Resident.objects.filter(id_hash__in=[x.id_hash for x in recalls])
    }
    appeals = []
    for recall in recalls:
        resident = residents.get(recall.id_hash)
        why = "混管阳性" if recall.reason == RecallReason.POSITIVE_POOL else "样本无效"
        appeals.append(
            orders.Appeal(
                channel="system",
                title=f"{why}召回：{recall.grid.village.name} {recall.id_masked}",
                description=(
                    f"{round_.name}：管号 {recall.tube.barcode}（{recall.tube.pool_size}混1）"
                    f"{why}。请通知受检者 {recall.id_masked} 就地等候、暂不外出，"
                    "并安排单管单采复核；复核结果出来后本工单自动办结。"
                ),
                caller_name=resident.name if resident else "",
                caller_phone=resident.phone if resident else "",
                address=resident.address if resident else "",
                appeal_type="help",
                category="testing",
                urgency="urgent",
                epidemic_related=True,
                village_code=recall.grid.village_id,
                kind=RECALL_KIND,
                source=orders.Source("sampling", "recall", str(recall.pk)),
                idempotency_key=f"sampling-recall-{recall.pk}",
            )
        )
    for item in orders.receive_batch(actor, appeals, now=now):
        if item.status >= 400:  # the order loop refused: keep the recall, say why
            raise SamplingError(f"召回工单创建失败：{item.message}", code="recall_order_failed")
    for recall in recalls:
        _event(
            "sampling.recall.created",
            actor,
            now,
            round_,
            recall,
            tube=recall.tube.barcode,
            reason=recall.reason,
        )
    return recalls


def _close_recalls(actor, tubes: list[Tube], now) -> int:
    if not tubes:
        return 0
    closed = 0
    for recall in (
        Recall.objects.select_for_update(of=("self",))
        .filter(retest_tube__in=tubes, status=RecallStatus.OPEN)
        .select_related("retest_tube")
    ):
        tube = recall.retest_tube
        source = orders.Source("sampling", "recall", str(recall.pk))
        if tube.result == Result.INVALID:
            recall.retest_tube = None  # swab again
            recall.save(update_fields=["retest_tube"])
            orders.source_note(
                source, f"单采管 {tube.barcode} 样本无效，需重新单采。", actor, now=now
            )
            continue
        recall.status = (
            RecallStatus.NEGATIVE if tube.result == Result.NEGATIVE else RecallStatus.POSITIVE
        )
        recall.closed_at = now
        recall.save(update_fields=["status", "closed_at"])
        reply = (
            f"单管复核阴性（管号 {tube.barcode}），已解除就地管控。"
            if recall.status == RecallStatus.NEGATIVE
            else f"单管复核阳性（管号 {tube.barcode}），已移交疫情防控流调转运。"
        )
        orders.source_done(source, reply, actor, now=now)
        _event(
            "sampling.recall.closed",
            actor,
            now,
            recall.round,
            recall,
            status=recall.status,
            tube=tube.barcode,
        )
        closed += 1
    return closed


def user_choices_field_staff():
    """Active users with the field_staff role (the team picker until workforce lands)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.FIELD_STAFF)
        .order_by("username")
    )
