"""The editor form of the policy team. Validation is the services' (clean_content); errors
come back as KnowledgeError with a field and are shown next to that field."""

from __future__ import annotations

from django import forms

from .choices import Audience, Category


class ArticleForm(forms.Form):
    key = forms.CharField(
        label="条目编号",
        max_length=100,
        required=False,
        help_text="英文小写字母、数字和横线，如 sampling-sites-hours；创建后不能修改。",
    )
    title = forms.CharField(label="标题", max_length=200, required=False)
    category = forms.ChoiceField(label="分类", choices=Category.choices)
    audience = forms.ChoiceField(label="适用对象", choices=Audience.choices)
    tags = forms.CharField(
        label="标签", required=False, help_text="用逗号或顿号分隔，如：黄码，转码"
    )
    questions = forms.CharField(
        label="常见问法",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="来电人通常怎么问这件事，每行一句，用群众的原话，如：黄码多久能变回绿码。"
        "写 4 到 8 句不同的问法，检索时会优先匹配。",
    )
    body = forms.CharField(
        label="正文",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="支持简单 Markdown：## 小标题、- 列表、**加粗**。",
    )
    source_issuer = forms.CharField(label="发文单位", max_length=200, required=False)
    source_number = forms.CharField(label="文号", max_length=100, required=False)
    source_date = forms.DateField(
        label="发文日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_from = forms.DateTimeField(
        label="生效时间",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    valid_until = forms.DateTimeField(
        label="失效时间",
        required=False,
        help_text="管控期结束等情况到期后，条目自动退出默认检索。",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def content(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("key", None)
        return data


class NoteForm(forms.Form):
    note = forms.CharField(
        label="意见", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
