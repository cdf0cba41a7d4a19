"""Forms of the workforce pages: they parse input; services decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from hotline.common.fields import ModelMultipleChoiceField

from .choices import PATTERN_CHOICES, SiteKind, Task
from .models import Person

#: An HTML date input; the ISO format is the only one a browser date field accepts.
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ShiftForm(forms.Form):
    """Roster one person, or everyone at the desk from one home agency, for a shift."""

    person = forms.ModelChoiceField(
        label="人员", queryset=Person.objects.none(), required=False, empty_label="请选择人员"
    )
    agency = forms.ChoiceField(label="或整个派出单位", required=False)
    day = forms.DateField(label="日期", widget=DATE_WIDGET)
    pattern = forms.ChoiceField(label="班次", choices=PATTERN_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        desk = Person.objects.active().filter(user__isnull=False)
        self.fields["person"].queryset = desk
        agencies = sorted(set(desk.exclude(home_agency="").values_list("home_agency", flat=True)))
        self.fields["agency"].choices = [("", "—"), *((a, a) for a in agencies)]
        if not self.is_bound:
            self.initial.setdefault("day", timezone.localdate())

    def clean(self):
        data = super().clean()
        if not data.get("person") and not data.get("agency"):
            raise forms.ValidationError("请选择人员，或选择一个派出单位为其全体人员排班。")
        return data

    def people(self) -> list[Person]:
        if self.cleaned_data.get("person"):
            return [self.cleaned_data["person"]]
        return list(
            Person.objects.active()
            .filter(user__isnull=False, home_agency=self.cleaned_data["agency"])
            .order_by("name")
        )


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


class DeploymentForm(forms.Form):
    """Send a batch of a team's members to a site."""

    site_kind = forms.ChoiceField(label="驻点类型", choices=SiteKind.choices)
    site_name = forms.CharField(label="驻点名称", max_length=100)
    site_division = forms.CharField(
        label="区划代码（可选）",
        required=False,
        max_length=12,
        help_text="村居 12 位或镇街 9 位，如 艾屋村 440902101216",
    )
    tasks = forms.MultipleChoiceField(
        label="任务",
        choices=Task.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一项任务。"},
    )
    starts_on = forms.DateField(label="出发日期", widget=DATE_WIDGET)
    ends_on = forms.DateField(label="撤回日期（可选）", widget=DATE_WIDGET, required=False)
    members = forms.MultipleChoiceField(
        label="人员",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "一个批次至少要有一名人员。"},
    )
    note = forms.CharField(label="说明", required=False, max_length=500)

    def __init__(self, *args, team_members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(str(p.pk), p.name) for p in team_members]
        if not self.is_bound:
            self.initial.setdefault("starts_on", timezone.localdate())


class TeamForm(forms.Form):
    """Form a field team from people in the register."""

    name = forms.CharField(label="队伍名称", max_length=100)
    home_agency = forms.CharField(label="组建单位", max_length=100, required=False)
    members = ModelMultipleChoiceField(
        label="队员（按住 Ctrl 多选）",
        queryset=Person.objects.none(),
        error_messages={"required": "请至少选择一名队员。"},
    )
    leader = forms.ModelChoiceField(
        label="队长", queryset=Person.objects.none(), required=False, empty_label="不指定"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field_people = (
            Person.objects.active().filter(user__isnull=True).order_by("home_agency", "name")
        )
        self.fields["members"].queryset = field_people
        self.fields["leader"].queryset = field_people

    def clean(self):
        data = super().clean()
        leader, members = data.get("leader"), data.get("members")
        if leader is not None and members is not None and leader not in members:
            self.add_error("leader", "队长须是队员之一。")
        return data
