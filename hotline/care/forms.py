"""Forms of the care pages: they parse input; the services decide."""

from __future__ import annotations

from django import forms

from hotline.geo.models import Division
from hotline.orders.choices import Vulnerable

from .choices import Need
from .photos import MAX_BYTES


class FromOrderForm(forms.Form):
    order = forms.CharField(label="工单编号", max_length=20)
    need = forms.ChoiceField(label="需求", choices=Need.choices)
    items = forms.CharField(label="配送内容", max_length=300, required=False)
    address = forms.CharField(
        label="配送地址", max_length=255, required=False, help_text="留空则用工单上的地址"
    )


class CommunityForm(forms.Form):
    village = forms.ChoiceField(label="村居", required=False)
    need = forms.ChoiceField(label="需求", choices=Need.choices)
    description = forms.CharField(
        label="需求说明", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    household_name = forms.CharField(label="联系人", max_length=64, required=False)
    household_phone = forms.CharField(label="联系电话", max_length=32, required=False)
    address = forms.CharField(label="配送地址", max_length=255)
    vulnerable = forms.MultipleChoiceField(
        label="特殊群体",
        choices=Vulnerable.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    urgent = forms.BooleanField(label="紧急（2 小时内送达）", required=False)
    items = forms.CharField(label="配送内容", max_length=300, required=False)

    def __init__(self, *args, town_code: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        villages = Division.objects.filter(level="village", parent_id=town_code).order_by("code")
        self.fields["village"].choices = [("", "（未指定）")] + [(v.code, v.name) for v in villages]


class AssignForm(forms.Form):
    volunteer = forms.ChoiceField(label="志愿者", required=False)
    by_office = forms.BooleanField(label="由镇街自行配送", required=False)

    def __init__(self, *args, volunteers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].choices = [("", "（选择志愿者）")] + [
            (str(u.pk), _label(u)) for u in volunteers
        ]


class TaskForm(forms.Form):
    items = forms.CharField(label="配送内容", max_length=300)


class DeliverForm(forms.Form):
    code = forms.CharField(label="居民确认码", max_length=6, required=False)
    photo = forms.ImageField(label="交接照片（≤ 5 MB）", required=False)
    note = forms.CharField(label="交接说明", max_length=500, required=False)

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > MAX_BYTES:
            raise forms.ValidationError("照片不能超过 5 MB，请压缩后再上传。")
        return photo


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=300)


class StockForm(forms.Form):
    name = forms.CharField(label="物资", max_length=60)
    quantity = forms.IntegerField(label="数量", min_value=1, max_value=1_000_000)
    measure = forms.CharField(label="计量单位", max_length=10, initial="份")
    reason = forms.CharField(label="来源", max_length=200, required=False, initial="入库")


class RouteForm(forms.Form):
    volunteer = forms.ChoiceField(label="志愿者")
    tasks = forms.MultipleChoiceField(label="配送任务", widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, volunteers=(), tasks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].choices = [(str(u.pk), _label(u)) for u in volunteers]
        self.fields["tasks"].choices = [(str(t.pk), str(t.pk)) for t in tasks]


def _label(user) -> str:
    profile = getattr(user, "hotline_profile", None)
    return (profile.display_name if profile else "") or user.username
