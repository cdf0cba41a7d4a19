"""Forms of the sampling pages; the rules themselves are the services'."""

from __future__ import annotations

from django import forms

from .choices import Mode


class RoundForm(forms.Form):
    name = forms.CharField(label="轮次名称", max_length=100)
    area = forms.CharField(
        label="采样范围（区县或镇街代码）",
        max_length=12,
        help_text="如 440902（茂南区）或 440902101（公馆镇）",
    )
    starts_at = forms.DateTimeField(
        label="开始时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    deadline = forms.DateTimeField(
        label="完成时限", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class SiteForm(forms.Form):
    village = forms.CharField(label="村居代码", max_length=12)
    name = forms.CharField(label="采样点名称", max_length=100)
    address = forms.CharField(label="地址", max_length=200, required=False)
    opens_at = forms.TimeField(label="开放", widget=forms.TimeInput(attrs={"type": "time"}))
    closes_at = forms.TimeField(label="结束", widget=forms.TimeInput(attrs={"type": "time"}))
    staff = forms.CharField(label="采样人员（用户名，逗号分隔）", max_length=500, required=False)


class RegisterForm(forms.Form):
    person = forms.CharField(label="扫居民码或输入身份证号", max_length=40)
    mode = forms.ChoiceField(label="方式", choices=Mode.choices, initial=Mode.SITE)
    barcode = forms.CharField(label="新管管号（扫管上条码，可不填）", max_length=32, required=False)


class ResultsForm(forms.Form):
    file = forms.FileField(label="检测结果文件（.csv 或 .xlsx：管号、结果、时间）")


class SamplesForm(forms.Form):
    file = forms.FileField(
        label="采样登记文件（.csv 或 .xlsx：管号、身份证号或居民码、采样点编号、采样时间、方式）"
    )
