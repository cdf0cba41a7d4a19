"""Forms of the reserve pages (labels in Chinese; services do the real checks)."""

from __future__ import annotations

from django import forms

from .choices import Direction, ExceptionKind, Outcome, SuspensionEffect
from .models import Area, Entrance


class DateInput(forms.DateInput):
    input_type = "date"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"


class VisitorForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=40)
    phone = forms.CharField(label="手机号", max_length=20, help_text="用于接收预约与通知短信")
    id_number = forms.CharField(
        label="身份证号", max_length=24, help_text="平台只保存其密钥散列和遮蔽号码"
    )
    party_size = forms.IntegerField(label="人数", min_value=1, max_value=10, initial=1)
    plate = forms.CharField(label="车牌号（可不填）", max_length=12, required=False)


class BookingForm(VisitorForm):
    area = forms.ModelChoiceField(
        label="区域",
        queryset=Area.objects.filter(active=True),
        to_field_name="code",
        empty_label=None,
    )
    visit_date = forms.DateField(label="入园日期", widget=DateInput)

    field_order = ["area", "visit_date", "name", "phone", "id_number", "party_size", "plate"]


class ExceptionForm(VisitorForm):
    kind = forms.ChoiceField(label="申请类别", choices=ExceptionKind.choices)
    area = forms.ModelChoiceField(
        label="区域", queryset=Area.objects.all(), to_field_name="code", empty_label=None
    )
    date_from = forms.DateField(label="起始日期", widget=DateInput)
    date_to = forms.DateField(label="截止日期", widget=DateInput)
    purpose = forms.CharField(
        label="进入事由", max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    field_order = ["kind", "area", "date_from", "date_to", "purpose"]


class SuspensionForm(forms.Form):
    area = forms.ModelChoiceField(
        label="区域",
        queryset=Area.objects.all(),
        to_field_name="code",
        required=False,
        empty_label="全保护区",
    )
    starts_at = forms.DateTimeField(label="起始时间", widget=DateTimeInput)
    ends_at = forms.DateTimeField(
        label="结束时间（不填 = 另行通知）", widget=DateTimeInput, required=False
    )
    reason = forms.CharField(label="原因（写入短信）", max_length=200)
    effect = forms.ChoiceField(label="已有预约", choices=SuspensionEffect.choices)


class EndSuspensionForm(forms.Form):
    ends_at = forms.DateTimeField(label="结束时间", widget=DateTimeInput)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="审批", choices=[("approve", "批准"), ("refuse", "不予批准")]
    )
    reason = forms.CharField(label="审批意见", max_length=300)


class DutyForm(forms.Form):
    day = forms.DateField(label="日期", widget=DateInput)
    post = forms.CharField(label="岗位", max_length=40)
    username = forms.CharField(label="值班人员用户名", max_length=150)


class GateForm(forms.Form):
    entrance = forms.ModelChoiceField(
        label="卡点", queryset=Entrance.objects.all(), to_field_name="code", empty_label=None
    )
    q = forms.CharField(label="预约号 / 特许申请号 / 身份证号", max_length=24)


class PassageForm(forms.Form):
    entrance = forms.CharField(max_length=30, widget=forms.HiddenInput)
    number = forms.CharField(max_length=24, widget=forms.HiddenInput)
    direction = forms.ChoiceField(choices=Direction.choices, widget=forms.HiddenInput)
    people = forms.IntegerField(label="人数", min_value=1, max_value=10)


class OnSiteForm(forms.Form):
    photo = forms.FileField(label="现场照片（JPEG/PNG，≤ 2 MB）")
    note = forms.CharField(label="核实情况", max_length=300, required=False)


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label="处置结果", choices=Outcome.choices)
    note = forms.CharField(label="说明", max_length=300, required=False)
    remember_as = forms.CharField(
        label="登记为已知误报点（仅误报；如 某砖厂烟囱）", max_length=80, required=False
    )


class LinkForm(forms.Form):
    order = forms.CharField(label="来电工单编号", max_length=20)
