"""Demo work orders for the Maoming demo city: a few hundred appeals of the November 2022
surge, spread over the last ten days, in every state and on every clock (some overdue).

Idempotent: each demo order is received with the idempotency key ``demo-<n>`` by the demo
agent, and its scripted lifecycle runs only when the order was created by this run.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from hotline.accounts.roles import Role
from hotline.accounts.services import create_user
from hotline.geo.models import Division, HandlingUnit

from . import services
from .errors import OrderError
from .sweep import sweep

DEMO_COUNT = 300

# (description, appeal_type, category, urgency, vulnerable)
APPEALS = [
    (
        "我是残疾人，一个人在家，封控后家里没有吃的了，出不了门。",
        "help",
        "supplies",
        "urgent",
        ["disabled"],
    ),
    (
        "家里老人八十多岁，降压药快吃完了，小区封控买不到药。",
        "help",
        "medical",
        "urgent",
        ["elderly", "sick"],
    ),
    ("孕妇三十八周，肚子疼，小区出不去，需要去医院。", "help", "medical", "critical", ["pregnant"]),
    ("小孩奶粉只剩一天的量了，附近超市关门。", "help", "supplies", "urgent", ["child"]),
    ("请问今天核酸检测点在哪里，几点开始？", "inquiry", "testing", "normal", []),
    ("健康码突然变黄了，三天做了两次核酸都是阴性，怎么转绿？", "help", "health_code", "normal", []),
    ("核酸结果两天了还查不到，单位要求出示。", "complaint", "testing", "normal", []),
    ("出门证怎么办理？一户一天可以出去几个人？", "inquiry", "control", "normal", []),
    ("附近药店退烧药涨价到原来的三倍，要求查处。", "report", "market", "normal", []),
    ("菜市场青菜一斤卖二十元，价格太高。", "complaint", "market", "normal", []),
    ("小区停水一天了，物业联系不上。", "help", "living", "normal", []),
    ("楼道垃圾三天没人清运，味道很大。", "complaint", "living", "normal", []),
    ("货车司机想进城送菜，需要办什么通行证？", "inquiry", "travel", "normal", []),
    ("孩子学校什么时候复课？网课安排是怎样的？", "inquiry", "study_work", "normal", []),
    ("公司停工期间不发工资，怎么维权？", "complaint", "study_work", "normal", []),
    (
        "建议在村里多设一个核酸采样点，老人排队太久。",
        "suggestion",
        "testing",
        "normal",
        ["elderly"],
    ),
    ("感谢社区志愿者给我们送菜上门，服务很好。", "praise", "other", "normal", []),
    ("听说明天要全城静默，是真的吗？", "inquiry", "control", "normal", []),
    ("有人在小区聚集打牌不戴口罩，请管一管。", "report", "control", "normal", []),
    ("透析病人每周要去三次医院，封控后怎么出去？", "help", "medical", "urgent", ["sick"]),
]

# Target state of a demo order → how many in a hundred.
SCRIPTS = [
    ("queue", 8),
    ("dispatched", 14),
    ("accepted", 16),
    ("extension", 4),
    ("returned", 5),
    ("resolved", 12),
    ("closed", 20),
    ("reopened", 5),
    ("first_contact", 8),
    ("duplicate", 4),
    ("escalated", 4),
]


def _handler_for(unit: HandlingUnit, cache: dict):
    """A demo handler of ``unit`` (created without a password: it cannot log in)."""
    if unit.pk in cache:
        return cache[unit.pk]
    User = get_user_model()
    user = (
        User.objects.filter(hotline_profile__unit=unit, groups__name=Role.UNIT_HANDLER)
        .order_by("pk")
        .first()
    )
    if user is None:
        user = create_user(
            f"demo-{unit.code}",
            role=Role.UNIT_HANDLER,
            unit_code=unit.code,
            display_name=f"{unit.name}经办人（演示）",
        )
    cache[unit.pk] = user
    return user


def load(stdout) -> None:
    User = get_user_model()
    agent = User.objects.filter(username="agent").first()
    supervisor = User.objects.filter(username="supervisor").first()
    if agent is None or supervisor is None or not HandlingUnit.objects.exists():
        stdout.write("工单演示数据：缺少演示账号或承办单位，跳过。")
        return
    towns = list(
        Division.objects.filter(level="town", code__startswith="4409").values_list(
            "code", "parent_id"
        )
    )
    scripts = [name for name, weight in SCRIPTS for _ in range(weight)]
    now = timezone.now()
    handlers: dict = {}
    created = 0
    for n in range(DEMO_COUNT):
        # One generator per order, so a re-run draws the same appeal for the same key.
        rng = random.Random(4409_000 + n)
        text, appeal_type, category, urgency, vulnerable = rng.choice(APPEALS)
        town, district = rng.choice(towns)
        placed = rng.random() > 0.08
        script = rng.choice(scripts)
        if script == "first_contact":
            appeal_type, category, urgency, vulnerable = "inquiry", "testing", "normal", []
            text = "请问今天核酸检测点在哪里，几点开始？"
        if script == "queue":
            placed, category = False, "other"
        received_at = now - dt.timedelta(minutes=rng.randint(5, 10 * 24 * 60))
        phone = f"13{rng.randint(100000000, 999999999)}"
        name = rng.choice("张王李陈黄林吴刘何梁") + rng.choice(["先生", "女士", "伯", "姨"])
        result = services.receive(
            agent,
            channel=rng.choice(["phone"] * 8 + ["wechat", "web"]),
            description=text,
            caller_name=name,
            caller_phone=phone,
            address="",
            appeal_type=appeal_type,
            category=category,
            urgency=urgency,
            vulnerable=vulnerable,
            district_code=district if placed else None,
            town_code=town if placed else None,
            idempotency_key=f"demo-{n}",
            now=received_at,
        )
        if not result.created:
            continue
        created += 1
        try:
            _play(result.order, script, received_at, now, agent, supervisor, handlers, rng)
        except OrderError as exc:  # a script step refused by the rules is fine for a demo
            stdout.write(f"  演示工单 {result.order.number}：{exc}")
    # Sweep only when this run added orders, so that a re-run changes nothing.
    swept = sweep(now).total if created else 0
    stdout.write(f"工单：新增 {created}，超时记录 {swept}")


def _play(order, script, t, now, agent, supervisor, handlers, rng) -> None:
    def step(minutes_max=240):
        nonlocal t
        t = min(now, t + dt.timedelta(minutes=rng.randint(3, minutes_max)))
        return t

    n = order.number
    if script in ("queue",):
        return
    if script == "first_contact":
        if order.status == "received":
            services.close_at_first_contact(
                agent,
                n,
                answer="已告知最近的采样点和开放时间。",
                article_key="kb-testing-sites",
                now=step(10),
            )
        return
    if script == "duplicate":
        original = (
            order.__class__.objects.filter(status__in=["dispatched", "accepted"])
            .exclude(pk=order.pk)
            .first()
        )
        if original is not None and order.status in ("received", "dispatched"):
            services.link_duplicate(agent, n, of=original.number, now=step(30))
        return
    if order.handling_unit is None:
        services.dispatch(agent, n, unit="dept-health", now=step(30))
        order.refresh_from_db()
    if script == "dispatched":
        return
    handler = _handler_for(order.handling_unit, handlers)
    if script == "returned":
        services.return_to_center(handler, n, reason="诉求地点不在本单位辖区。", now=step(120))
        return
    services.accept(handler, n, now=step(60))
    if script == "escalated":
        services.escalate(supervisor, n, reason="群众反映强烈，请加快办理。", now=step(60))
        return
    if script == "extension":
        order.refresh_from_db()
        services.request_extension(
            handler,
            n,
            reason="需协调多个部门。",
            now=step(60),
            until=order.resolve_deadline + dt.timedelta(days=7),
        )
        return
    if script == "accepted":
        return
    services.resolve(handler, n, reply="已联系来电人并处理完毕。", now=step())
    if script == "resolved":
        return
    satisfied = (
        "dissatisfied"
        if script == "reopened"
        else rng.choice(["satisfied", "satisfied", "basically_satisfied"])
    )
    services.record_callback(agent, n, satisfaction=satisfied, note="回访已完成。", now=step(600))
