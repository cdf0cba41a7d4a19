"""Bookings, suspensions, exceptions and the gate — around the seed's suspension instant."""

from __future__ import annotations

import datetime as dt

import pytest

from hotline.orders.models import Notification
from hotline.reserve import services
from hotline.reserve.choices import BookingStatus, ExceptionStatus
from hotline.reserve.errors import ReserveError
from hotline.reserve.models import Booking, ReserveEvent, Suspension
from hotline.reserve.queries import people_inside

from .factories import SECOND, SUSPENSION_START, TZ, visitor

pytestmark = pytest.mark.django_db

DAY6 = dt.date(2022, 11, 6)
BEFORE = SUSPENSION_START - SECOND


def book(serial=1, day=DAY6, now=BEFORE, area="datianding", **kw):
    return services.book(
        None, area_code=area, visit_date=day, visitor=visitor(serial, **kw), now=now
    )


def suspend(staff, *, now=SUSPENSION_START, effect="cancel", ends_at=None, area=None):
    return services.suspend(
        staff.manager,
        starts_at=SUSPENSION_START,
        ends_at=ends_at,
        reason="森林防火高火险期及疫情防控需要",
        effect=effect,
        area_code=area,
        now=now,
    )


def refused(code, fn, *args, **kwargs):
    with pytest.raises(ReserveError) as caught:
        fn(*args, **kwargs)
    assert caught.value.code == code, caught.value
    return caught.value


def test_booking_is_made_with_a_masked_id_and_an_sms(staff):
    b = book()
    assert b.status == BookingStatus.CONFIRMED and b.number.startswith("YK")
    assert b.id_masked.startswith("4409") and "*" in b.id_masked and len(b.id_hash) == 64
    assert "19900315" not in b.id_masked
    sms = Notification.objects.get(recipient=b.phone)
    assert b.number in sms.text and sms.event_code == "reserve.booking.created"
    assert ReserveEvent.objects.filter(code="reserve.booking.created", object_id=b.number).exists()


def test_just_before_at_and_after_the_suspension_instant(staff):
    """11:59:59 books; the suspension registered at 12:00 cancels that booking with an SMS;
    at 12:00:00 and after, every new booking is refused ("until further notice")."""
    made = book(1, now=BEFORE)
    suspension, touched = suspend(staff, now=SUSPENSION_START)
    assert touched == 1
    made.refresh_from_db()
    assert made.status == BookingStatus.CANCELLED and made.suspension == suspension
    assert Notification.objects.filter(
        recipient=made.phone, event_code="reserve.booking.cancelled"
    ).exists()
    error = refused("bookings_suspended", book, 2, now=SUSPENSION_START)
    assert "另行通知" in str(error) and "2022-11-06 12:00" in str(error)
    refused("bookings_suspended", book, 3, day=dt.date(2022, 11, 20), now=SUSPENSION_START + SECOND)


def test_in_force_includes_the_start_and_excludes_the_end(staff):
    end = SUSPENSION_START + dt.timedelta(days=2)
    s, _ = suspend(staff, ends_at=end)
    assert not s.in_force(BEFORE)
    assert s.in_force(SUSPENSION_START)
    assert s.in_force(end - SECOND) and not s.in_force(end)
    assert list(Suspension.objects.in_force(SUSPENSION_START)) == [s]
    assert not Suspension.objects.in_force(end).exists()


def test_a_suspension_registered_in_advance_refuses_days_it_touches_only(staff):
    end = dt.datetime(2022, 11, 8, 12, 0, tzinfo=TZ)
    suspend(staff, now=dt.datetime(2022, 11, 5, 9, 0, tzinfo=TZ), ends_at=end)
    early = dt.datetime(2022, 11, 5, 10, 0, tzinfo=TZ)
    refused("bookings_suspended", book, 1, day=DAY6, now=early)  # the afternoon is suspended
    refused("bookings_suspended", book, 2, day=dt.date(2022, 11, 8), now=early)
    assert book(3, day=dt.date(2022, 11, 9), now=early).status == BookingStatus.CONFIRMED
    # while it is in force, the platform takes no booking at all, for any day
    refused("bookings_suspended", book, 4, day=dt.date(2022, 11, 9), now=end - SECOND)
    # from the end instant on, days after it can be booked again
    assert book(5, day=dt.date(2022, 11, 9), now=end).status == BookingStatus.CONFIRMED


def test_held_bookings_are_valid_at_the_gate_until_the_instant_then_restored(staff):
    made = book(1, day=DAY6, now=dt.datetime(2022, 11, 5, 9, 0, tzinfo=TZ))
    later = book(2, day=dt.date(2022, 11, 9), now=dt.datetime(2022, 11, 5, 9, 5, tzinfo=TZ))
    s, touched = suspend(staff, effect="hold", now=dt.datetime(2022, 11, 6, 10, 0, tzinfo=TZ))
    assert touched == 2
    made.refresh_from_db()
    assert made.status == BookingStatus.HELD
    at_gate = services.gate_check(
        staff.ranger, entrance_code="qianpai", query=made.number, now=BEFORE
    )
    assert at_gate[0].valid
    after = services.gate_check(
        staff.ranger, entrance_code="qianpai", query=made.number, now=SUSPENSION_START
    )
    assert not after[0].valid and "暂停" in after[0].reason
    refused(
        "permit_invalid",
        services.register_passage,
        staff.ranger,
        entrance_code="qianpai",
        number=made.number,
        direction="in",
        people=1,
        now=SUSPENSION_START,
    )
    # the suspension ends on 8 Nov at 18:00: the 9 Nov booking is restored, the 6 Nov one is not
    _, restored = services.end_suspension(
        staff.manager,
        s.pk,
        ends_at=dt.datetime(2022, 11, 8, 18, 0, tzinfo=TZ),
        now=dt.datetime(2022, 11, 7, 9, 0, tzinfo=TZ),
    )
    assert restored == 1
    later.refresh_from_db()
    made.refresh_from_db()
    assert later.status == BookingStatus.CONFIRMED and made.status == BookingStatus.HELD
    assert Notification.objects.filter(
        recipient=later.phone, event_code="reserve.booking.restored"
    ).exists()


def test_an_approved_exception_opens_the_gate_during_the_suspension(staff):
    suspend(staff, now=dt.datetime(2022, 11, 6, 10, 0, tzinfo=TZ))
    request = services.apply_exception(
        None,
        area_code="datianding",
        kind="research",
        date_from=DAY6,
        date_to=dt.date(2022, 11, 7),
        purpose="黑桫椤样方监测",
        visitor=visitor(7, party_size=2),
        now=dt.datetime(2022, 11, 6, 11, 0, tzinfo=TZ),
    )
    check = services.gate_check(
        staff.ranger, entrance_code="qianpai", query=request.number, now=SUSPENSION_START
    )
    assert not check[0].valid and "待审批" in check[0].reason
    services.decide_exception(
        staff.manager, request.number, approve=True, reason="科研监测", now=BEFORE
    )
    # by ID number at 12:00:00 and at 12:00:01: valid
    for now in (SUSPENSION_START, SUSPENSION_START + SECOND):
        found = services.gate_check(
            staff.ranger, entrance_code="qianpai", query=visitor(7).id_number, now=now
        )
        assert [r.valid for r in found] == [True]
    services.register_passage(
        staff.ranger,
        entrance_code="qianpai",
        number=request.number,
        direction="in",
        people=2,
        now=SUSPENSION_START + SECOND,
    )
    refused(
        "party_exceeded",
        services.register_passage,
        staff.ranger,
        entrance_code="qianpai",
        number=request.number,
        direction="in",
        people=1,
        now=SUSPENSION_START + 2 * SECOND,
    )
    assert [x.inside for x in people_inside()] == [2]
    refused(
        "not_inside",
        services.register_passage,
        staff.ranger,
        entrance_code="qianpai",
        number=request.number,
        direction="out",
        people=3,
        now=SUSPENSION_START + 3 * SECOND,
    )
    services.register_passage(
        staff.ranger,
        entrance_code="qianpai",
        number=request.number,
        direction="out",
        people=2,
        now=SUSPENSION_START + 4 * SECOND,
    )
    assert people_inside() == []
    # the wrong gate, the wrong day
    wrong = services.gate_check(
        staff.ranger, entrance_code="magui", query=request.number, now=SUSPENSION_START
    )
    assert not wrong[0].valid
    late = services.gate_check(
        staff.ranger,
        entrance_code="qianpai",
        query=request.number,
        now=dt.datetime(2022, 11, 8, 9, 0, tzinfo=TZ),
    )
    assert not late[0].valid and "不含今天" in late[0].reason


def test_exception_decisions_need_a_manager_a_reason_and_happen_once(staff):
    request = services.apply_exception(
        None,
        area_code="magui-meadow",
        kind="resident",
        date_from=DAY6,
        date_to=DAY6,
        purpose="村民上山收生姜",
        visitor=visitor(8, party_size=1),
        now=BEFORE,
    )
    refused(
        "forbidden",
        services.decide_exception,
        staff.ranger,
        request.number,
        approve=True,
        reason="好",
    )
    refused(
        "reason_required",
        services.decide_exception,
        staff.manager,
        request.number,
        approve=False,
        reason=" ",
    )
    decided = services.decide_exception(
        staff.manager, request.number, approve=False, reason="非本村村民"
    )
    assert decided.status == ExceptionStatus.REFUSED
    sms = Notification.objects.get(event_code="reserve.exception.refused")
    assert "非本村村民" in sms.text
    refused(
        "already_decided",
        services.decide_exception,
        staff.manager,
        request.number,
        approve=True,
        reason="改批",
    )


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"id_number": "440902199003150010"}, "bad_id_number"),
        ({"phone": "12345"}, "bad_phone"),
        ({"name": "林"}, "bad_name"),
        ({"party_size": 11}, "bad_party_size"),
        ({"plate": "粤K-12!"}, "bad_plate"),
    ],
)
def test_bad_visitor_details_are_refused(staff, kwargs, code):
    refused(code, book, 1, **kwargs)


def test_dates_capacity_and_duplicates(staff):
    refused(
        "date_past",
        book,
        1,
        day=dt.date(2022, 11, 4),
        now=dt.datetime(2022, 11, 5, 9, 0, tzinfo=TZ),
    )
    refused(
        "date_too_far",
        book,
        1,
        day=dt.date(2022, 11, 25),
        now=dt.datetime(2022, 11, 5, 9, 0, tzinfo=TZ),
    )
    refused("area_not_found", book, 1, area="nowhere")
    now = dt.datetime(2022, 11, 5, 9, 0, tzinfo=TZ)
    book(1, party_size=10, area="magui-meadow", now=now)
    refused("duplicate_booking", book, 1, party_size=1, area="datianding", now=now)
    for n in range(2, 21):
        book(n, party_size=10, area="magui-meadow", now=now)
    assert Booking.objects.filter(area__code="magui-meadow").count() == 20
    error = refused("area_full", book, 99, party_size=1, area="magui-meadow", now=now)
    assert "余量 0 人" in str(error)


def test_only_managers_suspend(staff):
    refused("forbidden", suspend, type("S", (), {"manager": staff.ranger}))
    refused(
        "bad_window",
        services.suspend,
        staff.manager,
        starts_at=SUSPENSION_START,
        ends_at=SUSPENSION_START,
        reason="x",
    )
