"""Services of movement control: every rule and every refusal."""

import datetime as dt

import pytest

from hotline.common.identity import id_hash
from hotline.control import passes, services
from hotline.control.choices import REASONS
from hotline.control.models import (
    ControlEvent,
    HealthCodeAppeal,
    Member,
    Pass,
    Passage,
    TestResult,
)
from hotline.orders.models import Notification, Order
from hotline.orders.queries import orders_for_source

from . import factories
from .conftest import MORNING

pytestmark = pytest.mark.django_db
H = dt.timedelta(hours=1)


def negative(number, at, source="lab"):
    return services.TestResultIn(id_hash(number), True, at, source, "R1")


def scan(point, token, direction="exit", at=MORNING, member=None):
    snap = services.checkpoint_bundle(point, now=at)
    return services.scan(snap, token, direction, int(at.timestamp()), member)


def passage(token, direction="exit", at=MORNING, decision="allowed", reason="ok", cid=None):
    return services.PassageIn(
        cid or f"c-{direction}-{at.timestamp()}-{token[-6:]}",
        token,
        direction,
        at,
        decision,
        reason,
    )


# ---- households


def test_household_keeps_hash_and_mask_never_the_number(setup, gate):
    h, people = factories.household(gate, members=2)
    assert h.card_no == "440902101001-0001"
    m = Member.objects.get(household=h, number=1)
    number = people[0].id_number
    assert m.id_hash == id_hash(number) and m.id_masked == number[:6] + "********" + number[-4:]
    stored = [str(v) for v in Member.objects.values_list().get(pk=m.pk)]
    assert number not in stored
    assert ControlEvent.objects.filter(code="control.household.registered").count() == 1


@pytest.mark.parametrize(
    "change, code",
    [
        ({"village_code": "440902101"}, "unknown_village"),
        ({"address": " "}, "address_required"),
        ({"members": [services.MemberIn("张三", "440902199001011235")]}, "bad_id_number"),
        ({"members": []}, "no_members"),
    ],
)
def test_household_input_is_checked(setup, gate, change, code):
    fields = {
        "village_code": factories.VILLAGE,
        "address": "新街3号",
        "members": [services.MemberIn("张三", factories.id_number())],
    } | change
    with pytest.raises(services.ControlError) as exc:
        services.register_household(gate, **fields)
    assert exc.value.code == code


def test_another_towns_staff_cannot_register_here(setup, make_user):
    other = make_user("field_staff", "440902102")
    with pytest.raises(services.ControlError) as exc:
        factories.household(other)
    assert exc.value.status == 403


def test_import_reports_bad_rows_and_updates_on_reimport(setup, gate):
    good = factories.id_number()
    rows = [
        {
            "_row": 2,
            "户编号": "A",
            "村居代码": factories.VILLAGE,
            "住址": "新街1号",
            "姓名": "陈一",
            "身份证号": good,
        },
        {
            "_row": 3,
            "户编号": "B",
            "村居代码": factories.VILLAGE,
            "住址": "新街2号",
            "姓名": "陈二",
            "身份证号": "123",
        },
        {"_row": 4, "户编号": "", "姓名": "无户"},
    ]
    report = services.import_households(gate, rows)
    assert (report.created, report.updated) == (1, 0)
    assert [r for r, _ in report.errors] == [4, 3]
    again = services.import_households(gate, rows[:1])
    assert (again.created, again.updated) == (0, 1)


# ---- test results


def test_record_test_results_is_idempotent_and_counts_new(gate):
    a, b = factories.id_number(), factories.id_number()
    first = [negative(a, MORNING), negative(b, MORNING), negative(a, MORNING)]
    assert services.record_test_results(gate, first) == 2
    assert services.record_test_results(gate, [*first, negative(a, MORNING, "other")]) == 1
    assert TestResult.objects.count() == 3
    assert services.has_valid_test(id_hash(a), now=MORNING + H)
    assert not services.has_valid_test(id_hash(a), now=MORNING + 25 * H)


def test_record_test_results_refuses_naive_times(gate):
    with pytest.raises(services.ControlError):
        services.record_test_results(
            gate, [services.TestResultIn("a" * 64, True, dt.datetime(2022, 11, 7), "x", "")]
        )


# ---- cards and keys


def test_reissue_voids_the_old_card_and_checkpoints_refuse_it(setup, gate):
    h, people = factories.household(gate)
    services.record_test_results(gate, [negative(people[0].id_number, MORNING - 2 * H)])
    old = services.issue_card(gate, h.pk, now=MORNING - H)
    new = services.issue_card(gate, h.pk, now=MORNING - H)
    assert old.serial != new.serial
    assert scan(setup, old.token).reason == "revoked"
    assert scan(setup, new.token).allowed
    assert new.valid_until == dt.datetime(2022, 11, 9, tzinfo=factories.TZ)  # the rule's end


def test_rotation_keeps_old_cards_valid_and_retirement_voids_them(setup, gate, make_user):
    h, people = factories.household(gate)
    services.record_test_results(gate, [negative(people[0].id_number, MORNING - 2 * H)])
    card = services.issue_card(gate, h.pk, now=MORNING - H)
    services.rotate_key(gate)
    assert services.current_key().kid != card.key.kid
    assert scan(setup, card.token).allowed
    with pytest.raises(services.ControlError):
        services.retire_key(gate, card.key.kid)  # admins only
    services.retire_key(make_user("admin"), card.key.kid)
    assert scan(setup, card.token).reason == "unknown_key"


def test_bundle_has_no_private_key_and_no_id_number(setup, gate):
    h, people = factories.household(gate)
    services.issue_card(gate, h.pk, now=MORNING - H)
    text = str(services.checkpoint_bundle(setup, now=MORNING))
    assert services.current_key().private_key not in text
    assert people[0].id_number not in text and "陈一" not in text


def test_revoke_needs_a_reason(setup, gate):
    h, _ = factories.household(gate)
    card = services.issue_card(gate, h.pk, now=MORNING - H)
    with pytest.raises(services.ControlError):
        services.revoke_pass(gate, card.serial, " ")
    services.revoke_pass(gate, card.serial, "卡片遗失")
    assert Pass.objects.get(pk=card.pk).revoked_at is not None


# ---- scans and passages


@pytest.fixture
def family(setup, gate):
    h, people = factories.household(gate, members=2, exemptions=["", "medical"])
    services.record_test_results(gate, [negative(p.id_number, MORNING - 2 * H) for p in people])
    return h, services.issue_card(gate, h.pk, now=MORNING - H)


def test_exit_then_second_exit_refused_then_return(setup, gate, family):
    _h, card = family
    assert scan(setup, card.token).allowed
    services.register_passage(gate, setup.code, passage(card.token))
    second = scan(setup, card.token, at=MORNING + H)
    assert second.reason == "quota_used"
    assert REASONS[second.reason] == "今日本户外出次数已用完"
    back = passage(card.token, "return", MORNING + H)
    services.register_passage(gate, setup.code, back)
    exit_row = Passage.objects.get(direction="exit")
    assert exit_row.returned_at == MORNING + H
    # the exempt member (medical) may still go out
    assert scan(setup, card.token, at=MORNING + 2 * H, member=2).allowed
    # the next day the quota is fresh
    assert scan(setup, card.token, at=MORNING + 24 * H).reason == "no_valid_test"


def test_typed_card_number_is_checked_like_a_scan(setup, gate, family):
    h, _card = family
    assert scan(setup, h.card_no).allowed
    assert scan(setup, "440902101001-9999").reason == "unknown_card"


def test_forged_token_is_refused(setup, gate, family):
    _, card = family
    forged = card.token.replace(card.serial, "ZZZZZZZZ")
    assert scan(setup, forged).reason == "forged"


def test_one_off_pass_for_a_member(setup, gate, family):
    h, _ = family
    member = h.members.get(number=1)
    one_off = services.issue_outing_pass(gate, member.pk, hours=4, now=MORNING - H)
    data = passes.parse(one_off.token)[0]
    assert (data.kind, data.member) == ("O", 1)
    assert scan(setup, one_off.token).member == 1
    with pytest.raises(services.ControlError):
        services.issue_outing_pass(gate, member.pk, hours=100)


def test_sync_is_idempotent_and_counts_conflicts(setup, gate, family):
    _, card = family
    items = [
        passage(card.token, at=MORNING, cid="gate-a-1"),
        passage(card.token, at=MORNING + H, cid="gate-b-1"),  # another gate, offline too
    ]
    first = services.sync_passages(gate, setup.code, items)
    assert (first.created, first.duplicates, first.conflicts) == (2, 0, 1)
    again = services.sync_passages(gate, setup.code, items)
    assert (again.created, again.duplicates) == (0, 2)
    assert Passage.objects.get(client_id="gate-b-1").server_reason == "quota_used"
    event = ControlEvent.objects.filter(code="control.passage.synced").get()
    assert event.payload["conflicts"] == 1


def test_sync_refuses_bad_items_and_strangers(setup, gate, family, make_user):
    _, card = family
    with pytest.raises(services.ControlError) as exc:
        services.sync_passages(gate, setup.code, [passage(card.token, decision="maybe")])
    assert exc.value.code == "bad_decision"
    with pytest.raises(services.ControlError) as exc:
        services.sync_passages(make_user("field_staff", "440902102"), setup.code, [])
    assert exc.value.status == 403
    with pytest.raises(services.ControlError) as exc:
        services.sync_passages(gate, "NOPE", [])
    assert exc.value.status == 404
    assert Passage.objects.count() == 0


# ---- vehicles


@pytest.fixture
def road(gate):
    factories.rule()
    return factories.checkpoint("G207", "traffic", factories.TOWN)


def person(number, role="driver", code="green", temperature=36.5, has_pass=True):
    return services.PersonIn(role, number, code, has_pass, temperature)


def test_vehicle_check_decides_for_everyone(road, gate):
    driver, rider = factories.id_number(), factories.id_number()
    services.record_test_results(gate, [negative(driver, MORNING - H)])
    check, created = services.record_vehicle_check(
        gate,
        road.code,
        client_id="v1",
        plate="粤K 12345",
        people=[person(driver), person(rider, "passenger", temperature=37.8)],
        now=MORNING,
    )
    assert created and check.plate == "粤K12345" and check.decision == "refused"
    assert check.reasons == ["乘客1无 24 小时内核酸阴性证明", "乘客1体温 37.8℃ 偏高"]
    assert driver not in str(check.people)
    again, created = services.record_vehicle_check(
        gate, road.code, client_id="v1", plate="粤K12345", people=[person(driver)], now=MORNING
    )
    assert not created and again.pk == check.pk
    ok, _ = services.record_vehicle_check(
        gate, road.code, client_id="v2", plate="粤K12345", people=[person(driver)], now=MORNING
    )
    assert ok.decision == "allowed"


@pytest.mark.parametrize(
    "plate, people, code",
    [
        ("粤K1", None, "bad_plate"),
        ("粤K12345", [], "driver_required"),
        ("粤K12345", "fever", "bad_temperature"),
    ],
)
def test_vehicle_input_is_checked(road, gate, plate, people, code):
    if people is None:
        people = [person(factories.id_number())]
    elif people == "fever":
        people = [person(factories.id_number(), temperature=45)]
    with pytest.raises(services.ControlError) as exc:
        services.record_vehicle_check(gate, road.code, client_id="x", plate=plate, people=people)
    assert exc.value.code == code


# ---- health-code appeals


@pytest.fixture
def center(make_user, kinds):
    return make_user("agent", "center")


def test_appeal_becomes_an_order_for_the_code_authority_with_evidence(center, gate):
    number = factories.id_number()
    services.record_test_results(
        gate, [negative(number, MORNING - 3 * H), negative(number, MORNING - 27 * H)]
    )
    appeal = services.file_health_code_appeal(
        center,
        id_number=number,
        name="李同学",
        phone="13826681234",
        colour="yellow",
        reason="明天参加考试，昨天核酸阴性却变黄码",
        needed_by=dt.date(2022, 11, 8),
        town_code=factories.TOWN,
        now=MORNING,
    )
    assert len(appeal.evidence) == 2 and appeal.id_hash == id_hash(number)
    (order,) = orders_for_source(services.Source("control", "hcappeal", str(appeal.pk)))
    assert order.kind == services.APPEAL_KIND and order.category == "health_code"
    assert order.handling_unit.code == "dept-healthcode"
    assert order.accept_deadline - order.received_at == H
    assert "阴性" in order.description


def test_appeal_decision_answers_the_order_and_tells_the_resident(center, make_user):
    appeal = services.file_health_code_appeal(
        center,
        id_number=factories.id_number(),
        name="李同学",
        phone="13826681234",
        colour="yellow",
        reason="考试",
        town_code=factories.TOWN,
    )
    with pytest.raises(services.ControlError) as exc:
        services.decide_health_code_appeal(center, appeal.pk, "turn_green", "核实无误")
    assert exc.value.status == 403
    authority = make_user("unit_handler", "dept-healthcode")
    with pytest.raises(services.ControlError):
        services.decide_health_code_appeal(authority, appeal.pk, "turn_green", "")
    services.decide_health_code_appeal(authority, appeal.pk, "turn_green", "已转绿码")
    appeal.refresh_from_db()
    assert appeal.status == "decided" and appeal.decided_by == authority
    order = Order.objects.get(source_type="hcappeal", source_id=str(appeal.pk))
    assert order.status == "resolved" and "准予转绿码" in order.reply
    assert Notification.objects.filter(
        recipient="13826681234", event_code="control.appeal.decided"
    ).exists()
    with pytest.raises(services.ControlError) as exc:
        services.decide_health_code_appeal(authority, appeal.pk, "keep", "再议")
    assert exc.value.code == "already_decided"


def test_only_the_center_files_appeals_and_only_yellow_or_red(center, gate):
    with pytest.raises(services.ControlError) as exc:
        services.file_health_code_appeal(
            gate, id_number=factories.id_number(), name="a", phone="1", colour="yellow", reason="r"
        )
    assert exc.value.status == 403
    with pytest.raises(services.ControlError) as exc:
        services.file_health_code_appeal(
            center, id_number=factories.id_number(), name="a", phone="1", colour="green", reason="r"
        )
    assert exc.value.code == "bad_colour"
    assert HealthCodeAppeal.objects.count() == 0


# ---- overdue returns


def test_overdue_exit_becomes_one_order_for_the_town(setup, gate, family, kinds):
    _, card = family
    services.register_passage(gate, setup.code, passage(card.token, at=MORNING))
    assert services.report_overdue_returns(now=MORNING + H) == 0  # within 120 minutes
    assert services.report_overdue_returns(now=MORNING + 3 * H) == 1
    assert services.report_overdue_returns(now=MORNING + 4 * H) == 0
    order = Order.objects.get(kind=services.OVERDUE_KIND)
    assert order.handling_unit.code == factories.TOWN and order.village_id == factories.VILLAGE


def test_returned_exit_is_not_overdue(setup, gate, family, kinds):
    _, card = family
    services.register_passage(gate, setup.code, passage(card.token, at=MORNING))
    services.register_passage(gate, setup.code, passage(card.token, "return", MORNING + H))
    assert services.report_overdue_returns(now=MORNING + 5 * H) == 0


def test_outing_rule_is_checked(gate, make_user):
    fields = {
        "area_code": factories.TOWN,
        "name": "公馆镇",
        "starts_at": MORNING,
        "ends_at": MORNING + 24 * H,
    }
    rule = services.set_outing_rule(gate, **fields, time_zone="Asia/Shanghai")
    assert services.rule_for(factories.VILLAGE, MORNING + H) == rule
    assert ControlEvent.objects.filter(code="control.rule.set").count() == 1
    for bad, code in (
        ({"time_zone": "Mars/Olympus"}, "bad_rule"),
        ({"ends_at": MORNING - H}, "bad_rule"),
        ({"exemptions": ["vip"]}, "bad_rule"),
        ({"area_code": "440902102"}, "forbidden"),
    ):
        with pytest.raises(services.ControlError) as exc:
            services.set_outing_rule(gate, **(fields | bad))
        assert exc.value.code == code
