"""Factories of the workforce tests (factory_boy), plus a few helpers."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from hotline.common.identity import check_digit

from ..models import Completion, Course, Person, Shift


def valid_id(serial: int, birth: str = "19900101") -> str:
    first17 = f"440902{birth}{serial % 1000:03d}"
    return first17 + check_digit(first17)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"人员{n}")
    kind = "volunteer"
    home_agency = "茂名市教育局"
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    created_at = factory.LazyFunction(timezone.now)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    code = factory.Sequence(lambda n: f"course-{n}")
    title = factory.Sequence(lambda n: f"课程{n}")
    is_basic = True
    pass_mark = 80
    questions = factory.LazyFunction(
        lambda: [
            {"q": "涉及生命安全的诉求怎么办？", "options": ["等待", "立即上报"], "answer": 1},
            {"q": "政策以什么为准？", "options": ["知识库", "传言"], "answer": 0},
        ]
    )


def passed(person: Person, course: Course | None = None) -> Completion:
    course = course or CourseFactory()
    return Completion.objects.create(
        person=person, course=course, score=100, passed=True, answers=[1, 0], at=timezone.now()
    )


def shift_now(person: Person, *, signed_in=True, now=None, hours_before=2) -> Shift:
    """A live shift covering now, optionally signed in an hour ago."""
    now = now or timezone.now()
    start = now - dt.timedelta(hours=hours_before)
    return Shift.objects.create(
        person=person,
        pattern="d12",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=12),
        signed_in_at=now - dt.timedelta(hours=1) if signed_in else None,
    )
