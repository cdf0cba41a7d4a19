"""Demo data of the care app: 公馆镇's volunteers and supplies, the seed's case (a disabled man
out of food, 15:51 → 17:02 on 5 Nov 2022, answered and called back), and today's deliveries
in 艾屋村 and its neighbours — some on a volunteer's route, one registered by the community.

Idempotent: orders are received with fixed idempotency keys and each scripted step runs only
when its order was created by this run; users, stock and the community request are looked up
before they are made.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from hotline.accounts.roles import Role
from hotline.accounts.services import DEMO_PASSWORD, create_user
from hotline.geo.models import Division, HandlingUnit
from hotline.orders import services as orders

from . import services
from .choices import Origin
from .models import CareRequest, StockItem

TOWN = "440902101"  # 茂南区公馆镇
#: (username, display name): 公馆镇's delivery volunteers (field_staff, demo password).
VOLUNTEERS = [("gg_vol1", "志愿者 林志强"), ("gg_vol2", "志愿者 吴丽娟")]
STOCK = [("爱心菜包", 40, "袋"), ("大米（5 公斤）", 20, "袋"), ("婴儿奶粉", 6, "罐")]
JIANG_AT = dt.datetime(2022, 11, 5, 15, 51)
COMMUNITY_TEXT = "独居老人降压药已吃完，家属送来处方，请代购硝苯地平缓释片一盒"

# (key, minutes ago, village, text, need, items, step): today's appeals in 公馆镇
TODAY = [
    (
        "care-demo-1",
        95,
        "440902101216",
        "老人独居，封控三天家里没菜了，腿脚不便下不了楼",
        "groceries",
        "爱心菜包一袋",
        "route",
    ),
    (
        "care-demo-2",
        80,
        "440902101205",
        "家里小孩奶粉只剩一天的量，附近超市都关门了",
        "formula",
        "婴儿奶粉一罐",
        "route",
    ),
    (
        "care-demo-3",
        50,
        "440902101203",
        "一家四口居家隔离，米吃完了，想请社区帮忙买米",
        "groceries",
        "大米一袋",
        "on_the_way",
    ),
    (
        "care-demo-4",
        20,
        "440902101216",
        "我是残疾人，一个人在家，封控后没有饭吃",
        "meals",
        "午饭两份",
        "pending",
    ),
]


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _volunteers(stdout) -> list:
    made, users = 0, []
    production = getattr(settings, "HOTLINE_ENV", "") == "production"
    digest = None  # the demo password hashed once for both (the hasher is slow on purpose)
    for username, name in VOLUNTEERS:
        user = _user(username)
        if user is None:
            user = create_user(
                username, role=Role.FIELD_STAFF, unit_code=TOWN, display_name=name, validate=False
            )
            if not production:
                digest = digest or make_password(DEMO_PASSWORD)
                user.password = digest
                user.save(update_fields=["password"])
            made += 1
        users.append(user)
    stdout.write(f"居家关爱：志愿者新增 {made}")
    return users


def _village_name(code) -> str:
    village = Division.objects.filter(code=code).first() if code else None
    return village.name.removesuffix("委会") if village else ""


def _appeal(agent, key, text, now, village=None):
    return orders.receive(
        agent,
        orders.Appeal(
            channel="phone",
            description=text,
            caller_name="江先生" if key == "care-demo-jiang" else "黄女士",
            caller_phone="13822220000" if key == "care-demo-jiang" else f"1390000{key[-1]}888",
            address=f"茂南区公馆镇{_village_name(village)}{key[-1]}巷{len(text) % 20 + 1}号",
            appeal_type="help",
            category="supplies",
            urgency="urgent",
            vulnerable=["disabled"] if "残疾" in text else [],
            town_code=TOWN,
            village_code=village,
            idempotency_key=key,
        ),
        now=now,
    )


def load(stdout) -> None:
    agent, handler = _user("agent"), _user("gongguan")
    if agent is None or handler is None or not HandlingUnit.objects.filter(code=TOWN).exists():
        stdout.write("居家关爱演示数据：缺少演示账号或承办单位，跳过。")
        return
    vol1, vol2 = _volunteers(stdout)
    for name, quantity, measure in STOCK:
        if not StockItem.objects.filter(unit__code=TOWN, name=name).exists():
            services.receive_stock(
                handler, name=name, quantity=quantity, measure=measure, reason="区物资保障组调拨"
            )

    # The seed's case, on its own date and times.
    call = timezone.make_aware(JIANG_AT)
    received = _appeal(
        agent,
        "care-demo-jiang",
        "我是残疾人，因为封控家里已经没有吃的了，出不了门，请帮忙送点生活物资。",
        call,
        village="440902101001",
    )
    if received.created:
        m = dt.timedelta(minutes=1)
        care = services.create_from_order(
            agent,
            received.order.number,
            need="groceries",
            items="大米、面条、青菜、鸡蛋",
            now=call + 6 * m,
        )
        task = care.tasks.get()
        services.assign_task(handler, task.pk, volunteer=vol1, now=call + 14 * m)
        services.start_task(vol1, task.pk, now=call + 29 * m)
        services.deliver_task(
            vol1,
            task.pk,
            code=care.confirmation_code,
            now=call + 71 * m,
            note="已送到家门口，江先生当面确认",
        )
        orders.record_callback(
            agent,
            received.order.number,
            satisfaction="satisfied",
            note="物资已收到，感谢",
            now=call + dt.timedelta(hours=18),
        )

    now = timezone.now()
    routed = []
    made = 0
    for key, ago, village, text, need, items, step in TODAY:
        at = now - dt.timedelta(minutes=ago)
        received = _appeal(agent, key, text, at, village=village)
        if not received.created:
            continue
        made += 1
        care = services.create_from_order(
            agent, received.order.number, need=need, items=items, now=at + dt.timedelta(minutes=4)
        )
        task = care.tasks.get()
        if step == "route":
            routed.append(task.pk)
        elif step == "on_the_way":
            services.assign_task(handler, task.pk, volunteer=vol2)
            services.start_task(vol2, task.pk)
    if routed:
        services.plan_route(handler, vol1, routed)
    if not CareRequest.objects.filter(origin=Origin.COMMUNITY, description=COMMUNITY_TEXT).exists():
        services.create_from_community(
            handler,
            town_code=TOWN,
            village_code="440902101216",
            need="medicine",
            description=COMMUNITY_TEXT,
            address="茂南区公馆镇艾屋村五巷3号",
            household_name="梁阿婆",
            household_phone="13900003333",
            vulnerable=["elderly", "sick"],
            items="硝苯地平缓释片一盒",
        )
        made += 1
    stdout.write(f"居家关爱：新增需求 {made}")
