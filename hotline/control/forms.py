"""Forms of the control pages (Chinese labels; parsing only, services decide)."""

from django import forms

from .choices import AppealDecision, CodeColour


class AppealForm(forms.Form):
    name = forms.CharField(label="申诉人姓名", max_length=50)
    phone = forms.CharField(label="联系电话", max_length=32)
    id_number = forms.CharField(label="身份证号", max_length=18, min_length=18)
    colour = forms.ChoiceField(
        label="当前码色",
        choices=[(CodeColour.YELLOW, "黄码"), (CodeColour.RED, "红码")],
    )
    reason = forms.CharField(
        label="申诉理由", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    needed_by = forms.DateField(
        label="需在此日前处理（如考试日期）",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    town_code = forms.CharField(label="所在镇街代码", max_length=9, required=False)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="核定结果", choices=AppealDecision.choices)
    note = forms.CharField(label="核定说明（将短信告知申诉人）", max_length=500)


class ImportForm(forms.Form):
    file = forms.FileField(label="户籍名册（Excel .xlsx）")


class VehicleForm(forms.Form):
    plate = forms.CharField(label="车牌号", max_length=10)
    driver_id = forms.CharField(label="驾驶员身份证号", max_length=18)
    driver_code = forms.ChoiceField(label="驾驶员健康码", choices=CodeColour.choices)
    driver_temperature = forms.DecimalField(label="驾驶员体温（℃）", max_digits=3, decimal_places=1)
    driver_pass = forms.BooleanField(label="驾驶员出示通行证", required=False)
    passengers = forms.CharField(
        label="乘客（每行：身份证号 码色 体温 有无通行证，如 440902199001011234 绿 36.5 有）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    client_id = forms.CharField(widget=forms.HiddenInput)
