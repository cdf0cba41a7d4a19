"""A small fixture city for the formula tests: orders made through the order services at
fixed times, so every figure can be worked out by hand (docs/STATS.md does it)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hotline.orders import events, services
from hotline.orders.sweep import sweep

SH = ZoneInfo("Asia/Shanghai")
#: Monday 7 November 2022, 09:00 in Maoming.
T0 = dt.datetime(2022, 11, 7, 9, 0, tzinfo=SH)
M = dt.timedelta(minutes=1)
GONGGUAN, XINPO = "440902101", "440902102"


def receive(agent, at, **overrides):
    fields = {
        "channel": "phone",
        "description": "小区停水一天了，物业联系不上。",
        "caller_name": "张三",
        "caller_phone": "13812341234",
        "address": "",
        "appeal_type": "help",
        "category": "living",
        "urgency": "normal",
        "vulnerable": [],
        "district_code": "440902",
        "town_code": GONGGUAN,
    }
    fields.update(overrides)
    return services.receive(agent, now=at, **fields).order


def fixture_city(people) -> dict:
    """Six orders of 7 Nov 2022 with a known story each (see docs/STATS.md, "Worked example").

    A  公馆镇: accepted in 10 min, replied in time, callback satisfied.
    B  公馆镇: accepted 5 min after its accept deadline, replied after its resolve deadline,
       callback basically satisfied.
    C  公馆镇: accepted in 20 min, replied in time, callback dissatisfied → reopened, replied
       again in time, callback satisfied.
    D  公馆镇 returned it (in time, not accepted); the center dispatched it to 新坡镇, which
       accepted in 30 min.
    E  an inquiry closed at first contact by the agent (never dispatched).
    F  公馆镇: never accepted; the sweep records its accept clock run out.
    """
    agent, sup, g, x = people.agent, people.supervisor, people.gongguan, people.other_town
    o = {}
    o["A"] = receive(agent, T0)
    services.accept(g, o["A"].number, now=T0 + 10 * M)
    services.resolve(g, o["A"].number, reply="已处理", now=T0 + 60 * M)
    services.record_callback(agent, o["A"].number, satisfaction="satisfied", now=T0 + 90 * M)

    o["B"] = receive(agent, T0 + M)
    late_accept = o["B"].accept_deadline + 5 * M
    services.accept(g, o["B"].number, now=late_accept)
    services.resolve(g, o["B"].number, reply="已处理", now=o["B"].resolve_deadline + 60 * M)
    services.record_callback(
        agent,
        o["B"].number,
        satisfaction="basically_satisfied",
        now=o["B"].resolve_deadline + 90 * M,
    )

    o["C"] = receive(agent, T0 + 2 * M)
    services.accept(g, o["C"].number, now=T0 + 22 * M)
    services.resolve(g, o["C"].number, reply="已处理", now=T0 + 120 * M)
    services.record_callback(agent, o["C"].number, satisfaction="dissatisfied", now=T0 + 150 * M)
    services.resolve(g, o["C"].number, reply="再次处理", now=T0 + 240 * M)
    services.record_callback(agent, o["C"].number, satisfaction="satisfied", now=T0 + 300 * M)

    o["D"] = receive(agent, T0 + 3 * M)
    services.return_to_center(g, o["D"].number, reason="不在本镇辖区", now=T0 + 13 * M)
    services.dispatch(sup, o["D"].number, unit=XINPO, now=T0 + 20 * M)
    services.accept(x, o["D"].number, now=T0 + 50 * M)

    o["E"] = receive(
        agent,
        T0 + 4 * M,
        appeal_type="inquiry",
        category="testing",
        description="请问今天核酸检测点在哪里？",
        route=False,
    )
    services.close_at_first_contact(agent, o["E"].number, answer="已告知采样点。", now=T0 + 6 * M)

    o["F"] = receive(agent, T0 + 5 * M)
    sweep(o["F"].accept_deadline + M)
    events.deliver_all()
    for key, order in o.items():
        order.refresh_from_db()
        o[key] = order
    return o
