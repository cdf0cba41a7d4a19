import datetime as dt

import pytest

from hotline.screening import queries, services
from hotline.screening.choices import EventCode, ReportStatus
from hotline.screening.errors import ScreeningError
from hotline.screening.models import DailyStatus, ScreeningEvent

from .factories import DAY, GOOD, at, ledger_with, row, town_form

pytestmark = pytest.mark.django_db


def test_fill_on_time_then_late_rows_stay_flagged(people):
    a, b, c = ledger_with(people.gongguan)
    services.set_up_ledger(people.gongguan, cutoff=dt.time(10, 0), filler=people.gongguan)
    services.fill_ledger(
        people.gongguan, DAY, {a.pk: row(), b.pk: row(symptoms=True)}, now=at(9, 30)
    )
    services.fill_ledger(people.gongguan, DAY, {c.pk: row(on_duty=False)}, now=at(11, 5))
    services.fill_ledger(people.gongguan, DAY, {a.pk: row(location="卡点")}, now=at(12))
    late = dict(DailyStatus.objects.values_list("person_id", "late"))
    assert late == {a.pk: False, b.pk: False, c.pk: True}  # a corrected later, still on time
    summary = queries.ledger_summary(a.ledger_id, DAY)
    assert summary == {
        "people": 3,
        "missing": 0,
        "filled": 3,
        "on_duty": 2,
        "negative": 3,
        "positive": 0,
        "symptoms": 1,
        "late": 1,
    }
    assert ScreeningEvent.objects.filter(code=EventCode.LEDGER_FILLED).count() == 3


def test_only_the_named_filler_fills(people, make_user):
    deputy = make_user("unit_handler", "440902101", "deputy")
    (a, *_rest) = ledger_with(people.gongguan)
    services.fill_ledger(deputy, DAY, {a.pk: row()}, now=at(9))  # nobody named yet
    services.set_up_ledger(people.gongguan, filler=people.gongguan)
    with pytest.raises(ScreeningError) as exc:
        services.fill_ledger(deputy, DAY, {a.pk: row()}, now=at(9))
    assert exc.value.code == "not_the_filler"
    with pytest.raises(ScreeningError) as exc:
        services.set_up_ledger(people.gongguan, filler=people.other_town)
    assert exc.value.code == "filler_of_other_unit"


def test_a_unit_never_touches_another_units_ledger(people):
    (a, *_rest) = ledger_with(people.gongguan)
    ledger_with(people.other_town, names=("张三",))
    with pytest.raises(ScreeningError) as exc:
        services.fill_ledger(people.other_town, DAY, {a.pk: row()}, now=at(9))
    assert exc.value.status == 404
    with pytest.raises(ScreeningError) as exc:
        services.remove_person(people.other_town, a.pk)
    assert exc.value.status == 404
    with pytest.raises(ScreeningError) as exc:
        services.add_person(people.agent, name="x", kind="staff")
    assert exc.value.code == "unit_only"


@pytest.mark.parametrize(
    "values,code",
    [
        ({"location": "x"}, "test_result_required"),
        ({"test_result": "negative", "location": " "}, "location_required"),
        ({"test_result": "negative", "location": "x", "test_date": "昨天"}, "bad_date"),
    ],
)
def test_bad_rows_are_refused_with_the_persons_name(people, values, code):
    (a, *_rest) = ledger_with(people.gongguan)
    with pytest.raises(ScreeningError) as exc:
        services.fill_ledger(people.gongguan, DAY, {a.pk: values}, now=at(9))
    assert exc.value.code == code and "何志明" in str(exc.value)
    assert not DailyStatus.objects.exists()


def test_future_days_cannot_be_filled(people):
    (a, *_rest) = ledger_with(people.gongguan)
    with pytest.raises(ScreeningError) as exc:
        services.fill_ledger(people.gongguan, DAY + dt.timedelta(days=1), {a.pk: row()}, now=at(9))
    assert exc.value.code == "future_day"


def test_report_submit_late_return_resubmit_approve(people):
    form = town_form()
    report = services.submit_report(people.gongguan, form.code, DAY, GOOD, now=at(17, 40))
    assert report.late and report.status == ReportStatus.SUBMITTED
    assert report.values == {"staff_on_duty": 3, "sealed": 12, "fire": "无", "night_watch": True}
    with pytest.raises(ScreeningError) as exc:
        services.approve_report(people.gongguan, report.pk)
    assert exc.value.code == "not_approver"
    with pytest.raises(ScreeningError):
        services.return_report(people.maonan_epi, report.pk, reason="")
    services.return_report(people.maonan_epi, report.pk, reason="封控户数有误")
    again = services.submit_report(
        people.gongguan, form.code, DAY, {**GOOD, "sealed": "15"}, now=at(18)
    )
    assert again.pk == report.pk and again.late and again.status == ReportStatus.SUBMITTED
    services.approve_report(people.maonan_epi, report.pk)
    with pytest.raises(ScreeningError) as exc:
        services.submit_report(people.gongguan, form.code, DAY, GOOD, now=at(18))
    assert exc.value.code == "already_approved"
    with pytest.raises(ScreeningError) as exc:
        services.approve_report(people.maonan_epi, report.pk)
    assert exc.value.code == "invalid_state"


@pytest.mark.parametrize(
    "values,code",
    [
        ({**GOOD, "sealed": ""}, "field_required"),
        ({**GOOD, "sealed": "十二"}, "field_integer"),
        ({**GOOD, "sealed": "-1"}, "field_range"),
        ({**GOOD, "fire": "也许"}, "field_choice"),
        ({**GOOD, "notes": "长" * 501}, "field_too_long"),
    ],
)
def test_report_values_are_checked_against_the_form(people, values, code):
    form = town_form()
    with pytest.raises(ScreeningError) as exc:
        services.submit_report(people.gongguan, form.code, DAY, values, now=at(9))
    assert exc.value.code == code


def test_units_not_on_the_form_cannot_submit(people):
    form = town_form(units=("440902101",))
    with pytest.raises(ScreeningError) as exc:
        services.submit_report(people.other_town, form.code, DAY, GOOD, now=at(9))
    assert exc.value.status == 404


def test_rollup_by_district_flags_late_and_missing(people, django_assert_max_num_queries):
    form = town_form(units=("440902101", "440902102", "440902103", "dept-health"))
    services.submit_report(people.gongguan, form.code, DAY, GOOD, now=at(16))
    services.submit_report(people.other_town, form.code, DAY, GOOD, now=at(17, 30))
    with django_assert_max_num_queries(3):
        districts = queries.rollup(form, DAY, now=at(20))
    by = {d.name: d for d in districts}
    maonan = by["茂南区"]
    assert (maonan.units, maonan.submitted, maonan.missing, maonan.late) == (3, 2, 1, 2)
    assert by["市直单位"].missing == 1
    late = {r.unit.code for r in queries.late_rows(districts)}
    assert late == {"440902102", "440902103", "dept-health"}
    early = queries.rollup(form, DAY, now=at(12))
    assert {r.unit.code for r in queries.late_rows(early)} == {"440902102"}


def test_prefill_comes_from_the_ledger(people):
    a, b, _c = ledger_with(people.gongguan)
    services.fill_ledger(people.gongguan, DAY, {a.pk: row(), b.pk: row(on_duty=False)}, now=at(9))
    form = town_form()
    assert queries.prefill(form, people.gongguan.hotline_profile.unit_id, DAY) == {
        "staff_on_duty": 1
    }


def test_center_form_is_approved_by_supervisors(people):
    form = town_form(units=("dept-health",), approver="center", code="dept-daily")
    report = services.submit_report(people.health, form.code, DAY, GOOD, now=at(9))
    with pytest.raises(ScreeningError):
        services.approve_report(people.agent, report.pk)
    services.approve_report(people.supervisor, report.pk)
