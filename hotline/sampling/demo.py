"""Demo data of the sampling app: a district round over 茂南区 begun nine hours ago, three
sites in 公馆镇 (艾屋村 among them) with a swabber (``swabber``, field staff), a roster of 900
residents in three villages (synthetic but valid identity numbers), most of them swabbed on
site or at home, the lab's results of the first tubes with one positive 5-in-1 pool: five
recalls and their urgent orders at the 公馆镇 office, one of them already re-swabbed negative
and closed.

Idempotent: nothing is done when the round exists.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from hotline.accounts.roles import Role
from hotline.accounts.services import DEMO_PASSWORD, create_user
from hotline.common.identity import check_digit

from . import services
from .choices import TubeStatus
from .models import Round, Tube

ROUND_NAME = "茂南区第三轮全员核酸检测"
VILLAGES = {  # village: (residents, risk level, site, address)
    # 艾屋村: the seed's village (2,180 swabbed on site, 425 at home in one day), here a sample
    "440902101216": (400, "low", "艾屋村委会采样点", "艾屋村委会门前广场"),
    "440902101001": (300, "medium", "公馆居委会采样点", "公馆圩镇文化广场"),
    "440902101202": (200, "high", "油甘窝村文化室采样点", "油甘窝村文化室"),
}
SURNAMES = "陈李黄梁林张吴杨罗刘何邓周谭柯冯钟庞"
GIVEN = ["伟", "芳", "秀英", "海", "丽华", "志强", "春梅", "建国", "小燕", "国华", "明", "桂兰"]


def _id(seq: int) -> str:
    day = dt.date(1938, 1, 1) + dt.timedelta(days=(seq * 37) % 27000)
    first17 = f"440902{day:%Y%m%d}{seq % 1000:03d}"
    return first17 + check_digit(first17)


def load(stdout) -> None:
    if Round.objects.filter(name=ROUND_NAME).exists():
        stdout.write("核酸采样：演示轮次已存在，未变")
        return
    rng = random.Random(4409)
    User = get_user_model()
    admin = User.objects.filter(username="maonan_epi").first() or User.objects.get(username="admin")
    swabber = User.objects.filter(username="swabber").first() or create_user(
        "swabber",
        role=Role.FIELD_STAFF,
        password=DEMO_PASSWORD,
        display_name="采样员 梁晓红",
        validate=False,
    )
    door = User.objects.filter(username="door_team").first() or create_user(
        "door_team",
        role=Role.FIELD_STAFF,
        password=DEMO_PASSWORD,
        display_name="上门采样组 吴海",
        validate=False,
    )
    now = timezone.now()
    start = (now - dt.timedelta(hours=9)).replace(minute=0, second=0, microsecond=0)
    round_ = services.create_round(
        admin,
        name=ROUND_NAME,
        area_code="440902",
        starts_at=start,
        deadline=start + dt.timedelta(hours=24),
        risk={code: spec[1] for code, spec in VILLAGES.items()},
        now=start,
    )
    seq = 0
    rows = []
    for code, (count, _risk, site_name, address) in VILLAGES.items():
        site = services.add_site(
            admin,
            round_,
            village_code=code,
            name=site_name,
            address=address,
            opens_at=dt.time(7, 0),
            closes_at=dt.time(22, 0),
            staff=[swabber, door],
            now=start,
        )
        residents = []
        for _ in range(count):
            seq += 1
            residents.append(
                {
                    "village": code,
                    "id_number": _id(seq),
                    "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                    "phone": f"13{rng.randint(400000000, 999999999)}",
                    "address": (
                        f"茂南区公馆镇{site_name[:3]}{rng.randint(1, 30)}巷{rng.randint(1, 40)}号"
                    ),
                    "home_reason": rng.choice(["immobile", "red_code", "elderly_alone"])
                    if rng.random() < 0.06
                    else "",
                }
            )
        services.import_residents(admin, residents, now=start)
        # ~80 % swabbed over the hours so far; those needing a visit are done at home
        pool = round_.pool_size(_risk)
        swabbed = [r for r in residents if rng.random() < 0.8]
        for n, person in enumerate(swabbed):
            at = start + dt.timedelta(minutes=rng.randint(0, 8 * 60))
            tube = f"MN{code[-3:]}{n // pool:05d}"
            mode = "door" if person["home_reason"] else "site"
            if mode == "door":
                tube = f"MD{code[-3:]}{n // pool:05d}"
            rows.append(services.SampleRow(tube, person["id_number"], site.pk, at, mode))
    rows.sort(key=lambda r: (r.tube, r.sampled_at))
    services.import_samples(swabber, round_, rows, now=now)
    # the lab has the tubes closed before the last two hours
    cutoff = now - dt.timedelta(hours=2)
    done = list(
        Tube.objects.filter(round=round_, status=TubeStatus.CLOSED, closed_at__lt=cutoff).order_by(
            "barcode"
        )
    )
    positive = next((t for t in done if t.pool_size == 5), None)
    results = [
        services.ResultRow(t.barcode, "阳性" if t == positive else "阴性", cutoff) for t in done
    ]
    services.import_results(admin, round_, results, file_name="茂南区检测结果-第1批.xlsx", now=now)
    # one of the recalled people has been re-swabbed alone and is negative
    recall = round_.recalls.order_by("pk").first()
    cleared = 0
    if recall is not None:
        site = positive.site
        person = next(r for r in rows if r.tube == positive.barcode)
        reg = services.register_sample(swabber, site, person.person, now=now)
        services.import_results(
            admin,
            round_,
            [services.ResultRow(reg.tube.barcode, "阴性", now)],
            file_name="复核单管.csv",
            now=now,
        )
        cleared = 1
    stdout.write(
        f"核酸采样：轮次 1，网格 {round_.grids.count()}，登记居民 {seq}，采样 {len(rows)}，"
        f"已出结果 {len(done)} 管，召回 {round_.recalls.count()}（已解除 {cleared}）"
    )
