"""A button shown on the order page is one the service accepts."""

import pytest
from django.db import transaction

from hotline.console.actions import available_actions
from hotline.orders.errors import OrderError

SAMPLE_INPUT = {
    "dispatch": {"unit": "440902102", "co_units": []},
    "accept": {},
    "return": {"reason": "不属于本镇辖区"},
    "resolve": {"reply": "已处理"},
    "callback": {"satisfaction": "satisfied", "note": ""},
    "close-first-contact": {"answer": "已答复", "article_key": ""},
    "escalate": {"reason": "群众反映强烈"},
    "note": {"text": "已电话联系"},
}


def _states(order, people):
    """Walk the order through its lifecycle, yielding (order) at each state."""
    from hotline.orders import services

    yield order
    services.accept(people.gongguan, order)
    yield order
    services.resolve(people.gongguan, order, reply="已修复")
    yield order


@pytest.mark.parametrize("who", ["agent", "volunteer", "supervisor", "gongguan", "other_town"])
def test_every_shown_action_is_accepted_by_its_service(people, register, who):
    from hotline.console.views import SERVICES

    user = getattr(people, who)
    for order in _states(register(), people):
        order.refresh_from_db()
        if not order.can_view(user):
            assert available_actions(order, user) == []
            continue
        for action in available_actions(order, user):
            if action.code not in SAMPLE_INPUT:
                continue
            sid = transaction.savepoint()
            try:
                SERVICES[action.code](user, order.number, **SAMPLE_INPUT[action.code])
            except OrderError as exc:  # pragma: no cover - the failure message names the gap
                pytest.fail(f"{who} was shown {action.code} in {order.status}: {exc}")
            finally:
                transaction.savepoint_rollback(sid)
