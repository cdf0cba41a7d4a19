"""Home pages: each role's worklist, in a bounded number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hotline.orders import services
from hotline.orders.models import Order

pytestmark = pytest.mark.django_db


def _numbers(response, section: str) -> list[str]:
    """The order numbers listed in one section (by id) of the page."""
    import re

    html = response.content.decode()
    start = html.index(f'id="{section}"')
    end = html.index("</section>", start)
    return re.findall(r'data-order="([^"]+)"', html[start:end])


def test_agent_sees_my_calls_today_callbacks_and_urgent_waiting(
    client, people, register, django_assert_max_num_queries
):
    mine = register()
    waiting = services.receive(
        people.agent, channel="phone", description="楼里老人断药，急需胰岛素",
        caller_phone="13800000001",
        appeal_type="help", category="medical", urgency="critical", vulnerable=["elderly"],
        town_code="440902101", route=False,
    ).order  # fmt: skip
    other = services.receive(
        people.supervisor, channel="phone", description="咨询核酸检测点的开放时间",
        caller_phone="13800000002", appeal_type="inquiry", category="testing", urgency="normal",
        town_code="440902101",
    ).order  # fmt: skip
    # Two resolved orders waiting for callback: the nearer clock comes first.
    later, sooner = register(), register()
    for order, hours in ((later, 30), (sooner, 2)):
        services.accept(people.gongguan, order)
        services.resolve(people.gongguan, order, reply="已修复路灯。")
        Order.objects.filter(pk=order.pk).update(
            callback_due=timezone.now() + dt.timedelta(hours=hours)
        )
    client.force_login(people.agent)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    calls = _numbers(response, "my-calls")
    assert mine.number in calls and waiting.number in calls and other.number not in calls
    assert _numbers(response, "callbacks-due") == [sooner.number, later.number]
    assert _numbers(response, "waiting-dispatch") == [waiting.number]
    html = response.content.decode()
    assert "13812345678" not in html and "138****5678" in html
    assert "路灯坏了" in html  # an agent reads the titles


def test_volunteer_sees_the_same_lists_masked(client, people, register):
    from django.apps import apps

    if apps.is_installed("hotline.workforce"):  # a volunteer takes calls after the basic course
        from hotline.workforce.tests.factories import PersonFactory, passed

        passed(PersonFactory(user=people.volunteer, kind="volunteer"))
    order = services.receive(
        people.volunteer, channel="phone", description="公馆镇圩镇路灯坏了，晚上很黑",
        caller_phone="13812345678", caller_name="王小明", appeal_type="help", category="living",
        urgency="normal", town_code="440902101",
    ).order  # fmt: skip
    client.force_login(people.volunteer)
    response = client.get(reverse("home"))
    assert _numbers(response, "my-calls") == [order.number]
    html = response.content.decode()
    assert "路灯" not in html and "13812345678" not in html and "王小明" not in html
    assert "公用事业与物业" in html


def test_supervisor_sees_counters_with_links_alarm_and_callbacks(
    client, people, register, django_assert_max_num_queries
):
    late = register(urgency="critical", description="独居老人晕倒在家，家属联系不上")
    Order.objects.filter(pk=late.pk).update(
        accept_deadline=timezone.now() - dt.timedelta(minutes=5)
    )
    register()
    client.force_login(people.supervisor)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("home"))
    html = response.content.decode()
    assert 'data-count="open">2<' in html
    assert 'data-count="alarm">1<' in html
    assert "危急工单超过签收时限未签收：1 件" in html
    assert f"{reverse('console:orders')}?status=open&amp;overdue=1" in html
    assert 'id="callbacks-due"' in html


def test_unit_handler_sees_due_soon_overdue_first_with_inbox_link(
    client, people, register, django_assert_max_num_queries
):
    now = timezone.now()
    soon, overdue, far = register(), register(), register()
    Order.objects.filter(pk=soon.pk).update(accept_deadline=now + dt.timedelta(hours=2))
    Order.objects.filter(pk=overdue.pk).update(accept_deadline=now - dt.timedelta(hours=1))
    Order.objects.filter(pk=far.pk).update(accept_deadline=now + dt.timedelta(days=2))
    elsewhere = register(town_code="440902102")
    Order.objects.filter(pk=elsewhere.pk).update(accept_deadline=now + dt.timedelta(hours=1))
    client.force_login(people.gongguan)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("home"))
    assert _numbers(response, "due-soon") == [overdue.number, soon.number]
    html = response.content.decode()
    assert reverse("console:inbox") in html
    assert "其中已超时 <strong" in html
    assert 'id="my-calls"' not in html and 'id="callbacks-due"' not in html


def test_admin_sees_system_status(client, people, register):
    register()
    client.force_login(people.admin)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert 'id="system-status"' in html and "在办工单" in html and "时限模式" in html
