from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hotline.accounts"
    label = "accounts"
    verbose_name = "用户与角色"
    nav_items = [("审计日志", "accounts:audit", frozenset({"admin"}))]

    def ready(self) -> None:
        from . import audit

        audit.connect_model_signals()
