"""The intake form as a newcomer uses it (issue #22): a second Ctrl+Enter, odd phone numbers,
a pasted essay — each refused or absorbed with a clear word, nothing lost, nothing doubled."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from hotline.orders.models import Order
from hotline.orders.services import receive

pytestmark = pytest.mark.django_db

TEXT = "我是茂南区公馆镇的残疾人，一个人住，家里没有吃的了，出不了门。"


def form_key(client) -> str:
    html = client.get(reverse("console:intake")).content.decode()
    return re.search(r'name="submission_key" value="([0-9a-f]{32})"', html).group(1)


def test_the_same_form_submitted_twice_registers_one_order(client, people):
    client.force_login(people.agent)
    key = form_key(client)
    data = {"channel": "phone", "caller_phone": "13900001111", "description": TEXT,
            "register": "1", "submission_key": key}  # fmt: skip
    first = client.post(reverse("console:intake"), data)
    second = client.post(reverse("console:intake"), data, follow=True)
    assert first.status_code == 302
    assert Order.objects.count() == 1
    order = Order.objects.get()
    assert second.redirect_chain[-1][0] == reverse("console:order", args=[order.number])
    assert "重复提交未再生成工单" in second.content.decode()
    # a fresh form is a new key: a second appeal is a second order
    data["submission_key"] = form_key(client)
    client.post(reverse("console:intake"), data)
    assert Order.objects.count() == 2


def test_first_contact_form_sent_twice_closes_once(client, people):
    client.force_login(people.agent)
    data = {"channel": "phone", "description": "请问公馆镇的核酸采样点几点开门？",
            "first_contact": "1", "answer": "每天 8:00 开放。",
            "submission_key": form_key(client)}  # fmt: skip
    assert client.post(reverse("console:intake"), data).status_code == 302
    assert client.post(reverse("console:intake"), data).status_code == 302
    order = Order.objects.get()
    assert order.events.filter(code="orders.order.closed").count() == 1


@pytest.mark.parametrize("phone", ["abc-123-xyz", "12", "1380013800013800138001"])
def test_bad_phone_is_refused_on_the_form_and_the_api(client, token_client, people, phone):
    client.force_login(people.agent)
    r = client.post(
        reverse("console:intake"),
        {"channel": "phone", "caller_phone": phone, "description": TEXT, "register": "1"},
    )
    assert r.status_code == 422
    assert "电话号码" in r.content.decode()
    api = token_client(people.agent)
    r = api.post(
        "/api/v1/orders",
        {"channel": "phone", "caller_phone": phone, "description": TEXT, "caller_name": "",
         "address": ""},
        content_type="application/json", headers={"Idempotency-Key": f"t-{phone}"},
    )  # fmt: skip
    assert r.status_code == 422, r.content
    assert Order.objects.count() == 0


@pytest.mark.parametrize("phone", ["", "13812345678", "+86 138 1234 5678", "0668-2281234", "12345"])
def test_real_numbers_are_accepted_by_the_service(people, phone):
    received = receive(people.agent, channel="phone", description=TEXT, caller_phone=phone)
    assert received.order.caller_phone == phone


def test_bad_phone_is_refused_by_the_service_for_every_door(people):
    from hotline.orders.errors import OrderError

    with pytest.raises(OrderError) as err:
        receive(people.agent, channel="web", description=TEXT, caller_phone="12")
    assert err.value.code == "bad_phone"


def test_a_pasted_essay_is_kept_and_the_agent_told_to_shorten_it(client, people):
    client.force_login(people.agent)
    essay = "封控在家没有米了。" * 2500  # 22,500 characters
    r = client.post(
        reverse("console:intake"), {"channel": "phone", "description": essay, "register": "1"}
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert "最多 4000 字，现有 22500 字" in html
    assert essay in html  # the text is still in the form, not cut off
    assert 'id="id_description" rows="7" data-max-chars="4000"' in html  # no silent maxlength
    assert Order.objects.count() == 0


def test_dispatched_order_offers_redispatch_and_times_are_readable(client, people):
    import datetime as dt

    from django.utils import timezone

    from hotline.orders import services

    text = "公馆镇圩镇路灯坏了一个星期，晚上很黑。"
    order = receive(people.agent, channel="phone", description=text, town_code="440902101").order
    client.force_login(people.supervisor)
    html = client.get(reverse("console:order", args=[order.number])).content.decode()
    assert order.status == "dispatched"
    assert "确认改派" in html and "确认派单" not in html
    r = client.post(
        reverse("console:action", args=[order.number, "dispatch"]), {"unit": "440902102"}
    )
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.handling_unit.code == "440902102"

    services.accept(people.other_town, order)
    until = order.resolve_deadline + dt.timedelta(days=3)
    services.request_extension(people.other_town, order, until=until, reason="需协调供水公司")
    html = client.get(reverse("console:order", args=[order.number])).content.decode()
    local = timezone.localtime(until)
    assert f"延期至：{local:%Y-%m-%d %H:%M}" in html
    assert until.isoformat()[:16] not in html.replace(f"{local:%Y-%m-%d %H:%M}", "")


def test_caller_history_for_a_volunteer_is_counts_and_status_and_every_lookup_is_recorded(
    client, people
):
    from hotline.orders.models import PersonalDataAccess

    text = "公馆镇圩镇路灯坏了一个星期，晚上很黑，请尽快派人修理。"
    order = receive(people.agent, channel="phone", description=text, caller_phone="13812345678")
    url = reverse("console:caller-history")

    client.force_login(people.volunteer)
    html = client.get(url, {"caller_phone": "13812345678"}).content.decode()
    assert "1 件" in html and "已派单待签收" in html
    assert order.order.number not in html and "路灯" not in html
    reads = PersonalDataAccess.objects.filter(user=people.volunteer, via="caller_history")
    assert reads.count() == 1

    client.force_login(people.agent)
    html = client.get(url, {"caller_phone": "13812345678"}).content.decode()
    assert order.order.number in html and "路灯" in html
    assert PersonalDataAccess.objects.filter(user=people.agent, order=order.order).count() == 1


INSULIN = "我住公馆镇，楼栋被封控了，我爸是糖尿病，家里的胰岛素明天就用完了，出不去买。"


def _panel(client, **fields):
    html = client.post(
        reverse("console:intake-assess"), {"description": INSULIN, **fields}
    ).content.decode()
    epidemic = re.search(r'data-field="epidemic">(.)<', html).group(1)
    unit = re.search(r'data-field="unit">([^<]*)<', html).group(1).strip()
    return epidemic, unit


def test_live_panel_shows_what_the_saved_order_gets(client, people):
    client.force_login(people.agent)
    epidemic, unit = _panel(client)
    r = client.post(reverse("console:intake"), {"channel": "phone", "description": INSULIN,
                                                "register": "1"})  # fmt: skip
    assert r.status_code == 302
    order = Order.objects.get()
    assert epidemic == ("是" if order.epidemic_related else "否")
    assert order.epidemic_related  # a sealed building's medicine is epidemic work
    assert unit == order.handling_unit.name

    # the agent's own choice moves the preview as it will move the order
    epidemic, unit = _panel(client, category="living", urgency="normal")
    assert unit == "茂南区公馆镇人民政府"


def test_the_address_field_places_an_appeal_whose_text_names_no_place(people):
    text = "楼下的垃圾站三天没人清运了，味道很大。"
    order = receive(people.agent, channel="phone", description=text, address="茂南区站南路88号")
    assert order.order.district_id == "440902"


def test_a_repeat_call_is_added_to_the_open_order_in_one_click(client, people):
    first = "公馆镇圩镇新街5号，我妈八十多岁一个人在家，封控后没有米了。"
    order = receive(people.agent, channel="phone", description=first, caller_phone="13811112222",
                    town_code="440902101", urgency="urgent").order  # fmt: skip
    client.force_login(people.agent)
    again = "公馆镇圩镇新街5号我妈八十多岁一个人在家，封控没米了，现在人已经晕倒了叫不醒"
    html = client.post(
        reverse("console:intake-assess"), {"description": again, "caller_phone": "13811112222"}
    ).content.decode()
    assert f'data-urge="{order.number}"' in html
    r = client.post(reverse("console:urge", args=[order.number]), {"description": again})
    assert r.status_code == 302
    assert Order.objects.count() == 1
    order.refresh_from_db()
    assert order.urgency == "critical"  # the caller said it got worse; never downgraded
    page = client.get(reverse("console:order", args=[order.number])).content.decode()
    assert "催办（再次来电）" in page and "升为“危急”" in page
