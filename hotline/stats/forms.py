"""Forms of the stats pages: a period (from, to) and a report day with its cut-off."""

from __future__ import annotations

from django import forms


class PeriodForm(forms.Form):
    start = forms.DateField(
        label="开始日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label="结束日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ReportForm(forms.Form):
    day = forms.DateField(
        label="日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    cutoff = forms.IntegerField(
        label="截止时间（时）", required=False, min_value=1, max_value=24, initial=24
    )
