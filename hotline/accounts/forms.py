from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """The login form with Chinese labels and messages written for people."""

    # A length limit declared here is a validator: AuthenticationForm only sets the attribute,
    # so a 3,000-character name reached authenticate() and axes, whose username column (255)
    # refused it on PostgreSQL — a 500 on the login page.
    username = forms.CharField(
        label="用户名",
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="密码",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "用户名或密码不正确，请重新输入。注意区分大小写。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }


class OtpForm(forms.Form):
    """The six digits an authenticator app shows."""

    code = forms.CharField(
        label="验证码",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class AuditFilterForm(forms.Form):
    """Filters of the audit log page (all optional)."""

    action = forms.ChoiceField(label="动作", required=False)
    who = forms.CharField(label="用户名", required=False, max_length=150)
    target = forms.CharField(label="对象包含", required=False, max_length=100)
    since = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        from .models import AuditAction

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "全部"), *AuditAction.choices]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("起始日期不能晚于截止日期。")
        return data
