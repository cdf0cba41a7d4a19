"""Forms of the workforce pages: they parse input; services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from .choices import PATTERN_CHOICES, Task
from .models import Person

#: An HTML date input; the ISO format is the only one a browser date field accepts.
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ShiftForm(forms.Form):
    person = forms.ModelChoiceField(
        label="人员", queryset=Person.objects.none(), empty_label="请选择人员"
    )
    day = forms.DateField(label="日期", widget=DATE_WIDGET)
    pattern = forms.ChoiceField(label="班次", choices=PATTERN_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.active().filter(user__isnull=False)
        if not self.is_bound:
            self.initial.setdefault("day", timezone.localdate())


class WhatIfForm(forms.Form):
    calls = forms.FloatField(label="每15分钟来电量", min_value=0, max_value=100_000)
    aht = forms.IntegerField(label="平均处理时长（秒）", min_value=10, max_value=7200)


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件。")
        if f.size > 5 * 1024 * 1024:
            raise forms.ValidationError("文件不能超过 5 MB。")
        return f


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label="姓名或单位", required=False, max_length=50)
    kind = forms.ChoiceField(label="类别", required=False)
    trained = forms.ChoiceField(
        label="基础培训",
        required=False,
        choices=[("", "全部"), ("1", "已通过"), ("0", "未通过")],
    )

    def __init__(self, *args, **kwargs):
        from .choices import PersonKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "全部"), *PersonKind.choices]


class AttendanceForm(forms.Form):
    day = forms.DateField(label="日期", widget=DATE_WIDGET)
    present = forms.MultipleChoiceField(
        label="到岗人员", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(str(p.pk), p.name) for p in members]


class QuizForm(forms.Form):
    """One radio group per question of a course."""

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        for i, q in enumerate(course.questions or []):
            self.fields[f"q{i}"] = forms.ChoiceField(
                label=f"{i + 1}. {q['q']}",
                choices=[(str(j), o) for j, o in enumerate(q["options"])],
                widget=forms.RadioSelect,
                error_messages={"required": "请作答此题。"},
            )

    def answers(self) -> list[int]:
        return [int(self.cleaned_data[f"q{i}"]) for i in range(len(self.fields))]


TASK_CHOICES = Task.choices
