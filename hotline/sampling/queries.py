"""Reads of the sampling app: coverage per grid and per village, the not-yet-sampled and
door-to-door lists, hourly progress, recalls with their work orders.

Coverage counts people on the village's roster (``Resident``) who have a swab anywhere in the
round, split by on-site and door-to-door, plus the swabs taken at the grid's sites from people
not on its roster (visitors, people registered elsewhere). Those counts are kept by the writes
(``GridTally``, see ``tallies``), so coverage reads one row per grid; the not-yet-sampled list
goes roster → swabs through the roster index (village, id_hash) and the person index
``sampling_sample_key`` (round, person): one probe per resident of the village, its hash
compared on the swab found (two people may share a key, ``person_key``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Count, OuterRef, Subquery, Sum

from hotline.common.masking import mask_address, mask_name, mask_phone
from hotline.orders.models import Order

from .choices import RecallStatus, RiskLevel, TubeStatus
from .models import Grid, HourTally, Recall, Resident, Round, Sample, Tube


@dataclass
class Coverage:
    """Coverage of one grid (village)."""

    village_code: str
    village_name: str
    risk_level: str
    registered: int = 0
    sampled: int = 0
    on_site: int = 0
    door: int = 0
    visitors: int = 0

    @property
    def risk_label(self) -> str:
        return RiskLevel(self.risk_level).label if self.risk_level in RiskLevel.values else ""

    @property
    def missing(self) -> int:
        return max(self.registered - self.sampled, 0)

    @property
    def percent(self) -> float:
        return round(100.0 * self.sampled / self.registered, 1) if self.registered else 0.0


def _coverage(grid: Grid, registered: int) -> Coverage:
    tally = getattr(grid, "tally", None)
    cov = Coverage(grid.village_id, grid.village.name, grid.risk_level, registered)
    if tally is not None:
        cov.sampled, cov.on_site, cov.door = tally.sampled, tally.on_site, tally.door
        cov.visitors = tally.visitors
    return cov


def village_coverage(round_: Round, village_code: str) -> Coverage | None:
    """The coverage of one village of the round: the grid with its tally (the counts kept by
    every write of swabs, ``hotline.sampling.tallies``) and its roster's size — 2 statements,
    whatever the size of the round or the village."""
    grid = (
        Grid.objects.filter(round=round_, village_id=village_code)
        .select_related("village", "tally")
        .first()
    )
    if grid is None:
        return None
    registered = Resident.objects.filter(village_id=village_code).count()
    return _coverage(grid, registered)


def round_coverage(round_: Round) -> list[Coverage]:
    """Coverage of every grid of the round (2 statements: grids with tallies, roster sizes)."""
    grids = list(
        Grid.objects.filter(round=round_).select_related("village", "tally").order_by("village_id")
    )
    registered = dict(
        Resident.objects.filter(village__code__startswith=round_.area_id)
        .values_list("village_id")
        .annotate(n=Count("id"))
        .values_list("village_id", "n")
    )
    return [_coverage(g, registered.get(g.village_id, 0)) for g in grids]


def totals(coverage: list[Coverage]) -> Coverage:
    total = Coverage("", "合计", "")
    for c in coverage:
        total.registered += c.registered
        total.sampled += c.sampled
        total.on_site += c.on_site
        total.door += c.door
        total.visitors += c.visitors
    return total


@dataclass
class MissingPerson:
    """A roster resident without a swab this round, as ``view`` allows the reader to see."""

    pk: int
    name: str
    id_masked: str
    phone: str
    address: str
    home_reason: str


def not_sampled(round_: Round, village_code: str, view: str, *, door_only=False, limit=500):
    """Residents of the village not yet swabbed in the round (one probe of the person index
    each), masked per ``view`` ("full", "address" or "masked"; Grid.contact_view)."""
    # A scalar subquery per resident rather than NOT EXISTS: PostgreSQL turns NOT EXISTS into
    # an anti-join and, for a large round, hashes all of the round's swabs (190 ms at 60,000
    # in the bench) instead of probing the (round, person) index 3,000 times.
    first_swab = Sample.objects.filter(
        round=round_, person=OuterRef("person"), id_hash=OuterRef("id_hash")
    ).values("mode")
    qs = (
        Resident.objects.filter(village_id=village_code)
        .annotate(swab=Subquery(first_swab[:1]))
        .filter(swab__isnull=True)
        .order_by("address", "pk")
    )
    if door_only:
        qs = qs.exclude(home_reason="")
    people = []
    for r in qs[:limit]:
        people.append(
            MissingPerson(
                r.pk,
                r.name if view == "full" else mask_name(r.name),
                r.id_masked,
                r.phone if view == "full" else mask_phone(r.phone),
                r.address if view in ("full", "address") else mask_address(r.address),
                r.get_home_reason_display() if r.home_reason else "",
            )
        )
    return people


def hourly_progress(round_: Round) -> list[dict]:
    """Swabs per hour of the round and the running total (for the round page's bars), from
    the hourly tally."""
    rows = list(
        HourTally.objects.filter(round=round_).order_by("hour").values_list("hour", "count")
    )
    out, running = [], 0
    peak = max((n for _h, n in rows), default=0)
    for hour, n in rows:
        running += n
        out.append({"hour": hour, "count": n, "total": running, "peak": peak})
    return out


def tube_summary(round_: Round) -> dict:
    counts = dict(
        Tube.objects.filter(round=round_)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    positive = Tube.objects.filter(round=round_, result="positive").count()
    return {
        "open": counts.get(TubeStatus.OPEN, 0),
        "closed": counts.get(TubeStatus.CLOSED, 0),
        "resulted": counts.get(TubeStatus.RESULTED, 0),
        "positive": positive,
    }


def recalls(round_: Round, *, open_only: bool = False, village_code: str | None = None):
    """Recalls of the round with their work order number and status (2 statements)."""
    qs = Recall.objects.filter(round=round_).select_related("tube", "grid__village", "retest_tube")
    if open_only:
        qs = qs.filter(status=RecallStatus.OPEN)
    if village_code:
        qs = qs.filter(grid__village_id=village_code)
    items = list(qs[:500])
    numbers = {
        sid: (number, status)
        for sid, number, status in Order.objects.filter(
            source_app="sampling", source_type="recall", source_id__in=[str(r.pk) for r in items]
        ).values_list("source_id", "number", "status")
    }
    for r in items:
        r.order_number, r.order_status = numbers.get(str(r.pk), ("", ""))
    return items


def visible_rounds(user):
    """Rounds ``user`` may see, newest first."""
    return [
        r
        for r in Round.objects.select_related("area").order_by("-starts_at")[:50]
        if r.can_view(user)
    ]


def tests_per_person(p: float, k: int) -> float:
    """Dorfman (1943): expected lab tests per person when swabs are pooled ``k`` to a tube and
    every person of a positive pool is retested alone, at individual positivity ``p``:
    1/k + 1 − (1 − p)^k (one pooled test shared by k, plus k retests with the probability that
    the pool is positive); 1 for single tubes."""
    if k <= 1:
        return 1.0
    return 1.0 / k + 1.0 - (1.0 - p) ** k


def best_pool_size(p: float, sizes=range(1, 21)) -> int:
    """The pool size (up to 20: larger pools dilute the swab, which the formula ignores) with
    the fewest expected tests per person at positivity ``p``."""
    return min(sizes, key=lambda k: tests_per_person(p, k))


@dataclass
class PoolCheck:
    """The Dorfman check of one pool size in a round: pools tested, positive pools, the
    individual positivity they imply and the expected tests per person at it."""

    pool_size: int
    pools: int
    positive: int
    people: int
    positivity: float
    tests_per_person: float
    best_size: int


def dorfman_check(round_: Round) -> list[PoolCheck]:
    """From the round's resulted tubes (re-swabs left out): for each pool size k, the share q
    of positive pools gives the individual positivity p = 1 − (1 − q)^(1/k) (people
    independent), and with it the expected tests per person at k and the best k."""
    rows = (
        Tube.objects.filter(round=round_, recall=False, result__in=("negative", "positive"))
        .values_list("pool_size")
        .annotate(
            pools=Count("id"),
            positive=Count("id", filter=models.Q(result="positive")),
            people=Sum("count"),
        )
        .values_list("pool_size", "pools", "positive", "people")
        .order_by("pool_size")
    )
    out = []
    for k, pools, positive, people in rows:
        q = positive / pools if pools else 0.0
        p = 1.0 - (1.0 - q) ** (1.0 / k) if k > 1 else q
        out.append(
            PoolCheck(k, pools, positive, people or 0, p, tests_per_person(p, k), best_pool_size(p))
        )
    return out
