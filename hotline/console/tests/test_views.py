"""The work pages, as each role sees them."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from hotline.orders.choices import Status
from hotline.orders.models import Order, PersonalDataAccess


def order_url(order):
    return reverse("console:order", args=[order.number])


def act(client, order, action, **data):
    return client.post(reverse("console:action", args=[order.number, action]), data)


# --- order page ------------------------------------------------------------------------------
def test_order_page_masks_caller_and_lists_allowed_actions(client, people, register):
    order = register()
    client.force_login(people.gongguan)
    html = client.get(order_url(order)).content.decode()
    assert order.status == Status.DISPATCHED  # routed to the 公馆镇 office
    assert "138****5678" in html and "13812345678" not in html
    assert "王*" in html or "王" in html
    assert "确认签收" in html and "确认退单" in html
    assert "确认派单" not in html and "确认督办" not in html  # center/supervisor actions
    assert "办理过程" in html and "派单" in html


def test_other_town_handler_cannot_open_the_order(client, people, register):
    order = register()
    client.force_login(people.other_town)
    assert client.get(order_url(order)).status_code == 404
    r = act(client, order, "accept")
    assert r.status_code == 404
    assert Order.objects.get(pk=order.pk).status == Status.DISPATCHED


def test_unit_handler_accepts_and_resolves_from_the_page(client, people, register):
    order = register()
    client.force_login(people.gongguan)
    r = act(client, order, "accept")
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.ACCEPTED
    r = act(client, order, "resolve", reply="")
    assert r.status_code == 422
    assert "这个字段是必填项" in r.content.decode() or "必填" in r.content.decode()
    r = act(client, order, "resolve", reply="已更换路灯，经现场确认恢复照明。")
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.RESOLVED
    assert order.reply.startswith("已更换路灯")


@pytest.mark.parametrize("given", ["-1", "inbox", "https://example.com/"])
def test_an_action_with_a_foreign_next_returns_to_the_order(client, people, register, given):
    # a bare word was reversed as a view name after the action had been done: a 500
    order = register()
    client.force_login(people.gongguan)
    r = act(client, order, "accept", next=given)
    assert r.status_code == 302 and r["Location"] == order_url(order)
    order.refresh_from_db()
    assert order.status == Status.ACCEPTED
    r = act(client, order, "resolve", reply="已更换路灯，经现场确认恢复照明。", next="/inbox/")
    assert r.status_code == 302 and r["Location"] == "/inbox/"


def test_refused_action_is_explained_not_500(client, people, register):
    order = register()
    client.force_login(people.gongguan)
    r = act(client, order, "callback", satisfaction="satisfied")
    assert r.status_code == 403
    assert "不能" in r.content.decode()
    assert client.post(reverse("console:action", args=[order.number, "explode"])).status_code == 404


def test_service_error_shows_next_to_the_action(client, people, register):
    order = register()
    client.force_login(people.gongguan)
    act(client, order, "accept")
    r = act(client, order, "request-extension", until="2000-01-01T10:00", reason="材料未齐")
    assert r.status_code == 422
    assert "延期时间必须晚于现在" in r.content.decode()


def test_reveal_is_recorded_and_refused_for_volunteers(client, people, register):
    order = register(address="茂南区公馆镇某某村3巷12号")
    client.force_login(people.agent)
    page = client.get(order_url(order)).content.decode()
    assert "3巷12号" not in page and "茂南区公馆镇某某村****" in page
    r = client.post(reverse("console:reveal", args=[order.number]))
    assert r.status_code == 422 and "请填写查看理由" in r.content.decode()
    assert "13812345678" not in r.content.decode()
    why = {"reason": "回拨核实地址"}
    r = client.post(reverse("console:reveal", args=[order.number]), why)
    assert r.status_code == 200
    assert "13812345678" in r.content.decode() and "3巷12号" in r.content.decode()
    assert PersonalDataAccess.objects.filter(order=order, user=people.agent).count() == 1
    client.force_login(people.volunteer)
    page = client.get(order_url(order)).content.decode()
    assert "显示完整信息" not in page and "3巷12号" not in page
    r = client.post(reverse("console:reveal", args=[order.number]), why)
    assert r.status_code == 403
    assert "13812345678" not in r.content.decode()
    assert PersonalDataAccess.objects.filter(order=order, user=people.volunteer).count() == 0


# --- inbox -----------------------------------------------------------------------------------
def test_inbox_lists_only_my_units_orders_nearest_deadline_first(
    client, people, register, django_assert_max_num_queries
):
    normal = register()
    # urgent but not epidemic: stays with the town office (epidemic ones go to the district)
    urgent = register(
        description="公馆镇独居老人家里停水两天了",
        urgency="urgent",
        category="living",
        epidemic_related=False,
    )
    elsewhere = register(town_code="440902102")
    client.force_login(people.gongguan)
    with django_assert_max_num_queries(12):
        r = client.get(reverse("console:inbox-rows"))
    html = r.content.decode()
    assert urgent.number in html and normal.number in html
    assert elsewhere.number not in html
    assert html.index(urgent.number) < html.index(normal.number)
    assert f'data-urgent-ids="{urgent.pk}"' in html


def test_inbox_is_for_unit_handlers(client, people):
    client.force_login(people.agent)
    assert client.get(reverse("console:inbox")).status_code == 403


# --- board -----------------------------------------------------------------------------------
def test_board_counts_and_queue(client, people, register, django_assert_max_num_queries):
    register()
    critical = register(description="公馆镇有人煤气泄漏晕倒", urgency="critical", category="safety")
    client.force_login(people.supervisor)
    # a fixed number: session and user, counts, four tables and their totals, the alarm, the
    # mode, the unit and town pickers, the workforce panel (on shift, staffing) — not one per row
    with django_assert_max_num_queries(24):
        r = client.get(reverse("console:board-panels"))
    html = r.content.decode()
    assert critical.number in html
    assert 'data-count="open">2<' in html
    assert 'data-count="urgency-critical">1<' in html


def test_board_surge_switch(client, people):
    from hotline.orders.clocks import current_mode
    from hotline.orders.models import OperatingMode

    client.force_login(people.supervisor)
    # no reason, no switch: the board asks for one
    r = client.post(reverse("console:board-mode"), {"mode": "surge"}, follow=True)
    assert current_mode() == "normal"
    assert "切换时限模式须填写原因" in r.content.decode()
    r = client.post(reverse("console:board-mode"), {"mode": "surge", "reason": "全域静态管理"})
    assert r.status_code == 302
    assert current_mode() == "surge"
    assert OperatingMode.objects.get().reason == "全域静态管理"
    assert "全域静态管理" in client.get(reverse("console:board")).content.decode()
    client.force_login(people.agent)
    assert client.get(reverse("console:board")).status_code == 403


# --- lists and export ------------------------------------------------------------------------
def test_list_filters_and_bad_dates(client, people, register, django_assert_max_num_queries):
    a = register()
    b = register(urgency="urgent", category="supplies", description="公馆镇老人缺药")
    client.force_login(people.agent)
    with django_assert_max_num_queries(12):  # + one query per picker (units, towns)
        r = client.get(reverse("console:orders"), {"urgency": "urgent"})
    html = r.content.decode()
    assert b.number in html and a.number not in html
    r = client.get(reverse("console:orders"), {"date_from": "昨天"})
    assert r.status_code == 200
    assert "日期格式应为" in r.content.decode()


def test_unit_handler_list_shows_only_own(client, people, register):
    mine = register()
    other = register(town_code="440902102")
    client.force_login(people.gongguan)
    html = client.get(reverse("console:orders")).content.decode()
    assert mine.number in html and other.number not in html


def _list(client, **params) -> str:
    return client.get(reverse("console:orders"), params).content.decode()


def test_list_count_is_capped_and_paging_goes_on_past_the_cap(
    client, people, register, monkeypatch
):
    from hotline.console import queries

    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    monkeypatch.setattr(queries, "LIST_PAGE_SIZE", 1)
    orders = [register() for _ in range(4)]  # newest last; the list shows newest first
    register(town_code="440902102")  # another unit's
    client.force_login(people.supervisor)
    html = _list(client)
    assert "共 2+ 件" in html and "第 1 / 2+ 页" in html and "超出部分不逐一计数" in html
    assert "page=2" in html
    html = _list(client, page=4)
    assert "共 4+ 件" in html and "第 4 / 4+ 页" in html and orders[1].number in html
    html = _list(client, page=5)
    assert "共 5 件" in html and "第 5 / 5 页" in html and orders[0].number in html
    assert "下一页" not in html and "超出部分" not in html
    assert "第 1 / " in _list(client, page="last") and "第 5 / 5 页" in _list(client, page=99)
    # A unit handler's capped count is of their own orders only.
    client.force_login(people.gongguan)
    monkeypatch.setattr(queries, "COUNT_CAP", 10)
    assert "共 4 件" in _list(client)
    assert "共 0 件" in _list(client, unit="440902102")


def test_overdue_orders_of_a_district_or_a_unit(client, people, register):
    """The same rows on both engines; SQLite reads the overdue ids first beside another
    filter, PostgreSQL keeps the plain condition (docs/ORDERS.md, "Lists at scale")."""
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from hotline.orders.models import Order

    past = timezone.now() - dt.timedelta(hours=1)
    late, on_time, late_elsewhere = (
        register(), register(), register(town_code="440981002")
    )  # fmt: skip
    Order.objects.filter(pk__in=[late.pk, late_elsewhere.pk]).update(
        accept_deadline=past, resolve_deadline=past
    )
    for who, params in ((people.supervisor, {"district": "440902"}), (people.gongguan, {})):
        client.force_login(who)
        with CaptureQueriesContext(connection) as ctx:
            html = _list(client, overdue="1", **params)
        assert late.number in html and "共 1 件" in html
        assert on_time.number not in html and late_elsewhere.number not in html
        count = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
        ids_first = '"orders_order"."id" IN (SELECT' in count[0]
        assert ids_first == (connection.vendor == "sqlite"), count
    client.force_login(people.supervisor)
    html = _list(client, overdue="1")  # the whole city's: the plain condition everywhere
    assert late.number in html and late_elsewhere.number in html and "共 2 件" in html


def test_search_by_order_number_or_its_day(client, people, register):
    mine = register(description="公馆镇路灯坏了，编号 12345678 的灯杆。")
    other = register(town_code="440902102")
    client.force_login(people.supervisor)
    html = _list(client, q=mine.number)
    assert order_url(mine) in html and order_url(other) not in html and "共 1 件" in html
    html = _list(client, q=mine.number[:8])
    assert mine.number in html and other.number in html
    assert mine.number in _list(client, q=mine.number[:11])
    # A number-shaped search reads numbers, not texts; other text still searches the texts.
    assert "共 0 件" in _list(client, q="12345678")
    assert mine.number in _list(client, q="灯杆")
    client.force_login(people.gongguan)
    html = _list(client, q=other.number)
    assert order_url(other) not in html and "共 0 件" in html
    assert order_url(mine) in _list(client, q=mine.number)


def test_csv_export_is_masked_and_safe(client, people, register):
    register(title='=HYPERLINK("x")')
    client.force_login(people.supervisor)
    r = client.get(reverse("console:orders"), {"export": "csv"})
    assert r["Content-Type"].startswith("text/csv")
    body = b"".join(r.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "工单编号"
    assert rows[1][rows[0].index("来电号码")] == "138****5678"
    assert rows[1][7].startswith("'=")


def test_xlsx_export_opens(client, people, register):
    from openpyxl import load_workbook

    register()
    client.force_login(people.agent)
    r = client.get(reverse("console:orders"), {"export": "xlsx"})
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    assert ws.cell(1, 1).value == "工单编号"
    assert ws.cell(2, 15).value == "138****5678"  # 来电号码


# --- intake ----------------------------------------------------------------------------------
def test_intake_registers_and_routes_to_the_town(client, people):
    client.force_login(people.agent)
    r = client.post(
        reverse("console:intake"),
        {
            "channel": "phone",
            "caller_phone": "13900001111",
            "description": "我是茂南区公馆镇的残疾人，一个人住，家里没有吃的了，出不了门。",
            "register": "1",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    order = Order.objects.get(caller_phone="13900001111")
    assert order.town_id == "440902101"
    assert order.urgency in ("urgent", "critical")
    assert "disabled" in order.vulnerable
    assert order.handling_unit is not None
    assert r.url == order_url(order)


def test_intake_empty_text_is_explained(client, people):
    client.force_login(people.agent)
    r = client.post(reverse("console:intake"), {"channel": "phone", "description": ""})
    assert r.status_code == 422
    assert "请记录来电人的诉求内容" in r.content.decode()
    assert Order.objects.count() == 0


def test_intake_first_contact_needs_an_answer_then_closes(client, people):
    client.force_login(people.agent)
    data = {"channel": "phone", "description": "请问公馆镇的核酸采样点几点开门？",
            "first_contact": "1"}  # fmt: skip
    r = client.post(reverse("console:intake"), data)
    assert r.status_code == 422
    assert "首呼办结须填写答复内容" in r.content.decode()
    data["answer"] = "公馆镇卫生院采样点每天 8:00–20:00 开放。"
    r = client.post(reverse("console:intake"), data)
    assert r.status_code == 302
    order = Order.objects.get()
    assert order.status == Status.CLOSED


def test_live_triage_panel_explains(client, people):
    client.force_login(people.agent)
    r = client.post(
        reverse("console:intake-assess"),
        {"description": "公馆镇我老婆羊水破了，要生了，封控出不去，快来人"},
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert 'data-urgency="critical"' in html
    assert "120" in html  # the linkage prompt
    assert "判断依据" in html


def test_critical_banner_gives_the_reason_for_the_urgency(client, people):
    """Not the first reason (an age flag here) but the one that made the appeal critical."""
    from hotline.triage import assess

    text = "【跌倒告警】腕带用户 男 84岁 检测到跌倒 60秒未按取消 心率128 联系人电话未接通"
    a = assess(text)
    reason = a.urgency_reasons[0]
    assert a.urgency == "critical" and reason != a.reasons[0]
    client.force_login(people.agent)
    r = client.post(reverse("console:intake-assess"), {"description": text})
    banner = r.content.decode().split('role="alert"')[1].split("</div></div>")[0]
    assert f"判断依据：{reason}" in banner


def test_caller_history_shows_repeat_callers(client, people, register):
    order = register()
    client.force_login(people.agent)
    r = client.get(reverse("console:caller-history"), {"caller_phone": "13812345678"})
    assert order.number in r.content.decode()


@pytest.mark.parametrize("url_name", ["console:intake", "console:board", "console:inbox"])
def test_pages_need_login(client, db, url_name):
    r = client.get(reverse(url_name))
    assert r.status_code == 302 and "/accounts/login/" in r.url


def test_unknown_order_is_a_chinese_404(client, people):
    client.force_login(people.agent)
    r = client.get(reverse("console:order", args=["20221105-999999"]))
    assert r.status_code == 404
    assert "不在您的办理范围内" in r.content.decode()


def test_live_triage_suggests_articles_with_links(client, people):
    import io

    from hotline.knowledge import demo as kb_demo

    kb_demo.load(io.StringIO())
    client.force_login(people.agent)
    r = client.post(
        reverse("console:intake-assess"),
        {"description": "请问公馆镇核酸采样点在哪里，几点开门？"},
    )
    html = r.content.decode()
    assert "知识库参考" in html
    assert 'href="/kb/a/' in html
    assert "<mark>" in html


def test_supervisor_dispatches_escalates_and_decides_from_the_board(client, people, register):
    from hotline.orders import services

    waiting = register(town_code=None, category="other", description="有人反映噪音扰民，地点说不清")
    assert waiting.status == Status.RECEIVED
    urgent = register(
        description="公馆镇独居老人家里停水两天了", urgency="urgent", epidemic_related=False
    )
    services.accept(people.gongguan, urgent)
    services.request_extension(
        people.gongguan, urgent, until=urgent.resolve_deadline + dt.timedelta(days=1),
        reason="需协调供水公司",
    )  # fmt: skip
    client.force_login(people.supervisor)
    html = client.get(reverse("console:board-panels")).content.decode()
    assert "选择承办单位" in html and "同意" in html and "督办" in html

    r = act(client, waiting, "dispatch", unit="440902-gov", next="/board/")
    assert r.status_code == 302 and r.url == "/board/"
    waiting.refresh_from_db()
    assert waiting.handling_unit.code == "440902-gov"

    act(client, urgent, "decide-extension", approve="1", next="/board/")
    urgent.refresh_from_db()
    assert not urgent.extension_pending

    act(client, urgent, "escalate", reason="值班长督办：请立即处理并反馈", next="/board/")
    urgent.refresh_from_db()
    assert urgent.escalated_at is not None


def test_timeline_explains_a_triage_override(client, people):
    from hotline.orders import services

    order = services.receive(
        people.agent,
        channel="phone",
        description="公馆镇有人家里着火了，浓烟很大",
        urgency="normal",
    ).order
    client.force_login(people.agent)
    html = client.get(order_url(order)).content.decode()
    assert "人工更正分拣" in html
    assert "紧急程度：智能分拣为“危急”，人工改为“一般”" in html


def test_first_contact_citation_is_recorded_and_checked(client, people):
    import io

    from hotline.knowledge import demo as kb_demo
    from hotline.knowledge.models import Article, Citation

    kb_demo.load(io.StringIO())
    key = Article.objects.published().values_list("key", flat=True).first()
    client.force_login(people.agent)
    data = {
        "channel": "phone",
        "description": "请问公馆镇的核酸采样点几点开门？",
        "first_contact": "1",
        "answer": "每天 8 点开放。",
        "article_key": "no-such-article",
    }
    r = client.post(reverse("console:intake"), data)
    assert r.status_code == 422
    assert "no-such-article" in r.content.decode()
    assert Order.objects.count() == 0  # nothing half-done: the receive rolled back too
    data["article_key"] = key
    r = client.post(reverse("console:intake"), data)
    assert r.status_code == 302
    order = Order.objects.get()
    assert order.article_key == key
    assert Citation.objects.filter(article__key=key, order_number=order.number).count() == 1


def test_live_triage_flags_a_likely_repeat(client, people, register):
    first = register(description="公馆镇圩镇市场旁边的路灯坏了一个星期，晚上很黑")
    client.force_login(people.agent)
    r = client.post(
        reverse("console:intake-assess"),
        {"description": "公馆镇圩镇市场旁边路灯坏了一个多星期了，晚上黑乎乎的"},
    )
    html = r.content.decode()
    assert "可能的重复件" in html
    assert first.number in html
