"""The supervisor board as a surge fills it (issue #22): the newest critical order on top, counts
that lead to the list, an alarm for critical orders nobody accepted in time, one unit's or one
town's view."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from hotline.orders import services

pytestmark = pytest.mark.django_db


def receive(people, when, **fields):
    values = {"channel": "phone", "description": "公馆镇圩镇路灯坏了很久没人修。",
              "appeal_type": "complaint", "category": "living", "urgency": "urgent",
              "vulnerable": [], "town_code": "440902101"}  # fmt: skip
    values.update(fields)
    return services.receive(people.agent, now=when, **values).order


def numbers_in(html: str, section: str) -> list[str]:
    part = html.split(section, 1)[1].split("</section>", 1)[0]
    return re.findall(r'data-order="([\d-]+)"', part)


def test_a_new_critical_order_tops_the_board_past_forty_older_ones(client, people):
    now = timezone.now()
    old = [receive(people, now - dt.timedelta(days=9, minutes=i)) for i in range(40)]
    fresh = receive(people, now - dt.timedelta(minutes=1), urgency="critical",
                    description="公馆镇有人煤气中毒晕倒了", category="safety")  # fmt: skip
    client.force_login(people.supervisor)
    html = client.get(reverse("console:board-panels")).content.decode()
    queue = numbers_in(html, "危急 / 紧急工单")
    assert queue[0] == fresh.number
    assert len(queue) == 30
    assert "41 件" in html and "查看全部危急" in html
    overdue = numbers_in(html, "超时工单")
    assert overdue[0] == old[-1].number  # the deadline that ran out first
    assert fresh.number not in overdue
    assert f"{reverse('console:orders')}?status=open&amp;overdue=1" in html


def test_counters_lead_to_the_filtered_list(client, people):
    now = timezone.now()
    receive(people, now)
    receive(people, now, urgency="normal")
    client.force_login(people.supervisor)
    html = client.get(reverse("console:board-panels")).content.decode()
    href = re.search(r'href="([^"]+)"><div class="n" data-count="urgency-urgent"', html).group(1)
    listed = client.get(href.replace("&amp;", "&")).content.decode()
    assert listed.count('class="title-cell"') == 1
    href = re.search(r'href="([^"]+)"><div class="n" data-count="open"', html).group(1)
    listed = client.get(href.replace("&amp;", "&")).content.decode()
    assert listed.count('class="title-cell"') == 2


def test_alarm_for_critical_orders_not_accepted_in_time(client, people):
    now = timezone.now()
    late = receive(people, now - dt.timedelta(hours=2), urgency="critical", category="safety",
                   description="公馆镇有人煤气中毒晕倒了")  # fmt: skip
    on_time = receive(people, now, urgency="critical", category="safety",
                      description="公馆镇新街有人触电倒地")  # fmt: skip
    client.force_login(people.supervisor)
    html = client.get(reverse("console:board-panels")).content.decode()
    assert "危急工单超过签收时限未签收：1 件" in html
    alarm = html.split('id="critical-alarm"', 1)[1].split("</section>", 1)[0]
    assert late.number in alarm and on_time.number not in alarm
    assert f'data-urgent-ids="{late.pk}"' in html
    services.accept(people.gongguan, late)
    html = client.get(reverse("console:board-panels")).content.decode()
    assert "critical-alarm" not in html


def test_one_unit_or_one_town_view(client, people):
    now = timezone.now()
    gongguan = receive(people, now)
    xinpo = receive(people, now, town_code="440902102", description="新坡镇路灯坏了")
    client.force_login(people.supervisor)
    html = client.get(reverse("console:board"), {"town": "440902102"}).content.decode()
    assert xinpo.number in html and gongguan.number not in html
    html = client.get(reverse("console:board-panels"), {"unit": "440902101"}).content.decode()
    assert gongguan.number in html and xinpo.number not in html
    r = client.get(reverse("console:board"), {"unit": "no-such-unit"})
    assert r.status_code == 200 and "没有这个承办单位" in r.content.decode()
