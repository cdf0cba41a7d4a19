"""Forms of the work pages: labels and messages in Chinese, written for people."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone

from hotline.common.phone import phone_problem
from hotline.geo.models import Division, HandlingUnit
from hotline.orders.choices import AppealType, Category, Channel, Satisfaction, Status, Urgency
from hotline.orders.models import DESCRIPTION_MAX

from .queries import VULNERABLE_LABELS

VULNERABLE_CHOICES = list(VULNERABLE_LABELS.items())


class EmptyForm(forms.Form):
    """An action that needs nothing but a click."""


def _unit_choices():
    units = HandlingUnit.objects.active().exclude(code="center").order_by("kind", "code")
    return [(u.code, f"{u.name}（{u.get_kind_display()}）") for u in units]


class DispatchForm(forms.Form):
    unit = forms.ChoiceField(label="主办单位")
    co_units = forms.MultipleChoiceField(
        label="协办单位（可选）", required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _unit_choices()
        self.fields["unit"].choices = [("", "请选择承办单位"), *choices]
        self.fields["co_units"].choices = choices

    def service_kwargs(self):
        return {"unit": self.cleaned_data["unit"], "co_units": self.cleaned_data["co_units"]}


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="退单理由和依据", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def service_kwargs(self):
        return {"reason": self.cleaned_data["reason"]}


class ExtensionForm(forms.Form):
    until = forms.DateTimeField(
        label="申请延期至",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        error_messages={"invalid": "请填写正确的日期和时间，如 2022-11-08 17:30。"},
    )
    reason = forms.CharField(
        label="延期理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until <= timezone.now():
            raise forms.ValidationError("延期时间必须晚于现在。")
        return until

    def service_kwargs(self):
        return {"until": self.cleaned_data["until"], "reason": self.cleaned_data["reason"]}


class DecideExtensionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label="审批结果",
        choices=[("1", "同意延期"), ("0", "不同意")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="审批意见", max_length=500, required=False)

    def service_kwargs(self):
        return {"approve": self.cleaned_data["approve"], "note": self.cleaned_data["note"]}


class ResolveForm(forms.Form):
    reply = forms.CharField(
        label="答复内容（办理结果）", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def service_kwargs(self):
        return {"reply": self.cleaned_data["reply"]}


class CallbackForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label="市民评价", choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label="回访记录", max_length=1000, required=False)

    def service_kwargs(self):
        return {
            "satisfaction": self.cleaned_data["satisfaction"],
            "note": self.cleaned_data["note"],
        }


class FirstContactForm(forms.Form):
    answer = forms.CharField(
        label="答复内容", max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    article_key = forms.CharField(label="引用的知识库条目（可选）", max_length=100, required=False)

    def service_kwargs(self):
        return {
            "answer": self.cleaned_data["answer"],
            "article_key": self.cleaned_data["article_key"],
        }


class LinkDuplicateForm(forms.Form):
    of = forms.CharField(label="重复于工单编号", max_length=20)

    def service_kwargs(self):
        return {"of": self.cleaned_data["of"].strip()}


class EscalateForm(forms.Form):
    reason = forms.CharField(label="督办原因", max_length=500)

    def service_kwargs(self):
        return {"reason": self.cleaned_data["reason"]}


class NoteForm(forms.Form):
    text = forms.CharField(label="备注", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def service_kwargs(self):
        return {"text": self.cleaned_data["text"]}


# --- intake --------------------------------------------------------------------------------
class IntakeForm(forms.Form):
    """What an agent registers while the caller is on the line. The classification fields are
    optional: left empty, triage fills them; set, they override triage (recorded as such)."""

    caller_phone = forms.CharField(
        label="来电号码",
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    caller_name = forms.CharField(label="来电人姓名", max_length=64, required=False)
    address = forms.CharField(label="地址", max_length=255, required=False)
    description = forms.CharField(
        label="诉求内容",
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(
            attrs={"rows": 7, "placeholder": "按来电人原话记录：谁、在哪、需要什么、多急"}
        ),
        error_messages={
            "required": "请记录来电人的诉求内容。",
            "max_length": "诉求内容最多 %(limit_value)d 字，现有 %(show_value)d 字；"
            "请概括要点后再登记（原文可写入备注）。",
        },
    )
    channel = forms.ChoiceField(label="渠道", choices=Channel.choices, initial=Channel.PHONE)
    appeal_type = forms.ChoiceField(
        label="诉求类型", required=False, choices=[("", "按智能分拣"), *AppealType.choices]
    )
    category = forms.ChoiceField(
        label="诉求分类", required=False, choices=[("", "按智能分拣"), *Category.choices]
    )
    urgency = forms.ChoiceField(
        label="紧急程度", required=False, choices=[("", "按智能分拣"), *Urgency.choices]
    )
    vulnerable = forms.MultipleChoiceField(
        label="特殊群体", required=False, choices=VULNERABLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    vulnerable_set = forms.BooleanField(required=False, widget=forms.HiddenInput)
    town_code = forms.ChoiceField(label="所在镇街", required=False)
    answer = forms.CharField(
        label="首呼答复内容", required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    article_key = forms.CharField(label="引用的知识库条目", required=False, max_length=100)
    #: One key per opened form, sent again by every submit of it: the order's idempotency key,
    #: so that a second Ctrl+Enter (or a resent POST) finds the order the first one created.
    submission_key = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput,
        error_messages={"max_length": "表单已过期，请刷新页面后重新登记。"},
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["submission_key"] = uuid.uuid4().hex
        towns = Division.objects.filter(level="town").select_related("parent").order_by("code")
        self.fields["town_code"].choices = [("", "按智能分拣识别")] + [
            (t.code, f"{t.parent.name} {t.name}") for t in towns
        ]

    def clean_caller_phone(self):
        phone = self.cleaned_data["caller_phone"].strip()
        problem = phone_problem(phone)
        if problem:
            raise forms.ValidationError(problem)
        return phone

    def receive_kwargs(self) -> dict:
        """Keyword arguments for orders.services.receive: empty overrides become None."""
        d = self.cleaned_data
        key = d.get("submission_key", "").strip()
        return {
            "idempotency_key": f"console-{key}" if key else "",
            "channel": d["channel"],
            "description": d["description"],
            "caller_name": d["caller_name"],
            "caller_phone": d["caller_phone"],
            "address": d["address"],
            "appeal_type": d["appeal_type"] or None,
            "category": d["category"] or None,
            "urgency": d["urgency"] or None,
            "vulnerable": d["vulnerable"] if d["vulnerable_set"] else None,
            "town_code": d["town_code"] or None,
        }


class OrderFilterForm(forms.Form):
    """Filters of the order list (all optional)."""

    q = forms.CharField(label="关键词", required=False, max_length=100)
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部"), ("open", "在办（未办结的全部）"), *Status.choices],
    )
    urgency = forms.ChoiceField(
        label="紧急程度", required=False, choices=[("", "全部"), *Urgency.choices]
    )
    category = forms.ChoiceField(
        label="分类", required=False, choices=[("", "全部"), *Category.choices]
    )
    channel = forms.ChoiceField(
        label="渠道", required=False, choices=[("", "全部"), *Channel.choices]
    )
    #: Searchable pickers: a select of names grouped by district (console.js adds a box that
    #: narrows the options as one types); the values are the codes the board's links send.
    unit = forms.ChoiceField(
        label="主办单位", required=False,
        widget=forms.Select(attrs={"data-picker": "输入单位名称筛选"}),
        error_messages={"invalid_choice": "没有这个承办单位（或已停用），请从列表中选择。"},
    )  # fmt: skip
    district = forms.ChoiceField(label="区县", required=False)
    town = forms.ChoiceField(
        label="镇街", required=False,
        widget=forms.Select(attrs={"data-picker": "输入镇街名称筛选"}),
        error_messages={"invalid_choice": "没有这个镇街，请从列表中选择。"},
    )  # fmt: skip
    overdue = forms.ChoiceField(
        label="超时", required=False, choices=[("", "不限"), ("1", "已超时"), ("0", "未超时")]
    )
    date_from = forms.DateField(
        label="受理日期从", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "日期格式应为 2022-11-05。"},
    )  # fmt: skip
    date_to = forms.DateField(
        label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "日期格式应为 2022-11-05。"},
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        counties = Division.objects.filter(level="county").order_by("code")
        self.fields["district"].choices = [("", "全部")] + [(c.code, c.name) for c in counties]
        self.fields["unit"].choices = [("", "全部"), *units_by_district()]
        self.fields["town"].choices = [("", "全部"), *towns_by_district()]


#: The group of units that belong to no district (city departments, utilities).
CITY_GROUP = "市直部门和单位"


def _county_of(division) -> Division | None:
    """The district (county level) a division lies in, walking up at most three levels."""
    for _ in range(3):
        if division is None or division.level == "county":
            return division
        division = division.parent
    return None


def units_by_district() -> list[tuple[str, list[tuple[str, str]]]]:
    """Active handling units (not the center) as select option groups, one per district in
    code order, then the city's own departments and utilities. One query."""
    units = (
        HandlingUnit.objects.active()
        .exclude(code="center")
        .select_related("division__parent__parent")
        .order_by("kind", "code")
    )
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for unit in units:
        county = _county_of(unit.division)
        key = (county.code, county.name) if county else ("~", CITY_GROUP)
        groups.setdefault(key, []).append((unit.code, unit.name))
    return [(name, options) for (_, name), options in sorted(groups.items())]


def towns_by_district() -> list[tuple[str, list[tuple[str, str]]]]:
    """Towns and subdistricts as select option groups by district. One query."""
    towns = Division.objects.filter(level="town").select_related("parent").order_by("code")
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for town in towns:
        parent = town.parent
        key = (parent.code, parent.name) if parent else ("~", "其他")
        groups.setdefault(key, []).append((town.code, town.name))
    return [(name, options) for (_, name), options in sorted(groups.items())]


class BoardScopeForm(forms.Form):
    """Which orders the supervisor board shows: all, one lead unit's, or one town's."""

    unit = forms.ChoiceField(label="主办单位", required=False)
    town = forms.ChoiceField(label="镇街", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = HandlingUnit.objects.active().exclude(code="center").order_by("kind", "code")
        self.fields["unit"].choices = [("", "全部单位")] + [(u.code, u.name) for u in units]
        self.fields["unit"].error_messages["invalid_choice"] = "没有这个承办单位。"
        towns = Division.objects.filter(level="town").select_related("parent").order_by("code")
        self.fields["town"].choices = [("", "全部镇街")] + [
            (t.code, f"{t.parent.name} {t.name}") for t in towns
        ]
        self.fields["town"].error_messages["invalid_choice"] = "没有这个镇街。"
