"""Demo orders from every door: Open311, the resident portal, a bulk import, and SMS, WeChat
and 12345-app webhook messages — places in 茂南区 and 电白区.

Idempotent: every demo appeal has a fixed key (Open311 Idempotency-Key, portal form token,
import row key, webhook message id), so a second run answers with the same orders.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

from hotline.accounts.roles import Role
from hotline.accounts.services import create_user
from hotline.geo.models import HandlingUnit
from hotline.orders.services import Appeal

from .services import imports, receive_hook, receive_open311
from .services.portal import Submission, file_verified, portal_appeal

OPEN311_CLIENT = "open311_demo"

OPEN311 = [
    ("o311-demo-1", "living", "茂南区公馆镇圩镇路灯连续三晚不亮，夜里核酸排队很黑。", "440902101"),
    (
        "o311-demo-2",
        "testing",
        "新坡镇卫生院采样点排队太长，老人站不住，建议加开窗口。",
        "440902102",
    ),
]
PORTAL = [
    (
        "d3m0" + "0" * 28,
        "13902680001",
        "medical",
        "我父亲七十八岁，透析病人，明天要去市人民医院透析，小区封着出不去，求帮忙。",
        "440902",
        "440902101",
    ),
    (
        "d3m0" + "0" * 27 + "1",
        "13902680002",
        "supplies",
        "独居老人家里米和菜都吃完了，封控三天没人送物资。",
        "440904",
        None,
    ),
]
IMPORT_CSV = (
    "编号,诉求内容,来电号码,诉求分类,镇街代码\n"
    "ZW-20221107-0001,健康码变黄三天了，核酸都是阴性，怎么转绿？,13802680011,健康码/行程卡,440902101\n"
    "ZW-20221107-0002,菜市场青菜一斤卖二十元，要求查处哄抬价格。,13802680012,市场价格,440902102\n"
    "ZW-20221107-0003,楼下垃圾三天没人清运，味道很大。,13802680013,公用事业与物业,440902101\n"
)
HOOKS = [
    ("sms", "sms-demo-1", "公馆镇某村停水两天了，村里老人多，请尽快安排送水。", "13702680021"),
    ("wechat", "wx-demo-1", "请问茂南区现在去广州需要什么证明？", "13702680022"),
    ("app", "app-demo-1", "小孩奶粉只剩一天的量，附近超市都关门了。", "13702680023"),
]


def _client():
    User = get_user_model()
    user = User.objects.filter(username=OPEN311_CLIENT).first()
    if user is None:
        # A machine account with no center role: Open311 clients may only file requests.
        user = create_user(OPEN311_CLIENT, role=Role.FIELD_STAFF, display_name="Open311 演示客户端")
    return user


def load(stdout) -> None:
    if not HandlingUnit.objects.exists():
        stdout.write("受理渠道演示数据：缺少承办单位，跳过。")
        return
    now = timezone.now()
    new = 0
    client = _client()
    for key, category, text, town in OPEN311:
        result = receive_open311(
            client,
            Appeal(channel="open311", description=text, category=category, town_code=town),
            key=f"open311:h:{key}",
            dedupe_base="",
            now=now,
            device_id="demo-device",
        )
        new += result.created
    for token, phone, category, text, district, town in PORTAL:
        submission = Submission(
            token=token,
            phone=phone,
            code="",
            description=text,
            category=category,
            district_code=district,
            town_code=town,
        )
        before = now
        order = file_verified(portal_appeal(submission, phone), submission, now=now)
        new += order.received_at >= before
    checked = imports.validate(_client_import(), IMPORT_CSV.encode(), "csv", "import")
    counts = imports.run(_client_import(), checked.appeals)
    new += counts["created"]
    for channel, message_id, text, phone in HOOKS:
        result = receive_hook(
            channel, message_id, Appeal(channel=channel, description=text, caller_phone=phone)
        )
        new += result.created
    stdout.write(
        f"受理渠道演示数据：新建 {new} 条（Open311、居民网页、批量导入、短信、微信、App）。"
    )


def _client_import():
    User = get_user_model()
    return User.objects.filter(username="supervisor").first() or _client()
