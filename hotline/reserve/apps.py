from django.apps import AppConfig


class ReserveConfig(AppConfig):
    name = "hotline.reserve"
    label = "reserve"
    verbose_name = "自然保护区"
    #: (label, url name, role codes that see it; empty = everyone signed in), read by
    #: hotline.accounts.context_processors.navigation after its own NAV_ITEMS.
    nav_items: tuple = (
        ("火情地图", "reserve:map", frozenset({"field_staff", "supervisor", "admin"})),
        ("卡点核验", "reserve:gate", frozenset({"field_staff", "supervisor", "admin"})),
        ("预约与特许", "reserve:manage", frozenset({"supervisor", "admin"})),
    )

    def ready(self) -> None:
        from . import subscriptions  # noqa: F401  (registers the order subscription)
