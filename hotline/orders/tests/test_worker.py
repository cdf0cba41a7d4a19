"""The clock sweep and the outbox, with a frozen clock; the worker command runs one round."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from hotline.orders import services
from hotline.orders.choices import EventCode, NotificationStatus
from hotline.orders.models import Notification
from hotline.orders.outbox import deliver_pending
from hotline.orders.sweep import sweep

from .factories import T0, receive

H = dt.timedelta(hours=1)


def overdue_events(order, clock=None):
    qs = order.events.filter(code=EventCode.OVERDUE)
    return qs.filter(payload__clock=clock) if clock else qs


def test_each_clock_is_reported_exactly_once(people):
    order = receive(people.agent)  # accept by Tue 18:00, resolve by 21 Nov 18:00
    assert sweep(T0 + H).total == 0
    wednesday = dt.datetime(2022, 11, 9, 9, 0, tzinfo=T0.tzinfo)
    result = sweep(wednesday)
    assert result.overdue == {"accept": 1, "resolve": 0, "callback": 0}
    assert sweep(wednesday + H).total == 0
    assert overdue_events(order, "accept").count() == 1
    order.refresh_from_db()
    assert order.accept_overdue_at == wednesday
    assert order.escalated_at is None  # a normal order is not escalated automatically


def test_urgent_overdue_is_escalated_to_the_supervisor(people):
    order = receive(people.agent, urgency="urgent")
    Notification.objects.all().delete()
    result = sweep(T0 + 3 * H)
    assert result.overdue["accept"] == 1 and result.overdue["resolve"] == 1
    order.refresh_from_db()
    assert order.escalated_at == T0 + 3 * H
    assert order.events.filter(code=EventCode.ESCALATED, payload__automatic=True).exists()
    assert Notification.objects.filter(order=order, event_code=EventCode.ESCALATED).exists()


def test_a_new_clock_can_run_out_again(people):
    order = receive(people.agent, urgency="urgent")
    services.accept(people.maonan_epi, order.number, now=T0)
    sweep(T0 + 3 * H)
    services.resolve(people.maonan_epi, order.number, reply="已送达", now=T0 + 3 * H)
    services.record_callback(
        people.agent, order.number, satisfaction="dissatisfied", now=T0 + 4 * H
    )
    sweep(T0 + 7 * H)
    assert overdue_events(order, "resolve").count() == 2


def test_callback_clock(people):
    order = receive(people.agent)
    services.accept(people.gongguan, order.number, now=T0)
    services.resolve(people.gongguan, order.number, reply="已办", now=T0 + H)
    assert sweep(dt.datetime(2022, 11, 9, 9, 0, tzinfo=T0.tzinfo)).overdue["callback"] == 1


def test_closed_orders_are_not_swept(people):
    order = receive(people.agent, appeal_type="inquiry", district_code=None, town_code=None)
    services.close_at_first_contact(people.agent, order.number, answer="已答复", now=T0)
    assert sweep(T0 + dt.timedelta(days=30)).total == 0


def test_outbox_delivers_and_retries(people):
    receive(people.agent, urgency="urgent")
    assert Notification.objects.filter(status=NotificationStatus.PENDING).count() == 2

    def broken(note):
        raise ConnectionError("网关不可用")

    assert deliver_pending(T0, sender=broken) == 0
    failed = Notification.objects.filter(status=NotificationStatus.FAILED)
    assert failed.count() == 2 and failed.first().attempts == 1
    assert deliver_pending(T0) == 0  # not due again yet
    assert deliver_pending(T0 + H) == 2
    assert not Notification.objects.exclude(status=NotificationStatus.SENT).exists()


def test_worker_command_runs_one_round(people):
    receive(people.agent, now=T0 - dt.timedelta(days=30))
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert "超时记录" in out.getvalue()


def test_worker_command_rejects_bad_interval(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("worker", "--interval", "0")
