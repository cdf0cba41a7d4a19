"""The fire watch end to end: FIRMS import and clustering into incidents, orders through the
seam, signals, growth and merging, false alarms, the order subscription."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from hotline.orders import events
from hotline.orders import services as order_services
from hotline.orders.choices import Status
from hotline.orders.models import Order
from hotline.reserve import services
from hotline.reserve.choices import IncidentStatus, Outcome
from hotline.reserve.errors import ReserveError
from hotline.reserve.models import Detection, Incident, SignalSource
from hotline.reserve.queries import candidate_reports
from hotline.reserve.subscriptions import SUBSCRIBER

from .factories import INSIDE, photo_bytes, viirs_file, viirs_line

pytestmark = pytest.mark.django_db

RHODES = (
    Path(services.__file__).with_name("data") / "firms" / "viirs_snpp_archive_rhodes_2023-07.csv"
)


def now():
    return timezone.now().replace(microsecond=0)


def orders_of(incident):
    return list(
        Order.objects.filter(
            source_app="reserve", source_type="incident", source_id=str(incident.pk)
        )
    )


def test_the_shared_rhodes_file_makes_three_incidents_and_imports_once(reserve):
    kept = services.import_firms(None, str(RHODES))
    assert (kept.read, kept.outside, kept.new) == (953, 953, 0)  # Greece is not the reserve
    first = services.import_firms(None, str(RHODES), watch_all=True)
    assert (first.layout, first.new, first.incidents_opened) == ("archive", 953, 3)
    assert first.orders_raised == 0  # outside the watch area: recorded, no order
    counts = sorted(Incident.objects.values_list("detection_count", flat=True))
    assert counts == [2, 4, 947]
    main = Incident.objects.get(detection_count=947)
    assert main.status == IncidentStatus.OUTSIDE and main.max_frp == pytest.approx(460.92, abs=0.01)
    assert (main.last_seen - main.first_seen) > dt.timedelta(days=6)
    again = services.import_firms(None, str(RHODES), watch_all=True)
    assert (again.new, again.duplicate, again.incidents_opened) == (0, 953, 0)
    assert Incident.objects.count() == 3


def test_importing_in_two_parts_gives_the_same_incidents(reserve):
    lines = RHODES.read_text().splitlines()
    header, rows = lines[0], lines[1:]
    early = [r for r in rows if r.split(",")[5] <= "2023-07-21"]
    late = [r for r in rows if r.split(",")[5] > "2023-07-21"]
    services.import_firms(None, "\n".join([header, *late]) + "\n", watch_all=True)
    second = services.import_firms(None, "\n".join([header, *early]) + "\n", watch_all=True)
    assert second.incidents_merged >= 0
    live = Incident.objects.exclude(status=IncidentStatus.MERGED)
    assert sorted(live.values_list("detection_count", flat=True)) == [2, 4, 947]


def test_a_hot_spot_in_the_reserve_becomes_a_critical_order_to_the_station(reserve):
    t = now() - dt.timedelta(hours=2)
    result = services.import_firms(
        None, viirs_file(viirs_line(*INSIDE, t), viirs_line(INSIDE[0] + 0.002, INSIDE[1], t))
    )
    assert (result.new, result.incidents_opened, result.orders_raised) == (2, 1, 1)
    incident = Incident.objects.get()
    assert incident.status == IncidentStatus.DISPATCHED and incident.in_watch_area
    (order,) = orders_of(incident)
    assert (
        order.kind == "reserve.fire" and order.urgency == "critical" and order.category == "safety"
    )
    assert order.handling_unit.code == "reserve-yunkai"
    assert order.accept_deadline - order.received_at == dt.timedelta(minutes=15)
    # six hours later, the next pass sees it again: the incident grows, no second order
    later = services.import_firms(
        None,
        viirs_file(
            viirs_line(
                INSIDE[0] + 0.003, INSIDE[1] + 0.003, t + dt.timedelta(hours=6), sat="N20", frp=30.0
            )
        ),
    )
    assert (later.incidents_opened, later.incidents_grown, later.orders_raised) == (0, 1, 0)
    incident.refresh_from_db()
    assert incident.detection_count == 3 and incident.max_frp == 30.0
    assert incident.satellites == "NOAA-20、S-NPP"
    assert len(orders_of(incident)) == 1


def test_without_the_station_unit_the_town_office_gets_the_order(reserve):
    from hotline.geo.models import HandlingUnit
    from hotline.orders.cache import clear_all

    HandlingUnit.objects.filter(code="reserve-yunkai").update(active=False)
    clear_all()
    services.import_firms(None, viirs_file(viirs_line(*INSIDE, now())))
    (order,) = orders_of(Incident.objects.get())
    assert order.handling_unit.code == Incident.objects.get().town_code


def test_a_bridging_detection_merges_two_incidents(reserve):
    t = now() - dt.timedelta(hours=3)
    a, b = (22.2860, 111.1790), (22.2860, 111.1930)  # 1.44 km apart: two incidents
    services.import_firms(None, viirs_file(viirs_line(*a, t), viirs_line(*b, t)))
    first, second = Incident.objects.order_by("pk")
    services.import_firms(
        None,
        viirs_file(viirs_line(22.2860, 111.1860, t + dt.timedelta(hours=1), scan=0.6, track=0.5)),
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.status == IncidentStatus.MERGED and second.merged_into == first
    assert first.detection_count == 3
    assert orders_of(second)[0].status == Status.RESOLVED
    assert "同一火场" in orders_of(second)[0].reply


def test_a_remembered_false_alarm_suppresses_repeats(reserve, staff):
    t = now() - dt.timedelta(days=2)
    chimney = (22.3620, 111.0920)
    services.import_firms(None, viirs_file(viirs_line(*chimney, t)))
    incident = Incident.objects.get()
    with pytest.raises(ReserveError) as caught:
        services.resolve_incident(
            staff.ranger, incident.number, outcome="extinguished", remember_as="烟囱"
        )
    assert caught.value.code == "remember_needs_false_alarm"
    services.resolve_incident(
        staff.ranger,
        incident.number,
        outcome="false_alarm",
        note="砖厂烟囱排烟",
        remember_as="钱排砖厂烟囱",
    )
    assert orders_of(incident)[0].status == Status.RESOLVED
    repeat = services.import_firms(
        None, viirs_file(viirs_line(chimney[0] + 0.001, chimney[1], now()))
    )
    assert (repeat.incidents_opened, repeat.suppressed, repeat.orders_raised) == (1, 1, 0)
    suppressed = Incident.objects.get(status=IncidentStatus.SUPPRESSED)
    assert suppressed.false_alarm_site.name == "钱排砖厂烟囱"
    assert orders_of(suppressed) == []


def test_signals_match_open_incidents_or_open_one(reserve):
    camera = SignalSource.objects.get(code="cam-datianding-01")
    sentinel = SignalSource.objects.get(code="sentinel-yunkai-01")
    t = now()
    first, created = services.receive_signal(
        camera, services.SignalIn("c-1", t, *INSIDE, {"frame": 1})
    )
    assert created and first.opened_incident
    incident = first.incident
    assert incident.status == IncidentStatus.DISPATCHED and len(orders_of(incident)) == 1
    near, _ = services.receive_signal(
        sentinel, services.SignalIn("s-1", t, INSIDE[0] + 0.01, INSIDE[1])
    )
    assert near.incident == incident and not near.opened_incident
    incident.refresh_from_db()
    assert incident.signal_count == 2
    again, created = services.receive_signal(camera, services.SignalIn("c-1", t, *INSIDE))
    assert again == first and not created
    far, _ = services.receive_signal(sentinel, services.SignalIn("s-2", t, 22.20, 111.25))
    assert far.incident != incident
    # a satellite pass over the camera's fire joins it instead of opening another
    services.import_firms(None, viirs_file(viirs_line(*INSIDE, t)))
    assert Detection.objects.get().incident == incident
    note_texts = [e.payload.get("text", "") for e in orders_of(incident)[0].events.all()]
    assert any("智能森林哨卫" in text for text in note_texts)


@pytest.mark.parametrize(
    ("shift", "code"),
    [(dt.timedelta(days=4), "signal_too_old"), (-dt.timedelta(hours=1), "time_in_future")],
)
def test_stale_or_future_signals_are_refused(reserve, shift, code):
    camera = SignalSource.objects.get(code="cam-datianding-01")
    with pytest.raises(ReserveError) as caught:
        services.receive_signal(camera, services.SignalIn("x", now() - shift, *INSIDE))
    assert caught.value.code == code


def test_the_order_drives_the_incident_through_the_subscription(reserve, staff):
    camera = SignalSource.objects.get(code="cam-datianding-01")
    signal, _ = services.receive_signal(camera, services.SignalIn("c-9", now(), *INSIDE))
    incident = signal.incident
    (order,) = orders_of(incident)
    order_services.accept(staff.station, order)
    events.deliver(names=[SUBSCRIBER])
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ACCEPTED
    order_services.resolve(
        staff.station, Order.objects.get(pk=order.pk), reply="经核实为村民计划烧除，已报备"
    )
    events.deliver(names=[SUBSCRIBER])
    incident.refresh_from_db()
    assert (incident.status, incident.outcome) == (IncidentStatus.RESOLVED, Outcome.CONTROLLED_BURN)
    events.replay(SUBSCRIBER)
    events.deliver_all(names=[SUBSCRIBER])
    incident.refresh_from_db()
    assert incident.outcome == Outcome.CONTROLLED_BURN


def test_on_site_confirmation_needs_a_photo_and_notes_the_order(reserve, staff):
    camera = SignalSource.objects.get(code="cam-datianding-01")
    incident = services.receive_signal(camera, services.SignalIn("c-2", now(), *INSIDE))[0].incident
    for data, code in ((b"", "photo_required"), (b"not an image", "photo_unreadable")):
        with pytest.raises(ReserveError) as caught:
            services.confirm_on_site(staff.ranger, incident.number, photo=data)
        assert caught.value.code == code
    with pytest.raises(ReserveError) as caught:
        services.confirm_on_site(staff.agent, incident.number, photo=photo_bytes())
    assert caught.value.status == 403
    services.confirm_on_site(
        staff.ranger, incident.number, photo=photo_bytes(), note="林下可燃物阴燃约 50 平方米"
    )
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ON_SITE and incident.photos.count() == 1
    texts = [e.payload.get("text", "") for e in orders_of(incident)[0].events.all()]
    assert any("到场核实" in t for t in texts)
    services.resolve_incident(staff.ranger, incident.number, outcome="extinguished", note="已扑灭")
    with pytest.raises(ReserveError) as caught:
        services.resolve_incident(staff.ranger, incident.number, outcome="extinguished")
    assert caught.value.code == "incident_closed"


def test_a_phone_report_links_to_the_incident(reserve, staff):
    camera = SignalSource.objects.get(code="cam-datianding-01")
    incident = services.receive_signal(camera, services.SignalIn("c-3", now(), *INSIDE))[0].incident
    fire_call = order_services.receive(
        staff.agent,
        order_services.Appeal(
            channel="phone", description="钱排镇大田顶方向山上冒浓烟，像是山火", category="safety"
        ),
    ).order
    other = order_services.receive(
        staff.agent,
        order_services.Appeal(channel="phone", description="小区停水两天", category="living"),
    ).order
    # triage places the call in 钱排镇, a town around the reserve: offered for linking
    assert candidate_reports(incident) == [fire_call]
    link = services.link_order(staff.ranger, incident.number, fire_call.number)
    assert link.order == fire_call
    assert services.link_order(staff.ranger, incident.number, fire_call.number) == link  # once
    assert candidate_reports(incident) == []
    with pytest.raises(ReserveError) as caught:
        services.link_order(staff.ranger, incident.number, other.number)
    assert caught.value.code == "not_a_fire_report"


def test_duty_goes_to_field_staff_only(reserve, staff):
    day = timezone.localdate()
    shift = services.assign_duty(
        staff.manager, day=day, post="管理局值班室", username=staff.ranger.username
    )
    assert shift.user == staff.ranger
    with pytest.raises(ReserveError) as caught:
        services.assign_duty(
            staff.manager, day=day, post="钱排护林点", username=staff.agent.username
        )
    assert caught.value.code == "not_field_staff"
    with pytest.raises(ReserveError) as caught:
        services.assign_duty(staff.ranger, day=day, post="x", username=staff.ranger.username)
    assert caught.value.status == 403


def test_demo_is_idempotent(demo_city):
    import io

    from hotline.accounts import demo as accounts_demo
    from hotline.reserve import demo
    from hotline.reserve.models import Booking, ReserveEvent

    accounts_demo.load(io.StringIO())
    demo.load(io.StringIO())
    counts = (Incident.objects.count(), Booking.objects.count(), ReserveEvent.objects.count())
    demo.load(io.StringIO())
    assert (
        Incident.objects.count(),
        Booking.objects.count(),
        ReserveEvent.objects.count(),
    ) == counts
    assert Booking.objects.filter(status="cancelled").count() == 3
