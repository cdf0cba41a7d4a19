"""Forms of the resident portal and the import page."""

from __future__ import annotations

from django import forms

from hotline.geo.models import Division
from hotline.orders.choices import Category, Satisfaction
from hotline.orders.models import DESCRIPTION_MAX

from .choices import IMPORT_CHANNELS

CITY = "4409"  # Maoming


def district_choices():
    rows = Division.objects.of_city(CITY).level("county").values_list("code", "name")
    return [("", "请选择区县"), *list(rows)]


class PortalAppealForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=40)
    category = forms.ChoiceField(
        label="诉求分类",
        choices=[("", "请选择（不确定可不选）"), *Category.choices],
        required=False,
    )
    description = forms.CharField(
        label="诉求内容",
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "请写清楚发生了什么、需要什么帮助"}),
    )
    district_code = forms.ChoiceField(label="区县", required=False)
    town_code = forms.CharField(label="镇街", required=False, widget=forms.Select)
    village_code = forms.CharField(label="村居", required=False, widget=forms.Select)
    address = forms.CharField(label="详细地址", max_length=255, required=False)
    name = forms.CharField(label="称呼", max_length=64, required=False)
    phone = forms.CharField(
        label="手机号",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    code = forms.CharField(
        label="短信验证码",
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    photo = forms.FileField(label="照片（可选，不超过 5 MB）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district_code"].choices = district_choices()


class TrackForm(forms.Form):
    number = forms.CharField(label="工单编号", max_length=20)
    phone = forms.CharField(
        label="提交时的手机号", max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )


class RateForm(forms.Form):
    number = forms.CharField(widget=forms.HiddenInput, max_length=20)
    phone = forms.CharField(widget=forms.HiddenInput, max_length=20)
    satisfaction = forms.ChoiceField(
        label="您对办理结果", choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="意见（可选）",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    code = forms.CharField(
        label="短信验证码",
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ImportForm(forms.Form):
    file = forms.FileField(label="文件（.csv / .xlsx / .jsonl）")
    channel = forms.ChoiceField(
        label="来源渠道",
        choices=[(c, c) for c in IMPORT_CHANNELS],
        initial="import",
    )
    skip_bad = forms.BooleanField(label="跳过错误行，只导入正确的行", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from hotline.orders.choices import Channel

        labels = dict(Channel.choices)
        self.fields["channel"].choices = [(c, labels[c]) for c in IMPORT_CHANNELS]
