import datetime as dt
import io

import pytest
from PIL import Image

from hotline.accounts.models import DataAccess
from hotline.care import services
from hotline.care.choices import EventCode, RequestStatus, TaskStatus
from hotline.care.errors import CareError
from hotline.care.models import CareEvent, CareRequest, StockItem, StockMovement
from hotline.orders import events
from hotline.orders import services as orders
from hotline.orders.choices import EventCode as OrderCode
from hotline.orders.choices import Status
from hotline.orders.errors import OrderError
from hotline.orders.models import Notification
from hotline.orders.queries import orders_for_source

from .factories import GONGGUAN, JIANG_CALL, help_order, request_from_order

pytestmark = pytest.mark.django_db
M = dt.timedelta(minutes=1)


def jpeg(size=(40, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buf, "JPEG")
    return buf.getvalue()


def test_the_seed_case_15_51_to_17_02_is_71_minutes_to_help(people, vol):
    """江先生: a disabled man out of food calls at 15:51; the town's volunteer hands the food
    over at 17:02 with his confirmation code; the order is answered through the seam."""
    order = help_order(people.agent, now=JIANG_CALL)
    request = services.create_from_order(
        people.agent,
        order.number,
        need="groceries",
        items="大米、面条、青菜",
        now=JIANG_CALL + 6 * M,
    )
    assert request.unit.code == GONGGUAN and request.urgent
    assert request.received_at == JIANG_CALL
    task = request.tasks.get()
    assert task.due_at == JIANG_CALL + dt.timedelta(hours=2)
    services.assign_task(people.gongguan, task.pk, volunteer=vol.gongguan, now=JIANG_CALL + 14 * M)
    services.start_task(vol.gongguan, task.pk, now=JIANG_CALL + 29 * M)
    services.deliver_task(
        vol.gongguan, task.pk, code=request.confirmation_code, now=JIANG_CALL + 71 * M
    )
    request.refresh_from_db()
    order.refresh_from_db()
    assert request.status == RequestStatus.DONE
    assert request.minutes_to_help == 71
    assert order.status == Status.RESOLVED
    assert order.resolved_at == JIANG_CALL + 71 * M
    assert "71 分钟" in order.reply
    assert list(orders_for_source(services.source_of(request))) == [order]
    notes = [e.payload["text"] for e in order.events.filter(code=OrderCode.NOTE).order_by("id")]
    assert notes[0].startswith("转为居家关爱需求")
    assert any("分派给志愿者" in n for n in notes)
    assert any("已出发" in n for n in notes)
    assert any("已送达（凭确认码）" in n for n in notes)
    codes = list(CareEvent.objects.filter(request=request).values_list("code", flat=True))
    assert codes[0] == EventCode.REQUEST_CREATED and codes[-1] == EventCode.REQUEST_DONE
    # the household was sent its code through the outbox
    assert Notification.objects.filter(
        recipient="13800001111", text__contains=request.confirmation_code
    ).exists()


def test_only_the_center_or_the_lead_unit_may_convert_an_order(people):
    order = help_order(people.agent)
    with pytest.raises(CareError) as exc:
        services.create_from_order(people.other_town, order.number, need="groceries")
    assert exc.value.status == 404
    with pytest.raises(CareError) as exc:
        services.create_from_order(people.agent, order.number, need="flowers")
    assert exc.value.code == "unknown_need"
    services.create_from_order(people.agent, order.number, need="groceries")
    with pytest.raises(CareError) as exc:
        services.create_from_order(people.agent, order.number, need="meals")
    assert exc.value.code == "already_linked"


def test_an_order_without_a_town_cannot_become_a_request(people):
    order = help_order(people.agent, town=None, text="家里没有吃的了，出不了门。", address="")
    with pytest.raises(CareError) as exc:
        services.create_from_order(people.agent, order.number, need="groceries")
    assert exc.value.code in ("town_required",)


def test_community_request_creates_its_order_through_the_seam(people, vol):
    request = services.create_from_community(
        people.gongguan,
        town_code=GONGGUAN,
        village_code="",
        need="medicine",
        description="独居老人降压药吃完，家属送来处方，需代购",
        address="公馆镇艾屋村五巷3号",
        household_name="梁阿婆",
        household_phone="13900003333",
    )
    order = request.order
    assert order.kind == "care.request" and order.source_id == str(request.pk)
    assert order.handling_unit.code == GONGGUAN  # the kind's rule: the town office
    assert order.urgency == "urgent" and request.urgent  # medicine is urgent
    assert order.resolve_deadline - order.received_at == dt.timedelta(hours=2)
    with pytest.raises(CareError) as exc:
        services.create_from_community(
            people.other_town,
            town_code=GONGGUAN,
            need="meals",
            description="x",
            address="y",
        )
    assert exc.value.status == 403


def test_assignment_only_to_volunteers_of_the_same_town(people, vol):
    request = request_from_order(people.agent)
    task = request.tasks.get()
    with pytest.raises(CareError) as exc:
        services.assign_task(people.gongguan, task.pk, volunteer=vol.other)
    assert exc.value.code == "volunteer_of_other_unit"
    with pytest.raises(CareError) as exc:
        services.assign_task(people.gongguan, task.pk, volunteer=people.agent)
    assert exc.value.code == "not_a_volunteer"
    with pytest.raises(CareError) as exc:
        services.assign_task(vol.gongguan, task.pk, volunteer=vol.gongguan)
    assert exc.value.status in (403, 404)
    with pytest.raises(CareError) as exc:
        services.assign_task(people.gongguan, task.pk)
    assert exc.value.code == "assignee_required"
    services.assign_task(people.gongguan, task.pk, by_office=True)
    task.refresh_from_db()
    assert task.by_office and task.assignee is None and task.status == TaskStatus.ASSIGNED


def test_handover_needs_proof_and_the_right_code(people, vol):
    request = request_from_order(people.agent)
    task = request.tasks.get()
    services.assign_task(people.gongguan, task.pk, volunteer=vol.gongguan)
    with pytest.raises(CareError) as exc:
        services.deliver_task(vol.gongguan, task.pk)
    assert exc.value.code == "proof_required"
    wrong = "000000" if request.confirmation_code != "000000" else "111111"
    with pytest.raises(CareError) as exc:
        services.deliver_task(vol.gongguan, task.pk, code=wrong)
    assert exc.value.code == "wrong_code"
    with pytest.raises(CareError) as exc:
        services.deliver_task(vol.other, task.pk, code=request.confirmation_code)
    assert exc.value.status in (403, 404)
    services.deliver_task(vol.gongguan, task.pk, photo=jpeg())
    task.refresh_from_db()
    assert task.status == TaskStatus.DELIVERED and not task.code_confirmed
    assert task.photo.content_type == "image/jpeg" and task.photo.width == 40


@pytest.mark.parametrize(
    "data,code",
    [
        (b"not an image", "photo_invalid"),
        (b"", "proof_required"),
        (b"\xff" * (5 * 1024 * 1024 + 1), "photo_too_large"),
    ],
)
def test_bad_photos_are_refused(people, vol, data, code):
    request = request_from_order(people.agent)
    task = request.tasks.get()
    services.assign_task(people.gongguan, task.pk, volunteer=vol.gongguan)
    with pytest.raises(CareError) as exc:
        services.deliver_task(vol.gongguan, task.pk, photo=data)
    assert exc.value.code == code


def test_gif_photo_is_refused(people, vol):
    request = request_from_order(people.agent)
    task = request.tasks.get()
    services.assign_task(people.gongguan, task.pk, volunteer=vol.gongguan)
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, "GIF")
    with pytest.raises(CareError) as exc:
        services.deliver_task(vol.gongguan, task.pk, photo=buf.getvalue())
    assert exc.value.code == "photo_format"


def test_request_is_done_only_when_every_task_is_closed(people, vol):
    request = request_from_order(people.agent)
    first = request.tasks.get()
    second = services.add_task(people.gongguan, request.pk, items="婴儿尿片")
    services.assign_task(people.gongguan, first.pk, volunteer=vol.gongguan)
    services.deliver_task(vol.gongguan, first.pk, code=request.confirmation_code)
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS
    assert request.order.status != Status.RESOLVED
    services.assign_task(people.gongguan, second.pk, by_office=True)
    services.fail_task(people.gongguan, second.pk, reason="家中无人")
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS  # the office decides what comes next
    retry = services.add_task(people.gongguan, request.pk, items="婴儿尿片（再送）")
    services.assign_task(people.gongguan, retry.pk, by_office=True)
    services.deliver_task(people.gongguan, retry.pk, code=request.confirmation_code)
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE
    request.order.refresh_from_db()
    assert request.order.status == Status.RESOLVED


def test_stock_leaves_on_handover_and_cannot_go_negative(people, vol):
    item = services.receive_stock(people.gongguan, name="爱心菜包", quantity=3, measure="袋")
    with pytest.raises(CareError) as exc:
        services.receive_stock(people.agent, name="米", quantity=1)
    assert exc.value.status == 403
    with pytest.raises(CareError):
        services.receive_stock(people.gongguan, name="米", quantity=0)
    request = request_from_order(people.agent)
    task = services.add_task(people.gongguan, request.pk, items="菜包", supplies={item.pk: 2})
    services.assign_task(people.gongguan, task.pk, volunteer=vol.gongguan)
    services.deliver_task(vol.gongguan, task.pk, code=request.confirmation_code)
    item.refresh_from_db()
    assert item.quantity == 1
    assert StockMovement.objects.filter(item=item).count() == 2
    big = services.add_task(people.gongguan, request.pk, items="菜包", supplies={item.pk: 5})
    services.assign_task(people.gongguan, big.pk, volunteer=vol.gongguan)
    with pytest.raises(CareError) as exc:
        services.deliver_task(vol.gongguan, big.pk, code=request.confirmation_code)
    assert exc.value.code == "stock_short"
    assert StockItem.objects.get(pk=item.pk).quantity == 1


def test_route_orders_a_batch_by_village(people, vol):
    villages = ["440902101205", "440902101201", "440902101203"]
    tasks = []
    for code in villages:
        order = help_order(people.agent)
        request = services.create_from_order(
            people.agent, order.number, need="meals", village_code=code
        )
        tasks.append(request.tasks.get())
    routed = services.plan_route(people.gongguan, vol.gongguan, [t.pk for t in tasks])
    assert [t.request.village_id for t in routed] == sorted(villages)
    assert [t.route_position for t in routed] == [1, 2, 3]
    assert all(t.assignee == vol.gongguan for t in routed)
    with pytest.raises(CareError):
        services.plan_route(people.gongguan, vol.gongguan, [])
    with pytest.raises(CareError) as exc:
        services.plan_route(people.other_town, vol.other, [tasks[0].pk])
    assert exc.value.status == 404


def test_reveal_is_recorded_and_refused_to_volunteer_agents(people, vol):
    request = request_from_order(people.agent)
    data = services.reveal_household(people.gongguan, request.pk, via="test")
    assert data["household_phone"] == "13800001111"
    assert DataAccess.objects.filter(user=people.gongguan, object_id=str(request.pk)).exists()
    with pytest.raises(CareError) as exc:
        services.reveal_household(people.volunteer, request.pk, via="test")
    assert exc.value.code == "reveal_forbidden"
    with pytest.raises(CareError) as exc:
        services.reveal_household(vol.gongguan, request.pk, via="test")
    assert exc.value.status == 404  # not their task
    services.assign_task(people.gongguan, request.tasks.get().pk, volunteer=vol.gongguan)
    assert services.reveal_household(vol.gongguan, request.pk, via="test")["address"]


def test_order_merged_elsewhere_cancels_the_request_idempotently(people, vol):
    original = help_order(people.agent)
    request = request_from_order(people.agent)
    orders.link_duplicate(people.agent, request.order, of=original.number)
    events.deliver_all(names=["care.follow_orders"])
    request.refresh_from_db()
    assert request.status == RequestStatus.CANCELLED
    assert original.number in request.cancel_reason
    assert request.tasks.get().status == TaskStatus.CANCELLED
    count = CareEvent.objects.count()
    events.replay("care.follow_orders")
    events.deliver_all(names=["care.follow_orders"])
    assert CareEvent.objects.count() == count


def test_dissatisfied_callback_reopens_the_request_with_a_new_task(people, vol):
    request = request_from_order(people.agent)
    task = request.tasks.get()
    services.assign_task(people.gongguan, task.pk, volunteer=vol.gongguan)
    services.deliver_task(vol.gongguan, task.pk, code=request.confirmation_code)
    orders.record_callback(
        people.agent, request.order.number, satisfaction="dissatisfied", note="菜没送到"
    )
    events.deliver_all(names=["care.follow_orders"])
    request.refresh_from_db()
    assert request.status == RequestStatus.OPEN and request.done_at is None
    assert request.tasks.filter(status=TaskStatus.PENDING).count() == 1
    events.replay("care.follow_orders")
    events.deliver_all(names=["care.follow_orders"])
    assert request.tasks.filter(status=TaskStatus.PENDING).count() == 1


def test_cancel_needs_a_reason_and_the_town(people, vol):
    request = request_from_order(people.agent)
    with pytest.raises(CareError):
        services.cancel_request(people.gongguan, request.pk, reason=" ")
    with pytest.raises(CareError) as exc:
        services.cancel_request(people.volunteer, request.pk, reason="x")
    assert exc.value.status == 403
    services.cancel_request(people.gongguan, request.pk, reason="家属已送来")
    assert CareRequest.objects.get(pk=request.pk).status == RequestStatus.CANCELLED
    with pytest.raises(CareError) as exc:
        services.add_task(people.gongguan, request.pk, items="x")
    assert exc.value.code == "request_closed"


def test_attach_source_is_idempotent_and_refuses_a_taken_or_closed_order(people):
    """The seam's attach_source (added for this app): same source again is a no-op, another
    source or an answered order is refused."""
    order = help_order(people.agent)
    source = orders.Source("care", "request", "999")
    orders.attach_source(source, order, people.agent, text="转为居家关爱需求")
    orders.attach_source(source, order, people.agent)
    assert order.events.filter(code=OrderCode.NOTE).count() == 1
    with pytest.raises(OrderError) as exc:
        orders.attach_source(orders.Source("sampling", "recall", "1"), order, people.agent)
    assert exc.value.code == "source_taken"
    answered = help_order(people.agent)
    orders.link_duplicate(people.agent, answered, of=order.number)
    with pytest.raises(OrderError) as exc:
        orders.attach_source(source, answered, people.agent)
    assert exc.value.code == "invalid_state"


def test_the_orders_lead_unit_converts_and_follows_but_the_town_manages(people, vol):
    order = help_order(people.agent)
    lead = order.handling_unit.code
    handler = {"440902-epi": people.maonan_epi, GONGGUAN: people.gongguan}[lead]
    request = services.create_from_order(handler, order.number, need="groceries")
    assert CareRequest.objects.visible_to(handler).filter(pk=request.pk).exists()
    assert request.can_view(handler)
    assert request.can_manage(people.gongguan)
    assert not CareRequest.objects.visible_to(people.other_town).filter(pk=request.pk).exists()


def test_a_task_assigned_alone_joins_the_end_of_the_route(people, vol):
    tasks = [request_from_order(people.agent).tasks.get() for _ in range(2)]
    services.plan_route(people.gongguan, vol.gongguan, [t.pk for t in tasks])
    extra = request_from_order(people.agent).tasks.get()
    services.assign_task(people.gongguan, extra.pk, volunteer=vol.gongguan)
    extra.refresh_from_db()
    assert extra.route_position == 3
    services.assign_task(people.gongguan, extra.pk, by_office=True)
    extra.refresh_from_db()
    assert extra.route_position is None


def test_care_overdue_command_lists_late_tasks(people):
    import io

    from django.core.management import call_command

    request_from_order(people.agent, now=JIANG_CALL)  # due 17:51 on 5 Nov 2022: long past
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("care_overdue", stdout=out)
    assert exc.value.code == 1 and "共 1 个超时任务" in out.getvalue()
