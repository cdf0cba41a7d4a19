"""The running counts behind coverage and the hourly bars (``GridTally``, ``HourTally``).

Every write of swabs adds to them in the same transaction, with deltas it knows exactly:

- a swab of a person with no swab yet in the round adds 1 to ``sampled`` of the grid of the
  village the person lives in (the roster, ``Resident``), and a swab in a mode (on site, at
  the door) the person has no swab in yet adds 1 to that mode's count — a batch import only
  takes people not yet swabbed, ``register_sample`` looks at the person's earlier swabs;
- a swab of someone not on the roster of the grid where it was taken adds 1 to that grid's
  ``visitors``;
- every swab adds 1 to its hour.

Writes of swabs lock the round first (``lock_round``), so two imports can neither both take
the same person nor both count them. A roster import can make earlier swabs count (a person
swabbed before being put on the roster): ``residents_added`` recounts the grids concerned.
``recount`` computes every figure again from the swabs and the roster — the tests hold the
tallies to it after imports, duplicates, re-imports and single scans; ``hotline
sampling_recount`` rebuilds them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from itertools import repeat
from operator import floordiv, itemgetter

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import TruncHour

from hotline.common.identity import person_key

from .choices import Mode
from .models import Grid, GridTally, HourTally, Resident, Round, Sample

#: Values per ``IN (…)`` lookup on SQLite (PostgreSQL takes one array).
LOOKUP_CHUNK = 900

_COUNTS_SQL = """
SELECT COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM {sample} s WHERE s.round_id = %s
                                      AND s.person = r.person AND s.id_hash = r.id_hash)
                         THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM {sample} s WHERE s.round_id = %s
                                      AND s.person = r.person AND s.id_hash = r.id_hash
                                      AND s.mode = %s)
                         THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM {sample} s WHERE s.round_id = %s
                                      AND s.person = r.person AND s.id_hash = r.id_hash
                                      AND s.mode = %s)
                         THEN 1 ELSE 0 END), 0)
FROM {resident} r
WHERE r.village_id = %s
"""

_VISITORS_SQL = """
SELECT COUNT(*) FROM {sample} s
WHERE s.round_id = %s AND s.grid_id = %s AND NOT EXISTS (
    SELECT 1 FROM {resident} r WHERE r.id_hash = s.id_hash AND r.village_id = %s
)
"""


def _sql(template: str) -> str:
    return template.format(sample=Sample._meta.db_table, resident=Resident._meta.db_table)


def lock_round(round_: Round) -> str:
    """Lock the round's row until the transaction ends (writes of swabs take their turn) and
    return its status as it is now."""
    return (
        Round.objects.select_for_update().filter(pk=round_.pk).values_list("status", flat=True)[0]
    )


def hour_of(when: dt.datetime) -> int:
    """The hour a swab is counted in: whole hours since the epoch (UTC)."""
    return int(when.timestamp()) // 3600


def batch_deltas(
    grids: Iterable[int],
    homes: Iterable[str | None],
    modes: Iterable[str],
    times: Iterable,
    grid_villages: dict,
    village_grids: dict,
) -> tuple[dict[int, list[int]], dict[int, int]]:
    """The tally deltas of a batch of swabs, every one of them a person's first in the round,
    given column by column: the grid where each was taken, the person's roster village (None
    when not on the roster), the mode and the time as the statements take it (naive UTC text
    on SQLite, an aware datetime on PostgreSQL). ``grid_villages`` / ``village_grids``: the
    round's grids by id / by village code. Grouped with ``Counter`` over ``map``s (no Python
    code per swab), then a few thousand groups turned into deltas."""
    counts: dict[int, list[int]] = {}
    for (grid, home, mode), n in Counter(zip(grids, homes, modes, strict=True)).items():
        if home != grid_villages[grid]:
            counts.setdefault(grid, [0, 0, 0, 0])[3] += n
            grid = village_grids.get(home)
        if grid is not None:
            c = counts.setdefault(grid, [0, 0, 0, 0])
            c[0] += n
            c[1 if mode == Mode.SITE else 2] += n
    hours: dict[int, int] = {}
    if connection.vendor == "postgresql":  # hours since the epoch, floored like date_trunc
        for h, n in Counter(map(floordiv, map(dt.datetime.timestamp, times), repeat(3600))).items():
            hours[int(h)] = hours.get(int(h), 0) + n
    else:  # "YYYY-MM-DD HH", the first 13 characters of the stored text
        for h, n in Counter(map(itemgetter(slice(0, 13)), times)).items():
            hours[hour_of(dt.datetime.strptime(h, "%Y-%m-%d %H").replace(tzinfo=dt.UTC))] = n
    return counts, hours


def add(cursor, round_: Round, grids: dict[int, list[int]], hours: dict[int, int]) -> None:
    """Add ``grids`` ({grid id: [sampled, on site, door, visitors]}) and ``hours`` ({hour:
    swabs}) to the round's tallies; grids in id order (one lock order for every writer)."""
    if grids:
        cursor.executemany(
            f"UPDATE {GridTally._meta.db_table} SET sampled = sampled + %s, "
            "on_site = on_site + %s, door = door + %s, visitors = visitors + %s "
            "WHERE grid_id = %s",
            [(*grids[g], g) for g in sorted(grids)],
        )
    if hours:
        param = connection.ops.adapt_datetimefield_value
        cursor.executemany(
            f"INSERT INTO {HourTally._meta.db_table} (round_id, hour, count) VALUES (%s, %s, %s) "
            "ON CONFLICT (round_id, hour) DO UPDATE SET count = "
            f"{HourTally._meta.db_table}.count + excluded.count",
            [
                (round_.pk, param(dt.datetime.fromtimestamp(h * 3600, dt.UTC)), n)
                for h, n in sorted(hours.items())
            ],
        )


def create_for(grids: Iterable[Grid]) -> None:
    """Zero tallies for new grids (a new round has no swabs)."""
    GridTally.objects.bulk_create([GridTally(grid=g) for g in grids])


def count_grid(grid: Grid) -> tuple[int, int, int, int]:
    """(sampled, on site, door, visitors) of a grid computed from the swabs and the roster."""
    with connection.cursor() as cursor:
        r = grid.round_id
        cursor.execute(_sql(_COUNTS_SQL), [r, r, Mode.SITE, r, Mode.DOOR, grid.village_id])
        sampled, on_site, door = cursor.fetchone()
        cursor.execute(_sql(_VISITORS_SQL), [r, grid.pk, grid.village_id])
        (visitors,) = cursor.fetchone()
    return sampled, on_site, door, visitors


def count_hours(round_: Round) -> dict[dt.datetime, int]:
    """Swabs per hour (UTC) computed from the swabs."""
    return dict(
        Sample.objects.filter(round=round_)
        .annotate(h=TruncHour("sampled_at", tzinfo=dt.UTC))
        .values_list("h")
        .annotate(n=Count("id"))
        .values_list("h", "n")
    )


def recount(round_: Round, grid_ids: Iterable[int] | None = None, *, hours: bool = True) -> int:
    """Compute the tallies of ``grid_ids`` (every grid of the round by default) and, unless
    ``hours`` is False, the hourly counts again from the swabs and the roster, and store them.
    Returns how many grid tallies changed."""
    grids = Grid.objects.filter(round=round_)
    if grid_ids is not None:
        grids = grids.filter(pk__in=list(grid_ids))
    changed = 0
    with transaction.atomic():
        lock_round(round_)
        for grid in grids:
            counts = count_grid(grid)
            tally, _new = GridTally.objects.get_or_create(grid=grid)
            if (tally.sampled, tally.on_site, tally.door, tally.visitors) != counts:
                tally.sampled, tally.on_site, tally.door, tally.visitors = counts
                tally.save()
                changed += 1
        if hours:
            HourTally.objects.filter(round=round_).delete()
            HourTally.objects.bulk_create(
                [HourTally(round=round_, hour=h, count=n) for h, n in count_hours(round_).items()]
            )
    return changed


def residents_added(digests: list[str]) -> None:
    """New people on the roster: their swabs already taken in any round now count for the
    village they live in, and stop counting as visitors where they live. Recounts the grids
    concerned (none when nobody of them has been swabbed — the usual case, a roster loaded
    before the round)."""
    rounds = list(Round.objects.values_list("pk", flat=True))
    if not digests or not rounds:
        return
    swabbed: dict[int, set[int]] = {}
    hashes: set[str] = set()
    wanted = set(digests)
    keys = sorted({person_key(d) for d in wanted})
    for start in range(0, len(keys), LOOKUP_CHUNK):
        for round_id, grid_id, digest in Sample.objects.filter(
            round_id__in=rounds, person__in=keys[start : start + LOOKUP_CHUNK]
        ).values_list("round_id", "grid_id", "id_hash"):
            if digest in wanted:  # not someone else with the same key
                swabbed.setdefault(round_id, set()).add(grid_id)
                hashes.add(digest)
    if not swabbed:
        return
    villages = set(
        Resident.objects.filter(id_hash__in=list(hashes)).values_list("village_id", flat=True)
    )
    for round_ in Round.objects.filter(pk__in=list(swabbed)):
        homes = Grid.objects.filter(round=round_, village_id__in=villages).values_list(
            "pk", flat=True
        )
        recount(round_, swabbed[round_.pk] | set(homes), hours=False)
