"""SLA clocks: the policy matrix, working days across weekends and holidays, surge mode."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hotline.orders import clocks
from hotline.orders.cache import clear_all
from hotline.orders.clocks import Limit, Limits
from hotline.orders.models import SlaPolicy

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return dt.datetime(*args, tzinfo=SH)


@pytest.mark.parametrize(
    "urgency,appeal_type,accept,resolve",
    [
        ("critical", "help", Limit(15, "minutes"), Limit(120, "minutes")),
        ("urgent", "complaint", Limit(30, "minutes"), Limit(120, "minutes")),
        ("normal", "inquiry", Limit(1, "workdays"), Limit(2, "workdays")),
        ("normal", "help", Limit(1, "workdays"), Limit(10, "workdays")),
        ("normal", "suggestion", Limit(1, "workdays"), Limit(10, "workdays")),
        ("normal", "complaint", Limit(1, "workdays"), Limit(15, "workdays")),
        ("normal", "report", Limit(1, "workdays"), Limit(15, "workdays")),
        ("normal", "praise", Limit(1, "workdays"), Limit(2, "workdays")),
    ],
)
def test_default_matrix_is_seeded(db, urgency, appeal_type, accept, resolve):
    assert clocks.limits_for(urgency, appeal_type, "normal") == Limits(accept, resolve)


def test_policy_rows_are_data(db):
    SlaPolicy.objects.filter(urgency="normal", appeal_type="inquiry", mode="normal").update(
        resolve_amount=5
    )
    clear_all()
    assert clocks.limits_for("normal", "inquiry", "normal").resolve == Limit(5, "workdays")


def test_missing_row_falls_back_to_the_built_in_default(db):
    SlaPolicy.objects.all().delete()
    clear_all()
    assert clocks.limits_for("critical", "help", "surge").accept == Limit(10, "minutes")


def test_minutes_ignore_the_calendar():
    friday_evening = at(2022, 11, 4, 23, 50)
    assert Limit(15, "minutes").deadline(friday_evening) == at(2022, 11, 5, 0, 5)


def test_one_working_day_over_a_weekend():
    assert Limit(1, "workdays").deadline(at(2022, 11, 4, 9, 0)) == at(2022, 11, 7, 18, 0)
    assert Limit(1, "workdays").deadline(at(2022, 11, 5, 12, 0)) == at(2022, 11, 7, 18, 0)


def test_national_day_week_2022():
    # Received Friday 30 Sep: 1–7 Oct off, Sat 8 and Sun 9 Oct are working days.
    start = at(2022, 9, 30, 15, 0)
    assert Limit(1, "workdays").deadline(start) == at(2022, 10, 8, 18, 0)
    assert Limit(2, "workdays").deadline(start) == at(2022, 10, 9, 18, 0)
    # 8, 9, 10–14, 17–21, 24, 25, 26 October: the 15th working day is Wednesday 26 October.
    assert Limit(15, "workdays").deadline(start) == at(2022, 10, 26, 18, 0)


def test_callback_and_return_window():
    assert clocks.callback_due(at(2022, 11, 4, 17, 0)) == at(2022, 11, 7, 18, 0)
    assert clocks.return_window_end(at(2022, 11, 7, 10, 0)) == at(2022, 11, 8, 18, 0)


def test_mode_defaults_to_normal(db):
    assert clocks.current_mode() == "normal"


def test_default_rows_cover_both_modes():
    rows = clocks.default_policy_rows()
    assert {r["mode"] for r in rows} == {"normal", "surge"}
    assert len(rows) == 16


def test_admin_switches_the_mode_through_the_service(client, people):
    """The admin form records who switched and resets this process's cache, as set_mode does."""
    from hotline.orders.models import OperatingMode

    assert clocks.current_mode() == "normal"  # cached now
    client.force_login(people.admin)
    row = OperatingMode.objects.get_or_create(pk=1)[0]
    r = client.post(f"/admin/orders/operatingmode/{row.pk}/change/", {"mode": "surge"})
    assert r.status_code == 302, r.content.decode()[:500]
    row.refresh_from_db()
    assert (row.mode, row.changed_by) == ("surge", people.admin)
    assert clocks.current_mode() == "surge"


def test_admin_refusal_is_the_only_message_and_nothing_is_logged(client, people):
    """A staff member who may edit the row but is no supervisor: the service refuses, the admin
    says so alone (no "changed successfully" beside it), and no change is logged."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.auth.models import Permission
    from django.contrib.messages import get_messages

    from hotline.orders.models import OperatingMode

    clerk = people.agent
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_operatingmode", "view_operatingmode"])
    )
    row = OperatingMode.objects.get_or_create(pk=1)[0]
    client.force_login(clerk)
    url = f"/admin/orders/operatingmode/{row.pk}/change/"
    r = client.post(url, {"mode": "surge"})
    assert r.status_code == 302 and r.url == url
    shown = [(m.level_tag, str(m)) for m in get_messages(r.wsgi_request)]
    assert shown == [("error", "只有值班长或系统管理员可以切换时限模式。")]
    row.refresh_from_db()
    assert row.mode == "normal"
    assert not LogEntry.objects.filter(object_id=str(row.pk)).exists()
