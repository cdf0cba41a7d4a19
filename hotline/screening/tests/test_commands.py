import io

import pytest
from django.core.management import CommandError, call_command

from hotline.screening import services

from .factories import DAY, GOOD, at, town_form

pytestmark = pytest.mark.django_db


def test_screening_late_lists_late_and_missing(people):
    form = town_form()
    services.submit_report(people.gongguan, form.code, DAY, GOOD, now=at(18))
    out = io.StringIO()
    call_command("screening_late", form=form.code, day=DAY.isoformat(), stdout=out)
    text = out.getvalue()
    assert "440902101" in text and "逾期提交" in text and "逾期未报" in text
    with pytest.raises(CommandError):
        call_command("screening_late", form="nope", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("screening_late", form=form.code, day="昨天", stdout=io.StringIO())
