"""The sampling services: rounds, registration into pooled tubes, batch import, lab results,
recalls through the order seam, coverage."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from hotline.accounts.models import DataAccess  # noqa: F401  (used by view tests)
from hotline.orders.choices import Status
from hotline.orders.models import Order
from hotline.orders.queries import orders_for_source
from hotline.orders.services import Source

from .. import queries, services
from ..choices import Mode, RecallStatus, Result, TubeStatus
from ..errors import SamplingError
from ..models import HourTally, Recall, Resident, Sample, SamplingEvent, Tube
from .factories import OTHER_VILLAGE, VILLAGE, id_number, make_residents, make_round, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def rnd(city):
    """The round of this module's tests has a high-risk village (the conftest's ``site`` uses
    it)."""
    return make_round(city.supervisor, risk={OTHER_VILLAGE: "high"})


def test_round_has_a_grid_per_village_and_copies_the_pool_sizes(city, rnd, settings):
    assert rnd.grids.count() == 23  # 公馆镇's villages
    assert rnd.pool_sizes == {"low": 10, "medium": 5, "high": 1}
    assert rnd.grids.get(village_id=OTHER_VILLAGE).risk_level == "high"
    settings.SAMPLING_POOL_SIZES = {"low": 20}
    later = make_round(city.supervisor)
    assert later.pool_size("low") == 20 and rnd.pool_size("low") == 10
    assert SamplingEvent.objects.filter(code="sampling.round.created").count() == 2


def test_round_is_refused_to_other_roles_and_bad_input(city):
    with pytest.raises(SamplingError) as exc:
        make_round(city.gongguan)
    assert exc.value.status == 403
    assert make_round(city.maonan_epi).pk  # the district's epidemic office runs rounds
    now = timezone.now()
    for kwargs, code in (
        ({"area_code": "440902101201"}, "bad_area"),
        ({"deadline": now - dt.timedelta(hours=2)}, "bad_deadline"),
        ({"deadline": now + dt.timedelta(days=9)}, "bad_deadline"),
        ({"name": " "}, "name_required"),
        ({"risk": {VILLAGE: "purple"}}, "bad_risk"),
    ):
        args = {
            "name": "x",
            "area_code": "440902101",
            "starts_at": now,
            "deadline": now + dt.timedelta(hours=5),
        } | kwargs
        with pytest.raises(SamplingError) as exc:
            services.create_round(city.supervisor, **args)
        assert exc.value.code == code


def test_site_staff_must_be_field_staff_and_hours_sane(city, rnd, make_user):
    with pytest.raises(SamplingError) as exc:
        make_site(city.supervisor, rnd, staff=[city.agent])
    assert exc.value.code == "not_staff"
    with pytest.raises(SamplingError) as exc:
        services.add_site(
            city.supervisor,
            rnd,
            village_code=VILLAGE,
            name="a",
            opens_at=dt.time(9),
            closes_at=dt.time(8),
        )
    assert exc.value.code == "bad_hours"
    with pytest.raises(SamplingError) as exc:
        services.add_site(
            city.supervisor,
            rnd,
            village_code="440902102201",
            name="a",
            opens_at=dt.time(8),
            closes_at=dt.time(9),
        )
    assert exc.value.code == "unknown_grid"
    with pytest.raises(SamplingError) as exc:
        make_site(city.gongguan, rnd)
    assert exc.value.status == 403


def test_roster_keeps_hash_and_mask_only_and_refuses_bad_rows(city):
    report = make_residents(city.supervisor, 3)
    assert report.created == 3
    bad = services.import_residents(
        city.supervisor,
        [
            {"village": VILLAGE, "id_number": id_number(0), "name": "重复"},
            {"village": VILLAGE, "id_number": "440902195001010001", "name": "校验错"},
            {"village": "999", "id_number": id_number(9), "name": "无村"},
            {"village": VILLAGE, "id_number": id_number(8), "name": ""},
            {"village": VILLAGE, "id_number": id_number(7), "name": "a", "home_reason": "x"},
        ],
    )
    assert [e["code"] for e in bad.errors] == [
        "duplicate",
        "bad_id_number",
        "unknown_village",
        "name_required",
        "bad_home_reason",
    ]
    r = Resident.objects.first()
    assert len(r.id_hash) == 64 and "*" in r.id_masked
    assert id_number(0) not in str(list(Resident.objects.values()))
    with pytest.raises(SamplingError):
        services.import_residents(city.agent, [])


def test_a_tube_closes_at_its_pool_size(city, rnd, site, staff):
    for i in range(10):
        reg = services.register_sample(staff, site, id_number(i), barcode="GG0001")
    assert reg.tube.barcode == "GG0001" and reg.tube.status == TubeStatus.CLOSED
    assert reg.tube.count == 10 and reg.tube.closed_at is not None
    nxt = services.register_sample(staff, site, id_number(10))
    assert nxt.tube.pk != reg.tube.pk and nxt.tube.status == TubeStatus.OPEN
    assert nxt.tube.barcode.startswith(f"S{rnd.pk:03d}-")
    assert SamplingEvent.objects.filter(code="sampling.tube.closed").count() == 1


def test_high_risk_grid_takes_single_tubes(city, rnd, staff):
    high = make_site(city.supervisor, rnd, staff=[staff], village=OTHER_VILLAGE, name="油甘窝")
    reg = services.register_sample(staff, high, id_number(1))
    assert reg.tube.pool_size == 1 and reg.tube.status == TubeStatus.CLOSED


def test_registration_refusals(city, rnd, site, staff, make_user):
    services.register_sample(staff, site, id_number(1))
    cases = [
        (staff, id_number(1), "already_sampled"),
        (staff, "440902195001010001", "bad_id_number"),
        (staff, "", "person_required"),
        (staff, "RNOSUCHCODE1", "unknown_resident_code"),
        (make_user("field_staff"), id_number(2), "forbidden"),
        (city.agent, id_number(2), "forbidden"),
    ]
    for actor, person, code in cases:
        with pytest.raises(SamplingError) as exc:
            services.register_sample(actor, site, person)
        assert exc.value.code == code, person
    with pytest.raises(SamplingError) as exc:
        services.register_sample(staff, site, id_number(3), barcode="OTHER")
    assert exc.value.code == "tube_still_open"
    with pytest.raises(SamplingError) as exc:
        services.register_sample(staff, site, id_number(3), mode="air")
    assert exc.value.code == "bad_mode"
    services.close_round(city.supervisor, rnd)
    site.round.refresh_from_db()
    with pytest.raises(SamplingError) as exc:
        services.register_sample(staff, site, id_number(3))
    assert exc.value.code == "round_closed"


def test_resident_code_scan_and_door_to_door(city, rnd, site, staff):
    make_residents(city.supervisor, 2)
    resident = Resident.objects.order_by("pk").first()
    reg = services.register_sample(staff, site, resident.code.lower(), mode=Mode.DOOR)
    assert reg.sample.id_hash == resident.id_hash and reg.sample.mode == "door"


def test_close_tube_early_and_refusals(city, rnd, site, staff):
    reg = services.register_sample(staff, site, id_number(1))
    tube = services.close_tube(staff, reg.tube)
    assert tube.status == TubeStatus.CLOSED and tube.count == 1
    with pytest.raises(SamplingError) as exc:
        services.close_tube(staff, tube)
    assert exc.value.code == "tube_not_open"
    empty = services.open_tube(staff, site)
    with pytest.raises(SamplingError) as exc:
        services.close_tube(staff, empty)
    assert exc.value.code == "tube_empty"
    with pytest.raises(SamplingError) as exc:
        services.open_tube(staff, site, barcode=tube.barcode)
    assert exc.value.code == "barcode_used"


def _row(tube, seq, site, mode="site", at="2022-11-05 09:10"):
    return services.SampleRow(tube, id_number(seq), site.pk, at, mode)


def test_batch_import_keeps_good_rows_and_reports_each_bad_one(city, rnd, site, staff):
    services.register_sample(staff, site, id_number(500))
    rows = [_row("B1", i, site) for i in range(12)]  # 10 fill B1, 2 overflow
    rows += [
        services.SampleRow("B2", "440902195001010001", site.pk, "2022-11-05 09:10"),
        services.SampleRow("B2", id_number(600), 99999, "2022-11-05 09:10"),
        services.SampleRow("B2", id_number(601), site.pk, "yesterday"),
        services.SampleRow("B2", id_number(602), site.pk, "2022-11-05 09:10", "air"),
        services.SampleRow("", id_number(603), site.pk, "2022-11-05 09:10"),
        _row("B2", 500, site),  # sampled at the site already
        _row("B2", 700, site, mode="door"),
        _row("B2", 700, site),  # twice in the batch
    ]
    report = services.import_samples(staff, rnd, rows)
    codes = {e["row"]: e["code"] for e in report.errors}
    assert codes == {
        11: "tube_full",
        12: "tube_full",
        13: "bad_id_number",
        14: "unknown_site",
        15: "bad_time",
        16: "bad_mode",
        17: "bad_barcode",
        18: "already_sampled",
        20: "already_sampled",
    }
    assert report.created == 11 and report.tubes_closed == 1
    b1 = Tube.objects.get(barcode="B1")
    assert (b1.count, b1.status, b1.pool_size) == (10, TubeStatus.CLOSED, 10)
    assert Tube.objects.get(barcode="B2").count == 1
    sample = Sample.objects.get(tube__barcode="B2")
    assert sample.mode == "door" and sample.sampled_at.hour == 1  # 09:10 Beijing = 01:10 UTC
    # a second batch continues the open tube and refuses the other staff's site
    more = services.import_samples(staff, rnd, [_row("B2", 800, site)])
    assert more.created == 1 and Tube.objects.get(barcode="B2").count == 2


def test_batch_import_is_limited_to_the_sites_team(city, rnd, site, make_user):
    other = make_user("field_staff")
    report = services.import_samples(other, rnd, [_row("X1", 1, site)])
    assert report.created == 0 and report.errors[0]["code"] == "forbidden"
    with pytest.raises(SamplingError):
        services.import_samples(city.agent, rnd, [_row("X1", 1, site)])


def test_batch_import_continues_tubes_and_gives_new_ones_ids_of_their_own(city, rnd, site, staff):
    """One batch against tubes that exist: it fills and closes a tube opened by single scans,
    refuses a tube of another grid and a recall's single tube, takes resident codes among ID
    numbers, refuses other scripts' digits, writes no tube whose every row was refused, and
    opens tubes whose ids (taken before they are written) later writes do not collide with."""
    make_residents(city.supervisor, 2, start=900)
    code_a, code_b = Resident.objects.order_by("pk").values_list("code", flat=True)
    other = make_site(city.supervisor, rnd, staff=[staff], village=OTHER_VILLAGE, name="油甘窝")
    for i in range(7):
        services.register_sample(staff, site, id_number(i), barcode="E1")
    recall_tube = services.open_tube(staff, site, single=True)
    elsewhere = services.register_sample(staff, other, id_number(50)).tube  # 油甘窝: pools of 1
    fullwidth = id_number(31)[:5] + "３" + id_number(31)[6:]
    rows = [
        _row("E1", 10, site),
        services.SampleRow("N1", code_a.lower(), site.pk, "2022-11-05 09:10"),
        _row("E1", 11, site),
        _row("e1", 12, site, at="2022-11-05 09:40"),  # the tenth: E1 closes
        _row("E1", 13, site),  # 4
        _row(elsewhere.barcode, 14, site),  # 5
        _row(recall_tube.barcode, 15, site),  # 6
        _row("N2", 0, site),  # 7: swabbed already, so N2 is never opened
        services.SampleRow("N1", "RNOSUCHCODE1", site.pk, "2022-11-05 09:10"),  # 8
        services.SampleRow("N1", fullwidth, site.pk, "2022-11-05 09:10"),  # 9
        services.SampleRow("N1", id_number(32)[:17] + "²", site.pk, "2022-11-05 09:10"),  # 10
        services.SampleRow("N1", code_b, site.pk, "2022-11-05 09:20"),
        _row("N3", 16, other, at="2022-11-05 09:30"),  # pool of 1: closes at once
        _row("N3", 17, other),  # 13
    ]
    report = services.import_samples(staff, rnd, rows)
    assert {e["row"] - 1: e["code"] for e in report.errors} == {
        4: "tube_full",
        5: "tube_elsewhere",
        6: "tube_recall",
        7: "already_sampled",
        8: "unknown_resident_code",
        9: "bad_id_number",
        10: "bad_id_number",
        13: "tube_full",
    }
    assert (report.created, report.tubes_closed) == (6, 2)
    beijing = dt.timezone(dt.timedelta(hours=8))
    e1 = Tube.objects.get(barcode="E1")
    assert (e1.count, e1.status) == (10, TubeStatus.CLOSED)
    assert e1.closed_at == dt.datetime(2022, 11, 5, 9, 40, tzinfo=beijing)
    n1 = Tube.objects.get(barcode="N1")
    assert (n1.count, n1.status, n1.pool_size, n1.site, n1.opened_by) == (
        2, TubeStatus.OPEN, 10, site, staff
    )  # fmt: skip
    assert n1.opened_at == dt.datetime(2022, 11, 5, 9, 10, tzinfo=beijing)
    assert n1.closed_at is None and n1.grid_id == site.grid_id and n1.round_id == rnd.pk
    n3 = Tube.objects.get(barcode="N3")
    assert (n3.count, n3.status, n3.pool_size, n3.grid_id) == (
        1,
        TubeStatus.CLOSED,
        1,
        other.grid_id,
    )
    assert n3.closed_at == n3.opened_at == dt.datetime(2022, 11, 5, 9, 30, tzinfo=beijing)
    assert not Tube.objects.filter(barcode="N2").exists()
    event = SamplingEvent.objects.get(code="sampling.samples.imported")
    assert (event.payload["tubes_opened"], event.payload["tubes_closed"]) == (2, 2)
    # every swab in the tube its row named, each tube's count its swabs
    where = dict(Sample.objects.filter(round=rnd).values_list("id_masked", "tube__barcode"))
    masked = Resident.objects.order_by("pk").values_list("id_masked", flat=True)
    assert {where[m] for m in masked} == {"N1"}
    assert where[_masked(10)] == where[_masked(12)] == "E1" and where[_masked(16)] == "N3"
    for tube in Tube.objects.filter(round=rnd):
        assert tube.samples.count() == tube.count, tube.barcode
    # writes after it take new ids: a single scan that opens a tube, and another batch
    later = services.register_sample(staff, other, id_number(20)).tube
    more = services.import_samples(staff, rnd, [_row("N4", 21, site), _row("N5", 22, other)])
    assert more.created == 2
    ids = list(Tube.objects.values_list("pk", flat=True))
    assert len(ids) == len(set(ids)) and later.pk > n3.pk
    assert Tube.objects.get(barcode="N4").pk > later.pk
    _tallies_match_a_recount(rnd)


def _masked(seq):
    from hotline.common.masking import mask_id_number

    return mask_id_number(id_number(seq))


def test_batch_import_refuses_times_ahead_of_the_clock(city, rnd, site, staff):
    """A device whose clock runs ahead: a few minutes pass, later times are refused (counted,
    they would fill the hours to come)."""
    now = timezone.now()
    rows = [
        services.SampleRow("F1", id_number(1), site.pk, now + dt.timedelta(minutes=9)),
        services.SampleRow("F1", id_number(2), site.pk, now + dt.timedelta(minutes=11)),
        services.SampleRow(
            "F1",
            id_number(3),
            site.pk,
            timezone.localtime(now + dt.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M"),
        ),
    ]
    report = services.import_samples(staff, rnd, rows, now=now)
    assert report.created == 1
    assert [(e["row"], e["code"]) for e in report.errors] == [
        (2, "future_time"),
        (3, "future_time"),
    ]


def test_batch_import_counts_hours_of_any_time_zone(city, rnd, site, staff):
    """Swab times as text, naive and aware datetimes in other zones: each counted in its UTC
    hour (the hourly tallies equal a recount), stored as the instant it was."""
    make_residents(city.supervisor, 4)
    utc, beijing = dt.UTC, dt.timezone(dt.timedelta(hours=8))
    times = [
        "2022-11-05 00:30",  # Beijing: 16:30 UTC the day before
        dt.datetime(2022, 11, 5, 0, 59, 59, 999999),  # naive: Beijing
        dt.datetime(2022, 11, 4, 16, 0, tzinfo=utc),
        dt.datetime(2022, 11, 4, 11, 0, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        dt.datetime(2022, 11, 5, 1, 0, tzinfo=beijing),
    ]
    rows = [services.SampleRow("H1", id_number(i), site.pk, t) for i, t in enumerate(times)]
    assert services.import_samples(staff, rnd, rows).created == 5
    _tallies_match_a_recount(rnd)
    hours = dict(HourTally.objects.filter(round=rnd).values_list("hour", "count"))
    assert hours == {
        dt.datetime(2022, 11, 4, 16, tzinfo=utc): 4,
        dt.datetime(2022, 11, 4, 17, tzinfo=utc): 1,
    }
    stored = set(Sample.objects.filter(round=rnd).values_list("sampled_at", flat=True))
    assert stored == {
        dt.datetime(2022, 11, 4, 16, 30, tzinfo=utc),
        dt.datetime(2022, 11, 4, 16, 59, 59, 999999, tzinfo=utc),
        dt.datetime(2022, 11, 4, 16, 0, tzinfo=utc),
        dt.datetime(2022, 11, 4, 16, 0, 0, 1, tzinfo=utc),
        dt.datetime(2022, 11, 4, 17, 0, tzinfo=utc),
    }


def test_swabs_go_with_their_tube(city, rnd, site, staff):
    """No database constraint ties a swab to its tube (the writers check it, docs/SAMPLING.md):
    deleting a tube through the ORM still takes its swabs along, and only its own."""
    first = services.register_sample(staff, site, id_number(1), barcode="D1").tube
    services.register_sample(staff, site, id_number(2), barcode="D1")
    services.close_tube(staff, first)
    services.import_samples(staff, rnd, [_row("D2", 3, site)])
    Tube.objects.filter(pk=first.pk).delete()
    assert list(Sample.objects.values_list("tube__barcode", flat=True)) == ["D2"]


def _fill(staff, site, barcode, seqs):
    for seq in seqs:
        services.register_sample(staff, site, id_number(seq), barcode=barcode)
    tube = Tube.objects.get(barcode=barcode)
    if tube.status == TubeStatus.OPEN:
        services.close_tube(staff, tube)
    return tube


def test_positive_pool_recalls_each_person_with_an_urgent_order_to_the_town_office(
    city, rnd, site, staff
):
    make_residents(city.supervisor, 10)
    _fill(staff, site, "P1", range(10))
    _fill(staff, site, "N1", range(10, 13))
    lab = services.import_results(
        city.supervisor,
        rnd,
        [
            services.ResultRow("P1", "阳性", "2022-11-05 20:00"),
            services.ResultRow("n1", "阴性", "2022-11-05 20:00"),
        ],
        file_name="lab.csv",
    )
    assert lab.applied == 2 and lab.errors == []
    recalls = list(Recall.objects.order_by("pk"))
    assert len(recalls) == 10 and {r.status for r in recalls} == {RecallStatus.OPEN}
    order = orders_for_source(Source("sampling", "recall", str(recalls[0].pk))).get()
    assert order.kind == "sampling.recall" and order.urgency == "urgent"
    assert order.handling_unit.code == "440902101"  # 公馆镇 office
    assert order.accept_deadline - order.received_at == dt.timedelta(minutes=30)
    assert order.caller_name.startswith("陈")  # the roster's name for the town office
    assert order.status == Status.DISPATCHED

    # the person comes back: re-swabbed alone, the pooled tube they were filling untouched
    reg = services.register_sample(staff, site, id_number(0))
    assert reg.recall == recalls[0] and reg.tube.pool_size == 1 and reg.tube.recall
    assert reg.tube.status == TubeStatus.CLOSED
    with pytest.raises(SamplingError) as exc:  # only once while the re-swab is in the lab
        services.register_sample(staff, site, id_number(0))
    assert exc.value.code == "already_sampled"

    services.import_results(
        city.supervisor, rnd, [services.ResultRow(reg.tube.barcode, "negative", "2022-11-06 08:00")]
    )
    recalls[0].refresh_from_db()
    order.refresh_from_db()
    assert recalls[0].status == RecallStatus.NEGATIVE and recalls[0].closed_at
    assert order.status == Status.RESOLVED and "阴性" in order.reply
    assert Recall.objects.filter(status=RecallStatus.OPEN).count() == 9


def test_invalid_single_reswab_keeps_the_recall_open(city, rnd, site, staff):
    _fill(staff, site, "P2", range(3))
    services.import_results(
        city.supervisor, rnd, [services.ResultRow("P2", "无效", "2022-11-05 20:00")]
    )
    recall = Recall.objects.order_by("pk").first()
    assert recall.reason == "invalid"
    reg = services.register_sample(staff, site, id_number(0))
    services.import_results(
        city.supervisor, rnd, [services.ResultRow(reg.tube.barcode, "无效", "2022-11-05 21:00")]
    )
    recall.refresh_from_db()
    assert recall.status == RecallStatus.OPEN and recall.retest_tube is None
    again = services.register_sample(staff, site, id_number(0))  # swabbed a third time
    services.import_results(
        city.supervisor, rnd, [services.ResultRow(again.tube.barcode, "阳性", "2022-11-05 22:00")]
    )
    recall.refresh_from_db()
    assert recall.status == RecallStatus.POSITIVE
    order = orders_for_source(Source("sampling", "recall", str(recall.pk))).get()
    assert order.status == Status.RESOLVED and "阳性" in order.reply


def test_results_import_reports_each_bad_row_and_is_idempotent(city, rnd, site, staff):
    _fill(staff, site, "R1", range(2))
    services.register_sample(staff, site, id_number(5), barcode="OPEN1")
    rows = [
        services.ResultRow("R1", "阴性", "2022-11-05 20:00"),
        services.ResultRow("R1", "阴性", "2022-11-05 20:00"),  # same again: fine
        services.ResultRow("NOPE", "阴性", "2022-11-05 20:00"),
        services.ResultRow("R1", "maybe", "2022-11-05 20:00"),
        services.ResultRow("R1", "阴性", "later"),
        services.ResultRow("OPEN1", "阴性", "2022-11-05 20:00"),
    ]
    lab = services.import_results(city.supervisor, rnd, rows)
    assert lab.applied == 1
    assert [(e["row"], e["code"]) for e in lab.errors] == [
        (3, "unknown_tube"),
        (4, "bad_result"),
        (5, "bad_time"),
        (6, "tube_open"),
    ]
    again = services.import_results(
        city.supervisor, rnd, [services.ResultRow("R1", "阳性", "2022-11-05 21:00")]
    )
    assert again.errors[0]["code"] == "result_conflict"
    assert Tube.objects.get(barcode="R1").result == Result.NEGATIVE
    assert Recall.objects.count() == 0
    with pytest.raises(SamplingError) as exc:
        services.import_results(staff, rnd, rows)
    assert exc.value.status == 403


def test_person_results_are_the_rows_for_the_control_app(city, rnd, site, staff, monkeypatch):
    _fill(staff, site, "N2", range(3))
    _fill(staff, site, "P3", range(3, 5))
    _fill(staff, site, "I3", range(5, 6))
    published = []
    monkeypatch.setattr(
        services, "publish_person_results", lambda actor, rows: published.extend(rows)
    )
    services.import_results(
        city.supervisor,
        rnd,
        [
            services.ResultRow("N2", "阴性", "2022-11-05 20:00"),
            services.ResultRow("P3", "阳性", "2022-11-05 20:00"),
            services.ResultRow("I3", "无效", "2022-11-05 20:00"),
        ],
    )
    assert sorted((r.reference, r.negative) for r in published) == [
        ("N2", True),
        ("N2", True),
        ("N2", True),
        ("P3", False),
        ("P3", False),
    ]
    row = published[0]
    assert row.source == "sampling" and len(row.id_hash) == 64 and row.sampled_at
    assert services.publish_person_results is not None


def test_coverage_counts_roster_people_on_site_door_and_visitors(city, rnd, site, staff):
    make_residents(city.supervisor, 20, home_every=5)
    make_residents(city.supervisor, 5, village=OTHER_VILLAGE, start=100)
    for i in range(8):
        services.register_sample(staff, site, id_number(i))
    services.register_sample(staff, site, id_number(8), mode=Mode.DOOR)
    services.register_sample(staff, site, id_number(100))  # lives in 油甘窝: a visitor here
    services.register_sample(staff, site, id_number(9999))  # on no roster
    cov = queries.village_coverage(rnd, VILLAGE)
    assert (cov.registered, cov.sampled, cov.on_site, cov.door, cov.visitors) == (20, 9, 8, 1, 2)
    assert cov.missing == 11 and cov.percent == 45.0
    other = queries.village_coverage(rnd, OTHER_VILLAGE)
    assert (other.registered, other.sampled, other.visitors) == (5, 1, 0)
    every = {c.village_code: c for c in queries.round_coverage(rnd)}
    assert (every[VILLAGE].sampled, every[VILLAGE].visitors) == (9, 2)
    assert every[OTHER_VILLAGE].sampled == 1
    assert queries.totals(list(every.values())).registered == 25
    missing = queries.not_sampled(rnd, VILLAGE, "masked")
    assert len(missing) == 11 and all("*" in p.name for p in missing)
    door = queries.not_sampled(rnd, VILLAGE, "address", door_only=True)
    assert door and all(p.home_reason == "独居老人" and "巷" in p.address for p in door)
    full = queries.not_sampled(rnd, VILLAGE, "full")
    assert "*" not in full[0].name and full[0].phone.startswith("138")
    progress = queries.hourly_progress(rnd)
    assert progress[-1]["total"] == 11


def test_order_count_of_a_recall_batch_is_one_per_person(city, rnd, site, staff):
    _fill(staff, site, "P9", range(4))
    services.import_results(
        city.supervisor, rnd, [services.ResultRow("P9", "阳性", "2022-11-05 20:00")]
    )
    assert Order.objects.filter(kind="sampling.recall").count() == 4
    # a replay of the same file changes nothing
    services.import_results(
        city.supervisor, rnd, [services.ResultRow("P9", "阳性", "2022-11-05 20:00")]
    )
    assert Order.objects.filter(kind="sampling.recall").count() == 4


@given(st.text(alphabet="0123456789X x", min_size=0, max_size=20))
@hsettings(max_examples=300, deadline=None)
def test_the_fast_id_reader_agrees_with_common_identity(text):
    _fast_id_reader_agrees(text)


@given(
    st.lists(st.sampled_from("0123456789"), min_size=17, max_size=17).map("".join),
    st.text(alphabet="0123456789Xx²٣１_+-abcABC ", min_size=0, max_size=3),
    st.integers(0, 17),
)
@hsettings(max_examples=500, deadline=None)
def test_the_fast_id_reader_refuses_what_int_would_take(digits, noise, at):
    """The check digit is read with ``int(…, 13)``, which also takes a sign, "_", a-c and
    other scripts' digits: numbers with those in them must still be refused."""
    _fast_id_reader_agrees(digits[:at] + noise + digits[at:])
    _fast_id_reader_agrees(digits + noise)


def _fast_id_reader_agrees(text):
    from hotline.common.identity import id_hash, is_valid_id_number, normalize_id_number

    reader = services.IdReader()
    n = normalize_id_number(text)
    assert reader.valid(n) == is_valid_id_number(text)
    assert reader.hash(n) == id_hash(text)


def test_the_fast_id_reader_on_valid_numbers():
    from hotline.common.identity import id_hash, is_valid_id_number

    reader = services.IdReader()
    for seq in range(0, 3_000_000, 7919):
        n = id_number(seq)
        assert reader.valid(n) and is_valid_id_number(n) and reader.hash(n) == id_hash(n)


def test_raw_time_parameter_is_what_django_writes():
    from django.db import connection

    when = timezone.now()
    assert services._time_param()(when) == connection.ops.adapt_datetimefield_value(when)


def test_dorfman_arithmetic_and_the_rounds_check(city, rnd, site, staff):
    assert queries.tests_per_person(0.01, 1) == 1.0
    assert queries.tests_per_person(0.0, 10) == pytest.approx(0.1)
    assert queries.tests_per_person(0.01, 10) == pytest.approx(0.1 + 1 - 0.99**10)
    assert queries.best_pool_size(0.01) == 11 and queries.best_pool_size(0.05) == 5
    assert queries.best_pool_size(0.0001) == 20  # capped
    _fill(staff, site, "D1", range(10))
    _fill(staff, site, "D2", range(10, 20))
    services.import_results(
        city.supervisor,
        rnd,
        [
            services.ResultRow("D1", "阳性", "2022-11-05 20:00"),
            services.ResultRow("D2", "阴性", "2022-11-05 20:00"),
        ],
    )
    (check,) = queries.dorfman_check(rnd)
    assert (check.pool_size, check.pools, check.positive, check.people) == (10, 2, 1, 20)
    assert check.positivity == pytest.approx(1 - 0.5**0.1)
    assert check.tests_per_person == pytest.approx(0.1 + 0.5)


def test_lab_results_feed_the_control_apps_test_validity(city, rnd, site, staff):
    """The wiring point: a negative pool makes each of its people's test valid at a checkpoint,
    a positive pool does not; importing the same file again adds nothing."""
    from hotline.common.identity import id_hash
    from hotline.control.models import TestResult
    from hotline.control.services import has_valid_test

    _fill(staff, site, "N2", range(3))
    _fill(staff, site, "P3", range(3, 5))
    rows = [
        services.ResultRow("N2", "阴性", "2022-11-05 20:00"),
        services.ResultRow("P3", "阳性", "2022-11-05 20:00"),
    ]
    services.import_results(city.supervisor, rnd, rows)
    assert TestResult.objects.filter(source="sampling").count() == 5
    swab = TestResult.objects.filter(id_hash=id_hash(id_number(0))).get().sampled_at
    later = swab + dt.timedelta(hours=3)
    assert has_valid_test(id_hash(id_number(0)), now=later)
    assert not has_valid_test(id_hash(id_number(3)), now=later)
    services.import_results(city.supervisor, rnd, rows)
    assert TestResult.objects.filter(source="sampling").count() == 5


def _tallies_match_a_recount(round_):
    from .. import tallies
    from ..models import GridTally, HourTally

    for grid in round_.grids.all():
        tally = GridTally.objects.get(grid=grid)
        counted = (tally.sampled, tally.on_site, tally.door, tally.visitors)
        assert counted == tallies.count_grid(grid), grid.village_id
    kept = dict(HourTally.objects.filter(round=round_).values_list("hour", "count"))
    assert kept == tallies.count_hours(round_)


def test_tallies_stay_equal_to_a_recount(city, rnd, site, staff):
    """Coverage is read from counts the writes keep: after batch imports (with bad rows and
    people twice), a re-import, single scans, a recall's re-swab at the door and residents put
    on the roster after their swab, every grid's counts equal a recount from the swabs."""
    make_residents(city.supervisor, 20)
    make_residents(city.supervisor, 5, village=OTHER_VILLAGE, start=100)
    other_site = make_site(
        city.supervisor, rnd, staff=[staff], village=OTHER_VILLAGE, name="油甘窝村采样点"
    )
    rows = [_row("T1", i, site, at=f"2022-11-05 0{7 + i % 3}:10") for i in range(10)]
    rows += [_row("T2", i, site, mode="door") for i in (10, 11)]
    rows += [_row("T2", 100, site), _row("T2", 9999, site), _row("T3", 101, other_site)]
    rows += [_row("T2", 3, site), _row("T2", 12, site, at="soon")]  # twice; a bad time
    report = services.import_samples(staff, rnd, rows)
    assert report.created == 15 and [e["code"] for e in report.errors] == [
        "already_sampled",
        "bad_time",
    ]
    _tallies_match_a_recount(rnd)
    again = services.import_samples(staff, rnd, rows)  # a device sends its queue again
    assert again.created == 0
    _tallies_match_a_recount(rnd)
    services.register_sample(staff, site, id_number(12), mode=Mode.DOOR, barcode="T2")
    services.register_sample(staff, other_site, id_number(102))
    services.register_sample(staff, other_site, id_number(13))  # lives in 河之口: a visitor
    with pytest.raises(SamplingError):
        services.register_sample(staff, site, id_number(13))
    _tallies_match_a_recount(rnd)
    cov = queries.village_coverage(rnd, VILLAGE)
    assert (cov.registered, cov.sampled, cov.on_site, cov.door, cov.visitors) == (20, 14, 11, 3, 2)
    # a positive pool: its people are re-swabbed, one of them at the door this time
    services.close_tube(staff, Tube.objects.get(barcode="T2"))
    services.import_results(
        city.supervisor, rnd, [services.ResultRow("T1", "阳性", "2022-11-05 20:00")]
    )
    services.register_sample(staff, site, id_number(0), mode=Mode.DOOR)
    services.register_sample(staff, site, id_number(1))
    _tallies_match_a_recount(rnd)
    cov = queries.village_coverage(rnd, VILLAGE)
    assert (cov.sampled, cov.on_site, cov.door, cov.visitors) == (14, 11, 4, 2)
    # swabbed first, put on the roster afterwards: counted where they live from then on
    make_residents(city.supervisor, 1, start=9999)
    _tallies_match_a_recount(rnd)
    cov = queries.village_coverage(rnd, VILLAGE)
    assert (cov.registered, cov.sampled, cov.on_site, cov.visitors) == (21, 15, 12, 1)
    assert queries.hourly_progress(rnd)[-1]["total"] == Sample.objects.filter(round=rnd).count()
    # and a tally that went wrong is put right by a recount
    from .. import tallies
    from ..models import GridTally

    GridTally.objects.filter(grid__village_id=VILLAGE).update(sampled=0)
    assert tallies.recount(rnd) == 1
    _tallies_match_a_recount(rnd)


def _twin(digest: str) -> str:
    """Another ID hash with the same person key (its first 64 bits) as ``digest``."""
    return digest[:16] + ("1" if digest[16] == "0" else "0") + digest[17:]


def test_people_whose_hashes_share_a_person_key_are_told_apart(city, rnd, site, staff):
    """The person index is keyed on the hash's first 64 bits; two people with the same key
    (about one pair in a million in a city's round) must still be different people to the
    duplicate checks, the not-yet-sampled list and the counts."""
    from hotline.common.identity import id_hash, person_key

    from .. import tallies

    make_residents(city.supervisor, 4)
    first = services.register_sample(staff, site, id_number(0))
    for seq in (1, 2):
        twin = _twin(id_hash(id_number(seq)))
        assert person_key(twin) == person_key(id_hash(id_number(seq)))
        Sample.objects.create(
            round=rnd, tube=first.tube, grid_id=site.grid_id, id_hash=twin, id_masked="twin",
            sampled_at=timezone.now(),
        )  # fmt: skip
    assert Sample.objects.filter(id_masked="twin").values_list("person", flat=True).count() == 2
    missing = {p.id_masked for p in queries.not_sampled(rnd, VILLAGE, "masked")}
    assert missing == {
        Resident.objects.get(id_hash=id_hash(id_number(s))).id_masked for s in (1, 2, 3)
    }
    grid = rnd.grids.get(village_id=VILLAGE)
    assert tallies.count_grid(grid)[0] == 1  # the twins are on no roster
    report = services.import_samples(staff, rnd, [_row("K1", 1, site)])
    assert report.created == 1 and not report.errors
    reg = services.register_sample(staff, site, id_number(2))
    assert reg.sample.person == person_key(id_hash(id_number(2)))
    assert tallies.count_grid(grid)[0] == 3
    assert {p.id_masked for p in queries.not_sampled(rnd, VILLAGE, "masked")} == {
        Resident.objects.get(id_hash=id_hash(id_number(3))).id_masked
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_the_imports_look_ups_probe_per_person_whatever_the_statistics_know(city, rnd, site, staff):
    """Statistics gathered before a round began know nothing of it. Planned as a join, the
    duplicate look-up of a batch into that round read all of the round's swabs once per person
    of the batch (~15 s a batch of 20,000 in the bench); it must stay one index probe per
    person, for the swabs and for the roster."""
    from hotline.common.identity import id_hash, person_key

    services.import_samples(staff, rnd, [_row(f"S{i // 10}", i, site) for i in range(40)])
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Sample._meta.db_table}")
    later = make_round(city.supervisor)
    digests = sorted(id_hash(id_number(i)) for i in range(100, 110))
    keys = services._listed(sorted(person_key(d) for d in digests))
    swabs = services._in_list(
        "t.id_hash", Sample._meta.db_table, "person", keys, "t.round_id = %s", [later.pk]
    )
    roster = services._in_list(
        "t.id_hash, t.village_id", Resident._meta.db_table, "id_hash", services._listed(digests)
    )
    for sql, params in (swabs, roster):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        # the listed values outside, the table probed for each with the value as its condition
        # (a Seq Scan of the tiny test table, an index scan of a real one)
        outer, inner = plan.index("Function Scan on unnest k"), plan.index(" on sampling_")
        assert "Join Filter" not in plan and outer < inner and "= k.v)" in plan[inner:], plan


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's WAL checkpoint")
def test_a_failed_import_is_not_hidden_by_the_checkpoint_clean_up(city, rnd, site, staff):
    """When the batch fails and the connection then fails too, the batch's error is the one
    raised (the clean-up's used to replace it); nothing is checkpointed after a failure."""
    from django.db import OperationalError

    statements = []

    def broken_after_the_batch(execute, sql, params, many, context):
        statements.append(sql)
        if "INSERT INTO" in sql and Sample._meta.db_table in sql:
            raise RuntimeError("the batch failed")
        failed = any("INSERT INTO" in done for done in statements)
        if failed and sql.startswith("PRAGMA wal_autocheckpoint ="):
            raise OperationalError("disk I/O error")
        return execute(sql, params, many, context)

    with (
        connection.execute_wrapper(broken_after_the_batch),
        pytest.raises(RuntimeError, match="the batch failed"),
    ):
        services.import_samples(staff, rnd, [_row("F1", 1, site)])
    assert not any("wal_checkpoint" in sql for sql in statements)
    with connection.cursor() as cursor:  # the "broken" connection kept 0; the next test's is whole
        cursor.execute("PRAGMA wal_autocheckpoint = 1000")
    assert not Sample.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's WAL checkpoint")
def test_an_import_checkpoints_the_wal_after_its_commit_not_under_the_write_lock(
    city, rnd, site, staff
):
    """On its own (not inside another transaction) a batch commits without checkpointing and
    checkpoints once the transaction is over; the connection's setting is restored, also when
    the import is refused."""
    seen = []

    def watch(execute, sql, params, many, context):
        if "wal_" in sql or ("INSERT INTO" in sql and Sample._meta.db_table in sql):
            cursor = context["connection"].connection.execute("PRAGMA wal_autocheckpoint")
            seen.append((sql.split(" (")[0], connection.in_atomic_block, cursor.fetchone()[0]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        report = services.import_samples(staff, rnd, [_row("W1", i, site) for i in range(3)])
    assert report.created == 3
    table = Sample._meta.db_table
    assert seen == [
        ("PRAGMA wal_autocheckpoint", False, 1000),
        ("PRAGMA wal_autocheckpoint = 0", False, 1000),
        (f"INSERT INTO {table}", True, 0),  # the swabs written: no checkpoint at this commit
        ("PRAGMA wal_autocheckpoint = 1000", False, 0),
        ("PRAGMA wal_checkpoint(PASSIVE)", False, 1000),  # after the commit
    ]
    services.close_round(city.supervisor, rnd)
    with pytest.raises(SamplingError):
        services.import_samples(staff, rnd, [_row("W2", 5, site)])
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 1000
